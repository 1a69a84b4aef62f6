"""The knowledge graph compiled once per process: OWL closure, rules, shapes and policies.

The OWL RL closure of the ontology depends on the knowledge only, so it is computed once and cached
on disk (keyed by a hash of the ontology files and the owlrl version); a later process loads the
cached N-Triples in milliseconds. Nothing here knows a drug, code or threshold: all of it is read
from ``ontology/`` and ``shapes/``.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from datetime import date
from dataclasses import dataclass, field
from importlib.metadata import version as package_version
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef

from ..errors import ShapesError, UnknownPolicyError
from .ontology import load_ontology
from .policy_clauses import check_clause_graph, clause_files
from .policy_files import extra_shapes_dirs, policy_files, read_version
from .policy_version import COMMON_FILE, COMPARISONS, RULES_FILE, PolicyVersion, ShapeInfo
from .versions import check_timeline, in_force, split_policy
from .terms import from_ox, to_ox
from .parsed_cache import cache_dir as _cache_dir, parse_file
from ..namespaces import NEC, RDF, RDFS, SH, bind_prefixes
from .paths import data_root

__all__ = ["COMPARISONS", "CompiledKnowledge", "PolicyVersion", "ShapeInfo", "compile_knowledge", "code_patterns",
           "to_ox", "from_ox"]

# ---------------------------------------------------------------- the compiled knowledge

def _closure_key(files: list[Path]) -> str:
    digest = hashlib.sha256()
    digest.update(package_version("owlrl").encode())
    for path in sorted(files, key=lambda p: p.name):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:24]


def _owl_rl_closure(ontology: Graph) -> Graph:
    """The OWL RL closure of the ontology alone, without the generalized-RDF leftovers."""
    import owlrl

    closure = Graph()
    for triple in ontology:
        closure.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, rdfs_closure=False, axiomatic_triples=False,
                           datatype_axioms=False).expand(closure)
    for s, p, o in list(closure):
        if isinstance(s, Literal) or isinstance(p, Literal):
            closure.remove((s, p, o))
    return closure


def _load_or_build_closure(ontology: Graph) -> list[ox.Triple]:
    # every file of the ontology directory keys the cache: a superset of the imported modules, read
    # without parsing them a second time (following the imports parsed every module again)
    files = sorted(p for p in data_root("ontology").iterdir() if p.is_file() and p.suffix != ".md")
    cache = _cache_dir() / f"closure-{_closure_key(files)}.nt"
    if cache.is_file():
        try:
            return list(ox.parse(path=str(cache), format=ox.RdfFormat.N_TRIPLES))
        except (OSError, SyntaxError):
            pass  # a damaged cache is rebuilt below
    closure = _owl_rl_closure(ontology)
    data = closure.serialize(format="nt", encoding="utf-8")
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=cache.parent, delete=False, suffix=".tmp") as handle:
            handle.write(data)
        os.replace(handle.name, cache)
    except OSError:
        pass  # a read-only home still works, just without the cache
    return list(ox.parse(data, format=ox.RdfFormat.N_TRIPLES))


@dataclass
class CompiledKnowledge:
    """Everything that depends on the knowledge only, built once per process."""

    ontology: Graph
    closure: ox.Store
    types: dict[str, tuple[URIRef, ...]]
    labels: dict[str, str]
    rules: list[tuple[int, str]]
    rules_graph: Graph
    versions: dict[URIRef, PolicyVersion]
    policy_graph: Graph  # every shapes file merged: policies, criteria, citations
    code_patterns: dict[str, str] = field(default_factory=dict)  # code system name -> regex

    def policy_versions(self, policy: str) -> list[PolicyVersion]:
        """Every version of a policy, oldest first.

        Raises:
            UnknownPolicyError: no such policy.
        """
        matches = sorted((v for v in self.versions.values() if v.policy_id == policy), key=lambda v: v.effective_date)
        if not matches:
            known = ", ".join(sorted({v.policy_id for v in self.versions.values()}))
            raise UnknownPolicyError(f"unknown policy '{policy}' (known: {known})")
        return matches

    def policy_version(self, policy: str, version: str | None = None) -> PolicyVersion:
        """Find a policy version by policy id (or ``id@label``) and label (default: the one in force today)."""

        policy, version = split_policy(policy, version)
        matches = self.policy_versions(policy)
        if version is None:
            return in_force(matches, date.today().isoformat()) or matches[-1]
        for candidate in matches:
            if candidate.label == version:
                return candidate
        labels = ", ".join(sorted(v.label for v in matches))
        raise UnknownPolicyError(f"policy '{policy}' has no version '{version}' (versions: {labels})")

    def label(self, iri) -> str:
        return self.labels.get(str(iri), str(iri))


def code_patterns(ontology: Graph) -> dict[str, str]:
    """The code systems of the ontology: ``nec:codeSystemName`` -> ``nec:codePattern`` (a regex)."""
    patterns = {}
    for system, pattern in ontology.subject_objects(NEC.codePattern):
        name = ontology.value(system, NEC.codeSystemName)
        if name is not None:
            patterns[str(name)] = str(pattern)
    return patterns


def _copy(source: Graph, target: Graph) -> None:
    """Every triple of ``source`` into ``target``, in one ``addN`` (``Graph.add`` checks each triple
    on its own: about twice the time at start-up)."""
    target.addN((s, p, o, target) for s, p, o in source)


def _parse_shapes(path: Path) -> Graph:
    try:
        graph = parse_file(path, "turtle")
    except Exception as exc:  # rdflib raises several parser exception types
        raise ShapesError(f"{path.name}: cannot parse shapes: {exc}") from exc
    return graph


def compile_knowledge(*, shapes_dir: Path | None = None, extra_dirs: list[Path] | None = None) -> CompiledKnowledge:
    """Load the ontology, its cached closure, the rules and every policy's shapes.

    Args:
        shapes_dir: the folder with ``rules.ttl``, ``common.ttl`` and policy files (default: ``shapes/``).
        extra_dirs: further folders of policy files (default: ``NECESSITY_SHAPES_PATH``).

    Raises:
        ShapesError: a file does not parse, a policy's versions overlap or leave a gap, or a version
            lists a criterion that no loaded file defines.
    """

    ontology = load_ontology()
    triples = _load_or_build_closure(ontology)
    store = ox.Store()
    store.bulk_extend([ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples])

    types: dict[str, list[URIRef]] = {}
    labels: dict[str, str] = {}
    rdf_type, rdfs_label = RDF.type.toPython(), RDFS.label.toPython()
    for t in triples:
        if not isinstance(t.subject, ox.NamedNode):
            continue
        if t.predicate.value == rdf_type and isinstance(t.object, ox.NamedNode):
            types.setdefault(t.subject.value, []).append(URIRef(t.object.value))
        elif t.predicate.value == rdfs_label and isinstance(t.object, ox.Literal):
            labels.setdefault(t.subject.value, t.object.value)

    shapes_dir = Path(shapes_dir) if shapes_dir is not None else data_root("shapes")
    extra_dirs = extra_shapes_dirs() if extra_dirs is None else extra_dirs
    rules_graph = _parse_shapes(shapes_dir / RULES_FILE)
    rules = sorted(
        (int(rules_graph.value(rule, SH.order) or 0), str(rules_graph.value(rule, SH.construct)))
        for rule in rules_graph.subjects(RDF.type, SH.SPARQLRule)
    )
    common = _parse_shapes(shapes_dir / COMMON_FILE)

    policy_graph = Graph()
    bind_prefixes(policy_graph)
    _copy(common, policy_graph)
    paths = policy_files(shapes_dir, extra_dirs)
    graphs = {path.name: _parse_shapes(path) for path in paths}
    versions: dict[URIRef, PolicyVersion] = {}
    files: dict[URIRef, str] = {}
    for path in paths:
        graph = graphs[path.name]
        _copy(graph, policy_graph)
        # a version's shapes: the shared ones, its own file, and the file its nec:shapesFile names
        # (two versions with the same criteria share one shapes file)
        shapes_graph = Graph()
        _copy(common, shapes_graph)
        _copy(graph, shapes_graph)
        for version_iri in graph.subjects(RDF.type, NEC.PolicyVersion):
            named = graph.value(version_iri, NEC.shapesFile)
            if named is not None and str(named) != path.name:
                if str(named) not in graphs:
                    raise ShapesError(f"{path.name}: nec:shapesFile names {named}, which is not loaded")
                _copy(graphs[str(named)], shapes_graph)
        version = read_version(graph, path, shapes_graph)
        if version.iri in versions:
            raise ShapesError(f"{path.name}: version {version.iri} is also declared in {files[version.iri]}")
        versions[version.iri] = version
        files[version.iri] = path.name
    check_timeline(list(versions.values()), files)
    for path in clause_files(shapes_dir, extra_dirs):
        clause_graph = _parse_shapes(path)
        check_clause_graph(clause_graph, path)
        _copy(clause_graph, policy_graph)
    # every criterion of common.ttl applies under every policy, listed in nec:hasCriterion or not; one with
    # no shape among the version's shapes (its shapes deactivated by the policy's file) is left out
    shared = set(common.subjects(RDF.type, NEC.Criterion))
    today = date.today().isoformat()
    for version in versions.values():
        active = {info.criterion for info in version.shapes.values()}
        version.criteria = tuple(sorted(set(version.criteria) | (shared & active)))
        version.current = version.effective_date <= today and (not version.end_date or today <= version.end_date)
        version.title = str(policy_graph.value(version.policy_iri, RDFS.label) or version.title)
    for s, o in policy_graph.subject_objects(RDFS.label):
        labels.setdefault(str(s), str(o))
    return CompiledKnowledge(ontology=ontology, closure=store, types={k: tuple(v) for k, v in types.items()},
                             labels=labels, rules=rules, rules_graph=rules_graph, versions=versions,
                             policy_graph=policy_graph, code_patterns=code_patterns(ontology))
