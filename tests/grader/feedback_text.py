"""Reading a feedback page (HTML) as its reader sees it."""

import html
import re


def text(page: str) -> str:
    """The page's text: tags removed, entities decoded."""
    return html.unescape(re.sub(r"<[^>]*>", "", page))


def cell(page: str, grade_id: str) -> str:
    """The text of one grade cell's panel and outputs in a feedback page."""
    return text(page.split(f'<a name="{grade_id}">')[1].split("cell border-box-sizing")[0])
