"""What intake costs per case: each input format read into its case graph, and PAS bundles mapped.

In one process, after a warm-up: for the bundled cases (``cases/*.json``) the JSON case form, the
same case as Turtle and as JSON-LD (``load_case``), and for the PAS bundles in ``cases/fhir/``
``parse_pas_request`` (R4B models), ``bundle_to_form`` (mapping) and ``load_form`` (the case-form
checks and graph), then ``response_bundle`` for an answer. Median and p90 per case in milliseconds
over ``--repeat`` passes. Decision time is not included (see ``bench_decide``). Nothing asserts a
speed. Run::

    python -m bench.bench_intake              # about 20 seconds
    python -m bench.bench_intake --repeat 5   # quicker
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _stats(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p90 = ordered[min(len(ordered) - 1, int(round(0.9 * len(ordered))) - 1)]
    return statistics.median(ordered) * 1000, p90 * 1000


def _time(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args(argv)

    started = time.perf_counter()
    from reasoner.fhir import bundle_to_form, parse_pas_request, response_bundle
    from reasoner.loading import case_to_jsonld, load_case, load_form
    from reasoner.namespaces import bind_prefixes
    imports = time.perf_counter() - started

    forms = [json.loads(p.read_text()) for p in sorted((REPO / "cases").glob("*.json"))]
    bodies = {"json": [], "turtle": [], "json-ld": []}
    for form in forms:
        bodies["json"].append(json.dumps(form).encode())
        graph = load_case(json.dumps(form)).graph
        bind_prefixes(graph)
        bodies["turtle"].append(graph.serialize(format="turtle", encoding="utf-8"))
        bodies["json-ld"].append(json.dumps(case_to_jsonld(form)).encode())
    media = {"json": "application/json", "turtle": "text/turtle", "json-ld": "application/ld+json"}
    twins = json.loads((REPO / "cases" / "fhir" / "twins.json").read_text())["twins"]
    bundles = [(REPO / "cases" / "fhir" / name).read_bytes() for name in sorted(twins)]

    start = time.perf_counter()
    parse_pas_request(bundles[0])
    first_bundle = time.perf_counter() - start  # R4B model classes are built on first use
    for fmt, items in bodies.items():  # warm-up
        for body in items:
            load_case(body, content_type=media[fmt])

    rows = []
    for fmt, items in bodies.items():
        samples = []
        for body in items:
            samples += _time(lambda b=body: load_case(b, content_type=media[fmt]), args.repeat)
        rows.append((f"load_case {fmt} ({len(items)} cases)", *_stats(samples)))
    parse, mapping, load, answer = [], [], [], []
    fake = {"case": "x", "policy": {"id": "aetna-cpb-0161"}, "lines": []}
    for body in bundles:
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            request = parse_pas_request(body)
            t1 = time.perf_counter()
            mapped = bundle_to_form(request)
            t2 = time.perf_counter()
            load_form(mapped.form, source_format="fhir")
            t3 = time.perf_counter()
            det = dict(fake, lines=[{"index": i, "code": line["code"], "outcome": "insufficient-documentation",
                                     "missing_documents": [], "reasons": []}
                                    for i, line in enumerate(mapped.form["requested"])])
            response_bundle(request, mapped.sequences, det, decided_at=datetime.now(timezone.utc))
            t4 = time.perf_counter()
            parse.append(t1 - t0)
            mapping.append(t2 - t1)
            load.append(t3 - t2)
            answer.append(t4 - t3)
    total = [a + b + c for a, b, c in zip(parse, mapping, load)]
    rows += [(f"PAS parse_pas_request, R4B ({len(bundles)} bundles)", *_stats(parse)),
             ("PAS bundle_to_form", *_stats(mapping)),
             ("PAS load_form (checks + graph)", *_stats(load)),
             ("PAS intake total (parse + map + load)", *_stats(total)),
             ("PAS response_bundle", *_stats(answer))]

    print(f"python {platform.python_version()} on {platform.machine()}, {args.repeat} passes per case")
    print(f"imports of reasoner.loading + reasoner.fhir: {imports * 1000:.0f} ms; "
          f"first PAS bundle (R4B models built): {first_bundle * 1000:.0f} ms")
    print(f"{'step':<48} {'median ms':>10} {'p90 ms':>8}")
    for name, median, p90 in rows:
        print(f"{name:<48} {median:>10.2f} {p90:>8.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
