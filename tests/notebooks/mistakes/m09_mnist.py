"""Typical wrong answers to notebook 09 (MNIST); each loses exactly its exercise's points.

Several mistakes per solution cell. The visible checks catch every pitfall the notebook
warns about (tests/unit/test_visible_checks_09.py); those marked "forbidden only" give
the right values and lose their points because the grader reads the code.
"""

from tests.notebooks.harness import Mistake

_LOGISTIC = '''class LinearDigits(nn.Module):
    def __init__(self, n_in=784, n_classes=10):
        super().__init__()
        self.linear = nn.Linear(n_in, n_classes)

    def forward(self, x):
        return {body}
'''

_MEASURE = '''def evaluate(model, loader, loss_fn, device):
    was_training = model.training
    {eval}
    loss_sum, count = 0.0, 0
    {no_grad}
        for x, y in loader:
            x, y = x.to(device), y.to(device)
            loss_sum += {add_loss}
            count += {count}
    {restore}
    return loss_sum / count


def accuracy(model, loader, device):
    was_training = model.training
    {eval}
    right, count = 0, 0
    {no_grad}
        for x, y in loader:
            x, y = x.to(device), y.to(device)
            right += {add_right}
            count += {count}
    {restore}
    return {result}
'''


def _measure(eval="model.eval()", no_grad="with torch.no_grad():",
             add_loss="loss_fn(model(x), y).item() * len(y)",
             add_right="(model(x).argmax(dim=1) == y).sum().item()", count="len(y)",
             restore="model.train(was_training)", result="right / count"):
    return _MEASURE.format(eval=eval, no_grad=no_grad, add_loss=add_loss, add_right=add_right,
                           count=count, restore=restore, result=result)


_EPOCH = '''def train_one_epoch(model, loader, loss_fn, optimizer, device):
    {train_mode}
    loss_sum, count = 0.0, 0
    for x, y in loader:
        x, y = x.to(device), y.to(device)
        {zero_grad}
        loss = {loss}
        loss.backward()
        optimizer.step()
        loss_sum += {add}
        count += {count}
    return {result}
'''


def _epoch(train_mode="model.train()", zero_grad="optimizer.zero_grad()",
           loss="loss_fn(model(x), y)", add="loss.item() * len(y)", count="len(y)",
           result="loss_sum / count"):
    return _EPOCH.format(train_mode=train_mode, zero_grad=zero_grad, loss=loss, add=add,
                         count=count, result=result)


_MLP = '''def make_mlp(hidden=(300, 100), n_in=784, n_classes=10):
    layers = [nn.Flatten()]
    width = {n_in}
    for h in hidden:
        layers += [nn.Linear(width, h), nn.ReLU()]
        width = h
    layers.append(nn.Linear(width, {n_classes}))
    {tail}
    model = nn.Sequential(*layers)
    {init}
    return model
'''


def _mlp(n_in="n_in", n_classes="n_classes", tail="", init=""):
    return _MLP.format(n_in=n_in, n_classes=n_classes, tail=tail, init=init)


_EARLY = '''def train_with_early_stopping(model, one_epoch, validation_loss, max_epochs, patience,
                              min_delta=0.0):
    best_loss, best_epoch, best_state = float("inf"), 0, None
    val_losses, without_improvement = [], 0
    for epoch in range(1, max_epochs + 1):
        one_epoch()
        loss = float(validation_loss())
        val_losses.append(loss)
        if {improves}:
            best_loss, best_epoch = loss, epoch
            {reset}
            best_state = {save}
        else:
            without_improvement += 1
            if without_improvement {stop} patience:
                break
    {restore}
    return best_epoch, val_losses
'''


def _early(improves="loss < best_loss - min_delta", reset="without_improvement = 0",
           save="copy.deepcopy(model.state_dict())", stop=">=",
           restore="model.load_state_dict(best_state)"):
    return _EARLY.format(improves=improves, reset=reset, save=save, stop=stop, restore=restore)


_MOST = '''def most_confused(cm):
    {copy}
    off.fill_diagonal_({fill})
    flat = int(off.argmax())
    k = cm.shape[1]
    true, pred = {unravel}
    return true, pred, int(cm[true, pred])
'''


def _most(copy="off = cm.clone()", fill="-1", unravel="flat // k, flat % k"):
    return _MOST.format(copy=copy, fill=fill, unravel=unravel)


