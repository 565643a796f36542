"""Typical wrong answers to notebook 09 (MNIST); each loses exactly its exercise's points.

Several mistakes per solution cell. Those marked "hidden only" pass the visible
check and are caught by the hidden tests alone.
"""

from tests.notebooks.harness import Mistake

_LOGISTIC = '''class LinearDigits(nn.Module):
    def __init__(self, n_in=784, n_classes=10):
        super().__init__()
        self.linear = nn.Linear(n_in, n_classes)

    def forward(self, x):
        return {body}
'''

_EVALUATE = '''def evaluate(model, X, y, batch_size=1000):
    device = next(model.parameters()).device
    was_training = model.training
    {eval}
    loss_sum, wrong = 0.0, 0
    {no_grad}
        for start in range(0, len(X), batch_size):
            xb = X[start:start + batch_size].to(device)
            yb = y[start:start + batch_size].to(device)
            logits = model(xb)
            loss_sum += F.cross_entropy(logits, yb, reduction="sum").item()
            wrong += (logits.argmax(dim=1) != yb).sum().item()
    model.train(was_training)
    return {result}
'''


def _evaluate(eval="model.eval()", no_grad="with torch.no_grad():",
              result="loss_sum / len(X), wrong / len(X)"):
    return _EVALUATE.format(eval=eval, no_grad=no_grad, result=result)


_TRAIN = '''def train(model, data, optimizer, epochs, log_every, verbose=True):
    history = {{"step": [], "loss": [], "error": []}}
    device = next(model.parameters()).device
    {train_mode}
    step = 0
    loss_sum, wrong, seen = 0.0, 0, 0
    for epoch in range(1, epochs + 1):
        {epoch_reset}
        for batch, (xb, yb) in enumerate(data, start=1):
            xb, yb = xb.to(device), yb.to(device)
            {zero_grad}
            logits = model(xb)
            loss = F.cross_entropy(logits, yb)
            loss.backward()
            optimizer.step()
            step += 1
            {accumulate}
            if {when} % log_every == 0:
                history["step"].append(step)
                history["loss"].append({mean_loss})
                history["error"].append({error})
                {record_reset}
    return history
'''


def _train(train_mode="model.train()", epoch_reset="loss_sum, wrong, seen = 0.0, 0, 0",
           zero_grad="optimizer.zero_grad()",
           accumulate="loss_sum += loss.item() * len(yb)\n"
                      "            wrong += (logits.argmax(dim=1) != yb).sum().item()\n"
                      "            seen += len(yb)",
           when="batch", mean_loss="loss_sum / seen", error="wrong / seen",
           record_reset="loss_sum, wrong, seen = 0.0, 0, 0"):
    return _TRAIN.format(train_mode=train_mode, epoch_reset=epoch_reset, zero_grad=zero_grad,
                         accumulate=accumulate, when=when, mean_loss=mean_loss, error=error,
                         record_reset=record_reset)


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


