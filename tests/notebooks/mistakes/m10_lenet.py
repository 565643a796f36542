"""Typical mistakes in notebook 10 (convolutions and LeNet); each loses exactly its points."""

from tests.notebooks.harness import Mistake

_EPOCH = '''def train_one_epoch(model, loader, loss_fn, optimizer, device):
    {train_mode}
    total, count = 0.0, 0
    for x, y in loader:
        x, y = x.to(device), y.to(device)
        {zero_grad}
        loss = {loss}
        loss.backward()
        optimizer.step()
        {add}
        {count}
    return total / count
'''


def _epoch(train_mode="model.train()", zero_grad="optimizer.zero_grad()",
           loss="loss_fn(model(x), y)", add="total += loss.item() * len(y)",
           count="count += len(y)"):
    return _EPOCH.format(train_mode=train_mode, zero_grad=zero_grad, loss=loss, add=add,
                         count=count)


MISTAKES = [
    # --- conv_output_size --------------------------------------------------------------
    Mistake("conv_output_size", ("test_conv_output_size",),
            "rounds up (ceil) instead of down: a last, incomplete stride step is counted",
            "import math\n\n"
            "def conv_output_size(n, kernel_size, padding=0, stride=1, dilation=1):\n"
            "    room = n + 2 * padding - dilation * (kernel_size - 1) - 1\n"
            "    if room < 0:\n"
            "        raise ValueError('kernel larger than the padded input')\n"
            "    return math.ceil(room / stride) + 1\n"),
    Mistake("conv_output_size", ("test_conv_output_size",),
            "pads only one side (n + padding instead of n + 2 * padding)",
            "def conv_output_size(n, kernel_size, padding=0, stride=1, dilation=1):\n"
            "    room = n + padding - dilation * (kernel_size - 1) - 1\n"
            "    if room < 0:\n"
            "        raise ValueError('kernel larger than the padded input')\n"
            "    return room // stride + 1\n"),
    # --- conv2d_unfold -----------------------------------------------------------------
    Mistake("conv2d_unfold", ("test_conv2d_unfold",),
            "computes a true convolution (flips the kernel), not the cross-correlation "
            "nn.Conv2d computes",
            "def conv2d_unfold(x, weight, bias=None, stride=1, padding=0):\n"
            "    n, _, h, w = x.shape\n"
            "    c_out, _, kh, kw = weight.shape\n"
            "    h_out = (h + 2 * padding - kh) // stride + 1\n"
            "    w_out = (w + 2 * padding - kw) // stride + 1\n"
            "    cols = F.unfold(x, (kh, kw), padding=padding, stride=stride)\n"
            "    out = weight.flip(-1, -2).reshape(c_out, -1) @ cols\n"
            "    if bias is not None:\n"
            "        out = out + bias.view(1, -1, 1)\n"
            "    return out.view(n, c_out, h_out, w_out)\n"),
    Mistake("conv2d_unfold", ("test_conv2d_unfold",),
            "leaves the stride out of the output size",
            "def conv2d_unfold(x, weight, bias=None, stride=1, padding=0):\n"
            "    n, _, h, w = x.shape\n"
            "    c_out, _, kh, kw = weight.shape\n"
            "    h_out = h + 2 * padding - kh + 1\n"
            "    w_out = w + 2 * padding - kw + 1\n"
            "    cols = F.unfold(x, (kh, kw), padding=padding, stride=stride)\n"
            "    out = weight.reshape(c_out, -1) @ cols\n"
            "    if bias is not None:\n"
            "        out = out + bias.view(1, -1, 1)\n"
            "    return out.reshape(n, c_out, h_out, w_out)\n"),
    Mistake("conv2d_unfold", ("test_conv2d_unfold",),
            "calls F.conv2d instead of writing the convolution (the hidden tests switch it off)",
            "def conv2d_unfold(x, weight, bias=None, stride=1, padding=0):\n"
            "    return F.conv2d(x, weight, bias, stride=stride, padding=padding)\n"),
    Mistake("conv2d_unfold", ("test_conv2d_unfold",),
            "calls torch.convolution, a convolution built-in the tests do not switch off "
            "(only the grader's reading of the code catches it)",
            "def conv2d_unfold(x, weight, bias=None, stride=1, padding=0):\n"
            "    return torch.convolution(x, weight, bias, (stride, stride), (padding, padding),\n"
            "                             (1, 1), False, (0, 0), 1)\n",
            forbidden='torch.convolution'),
    # --- LeNet -------------------------------------------------------------------------
    Mistake("LeNet", ("test_LeNet",),
            "flattens 50 * 5 * 5 features (LeNet-5's 32x32 inputs) instead of 50 * 4 * 4",
            "class LeNet(nn.Module):\n"
            "    def __init__(self):\n"
            "        super().__init__()\n"
            "        self.conv1 = nn.Conv2d(1, 20, 5)\n"
            "        self.conv2 = nn.Conv2d(20, 50, 5)\n"
            "        self.fc1 = nn.Linear(50 * 5 * 5, 500)\n"
            "        self.fc2 = nn.Linear(500, 10)\n\n"
            "    def forward(self, x):\n"
            "        x = F.max_pool2d(F.relu(self.conv1(x)), 2)\n"
            "        x = F.max_pool2d(F.relu(self.conv2(x)), 2)\n"
            "        x = x.view(x.shape[0], -1)\n"
            "        return self.fc2(F.relu(self.fc1(x)))\n"),
    Mistake("LeNet", ("test_LeNet",),
            "forgets the ReLU after fc1 (same shapes and parameter counts: only the hidden "
            "tests, with the reference's weights copied in, see it)",
            "class LeNet(nn.Module):\n"
            "    def __init__(self):\n"
            "        super().__init__()\n"
            "        self.conv1 = nn.Conv2d(1, 20, 5)\n"
            "        self.conv2 = nn.Conv2d(20, 50, 5)\n"
            "        self.fc1 = nn.Linear(800, 500)\n"
            "        self.fc2 = nn.Linear(500, 10)\n\n"
            "    def forward(self, x):\n"
            "        x = F.max_pool2d(F.relu(self.conv1(x)), 2)\n"
            "        x = F.max_pool2d(F.relu(self.conv2(x)), 2)\n"
            "        x = torch.flatten(x, 1)\n"
            "        return self.fc2(self.fc1(x))\n"),
    Mistake("LeNet", ("test_LeNet",),
            "ends with a softmax, although CrossEntropyLoss expects logits",
            "class LeNet(nn.Module):\n"
            "    def __init__(self):\n"
            "        super().__init__()\n"
            "        self.conv1 = nn.Conv2d(1, 20, 5)\n"
            "        self.conv2 = nn.Conv2d(20, 50, 5)\n"
            "        self.fc1 = nn.Linear(800, 500)\n"
            "        self.fc2 = nn.Linear(500, 10)\n\n"
            "    def forward(self, x):\n"
            "        x = F.max_pool2d(F.relu(self.conv1(x)), 2)\n"
            "        x = F.max_pool2d(F.relu(self.conv2(x)), 2)\n"
            "        x = torch.flatten(x, 1)\n"
            "        return torch.softmax(self.fc2(F.relu(self.fc1(x))), dim=1)\n"),
    # --- lenet_questions -----------------------------------------------------------------
    Mistake("lenet_questions", ("test_lenet_questions",),
            "forgets the biases in the parameter counts",
            "def lenet_questions(image_size=28, in_channels=1, channels=(20, 50), kernel_size=5,\n"
            "                    hidden=500, classes=10):\n"
            "    rows, c, s = [], in_channels, image_size\n"
            "    for i, o in enumerate(channels, start=1):\n"
            "        s = s - kernel_size + 1\n"
            "        rows.append({'layer': f'conv{i}', 'filters': o,\n"
            "                     'parameters': o * c * kernel_size ** 2, 'output_shape': (o, s, s)})\n"
            "        s = s // 2\n"
            "        rows.append({'layer': f'pool{i}', 'filters': 0, 'parameters': 0,\n"
            "                     'output_shape': (o, s, s)})\n"
            "        c = o\n"
            "    flat = c * s * s\n"
            "    rows.append({'layer': 'flatten', 'filters': 0, 'parameters': 0,\n"
            "                 'output_shape': (flat,)})\n"
            "    rows.append({'layer': 'fc1', 'filters': hidden, 'parameters': flat * hidden,\n"
            "                 'output_shape': (hidden,)})\n"
            "    rows.append({'layer': 'fc2', 'filters': classes, 'parameters': hidden * classes,\n"
            "                 'output_shape': (classes,)})\n"
            "    return rows\n"),
    Mistake("lenet_questions", ("test_lenet_questions",),
            "assumes one input channel and 28x28 images (hard-coded 800 features): right for "
            "the visible defaults only",
            "def lenet_questions(image_size=28, in_channels=1, channels=(20, 50), kernel_size=5,\n"
            "                    hidden=500, classes=10):\n"
            "    rows, c, s = [], 1, image_size\n"
            "    for i, o in enumerate(channels, start=1):\n"
            "        s = s - kernel_size + 1\n"
            "        rows.append({'layer': f'conv{i}', 'filters': o,\n"
            "                     'parameters': o * (c * kernel_size ** 2 + 1),\n"
            "                     'output_shape': (o, s, s)})\n"
            "        s = s // 2\n"
            "        rows.append({'layer': f'pool{i}', 'filters': 0, 'parameters': 0,\n"
            "                     'output_shape': (o, s, s)})\n"
            "        c = o\n"
            "    rows.append({'layer': 'flatten', 'filters': 0, 'parameters': 0,\n"
            "                 'output_shape': (800,)})\n"
            "    rows.append({'layer': 'fc1', 'filters': hidden, 'parameters': 801 * hidden,\n"
            "                 'output_shape': (hidden,)})\n"
            "    rows.append({'layer': 'fc2', 'filters': classes,\n"
            "                 'parameters': (hidden + 1) * classes, 'output_shape': (classes,)})\n"
            "    return rows\n"),
    # --- train_one_epoch -----------------------------------------------------------------
    Mistake("train_epoch", ("test_train_epoch",),
            "never zeroes the gradients: they accumulate over the epoch",
            _epoch(zero_grad="pass")),
    Mistake("train_epoch", ("test_train_epoch",),
            "averages the per-batch means (wrong when the last batch is smaller)",
            _epoch(add="total += loss.item()", count="count += 1")),
    Mistake("train_epoch", ("test_train_epoch",),
            "the lecture's running_count += BATCHSIZE: a full batch counted for the smaller "
            "last batch",
            _epoch(count="count += batch_size",
                   train_mode="model.train()\n    batch_size = None")
            .replace("        x, y = x.to(device)",
                     "        batch_size = batch_size or len(y)\n        x, y = x.to(device)")),
    Mistake("train_epoch", ("test_train_epoch",),
            "never calls model.train(): a model left in eval mode trains with dropout and "
            "batch norm switched to inference",
            _epoch(train_mode="pass")),
    Mistake("train_epoch", ("test_train_epoch",),
            "applies a softmax before the loss (CrossEntropyLoss applies its own)",
            _epoch(loss="loss_fn(torch.softmax(model(x), dim=1), y)")),
    Mistake("train_epoch", ("test_train_epoch",),
            "returns the loss as a 0-d tensor instead of a float",
            _epoch(add="total += loss.detach() * len(y)")),
    Mistake("train_epoch", ("test_train_epoch",),
            "lets course.train.fit run the epoch instead of writing the loop (right values, "
            "but the exercise is the loop)",
            "def train_one_epoch(model, loader, loss_fn, optimizer, device):\n"
            "    from course.train import fit\n"
            "    history = fit(model, loss_fn, optimizer, loader, 1, device=device,\n"
            "                  progress=False)\n"
            "    return history['loss'][0]\n",
            forbidden='course.train'),
    # --- checkpoint ----------------------------------------------------------------------
    Mistake("checkpoint", ("test_checkpoint",),
            "pickles the whole model object and loads it back, ignoring build",
            "def save_model(model, path):\n"
            "    torch.save(model, path)\n\n\n"
            "def load_model(path, build):\n"
            "    return torch.load(path, weights_only=False).eval()\n"),
    Mistake("checkpoint", ("test_checkpoint",),
            "returns the reloaded model in training mode",
            "def save_model(model, path):\n"
            "    torch.save(model.state_dict(), path)\n\n\n"
            "def load_model(path, build):\n"
            "    model = build()\n"
            "    model.load_state_dict(torch.load(path, map_location='cpu'))\n"
            "    return model\n"),
]
