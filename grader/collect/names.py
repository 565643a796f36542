"""Names read from the input: student ids, assignment names and the roster.

A student id becomes a folder of ``submitted/``, so it is made safe here (ASCII,
lower case, never a path); assignments are recognised in file and folder names with
``-``, ``_`` and spaces alike; a roster CSV maps LMS ids or names to student ids.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from pathlib import Path

_STUDENT = re.compile(r"[a-z0-9_.@-]+")

# Letters that Unicode does not decompose into a base letter and an accent.
_ASCII_LETTERS = str.maketrans({"ß": "ss", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O",
                                "œ": "oe", "Œ": "OE", "ł": "l", "Ł": "L", "đ": "d",
                                "Đ": "D", "þ": "th", "Þ": "TH", "ı": "i"})


def ascii_name(raw: str) -> str:
    """``raw`` with accents dropped (José -> Jose, Strauß -> Strauss); letters
    without an ASCII form (王) are left as they are."""
    folded = unicodedata.normalize("NFKD", str(raw).translate(_ASCII_LETTERS))
    plain = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return plain if plain.isascii() else str(raw)


def student_id(raw: str) -> str:
    """``raw`` as a student id: stripped, accents dropped, lower case, whitespace runs
    as ``_``.

    Raises ValueError unless the result is ASCII letters, digits and ``_.-@`` only and
    does not start with ``.`` (so never empty, ``..`` or a path).
    """
    sid = re.sub(r"\s+", "_", ascii_name(str(raw)).strip()).lower()
    if not _STUDENT.fullmatch(sid) or sid.startswith("."):
        raise ValueError(f"student id {raw!r} is not a safe folder name: use ASCII "
                         "letters, digits and _.-@, not starting with '.'")
    return sid


def name_pattern(assignment: str) -> str:
    """A regex for ``assignment`` where ``-``, ``_`` and spaces are interchangeable."""
    return r"[-_\s]+".join(re.escape(part) for part in re.split(r"[-_\s]+", assignment))


def find_assignment(text: str, known: list[str]) -> str | None:
    """The known assignment named in ``text`` (longest name wins), None when none is.

    Raises ValueError when ``text`` names several different assignments.
    """
    hits = [a for a in known if re.search(rf"(?<![A-Za-z0-9]){name_pattern(a)}(?![A-Za-z0-9])",
                                         text, re.IGNORECASE)]
    hits = [a for a in hits if not any(a != b and a.lower() in b.lower() for b in hits)]
    if len(hits) > 1:
        raise ValueError(f"names several assignments ({', '.join(hits)}); use --assignment")
    return hits[0] if hits else None


def read_roster(path: Path | str) -> dict[str, str]:
    """A roster CSV (header ``lms_id,student_id``) as {LMS id or name: student id}.

    ``lms_id`` may be a Canvas user id or login, a Moodle participant id or full name.
    """
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = csv.DictReader(f)
        if not {"lms_id", "student_id"} <= set(rows.fieldnames or ()):
            raise ValueError(f"roster {path} needs a header with columns lms_id,student_id")
        try:
            return {roster_key(r["lms_id"]): student_id(r["student_id"] or "") for r in rows}
        except ValueError as err:
            raise ValueError(f"roster {path}, line {rows.line_num}: {err}") from None


def roster_key(text: str | None) -> str:
    """An LMS id or name as a roster key: whitespace runs as one space, lower case."""
    return re.sub(r"\s+", " ", (text or "").strip()).lower()
