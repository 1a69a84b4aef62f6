"""``necessity infer`` and ``necessity shapes``: what the shapes see, for policy authors debugging a rule."""

from __future__ import annotations

import argparse
import sys

from ..engine import Engine
from ..loading import load_case_file
from ..namespaces import bind_prefixes

__all__ = ["run_infer", "run_shapes", "parse_policy_spec"]


def parse_policy_spec(spec: str) -> tuple[str, str | None]:
    """Split ``POLICY[@VERSION]`` into the policy id and the version label (None: the current one)."""
    policy, _, version = spec.partition("@")
    return policy, (version or None)


def run_infer(args: argparse.Namespace) -> int:
    """Print the derived case graph (the case, what the rules derived, the knowledge types) as Turtle."""
    engine = Engine.load()
    graph = engine.infer(load_case_file(args.case))
    bind_prefixes(graph)
    sys.stdout.write(graph.serialize(format="turtle"))
    return 0


def run_shapes(args: argparse.Namespace) -> int:
    """Print the shapes graph one policy version validates with (shared shapes plus the policy's own)."""
    engine = Engine.load()
    policy, version = parse_policy_spec(args.policy)
    shapes = engine.knowledge.policy_version(policy, version).shapes_graph
    bind_prefixes(shapes)
    sys.stdout.write(shapes.serialize(format="turtle"))
    return 0
