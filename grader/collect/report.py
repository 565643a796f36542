"""What ``grader collect`` did: each submission's outcome, the files kept aside, the summary."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

NEW, UPDATED, UNCHANGED, OLDER = "new", "updated", "unchanged", "older"


@dataclass
class Collected:
    """What happened to one incoming submission."""
    student: str
    assignment: str
    outcome: str                   # NEW, UPDATED, UNCHANGED or OLDER (kept aside)
    source: str
    flags: list[str] = field(default_factory=list)
    kept: Path | None = None       # where the replaced (UPDATED) or the OLDER copy went


@dataclass
class Unmatched:
    """An input file that did not reach submitted/."""
    source: str
    reason: str
    kept: Path | None = None       # its untouched copy; None when refused


@dataclass
class Report:
    """Everything one collect run did, for the summary and the exit status."""
    collected: list[Collected] = field(default_factory=list)
    unmatched: list[Unmatched] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every file was mapped (none kept aside or refused)."""
        return not self.unmatched

    def count(self, outcome: str) -> int:
        return sum(c.outcome == outcome for c in self.collected)

    def lines(self, root: Path) -> list[str]:
        """The summary the command prints, paths relative to the course ``root``."""
        def rel(p: Path) -> str:
            return os.path.relpath(p, root)
        n = sum(self.count(o) for o in (NEW, UPDATED, UNCHANGED))
        out = [f"collected {n} (new {self.count(NEW)}, updated {self.count(UPDATED)}, "
               f"unchanged {self.count(UNCHANGED)})"]
        for c in self.collected:
            who = f"{c.student}/{c.assignment}"
            if c.outcome == UPDATED:
                out.append(f"  updated {who} from {c.source}; previous kept in {rel(c.kept)}")
            if c.outcome == OLDER:
                out.append(f"  older {who} from {c.source}: not newer than the collected one, "
                           f"kept in {rel(c.kept)}")
            out += [f"  flagged {who}: {flag}" for flag in c.flags]
        if self.ignored:
            out.append(f"ignored {len(self.ignored)} system files (__MACOSX, .DS_Store, ...)")
        out.append(f"unmatched {len(self.unmatched)}")
        out += [f"  {u.source}: {u.reason}" + (f" -> {rel(u.kept)}" if u.kept else "")
                for u in self.unmatched]
        return out
