"""``necessity infer`` and ``necessity shapes``: what the shapes see, for policy authors debugging a rule."""

from __future__ import annotations

import argparse
import sys

from pathlib import Path

__all__ = ["add_parser", "run_infer", "run_shapes", "parse_policy_spec"]


def add_parser(sub: argparse._SubParsersAction) -> None:
    infer = sub.add_parser("infer", help="print the derived case graph (what the shapes see) as Turtle")
    infer.add_argument("case", type=Path, help="a case file (.json case form, .ttl, .jsonld)")
    infer.set_defaults(func=run_infer)
    shapes = sub.add_parser("shapes", help="print the shapes graph a policy version validates with, as Turtle")
    shapes.add_argument("policy", metavar="POLICY[@VERSION]", help="policy id, optionally @version label")
    shapes.set_defaults(func=run_shapes)


def parse_policy_spec(spec: str) -> tuple[str, str | None]:
    """Split ``POLICY[@VERSION]`` into the policy id and the version label (None: the current one)."""
    policy, _, version = spec.partition("@")
    return policy, (version or None)


def run_infer(args: argparse.Namespace) -> int:
    """Print the derived case graph (the case, what the rules derived, the knowledge types) as Turtle."""
    from ..engine import Engine
    from ..loading import load_case_file
    from ..namespaces import bind_prefixes

    engine = Engine.load()
    graph = engine.infer(load_case_file(args.case))
    bind_prefixes(graph)
    sys.stdout.write(graph.serialize(format="turtle"))
    return 0


def run_shapes(args: argparse.Namespace) -> int:
    """Print the shapes graph one policy version validates with (shared shapes plus the policy's own)."""
    from ..engine import Engine
    from ..namespaces import bind_prefixes

    engine = Engine.load()
    policy, version = parse_policy_spec(args.policy)
    shapes = engine.knowledge.policy_version(policy, version).shapes_graph
    bind_prefixes(shapes)
    sys.stdout.write(shapes.serialize(format="turtle"))
    return 0
