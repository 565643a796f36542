"""What kind of case a hidden test was, in words that do not give its inputs away.

A hidden observation's name describes its case for the instructor ("solve(float32
tensor of shape (2, 2, 2), ...) raises ValueError", "clean(torch.arange(-3, 4), -1, 1,
9)"), often with the very inputs a student must not see. :func:`case_kind` keeps only
the kind: the first rule whose words appear in the name, else "other inputs".
"""

from __future__ import annotations

import re

# (pattern in the observation's name, the kind shown to the student), most specific first.
RULES = [
    (r"\braises?\b|\berror\b", "an input that must be refused with an error"),
    (r"unchanged|must stay|after .+ \(unchanged\)", "whether the inputs are left unchanged"),
    (r"\bleaf\b|requires[ _]grad|\.grad\b|stale", "what happens to .grad and leaf tensors"),
    (r"gradient|\bd\w+/d\w+|grads?\b|backward", "gradients"),
    (r"\|x\| up to|very different scales|large|overflow|extreme", "very large or very small values"),
    (r"float64|float32|float16|dtype|int64|\blong\b", "another dtype"),
    (r"\bsteps?\b|epochs?\b|after \d+", "several training steps"),
    (r"called with|calls? of|the shapes? of the .+ received", "how your code calls what it is given"),
    (r"single|one (?:row|image|batch|layer|sample|element)|\b0-d\b|empty", "a single-element or empty case"),
    (r"\bedges?\b|\btie\b|constant|only classes", "an edge case"),
    (r"\bshape\b|\bof \(|\(\d+, \d+|batch", "inputs of another shape"),
    (r"default", "the default arguments"),
    (r"parameter|state dict|names in", "the model's parameters"),
]
_COMPILED = [(re.compile(pattern, re.IGNORECASE), kind) for pattern, kind in RULES]
OTHER = "other inputs"


def case_kind(name: str) -> str:
    """The kind of case the hidden observation ``name`` checks (never its inputs)."""
    return next((kind for pattern, kind in _COMPILED if pattern.search(name)), OTHER)
