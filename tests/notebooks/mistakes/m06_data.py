"""Typical mistakes in notebook 06 (data); each must lose exactly its exercise's points."""

from tests.notebooks.harness import Mistake

MISTAKES = [
    Mistake("num_batches", ("test_num_batches",),
            "adds one batch for the remainder even when there is none (n // b + 1); "
            "only the hidden test has n divisible by the batch size",
            "def num_batches(n, batch_size, drop_last=False):\n"
            "    if drop_last:\n"
            "        return n // batch_size\n"
            "    return n // batch_size + 1\n"),
    Mistake("split_indices", ("test_split_indices",),
            "draws training and validation indices independently: the parts overlap",
            "def split_indices(n, val_fraction, generator):\n"
            "    n_val = round(val_fraction * n)\n"
            "    train_idx = torch.randperm(n, generator=generator)[:n - n_val]\n"
            "    val_idx = torch.randperm(n, generator=generator)[:n_val]\n"
            "    return train_idx, val_idx\n"),
    Mistake("split_indices", ("test_split_indices",),
            "ignores the generator (global random state): not reproducible from the seed; "
            "only the hidden test notices",
            "def split_indices(n, val_fraction, generator):\n"
            "    n_val = round(val_fraction * n)\n"
            "    order = torch.randperm(n)\n"
            "    return order[n_val:], order[:n_val]\n"),
    Mistake("TabularDataset", ("test_TabularDataset",),
            "standardises every dataset with its own statistics, ignoring the training "
            "mean/std passed in (leakage); only the hidden test passes statistics",
            "class TabularDataset(Dataset):\n"
            "    def __init__(self, table, target_col, mean=None, std=None):\n"
            "        data = torch.as_tensor(table, dtype=torch.float32)\n"
            "        keep = [c for c in range(data.shape[1]) if c != target_col]\n"
            "        features = data[:, keep]\n"
            "        self.mean, self.std = features.mean(dim=0), features.std(dim=0)\n"
            "        self.X = (features - self.mean) / self.std\n"
            "        self.y = data[:, target_col:target_col + 1]\n"
            "\n"
            "    def __len__(self):\n"
            "        return len(self.X)\n"
            "\n"
            "    def __getitem__(self, i):\n"
            "        return self.X[i], self.y[i]\n"),
    Mistake("TabularDataset", ("test_TabularDataset",),
            "keeps NumPy's float64 and a (N,) target: batches of targets become (B,) "
            "and broadcast against the (B, 1) output",
            "class TabularDataset(Dataset):\n"
            "    def __init__(self, table, target_col, mean=None, std=None):\n"
            "        data = torch.from_numpy(table)\n"
            "        keep = [c for c in range(data.shape[1]) if c != target_col]\n"
            "        features = data[:, keep]\n"
            "        if mean is None:\n"
            "            mean, std = features.mean(dim=0), features.std(dim=0)\n"
            "        self.mean, self.std = mean, std\n"
            "        self.X = (features - mean) / std\n"
            "        self.y = data[:, target_col]\n"
            "\n"
            "    def __len__(self):\n"
            "        return len(self.X)\n"
            "\n"
            "    def __getitem__(self, i):\n"
            "        return self.X[i], self.y[i]\n"),
    Mistake("to_device", ("test_to_device",),
            "moves the inputs but forgets the targets",
            "def to_device(batch, device):\n"
            "    x, y = batch\n"
            "    return x.to(device), y\n"),
    Mistake("train_one_epoch", ("test_train_one_epoch",),
            "averages the batch losses without weighting by batch size: the smaller last "
            "batch counts as much as a full one; only the hidden test has an uneven split",
            "def train_one_epoch(model, loader, loss_fn, optimizer, device):\n"
            "    model.train()\n"
            "    losses = []\n"
            "    for x, y in loader:\n"
            "        x, y = x.to(device), y.to(device)\n"
            "        optimizer.zero_grad()\n"
            "        loss = loss_fn(model(x), y)\n"
            "        loss.backward()\n"
            "        optimizer.step()\n"
            "        losses.append(loss.item())\n"
            "    return sum(losses) / len(losses)\n"),
    Mistake("train_one_epoch", ("test_train_one_epoch",),
            "forgets optimizer.zero_grad(): gradients accumulate over the epoch",
            "def train_one_epoch(model, loader, loss_fn, optimizer, device):\n"
            "    model.train()\n"
            "    total, count = 0.0, 0\n"
            "    for x, y in loader:\n"
            "        x, y = x.to(device), y.to(device)\n"
            "        loss = loss_fn(model(x), y)\n"
            "        loss.backward()\n"
            "        optimizer.step()\n"
            "        total += loss.item() * len(x)\n"
            "        count += len(x)\n"
            "    return total / count\n"),
    Mistake("train_one_epoch", ("test_train_one_epoch",),
            "accumulates the loss tensor: returns a tensor with grad_fn, not a float",
            "def train_one_epoch(model, loader, loss_fn, optimizer, device):\n"
            "    model.train()\n"
            "    total, count = 0.0, 0\n"
            "    for x, y in loader:\n"
            "        x, y = x.to(device), y.to(device)\n"
            "        optimizer.zero_grad()\n"
            "        loss = loss_fn(model(x), y)\n"
            "        loss.backward()\n"
            "        optimizer.step()\n"
            "        total = total + loss * len(x)\n"
            "        count += len(x)\n"
            "    return total / count\n"),
    Mistake("train_one_epoch", ("test_train_one_epoch",),
            "never calls model.train(): a model coming back from evaluation trains with "
            "dropout switched off; only the hidden test hands over a model in eval mode",
            "def train_one_epoch(model, loader, loss_fn, optimizer, device):\n"
            "    total, count = 0.0, 0\n"
            "    for x, y in loader:\n"
            "        x, y = x.to(device), y.to(device)\n"
            "        optimizer.zero_grad()\n"
            "        loss = loss_fn(model(x), y)\n"
            "        loss.backward()\n"
            "        optimizer.step()\n"
            "        total += loss.item() * len(x)\n"
            "        count += len(x)\n"
            "    return total / count\n"),
    Mistake("fit_dmt", ("test_fit_dmt",),
            "compares the (B, 1) output with (B,) targets: MSELoss broadcasts to (B, B) and "
            "the model learns the mean",
            "def fit_dmt(X_train, y_train, X_val, y_val, *, epochs, batch_size=64, lr=0.01,\n"
            "            device=\"cpu\"):\n"
            "    train_loader = DataLoader(TensorDataset(X_train, y_train),\n"
            "                              batch_size=batch_size, shuffle=True)\n"
            "    val_loader = DataLoader(TensorDataset(X_val, y_val), batch_size=batch_size)\n"
            "    model = nn.Sequential(nn.Linear(X_train.shape[1], 32), nn.ReLU(),\n"
            "                          nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 1)).to(device)\n"
            "    optimizer = torch.optim.Adam(model.parameters(), lr=lr)\n"
            "    loss_fn = nn.MSELoss()\n"
            "    history = {\"loss\": [], \"val_loss\": []}\n"
            "    for epoch in range(epochs):\n"
            "        model.train()\n"
            "        total, count = 0.0, 0\n"
            "        for x, y in train_loader:\n"
            "            x, y = x.to(device), y.to(device)\n"
            "            optimizer.zero_grad()\n"
            "            loss = loss_fn(model(x), y)\n"
            "            loss.backward()\n"
            "            optimizer.step()\n"
            "            total, count = total + loss.item() * len(x), count + len(x)\n"
            "        history[\"loss\"].append(total / count)\n"
            "        model.eval()\n"
            "        total, count = 0.0, 0\n"
            "        with torch.no_grad():\n"
            "            for x, y in val_loader:\n"
            "                x, y = x.to(device), y.to(device)\n"
            "                total += loss_fn(model(x), y).item() * len(x)\n"
            "                count += len(x)\n"
            "        history[\"val_loss\"].append(total / count)\n"
            "    return model, history\n"),
    Mistake("fit_dmt", ("test_fit_dmt",),
            "forgets optimizer.zero_grad() in the script: training does not converge",
            "def fit_dmt(X_train, y_train, X_val, y_val, *, epochs, batch_size=64, lr=0.01,\n"
            "            device=\"cpu\"):\n"
            "    train_loader = DataLoader(TensorDataset(X_train, y_train),\n"
            "                              batch_size=batch_size, shuffle=True)\n"
            "    val_loader = DataLoader(TensorDataset(X_val, y_val), batch_size=batch_size)\n"
            "    model = nn.Sequential(nn.Linear(X_train.shape[1], 32), nn.ReLU(),\n"
            "                          nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 1)).to(device)\n"
            "    optimizer = torch.optim.Adam(model.parameters(), lr=lr)\n"
            "    loss_fn = nn.MSELoss()\n"
            "    history = {\"loss\": [], \"val_loss\": []}\n"
            "    for epoch in range(epochs):\n"
            "        model.train()\n"
            "        total, count = 0.0, 0\n"
            "        for x, y in train_loader:\n"
            "            x, y = x.to(device), y.to(device)\n"
            "            loss = loss_fn(model(x).squeeze(-1), y)\n"
            "            loss.backward()\n"
            "            optimizer.step()\n"
            "            total, count = total + loss.item() * len(x), count + len(x)\n"
            "        history[\"loss\"].append(total / count)\n"
            "        model.eval()\n"
            "        total, count = 0.0, 0\n"
            "        with torch.no_grad():\n"
            "            for x, y in val_loader:\n"
            "                x, y = x.to(device), y.to(device)\n"
            "                total += loss_fn(model(x).squeeze(-1), y).item() * len(x)\n"
            "                count += len(x)\n"
            "        history[\"val_loss\"].append(total / count)\n"
            "    return model, history\n"),
    Mistake("ImageDataset", ("test_ImageDataset",),
            "transforms every image once in __init__: a random augmentation would be the "
            "same in every epoch",
            "class ImageDataset(Dataset):\n"
            "    def __init__(self, images, labels, transform=None):\n"
            "        self.transform = transform\n"
            "        self.images = [transform(im) for im in images] if transform else images\n"
            "        self.labels = labels\n"
            "\n"
            "    def __len__(self):\n"
            "        return len(self.images)\n"
            "\n"
            "    def __getitem__(self, i):\n"
            "        return self.images[i], int(self.labels[i])\n"),
    Mistake("ImageDataset", ("test_ImageDataset",),
            "converts the image itself and never calls the transform: ToTensor's values, but "
            "Normalize or an augmentation is ignored",
            "class ImageDataset(Dataset):\n"
            "    def __init__(self, images, labels, transform=None):\n"
            "        self.images, self.labels, self.transform = images, labels, transform\n"
            "\n"
            "    def __len__(self):\n"
            "        return len(self.images)\n"
            "\n"
            "    def __getitem__(self, i):\n"
            "        image = torch.as_tensor(self.images[i], dtype=torch.float32) / 255\n"
            "        return image.unsqueeze(0), int(self.labels[i])\n"),
    Mistake("ImageDataset", ("test_ImageDataset",),
            "falls back to ToTensor when no transform is given, instead of returning the raw "
            "image",
            "from torchvision import transforms\n"
            "class ImageDataset(Dataset):\n"
            "    def __init__(self, images, labels, transform=None):\n"
            "        self.images, self.labels = images, labels\n"
            "        self.transform = transform or transforms.ToTensor()\n"
            "\n"
            "    def __len__(self):\n"
            "        return len(self.images)\n"
            "\n"
            "    def __getitem__(self, i):\n"
            "        return self.transform(self.images[i]), int(self.labels[i])\n"),
    # Answers built from what the exercise forbids: the source check costs the points.
    Mistake("num_batches", ("test_num_batches",),
            "asks a DataLoader how many batches it makes, which the exercise forbids "
            "(right values)",
            "def num_batches(n, batch_size, drop_last=False):\n"
            "    return len(torch.utils.data.DataLoader(range(n), batch_size=batch_size,\n"
            "                                           drop_last=drop_last))\n",
            forbidden="torch.utils.data.DataLoader"),
    Mistake("train_one_epoch", ("test_train_one_epoch",),
            "hands the epoch to course.train.fit",
            "from course.train import fit\n"
            "def train_one_epoch(model, loader, loss_fn, optimizer, device):\n"
            "    return fit(model, loss_fn, optimizer, loader, 1, device=device,\n"
            "               progress=False)[\"loss\"][0]\n",
            forbidden="course.train"),
    Mistake("fit_dmt", ("test_fit_dmt",), "hands the training iteration to course.train.fit",
            "import course.train\n"
            "def fit_dmt(X_train, y_train, X_val, y_val, *, epochs, batch_size=64, lr=0.01,\n"
            "            device=\"cpu\"):\n"
            "    train_loader = DataLoader(TensorDataset(X_train, y_train), batch_size=batch_size,\n"
            "                              shuffle=True)\n"
            "    val_loader = DataLoader(TensorDataset(X_val, y_val), batch_size=batch_size)\n"
            "    model = nn.Sequential(nn.Linear(X_train.shape[1], 32), nn.ReLU(),\n"
            "                          nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 1)).to(device)\n"
            "    history = course.train.fit(model, nn.MSELoss(),\n"
            "                               torch.optim.Adam(model.parameters(), lr=lr),\n"
            "                               train_loader, epochs, val_data=val_loader,\n"
            "                               device=device, progress=False)\n"
            "    return model, {\"train_loss\": history[\"loss\"],\n"
            "                   \"val_loss\": history[\"val_loss\"]}\n",
            forbidden="course.train"),
]
