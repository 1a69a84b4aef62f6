"""The pipeline in one object: load -> infer -> validate -> determine.

``Engine.load()`` compiles the knowledge once per process; ``decide`` is then cheap and
thread-safe, and the same input always gives byte-identical output.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
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
from .fastpath.form_graph import FormCase
from .fastpath.pipeline import FastPath, case_data, unique_batches
from .validation import validate_case

__all__ = ["Engine", "DEFAULT_POLICY"]

DEFAULT_POLICY = os.environ.get("NECESSITY_DEFAULT_POLICY", "aetna-cpb-0161")
VALIDATORS = ("fast", "pyshacl")
DEFAULT_VALIDATOR = "fast"  # the compiled path; tests/test_fastpath_agreement.py proves it equals pyshacl
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


def _as_loaded(case: FormCase) -> LoadedCase:
    """A form-built case as the loader's ``LoadedCase`` (for the pyshacl reference path)."""
    from .compiled import from_ox
    graph = Graph()
    bind_prefixes(graph)
    for t in case.triples:
        graph.add((from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)))
    return LoadedCase(graph, URIRef(case.iri), case.case_id, case.requested_policy, "json")


class Engine:
    """Decides cases. Build it once with :meth:`load` and reuse it."""

    def __init__(self, knowledge: CompiledKnowledge, *, validator: str | None = None) -> None:
        self.knowledge = knowledge
        use_knowledge(knowledge)
        self.version = __version__
        self._fields = _field_properties()
        self.validator = validator or os.environ.get("NECESSITY_VALIDATOR") or DEFAULT_VALIDATOR
        if self.validator not in VALIDATORS:
            raise ValueError(f"NECESSITY_VALIDATOR must be one of {', '.join(VALIDATORS)}, not {self.validator!r}")
        self.fast = FastPath(knowledge)

    @classmethod
    def load(cls, *, validator: str | None = None) -> Engine:
        return cls(compile_knowledge(), validator=validator)

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

    def _finisher(self, case, version):
        def finish(data, results) -> Determination:
            return determine(knowledge=self.knowledge, version=version, data=data, case_iri=URIRef(case.iri),
                             case_id=case.case_id, results=results, engine_version=self.version,
                             field_properties=self._fields)
        return finish

    def decide(self, case: LoadedCase | FormCase, *, policy: str | None = None,
               version: str | None = None) -> Determination:
        """Decide one case (read by :func:`reasoner.loading.load_case` or
        :func:`reasoner.fastpath.form_graph.load_form`) under one policy version.

        Raises:
            UnknownPolicyError: the policy or version is not in ``shapes/``.
        """
        policy_version = self.knowledge.policy_version(policy or case.requested_policy or DEFAULT_POLICY, version)
        if self.validator == "fast":
            data = case_data(case)
            return self.fast.decide_one(data, policy_version, self._finisher(data, policy_version))
        if isinstance(case, FormCase):
            case = _as_loaded(case)
        data = self.infer(case)
        results = validate_case(data, policy_version)
        return self._finisher(case, policy_version)(data, results)

    def decide_many(self, cases: Iterable[LoadedCase | FormCase], *, policy: str | None = None,
                    version: str | None = None, batch_size: int = 32) -> list[Determination]:
        """Decide many cases, the same results as :meth:`decide` one at a time, in their order."""
        return list(self.iter_decide(cases, policy=policy, version=version, batch_size=batch_size))

    def iter_decide(self, cases: Iterable[LoadedCase | FormCase], *, policy: str | None = None,
                    version: str | None = None, batch_size: int = 32) -> Iterator[Determination]:
        """Stream determinations: the cases are read and decided ``batch_size`` at a time, set-at-a-time
        (one store per batch, each rule and compiled shape run once per batch). With the pyshacl
        validator, one at a time.

        Raises:
            UnknownPolicyError: a case names a policy or version that is not in ``shapes/``.
        """
        if self.validator != "fast":
            for case in cases:
                yield self.decide(case, policy=policy, version=version)
            return
        for batch in unique_batches((case_data(c) for c in cases), lambda c: c.iri, batch_size):
            versions = [self.knowledge.policy_version(policy or c.requested_policy or DEFAULT_POLICY, version)
                        for c in batch]
            if len(batch) == 1:
                yield self.fast.decide_one(batch[0], versions[0], self._finisher(batch[0], versions[0]))
                continue
            finishers = iter([self._finisher(c, v) for c, v in zip(batch, versions)])
            yield from self.fast.decide_many(batch, versions, lambda view, results: next(finishers)(view, results))

    def policies(self) -> list[dict]:
        """Every policy with its versions and criteria (with citations), JSON-ready."""
        from .determination import _citations

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
                    "citations": _citations(self.knowledge, criterion),
                })
        return [out[k] for k in sorted(out)]

    def policy(self, policy_id: str) -> dict:
        for policy in self.policies():
            if policy["id"] == policy_id:
                return policy
        raise UnknownPolicyError(f"unknown policy '{policy_id}'")
