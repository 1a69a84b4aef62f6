"""Benchmark the decision path: cold start, warm latency, throughput, the naive call, inference choices.

One run measures, on the bundled cases and on a generated batch (``bench.generate_cases``):

1. cold start of ``necessity check <one case> --json`` as a whole process (min / median / max);
2. warm per-case latency in one process: ``load_case`` + ``Engine.decide`` + ``to_dict`` (median, p99),
   with the time split between loading, inference, validation and determination;
3. batch throughput with ``multiprocessing.Pool(1)`` and ``Pool(2)`` (each worker builds its Engine
   once in its initializer), cases per second and the speed-up;
4. the naive call a newcomer would write (``reasoner.validation.naive_validate``: pyshacl with the
   ontology as ``ont_graph``, ``inference="owlrl"``, ``advanced=True``, the rules in the shapes graph)
   on a sample, its median, the ratio naive / fast, and whether both give the same results;
5. how to compute the ontology closure once (owlrl vs ``reasonable``) and what the per-case rule
   step costs on pyoxigraph vs the same rules in rdflib, as ratios.

The machine is small and shared: every comparison is made inside one run and quoted as a ratio.
Nothing here asserts a speed. Run::

    python -m bench.bench_decide                 # everything, about 5-8 minutes
    python -m bench.bench_decide --cases 200 --naive-sample 1 --cold-runs 3   # a quick look

The table goes to standard output and the figures, as JSON, to ``bench/results/`` (git-ignored).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import multiprocessing as mp
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from importlib.metadata import PackageNotFoundError, version as package_version
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.generate_cases import generate  # noqa: E402

RESULTS = HERE / "results"


# ---------------------------------------------------------------- small helpers

def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def summary_ms(values: list[float]) -> dict:
    """min / median / p90 / p99 / max of seconds, in milliseconds."""
    if not values:
        return {"n": 0}
    return {"n": len(values), "min": 1000 * min(values), "median": 1000 * statistics.median(values),
            "p90": 1000 * percentile(values, 90), "p99": 1000 * percentile(values, 99),
            "max": 1000 * max(values)}


def fmt_ms(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def versions() -> dict:
    out = {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()}
    for name in ("rdflib", "pyshacl", "owlrl", "pyoxigraph", "reasonable"):
        try:
            out[name] = package_version(name)
        except PackageNotFoundError:
            out[name] = None
    with contextlib.suppress(Exception):
        out["commit"] = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                       text=True, check=True).stdout.strip()
    return out


def bundled_case_files() -> list[Path]:
    return sorted((ROOT / "cases").glob("*.json"))


def case_bytes(cases: list[dict]) -> list[bytes]:
    return [json.dumps(case).encode("utf-8") for case in cases]


# ---------------------------------------------------------------- 1. cold start

def check_command() -> list[str]:
    """``necessity`` when it is installed next to this interpreter or on PATH, else ``python -m reasoner.cli``."""
    beside = Path(sys.executable).with_name("necessity")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("necessity")
    if found:
        return [found]
    return [sys.executable, "-m", "reasoner.cli"]


def time_process(argv: list[str], env: dict | None = None) -> tuple[float, int]:
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        log(f"  exit {done.returncode}: {done.stderr.decode(errors='replace')[-400:]}")
    return elapsed, done.returncode


def bench_cold(runs: int, with_empty_cache: bool) -> dict:
    case = bundled_case_files()[0]
    argv = check_command() + ["check", str(case.relative_to(ROOT)), "--json"]
    installed = Path(argv[0]).name == "necessity"
    shown = " ".join(["necessity" if installed else "python -m reasoner.cli"] + argv[1 if installed else 3:])
    log(f"cold start: {shown} x {runs} (+1 warm-up)")
    time_process(argv)  # warm-up: fills the OS page cache and the closure cache
    walls = [time_process(argv)[0] for _ in range(runs)]
    baseline = [sys.executable, "-c", "import reasoner.cli.check"]
    imports = [time_process(baseline)[0] for _ in range(max(3, runs // 2))]
    python_only = [time_process([sys.executable, "-c", "pass"])[0] for _ in range(3)]
    out = {"command": shown, "wall": summary_ms(walls), "import_reasoner_check": summary_ms(imports),
           "python_startup": summary_ms(python_only)}
    if with_empty_cache:
        with tempfile.TemporaryDirectory() as cache:
            env = dict(os.environ, NECESSITY_CACHE_DIR=cache)
            log("cold start with an empty closure cache (the first run on a machine), x1")
            out["wall_empty_cache"] = summary_ms([time_process(argv, env)[0]])
    return out


# ---------------------------------------------------------------- 2. warm latency in one process

class PhaseTimer:
    """Wraps the engine module's infer / validate_case / determine to time each phase of decide()."""

    NAMES = ("infer", "validate_case", "determine")

    def __init__(self) -> None:
        import reasoner.engine as engine_module

        self.module = engine_module
        self.saved: dict[str, object] = {}
        self.times: dict[str, float] = {}

    def __enter__(self) -> PhaseTimer:
        for name in self.NAMES:
            original = getattr(self.module, name, None)
            if original is None:
                continue
            self.saved[name] = original
            self.module.__dict__[name] = self._wrap(name, original)
        return self

    def _wrap(self, name, original):
        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.times[name] = self.times.get(name, 0.0) + time.perf_counter() - start
        return timed

    def __exit__(self, *exc) -> None:
        for name, original in self.saved.items():
            self.module.__dict__[name] = original

    def take(self) -> dict[str, float]:
        out, self.times = self.times, {}
        return out


