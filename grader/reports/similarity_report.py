"""The reports of ``grader similarity`` (:mod:`grader.reports.similarity`): a terminal table, a
CSV row per pair and a self-contained HTML page showing both answers side by side, the
shared parts highlighted. Reports are for staff only (mode 0640)."""

from __future__ import annotations

import html
from pathlib import Path

from grader.core.atomic import csv_text, write_bytes
from grader.reports.fingerprints import Answer
from grader.reports.similar_pairs import Pair

REPORT_MODE = 0o640
CSV_COLUMNS = ("rank", "student_a", "student_b", "score", "shared", "cells")


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
    return csv_text([list(CSV_COLUMNS)] + table_rows(pairs))


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


def write(folder: Path, assignment: str, pairs: list[Pair],
          answers: dict[str, dict[str, Answer]], notes: list[str]) -> list[Path]:
    """``similarity-<assignment>.csv`` and ``.html`` in ``folder``, each written whole,
    readable by its owner and group only."""
    csv_path = folder / f"similarity-{assignment}.csv"
    html_path = folder / f"similarity-{assignment}.html"
    write_bytes(csv_path, to_csv(pairs).encode("utf-8"), mode=REPORT_MODE)
    write_bytes(html_path, to_html(assignment, pairs, answers, notes).encode("utf-8"),
                mode=REPORT_MODE)
    return [csv_path, html_path]
