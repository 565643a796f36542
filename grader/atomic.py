"""Replace a folder whole: readers see the old one or the new one, never half of each."""

from __future__ import annotations

from pathlib import Path


def swap_in(built: Path, target: Path, previous: Path) -> None:
    """Put the complete folder ``built`` at ``target``; the old ``target`` moves to
    ``previous`` (the caller removes it), and comes back if the swap fails."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        target.rename(previous)
    try:
        built.rename(target)
    except BaseException:
        if previous.exists():
            previous.rename(target)
        raise