def _loader():
    """The case reader: the JSON-LD loader, or the form builder of the fast path (NECESSITY_BENCH_LOADER=form)."""
    if os.environ.get("NECESSITY_BENCH_LOADER", "form") == "form":
        from reasoner.loading.form_graph import load_form

        return lambda data, content_type=None: load_form(data)
    from reasoner.loading import load_case

    return load_case


def decide_one(engine, data: bytes) -> tuple[str, dict[str, str], dict]:
    load_case = _loader()
    case = load_case(data, content_type="application/json")
    determination = engine.decide(case)
    body = determination.to_dict()
    return case.case_id, dict(determination.outcomes), body


def bench_warm(engine, label: str, payloads: list[bytes], repeat: int) -> tuple[dict, dict[str, dict]]:
    """Per-case latency (load + decide + to_dict) with a phase split; returns (figures, outcomes by case)."""
    load_case = _loader()

    totals, parts = [], {"load_case": [], "infer": [], "validate_case": [], "determine": [], "to_dict": []}
    outcomes: dict[str, dict] = {}
    with PhaseTimer() as phases:
        for _ in range(repeat):
            for data in payloads:
                start = time.perf_counter()
                case = load_case(data, content_type="application/json")
                loaded = time.perf_counter()
                determination = engine.decide(case)
                decided = time.perf_counter()
                determination.to_dict()
                end = time.perf_counter()
                totals.append(end - start)
                split = phases.take()
                parts["load_case"].append(loaded - start)
                parts["to_dict"].append(end - decided)
                for name in ("infer", "validate_case", "determine"):
                    if name in split:
                        parts[name].append(split[name])
                outcomes[case.case_id] = dict(determination.outcomes)
    figures = {"label": label, "cases": len(payloads), "repeat": repeat, "per_case": summary_ms(totals),
               "phases_median_ms": {k: 1000 * statistics.median(v) for k, v in parts.items() if v},
               "phases_mean_ms": {k: 1000 * statistics.fmean(v) for k, v in parts.items() if v}}
    return figures, outcomes


# ---------------------------------------------------------------- 3. throughput

_WORKER_ENGINE = None


def _worker_init() -> None:
    global _WORKER_ENGINE
    from reasoner.engine import Engine

    _WORKER_ENGINE = Engine.load()


def _worker_ready(_: int) -> int:
    time.sleep(0.3)   # holds this worker so the next task goes to another one: all are ready after
    return os.getpid()