MISTAKES = [
    # --- 09.logistic
    Mistake("logistic", ("test_logistic",),
            "forgets to flatten: Linear(784, 10) gets (N, 1, 28, 28) and fails",
            _LOGISTIC.format(body="self.linear(x)")),
    Mistake("logistic", ("test_logistic",),
            "softmax in the model: returns probabilities instead of logits",
            _LOGISTIC.format(body="torch.softmax(self.linear(x.flatten(1)), dim=1)")),
    Mistake("logistic", ("test_logistic",),
            "the lecture's x.view(-1, 28*28): hard-codes the image size and turns a batch "
            "of images of the wrong size into more samples",
            _LOGISTIC.format(body="self.linear(x.view(-1, 28 * 28))")),
    Mistake("logistic", ("test_logistic",),
            "x.view(-1, n_in) with the layer's size: a batch of 56x28 images silently "
            "becomes twice as many samples",
            _LOGISTIC.format(body="self.linear(x.view(-1, self.linear.in_features))")),
    Mistake("logistic", ("test_logistic",),
            "x.view(len(x), -1) fails on a non-contiguous batch",
            _LOGISTIC.format(body="self.linear(x.view(len(x), -1))")),
    Mistake("logistic", ("test_logistic",),
            "x.flatten() also flattens the batch dimension",
            _LOGISTIC.format(body="self.linear(x.flatten())")),
    # --- 09.evaluate
    Mistake("evaluate", ("test_evaluate",),
            "no model.eval(), so dropout stays active during evaluation",
            _measure(eval="pass")),
    Mistake("evaluate", ("test_evaluate",),
            "no torch.no_grad(), autograd records a graph for every batch",
            _measure(no_grad="if True:")),
    Mistake("evaluate", ("test_evaluate",),
            "model.train() at the end: a model handed over in eval mode comes back training",
            _measure(restore="model.train()")),
    Mistake("evaluate", ("test_evaluate",),
            "mean of the per-batch mean losses, wrong for a smaller last batch",
            _measure().replace("loss_sum += loss_fn(model(x), y).item() * len(y)\n"
                               "            count += len(y)",
                               "loss_sum += loss_fn(model(x), y).item()\n"
                               "            count += 1")),
    Mistake("evaluate", ("test_evaluate",),
            "mean of the per-batch accuracies, wrong for a smaller last batch",
            _measure().replace("right += (model(x).argmax(dim=1) == y).sum().item()\n"
                               "            count += len(y)",
                               "right += (model(x).argmax(dim=1) == y).float().mean().item()\n"
                               "            count += 1")),
    Mistake("evaluate", ("test_evaluate",),
            "accuracy in percent instead of a fraction",
            _measure(result="100 * right / count")),
    Mistake("evaluate", ("test_evaluate",),
            "forbidden only: counts the right predictions with course.train.accuracy_from_logits",
            "from course.train import accuracy_from_logits\n\n\n"
            + _measure(add_right="accuracy_from_logits(model(x), y) * len(y)"),
            forbidden='course.train'),
    # --- 09.train_one_epoch
    Mistake("train", ("test_train",),
            "forgets optimizer.zero_grad(): gradients accumulate over steps",
            _epoch(zero_grad="pass")),
    Mistake("train", ("test_train",),
            "unweighted mean of the batch losses, wrong for a smaller last batch",
            _epoch(add="loss.item()", count="1")),
    Mistake("train", ("test_train",),
            "no model.train(): a model left in eval mode trains without dropout",
            _epoch(train_mode="pass")),
    Mistake("train", ("test_train",),
            "returns the mean loss as a 0-d tensor",
            _epoch(add="loss.detach() * len(y)")),
    Mistake("train", ("test_train",),
            "softmax before the cross-entropy (which applies log-softmax itself)",
            _epoch(loss="loss_fn(torch.softmax(model(x), dim=1), y)")),
    # --- 09.mlp
    Mistake("mlp", ("test_mlp",),
            "ReLU after the output layer",
            _mlp(tail="layers.append(nn.ReLU())")),
    Mistake("mlp", ("test_mlp",),
            "softmax at the end of the network, before CrossEntropyLoss",
            _mlp(tail="layers.append(nn.Softmax(dim=1))")),
    Mistake("mlp", ("test_mlp",),
            "input and output sizes hard-coded to 784 and 10",
            _mlp(n_in="784", n_classes="10")),
    Mistake("mlp", ("test_mlp",),
            "all weights initialised to zero, the hidden units "
            "stay identical and the network cannot learn",
            _mlp(init="for p in model.parameters():\n        nn.init.zeros_(p)")),
    # --- 09.early_stopping
    Mistake("early_stopping", ("test_early_stopping",),
            "saves model.state_dict() without copying: the 'best' weights follow the training",
            _early(save="model.state_dict()")),
    Mistake("early_stopping", ("test_early_stopping",),
            "dict.copy() of the state_dict is shallow: same tensors",
            _early(save="model.state_dict().copy()")),
    Mistake("early_stopping", ("test_early_stopping",),
            "the patience counter is not reset at an improvement",
            _early(reset="pass")),
    Mistake("early_stopping", ("test_early_stopping",),
            "a tie counts as an improvement",
            _early(improves="loss <= best_loss - min_delta")),
    Mistake("early_stopping", ("test_early_stopping",),
            "ignores min_delta: any lower loss counts as an improvement",
            _early(improves="loss < best_loss")),
    Mistake("early_stopping", ("test_early_stopping",),
            "off by one: waits patience + 1 epochs",
            _early(stop=">")),
    Mistake("early_stopping", ("test_early_stopping",),
            "forgets to load the best weights back",
            _early(restore="pass")),
    # --- 09.confusion
    Mistake("confusion", ("test_confusion",),
            "transposed: rows are the predicted classes",
            "def confusion_matrix(y_true, y_pred, num_classes):\n"
            "    counts = torch.bincount(y_pred * num_classes + y_true, minlength=num_classes ** 2)\n"
            "    return counts.reshape(num_classes, num_classes)\n"),
    Mistake("confusion", ("test_confusion",),
            "bincount without minlength, too short when the last classes never occur",
            "def confusion_matrix(y_true, y_pred, num_classes):\n"
            "    counts = torch.bincount(y_true * num_classes + y_pred)\n"
            "    return counts.reshape(-1, num_classes)\n"),
    Mistake("confusion", ("test_confusion",),
            "cm[y_true, y_pred] += 1 counts a repeated pair only once",
            "def confusion_matrix(y_true, y_pred, num_classes):\n"
            "    cm = torch.zeros(num_classes, num_classes, dtype=torch.long, device=y_true.device)\n"
            "    cm[y_true, y_pred] += 1\n"
            "    return cm\n"),
    Mistake("confusion", ("test_confusion",),
            "forbidden only: the course's numpy counts, course.plot.confusion_counts",
            "def confusion_matrix(y_true, y_pred, num_classes):\n"
            "    counts = plot.confusion_counts(y_true.cpu().numpy(), y_pred.cpu().numpy(), "
            "num_classes)\n"
            "    return torch.from_numpy(counts).to(y_true.device)\n",
            forbidden='confusion_counts'),
    # --- 09.most_confused
    Mistake("most_confused", ("test_most_confused",),
            "includes the diagonal: returns the best-recognised class",
            "def most_confused(cm):\n"
            "    flat = int(cm.argmax())\n"
            "    k = cm.shape[1]\n"
            "    return flat // k, flat % k, int(cm.flatten()[flat])\n"),
    Mistake("most_confused", ("test_most_confused",),
            "overwrites the caller's matrix (fill_diagonal_ without a copy)",
            _most(copy="off = cm")),
    Mistake("most_confused", ("test_most_confused",),
            "row and column of the flat index swapped",
            _most(unravel="flat % k, flat // k")),
    Mistake("evaluate", ("test_evaluate",),
            "imports course.train's old evaluation helper, which no longer exists",
            "from course.train import _evaluate\n"
            "def evaluate(model, loader, loss_fn, device):\n"
            "    return _evaluate(model, loss_fn, loader, None, None)\n\n\n"
            "def accuracy(model, loader, device):\n"
            "    return 0.0\n",
            forbidden='course.train'),
    Mistake("train", ("test_train",), "hands the loop to course.train.fit",
            "from course.train import fit\n"
            "def train_one_epoch(model, loader, loss_fn, optimizer, device):\n"
            "    history = fit(model, loss_fn, optimizer, loader, 1, device=device,\n"
            "                  progress=False)\n"
            "    return history['loss'][0]\n",
            forbidden="course.train"),
    Mistake("early_stopping", ("test_early_stopping",),
            "records the validation losses in course.train's History (right values)",
            "from course.train import History\n"
            "def train_with_early_stopping(model, one_epoch, validation_loss, max_epochs,\n"
            "                              patience, min_delta=0.0):\n"
            "    history, best, best_epoch, best_state = History(), float(\"inf\"), 0, None\n"
            "    for epoch in range(1, max_epochs + 1):\n"
            "        one_epoch()\n"
            "        history.append(\"val_loss\", float(validation_loss()))\n"
            "        if history[\"val_loss\"][-1] < best - min_delta:\n"
            "            best, best_epoch = history[\"val_loss\"][-1], epoch\n"
            "            best_state = copy.deepcopy(model.state_dict())\n"
            "        elif epoch - best_epoch >= patience:\n"
            "            break\n"
            "    model.load_state_dict(best_state)\n"
            "    return best_epoch, history[\"val_loss\"]\n",
            forbidden="course.train"),
]
