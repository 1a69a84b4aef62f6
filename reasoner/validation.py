"""Validation: run a policy's SHACL shapes (pyshacl) over an inferred case graph."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph, URIRef

from .knowledge.compiled import PolicyVersion
from .namespaces import RDF, SH

__all__ = ["Result", "validate_case", "naive_validate", "read_results"]


@dataclass(frozen=True, order=True)
class Result:
    """One validation result, reduced to what the determination uses."""

    focus: str
    shape: str
    severity: str
    value: str | None


def read_results(report: Graph) -> list[Result]:
    """Read the results of a SHACL validation report, sorted."""
    results = []
    for node in report.subjects(RDF.type, SH.ValidationResult):
        value = report.value(node, SH.value)
        results.append(Result(
            focus=str(report.value(node, SH.focusNode)),
            shape=str(report.value(node, SH.sourceShape)),
            severity=str(report.value(node, SH.resultSeverity)),
            value=None if value is None else str(value),
        ))
    return sorted(set(results))


def validate_case(data: Graph, version: PolicyVersion) -> list[Result]:
    """Validate an inferred case graph (see :func:`reasoner.inference.infer`) against a policy version."""
    from pyshacl import validate  # imported here: the compiled fast path does not need it at start-up

    _conforms, report, _text = validate(
        data, shacl_graph=version.shapes_graph, inference="none", advanced=True,
        allow_warnings=True, allow_infos=True, inplace=True,
    )
    return read_results(report)


def naive_validate(case: Graph, version: PolicyVersion, rules: Graph, ontology: Graph, *,
                   use_ont_graph: bool = False) -> list[Result]:
    """The semantically complete call a newcomer would write: OWL RL per case, rules run by pyshacl.

    With ``use_ont_graph`` it is literally ``validate(case, ont_graph=ontology, inference="owlrl",
    advanced=True)``; pyshacl then runs OWL RL over its multi-graph copy of the data, which did not
    finish in four minutes on this ontology. By default the ontology is merged into a plain copy of
    the case instead: the same triples, the same inference and rules, so the same results.
    Used by the benchmark and by the test that checks both paths report the same results.
    """
    shapes = Graph()
    for triple in version.shapes_graph:
        shapes.add(triple)
    for triple in rules:
        shapes.add(triple)
    if use_ont_graph:
        data, extra = case, {"ont_graph": ontology}
    else:
        data, extra = Graph(), {}
        for graph in (case, ontology):
            for triple in graph:
                data.add(triple)
    from pyshacl import validate

    _conforms, report, _text = validate(
        data, shacl_graph=shapes, inference="owlrl", advanced=True,
        allow_warnings=True, allow_infos=True, **extra,
    )
    return read_results(report)
