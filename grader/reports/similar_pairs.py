"""Which pairs of students answered alike, for ``grader similarity``
(:mod:`grader.reports.similarity`), from the answers' fingerprints (:mod:`grader.reports.fingerprints`).

Fingerprints that carry no evidence are removed: those of the release notebook (the
prompt, the given code) and those *common* to many students (at least
``common_students``, or ``common_share`` of the class): the usual correct answer is not a
copy. For each cell, an inverted index (fingerprint -> students) yields the pairs sharing
a remaining fingerprint; a cell matches when the shared fingerprints are at least
``threshold`` of the smaller answer's (containment) and weigh at least ``min_shared``
(each counts 1 / (holders - 1): a fingerprint of exactly two students counts fully). A
pair is reported when one cell matches, or when its cells pooled do (its score: shared
over smaller, summed over the cells both answered).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import combinations

from grader.reports.fingerprints import Answer


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
