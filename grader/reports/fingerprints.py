"""Fingerprints of answers for ``grader similarity`` (:mod:`grader.reports.similarity`): an
answer becomes the hashes of its k-grams (runs of ``K`` tokens), each with the character
span it covers (for highlighting).

* code is read with :mod:`tokenize`: comments and layout dropped, student-chosen names
  replaced by one placeholder (renaming hides nothing), keywords, built-ins, attribute
  and keyword-argument names, literals and operators kept;
* prose is its lowercase words.
"""

from __future__ import annotations

import ast
import builtins
import hashlib
import io
import keyword
import re
import tokenize
from dataclasses import dataclass

CODE, TEXT = "code", "text"
K = {CODE: 8, TEXT: 5}          # tokens per k-gram: code tokens, prose words
MAX_CELL_CHARS = 100_000        # a longer answer is cut (hostile input stays cheap)
PLACEHOLDER = "V"
_BUILTINS = frozenset(dir(builtins))
_SKIPPED_TOKENS = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT,
                   tokenize.DEDENT, tokenize.ENCODING, tokenize.ENDMARKER}
_FALLBACK = re.compile(r"#[^\n]*|[^\W\d]\w*|\d[\w.]*|\S")   # code that does not tokenize
_WORD = re.compile(r"\w+")
_OPEN, _CLOSE = frozenset("([{"), frozenset(")]}")


@dataclass(frozen=True)
class Answer:
    """One answer: its text, the hash of each k-gram and the k-gram's character span."""
    source: str
    grams: tuple[int, ...]
    spans: tuple[tuple[int, int], ...]


def _line_starts(source: str) -> list[int]:
    starts = [0]
    for line in source.split("\n"):
        starts.append(starts[-1] + len(line) + 1)
    return starts


def _name(text: str, previous: str, following: str, depth: int) -> str:
    """A name as compared: kept when renaming it would change what the code does
    (keyword, built-in, attribute, keyword argument), else the placeholder."""
    if (keyword.iskeyword(text) or text in _BUILTINS or previous == "."
            or (depth > 0 and following == "=")):
        return text
    return PLACEHOLDER


def _literal(text: str) -> str:
    """A string literal as its value, so a change of quotes hides nothing."""
    try:
        return repr(ast.literal_eval(text))
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return text


def _python_tokens(source: str) -> list[tuple[int, str, int, int]]:
    """(type, text, start, end) of the significant tokens; SyntaxError or
    tokenize.TokenError when ``source`` does not tokenize."""
    starts = _line_starts(source)
    return [(t.type, t.string, starts[t.start[0] - 1] + t.start[1],
             starts[t.end[0] - 1] + t.end[1])
            for t in tokenize.generate_tokens(io.StringIO(source).readline)
            if t.type not in _SKIPPED_TOKENS and t.string.strip()]


def _fallback_tokens(source: str) -> list[tuple[int, str, int, int]]:
    """Like :func:`_python_tokens`, by a regular expression (names, numbers, symbols)."""
    return [(tokenize.NAME if m.group()[0].isalpha() or m.group()[0] == "_" else tokenize.OP,
             m.group(), m.start(), m.end())
            for m in _FALLBACK.finditer(source) if not m.group().startswith("#")]


def code_tokens(source: str) -> list[tuple[str, int, int]]:
    """Normalised code tokens of ``source`` with their character spans."""
    try:
        raw = _python_tokens(source)
    except (SyntaxError, tokenize.TokenError):
        raw = _fallback_tokens(source)
    out, depth = [], 0
    for i, (kind, text, start, end) in enumerate(raw):
        if kind == tokenize.NAME:
            following = raw[i + 1][1] if i + 1 < len(raw) else ""
            text = _name(text, raw[i - 1][1] if i else "", following, depth)
        elif kind == tokenize.STRING:
            text = _literal(text)
        elif text in _OPEN:
            depth += 1
        elif text in _CLOSE:
            depth = max(depth - 1, 0)
        out.append((text, start, end))
    return out


def text_tokens(source: str) -> list[tuple[str, int, int]]:
    """Lowercase words of ``source`` with their character spans."""
    return [(m.group().lower(), m.start(), m.end()) for m in _WORD.finditer(source)]


def _hash(words) -> int:
    data = "\x1f".join(words).encode("utf-8", "surrogatepass")
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big")


def fingerprint(source: str, kind: str) -> Answer:
    """The k-grams of ``source`` (``kind`` CODE or TEXT); a short answer is one gram."""
    source = source[:MAX_CELL_CHARS]
    tokens = code_tokens(source) if kind == CODE else text_tokens(source)
    k = min(K[kind], len(tokens))
    if not k:
        return Answer(source, (), ())
    runs = [tokens[i:i + k] for i in range(len(tokens) - k + 1)]
    return Answer(source, tuple(_hash(t for t, _, _ in run) for run in runs),
                  tuple((run[0][1], run[-1][2]) for run in runs))
