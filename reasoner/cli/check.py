"""``necessity check``: decide cases and print them (summary, JSON, letter, page, Turtle, PAS), or store them."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..errors import CaseLoadError
from ..knowledge.paths import data_root
from .args import STORE_HELP, moment, positive

__all__ = ["add_parser", "run_check", "bundled_cases"]


def bundled_cases() -> list[Path]:
    """The example cases shipped in ``cases/`` (JSON case form, Turtle and JSON-LD)."""
    root = data_root("cases")
    return sorted([*root.glob("*.json"), *root.glob("*.ttl"), *root.glob("*.jsonld")])


def add_parser(sub: argparse._SubParsersAction) -> None:
    check = sub.add_parser("check", help="decide one or more cases (default: the bundled example cases)",
                           description="Decide cases and print each determination. With --store, also keep "
                                       "each case and its determination in a store (created on first use).")
    check.add_argument("cases", nargs="*", type=Path,
                       help="case files or folders (.json case form or Da Vinci PAS request Bundle, .ttl, .jsonld)")
    check.add_argument("--policy", help="policy id, or id@version (default: the case's own, else the configured "
                       "default; version: the one in force on the date of service, else received_at, else today)")
    check.add_argument("--policy-version", help="policy version label (default: chosen by date, see --policy)")
    fmt = check.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="print the determination as JSON")
    fmt.add_argument("--letter", action="store_true", help="print the determination as a Markdown letter")
    fmt.add_argument("--html", action="store_true", help="print the letter as an HTML page")
    fmt.add_argument("--turtle", action="store_true", help="print the determination graph as Turtle")
    fmt.add_argument("--fhir", action="store_true", help="print the PAS response Bundle (PAS request bundles only)")
    check.add_argument("--for", dest="letter_kind", choices=["provider", "reviewer"], default="provider",
                       help="with --letter or --html: the provider letter (default) or the reviewer's file")
    check.add_argument("--decided-at", type=moment, default=None, metavar="DATETIME",
                       help="the decision time to record (RFC 3339; default: now), for reproducible letters")
    fmt.add_argument("--jsonl", action="store_true",
                     help="batch: one determination (or error) per line as each case finishes; exit 1 if any failed")
    check.add_argument("--workers", type=positive, default=1, metavar="N",
                       help="with --jsonl: decide the batches on N processes (the machine's cores; default 1)")
    check.add_argument("--batch-size", type=positive, default=32, metavar="N",
                       help="with --jsonl: cases decided together in one store (default 32)")
    check.add_argument("--store", help="also store each case and its determination: " + STORE_HELP
                       + "; a directory is created on first use. A case id already stored is refused.")
    check.set_defaults(func=run_check)


def run_check(args: argparse.Namespace) -> int:
    from ..batch import expand_paths, read_case_path, run_jsonl
    from ..determination.rdf import to_graph
    from ..engine import Engine
    from ..fhir.load import is_bundle_file, load_pas_bundle
    from ..fhir.response import response_bundle
    from .render import render_summary

    paths = expand_paths(args.cases) if args.cases else bundled_cases()
    location = getattr(args, "store", None)  # stored only when asked: NECESSITY_STORE alone does not write
    if location and getattr(args, "jsonl", False):
        raise CaseLoadError("--store and --jsonl: store the cases without --jsonl (or --json)", source="--store")
    if getattr(args, "jsonl", False):
        workers = getattr(args, "workers", 1)
        return run_jsonl(Engine.load() if workers == 1 else None, paths, policy=args.policy,
                         version=args.policy_version, decided_at=args.decided_at, workers=workers,
                         batch_size=getattr(args, "batch_size", 32))
    engine = Engine.load()
    decided, stored = [], []
    for path in paths:
        mapped = None
        if is_bundle_file(path):
            # an explicit --policy also decides a bundle whose payer maps to no policy (else it is refused)
            default = args.policy.split("@", 1)[0] if args.policy else None
            case, mapped = load_pas_bundle(path.read_bytes(), source=path.name, default_policy=default)
        else:
            case = read_case_path(path)
        det = engine.decide(case, policy=args.policy, version=args.policy_version, decided_at=args.decided_at)
        if mapped is not None:
            det = mapped.annotate(det)  # what the bundle stated that could not be used
        decided.append(det)
        if location:
            stored.append((case, det))
        if getattr(args, "fhir", False):
            if mapped is None:
                raise CaseLoadError("--fhir answers a PAS request bundle; this file is a case form",
                                    source=path.name)
            bundle = response_bundle(mapped.request, mapped.sequences, det.to_dict(),
                                     decided_at=det.clock.decided_at)
            sys.stdout.write(json.dumps(bundle, indent=2, ensure_ascii=False, default=str) + "\n")
            continue
        if args.json:
            continue
        if args.letter or args.html:
            from ..letters import render  # Jinja2 only when a letter is asked for

            sys.stdout.write(render(det, letter=args.letter_kind, fmt="html" if args.html else "markdown"))
        elif args.turtle:
            from ..namespaces import DET
            sys.stdout.write(to_graph(det, DET[f"{det.case_id}/{det.policy_id}/{det.policy_version}"])
                             .serialize(format="turtle"))
        else:
            sys.stdout.write(render_summary(det))
    if args.json:
        body = [d.to_dict() for d in decided]
        sys.stdout.write(json.dumps(body[0] if len(body) == 1 else body, indent=2, sort_keys=True,
                                    ensure_ascii=False) + "\n")
    if stored:
        _store(location, engine, stored)
    return 0


def _store(location: str, engine, stored: list) -> None:
    """Keep each case with its determination (all cases checked before any is written)."""
    from functools import partial

    from ..determination.rdf import to_graph
    from ..errors import StoreError
    from ..store import open_store
    from ..store.factory import is_remote

    store = open_store(location, query_workers=1)
    try:
        if not is_remote(location) and not store.graph_names():  # a new store: give it the knowledge
            store.load_knowledge(engine.knowledge_graph)
        taken = [case.case_id for case, _ in stored if store.has_case(case.case_id)]
        if taken:
            raise StoreError(f"case id(s) already stored in {location}: {', '.join(taken)} (nothing was "
                             "written; re-decide stored cases with `necessity redecide` or the API)")
        for case, det in stored:
            store.add_case(case.case_id, case.graph, partial(to_graph, det))
    finally:
        store.close()
    print(f"stored {len(stored)} case(s) with their determinations in {location}", file=sys.stderr)
