"""``necessity check`` and ``necessity policies``: the command-line front of the engine."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..engine import Engine
from ..errors import CaseLoadError
from ..fhir.load import is_bundle_file, load_pas_bundle
from ..fhir.response import response_bundle
from ..knowledge.paths import data_root
from .render import render_summary
from ..determination.rdf import to_graph

__all__ = ["run_check", "run_policies", "bundled_cases"]


def bundled_cases() -> list[Path]:
    """The example cases shipped in ``cases/`` (JSON case form, Turtle and JSON-LD)."""
    root = data_root("cases")
    return sorted([*root.glob("*.json"), *root.glob("*.ttl"), *root.glob("*.jsonld")])


def run_check(args: argparse.Namespace) -> int:
    from ..batch import expand_paths, read_case_path, run_jsonl

    paths = expand_paths(args.cases) if args.cases else bundled_cases()
    if getattr(args, "jsonl", False):
        workers = getattr(args, "workers", 1)
        return run_jsonl(Engine.load() if workers == 1 else None, paths, policy=args.policy,
                         version=args.policy_version, decided_at=args.decided_at, workers=workers,
                         batch_size=getattr(args, "batch_size", 32))
    engine = Engine.load()
    decided = []
    for path in paths:
        mapped = None
        if is_bundle_file(path):
            case, mapped = load_pas_bundle(path.read_bytes(), source=path.name)
        else:
            case = read_case_path(path)
        det = engine.decide(case, policy=args.policy, version=args.policy_version, decided_at=args.decided_at)
        decided.append(det)
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
    return 0


def run_policies(args: argparse.Namespace) -> int:
    engine = Engine.load()
    policies = [engine.policy(args.policy)] if args.policy else engine.policies()
    if args.json:
        sys.stdout.write(json.dumps(policies, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
        return 0
    for policy in policies:
        versions = ", ".join(f"{v['label']} ({v['effective_date']} to {v['end_date'] or 'open'}"
                             f"{', current' if v['current'] else ''})"
                             for v in policy["versions"])
        print(f"{policy['id']}: {policy['title']}\n  versions: {versions}")
        if args.policy:
            for criterion in policy["criteria"]:
                cites = "; ".join(f"{c['source']} {c['locator']}" for c in criterion["citations"])
                print(f"  - {criterion['name']} [{', '.join(criterion['severity'])}]\n      {cites}")
    return 0
