"""``necessity policies``: the policies, their versions, the criteria of one version with citations, and
with ``--clauses`` the clause matrix of a version (every clause of its text and what the shapes do)."""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from collections import Counter

__all__ = ["add_parser", "run_policies"]

_STATUSES = ("encoded", "asks-for-document", "not-decidable", "not-applied")


def add_parser(sub: argparse._SubParsersAction) -> None:
    policies = sub.add_parser("policies", help="list policies, their versions and criteria with citations",
                              description="Without POLICY: every policy and its versions. With POLICY (id or "
                                          "id@version): that version's criteria with citations (default: the "
                                          "version in force today); with --clauses, its clause matrix.")
    policies.add_argument("policy", nargs="?", metavar="POLICY",
                          help="show the criteria of this policy (id, or id@version such as cms-ncd-280.14@2019-11)")
    policies.add_argument("--clauses", action="store_true",
                          help="with POLICY: every clause of the version's text, its source, status and the "
                               "criteria that decide it")
    policies.add_argument("--json", action="store_true", help="print JSON instead of text")
    policies.set_defaults(func=run_policies)


def _wrap(text: str, indent: str) -> str:
    return textwrap.fill(text, width=100, initial_indent=indent, subsequent_indent=indent)


def _short(iri: str) -> str:
    """``https://w3id.org/necessity/shapes/common#crit-x`` -> ``common:crit-x``."""
    base, _, local = iri.rpartition("#")
    return f"{base.rsplit('/', 1)[-1]}:{local}" if local else iri


def _print_clauses(version, rows: list[dict]) -> None:
    counts = Counter(r["status"] or "no status" for r in rows)
    tally = ", ".join(f"{counts[s]} {s}" for s in _STATUSES)
    print(f"{version.policy_id}@{version.label}: {len(rows)} clauses ({tally})")
    if not rows:
        print(f"  no clause list: add shapes/clauses/{version.policy_id}.ttl (see shapes/README.md)")
        return
    width = max(len(r["clause"]) for r in rows)
    print(f"\n{'CLAUSE'.ljust(width)}  {'STATUS'.ljust(17)}  SOURCE [CONFIDENCE]")
    for r in rows:
        print(f"{r['clause'].ljust(width)}  {(r['status'] or 'no status').ljust(17)}  {r['source']} [{r['confidence']}]")
        print(_wrap(r["text"], "    "))
        if r["criteria"]:
            print(_wrap("criteria: " + ", ".join(_short(c) for c in r["criteria"]), "    "))
        if r["reason"]:
            print(_wrap("reason: " + r["reason"], "    "))
        print(_wrap("where: " + r["locator"], "    "))


def run_policies(args: argparse.Namespace) -> int:
    from ..engine import Engine

    if args.clauses and not args.policy:
        print("necessity: error: --clauses needs a policy: necessity policies ID[@VERSION] --clauses", file=sys.stderr)
        return 2
    engine = Engine.load()
    if args.clauses:
        from ..policy_view import clause_rows

        version, rows = clause_rows(engine.knowledge, args.policy)
        if args.json:
            sys.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
        else:
            _print_clauses(version, rows)
        return 0
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
            for key in ("covers", "excludes"):
                for group in policy.get(key, []):
                    codes = ", ".join(c["code"] for c in group["codes"]) or "no code listed"
                    print(_wrap(f"{key} {group['label']}: {codes}", "  "))
            from ..policy_view import clause_rows

            _version, rows = clause_rows(engine.knowledge, f"{policy['id']}@{policy['version']}")
            counts = Counter(r["status"] for r in rows)
            print(f"  clauses of version {policy['version']}: {len(rows)} ("
                  + ", ".join(f"{counts[s]} {s}" for s in _STATUSES) + "); --clauses lists them")
            print(f"  criteria of version {policy['version']}:")
            for criterion in policy["criteria"]:
                print(f"  - {criterion['name']} [{', '.join(criterion['severity']) or 'no shape'}]")
                for c in criterion["citations"]:
                    print(_wrap(f"{c['source_id']}: {c['locator']}", "      "))
    return 0
