"""Jena SHACL beside the fast path, on the same shapes and the same inferred case graphs.

For each bundled case, the fast path's inferred case graph (the case, the rules' derivations and the
types of the knowledge terms it names: what the shapes read) is written as N-Triples with the
policy's shapes graph as Turtle. Jena (Debian ``libapache-jena-java``) parses the shapes once and,
warm, parses and validates each graph; Python validates the same graphs with the compiled shapes
(load into a named graph + compiled queries) and with pyshacl. Reported: per-case medians, the
result counts of each engine and the ratios. Skipped, with a message, where Java or Jena is absent.

    python -m bench.bench_jena --rounds 30
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from pathlib import Path

import pyoxigraph as ox

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

JARS = Path("/usr/share/java")


def _package_jars(package: str, seen: set[str]) -> list[str]:
    """The jars of a Debian package and of the packages it depends on (recursively)."""
    if package in seen:
        return []
    seen.add(package)
    files = subprocess.run(["dpkg", "-L", package], capture_output=True, text=True).stdout.split()
    jars = [f for f in files if f.endswith(".jar") and Path(f).is_file()]
    depends = subprocess.run(["dpkg-query", "-W", "-f=${Depends}", package], capture_output=True, text=True).stdout
    for part in depends.split(","):
        name = part.strip().split(" ")[0].split("|")[0].strip()
        if name.startswith("lib") and name.endswith("-java"):
            jars += _package_jars(name, seen)
    return jars


def classpath() -> str | None:
    if shutil.which("java") is None or shutil.which("javac") is None:
        print("skipped: no java/javac on PATH (install default-jdk-headless)")
        return None
    if not (JARS / "jena-shacl.jar").is_file():
        print("skipped: Jena SHACL not installed (apt-get install -y libapache-jena-java)")
        return None
    jars = sorted(j for j in set(_package_jars("libapache-jena-java", set()))
                  if not Path(j).name.startswith(("slf4j-jcl", "slf4j-log4j", "slf4j-simple", "slf4j-jdk")))
    return ":".join(jars)


def xerces_resources(work: Path) -> Path:
    """Debian's jena-core keeps the shaded xerces classes as ``xerces.*`` but their messages under
    ``org/apache/jena/ext/xerces/``; copy them where the classes look (see the engine notes)."""
    out = work / "xerces-res"
    with zipfile.ZipFile(JARS / "jena-core.jar") as jar:
        for name in jar.namelist():
            if name.startswith("org/apache/jena/ext/xerces/") and name.endswith(".properties"):
                target = out / name.replace("org/apache/jena/ext/xerces/", "xerces/")
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(jar.read(name))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=30, help="validations per case (the first is warm-up)")
    args = parser.parse_args(argv)
    cp = classpath()
    if cp is None:
        return 0
    from reasoner.engine import DEFAULT_POLICY, Engine
    from reasoner.loading.form_graph import load_form
    from reasoner.fastpath.pipeline import case_data
    from reasoner.fastpath.validate import validate_graphs
    from reasoner.knowledge.compiled import from_ox
    from reasoner.validation import validate_case
    from rdflib import Graph

    engine = Engine.load()
    fast = engine.fast
    work = Path(tempfile.mkdtemp(prefix="necessity-jena-"))
    cases = []
    for path in sorted((ROOT / "cases").glob("*.json")):
        case = case_data(load_form(path.read_bytes()))
        version = engine.knowledge.policy_version(case.requested_policy or DEFAULT_POLICY)
        triples = fast.derive(case)
        data_file = work / f"{path.stem}.nt"
        ox.serialize(triples, output=str(data_file), format=ox.RdfFormat.N_TRIPLES)
        shapes_file = work / f"shapes-{version.policy_id}.ttl"
        if not shapes_file.exists():
            version.shapes_graph.serialize(shapes_file, format="turtle")
        cases.append((path.stem, version, triples, data_file, shapes_file))

    build = subprocess.run(["javac", "-cp", cp, "-d", str(work), str(HERE / "jena" / "JenaShaclBench.java")],
                           capture_output=True, text=True)
    if build.returncode != 0:
        print("skipped: javac failed:", build.stderr[-600:])
        return 0
    jena: dict[str, tuple[int, float]] = {}
    for shapes_file in sorted({c[4] for c in cases}):
        files = [str(c[3]) for c in cases if c[4] == shapes_file]
        run = subprocess.run(["java", "-cp", f"{work}:{xerces_resources(work)}:{cp}", "JenaShaclBench",
                              str(shapes_file), str(args.rounds), *files], capture_output=True, text=True)
        if run.returncode != 0:
            print("skipped: Jena failed:", run.stderr[-800:])
            return 0
        for line in run.stdout.splitlines():
            name, count, median = line.rsplit(" ", 2)
            jena[Path(name).stem] = (int(count), float(median))

    rows = []
    for stem, version, triples, _data, _shapes in cases:
        compiled = fast.compiled(version)
        ours, theirs = [], []
        rdf = Graph()
        for t in triples:
            rdf.add((from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)))
        for _ in range(args.rounds):
            store = ox.Store()
            graph = ox.NamedNode("urn:necessity:jena:case")
            start = time.perf_counter()
            store.extend([ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples])
            results = validate_graphs(store, compiled, version, [graph])[graph]
            ours.append(time.perf_counter() - start)
        for _ in range(max(3, args.rounds // 5)):
            start = time.perf_counter()
            reference = validate_case(Graph() + rdf, version)
            theirs.append(time.perf_counter() - start)
        count, jena_ms = jena.get(stem, (-1, float("nan")))
        rows.append((stem, len(results), len(reference), count, 1000 * statistics.median(ours[1:]),
                     1000 * statistics.median(theirs), jena_ms))
    print(f"{'case':36} {'fast n':>6} {'pyshacl n':>9} {'jena n':>6} {'fast ms':>8} {'pyshacl ms':>10} {'jena ms':>8}")
    for row in rows:
        print(f"{row[0]:36} {row[1]:>6} {row[2]:>9} {row[3]:>6} {row[4]:>8.2f} {row[5]:>10.2f} {row[6]:>8.2f}")
    fast_med = statistics.median(r[4] for r in rows)
    py_med = statistics.median(r[5] for r in rows)
    jena_med = statistics.median(r[6] for r in rows)
    print(f"medians over cases: fast {fast_med:.2f} ms, pyshacl {py_med:.2f} ms, Jena {jena_med:.2f} ms; "
          f"fast / Jena = {fast_med / jena_med:.2f}x, pyshacl / Jena = {py_med / jena_med:.2f}x")
    print("result counts equal (fast = pyshacl):", all(r[1] == r[2] for r in rows),
          "; Jena counts (results, not deduplicated):", [r[3] for r in rows])
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
