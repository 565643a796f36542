"""The reports of ``grader stats`` (:mod:`grader.reports.stats`): a terminal summary, a CSV row
per exercise and a self-contained HTML page (plots as inline SVG, in the course's
plot style; every text from a notebook escaped)."""

from __future__ import annotations

import datetime
import html
import io
from pathlib import Path
from typing import TYPE_CHECKING

from grader.core.atomic import csv_text as to_csv
from grader.core.atomic import write_bytes
from grader.reports.stats_outcomes import (ERROR, FAILURES, FORBIDDEN, FULL, HIDDEN, MARKED,
                                           MISSING, OTHER, PENDING, VISIBLE)

if TYPE_CHECKING:                   # annotations only: grader.reports.stats imports this module
    from grader.reports.stats import AssignmentStats, Exercise

LABELS = {FULL: "full marks", VISIBLE: "failed a visible check",
          HIDDEN: "failed hidden tests only", ERROR: "raised an error",
          FORBIDDEN: "forbidden built-in", MISSING: "missing / not run",
          PENDING: "awaiting manual grade", MARKED: "marked down by hand", OTHER: "other"}
FAILURE_COLUMNS = ["failed_visible", "failed_hidden_only", "errors", "forbidden", "missing",
                   "marked_down", "other"]                    # students, one per FAILURES
COLUMNS = ["exercise", "kind", "position", "failure_rank", "max_score", "submissions",
           "mean_score", "mean_score_share", "full_marks_share", "attempted_share",
           "failed_share", *FAILURE_COLUMNS, "needs_manual_grade", "error_types",
           "top_message", "top_message_count", "top_message_cause"]
TOP_MESSAGES = 5


def _pct(share: float) -> str:
    return f"{100 * share:.0f}%"


def _num(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".")


def error_types(ex: Exercise) -> str:
    return "; ".join(f"{name} {n}" for name, n in ex.errors().most_common())


# --- terminal and CSV ----------------------------------------------------------------

def summary(stats: AssignmentStats) -> str:
    """A few lines for the terminal: the assignment, then exercises by failure share."""
    n = len(stats.totals)
    mean = sum(stats.totals.values()) / n if n else 0.0
    statuses = ", ".join(f"{c} {s}" for s, c in sorted(stats.statuses.items()))
    subs, cells = stats.manual_left
    lines = [f"{stats.name}: {n} submissions ({statuses}); mean score {mean:.2f} of "
             f"{_num(stats.max_score)}; manual grading left: {cells} cells in {subs} "
             "submissions",
             f"  {'exercise':<24} {'failed':>6} " + " ".join(FAILURES)
             + "  most common message"]
    for ex in stats.ranked():
        top = next(iter(ex.messages()), None)
        lines.append(f"  {ex.grade_id:<24} {_pct(ex.share(ex.failed)):>6} "
                     + " ".join(f"{ex.count(c):>{len(c)}}" for c in FAILURES)
                     + (f"  {top.count}x {top.text[:50]}" if top else ""))
    return "\n".join(lines)


def csv_rows(stats: AssignmentStats) -> list[list[str]]:
    rank = {ex.grade_id: i for i, ex in enumerate(stats.ranked(), start=1)}
    rows = [COLUMNS]
    for position, ex in enumerate(stats.exercises, start=1):
        top = next(iter(ex.messages()), None)
        rows.append([ex.grade_id, ex.kind, str(position), str(rank[ex.grade_id]),
                     _num(ex.max_score), str(ex.n), _num(ex.mean_score), _num(ex.mean_share),
                     _num(ex.share(ex.count(FULL))), _num(ex.share(ex.attempted)),
                     _num(ex.share(ex.failed)), *(str(ex.count(c)) for c in FAILURES),
                     str(ex.needs_manual_grade), error_types(ex),
                     top.text if top else "", str(top.count) if top else "",
                     top.cause if top else ""])
    return rows


# --- plots ---------------------------------------------------------------------------

def _colours() -> dict[str, str]:
    from course.plot import COLORS, OKABE_ITO

    return {FULL: OKABE_ITO["green"], VISIBLE: OKABE_ITO["vermillion"],
            HIDDEN: OKABE_ITO["orange"], ERROR: OKABE_ITO["purple"],
            FORBIDDEN: OKABE_ITO["blue"], MISSING: COLORS["window"],
            PENDING: OKABE_ITO["sky_blue"], MARKED: OKABE_ITO["yellow"], OTHER: "#d9d9d9"}


def _svg(draw, width: float, height: float) -> str:
    """Inline SVG of a figure drawn by ``draw(fig)`` in the course style (no pyplot:
    no backend is chosen and nothing global changes)."""
    import matplotlib
    from matplotlib.figure import Figure

    from course.plot import style

    with style(), matplotlib.rc_context({"svg.fonttype": "none"}):
        fig = Figure(figsize=(width, height), layout="constrained")
        draw(fig)
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None})
    text = buf.getvalue()
    return text[text.index("<svg"):]


