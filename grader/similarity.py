"""``python -m grader similarity [ASSIGNMENT...]``: pairs of students whose answers are
unusually alike, for staff to look at (a lead, never a verdict).

Answer cells (nbgrader ``solution: true``: code answers and written markdown answers)
are matched across ``submitted/<student>/<assignment>/<assignment>.ipynb`` by their
``grade_id``. Each answer becomes a set of fingerprints (hashes of k-grams):

* code is read with :mod:`tokenize`: comments and layout dropped, student-chosen names
  replaced by one placeholder (renaming hides nothing), keywords, built-ins, attribute
  and keyword-argument names, literals and operators kept;
* prose is its lowercase words.

Fingerprints that carry no evidence are removed: those of the release notebook (the
prompt, the given code) and those *common* to many students (at least
``--common-students``, or ``--common-share`` of the class): the usual correct answer is
not a copy. For each cell, an inverted index (fingerprint -> students) yields the pairs
sharing a remaining fingerprint; a cell matches when the shared fingerprints are at least
``--threshold`` of the smaller answer's (containment) and weigh at least ``--min-shared``
(each counts 1 / (holders - 1): a fingerprint of exactly two students counts fully).
A pair is reported when one cell matches, or when its cells pooled do (its score: shared
over smaller, summed over the cells both answered). Reports (staff only, mode 0640):
``grading/reports/similarity-<assignment>.csv`` and ``.html`` (both answers side by
side, the shared parts highlighted).
"""

from __future__ import annotations

import ast
import builtins
import csv
import hashlib
import html
import io
import json
import keyword
import math
import os
import re
import tempfile
import tokenize
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

from grader.layout import Layout

CODE, TEXT = "code", "text"
K = {CODE: 8, TEXT: 5}          # tokens per k-gram: code tokens, prose words
MAX_CELL_CHARS = 100_000        # a longer answer is cut (hostile input stays cheap)
MAX_NOTEBOOK_BYTES = 50_000_000
REPORT_MODE = 0o640
CSV_COLUMNS = ("rank", "student_a", "student_b", "score", "shared", "cells")
PLACEHOLDER = "V"
_BUILTINS = frozenset(dir(builtins))
_SKIPPED_TOKENS = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT,
                   tokenize.DEDENT, tokenize.ENCODING, tokenize.ENDMARKER}
_FALLBACK = re.compile(r"#[^\n]*|[^\W\d]\w*|\d[\w.]*|\S")   # code that does not tokenize
_WORD = re.compile(r"\w+")
_OPEN, _CLOSE = frozenset("([{"), frozenset(")]}")


@dataclass(frozen=True)
class Options:
    threshold: float = 0.5        # containment a cell needs to match
    min_shared: float = 10.0      # weighted shared fingerprints a cell needs to match
    common_share: float = 0.10    # a fingerprint of this share of the class is common ...
    common_students: int = 5      # ... or of this many students
    top: int = 100                # pairs reported at most

    def __post_init__(self):
        for name, low in (("threshold", 0.0), ("min_shared", 0.0), ("common_share", 0.0)):
            if not getattr(self, name) > low:
                raise ValueError(f"{name} must be > {low:g}, got {getattr(self, name)!r}")
        if self.common_students < 2 or self.top < 1:
            raise ValueError(f"common_students must be >= 2 and top >= 1, got "
                             f"{self.common_students} and {self.top}")

    def common_cutoff(self, students: int) -> int:
        """How many holders make a fingerprint common."""
        return max(self.common_students, math.ceil(self.common_share * students), 2)


# ---------------------------------------------------------------- fingerprints

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


# ---------------------------------------------------------------- notebooks

def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(map(str, source)) if isinstance(source, list) else str(source)


def answer_cells(nb: dict) -> dict[str, tuple[str, str]]:
    """grade_id -> (kind, source) of the answer cells of a notebook read as JSON (cells
    sharing a grade_id are joined)."""
    found: dict[str, tuple[str, str]] = {}
    for cell in nb.get("cells", []) if isinstance(nb, dict) else []:
        meta = cell.get("metadata", {}) if isinstance(cell, dict) else {}
        nbg = meta.get("nbgrader", {}) if isinstance(meta, dict) else {}
        if not (isinstance(nbg, dict) and nbg.get("solution") and nbg.get("grade_id")):
            continue
        kind = CODE if cell.get("cell_type") == "code" else TEXT
        gid = str(nbg["grade_id"])
        before = found[gid][1] + "\n" if gid in found else ""
        found[gid] = (kind, before + _source(cell))
    return found


