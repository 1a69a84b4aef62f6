"""The pipeline in one object: load -> infer -> validate -> determine.

``Engine.load()`` compiles the knowledge once per process; ``decide`` is then cheap and
thread-safe, and the same input always gives byte-identical output.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import datetime, timezone
from functools import cached_property
from pathlib import Path

from rdflib import Graph, URIRef

from . import __version__
from .compiled import CompiledKnowledge, compile_knowledge
from .determination import Determination, determine
from .errors import UnknownPolicyError
from .inference import infer
from .loading import LoadedCase
from .loading.codes import use_knowledge
from .namespaces import NEC, bind_prefixes
from .validation import validate_case

__all__ = ["Engine", "DEFAULT_POLICY"]

DEFAULT_POLICY = os.environ.get("NECESSITY_DEFAULT_POLICY", "aetna-cpb-0161")
_CONTEXT = Path(__file__).resolve().parent / "contexts" / "case-form.jsonld"


def _field_properties() -> dict[str, URIRef]:
    """Top-level case-form fields and the properties the shipped context maps them to."""
    context = json.loads(_CONTEXT.read_text(encoding="utf-8"))["@context"]
    vocab = context["@vocab"]
    out = {}
    for name, definition in context.items():
        if isinstance(definition, dict) and isinstance(definition.get("@id"), str):
            out[name] = URIRef(definition["@id"].replace("nec:", vocab))
    return out


class Engine:
    """Decides cases. Build it once with :meth:`load` and reuse it."""

    def __init__(self, knowledge: CompiledKnowledge, *, clock: Callable[[], datetime] | None = None) -> None:
        self.knowledge = knowledge
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        use_knowledge(knowledge)
        self.version = __version__
        self._fields = _field_properties()

    @classmethod
    def load(cls, *, clock: Callable[[], datetime] | None = None) -> Engine:
        """Compile the knowledge; ``clock`` gives the decision time (tests pass a fixed one)."""
        return cls(compile_knowledge(), clock=clock)

    @cached_property
    def knowledge_graph(self) -> Graph:
        """The ontology plus every shapes file: what the store and the SPARQL endpoint serve."""
        graph = Graph()
        bind_prefixes(graph)
        for triple in self.knowledge.ontology:
            graph.add(triple)
        for triple in self.knowledge.policy_graph:
            graph.add(triple)
        for triple in self.knowledge.rules_graph:
            graph.add(triple)
        return graph

    def infer(self, case: LoadedCase) -> Graph:
        """The case graph with everything the shapes need derived (see :mod:`reasoner.inference`)."""
        return infer(self.knowledge, case.graph, case.iri)

    def decide(self, case: LoadedCase, *, policy: str | None = None, version: str | None = None,
               decided_at: datetime | None = None) -> Determination:
        """Decide one case under one policy version, at ``decided_at`` (default: the engine's clock).

        Raises:
            UnknownPolicyError: the policy or version is not in ``shapes/``.
        """
        policy_version = self.knowledge.policy_version(policy or case.requested_policy or DEFAULT_POLICY, version)
        data = self.infer(case)
        results = validate_case(data, policy_version)
        return determine(knowledge=self.knowledge, version=policy_version, data=data, case_iri=case.iri,
                         case_id=case.case_id, results=results, engine_version=self.version,
                         field_properties=self._fields, decided_at=decided_at or self.clock())

    def policies(self) -> list[dict]:
        """Every policy with its versions and criteria (with citations), JSON-ready."""
        from .determination import citations_of

        graph, out = self.knowledge.policy_graph, {}
        for version in sorted(self.knowledge.versions.values(), key=lambda v: (v.policy_id, v.effective_date)):
            policy = out.setdefault(version.policy_id, {
                "id": version.policy_id, "title": version.title, "iri": str(version.policy_iri),
                "versions": [], "criteria": []})
            policy["versions"].append({"label": version.label, "effective_date": version.effective_date,
                                       "current": version.current, "iri": str(version.iri)})
            if not version.current:
                continue
            shapes_by_criterion: dict[str, list] = {}
            for info in version.shapes.values():
                if info.criterion is not None:
                    shapes_by_criterion.setdefault(str(info.criterion), []).append(info)
            for criterion in version.criteria:
                infos = sorted(shapes_by_criterion.get(str(criterion), []), key=lambda i: str(i.iri))
                doc = graph.value(criterion, NEC.satisfiedBy)
                policy["criteria"].append({
                    "id": str(criterion),
                    "name": self.knowledge.label(criterion),
                    "description": str(graph.value(criterion, URIRef("http://purl.obolibrary.org/obo/IAO_0000115")) or ""),
                    "severity": sorted({str(i.severity).rsplit("#", 1)[-1] for i in infos}),
                    "documentation": str(graph.value(doc, NEC.documentName) or "") if doc else "",
                    "shapes": [str(i.iri) for i in infos],
                    "citations": [c.model_dump(mode="json") for c in citations_of(self.knowledge, criterion, version)],
                })
        return [out[k] for k in sorted(out)]

    def policy(self, policy_id: str) -> dict:
        for policy in self.policies():
            if policy["id"] == policy_id:
                return policy
        raise UnknownPolicyError(f"unknown policy '{policy_id}'")