def _worker_decide(data: bytes) -> tuple[str, dict[str, str]]:
    case_id, outcomes, _body = decide_one(_WORKER_ENGINE, data)
    return case_id, outcomes


def bench_throughput(payloads: list[bytes], processes: int) -> dict:
    log(f"throughput: Pool({processes}) over {len(payloads)} cases")
    start = time.perf_counter()
    with mp.Pool(processes, initializer=_worker_init) as pool:
        pids = set(pool.map(_worker_ready, range(2 * processes), chunksize=1))
        ready = time.perf_counter()
        t0 = time.perf_counter()
        results = pool.map(_worker_decide, payloads, chunksize=8)
        wall = time.perf_counter() - t0
    return {"processes": processes, "workers_seen": len(pids), "cases": len(payloads), "wall_s": wall,
            "cases_per_s": len(payloads) / wall, "startup_s": ready - start,
            "outcomes": {case_id: outcomes for case_id, outcomes in results}}


# ---------------------------------------------------------------- 4. the naive call

def _naive_job(data: bytes) -> tuple[float, list]:
    """In a child process: the naive call on one case, timed (the Engine is only used to find the inputs)."""
    from reasoner.loading import load_case
    from reasoner.validation import naive_validate

    engine = _WORKER_ENGINE
    case = load_case(data, content_type="application/json")
    version = engine.knowledge.policy_version(case.requested_policy or _default_policy())
    start = time.perf_counter()
    results = naive_validate(case.graph, version, engine.knowledge.rules_graph, engine.knowledge.ontology)
    return time.perf_counter() - start, [_as_tuple(r) for r in results]


def _default_policy() -> str:
    from reasoner.engine import DEFAULT_POLICY

    return DEFAULT_POLICY


def fast_results(engine, data: bytes) -> tuple[float, list]:
    """The fast path's validation results for one case: inference + validation, timed."""
    from reasoner.loading import load_case
    from reasoner.validation import validate_case

    case = load_case(data, content_type="application/json")
    version = engine.knowledge.policy_version(case.requested_policy or _default_policy())
    start = time.perf_counter()
    results = validate_case(engine.infer(case), version)
    return time.perf_counter() - start, [_as_tuple(r) for r in results]


def _as_tuple(result) -> tuple:
    return (result.focus, result.shape, result.severity, result.value)


def _short(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1] if iri.startswith("http") else iri


def bench_naive(engine, named: list[tuple[str, bytes]], sample: int, timeout: float, budget: float) -> dict:
    """The naive call on up to ``sample`` cases, each in a child process bounded by ``timeout`` seconds."""
    rows, spent = [], 0.0
    if sample <= 0:
        return {"sample": 0, "rows": []}
    # a single-worker pool reused across cases; a timed-out call kills it and a new one is made
    pool = mp.Pool(1, initializer=_worker_init)
    try:
        for name, data in named[:sample]:
            if spent > budget:
                log(f"naive: time budget of {budget:.0f} s spent; {name} and later cases skipped")
                break
            fast_time, fast = min((fast_results(engine, data) for _ in range(3)), key=lambda x: x[0])
            log(f"naive: {name} (limit {timeout:.0f} s)")
            job = pool.apply_async(_naive_job, (data,))
            started = time.perf_counter()
            try:
                naive_time, naive = job.get(timeout=timeout)
                naive = [tuple(r) for r in naive]
            except mp.TimeoutError:
                spent += time.perf_counter() - started
                pool.terminate()
                pool.join()
                pool = mp.Pool(1, initializer=_worker_init)
                rows.append({"case": name, "naive_s": None, "timed_out_after_s": timeout,
                             "fast_ms": 1000 * fast_time, "agree": None})
                continue
            spent += time.perf_counter() - started
            fast_set, naive_set = set(fast), set(naive)
            row = {"case": name, "naive_s": naive_time, "fast_ms": 1000 * fast_time,
                   "ratio": naive_time / fast_time, "agree": fast_set == naive_set,
                   "results_fast": len(fast_set), "results_naive": len(naive_set)}
            if fast_set != naive_set:
                row["only_fast"] = sorted([_short(r[1]), _short(r[0]), _short(r[2]), r[3]] for r in fast_set - naive_set)
                row["only_naive"] = sorted([_short(r[1]), _short(r[0]), _short(r[2]), r[3]] for r in naive_set - fast_set)
                row["shapes_differing"] = sorted({_short(r[1]) for r in fast_set ^ naive_set})
            rows.append(row)
    finally:
        pool.terminate()
        pool.join()
    timed = [r for r in rows if r.get("naive_s") is not None]
    out: dict = {"sample": len(rows), "rows": rows, "timeout_s": timeout}
    if timed:
        naive_median = statistics.median(r["naive_s"] for r in timed)
        fast_median = statistics.median(r["fast_ms"] for r in timed) / 1000
        out.update(naive_median_s=naive_median, fast_median_ms=1000 * fast_median,
                   ratio_of_medians=naive_median / fast_median,
                   ratio_per_case_median=statistics.median(r["ratio"] for r in timed),
                   agree=sum(1 for r in timed if r["agree"]), compared=len(timed))
    timed_out = [r for r in rows if r.get("naive_s") is None]
    if timed_out:
        fast_median = statistics.median(r["fast_ms"] for r in timed_out) / 1000
        out["timed_out"] = len(timed_out)
        out["ratio_lower_bound_from_timeouts"] = timeout / fast_median
    return out