def read_notebook(path: Path) -> dict:
    """A notebook's JSON; ValueError saying why it cannot be read."""
    try:
        if path.stat().st_size > MAX_NOTEBOOK_BYTES:
            raise ValueError(f"larger than {MAX_NOTEBOOK_BYTES // 1_000_000} MB")
        nb = json.loads(path.read_bytes())
    except (OSError, UnicodeDecodeError, RecursionError, json.JSONDecodeError) as err:
        raise ValueError(f"{type(err).__name__}: {err}") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise ValueError("no list of cells")
    return nb


def release_notebook(layout: Layout, assignment: str) -> dict:
    path = layout.notebooks / assignment / f"{assignment}.ipynb"
    if not path.is_file():
        raise ValueError(f"no release notebook {path.relative_to(layout.root)}: "
                         "run `grader release` first")
    try:
        return read_notebook(path)
    except ValueError as err:
        raise ValueError(f"release notebook {path.relative_to(layout.root)}: {err}") from None


def release_fingerprints(nb: dict) -> dict[str, set[int]]:
    """Per kind, the fingerprints of every cell of the release: none is evidence."""
    excluded = {CODE: set(), TEXT: set()}
    for cell in nb["cells"]:
        kind = CODE if isinstance(cell, dict) and cell.get("cell_type") == "code" else TEXT
        excluded[kind].update(fingerprint(_source(cell), kind).grams)
    return excluded


def submissions(layout: Layout, assignment: str, cells: dict[str, tuple[str, str]],
                skipped: list[str]) -> dict[str, dict[str, Answer]]:
    """student -> grade_id -> Answer for the release's answer cells; a notebook that
    cannot be read is left out with a line in ``skipped``."""
    found = {}
    for student in layout.students(assignment):
        path = layout.submitted / student / assignment / f"{assignment}.ipynb"
        try:
            theirs = answer_cells(read_notebook(path))
        except ValueError as err:
            skipped.append(f"skipped {path.relative_to(layout.root)}: unreadable ({err})")
            continue
        found[student] = {gid: fingerprint(theirs[gid][1], kind)
                          for gid, (kind, _) in cells.items() if gid in theirs}
    return found


# ---------------------------------------------------------------- comparison

@dataclass
class CellMatch:
    grade_id: str
    score: float        # shared / the smaller answer's distinctive fingerprints
    shared: float       # weighted: a fingerprint of n holders counts 1 / (n - 1)
    fingerprints: frozenset = field(repr=False, default=frozenset())


@dataclass
class Pair:
    a: str
    b: str
    score: float        # over every cell both answered
    shared: float
    cells: list[CellMatch]      # the cells at or above the threshold, most shared first


@dataclass
class CellIndex:
    """One cell across the class: each student's distinctive fingerprints and, per pair
    of students sharing some, how many (``count``) and their weight."""
    rare: dict[str, set[int]]
    count: dict[tuple[str, str], int]
    weight: dict[tuple[str, str], float]


def index_cell(answers: dict[str, Answer], excluded: set[int], cutoff: int) -> CellIndex:
    """Drop the ``excluded`` fingerprints and those of ``cutoff`` or more students; count
    what each pair shares through the inverted index (fingerprint -> students)."""
    holders = defaultdict(list)
    for student, answer in answers.items():
        for gram in set(answer.grams) - excluded:
            holders[gram].append(student)
    common = {g for g, who in holders.items() if len(who) >= cutoff}
    found = CellIndex({s: set(a.grams) - excluded - common for s, a in answers.items()},
                      defaultdict(int), defaultdict(float))
    for who in holders.values():
        if 1 < len(who) < cutoff:
            for pair in combinations(sorted(who), 2):
                found.count[pair] += 1
                found.weight[pair] += 1.0 / (len(who) - 1)
    return found


def judge_pair(a: str, b: str, cells: dict[str, CellIndex], options: Options) -> Pair | None:
    """The pair when one cell matches (score and weight at or above the options) or the
    pair does over all the cells both answered; else None."""
    shared = smaller = 0
    weight, alike = 0.0, []
    for gid, cell in cells.items():
        if a not in cell.rare or b not in cell.rare:
            continue
        n, size = cell.count.get((a, b), 0), min(len(cell.rare[a]), len(cell.rare[b]))
        shared, smaller, weight = shared + n, smaller + size, weight + cell.weight.get((a, b), 0)
        if n and n / size >= options.threshold:
            alike.append(CellMatch(gid, n / size, cell.weight[(a, b)]))
    score = shared / smaller if smaller else 0.0
    if not (any(c.shared >= options.min_shared for c in alike)
            or (score >= options.threshold and weight >= options.min_shared)):
        return None
    for c in alike:
        c.fingerprints = frozenset(cells[c.grade_id].rare[a] & cells[c.grade_id].rare[b])
    return Pair(a, b, score, weight, sorted(alike, key=lambda c: (-c.shared, -c.score)))


