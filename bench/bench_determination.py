"""What a determination costs after validation: the typed model, its JSON, letters, page and RDF.

    python -m bench.bench_determination              # bundled cases, 5 passes, about 30 s
    python -m bench.bench_determination --passes 2

Prints medians and 90th percentiles (milliseconds) per case for: inference, pyshacl validation,
``determine`` (the model), ``to_json``, the Markdown letter, the HTML page, ``to_graph`` and
``from_graph``, and the size of the determination graph. A fixed decision time keeps runs comparable.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import datetime, timezone

from reasoner.cli.check import bundled_cases
from reasoner.determination import determine
from reasoner.engine import DEFAULT_POLICY, Engine
from reasoner.letters import letter_markdown, reviewer_page
from reasoner.loading import load_case_file
from reasoner.validation import validate_case
from reasoner.determination.rdf import from_graph, to_graph

_IRI = "https://w3id.org/necessity/determination/bench/1"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passes", type=int, default=5)
    args = parser.parse_args(argv)
    engine = Engine.load(clock=lambda: datetime(2026, 1, 5, 12, tzinfo=timezone.utc))
    cases = [load_case_file(p) for p in bundled_cases()]
    times: dict[str, list[float]] = {k: [] for k in (
        "infer", "validate", "determine", "to_json", "markdown letter", "html page", "to_graph", "from_graph")}
    triples: list[int] = []

    def clock(name: str, fn):
        start = time.perf_counter()
        out = fn()
        times[name].append(time.perf_counter() - start)
        return out

    for case in cases:  # warm up
        engine.decide(case)
    for _ in range(args.passes):
        for case in cases:
            version = engine.knowledge.policy_version(case.requested_policy or DEFAULT_POLICY)
            data = clock("infer", lambda: engine.infer(case))
            results = clock("validate", lambda: validate_case(data, version))
            det = clock("determine", lambda: determine(
                knowledge=engine.knowledge, version=version, data=data, case_iri=case.iri, case_id=case.case_id,
                results=results, engine_version=engine.version, field_properties=engine._fields,
                decided_at=engine.clock()))
            clock("to_json", det.to_json)
            clock("markdown letter", lambda: letter_markdown(det))
            clock("html page", lambda: reviewer_page(det))
            graph = clock("to_graph", lambda: to_graph(det, _IRI))
            clock("from_graph", lambda: from_graph(graph, _IRI))
            triples.append(len(graph))
    print(f"{len(cases)} bundled cases x {args.passes} passes (ms per case: median, p90)")
    for name, values in times.items():
        ordered = sorted(values)
        print(f"  {name:<16} {statistics.median(ordered) * 1000:8.1f} {ordered[int(len(ordered) * 0.9)] * 1000:8.1f}")
    print(f"  determination graph: {min(triples)}-{max(triples)} triples, median {statistics.median(triples):.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