# ---------------------------------------------------------------- 5. inference mechanisms

def _owlrl_closure(ontology):
    """The ontology's OWL RL closure by owlrl, as the compiled knowledge builds it."""
    import owlrl
    from rdflib import Graph, Literal

    closure = Graph()
    for triple in ontology:
        closure.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, rdfs_closure=False, axiomatic_triples=False,
                           datatype_axioms=False).expand(closure)
    return {t for t in closure if not isinstance(t[0], Literal) and not isinstance(t[1], Literal)}


def _reasonable_closure(ontology):
    import reasonable

    reasoner = reasonable.PyReasoner()
    reasoner.from_graph(ontology)
    return set(reasoner.reason())


def _named_types(triples) -> set:
    from rdflib import RDF, URIRef

    return {(s, o) for s, p, o in triples if p == RDF.type and isinstance(s, URIRef) and isinstance(o, URIRef)}


def bench_closure(engine, owlrl_runs: int, reasonable_runs: int) -> dict:
    ontology = engine.knowledge.ontology
    out: dict = {"ontology_triples": len(ontology)}
    log(f"closure: owlrl x{owlrl_runs}")
    owl_times, owl = [], set()
    for _ in range(owlrl_runs):
        start = time.perf_counter()
        owl = _owlrl_closure(ontology)
        owl_times.append(time.perf_counter() - start)
    out["owlrl"] = {"seconds": summary_ms(owl_times), "triples": len(owl)}
    try:
        import reasonable  # noqa: F401
    except ImportError:
        out["reasonable"] = None
        return out
    log(f"closure: reasonable x{reasonable_runs}")
    rs_times, rs = [], set()
    for _ in range(reasonable_runs):
        start = time.perf_counter()
        rs = _reasonable_closure(ontology)
        rs_times.append(time.perf_counter() - start)
    out["reasonable"] = {"seconds": summary_ms(rs_times), "triples": len(rs)}
    out["ratio_owlrl_over_reasonable"] = statistics.median(owl_times) / statistics.median(rs_times)
    owl_types, rs_types = _named_types(owl), _named_types(rs)
    nec = "https://w3id.org/necessity/"
    owl_nec = {t for t in owl_types if str(t[1]).startswith(nec)}
    rs_nec = {t for t in rs_types if str(t[1]).startswith(nec)}
    out["named_types_to_project_classes"] = {
        "owlrl": len(owl_nec), "reasonable": len(rs_nec), "only_owlrl": len(owl_nec - rs_nec),
        "only_reasonable": len(rs_nec - owl_nec),
        "examples_only_owlrl": sorted(f"{_short(str(s))} a {_short(str(o))}" for s, o in owl_nec - rs_nec)[:8],
        "examples_only_reasonable": sorted(f"{_short(str(s))} a {_short(str(o))}" for s, o in rs_nec - owl_nec)[:8],
    }
    return out


