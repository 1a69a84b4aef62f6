"""``necessity diff A B``: what changed between two policy versions (see
:mod:`reasoner.batch.version_diff`), and with ``--store`` which stored cases it flips."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .args import existing_store

__all__ = ["add_parser", "run_diff"]


def add_parser(sub: argparse._SubParsersAction) -> None:
    diff = sub.add_parser("diff", help="what changed between two policy versions (or shapes folders), and "
                                       "which stored cases it changes")
    diff.add_argument("a", help="policy@version (e.g. cms-ncd-280.14@2019-11) or a shapes folder")
    diff.add_argument("b", help="policy@version or a shapes folder")
    diff.add_argument("--policy", help="the policy, when A or B is a folder or a bare version label")
    diff.add_argument("--shapes", type=Path, help="the shapes folder that A and B versions are read from")
    diff.add_argument("--store", help="re-decide the stored cases decided under A (a directory or a SPARQL URL)")
    diff.add_argument("--json", action="store_true", help="print JSON instead of Markdown")
    diff.set_defaults(func=run_diff)


def run_diff(args: argparse.Namespace) -> int:
    from ..batch.version_diff import policy_diff
    from ..engine import Engine
    from ..knowledge.compiled import compile_knowledge
    from ..knowledge.policy_diff import render_diff_markdown

    store = None
    if args.store:
        from ..store import open_store

        store = open_store(existing_store(args.store, command="diff --store"))
    try:
        knowledge = compile_knowledge(shapes_dir=args.shapes) if args.shapes else compile_knowledge()
        diff = policy_diff(Engine(knowledge), args.a, args.b, policy=args.policy, store=store)
    finally:
        if store is not None:
            store.close()
    if args.json:
        sys.stdout.write(json.dumps(diff, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(render_diff_markdown(diff, diff.get("cases")))
    return 0
