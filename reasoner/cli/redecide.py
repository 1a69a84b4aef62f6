"""``necessity redecide``: re-decide stored cases under one policy version, in bulk (see
:mod:`reasoner.batch.redecide`), and say what changed."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from .args import STORE_HELP, existing_store, store_location

__all__ = ["add_parser", "run_redecide", "summary_text"]


def add_parser(sub: argparse._SubParsersAction) -> None:
    redecide = sub.add_parser("redecide", help="re-decide stored cases under a policy version, in bulk",
                              description="Re-decide the stored cases under one policy version and store each "
                                          "new determination beside the old ones.")
    redecide.add_argument("--store", help=STORE_HELP)
    redecide.add_argument("--policy", required=True, help="policy@version to decide under (e.g. aetna-cpb-0161@2026-01)")
    redecide.add_argument("--engine", choices=["local", "spark"], default="local",
                          help="local processes (default), or Spark (needs the [spark] extra)")
    redecide.add_argument("--workers", type=int, default=2, help="local worker processes (default 2)")
    redecide.add_argument("--master", default="local[2]", help="Spark master (default local[2])")
    redecide.add_argument("--workdir", type=Path, help="where the snapshot and results go (default: a temporary folder)")
    redecide.add_argument("--shapes", type=Path, help="read the policies from this shapes folder instead")
    redecide.add_argument("--all-cases", action="store_true",
                          help="every stored case, not only those with a determination under this policy")
    redecide.add_argument("--json", action="store_true", help="print the counts and timings as JSON")
    redecide.add_argument("--spark-logs", action="store_true", help="let Spark print its own log lines")
    redecide.set_defaults(func=run_redecide)


def summary_text(summary: dict) -> str:
    """What a person reads after a re-decision: counts, outcomes, errors, time."""
    outcomes = Counter(summary["outcomes"].values())
    seconds = summary["seconds"]
    lines = [f"re-decided {summary['decided']} of {summary['cases']} stored case(s) under "
             f"{summary['policy_version']} ({summary['engine']} engine) and stored {summary['loaded']} "
             "determination(s)"]
    if outcomes:
        lines.append("outcomes: " + ", ".join(f"{name} {count}" for name, count in sorted(outcomes.items())))
    for error in summary["errors"]:
        lines.append(f"error: case {error['case']}: {error['error']}")
    lines.append(f"took {sum(seconds.values()):.1f} s (snapshot {seconds['snapshot']} s, decide "
                 f"{seconds['decide']} s, store {seconds['load']} s)")
    if summary["cases"]:
        lines.append("see what changed: necessity query outcome-changes --store STORE")
    return "\n".join(lines) + "\n"


def run_redecide(args: argparse.Namespace) -> int:
    from ..batch.redecide import redecide
    from ..store import open_store

    location = existing_store(store_location(args.store), command="redecide")
    store = open_store(location)
    try:
        summary = redecide(store, args.policy, engine=args.engine, workers=args.workers, master=args.master,
                           workdir=args.workdir, all_cases=args.all_cases, shapes_dir=args.shapes,
                           spark_logs=args.spark_logs)
    finally:
        store.close()
    if args.json:
        summary.pop("outcomes")
        sys.stdout.write(json.dumps(summary, indent=2, sort_keys=True) + "\n")
    else:
        sys.stdout.write(summary_text(summary))
    return 1 if summary["errors"] else 0
