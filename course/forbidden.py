"""Which forbidden names an answer uses: a static reading of notebook cells.

An exercise may forbid names (``torch.nn.functional.mse_loss``, ``course.train``,
``torch.nn.init.*``). :func:`uses` reads the cells of a notebook in order, finds the
top-level statement that last defines the answer (``def mse``, ``mse = ...``, ``class
Adam``, ``from ... import ... as mse``: the definition in effect when the notebook runs
from top to bottom) and, transitively, the statements last defining the global names it
uses (a helper defined in another cell), and reports every forbidden name they refer
to, through any import alias (``import torch.nn.functional as F`` then
``F.mse_loss``). A name refers to a forbidden one when it is that name or lies below it
(``course.train.fit`` is below ``course.train``).

Only what is written counts: a call built at run time (``getattr(F, "mse_" + "loss")``,
``__import__``) is not found; teaching assistants look at those. Standard library only:
the grader runs this outside the student's kernel, and ``course.check`` runs it on the
cells a student has executed.
"""

from __future__ import annotations

import ast
import re
import symtable
from dataclasses import dataclass

_MAGIC = re.compile(r"^\s*[%!]")


@dataclass(frozen=True)
class Use:
    forbidden: str     # the forbidden name matched, e.g. "torch.nn.functional.mse_loss"
    written: str       # how the code wrote it, e.g. "F.mse_loss"
    cell: int          # index of the cell among the sources given
    line: int          # line in that cell (1-based)

    def describe(self, cell_names: list[str] | None = None) -> str:
        """``F.mse_loss (torch.nn.functional.mse_loss), In [7] line 2``: the cell is
        named by ``cell_names`` (one per source given to :func:`uses`), else numbered."""
        shown = self.written if self.written == self.forbidden else \
            f"{self.written} ({self.forbidden})"
        cell = cell_names[self.cell] if cell_names else f"cell {self.cell + 1}"
        return f"{shown}, {cell} line {self.line}"


@dataclass
class _Statement:
    node: ast.stmt
    cell: int
    binds: set
    refs: set


def _parse(source: str) -> list[ast.stmt]:
    """The top-level statements of a cell; IPython magics are blanked, a cell that is
    still not Python gives none."""
    text = "\n".join("" if _MAGIC.match(line) else line for line in source.split("\n"))
    try:
        return ast.parse(text).body
    except (SyntaxError, ValueError):
        return []


def _global_names(table: symtable.SymbolTable) -> set:
    """Names that nested scopes of ``table`` read from the module."""
    names = set()
    for child in table.get_children():
        names |= {s.get_name() for s in child.get_symbols()
                  if s.is_global() and s.is_referenced()}
        names |= _global_names(child)
    return names


def _scope(node: ast.stmt) -> tuple[set, set]:
    """(names a top-level statement binds, global names it refers to)."""
    try:
        table = symtable.symtable(ast.unparse(node), "<cell>", "exec")
    except SyntaxError:
        return set(), set()
    top = table.get_symbols()
    binds = {s.get_name() for s in top if s.is_assigned() or s.is_imported()
             or s.is_namespace()}
    refs = {s.get_name() for s in top if s.is_referenced()} | _global_names(table)
    return binds, refs


def _statements(sources: list[str]) -> list[_Statement]:
    found = []
    for cell, source in enumerate(sources):
        for node in _parse(source):
            binds, refs = _scope(node)
            found.append(_Statement(node, cell, binds, refs))
    return found


def _dotted(node) -> str | None:
    """``a.b.c`` for a chain of attributes on a name, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return ".".join([node.id, *reversed(parts)])
    return None


def _import_aliases(node) -> dict[str, str]:
    """Local name -> full name, for an import statement."""
    if isinstance(node, ast.Import):
        return {(a.asname or a.name.split(".")[0]): (a.name if a.asname else a.name.split(".")[0])
                for a in node.names}
    if isinstance(node, ast.ImportFrom) and node.module and not node.level:
        return {(a.asname or a.name): f"{node.module}.{a.name}" for a in node.names
                if a.name != "*"}
    return {}


def _aliases(statements: list[_Statement]) -> dict[str, str]:
    """Every import alias of the notebook, and plain assignments of one (``G = F``)."""
    aliases: dict[str, str] = {}
    for st in statements:
        aliases.update(_import_aliases(st.node))
        if (isinstance(st.node, ast.Assign) and len(st.node.targets) == 1
                and isinstance(st.node.targets[0], ast.Name)):
            chain = _dotted(st.node.value)
            root = chain.split(".")[0] if chain else None
            if root in aliases:
                aliases[st.node.targets[0].id] = _resolve(chain, aliases)
    return aliases


def _resolve(chain: str, aliases: dict[str, str]) -> str:
    root, _, rest = chain.partition(".")
    full = aliases.get(root, root)
    return f"{full}.{rest}" if rest else full


def _closure(statements: list[_Statement], answer: str) -> list[_Statement]:
    """The statement that last defines ``answer`` (the one in effect when the notebook
    runs from top to bottom) and, transitively, those last defining the names it uses."""
    wanted, done, included = {answer}, set(), []
    while wanted - done:
        name = (wanted - done).pop()
        done.add(name)
        last = next((st for st in reversed(statements) if name in st.binds), None)
        if last is not None and last not in included:
            included.append(last)
            wanted |= last.refs
    return sorted(included, key=statements.index)


def _normalise(name: str) -> str:
    return name[:-2] if name.endswith(".*") else name


def _matches(full: str, forbidden: list[str]) -> str | None:
    for name in forbidden:
        if full == name or full.startswith(name + "."):
            return name
    return None


def _references(node: ast.AST):
    """(written, line) for every dotted name and imported name inside ``node``."""
    for sub in ast.walk(node):
        if isinstance(sub, (ast.Import, ast.ImportFrom)):
            for local, full in _import_aliases(sub).items():
                yield full, sub.lineno, full
        elif isinstance(sub, (ast.Attribute, ast.Name)):
            chain = _dotted(sub)
            if chain:
                yield chain, sub.lineno, None


def uses(sources: list[str], answer: str, forbidden: list[str]) -> list[Use]:
    """The forbidden names that the code defining ``answer`` uses.

    ``sources``: the code cells of a notebook, in order (cells below the test cell
    should be left out). ``forbidden``: full names; ``name.*`` means the same as
    ``name``. Each forbidden name is reported once, at its first use.
    """
    statements = _statements(sources)
    aliases = _aliases(statements)
    names = [_normalise(n) for n in forbidden]
    found: dict[str, Use] = {}
    for st in _closure(statements, answer):
        for written, line, full in _references(st.node):
            hit = _matches(full or _resolve(written, aliases), names)
            if hit and hit not in found:
                found[hit] = Use(hit, written, st.cell, line)
    return sorted(found.values(), key=lambda u: (u.cell, u.line))
