"""The ontology as Protégé sees it: the OWL API (Debian's ``libowlapi-java``) and HermiT, from Python.

Two small Java programs ship beside this module (``java/``) and are compiled on first use into the
cache directory: ``OntologyHarness`` (OWL API 5: the OWL 2 DL profile of each module with its imports
resolved through the catalog, a save of every module as Protégé saves it, the merged import closure)
and ``HermitCheck`` (the HermiT jar that owlready2 ships, which carries its own OWL API 3: consistency
and unsatisfiable classes). Where Java, the OWL API jars or HermiT are missing, :func:`unavailable`
says which, and callers skip.

``NECESSITY_OWLAPI_JARS`` names the folder of the OWL API jars and their dependencies (default: the
folder Debian installs them in).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

__all__ = ["HarnessError", "ProfileReport", "HermitReport", "unavailable", "profile", "save", "hermit"]

_SOURCES = Path(__file__).resolve().parent / "java"
_DEBIAN_JARS = "/usr/share/java"  # where Debian's libowlapi-java and its dependencies live
# the OWL API 5 jars and the libraries libowlapi-java depends on (Debian package names, unversioned jars)
_OWLAPI_JARS = (
    "owlapi-api", "owlapi-apibinding", "owlapi-impl", "owlapi-parsers", "owlapi-rio", "owlapi-tools",
    "owlapi-oboformat", "atinject-jsr330-api", "caffeine", "commons-codec", "commons-io", "commons-logging",
    "commons-rdf-api", "guava", "hppcrt", "httpclient", "httpcore", "jackson-annotations", "jackson-core",
    "jackson-databind", "jsr305", "slf4j-api", "slf4j-nop", "xz",
)
_TIMEOUT = 600


class HarnessError(RuntimeError):
    """The Java harness could not be built or did not run to its end."""


@dataclass
class ProfileReport:
    """What the OWL API said of each module: its OWL 2 DL violations, missing imports, load errors."""

    violations: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # file -> (owner file, text)
    missing_imports: list[tuple[str, str, str]] = field(default_factory=list)  # (file, import IRI, reason)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (file, message)


@dataclass
class HermitReport:
    consistent: bool | None
    unsatisfiable: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _jar_dir() -> Path:
    return Path(os.environ.get("NECESSITY_OWLAPI_JARS", _DEBIAN_JARS))


def _owlapi_classpath() -> list[Path]:
    folder = _jar_dir()
    jars = [folder / f"{name}.jar" for name in _OWLAPI_JARS]
    jars += sorted(p for p in folder.glob("rdf4j-*.jar") if not re.search(r"-\d", p.stem))  # unversioned names
    return jars


def _hermit_jar() -> Path | None:
    try:
        import owlready2
    except ImportError:
        return None
    jar = Path(owlready2.__file__).resolve().parent / "hermit" / "HermiT.jar"
    return jar if jar.is_file() else None


def unavailable() -> str | None:
    """Why the Java checks cannot run here, or None when they can."""
    for tool in ("java", "javac"):
        if shutil.which(tool) is None:
            return f"no '{tool}' on PATH (install a JDK, e.g. Debian's default-jdk-headless)"
    missing = [p.name for p in _owlapi_classpath()[: len(_OWLAPI_JARS)] if not p.is_file()]
    if missing:
        return f"OWL API jars missing in {_jar_dir()} ({', '.join(missing[:3])}...): install libowlapi-java"
    if _hermit_jar() is None:
        return "the HermiT jar of owlready2 is missing"
    return None


def _cache_root() -> Path:
    from ..knowledge.parsed_cache import cache_dir

    return cache_dir()


@cache
def _compiled() -> Path:
    """Compile both programs once per source version into the cache directory; the class folder."""
    reason = unavailable()
    if reason:
        raise HarnessError(reason)
    digest = hashlib.sha256()
    for source in sorted(_SOURCES.glob("*.java")):
        digest.update(source.name.encode() + source.read_bytes())
    target = _cache_root() / f"owlapi-harness-{digest.hexdigest()[:16]}"
    if (target / "OntologyHarness.class").is_file() and (target / "HermitCheck.class").is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(dir=target.parent, prefix=".build-"))
    builds = [("OntologyHarness.java", os.pathsep.join(str(p) for p in _owlapi_classpath())),
              ("HermitCheck.java", str(_hermit_jar()))]
    for source, classpath in builds:
        done = subprocess.run(["javac", "-nowarn", "-d", str(building), "-cp", classpath, str(_SOURCES / source)],
                              capture_output=True, text=True, timeout=_TIMEOUT)
        if done.returncode != 0:
            shutil.rmtree(building, ignore_errors=True)
            raise HarnessError(f"javac {source} failed: {done.stderr.strip()[:2000]}")
    try:
        os.replace(building, target)
    except OSError:  # another process built it first
        shutil.rmtree(building, ignore_errors=True)
    return target


def _run(classpath: list[Path], *args: str) -> list[list[str]]:
    done = subprocess.run(["java", "-cp", os.pathsep.join(str(p) for p in classpath), *args],
                          capture_output=True, text=True, timeout=_TIMEOUT)
    if done.returncode != 0:
        raise HarnessError(f"java {args[0]} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
    return [line.split("\t") for line in done.stdout.splitlines() if "\t" in line]


def _harness(*args: str) -> list[list[str]]:
    return _run([_compiled(), *_owlapi_classpath()], "OntologyHarness", *args)


def profile(ontology_dir: Path) -> ProfileReport:
    """The OWL 2 DL profile of every module and the root, each loaded with its imports (catalog only)."""
    report = ProfileReport()
    for row in _harness("profile", str(ontology_dir)):
        kind, file = row[0], row[1]
        if kind == "MODULE":
            report.violations.setdefault(file, [])
        elif kind == "VIOLATION":
            report.violations.setdefault(file, []).append((row[2], row[3]))
        elif kind == "IMPORT":
            report.missing_imports.append((file, row[2], row[3] if len(row) > 3 else ""))
        elif kind == "ERROR":
            report.errors.append((file, row[2]))
    return report


def save(ontology_dir: Path, out: Path) -> list[str]:
    """Load the root with its imports and save every module into ``out`` as Protégé saves it (Turtle,
    the prefixes it read); the catalog is copied. The names of the files written."""
    return [row[1] for row in _harness("save", str(ontology_dir), str(out)) if row[0] == "SAVED"]


def hermit(ontology_dir: Path) -> HermitReport:
    """HermiT on the root's import closure: consistency and the unsatisfiable named classes."""
    with tempfile.TemporaryDirectory() as work:
        merged = Path(work) / "merged.owx"
        _harness("merge", str(ontology_dir), str(merged))
        rows = _run([_compiled(), _hermit_jar()], "HermitCheck", str(merged))
    report = HermitReport(consistent=None)
    for row in rows:
        if row[0] == "CONSISTENT":
            report.consistent = row[1] == "true"
        elif row[0] == "UNSATISFIABLE":
            report.unsatisfiable.append(row[1])
        elif row[0] == "ERROR":
            report.errors.append(row[1])
    return report
