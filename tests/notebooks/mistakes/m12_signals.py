"""Typical mistakes for 12_signals: each must lose exactly its exercise's points.

Five of them pass the visible checks and are caught only by the hidden tests (odd
lengths for whiten and the matched filter, dilations in the receptive field, a single
segment for ChirpNet, a model handed over in eval mode for detection_scores).
"""

from tests.notebooks.harness import Mistake

_CHIRPNET_INIT = '''
class ChirpNet(nn.Module):
    def __init__(self, channels=(8, 16, 32)):
        super().__init__()
        c1, c2, c3 = channels
        self.features = nn.Sequential(
            nn.Conv1d(1, c1, kernel_size=16, stride=2), nn.ReLU(), nn.MaxPool1d(4),
            nn.Conv1d(c1, c2, kernel_size=8), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(c2, c3, kernel_size=8), nn.ReLU())
        self.fc = nn.Linear(c3, 1)
'''

_CORRELATE = '''
def matched_filter(xw, templates):
    n = xw.shape[-1]
    data = torch.fft.rfft(xw)[:, None, None, :]
    bank = torch.fft.rfft(templates)[None]
'''

MISTAKES = [
    Mistake("whiten", ("test_whiten",),
            "divides by the PSD instead of the amplitude sqrt(fs * psd / 2)",
            "def whiten(x, psd, fs):\n"
            "    scale = (psd * fs / 2).to(device=x.device, dtype=x.dtype)\n"
            "    return torch.fft.irfft(torch.fft.rfft(x) / scale, n=x.shape[-1])\n"),
    Mistake("whiten", ("test_whiten",),
            "forgets the factor fs / 2: whitened noise does not have variance 1",
            "def whiten(x, psd, fs):\n"
            "    scale = torch.sqrt(psd).to(device=x.device, dtype=x.dtype)\n"
            "    return torch.fft.irfft(torch.fft.rfft(x) / scale, n=x.shape[-1])\n"),
    Mistake("whiten", ("test_whiten",),
            "irfft without n=: an odd length comes back one sample short (hidden test "
            "only)",
            "def whiten(x, psd, fs):\n"
            "    scale = torch.sqrt(psd * fs / 2).to(device=x.device, dtype=x.dtype)\n"
            "    return torch.fft.irfft(torch.fft.rfft(x) / scale)\n"),
    Mistake("receptive_field", ("test_receptive_field",),
            "adds (k - 1) * d per layer without multiplying by the jump",
            "def receptive_field(layers):\n"
            "    def first(v):\n"
            "        return v[0] if isinstance(v, tuple) else v\n"
            "    size, jump = 1, 1\n"
            "    for layer in layers:\n"
            "        if isinstance(layer, (nn.Conv1d, nn.MaxPool1d, nn.AvgPool1d)):\n"
            "            k, s = first(layer.kernel_size), first(layer.stride)\n"
            "            d = first(getattr(layer, 'dilation', 1))\n"
            "            size += (k - 1) * d\n"
            "            jump *= s\n"
            "    return size, jump\n"),
    Mistake("receptive_field", ("test_receptive_field",),
            "ignores the dilation (hidden test only: the visible stacks have none)",
            "def receptive_field(layers):\n"
            "    def first(v):\n"
            "        return v[0] if isinstance(v, tuple) else v\n"
            "    size, jump = 1, 1\n"
            "    for layer in layers:\n"
            "        if isinstance(layer, (nn.Conv1d, nn.MaxPool1d, nn.AvgPool1d)):\n"
            "            k, s = first(layer.kernel_size), first(layer.stride)\n"
            "            size += (k - 1) * jump\n"
            "            jump *= s\n"
            "    return size, jump\n"),
    Mistake("receptive_field", ("test_receptive_field",),
            "counts only the convolutions, not the pooling layers",
            "def receptive_field(layers):\n"
            "    size, jump = 1, 1\n"
            "    for layer in layers:\n"
            "        if isinstance(layer, nn.Conv1d):\n"
            "            size += (layer.kernel_size[0] - 1) * layer.dilation[0] * jump\n"
            "            jump *= layer.stride[0]\n"
            "    return size, jump\n"),
    Mistake("matched_filter", ("test_matched_filter",),
            "no .conj(): a convolution (the template reversed), not a correlation",
            _CORRELATE +
            "    c = torch.fft.irfft(data * bank, n=n)\n"
            "    return c.pow(2).sum(dim=2).sqrt().amax(dim=(1, 2))\n"),
    Mistake("matched_filter", ("test_matched_filter",),
            "one phase only: |c0| instead of sqrt(c0^2 + c1^2)",
            _CORRELATE +
            "    c = torch.fft.irfft(data * bank.conj(), n=n)\n"
            "    return c[:, :, 0].abs().amax(dim=(1, 2))\n"),
    Mistake("matched_filter", ("test_matched_filter",),
            "irfft without n=: wrong for odd lengths (hidden test only)",
            _CORRELATE +
            "    c = torch.fft.irfft(data * bank.conj())\n"
            "    return c.pow(2).sum(dim=2).sqrt().amax(dim=(1, 2))\n"),
    Mistake("chirpnet", ("test_chirpnet",),
            ".squeeze() instead of .squeeze(1): a single segment gives shape () (hidden "
            "test only)",
            _CHIRPNET_INIT +
            "\n    def forward(self, x):\n"
            "        z = self.features(x.unsqueeze(1))\n"
            "        return self.fc(z.amax(dim=-1)).squeeze()\n"),
    Mistake("chirpnet", ("test_chirpnet",),
            "averages over time instead of taking the maximum",
            _CHIRPNET_INIT +
            "\n    def forward(self, x):\n"
            "        z = self.features(x.unsqueeze(1))\n"
            "        return self.fc(z.mean(dim=-1)).squeeze(1)\n"),
    Mistake("chirpnet", ("test_chirpnet",),
            "flattens the feature maps into a Linear sized for L = 1024",
            "class ChirpNet(nn.Module):\n"
            "    def __init__(self, channels=(8, 16, 32)):\n"
            "        super().__init__()\n"
            "        c1, c2, c3 = channels\n"
            "        self.features = nn.Sequential(\n"
            "            nn.Conv1d(1, c1, kernel_size=16, stride=2), nn.ReLU(), nn.MaxPool1d(4),\n"
            "            nn.Conv1d(c1, c2, kernel_size=8), nn.ReLU(), nn.MaxPool1d(2),\n"
            "            nn.Conv1d(c2, c3, kernel_size=8), nn.ReLU())\n"
            "        self.fc = nn.Linear(c3 * 52, 1)\n"
            "\n"
            "    def forward(self, x):\n"
            "        return self.fc(self.features(x.unsqueeze(1)).flatten(1)).squeeze(1)\n"),
    Mistake("detection_scores", ("test_detection_scores",),
            "returns the logits instead of probabilities",
            "def detection_scores(model, loader, device):\n"
            "    was_training = model.training\n"
            "    model.eval()\n"
            "    scores, labels = [], []\n"
            "    with torch.no_grad():\n"
            "        for x, y in loader:\n"
            "            scores.append(model(x.to(device)).cpu())\n"
            "            labels.append(y.cpu())\n"
            "    model.train(was_training)\n"
            "    return torch.cat(scores), torch.cat(labels)\n"),
    Mistake("detection_scores", ("test_detection_scores",),
            "never calls model.eval(): dropout stays active while predicting",
            "def detection_scores(model, loader, device):\n"
            "    scores, labels = [], []\n"
            "    with torch.no_grad():\n"
            "        for x, y in loader:\n"
            "            scores.append(torch.sigmoid(model(x.to(device))).cpu())\n"
            "            labels.append(y.cpu())\n"
            "    return torch.cat(scores), torch.cat(labels)\n"),
    Mistake("detection_scores", ("test_detection_scores",),
            "ends with model.train() whatever the mode was (hidden test only: it hands "
            "over a model in eval mode)",
            "def detection_scores(model, loader, device):\n"
            "    model.eval()\n"
            "    scores, labels = [], []\n"
            "    with torch.no_grad():\n"
            "        for x, y in loader:\n"
            "            scores.append(torch.sigmoid(model(x.to(device))).cpu())\n"
            "            labels.append(y.cpu())\n"
            "    model.train()\n"
            "    return torch.cat(scores), torch.cat(labels)\n"),
]
