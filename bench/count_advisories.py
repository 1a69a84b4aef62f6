"""Count how many cases each advisory fires on: the bundled cases and generated ones, per policy.

Command line::

    python -m bench.count_advisories [-n 1000] [--seed 0]

prints, per policy, the number of cases decided and, per advisory, the cases it fires on (all, and
those whose outcome is meets-criteria). Used to measure the days-of-supply check before and after
issue 23.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from reasoner.engine import Engine
from reasoner.knowledge.paths import data_root
from reasoner.loading import load_case, load_case_file

from .generate_cases import generate

__all__ = ["count"]

POLICIES = ("aetna-cpb-0161", "cms-ncd-280.14")


def count(engine: Engine, cases: list, policy: str) -> tuple[int, Counter, Counter]:
    fired, on_approvals = Counter(), Counter()
    dets = engine.decide_many(cases, policy=policy)
    for det in dets:
        for name in {a.name for a in det.advisories}:
            fired[name] += 1
            if str(det.outcome) == "meets-criteria":
                on_approvals[name] += 1
    return len(dets), fired, on_approvals


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    engine = Engine.load()
    folder = Path(data_root("cases"))
    bundled = [load_case_file(p) for p in sorted(folder.iterdir()) if p.suffix in (".json", ".ttl", ".jsonld")]
    generated = [load_case(json.dumps(form)) for form in generate(args.n, seed=args.seed)]
    for label, cases in (("bundled", bundled), (f"generated (n={args.n}, seed={args.seed})", generated)):
        for policy in POLICIES:
            total, fired, approvals = count(engine, cases, policy)
            print(f"{label} under {policy}: {total} cases")
            for name in sorted(fired):
                print(f"  {name}: fires on {fired[name]} ({approvals[name]} of them approvals)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