def find_pairs(answers: dict[str, dict[str, Answer]], cells: dict[str, tuple[str, str]],
               excluded: dict[str, set[int]], options: Options = Options()) -> list[Pair]:
    """The pairs worth a look, most alike first (at most ``options.top``)."""
    cutoff = options.common_cutoff(len(answers))
    indexed = {gid: index_cell({s: theirs[gid] for s, theirs in answers.items()
                                if gid in theirs}, excluded[kind], cutoff)
               for gid, (kind, _) in cells.items()}
    candidates = sorted(set().union(*(cell.count for cell in indexed.values())))
    pairs = [p for p in (judge_pair(a, b, indexed, options) for a, b in candidates) if p]
    pairs.sort(key=lambda p: (-p.score, -p.shared, p.a, p.b))
    return pairs[:options.top]


# ---------------------------------------------------------------- reports

def cells_text(pair: Pair) -> str:
    """``grade_id (score, weighted shared)`` of each alike cell."""
    return "; ".join(f"{c.grade_id} ({c.score:.2f}, {c.shared:.1f})" for c in pair.cells)


def table_rows(pairs: list[Pair]) -> list[list[str]]:
    return [[str(i), p.a, p.b, f"{p.score:.2f}", f"{p.shared:.1f}", cells_text(p)]
            for i, p in enumerate(pairs, 1)]


def terminal_table(pairs: list[Pair]) -> str:
    rows = [list(CSV_COLUMNS)] + table_rows(pairs)
    widths = [max(len(r[i]) for r in rows) for i in range(len(CSV_COLUMNS) - 1)]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)) + "  " + r[-1]
                     for r in rows)


def to_csv(pairs: list[Pair]) -> str:
    buf = io.StringIO()
    csv.writer(buf).writerows([list(CSV_COLUMNS)] + table_rows(pairs))
    return buf.getvalue()


def highlighted(answer: Answer, shared: frozenset) -> str:
    """``answer``'s text as escaped HTML, the k-grams in ``shared`` in <mark>."""
    spans = sorted(span for gram, span in zip(answer.grams, answer.spans) if gram in shared)
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out, done = [], 0
    for start, end in merged:
        out += [html.escape(answer.source[done:start]),
                f"<mark>{html.escape(answer.source[start:end])}</mark>"]
        done = end
    return "".join(out + [html.escape(answer.source[done:])])


_STYLE = """body{font-family:sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left}
.side{display:grid;grid-template-columns:1fr 1fr;gap:1em}
pre{background:#f6f6f6;padding:.5em;white-space:pre-wrap;word-break:break-word;margin:0}
mark{background:#ffd54f}h3{margin-bottom:.3em}"""


def _pair_section(i: int, pair: Pair, answers: dict[str, dict[str, Answer]]) -> str:
    e = html.escape
    parts = [f'<h2 id="pair{i}">{i}. {e(pair.a)} &amp; {e(pair.b)}: score '
             f'{pair.score:.2f}, shared {pair.shared:.1f}</h2>']
    for c in pair.cells:
        parts.append(f"<h3>{e(c.grade_id)}: {c.score:.2f} of the smaller answer, shared "
                     f"{c.shared:.1f}</h3><div class=side>")
        for student in (pair.a, pair.b):
            parts.append(f"<div><b>{e(student)}</b><pre>"
                         f"{highlighted(answers[student][c.grade_id], c.fingerprints)}"
                         "</pre></div>")
        parts.append("</div>")
    return "\n".join(parts)