def _plain_from_ox(term):
    """pyoxigraph -> rdflib, with xsd:string literals as plain literals, as rdflib parses them."""
    from rdflib import XSD, Literal

    from reasoner.knowledge.compiled import from_ox

    out = from_ox(term)
    if isinstance(out, Literal) and out.datatype == XSD.string:
        return Literal(str(out))
    return out


class _CaseTimeout(Exception):
    pass


def bench_rules(engine, payloads: list[bytes], repeat: int, rdflib_cases: int, rdflib_limit: float) -> dict:
    """The per-case rule step: pyoxigraph (the engine's infer) vs the same CONSTRUCTs in rdflib."""
    import signal

    from rdflib import Graph, URIRef, Variable
    from rdflib.plugins.sparql import prepareQuery

    from reasoner.loading import load_case

    knowledge = engine.knowledge
    cases = [load_case(data, content_type="application/json") for data in payloads]
    log(f"rules: pyoxigraph over {len(cases)} cases x{repeat}")
    ox_times, ox_outputs = [], {}
    for case in cases:
        for _ in range(repeat):
            start = time.perf_counter()
            ox_outputs[case.case_id] = engine.infer(case)
            ox_times.append(time.perf_counter() - start)

    # rdflib: one long-lived graph holding the closure; add the case, run the rules, remove what was added
    base = Graph()
    for quad in knowledge.closure.quads_for_pattern(None, None, None, None):
        base.add((_plain_from_ox(quad.subject), _plain_from_ox(quad.predicate), _plain_from_ox(quad.object)))
    start = time.perf_counter()
    prepared = [(order, prepareQuery(query)) for order, query in knowledge.rules]
    prepare_s = time.perf_counter() - start

    def rdflib_rules(case, per_rule: dict) -> set:
        added = [t for t in case.graph if t not in base]
        for triple in added:
            base.add(triple)
        derived_all: set = set()
        try:
            for order, query in prepared:
                began = time.perf_counter()
                derived = [t for t in base.query(query, initBindings={Variable("this"): URIRef(case.iri)})
                           if t not in base]
                per_rule.setdefault(order, []).append(time.perf_counter() - began)
                for triple in derived:
                    base.add(triple)
                derived_all.update(derived)
        finally:
            for triple in added:
                base.remove(triple)
            for triple in derived_all:
                base.remove(triple)
        return derived_all | set(added)

    def on_alarm(*_args):
        raise _CaseTimeout()

    rdf_times, per_rule, agree, differ, stopped = [], {}, 0, [], []
    previous = signal.signal(signal.SIGALRM, on_alarm)
    try:
        for case in cases[:rdflib_cases]:
            log(f"rules: rdflib on {case.case_id} (limit {rdflib_limit:.0f} s)")
            start = time.perf_counter()
            signal.setitimer(signal.ITIMER_REAL, rdflib_limit)
            try:
                rdf_out = rdflib_rules(case, per_rule)
            except _CaseTimeout:
                stopped.append(case.case_id)
                # the graph may hold the case: rebuild the closure-only graph
                base.remove((None, None, None))
                for quad in knowledge.closure.quads_for_pattern(None, None, None, None):
                    base.add(tuple(_plain_from_ox(x) for x in (quad.subject, quad.predicate, quad.object)))
                continue
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            rdf_times.append(time.perf_counter() - start)
            ox_derived = {t for t in ox_outputs[case.case_id] if t not in base}
            rdf_derived = {t for t in rdf_out if t not in base}
            if {_normal(t) for t in ox_derived} == {_normal(t) for t in rdf_derived}:
                agree += 1
            else:
                diff = {_normal(t) for t in ox_derived} ^ {_normal(t) for t in rdf_derived}
                differ.append({"case": case.case_id, "examples": sorted(
                    f"{_short(str(s))} {_short(str(p))} {_short(str(o))}" for s, p, o in diff)[:6]})
    finally:
        signal.signal(signal.SIGALRM, previous)
    out = {"rules": len(knowledge.rules), "cases_pyoxigraph": len(cases), "repeat": repeat,
           "pyoxigraph_infer": summary_ms(ox_times), "rdflib_rules": summary_ms(rdf_times),
           "rdflib_cases": min(rdflib_cases, len(cases)), "rdflib_stopped_at_limit": stopped,
           "rdflib_limit_s": rdflib_limit, "rdflib_prepare_once_ms": 1000 * prepare_s,
           "rdflib_per_rule_median_ms": {str(k): 1000 * statistics.median(v) for k, v in sorted(per_rule.items())},
           "agree": agree, "differ": differ}
    if rdf_times:
        out["ratio_rdflib_over_pyoxigraph"] = statistics.median(rdf_times) / statistics.median(ox_times)
    elif stopped:
        out["ratio_lower_bound"] = rdflib_limit / statistics.median(ox_times)
    return out


