"""The clauses of each policy version: what its text says and what the shapes do with each sentence.

Clause lists are data, one Turtle file per policy in ``shapes/clauses/`` (and in a ``clauses/``
folder of each ``NECESSITY_SHAPES_PATH`` folder). A clause (``nec:PolicyClause``) has an id, a
paraphrase, citations, the versions whose text has it and a status; a criterion names the clauses
it encodes with ``nec:encodesClause``. Nothing here knows a policy: it reads the graph.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, URIRef

from ..errors import ShapesError
from ..namespaces import NEC, RDF

__all__ = ["CLAUSES_DIR", "STATUS_NAMES", "Clause", "ClauseCitation", "check_clause_graph", "clause_files", "clauses_of"]

CLAUSES_DIR = "clauses"

# the four statuses, by the name the command line and the JSON show
STATUS_NAMES = {
    NEC.ClauseEncoded: "encoded",
    NEC.ClauseAsksForDocument: "asks-for-document",
    NEC.ClauseNotDecidable: "not-decidable",
    NEC.ClauseNotApplied: "not-applied",
}


@dataclass(frozen=True)
class ClauseCitation:
    """Where a clause is stated: the source's short id, the locator and the confidence."""

    source: str
    locator: str
    confidence: str


@dataclass(frozen=True)
class Clause:
    """One clause of a policy version, with what the encoding does with it."""

    iri: URIRef
    clause_id: str
    text: str
    status: str               # one of STATUS_NAMES' values, or "" when the clause has none
    reason: str
    citations: tuple[ClauseCitation, ...]
    criteria: tuple[URIRef, ...]  # the criteria of the version that name the clause (nec:encodesClause)


def clause_files(shapes_dir: Path, extra_dirs: list[Path]) -> list[Path]:
    """The clause files: ``clauses/*.ttl`` of the shapes folder, then of each extra folder."""
    files: list[Path] = []
    names: dict[str, Path] = {}
    for folder in [shapes_dir, *extra_dirs]:
        for path in sorted((Path(folder) / CLAUSES_DIR).glob("*.ttl")):
            if path.name in names:
                raise ShapesError(f"{CLAUSES_DIR}/{path.name}: a clause file with this name is already loaded")
            names[path.name] = path
            files.append(path)
    return files


def _local(iri) -> str:
    text = str(iri)
    return text.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _citation(graph: Graph, ontology: Graph, citation) -> ClauseCitation:
    source = graph.value(citation, NEC.citesSource)
    source_id = ontology.value(source, NEC.sourceId) if source is not None else None
    confidence = graph.value(citation, NEC.confidence)
    return ClauseCitation(
        source=str(source_id or (_local(source) if source is not None else "")),
        locator=str(graph.value(citation, NEC.locator) or ""),
        confidence=_local(confidence) if confidence is not None else "",
    )


def clauses_of(graph: Graph, ontology: Graph, version: URIRef, criteria: tuple[URIRef, ...] | None = None) -> list[Clause]:
    """Every clause of a policy version, by clause id.

    Args:
        graph: the merged policy graph (shapes, criteria, citations and clauses).
        ontology: the ontology, for the sources' short ids.
        version: the policy version's IRI.
        criteria: the criteria to report per clause (default: every criterion naming it).
    """
    found = []
    for clause in set(graph.subjects(NEC.clauseOf, version)):
        status = graph.value(clause, NEC.clauseStatus)
        naming = sorted(graph.subjects(NEC.encodesClause, clause))
        if criteria is not None:
            naming = [c for c in naming if c in criteria]
        found.append(Clause(
            iri=clause,
            clause_id=str(graph.value(clause, NEC.clauseId) or _local(clause)),
            text=str(graph.value(clause, NEC.clauseText) or ""),
            status=STATUS_NAMES.get(status, "") if status is not None else "",
            reason=str(graph.value(clause, NEC.statusReason) or ""),
            citations=tuple(sorted((_citation(graph, ontology, c) for c in graph.objects(clause, NEC.hasCitation)),
                                   key=lambda c: (c.source, c.locator))),
            criteria=tuple(naming),
        ))
    return sorted(found, key=lambda c: c.clause_id)


def check_clause_graph(graph: Graph, path: Path) -> None:
    """A clause file declares clauses only of known kinds: each has an id and at least one version.

    Raises:
        ShapesError: naming the file and the clause.
    """
    for clause in graph.subjects(RDF.type, NEC.PolicyClause):
        if graph.value(clause, NEC.clauseId) is None:
            raise ShapesError(f"{CLAUSES_DIR}/{path.name}: clause {_local(clause)} has no nec:clauseId")
        if graph.value(clause, NEC.clauseOf) is None:
            raise ShapesError(f"{CLAUSES_DIR}/{path.name}: clause {_local(clause)} names no policy version (nec:clauseOf)")