def to_html(assignment: str, pairs: list[Pair], answers: dict[str, dict[str, Answer]],
            notes: list[str]) -> str:
    """A self-contained page: no script, nothing loaded, every student text escaped."""
    e = html.escape
    rows = "\n".join(f'<tr><td><a href="#pair{r[0]}">{r[0]}</a></td>'
                     + "".join(f"<td>{e(c)}</td>" for c in r[1:]) + "</tr>"
                     for r in table_rows(pairs))
    head = "".join(f"<th>{e(c)}</th>" for c in CSV_COLUMNS)
    return "\n".join([
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'\">",
        f"<title>Similarity: {e(assignment)} (staff only)</title><style>{_STYLE}</style>",
        "</head><body>", f"<h1>Similar answers: {e(assignment)}</h1>",
        "<p>Staff only. A high score is a reason to look, not proof: the highlighted "
        "parts are shared by these two students and few others, and are not in the "
        "release.</p>",
        "".join(f"<p>{e(n)}</p>" for n in notes),
        f"<table><tr>{head}</tr>\n{rows}</table>" if pairs else "<p>No pair to look at."
        "</p>",
        *(_pair_section(i, p, answers) for i, p in enumerate(pairs, 1)),
        "</body></html>", ""])


def write_report(target: Path, text: str) -> None:
    """Write ``text`` to ``target`` atomically, readable by its owner and group only."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=target.suffix)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        os.chmod(tmp, REPORT_MODE)
        os.replace(tmp, target)
    except BaseException:
        os.unlink(tmp)
        raise


# ---------------------------------------------------------------- command

@dataclass
class Report:
    assignment: str
    students: int
    pairs: list[Pair]
    skipped: list[str]
    files: list[Path]


def reports_dir(layout: Layout) -> Path:
    return layout.root / "grading" / "reports"


def similarity(layout: Layout, assignment: str, options: Options = Options()) -> Report:
    """Compare every submission of ``assignment`` and write its two reports."""
    release = release_notebook(layout, assignment)
    cells = answer_cells(release)
    if not cells:
        raise ValueError(f"the release of {assignment} has no answer cells (nbgrader "
                         "solution cells with a grade_id)")
    skipped: list[str] = []
    answers = submissions(layout, assignment, cells, skipped)
    pairs = find_pairs(answers, cells, release_fingerprints(release), options)
    notes = skipped + [f"{len(answers)} submissions, {len(cells)} answer cells; a fingerprint"
                       f" of {options.common_cutoff(len(answers))} or more students is common"
                       f"; threshold {options.threshold:g}, min shared {options.min_shared:g}"]
    out = reports_dir(layout) / f"similarity-{assignment}"
    files = [out.with_name(out.name + ".csv"), out.with_name(out.name + ".html")]
    write_report(files[0], to_csv(pairs))
    write_report(files[1], to_html(assignment, pairs, answers, notes))
    return Report(assignment, len(answers), pairs, skipped, files)


def with_submissions(layout: Layout, names) -> list[str]:
    """The named assignments (checked), else every one somebody submitted."""
    known = layout.known_assignments(names)
    return list(names) or [a for a in known if layout.students(a)]


def _run(args) -> int:
    layout = Layout.of(args.course_dir)
    options = Options(args.threshold, args.min_shared, args.common_share,
                      args.common_students, args.top)
    assignments = with_submissions(layout, args.assignments)
    if not assignments:
        print("no submissions: nothing to compare")
    for assignment in assignments:
        report = similarity(layout, assignment, options)
        print("\n".join(report.skipped + [
            f"{assignment}: {report.students} submissions, {len(report.pairs)} pair(s) "
            "to look at"]))
        if report.pairs:
            print(terminal_table(report.pairs))
        print("\n".join(f"report -> {p.relative_to(layout.root)}" for p in report.files))
    return 0


def fraction(text: str) -> float:
    """A number in (0, 1] (argparse names the type in its error)."""
    value = float(text)
    if not 0.0 < value <= 1.0:
        raise ValueError(text)
    return value


def add_command(sub) -> None:
    p = sub.add_parser("similarity", help="pairs of students with unusually alike answers "
                       "(staff-only reports in grading/reports/)")
    p.add_argument("assignments", nargs="*", help="default: every assignment with submissions")
    d = Options()
    p.add_argument("--threshold", type=fraction, default=d.threshold,
                   help="share of the smaller answer's distinctive k-grams that a cell "
                   "must share to match (default %(default)s)")
    p.add_argument("--min-shared", type=float, default=d.min_shared,
                   help="weighted shared k-grams a cell (or the pair over its cells) needs "
                   "to match (default %(default)s)")
    p.add_argument("--common-share", type=fraction, default=d.common_share,
                   help="a k-gram of this share of the class is common, not evidence "
                   "(default %(default)s)")
    p.add_argument("--common-students", type=int, default=d.common_students,
                   help="... or of this many students (default %(default)s)")
    p.add_argument("--top", type=int, default=d.top, help="pairs reported at most "
                   "(default %(default)s)")
    p.set_defaults(run=_run)