_EARLY = '''def train_with_early_stopping(model, train_one_epoch, validation_loss, max_epochs, patience):
    best_loss, best_epoch, best_state = float("inf"), 0, None
    val_losses, without_improvement = [], 0
    for epoch in range(1, max_epochs + 1):
        train_one_epoch()
        loss = float(validation_loss())
        val_losses.append(loss)
        if loss {better} best_loss:
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


def _early(better="<", reset="without_improvement = 0",
           save="copy.deepcopy(model.state_dict())", stop=">=",
           restore="model.load_state_dict(best_state)"):
    return _EARLY.format(better=better, reset=reset, save=save, stop=stop, restore=restore)


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
            "hidden only: the lecture's x.view(-1, 28*28) hard-codes the image size",
            _LOGISTIC.format(body="self.linear(x.view(-1, 28 * 28))")),
    Mistake("logistic", ("test_logistic",),
            "x.flatten() also flattens the batch dimension",
            _LOGISTIC.format(body="self.linear(x.flatten())")),
    # --- 09.evaluate
    Mistake("evaluate", ("test_evaluate",),
            "hidden only: no model.eval(), so dropout stays active during evaluation",
            _evaluate(eval="pass")),
    Mistake("evaluate", ("test_evaluate",),
            "hidden only: no torch.no_grad(), autograd records a graph for every batch",
            "def evaluate(model, X, y, batch_size=1000):\n"
            "    device = next(model.parameters()).device\n"
            "    was_training = model.training\n"
            "    model.eval()\n"
            "    loss_sum, wrong = 0.0, 0\n"
            "    for start in range(0, len(X), batch_size):\n"
            "        xb = X[start:start + batch_size].to(device)\n"
            "        yb = y[start:start + batch_size].to(device)\n"
            "        logits = model(xb)\n"
            "        loss_sum += F.cross_entropy(logits, yb, reduction='sum').item()\n"
            "        wrong += (logits.argmax(dim=1) != yb).sum().item()\n"
            "    model.train(was_training)\n"
            "    return loss_sum / len(X), wrong / len(X)\n"),
    Mistake("evaluate", ("test_evaluate",),
            "hidden only: mean of the per-batch mean losses, wrong for a smaller last batch",
            _evaluate().replace('loss_sum += F.cross_entropy(logits, yb, reduction="sum").item()',
                                "loss_sum += F.cross_entropy(logits, yb).item()")
                       .replace("return loss_sum / len(X), wrong / len(X)",
                                "return loss_sum / math.ceil(len(X) / batch_size), wrong / len(X)")
                       .replace("def evaluate", "import math\n\n\ndef evaluate")),
    Mistake("evaluate", ("test_evaluate",),
            "error rate in percent instead of a fraction",
            _evaluate(result="loss_sum / len(X), 100 * wrong / len(X)")),
    Mistake("evaluate", ("test_evaluate",),
            "integer division for the error rate",
            _evaluate(result="loss_sum / len(X), float(wrong // len(X))")),
    Mistake("evaluate", ("test_evaluate",),
            "forbidden only: counts the errors with course.train.accuracy_from_logits",
            _evaluate().replace("wrong += (logits.argmax(dim=1) != yb).sum().item()",
                                "wrong += (1 - accuracy_from_logits(logits, yb)) * len(yb)")
                       .replace("def evaluate", "from course.train import accuracy_from_logits"
                                                "\n\n\ndef evaluate"),
            forbidden='course.train'),
    # --- 09.train
    Mistake("train", ("test_train",),
            "forgets optimizer.zero_grad(): gradients accumulate over steps",
            _train(zero_grad="pass")),
    Mistake("train", ("test_train",),
            "never resets the running sums after a record (cumulative averages)",
            _train(record_reset="pass")),
    Mistake("train", ("test_train",),
            "training error of the current batch only, not of the batches since the record",
            _train(error="(logits.argmax(dim=1) != yb).float().mean().item()")),
    Mistake("train", ("test_train",),
            "hidden only: unweighted mean of batch losses, wrong for a smaller last batch",
            "def train(model, data, optimizer, epochs, log_every, verbose=True):\n"
            "    history = {'step': [], 'loss': [], 'error': []}\n"
            "    device = next(model.parameters()).device\n"
            "    model.train()\n"
            "    step = 0\n"
            "    for epoch in range(1, epochs + 1):\n"
            "        losses, wrong, seen = [], 0, 0\n"
            "        for batch, (xb, yb) in enumerate(data, start=1):\n"
            "            xb, yb = xb.to(device), yb.to(device)\n"
            "            optimizer.zero_grad()\n"
            "            logits = model(xb)\n"
            "            loss = F.cross_entropy(logits, yb)\n"
            "            loss.backward()\n"
            "            optimizer.step()\n"
            "            step += 1\n"
            "            losses.append(loss.item())\n"
            "            wrong += (logits.argmax(dim=1) != yb).sum().item()\n"
            "            seen += len(yb)\n"
            "            if batch % log_every == 0:\n"
            "                history['step'].append(step)\n"
            "                history['loss'].append(sum(losses) / len(losses))\n"
            "                history['error'].append(wrong / seen)\n"
            "                losses, wrong, seen = [], 0, 0\n"
            "    return history\n"),
    Mistake("train", ("test_train",),
            "hidden only: global step counter for the records, sums not reset per epoch",
            _train(epoch_reset="pass", when="step")),
    Mistake("train", ("test_train",),
            "hidden only: no model.train(), a model left in eval mode trains without dropout",
            _train(train_mode="pass")),
    # --- 09.mlp
    Mistake("mlp", ("test_mlp",),
            "ReLU after the output layer",
            _mlp(tail="layers.append(nn.ReLU())")),
    Mistake("mlp", ("test_mlp",),
            "softmax at the end of the network, before CrossEntropyLoss",
            _mlp(tail="layers.append(nn.Softmax(dim=1))")),
    Mistake("mlp", ("test_mlp",),
            "hidden only: input and output sizes hard-coded to 784 and 10",
            _mlp(n_in="784", n_classes="10")),
    Mistake("mlp", ("test_mlp",),
            "hidden only (result check): all weights initialised to zero, the hidden units "
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
            "hidden only: the patience counter is not reset at an improvement",
            _early(reset="pass")),
    Mistake("early_stopping", ("test_early_stopping",),
            "hidden only: a tie counts as an improvement",
            _early(better="<=")),
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
            "hidden only: bincount without minlength, too short when the last classes never occur",
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
            "hidden only: overwrites the caller's matrix (fill_diagonal_ without a copy)",
            _most(copy="off = cm")),
    Mistake("most_confused", ("test_most_confused",),
            "row and column of the flat index swapped",
            _most(unravel="flat % k, flat // k")),
    Mistake("evaluate", ("test_evaluate",),
            "imports course.train's old evaluation helper, which no longer exists",
            "from course.train import _evaluate\n"
            "def evaluate(model, X, y, batch_size=1000):\n"
            "    return _evaluate(model, torch.nn.CrossEntropyLoss(), [(X, y)], None, None)\n",
            forbidden='course.train'),
    Mistake("train", ("test_train",), "hands the loop to course.train.fit",
            "from course.train import fit\n"
            "def train(model, data, optimizer, epochs, log_every, verbose=True):\n"
            "    history = fit(model, nn.CrossEntropyLoss(), optimizer, data, epochs,\n"
            "                  log_every=log_every, progress=verbose)\n"
            "    return {\"step\": history[\"batch_step\"], \"loss\": history[\"batch_loss\"],\n"
            "            \"error\": []}\n",
            forbidden="course.train"),
    Mistake("early_stopping", ("test_early_stopping",),
            "records the validation losses in course.train's History (right values)",
            "from course.train import History\n"
            "def train_with_early_stopping(model, train_one_epoch, validation_loss, max_epochs,\n"
            "                              patience):\n"
            "    history, best, best_epoch, best_state = History(), float(\"inf\"), 0, None\n"
            "    for epoch in range(1, max_epochs + 1):\n"
            "        train_one_epoch()\n"
            "        history.append(\"val_loss\", float(validation_loss()))\n"
            "        if history[\"val_loss\"][-1] < best:\n"
            "            best, best_epoch = history[\"val_loss\"][-1], epoch\n"
            "            best_state = copy.deepcopy(model.state_dict())\n"
            "        elif epoch - best_epoch >= patience:\n"
            "            break\n"
            "    model.load_state_dict(best_state)\n"
            "    return best_epoch, history[\"val_loss\"]\n",
            forbidden="course.train"),
]