def _normal(triple) -> tuple:
    """A triple with literals compared by lexical form and datatype only (plain = xsd:string)."""
    from rdflib import XSD, Literal

    def norm(term):
        if isinstance(term, Literal) and term.datatype in (XSD.decimal, XSD.integer):
            with contextlib.suppress(Exception):
                return ("N", Decimal(str(term)).normalize())
        if isinstance(term, Literal):
            return ("L", str(term), str(term.datatype or XSD.string), term.language)
        return term
    return tuple(norm(t) for t in triple)


# ---------------------------------------------------------------- the report

def print_report(report: dict) -> None:
    out = []
    add = out.append
    env = report["environment"]
    add(f"\nNecessity decision benchmark  ({env.get('commit', '?')}; Python {env['python']}, {env['cpus']} CPUs; "
        f"pyshacl {env['pyshacl']}, rdflib {env['rdflib']}, pyoxigraph {env['pyoxigraph']}, "
        f"owlrl {env['owlrl']}, reasonable {env['reasonable']})")
    add(f"command: {report['command']}\n")
    add(f"{'figure':<58} {'min':>8} {'median':>8} {'p99':>8} {'max':>8}  unit")
    add("-" * 100)

    def row(name, s, unit="ms"):
        add(f"{name:<58} {fmt_ms(s.get('min')):>8} {fmt_ms(s.get('median')):>8} {fmt_ms(s.get('p99')):>8} "
            f"{fmt_ms(s.get('max')):>8}  {unit}")

    cold = report.get("cold")
    if cold:
        row(f"cold start: {cold['command']} (n={cold['wall']['n']})", cold["wall"])
        row("  of which: python -c 'import reasoner.cli.check'", cold["import_reasoner_check"])
        row("  of which: python -c pass", cold["python_startup"])
        if "wall_empty_cache" in cold:
            row("  first run ever (empty closure cache, owlrl builds it)", cold["wall_empty_cache"])
    if "engine_load_s" in report:
        add(f"{'Engine.load() in process (after imports)':<58} {'':>8} {fmt_ms(1000 * report['engine_load_s']):>8}")
    for warm in report.get("warm", []):
        row(f"warm per case, {warm['label']} ({warm['cases']} cases x{warm['repeat']})", warm["per_case"])
        phases = warm["phases_median_ms"]
        add("  phase medians (ms): " + ", ".join(f"{k} {fmt_ms(v)}" for k, v in phases.items()))
    tp = report.get("throughput")
    if tp:
        for key in ("p1", "p2"):
            t = tp[key]
            add(f"{'throughput, Pool(%d), %d generated cases' % (t['processes'], t['cases']):<58} "
                f"{t['cases_per_s']:>8.1f} cases/s  (wall {t['wall_s']:.1f} s, worker start {t['startup_s']:.1f} s)")
        add(f"{'  speed-up Pool(2) / Pool(1)':<58} {tp['speedup']:>8.2f} x;  outcomes identical: "
            f"{tp['outcomes_identical']}")
    naive = report.get("naive")
    if naive and naive.get("sample"):
        if naive.get("compared"):
            add(f"{'naive call (owlrl per case), median of %d' % naive['compared']:<58} "
                f"{'':>8} {naive['naive_median_s'] * 1000:>8,.0f} ms")
            add(f"{'fast inference + validation, same cases, median':<58} {'':>8} "
                f"{fmt_ms(naive['fast_median_ms']):>8} ms")
            add(f"{'ratio naive / fast (median of per-case ratios)':<58} {naive['ratio_per_case_median']:>8,.0f} x"
                f"   (of medians: {naive['ratio_of_medians']:,.0f} x)")
            add(f"{'agreement (same result sets)':<58} {naive['agree']:>8} of {naive['compared']}")
        if naive.get("timed_out"):
            add(f"{'naive calls stopped at the time limit':<58} {naive['timed_out']:>8} "
                f"(limit {naive['timeout_s']:.0f} s; ratio > {naive['ratio_lower_bound_from_timeouts']:,.0f} x)")
        for r in naive["rows"]:
            if r.get("agree") is False:
                add(f"  DISAGREEMENT {r['case']}: shapes {', '.join(r['shapes_differing'])}")
                for item in r["only_fast"]:
                    add(f"    only fast : {item}")
                for item in r["only_naive"]:
                    add(f"    only naive: {item}")
    clo = report.get("closure")
    if clo:
        add(f"{'ontology closure once: owlrl (%d triples in -> %d)' % (clo['ontology_triples'], clo['owlrl']['triples']):<58} "
            f"{fmt_ms(clo['owlrl']['seconds']['min']):>8} {fmt_ms(clo['owlrl']['seconds']['median']):>8}")
        if clo.get("reasonable"):
            add(f"{'ontology closure once: reasonable (-> %d triples)' % clo['reasonable']['triples']:<58} "
                f"{fmt_ms(clo['reasonable']['seconds']['min']):>8} {fmt_ms(clo['reasonable']['seconds']['median']):>8}")
            t = clo["named_types_to_project_classes"]
            add(f"{'  ratio owlrl / reasonable':<58} {clo['ratio_owlrl_over_reasonable']:>8.0f} x;  "
                f"project-class types: owlrl {t['owlrl']}, reasonable {t['reasonable']} "
                f"(only owlrl {t['only_owlrl']}, only reasonable {t['only_reasonable']})")
    rules = report.get("rules")
    if rules:
        row(f"per-case rules ({rules['rules']}), pyoxigraph (engine.infer)", rules["pyoxigraph_infer"])
        row(f"per-case rules, same CONSTRUCTs in rdflib (prepared, {rules['rdflib_cases']} cases)",
            rules["rdflib_rules"])
        if "ratio_rdflib_over_pyoxigraph" in rules:
            add(f"{'  ratio rdflib / pyoxigraph':<58} {rules['ratio_rdflib_over_pyoxigraph']:>8,.0f} x;  "
                f"same derivations on {rules['agree']} of {len(rules['rdflib_rules']) and rules['rdflib_rules']['n']} cases")
        if rules["rdflib_stopped_at_limit"]:
            add(f"  rdflib stopped at the {rules['rdflib_limit_s']:.0f} s limit on: "
                + ", ".join(rules["rdflib_stopped_at_limit"]))
        slow = sorted(rules["rdflib_per_rule_median_ms"].items(), key=lambda kv: -kv[1])[:3]
        if slow:
            add("  slowest rules in rdflib (order: median ms): " + ", ".join(f"{k}: {fmt_ms(v)}" for k, v in slow))
        for d in rules["differ"]:
            add(f"  derivations differ on {d['case']}: {'; '.join(d['examples'])}")
    add(f"\nwhole run: {report['run_seconds']:.0f} s; JSON: {report.get('json_path', '-')}")
    print("\n".join(out))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1000, help="generated cases (default 1000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat-bundled", type=int, default=20, help="passes over the bundled cases (default 20)")
    parser.add_argument("--cold-runs", type=int, default=5)
    parser.add_argument("--no-empty-cache", action="store_true", help="skip the first-run-ever cold start")
    parser.add_argument("--naive-sample", type=int, default=2,
                        help="cases for the naive call: bundled first, then generated (default 2)")
    parser.add_argument("--naive-timeout", type=float, default=150, help="seconds per naive call (default 150)")
    parser.add_argument("--naive-budget", type=float, default=300, help="seconds for all naive calls (default 300)")
    parser.add_argument("--rdflib-cases", type=int, default=2, help="cases for the rdflib rule step (default 2)")
    parser.add_argument("--rdflib-limit", type=float, default=60, help="seconds per rdflib rule case (default 60)")
    parser.add_argument("--skip", action="append", default=[],
                        choices=["cold", "warm", "throughput", "naive", "closure", "rules"])
    parser.add_argument("--validator", choices=["fast", "pyshacl"], default=None,
                        help="the engine's validator (default: the engine's default, the compiled fast path)")
    parser.add_argument("--loader", choices=["form", "jsonld"], default="form",
                        help="read cases with the fast form builder (default) or the JSON-LD loader")
    parser.add_argument("--out", type=Path, default=None, help="JSON output file (default bench/results/...)")
    args = parser.parse_args(argv)
    os.environ["NECESSITY_BENCH_LOADER"] = args.loader   # inherited by the pool workers
    if args.validator:
        os.environ["NECESSITY_VALIDATOR"] = args.validator

    began = time.perf_counter()
    report: dict = {"environment": versions(),
                    "command": "python -m bench.bench_decide " + " ".join(argv if argv is not None else sys.argv[1:]),
                    "arguments": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()}}

    bundled = [(p.stem, p.read_bytes()) for p in bundled_case_files()]
    generated_cases = generate(args.cases, seed=args.seed)
    generated = case_bytes(generated_cases)
    report["generated"] = {"cases": len(generated), "seed": args.seed}
    log(f"{len(bundled)} bundled cases, {len(generated)} generated")

    if "cold" not in args.skip:
        report["cold"] = bench_cold(args.cold_runs, with_empty_cache=not args.no_empty_cache)

    start = time.perf_counter()
    from reasoner.engine import Engine
    imported = time.perf_counter()
    engine = Engine.load()
    report["imports_s"] = imported - start
    report["engine_load_s"] = time.perf_counter() - imported

    warm_outcomes: dict = {}
    if "warm" not in args.skip:
        log("warm-up")
        for _name, data in bundled:
            decide_one(engine, data)
        log(f"warm: bundled x{args.repeat_bundled}")
        bundled_figures, _ = bench_warm(engine, "bundled", [d for _n, d in bundled], args.repeat_bundled)
        log(f"warm: {len(generated)} generated x1")
        generated_figures, warm_outcomes = bench_warm(engine, "generated", generated, 1)
        report["warm"] = [bundled_figures, generated_figures]

    if "throughput" not in args.skip and generated:
        p1 = bench_throughput(generated, 1)
        p2 = bench_throughput(generated, 2)
        identical = p1["outcomes"] == p2["outcomes"] and (not warm_outcomes or warm_outcomes == p1["outcomes"])
        for t in (p1, p2):
            t.pop("outcomes")
        report["throughput"] = {"p1": p1, "p2": p2, "speedup": p2["cases_per_s"] / p1["cases_per_s"],
                                "outcomes_identical": identical}

    if "naive" not in args.skip:
        named = bundled + [(case["id"], data) for case, data in zip(generated_cases, generated)]
        report["naive"] = bench_naive(engine, named, args.naive_sample, args.naive_timeout, args.naive_budget)

    if "closure" not in args.skip:
        report["closure"] = bench_closure(engine, owlrl_runs=1, reasonable_runs=5)

    if "rules" not in args.skip:
        sample = [d for _n, d in bundled] + generated[:20]
        report["rules"] = bench_rules(engine, sample, repeat=3, rdflib_cases=args.rdflib_cases,
                                      rdflib_limit=args.rdflib_limit)

    report["run_seconds"] = time.perf_counter() - began
    path = args.out or RESULTS / f"decide-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    report["json_path"] = str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else path.name
    path.write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")
    print_report(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
