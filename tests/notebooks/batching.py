"""Typical mistakes graded together: one submission carries several mistakes whose
exercises cannot affect each other, so a notebook's catalogue costs a few gradings
instead of one per mistake.

Which test cells an answer cell can affect is read from the notebook's code, without
running it (:func:`affected_tests`), statement by statement: a name bound by a
statement carries the answer cells behind what the statement used, and a value a
statement uses may have been changed by it (a call can train a model in place), so it
takes on those answer cells too. Function and class bodies count where they are
defined. The reading over-approximates for code that works through names: it may keep
two mistakes apart that could share a submission, not the reverse. A submission whose
scores still surprise is graded again one mistake at a time (see the harness).
"""

from __future__ import annotations

import ast
from collections import defaultdict
from dataclasses import dataclass, field

_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_BODIES = ("body", "orelse", "finalbody", "handlers")


def _statements(source: str) -> list[ast.stmt]:
    try:
        return ast.parse(source).body
    except SyntaxError:       # IPython magics, or a mistake that does not parse
        return []


def _params(args: ast.arguments) -> set[str]:
    every = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
    return {a.arg for a in every if a is not None}


def _scope(bound: set[str], inner: list) -> set[str]:
    """Names read in ``inner`` that ``bound`` (a scope's own names) does not cover."""
    return set().union(*(free_names(n) for n in inner)) - bound


def free_names(node) -> set[str]:
    """Names ``node`` reads from outside itself: not a function's parameters or locals,
    not a comprehension's or lambda's own variables."""
    if isinstance(node, ast.Name):
        return {node.id} if isinstance(node.ctx, ast.Load) else set()
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        body = node.body if isinstance(node.body, list) else [node.body]
        declared = {n for b in body for g in ast.walk(b) if isinstance(g, ast.Global)
                    for n in g.names}
        local = _params(node.args) | {n.id for b in body for n in ast.walk(b)
                                      if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
        outer = [*node.args.defaults, *filter(None, node.args.kw_defaults),
                 *getattr(node, "decorator_list", [])]
        return _scope(local - declared, body) | _scope(set(), outer)
    if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
        targets = {n.id for g in node.generators for n in ast.walk(g.target)
                   if isinstance(n, ast.Name)}
        first, *rest = node.generators          # the first iterable is read outside
        parts = [getattr(node, f) for f in ("elt", "key", "value") if hasattr(node, f)]
        parts += [*first.ifs, *(c for g in rest for c in (g.iter, *g.ifs))]
        return _scope(targets, parts) | free_names(first.iter)
    return set().union(*(free_names(child) for child in ast.iter_child_nodes(node)))


_OWN_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef, ast.ListComp,
               ast.SetComp, ast.GeneratorExp, ast.DictComp)


def stored_names(node) -> set[str]:
    """Names ``node`` binds in the scope it runs in (a comprehension's variables are its own)."""
    if isinstance(node, ast.Name):
        return {node.id} if isinstance(node.ctx, ast.Store) else set()
    if isinstance(node, _OWN_SCOPES):
        return set()
    return set().union(*(stored_names(child) for child in ast.iter_child_nodes(node)))


def _header(stmt: ast.stmt) -> list[ast.AST]:
    """The parts of a compound statement outside its bodies (test, iterator, items)."""
    parts = []
    for name, value in ast.iter_fields(stmt):
        if name not in _BODIES:
            parts += value if isinstance(value, list) else [value]
    return [part for part in parts if isinstance(part, ast.AST)]


@dataclass
class _Flow:
    """Which answer cells stand behind each name, statement after statement."""
    origin: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    values: set[str] = field(default_factory=set)      # names bound to values

    def cell(self, source: str, answer: str | None) -> set[str]:
        """Run through one cell; the answer cells behind anything it did."""
        start = {answer} if answer else set()
        return self._block(_statements(source), start)

    def _block(self, stmts, start: set[str]) -> set[str]:
        behind = set(start)
        for stmt in stmts:
            if isinstance(stmt, _DEFINITIONS):
                behind |= self._bind(stmt, start, fixed={stmt.name})
            elif any(getattr(stmt, b, None) for b in _BODIES):
                for part in _header(stmt):
                    behind |= self._bind(part, start)
                for name in _BODIES:
                    for sub in getattr(stmt, name, None) or ():
                        body = sub.body if isinstance(sub, ast.ExceptHandler) else [sub]
                        behind |= self._block(body, start)
            else:
                behind |= self._bind(stmt, start)
        return behind

    def _bind(self, node, start: set[str], fixed: frozenset | set = frozenset()) -> set[str]:
        """One simple statement (or a definition, or a header): what stands behind it."""
        used = free_names(node)
        behind = set(start).union(*(self.origin[n] for n in used if n in self.origin))
        bound = set(fixed)
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            bound |= {(a.asname or a.name).split(".")[0] for a in node.names}
        assigned = set() if fixed or isinstance(node, ast.AugAssign) else stored_names(node)
        for name in bound | assigned:
            self.origin[name] = set(behind)
        self.values = (self.values - bound) | assigned
        if not fixed:
            for name in (used | stored_names(node)) & self.values - assigned:
                self.origin[name] |= behind            # used here: may have changed here
        return behind


def affected_tests(cells: list[tuple[str | None, str, str]]) -> dict[str, set[str]]:
    """answer grade_id -> the test cells it can affect. ``cells``: the notebook's code
    cells in order, as (grade_id or None, kind, source) with kind "answer", "test" or
    "code"; an answer's source may join the solution's and the mistakes' code."""
    flow, affects = _Flow(), defaultdict(set)
    for grade_id, kind, source in cells:
        behind = flow.cell(source, grade_id if kind == "answer" else None)
        if kind == "test":
            for answer in behind:
                affects[answer].add(grade_id)
    return dict(affects)


def rounds(mistakes: list, affects: dict[str, set[str]]) -> list[list[int]]:
    """Mistake indices grouped into submissions: in each, no two mistakes share an
    answer cell or a test cell they can affect (first fit, in catalogue order)."""
    groups: list[tuple[list[int], set[str], set[str]]] = []
    for index, mistake in enumerate(mistakes):
        reach = affects.get(mistake.cell, set()) | set(mistake.tests)
        for members, cells, tests in groups:
            if mistake.cell not in cells and not reach & tests:
                members.append(index)
                cells.add(mistake.cell)
                tests |= reach
                break
        else:
            groups.append(([index], {mistake.cell}, set(reach)))
    return [members for members, _, _ in groups]
