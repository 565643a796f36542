"""Probes for visible checks of training code: modules that record how they are called."""

import sys

from torch import nn

from course.checks import integrity


class LossProbe(nn.Module):
    """``nn.CrossEntropyLoss`` that records ``(mean loss, batch size)`` of every call."""

    def __init__(self):
        super().__init__()
        self.loss = nn.CrossEntropyLoss()
        self.seen = []

    def forward(self, logits, y):
        loss = self.loss(logits, y)
        self.seen.append((loss.item(), len(y)))
        return loss


integrity.lock_module(sys.modules[__name__])
