"""Typical mistakes for 08_toy_physics: each must lose exactly its exercise's points.

Four of them pass the visible checks and are caught only by the hidden tests (small
angles, window edges, the AUC reached after training, another column order). The
hidden tests also catch mean/std kept as plain attributes instead of buffers.
"""

from tests.notebooks.harness import Mistake

_STANDARDIZE_FORWARD = '''
    def forward(self, x):
        return (x - self.mean) / self.std


def make_classifier(X_train, n_hidden=10):
    return nn.Sequential(Standardize(X_train), nn.Linear(X_train.shape[1], n_hidden),
                         nn.ReLU(), nn.Linear(n_hidden, 1), nn.Sigmoid())
'''

MISTAKES = [
    Mistake("invariant_mass", ("test_invariant_mass",),
            "1 - cos(phi) cancels catastrophically at small angles in float32 "
            "(only the hidden test tries small angles)",
            "def invariant_mass(E1, E2, phi):\n"
            "    return torch.sqrt(2 * E1 * E2 * (1 - torch.cos(phi)))\n"),
    Mistake("mass_window", ("test_mass_window",),
            "window edges exclusive although the text says inclusive (hidden test only)",
            "def mass_window(mass, y, low=645.0, high=915.0):\n"
            "    scores = ((mass > low) & (mass < high)).to(mass.dtype)\n"
            "    return scores, scores[y == 1].mean(), 1 - scores[y == 0].mean()\n"),
    Mistake("mass_window", ("test_mass_window",),
            "background rejection computed as the background efficiency",
            "def mass_window(mass, y, low=645.0, high=915.0):\n"
            "    scores = ((mass >= low) & (mass <= high)).to(mass.dtype)\n"
            "    return scores, scores[y == 1].mean(), scores[y == 0].mean()\n"),
    Mistake("make_classifier", ("test_make_classifier",),
            "forgot dim=0: one mean and one std for all features together",
            "class Standardize(nn.Module):\n"
            "    def __init__(self, X):\n"
            "        super().__init__()\n"
            "        self.register_buffer('mean', X.mean())\n"
            "        self.register_buffer('std', X.std())\n" + _STANDARDIZE_FORWARD),
    Mistake("train_classifier", ("test_train_classifier",),
            "forgot optimizer.zero_grad(): gradients accumulate over the batches and the "
            "classifier does not beat the mass window (hidden test only)",
            "def train_classifier(model, X_train, y_train, X_val=None, y_val=None, *,\n"
            "                     epochs=10, batch_size=128, lr=0.008):\n"
            "    loss_fn = nn.BCELoss()\n"
            "    optimizer = torch.optim.Adam(model.parameters(), lr=lr)\n"
            "    loader = DataLoader(TensorDataset(X_train, y_train), batch_size=batch_size,\n"
            "                        shuffle=True)\n"
            "    history = {'loss': [], 'val_loss': []}\n"
            "    for epoch in range(epochs):\n"
            "        total = 0.0\n"
            "        for xb, yb in loader:\n"
            "            loss = loss_fn(model(xb), yb)\n"
            "            loss.backward()\n"
            "            optimizer.step()\n"
            "            total += loss.item() * len(xb)\n"
            "        history['loss'].append(total / len(X_train))\n"
            "        if X_val is not None:\n"
            "            model.eval()\n"
            "            with torch.no_grad():\n"
            "                history['val_loss'].append(loss_fn(model(X_val), y_val).item())\n"
            "            model.train()\n"
            "    return history\n"),
    Mistake("train_classifier", ("test_train_classifier",),
            "full-batch gradient descent: one step per epoch instead of mini-batches",
            "def train_classifier(model, X_train, y_train, X_val=None, y_val=None, *,\n"
            "                     epochs=10, batch_size=128, lr=0.008):\n"
            "    loss_fn = nn.BCELoss()\n"
            "    optimizer = torch.optim.Adam(model.parameters(), lr=lr)\n"
            "    history = {'loss': [], 'val_loss': []}\n"
            "    for epoch in range(epochs):\n"
            "        optimizer.zero_grad()\n"
            "        loss = loss_fn(model(X_train), y_train)\n"
            "        loss.backward()\n"
            "        optimizer.step()\n"
            "        history['loss'].append(loss.item())\n"
            "        if X_val is not None:\n"
            "            with torch.no_grad():\n"
            "                history['val_loss'].append(loss_fn(model(X_val), y_val).item())\n"
            "    return history\n"),
    Mistake("train_classifier", ("test_train_classifier",),
            "course.train.fit instead of an own training loop: it trains correctly, but "
            "the exercise is the loop (course.train is forbidden)",
            "def train_classifier(model, X_train, y_train, X_val=None, y_val=None, *,\n"
            "                     epochs=10, batch_size=128, lr=0.008):\n"
            "    loader = DataLoader(TensorDataset(X_train, y_train), batch_size=batch_size,\n"
            "                        shuffle=True)\n"
            "    val = None if X_val is None else [(X_val, y_val)]\n"
            "    history = course.train.fit(model, nn.BCELoss(),\n"
            "                               torch.optim.Adam(model.parameters(), lr=lr), loader,\n"
            "                               epochs, val_data=val, progress=False, plot=False)\n"
            "    return {'loss': history['loss'], 'val_loss': history.get('val_loss', [])}\n",
            forbidden='course.train'),
    Mistake("permutation_importance", ("test_permutation_importance",),
            "permutes whole rows (all columns together), which changes nothing",
            "def permutation_importance(model, X, y, generator):\n"
            "    labels = y.reshape(-1)\n"
            "    with torch.no_grad():\n"
            "        base = plot.roc_auc(labels, model(X).reshape(-1))[2]\n"
            "    drops = []\n"
            "    for j in range(X.shape[1]):\n"
            "        perm = torch.randperm(X.shape[0], generator=generator)\n"
            "        with torch.no_grad():\n"
            "            drops.append(base - plot.roc_auc(labels, model(X[perm]).reshape(-1))[2])\n"
            "    return torch.tensor(drops)\n"),
    Mistake("pz_residual", ("test_pz_residual",),
            "column positions hard-coded for FEATURES_2018 instead of looked up by name "
            "(hidden test only)",
            "def pz_residual(X, columns):\n"
            "    first = X[:, 3] - X[:, 0] * torch.sinh(X[:, 1])\n"
            "    second = X[:, 8] - X[:, 5] * torch.sinh(X[:, 6])\n"
            "    return torch.stack([first, second], dim=1)\n"),
    Mistake("pz_residual", ("test_pz_residual",),
            "cosh instead of sinh (that is the relation of |p|, not of pz)",
            "def pz_residual(X, columns):\n"
            "    columns = list(columns)\n"
            "    out = []\n"
            "    for k in '12':\n"
            "        pT = X[:, columns.index('pT' + k)]\n"
            "        eta = X[:, columns.index('eta' + k)]\n"
            "        pz = X[:, columns.index('pz' + k)]\n"
            "        out.append(pz - pT * torch.cosh(eta))\n"
            "    return torch.stack(out, dim=1)\n"),
]
