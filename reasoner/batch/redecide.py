"""Bulk re-decision (``necessity redecide``): re-decide stored cases under one policy version, in bulk.

1. **Snapshot.** The driver reads the stored cases once and writes them to the work folder
   (``cases.nq``, N-Quads, one graph per case; and ``cases.parquet`` for Spark, one row per case
   with its N-Triples). Workers read only this frozen copy, never the live store.
2. **Decide.** :mod:`reasoner.batch.redecide_rows` decides each row with one engine per worker process:
   ``--engine local`` uses a ``multiprocessing`` pool; ``--engine spark`` runs
   ``spark.read.parquet(...).mapInArrow(...)`` and writes Parquet (pyspark is the optional extra
   ``[spark]``; any master works, ``local[2]`` by default).
3. **Load back.** Each determination is a named graph ``<det>/<case>/<policy>@<version>``; the
   driver replaces those graphs in one update, so a re-run leaves one determination per case and
   version.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from ..errors import NecessityError, StoreError
from ..namespaces import CASE
from .redecide_rows import RESULT_FIELDS, decide_rows
from ..store.history import history_update
from ..store.summary import summary_update

__all__ = ["snapshot_cases", "run_local", "run_spark", "load_results", "redecide"]


def _case_ids(store, policy_id: str | None) -> list[str]:
    if policy_id is None:
        sparql = ("PREFIX nec: <https://w3id.org/necessity/ontology#>\n"
                  "SELECT DISTINCT ?case WHERE { ?case a nec:Case } ORDER BY ?case")
    else:
        sparql = ("PREFIX nec: <https://w3id.org/necessity/ontology#>\n"
                  "SELECT DISTINCT ?case WHERE { ?det a nec:Determination ; nec:decidesCase ?case ; "
                  f"nec:policyId {json.dumps(policy_id)} . }} ORDER BY ?case")
    prefix = str(CASE)
    rows = store.query(sparql, timeout=600).bindings()
    return [str(r["case"])[len(prefix):] for r in rows if str(r["case"]).startswith(prefix)]


def snapshot_cases(store, workdir: Path, *, policy_id: str | None, parquet: bool) -> list[tuple[str, str]]:
    """Copy the stored cases (those decided under ``policy_id``, or all) into ``workdir``."""
    workdir.mkdir(parents=True, exist_ok=True)
    rows = []
    with open(workdir / "cases.nq", "w", encoding="utf-8") as out:
        for case_id in _case_ids(store, policy_id):
            text = store.get_case(case_id).serialize(format="nt", encoding="utf-8").decode("utf-8")
            rows.append((case_id, text))
            name = f"<{CASE[case_id]}>"
            out.writelines(f"{line[:-1].rstrip()} {name} .\n" for line in text.splitlines() if line.strip())
    if parquet:
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.table({"case_id": [r[0] for r in rows], "nquads": [r[1] for r in rows]})
        pq.write_table(table, workdir / "cases.parquet")
    return rows


def _decide_chunk(args):
    chunk, kwargs = args
    return list(decide_rows(chunk, **kwargs))


def run_local(rows: list[tuple[str, str]], *, workers: int, **kwargs) -> list[dict]:
    """Decide the rows with a pool of ``workers`` processes (each compiles the knowledge once); one
    worker decides in this process."""
    import multiprocessing

    if not rows:
        return []
    size = max(1, min(64, len(rows) // (workers * 4) or 1))
    chunks = [(rows[i:i + size], kwargs) for i in range(0, len(rows), size)]
    if workers == 1:
        return [result for chunk in chunks for result in _decide_chunk(chunk)]
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        return [result for part in pool.map(_decide_chunk, chunks) for result in part]


_QUIET_LOG4J = """# written by necessity redecide: Spark's own log lines stay out of the terminal (--spark-logs shows them)
rootLogger.level = error
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n
"""


def run_spark(workdir: Path, *, master: str, partitions: int = 2, spark_logs: bool = False, **kwargs) -> list[dict]:
    """Decide ``workdir/cases.parquet`` on Spark with ``mapInArrow``; results go to ``workdir/results``.

    Unless ``spark_logs``, Spark starts with a log4j configuration of errors only (its start-up
    warnings are printed before ``setLogLevel`` could act), written into the work folder.
    """
    from functools import partial

    if not spark_logs and "SPARK_CONF_DIR" not in os.environ:
        conf = workdir / "spark-conf"
        conf.mkdir(parents=True, exist_ok=True)
        (conf / "log4j2.properties").write_text(_QUIET_LOG4J, encoding="utf-8")
        os.environ["SPARK_CONF_DIR"] = str(conf)
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise NecessityError("the Spark engine needs pyspark: pip install 'necessity-reasoner[spark]'") from None
    import pyarrow.parquet as pq

    from .redecide_rows import decide_batches

    spark = (SparkSession.builder.master(master).appName("necessity-redecide")
             .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
             .config("spark.sql.shuffle.partitions", str(partitions)).getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    try:
        schema = ", ".join(f"{name} string" for name in RESULT_FIELDS)
        frame = spark.read.parquet(str(workdir / "cases.parquet")).repartition(partitions)
        frame.mapInArrow(partial(decide_batches, **kwargs), schema).write.mode("overwrite").parquet(
            str(workdir / "results"))
    finally:
        spark.stop()
    return pq.read_table(workdir / "results").to_pylist()


def load_results(store, results: list[dict]) -> int:
    """Replace each result's determination graph in the store, all in one update; returns how many."""
    graphs = [(r["graph"], r["nquads"]) for r in results if r.get("graph") and not r.get("error")]
    if not graphs:
        return 0
    drops = " ;\n".join(f"DROP SILENT GRAPH <{name}>" for name, _ in graphs)
    body = "".join(n for _, n in graphs)
    triples = "\n".join(f"GRAPH <{name}> {{\n" + "".join(line.rsplit(" <", 1)[0] + " .\n"
                                                         for line in text.splitlines()) + "}"
                        for name, text in graphs)
    # with each touched case's history (which determination supersedes which) and summary (what the
    # store queries read), in the same update
    cases = [r["case_id"] for r in results if r.get("graph") and not r.get("error")]
    update = f"{drops} ;\nINSERT DATA {{\n{triples}\n}} ;\n{history_update(cases)} ;\n{summary_update(cases)}"
    inner = getattr(store, "_store", None)
    try:
        if inner is not None:  # embedded: one pyoxigraph update is one transaction
            import pyoxigraph as ox

            list(ox.parse(body.encode("utf-8"), ox.RdfFormat.N_QUADS))  # refuses what is not valid N-Quads
            inner.update(update)
        else:  # remote: one SPARQL 1.1 update request, applied all or nothing
            store._request("POST", store.update_url, content=update.encode("utf-8"),
                           headers={"Content-Type": "application/sparql-update"}, what="update")
    except (OSError, SyntaxError) as exc:
        raise StoreError(f"could not write the determinations: {exc}") from None
    return len(graphs)


