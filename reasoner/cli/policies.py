"""``necessity policies``: the policies, their versions, and the criteria of one with citations."""

from __future__ import annotations

import argparse
import json
import sys

__all__ = ["add_parser", "run_policies"]


def add_parser(sub: argparse._SubParsersAction) -> None:
    policies = sub.add_parser("policies", help="list policies, their versions and criteria with citations")
    policies.add_argument("policy", nargs="?", help="show the criteria of this policy")
    policies.add_argument("--json", action="store_true", help="print JSON instead of text")
    policies.set_defaults(func=run_policies)


def run_policies(args: argparse.Namespace) -> int:
    from ..engine import Engine

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
