"""How a feedback page reads: formulas that render offline, exercises by name.

nbgrader's feedback page loads MathJax from a CDN, so formulas stay raw LaTeX on a
machine without internet, and its contents list calls every test "Test cell".
:class:`RenderMath` turns the formulas of markdown cells into MathML, which browsers
draw themselves, and :class:`CourseFeedbackExporter` names each graded cell after the
heading above it ("Exercise 4: cross-entropy with class weights"), leaves the CDN
script out and, for late work, says when it arrived and what the late policy took
(grading.toml, grader.core.policy). nbgrader_config.py gives both to every feedback
nbgrader makes.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from pathlib import Path

from latex2mathml.converter import convert
from nbconvert.exporters import HTMLExporter
from nbgrader.preprocessors import NbGraderPreprocessor

from grader.core import policy, submissions
from grader.core.layout import Layout

# $$display$$ or $inline$ (not \$, not $ followed by a space, as in "costs $5 and $6").
_MATH = re.compile(r"(?<!\\)\$\$(.+?)(?<!\\)\$\$|(?<![\\$])\$(?![\s$])(.+?)(?<![\\\s])\$", re.S)
_CDN_MATHJAX = re.compile(r"(<!-- Loading mathjax macro -->\s*)?<!-- Load mathjax -->.*?"
                          r"<!-- End of mathjax configuration -->", re.S)
_TOC_LABEL = re.compile(r'(<a href="#([^"]+)">)(Test cell|Written response|Coding free-response|Task)(</a>)')
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*$", re.M)
_POINTS = re.compile(r"\s*\((?:[^()]*\bpoints?\b[^()]*)\)\s*$", re.I)


def mathml(text: str) -> str:
    """``text`` (markdown) with each formula as MathML; one that cannot be converted stays."""
    def replace(match: re.Match) -> str:
        tex, display = (match[1], "block") if match[1] is not None else (match[2], "inline")
        try:
            return convert(tex, display=display)
        except Exception:    # latex2mathml raises many kinds; the formula stays as written
            return match[0]
    return _MATH.sub(replace, text)


class RenderMath(NbGraderPreprocessor):
    """Formulas of markdown cells as MathML (see the module docstring)."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "markdown" and "$" in cell.source:
            cell.source = mathml(cell.source)
        return cell, resources


def exercise_names(nb) -> dict[str, str]:
    """grade_id -> the heading above the graded cell, without its "(2 points)"; a
    heading above several graded cells is followed by each one's grade id."""
    headings, heading = {}, None
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            found = _HEADING.findall(re.sub(r"<[^>]+>", "", cell.source))
            heading = _POINTS.sub("", found[-1]) if found else heading
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade") and heading:
            headings.setdefault(meta["grade_id"], heading)
    shared = {h for h, n in Counter(headings.values()).items() if n > 1}
    return {gid: f"{h} ({gid})" if h in shared else h for gid, h in headings.items()}


def _when(moment, zone) -> str:
    """``moment`` in the course's time zone (grading.toml, [late] timezone)."""
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")


def late_note(root: Path, assignment: str, student: str, score: float | None) -> str:
    """"Submitted ..., 26:03 after the deadline ...: late penalty 10%, ..." or ""."""
    arrival = submissions.read(Layout(root), assignment, student)
    rules = policy.load(root)
    late = rules.lateness(assignment, student, arrival.time) if arrival else None
    if not late or not late.late_by:
        return ""
    minutes = int(late.late_by.total_seconds() // 60)
    after = (f"{minutes // 60}:{minutes % 60:02d} after the deadline "
             f"({_when(late.deadline, rules.zone)})")
    text = f"Submitted {_when(arrival.time, rules.zone)}, {after}: late penalty {late.penalty:g}%"
    if score is not None:
        text += f", so {score:g} becomes {late.applied(score):g} points"
    return text + "."


class CourseFeedbackExporter(HTMLExporter):
    """nbgrader's feedback page, with exercise names, the late penalty, and without
    the CDN script."""

    def from_notebook_node(self, nb, resources=None, **kw):
        page, resources = super().from_notebook_node(nb, resources, **kw)
        names = exercise_names(nb)

        def label(match: re.Match) -> str:
            name = names.get(html.unescape(match[2]))
            return f"{match[1]}{html.escape(name) if name else match[3]}{match[4]}"
        page = _TOC_LABEL.sub(label, _CDN_MATHJAX.sub("", page))
        return self._with_late_note(page, resources), resources

    def _with_late_note(self, page: str, resources: dict) -> str:
        info, course = resources.get("nbgrader", {}), getattr(self.parent, "coursedir", None)
        if course is None or "student" not in info:
            return page
        note = late_note(Path(course.root), info["assignment"], info["student"],
                         info.get("score"))
        if not note:
            return page
        return page.replace("</h4>", f'</h4>\n<p class="late-note"><strong>{html.escape(note)}'
                            "</strong></p>", 1)


UNGRADED = {
    "invalid_notebook": ("it is not a notebook the grader can read",
                         "Open it in JupyterLab: if it does not open, save your work again "
                         "as a notebook (File > Save Notebook) and submit that file."),
    "kernel_died": ("the Python kernel stopped while running it (a crash, os._exit, or more "
                    "memory than allowed)",
                    "Restart the kernel and run every cell from the top; the cell that "
                    "stops it is the one to fix."),
    "timed_out": ("it ran longer than the time allowed",
                  "Restart the kernel and run every cell from the top: look for a loop "
                  "that does not end or a cell that takes minutes."),
}


def ungraded_page(assignment: str, student: str, state: str, message: str) -> str:
    """A self-contained page for a submission that has no graded notebook."""
    why, todo = UNGRADED.get(state, ("it could not be graded", "Ask your instructor."))
    detail = html.escape(message.strip().splitlines()[0][:300]) if message.strip() else ""
    return (f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{assignment}</title>"
            "<style>body{font-family:sans-serif;max-width:46em;margin:2em auto;line-height:1.5}"
            "code{background:#f4f4f4;padding:0 .2em}</style></head><body>"
            f"<h1>{html.escape(assignment)}: not graded</h1>"
            f"<p>Your submission ({html.escape(student)}) was not graded: {why}.</p>"
            + (f"<p>What the grader found: <code>{detail}</code></p>" if detail else "")
            + f"<p>{todo}</p><p>Your score for this assignment is 0 until it is graded.</p>"
            "</body></html>\n")