def redecide(store, spec: str, *, engine: str = "local", workers: int = 2, master: str = "local[2]",
             workdir: Path | None = None, all_cases: bool = False, shapes_dir: Path | None = None,
             spark_logs: bool = False) -> dict:
    """Snapshot, decide and load back; returns counts and timings.

    Args:
        shapes_dir: a shapes folder to read the policies from instead of ``shapes/`` (extra folders
            still come from ``NECESSITY_SHAPES_PATH``).
    """
    from ..knowledge.policy_files import extra_shapes_dirs
    from .redecide_rows import worker_engine

    shapes = str(Path(shapes_dir).resolve()) if shapes_dir else None
    checker = worker_engine(shapes, tuple(str(p) for p in extra_shapes_dirs()))
    version = checker.knowledge.policy_version(spec)  # an unknown version fails before any work
    spec = f"{version.policy_id}@{version.label}"
    own = workdir is None
    folder = Path(tempfile.mkdtemp(prefix="necessity-redecide-")) if own else Path(workdir)
    kwargs = {"spec": spec, "decided_at": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
              "shapes_dir": shapes, "extra_dirs": tuple(str(p) for p in extra_shapes_dirs())}
    started = time.perf_counter()
    rows = snapshot_cases(store, folder, policy_id=None if all_cases else version.policy_id,
                          parquet=engine == "spark")
    snapshot_s = time.perf_counter() - started
    started = time.perf_counter()
    if engine == "spark":
        results = run_spark(folder, master=master, partitions=max(2, workers), spark_logs=spark_logs, **kwargs)
    else:
        results = run_local(rows, workers=workers, **kwargs)
    decide_s = time.perf_counter() - started
    started = time.perf_counter()
    loaded = load_results(store, results)
    load_s = time.perf_counter() - started
    errors = [{"case": r["case_id"], "error": r["error"]} for r in results if r.get("error")]
    return {"policy_version": spec, "engine": engine, "cases": len(rows), "decided": len(results) - len(errors),
            "loaded": loaded, "errors": errors, "workdir": None if own else str(folder),
            "seconds": {"snapshot": round(snapshot_s, 3), "decide": round(decide_s, 3), "load": round(load_s, 3)},
            "cases_per_second": round(len(rows) / decide_s, 2) if decide_s and rows else None,
            "outcomes": {r["case_id"]: r["outcome"] for r in results if r.get("outcome")}}
