"""How a feedback page reads: formulas that render offline, exercises by name.

nbgrader's feedback page loads MathJax from a CDN, so formulas stay raw LaTeX on a
machine without internet, and its contents list calls every test "Test cell".
:class:`RenderMath` turns the formulas of markdown cells into MathML, which browsers
draw themselves, and :class:`CourseFeedbackExporter` names each graded cell after the
heading above it ("Exercise 4: cross-entropy with class weights") and leaves the CDN
script out. nbgrader_config.py gives both to every feedback nbgrader makes.
"""

from __future__ import annotations

import html
import re

from latex2mathml.converter import convert
from nbconvert.exporters import HTMLExporter
from nbgrader.preprocessors import NbGraderPreprocessor

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
    """grade_id -> the heading above the graded cell, without its "(2 points)"."""
    names, heading = {}, None
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            found = _HEADING.findall(re.sub(r"<[^>]+>", "", cell.source))
            heading = _POINTS.sub("", found[-1]) if found else heading
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade") and heading:
            names.setdefault(meta["grade_id"], heading)
    return names


class CourseFeedbackExporter(HTMLExporter):
    """nbgrader's feedback page, with exercise names and without the CDN script."""

    def from_notebook_node(self, nb, resources=None, **kw):
        page, resources = super().from_notebook_node(nb, resources, **kw)
        names = exercise_names(nb)

        def label(match: re.Match) -> str:
            name = names.get(html.unescape(match[2]))
            return f"{match[1]}{html.escape(name) if name else match[3]}{match[4]}"
        page = _CDN_MATHJAX.sub("", page)
        return _TOC_LABEL.sub(label, page), resources
