"""The pipeline in one object: load -> infer -> validate -> determine.

``Engine.load()`` compiles the knowledge once per process; ``decide`` is then cheap and
thread-safe, and the same input always gives byte-identical output.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timezone
from functools import cached_property
from pathlib import Path

from rdflib import Graph, URIRef

from . import __version__
from .knowledge.compiled import CompiledKnowledge, compile_knowledge
from .determination import Determination, VersionChoice, determine
from .errors import NecessityError
from .inference import infer
from .loading import LoadedCase
from .loading.codes import use_knowledge
from .namespaces import bind_prefixes
from .letters.settings import check_knowledge
from .loading.form_graph import FormCase
from .fastpath.pipeline import FastPath, case_data, unique_batches
from .fastpath.view import CaseView
from .validation import validate_case
from .knowledge.versions import DATE_PROPERTIES, select, split_policy

__all__ = ["Engine", "DEFAULT_POLICY"]

_DATE_PROPERTIES = {str(p) for p in DATE_PROPERTIES}  # what choosing a version reads of a case

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
    from .knowledge.compiled import from_ox
    graph = Graph()
    bind_prefixes(graph)
    for t in case.triples:
        graph.add((from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)))
    return LoadedCase(graph, URIRef(case.iri), case.case_id, case.requested_policy, "json")


class Engine:
    """Decides cases. Build it once with :meth:`load` and reuse it."""

    def __init__(self, knowledge: CompiledKnowledge, *, validator: str | None = None,
                 clock: Callable[[], datetime] | None = None) -> None:
        self.knowledge = knowledge
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        use_knowledge(knowledge)
        self.version = __version__
        self._fields = _field_properties()
        self.validator = validator or os.environ.get("NECESSITY_VALIDATOR") or DEFAULT_VALIDATOR
        if self.validator not in VALIDATORS:
            raise ValueError(f"NECESSITY_VALIDATOR must be one of {', '.join(VALIDATORS)}, not {self.validator!r}")
        self.fast = FastPath(knowledge)
        check_knowledge(v.policy_id for v in knowledge.versions.values())  # notice settings name real policies

    @classmethod
    def load(cls, *, validator: str | None = None, clock: Callable[[], datetime] | None = None) -> Engine:
        """Compile the knowledge; ``clock`` gives the decision time (tests pass a fixed one)."""
        return cls(compile_knowledge(), validator=validator, clock=clock)

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

    def _choose(self, case, policy: str | None, version: str | None, decided_at: datetime):
        """The policy version ``case`` is decided under and why (:func:`reasoner.knowledge.versions.select`)."""
        policy, version = split_policy(policy or case.requested_policy or DEFAULT_POLICY, version)
        graph = case.graph if isinstance(case, LoadedCase) else \
            CaseView.of_triples([t for t in case.triples if t.predicate.value in _DATE_PROPERTIES])
        return select(self.knowledge.policy_versions(policy), policy, version, graph, URIRef(case.iri),
                      today=decided_at.date())

    def _finisher(self, case, version, selection, decided_at: datetime):
        def finish(data, results) -> Determination:
            det = determine(knowledge=self.knowledge, version=version, data=data, case_iri=URIRef(case.iri),
                            case_id=case.case_id, results=results, engine_version=self.version,
                            field_properties=self._fields, decided_at=decided_at)
            return det.model_copy(update={"policy": det.policy.model_copy(
                update={"selected_by": VersionChoice(**selection.to_dict())})})
        return finish

    def decide(self, case: LoadedCase | FormCase, *, policy: str | None = None, version: str | None = None,
               decided_at: datetime | None = None) -> Determination:
        """Decide one case (read by :func:`reasoner.loading.load_case` or
        :func:`reasoner.loading.form_graph.load_form`) under one policy version, at ``decided_at``
        (default: the engine's clock).

        The version is the one asked for (``version``, or ``policy`` written ``id@label``), else the
        one in force on the case's date of service, else on ``received_at``, else today; the
        determination records which and why (see :mod:`reasoner.knowledge.versions`).

        Raises:
            UnknownPolicyError: the policy or version is not in ``shapes/``, or no version is in
                force on the case's date.
        """
        decided_at = decided_at or self.clock()
        if self.validator == "fast":
            data = case_data(case)
            policy_version, selection = self._choose(data, policy, version, decided_at)
            return self.fast.decide_one(data, policy_version,
                                        self._finisher(data, policy_version, selection, decided_at))
        if isinstance(case, FormCase):
            case = _as_loaded(case)
        policy_version, selection = self._choose(case, policy, version, decided_at)
        data = self.infer(case)
        results = validate_case(data, policy_version)
        return self._finisher(case, policy_version, selection, decided_at)(data, results)

    def decide_many(self, cases: Iterable[LoadedCase | FormCase], *, policy: str | None = None,
                    version: str | None = None, decided_at: datetime | None = None,
                    batch_size: int = 32) -> list[Determination]:
        """Decide many cases, the same results as :meth:`decide` one at a time, in their order."""
        return list(self.iter_decide(cases, policy=policy, version=version, decided_at=decided_at,
                                     batch_size=batch_size))

    def iter_decide(self, cases: Iterable[LoadedCase | FormCase], *, policy: str | None = None,
                    version: str | None = None, decided_at: datetime | None = None,
                    batch_size: int = 32) -> Iterator[Determination]:
        """Stream determinations: the cases are read and decided ``batch_size`` at a time, set-at-a-time
        (one store per batch, each rule and compiled shape run once per batch). Each case's version is
        chosen as :meth:`decide` chooses it. With the pyshacl validator, one at a time.

        Raises:
            UnknownPolicyError: a case names a policy or version that is not in ``shapes/``.
        """
        if self.validator != "fast":
            for case in cases:
                yield self.decide(case, policy=policy, version=version, decided_at=decided_at)
            return
        for batch in unique_batches((case_data(c) for c in cases), lambda c: c.iri, batch_size):
            finishers, versions = [], []
            for c in batch:
                at = decided_at or self.clock()
                policy_version, selection = self._choose(c, policy, version, at)
                versions.append(policy_version)
                finishers.append(self._finisher(c, policy_version, selection, at))
            if len(batch) == 1:
                yield self.fast.decide_one(batch[0], versions[0], finishers[0])
                continue
            pending = iter(finishers)
            yield from self.fast.decide_many(batch, versions, lambda view, results: next(pending)(view, results))

    def decide_each(self, cases: Iterable[LoadedCase | FormCase], *, policy: str | None = None,
                    version: str | None = None, decided_at: datetime | None = None,
                    batch_size: int = 32) -> Iterator[Determination | NecessityError]:
        """:meth:`iter_decide` for a job that goes on past a bad case: a case that cannot be decided
        gives its error in its place. A batch holding such a case is decided again case by case."""
        chunk: list = []
        for case in [*cases, None]:
            if case is not None:
                chunk.append(case)
                if len(chunk) < batch_size:
                    continue
            if not chunk:
                break
            try:
                yield from list(self.iter_decide(chunk, policy=policy, version=version, decided_at=decided_at,
                                                 batch_size=batch_size))
            except NecessityError:
                for one in chunk:
                    try:
                        yield self.decide(one, policy=policy, version=version, decided_at=decided_at)
                    except NecessityError as exc:
                        yield exc
            chunk = []

    def policies(self) -> list[dict]:
        """Every policy with its versions and criteria (with citations), JSON-ready."""
        from .policy_view import policies

        return policies(self.knowledge)

    def policy(self, policy_id: str) -> dict:
        """One policy (``id`` or ``id@label``) with the criteria of that version (default: in force today).

        Raises:
            UnknownPolicyError: no such policy or version.
        """
        from .policy_view import policy

        return policy(self.knowledge, policy_id)
