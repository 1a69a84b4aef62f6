"""``necessity store backup|restore|check|history|summaries``: what an operator does to the case store.

The store is ``--store``, else ``NECESSITY_STORE``, else ``./var/store``. A backup is one
N-Quads file (gzip if the name ends in ``.gz``) ending with a line that counts and hashes it;
``restore`` reads and checks the whole file, then loads it into an empty store, or writes nothing
and exits 2 with one line naming what is wrong;
``check`` reads every graph and exits 1 if anything is inconsistent (each problem on a line);
``history`` rebuilds the history graphs, and ``summaries`` the summary graphs (what the store
queries read), that a store written by an earlier version lacks.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from .args import existing_store, store_location

__all__ = ["add_parser", "default_store"]


def default_store(given: str | None) -> str:
    """``--store`` if given, else ``NECESSITY_STORE``, else ``./var/store``."""
    return store_location(given, default="./var/store")


def _run(args: argparse.Namespace) -> int:
    from ..store import open_store
    from ..store.operations import backup_store, check_store, restore_store

    location = default_store(args.store)
    if args.action != "restore":  # restore writes into an empty (or new) store; the rest read one
        existing_store(location, command=f"store {args.action}")
    store = open_store(location, query_workers=1)
    try:
        if args.action == "backup":
            count = backup_store(store, Path(args.file))
            print(f"backed up {count} statements from {location} to {args.file}")
        elif args.action == "restore":
            from ..queries import knowledge_graph

            count = restore_store(store, Path(args.file), knowledge=knowledge_graph(), unmarked=args.unmarked)
            print(f"restored {count} case and determination statements from {args.file} into {location} "
                  "(the knowledge graph from the installed package; history and summaries rebuilt)")
        elif args.action == "history":
            store.rebuild_history()
            print(f"rebuilt the history graphs (which determination supersedes which) of {location}")
        elif args.action == "summaries":
            count = store.rebuild_summaries()
            print(f"rebuilt the summary graphs (what the store queries read) of {count} cases in {location}")
        else:
            report = check_store(store)
            for problem in report.problems:
                print(f"problem: {problem}")
            verdict = "consistent" if report.ok else f"{len(report.problems)} problem(s)"
            print(f"{location}: {report.cases} cases, {report.determinations} determinations, {verdict}")
            return 0 if report.ok else 1
    finally:
        store.close()
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``store`` with its actions to the ``necessity`` parser."""
    store = sub.add_parser("store", help="back up, restore, check the case store, or rebuild its history and "
                                         "summary graphs",
                           description="What an operator does to the case store: backup, restore, check, "
                                       "history, summaries.")
    actions = store.add_subparsers(dest="action", required=True)
    for name, text in (("backup", "write every graph to an N-Quads file (.nq or .nq.gz)"),
                       ("restore", "load an N-Quads backup into an empty store"),
                       ("check", "check that every case has its determination and every graph is well-formed"),
                       ("history", "rebuild each case's history graph (which determination supersedes which); "
                                   "for a store written by an earlier version"),
                       ("summaries", "rebuild each case's summary graph (latest and first determinations, "
                                     "profiles, outcome changes: what the store queries read); for a store "
                                     "written by an earlier version")):
        action = actions.add_parser(name, help=text)
        if name not in ("check", "history", "summaries"):
            action.add_argument("file", help="the backup file")
        if name == "restore":
            action.add_argument("--unmarked", action="store_true",
                                help="restore a backup without the closing line (written by an earlier version or "
                                     "another tool): every other check still runs, but a cut cannot be detected")
        action.add_argument("--store", help="a directory (embedded) or an http(s) SPARQL URL "
                                            "(default: NECESSITY_STORE, else ./var/store)")
        action.set_defaults(func=_run)