def outcome_chart(stats: AssignmentStats) -> str:
    """Per exercise, the share of students in each category (stacked), and the mean
    score share as a diamond."""
    exercises, colours = stats.exercises, _colours()

    def draw(fig):
        ax = fig.subplots()
        y = list(range(len(exercises)))
        left = [0.0] * len(exercises)
        for category, colour in colours.items():
            shares = [ex.share(ex.count(category)) for ex in exercises]
            if any(shares):
                ax.barh(y, shares, left=left, color=colour, label=LABELS[category])
                left = [a + b for a, b in zip(left, shares)]
        ax.plot([ex.mean_share for ex in exercises], y, "D", color="black",
                label="mean score share")
        ax.set_yticks(y, [ex.grade_id for ex in exercises])
        ax.invert_yaxis()
        ax.set_xlim(0, 1)
        ax.set_xlabel("share of submissions")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=3)

    return _svg(draw, 8, 1.6 + 0.4 * len(exercises))


def score_histogram(stats: AssignmentStats) -> str:
    from course.plot import OKABE_ITO

    def draw(fig):
        ax = fig.subplots()
        top, totals = stats.max_score or 1.0, list(stats.totals.values())
        whole = top <= 50 and all(float(t).is_integer() for t in totals)
        bins = [b - 0.5 for b in range(int(top) + 2)] if whole else 20   # a bar per point
        ax.hist(totals, bins=bins, range=None if whole else (0, top),
                color=OKABE_ITO["blue"], edgecolor="white")
        ax.set_xlabel(f"total score (of {_num(top)})")
        ax.set_ylabel("submissions")
        ax.yaxis.get_major_locator().set_params(integer=True)

    return _svg(draw, 6, 3)


# --- HTML ----------------------------------------------------------------------------

CSS = """body{font-family:system-ui,sans-serif;color:#222;max-width:90rem;margin:2rem auto;
padding:0 1rem}table{border-collapse:collapse;margin:1rem 0;font-size:.85rem}
td,th{border-bottom:1px solid #ddd;padding:.25rem .4rem;text-align:right;vertical-align:top}
td.l,th.l{text-align:left}td:last-child{max-width:18rem}code{white-space:pre-wrap}
.note{color:#666}"""


def _cells(values, tag="td") -> str:
    parts = []
    for value in values:
        left = isinstance(value, str) and not value.rstrip("%").replace(".", "").isdigit()
        parts.append(f"<{tag}{' class=l' if left else ''}>{html.escape(str(value))}</{tag}>")
    return "<tr>" + "".join(parts) + "</tr>"


def _table(header, rows) -> str:
    return "<table>" + _cells(header, "th") + "".join(_cells(r) for r in rows) + "</table>"


def _exercise_table(stats: AssignmentStats) -> str:
    header = ["exercise", "kind", "points", "mean", "full marks", "attempted", "failed",
              "visible", "hidden only", "error", "forbidden", "missing", "marked down", "other",
              "manual left", "errors"]
    rows = [[ex.grade_id, ex.kind, _num(ex.max_score), _pct(ex.mean_share),
             _pct(ex.share(ex.count(FULL))), _pct(ex.share(ex.attempted)),
             _pct(ex.share(ex.failed)), *(ex.count(c) for c in FAILURES),
             ex.needs_manual_grade, error_types(ex)]
            for ex in stats.ranked()]
    return _table(header, rows)


def _messages(stats: AssignmentStats) -> str:
    parts = []
    for ex in stats.ranked():
        messages = ex.messages()[:TOP_MESSAGES]
        if not messages:
            continue
        rows = "".join(
            f"<tr><td>{m.count}</td><td class=l>{html.escape(LABELS[m.category])}</td>"
            f"<td class=l><code>{html.escape(m.text)}</code><br><span class=note>e.g. "
            f"{html.escape(m.example)}</span></td><td class=l>{html.escape(m.cause)}</td></tr>"
            for m in messages)
        parts.append(f"<h3>{html.escape(ex.grade_id)}</h3><table><tr><th>students</th>"
                     f"<th class=l>outcome</th><th class=l>message (numbers as #)</th>"
                     f"<th class=l>likely cause</th></tr>{rows}</table>")
    return "".join(parts) or "<p>No failures.</p>"


def page(stats: AssignmentStats) -> str:
    """The HTML report of one assignment."""
    name = html.escape(stats.name)
    subs, cells = stats.manual_left
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    statuses = _table(["status", "submissions"], sorted(stats.statuses.items()))
    return (f"<!DOCTYPE html><html lang=en><head><meta charset=utf-8>"
            f"<title>grader stats: {name}</title><style>{CSS}</style></head><body>"
            f"<h1>{name}: which exercises failed, and why</h1>"
            f"<p class=note>Staff only: messages may describe hidden tests. {when}.</p>"
            f"<p>{len(stats.totals)} submissions in the gradebook; manual grading left: "
            f"{cells} cells in {subs} submissions.</p>{statuses}"
            f"<h2>Exercises, most failed first</h2>{_exercise_table(stats)}"
            f"<h2>Outcomes per exercise (notebook order)</h2>{outcome_chart(stats)}"
            f"<h2>Total scores</h2>{score_histogram(stats)}"
            f"<h2>Most common failure messages</h2>{_messages(stats)}</body></html>\n")


def write(stats: AssignmentStats, folder: Path) -> list[Path]:
    """``stats-<assignment>.csv`` and ``.html`` in ``folder``, each complete in a
    temporary file before it is renamed into place."""
    files = {folder / f"stats-{stats.name}.csv": to_csv(csv_rows(stats)),
             folder / f"stats-{stats.name}.html": page(stats)}
    return [write_bytes(target, text.encode("utf-8")) for target, text in files.items()]
