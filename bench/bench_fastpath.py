"""The compiled fast path against the pyshacl reference, in one run: warm latency and batch throughput.

1. warm per case on the bundled cases, the two paths interleaved in one process: reference
   (``load_case`` JSON-LD loader + pyshacl) and fast (``load_form`` + compiled shapes), each with
   ``to_dict``; wall and CPU-time medians (the CPU time is less hurt by a shared machine);
2. batch over ``--cases`` generated cases in ``Pool(2)``: ``Engine.decide_many`` (set-at-a-time, one
   store per batch of ``--batch-size``) against the fast path one case at a time; cases per second,
   and whether both give the same outcomes.

    python -m bench.bench_fastpath --cases 10000
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.generate_cases import generate  # noqa: E402

_ENGINE = None


def _init() -> None:
    global _ENGINE
    from reasoner.engine import Engine

    _ENGINE = Engine.load(validator="fast")


def _ready(_: int) -> int:
    time.sleep(0.3)
    return 0


def _many(chunk: list[str]) -> list[tuple[str, str]]:
    from reasoner.loading.form_graph import load_form

    return [(d.case_id, d.outcome) for d in _ENGINE.decide_many([load_form(t) for t in chunk],
                                                                 batch_size=len(chunk))]


def _one(chunk: list[str]) -> list[tuple[str, str]]:
    from reasoner.loading.form_graph import load_form

    return [(d.case_id, d.outcome) for d in (_ENGINE.decide(load_form(t)) for t in chunk)]


def throughput(texts: list[str], job, processes: int, chunk: int) -> dict:
    chunks = [texts[i:i + chunk] for i in range(0, len(texts), chunk)]
    with mp.Pool(processes, initializer=_init) as pool:
        pool.map(_ready, range(2 * processes), chunksize=1)
        start = time.perf_counter()
        out = [row for part in pool.imap(job, chunks) for row in part]
        wall = time.perf_counter() - start
    return {"cases": len(texts), "wall_s": wall, "cases_per_s": len(texts) / wall, "outcomes": out}


def warm(repeat: int) -> dict:
    from reasoner.engine import Engine
    from reasoner.loading.form_graph import load_form
    from reasoner.loading import load_case

    reference = Engine.load(validator="pyshacl")
    fast = Engine(reference.knowledge, validator="fast")
    payloads = [p.read_bytes() for p in sorted((ROOT / "cases").glob("*.json"))]
    runs = {"reference": ([], []), "fast": ([], [])}
    for _ in range(repeat + 1):
        for data in payloads:
            for name, engine, load in (("reference", reference, load_case), ("fast", fast, load_form)):
                w0, c0 = time.perf_counter(), time.process_time()
                engine.decide(load(data)).to_dict()
                runs[name][0].append(time.perf_counter() - w0)
                runs[name][1].append(time.process_time() - c0)
    out = {}
    for name, (walls, cpus) in runs.items():
        walls, cpus = walls[len(payloads):], cpus[len(payloads):]   # the first pass is warm-up
        ordered = sorted(walls)
        out[name] = {"wall_median_ms": 1000 * statistics.median(walls),
                     "wall_p99_ms": 1000 * ordered[max(0, int(0.99 * len(ordered)) - 1)],
                     "cpu_median_ms": 1000 * statistics.median(cpus)}
    out["ratio_wall"] = out["reference"]["wall_median_ms"] / out["fast"]["wall_median_ms"]
    out["ratio_cpu"] = out["reference"]["cpu_median_ms"] / out["fast"]["cpu_median_ms"]
    return out


def plan(count: int, batch_size: int) -> list[dict]:
    """Each rule timed both ways (once for a batch, case by case) in one process, as the plan sees it."""
    from reasoner.engine import Engine
    from reasoner.loading.form_graph import load_form

    engine = Engine.load(validator="fast")
    forms = [load_form(json.dumps(form, default=str)) for form in generate(count, seed=1)]
    engine.decide_many(forms, batch_size=batch_size)
    out = []
    for rule, cost in zip(engine.fast.rules, engine.fast.plan.costs()):
        out.append({"order": rule.order, "label": rule.label,
                    **{f"{way}_ms_per_case": 1000 * seconds for way, seconds in cost.items()}})
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--repeat", type=int, default=10, help="passes over the bundled cases")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--skip", action="append", default=[], choices=["warm", "batch", "one", "plan"])
    args = parser.parse_args(argv)
    report: dict = {"command": "python -m bench.bench_fastpath " + " ".join(sys.argv[1:] if argv is None else argv)}
    if "warm" not in args.skip:
        report["warm"] = w = warm(args.repeat)
        print(f"warm per case, bundled x{args.repeat}: reference {w['reference']['wall_median_ms']:.1f} ms "
              f"(p99 {w['reference']['wall_p99_ms']:.1f}, cpu {w['reference']['cpu_median_ms']:.1f}); "
              f"fast {w['fast']['wall_median_ms']:.1f} ms (p99 {w['fast']['wall_p99_ms']:.1f}, "
              f"cpu {w['fast']['cpu_median_ms']:.1f}); ratio {w['ratio_wall']:.1f}x wall, {w['ratio_cpu']:.1f}x cpu",
              flush=True)
    if "plan" not in args.skip:
        report["plan"] = rows = plan(3 * args.batch_size, args.batch_size)
        print(f"each rule per case, timed once for a batch of {args.batch_size} and case by case (ms):")
        for row in rows:
            batch, single = row.get("batch_ms_per_case"), row.get("single_ms_per_case")
            print(f"  {row['order']:>4.0f} {row['label'][:40]:40s} batch {'-' if batch is None else f'{batch:.3f}':>7} "
                  f"single {'-' if single is None else f'{single:.3f}':>7}", flush=True)
    if "batch" not in args.skip:
        texts = [json.dumps(form, default=str) for form in generate(args.cases, seed=0)]
        many = throughput(texts, _many, args.processes, args.batch_size)
        print(f"batch decide_many, Pool({args.processes}), {len(texts)} cases, batches of {args.batch_size}: "
              f"{many['cases_per_s']:.0f} cases/s (wall {many['wall_s']:.1f} s)", flush=True)
        report["batch"] = {k: v for k, v in many.items() if k != "outcomes"}
        if "one" not in args.skip:
            one = throughput(texts, _one, args.processes, args.batch_size)
            same = one["outcomes"] == many["outcomes"]
            print(f"fast path one case at a time, Pool({args.processes}): {one['cases_per_s']:.0f} cases/s "
                  f"(wall {one['wall_s']:.1f} s); batch / one = {many['cases_per_s'] / one['cases_per_s']:.2f}x; "
                  f"same outcomes: {same}", flush=True)
            report["one_at_a_time"] = {k: v for k, v in one.items() if k != "outcomes"}
            report["same_outcomes"] = same
    out = HERE / "results" / f"fastpath-{time.strftime('%Y%m%dT%H%M%S')}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    print("JSON:", out.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
