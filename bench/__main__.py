"""``python -m bench [--smoke] [--out DIR] [--only NAME]``: run the benchmarks and
write ``results.json`` and ``results.md`` (atomically) into ``DIR`` (default bench/).

``--smoke`` runs every benchmark with tiny sizes and one run (checks that the
code works; its times mean nothing).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from pathlib import Path

from bench import BENCHMARKS, harness

HERE = Path(__file__).resolve().parent
COLUMNS = ("figure", "median", "baseline", "ratio", "target", "met")


def parse(argv=None) -> argparse.Namespace:
    """Command-line arguments."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, one run")
    parser.add_argument("--out", type=Path, default=HERE, help="folder for the results")
    parser.add_argument("--only", choices=BENCHMARKS, action="append",
                        help="run this benchmark (repeatable); the results of the others "
                        "already in DIR/results.json are kept")
    parser.add_argument("--runs", type=_at_least_one, default=harness.settings.runs,
                        help="runs per figure (default %(default)s)")
    parser.add_argument("--students", type=_at_least_one, default=harness.settings.students,
                        help="class size of grading_class (default %(default)s)")
    parser.add_argument("--class-runs", type=_at_least_one,
                        default=harness.settings.class_runs,
                        help="runs of grading_class, each a whole class graded three ways "
                        "(default %(default)s)")
    return parser.parse_args(argv)


def _at_least_one(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}")
    return value


def run_all(names, smoke: bool) -> list[harness.Result]:
    """Results of the named benchmarks, in order, with progress on stderr."""
    results = []
    for name in names:
        print(f"bench: {name}{' (smoke)' if smoke else ''} ...", file=sys.stderr, flush=True)
        results += importlib.import_module(f"bench.{name}").run(smoke)
    return results


def _number(x: float) -> str:
    return f"{x:.4g}"


def _row(r: harness.Result) -> str:
    met = "n/a" if r.met is None else ("yes" if r.met else "no")
    cells = (r.figure, f"{_number(r.value)} {r.unit}",
             f"{r.baseline_name}: {_number(r.baseline_value)} {r.unit}",
             f"{r.ratio:.3g}x", r.target, met)
    return "| " + " | ".join(cells) + " |"


def markdown(machine: dict, results: list[harness.Result], smoke: bool) -> str:
    """The report: machine block, then one table per benchmark."""
    lines = ["# Benchmark results" + (" (smoke run: times mean nothing)" if smoke else ""),
             "", "```"] + [f"{key}: {value}" for key, value in machine.items()] + [
             "```", "", "Medians of the runs given per row; ratio = how many times "
             "better than the baseline (rates: ours / baseline, times: baseline / ours).", ""]
    for name in dict.fromkeys(r.name for r in results):
        dates = sorted({r.date for r in results if r.name == name})
        lines += [f"## {name}", "", f"measured {', '.join(dates)}", "",
                  "| " + " | ".join(COLUMNS) + " |",
                  "|" + "---|" * len(COLUMNS)]
        lines += [_row(r) for r in results if r.name == name] + [""]
    return "\n".join(lines)


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to a temporary file next to ``path``, then rename it over ``path``."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def kept(path: Path, rerun, smoke: bool) -> list[harness.Result]:
    """Results in ``path`` of benchmarks not in ``rerun`` (same kind of run only)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as err:
        raise SystemExit(f"bench: cannot keep the other results: {path} is unreadable ({err})")
    if data.get("smoke") != smoke:
        return []
    return [harness.Result(**r) for r in data.get("results", [])
            if r["name"] in BENCHMARKS and r["name"] not in rerun]


def main(argv=None) -> int:
    args = parse(argv)
    names = tuple(dict.fromkeys(args.only)) if args.only else BENCHMARKS
    harness.settings = harness.Settings(args.runs, args.students, args.class_runs)
    results = run_all(names, args.smoke)
    info = harness.machine()
    args.out.mkdir(parents=True, exist_ok=True)
    if args.only:
        results = kept(args.out / "results.json", names, args.smoke) + results
        results.sort(key=lambda r: BENCHMARKS.index(r.name))    # stable: rows keep order
    payload = {"machine": info, "smoke": args.smoke,
               "results": [r.as_dict() for r in results]}
    write_atomic(args.out / "results.json", json.dumps(payload, indent=1) + "\n")
    write_atomic(args.out / "results.md", markdown(info, results, args.smoke))
    print(f"bench: wrote {args.out / 'results.json'} and {args.out / 'results.md'}",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
