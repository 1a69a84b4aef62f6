"""The compiled fast path against the reference: pyshacl over the rdflib case graph.

Same validation results (focus, shape, severity, value) on every bundled case and 1,000 generated
ones, the same determinations, the same graph from the form builder as from the loader, and the
same determinations whether cases are decided one at a time or in one batch.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import XSD, Graph, Literal, URIRef

from bench.generate_cases import generate
from reasoner.knowledge.compiled import from_ox
from reasoner.engine import DEFAULT_POLICY, Engine
from reasoner.fastpath.compiler import compile_shapes
from reasoner.loading.form_graph import load_form
from reasoner.fastpath.pipeline import case_data
from reasoner.loading import load_case
from reasoner.knowledge.paths import data_root
from reasoner.validation import validate_case

BUNDLED = [(p.stem, p.read_text(encoding="utf-8")) for p in sorted(Path(data_root("cases")).glob("*.json"))]


def _as_rdflib(triples) -> set:
    """pyoxigraph triples as rdflib ones, keeping the lexical forms (rdflib would rewrite date-times)."""
    def term(node):
        if isinstance(node, ox.Literal) and node.datatype.value != str(XSD.string) and not node.language:
            return Literal(node.value, datatype=URIRef(node.datatype.value), normalize=False)
        return from_ox(node)
    return {(term(t.subject), term(t.predicate), term(t.object)) for t in triples}


def _generated(n: int) -> list[tuple[str, str]]:
    return [(f"gen-{i}", json.dumps(form, default=str)) for i, form in enumerate(generate(n, seed=0))]


FIXED = datetime(2026, 1, 5, 12, 0, tzinfo=timezone.utc)  # one decision time, so determinations compare
GENERATED = int(os.environ.get("NECESSITY_AGREEMENT_CASES", "1000"))  # the slow test's count


@pytest.fixture(scope="module")
def reference() -> Engine:
    return Engine.load(validator="pyshacl", clock=lambda: FIXED)


@pytest.fixture(scope="module")
def fast(reference: Engine) -> Engine:
    return Engine(reference.knowledge, validator="fast", clock=lambda: FIXED)


def _fast_results(engine: Engine, text: str, version):
    found = {}
    engine.fast.decide_one(case_data(load_form(text)), version, lambda _view, results: found.setdefault("r", results))
    return found["r"]


class _Recorded:
    """The validation results one ``decide`` computed on the way to its determination, and the version.

    ``_compare`` compares these with the other path's, instead of validating each case a second time
    outside ``decide``: the same call (``validate_case`` on ``reference.infer(case)``, the fast path's
    ``decide_one``) with the same input, so the same results, at half the cost of the slow reference.
    """

    def __init__(self) -> None:
        self.version = self.results = None

    def validate_case(self, data, version):  # stands in for reasoner.engine.validate_case
        self.version, self.results = version, validate_case(data, version)
        return self.results

    def decide_one(self, original):  # wraps the fast path's FastPath.decide_one
        def decide_one(data, version, finish):
            def recording(view, results):
                self.version, self.results = version, results
                return finish(view, results)
            return original(data, version, recording)
        return decide_one

    def take(self, version) -> list | None:
        """The results recorded for ``version`` (None when ``decide`` chose another version)."""
        found = self.results if self.version is not None and self.version.iri == version.iri else None
        self.version = self.results = None
        return found


def _compare(reference: Engine, fast: Engine, cases) -> list[str]:
    """Per case: the fast path's validation results under the policy's current version equal pyshacl's
    on the inferred case graph, and its determination equals the reference engine's.

    Each engine decides the case once; the validation results its ``decide`` computed are the ones
    compared when it chose that same version (the usual case), else the case is validated again under
    that version, as ``validate_case(reference.infer(loaded), version)`` and ``decide_one`` alone.
    """
    import reasoner.engine as engine_module

    differing = []
    ref_seen, fast_seen = _Recorded(), _Recorded()
    saved = engine_module.validate_case, fast.fast.decide_one
    engine_module.validate_case, fast.fast.decide_one = ref_seen.validate_case, fast_seen.decide_one(saved[1])
    try:
        for name, text in cases:
            loaded = load_case(text)
            version = reference.knowledge.policy_version(loaded.requested_policy or DEFAULT_POLICY)
            ref_det = reference.decide(loaded).to_dict()
            fast_det = fast.decide(load_form(text)).to_dict()
            expected = ref_seen.take(version)
            if expected is None:
                expected = validate_case(reference.infer(loaded), version)
            got = fast_seen.take(version)
            if got is None:
                got = _fast_results(fast, text, version)
            if got != expected:
                differing.append(name)
            elif fast_det != ref_det:
                differing.append(f"{name} (determination)")
    finally:
        engine_module.validate_case, fast.fast.decide_one = saved
    return differing


def test_every_shape_of_shapes_is_compiled(reference: Engine) -> None:
    for version in reference.knowledge.versions.values():
        compiled = compile_shapes(version.shapes_graph)
        assert compiled.fallback == {}, compiled.fallback
        assert {q.shape for q in compiled.queries} >= {str(s) for s in version.shapes}


def test_fast_path_equals_pyshacl_on_the_bundled_cases(reference: Engine, fast: Engine) -> None:
    assert _compare(reference, fast, BUNDLED) == []


def _compare_share(cases) -> list[str]:
    """``_compare`` in a process of its own, with engines of its own (the 1,000-case test's halves)."""
    reference = Engine.load(validator="pyshacl", clock=lambda: FIXED)
    return _compare(reference, Engine(reference.knowledge, validator="fast", clock=lambda: FIXED), cases)


@pytest.mark.slow
def test_fast_path_equals_pyshacl_on_1000_generated_cases() -> None:
    """Every case compared as in the bundled test; the cases are shared between two processes (the
    pyshacl reference takes most of the time, and each case is compared on its own)."""
    import multiprocessing

    cases = _generated(GENERATED)
    assert len(cases) == GENERATED
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        shares = pool.map(_compare_share, [cases[0::2], cases[1::2]])
    assert [name for share in shares for name in share] == []


@pytest.mark.parametrize("name,text", BUNDLED + _generated(200), ids=lambda v: v if len(v) < 40 else "")
def test_form_builder_gives_the_loader_graph(name: str, text: str) -> None:
    loaded = load_case(text).graph
    built = _as_rdflib(load_form(text).triples)
    assert set(loaded) == built


@pytest.mark.parametrize("path", sorted(Path(data_root("cases")).glob("*.ttl")), ids=lambda p: p.stem)
def test_fast_path_equals_pyshacl_on_turtle_cases(reference: Engine, fast: Engine, path: Path) -> None:
    from reasoner.loading import load_case_file

    loaded = load_case_file(path)
    version = reference.knowledge.policy_version(loaded.requested_policy or DEFAULT_POLICY)
    found = {}
    fast.fast.decide_one(case_data(loaded), version, lambda _view, results: found.setdefault("r", results))
    assert found["r"] == validate_case(reference.infer(loaded), version)
    assert fast.decide(loaded).to_dict() == reference.decide(loaded).to_dict()


def test_form_builder_normalises_date_times_as_the_loader() -> None:
    form = json.loads(BUNDLED[0][1])
    form["received_at"] = "2026-01-05T10:30:00.250+01:00"
    text = json.dumps(form)
    built = _as_rdflib(load_form(text).triples)
    assert set(load_case(text).graph) == built


class _DecidedAlone(dict):
    """Each case form decided alone on the fast path with its usual rule plan, on first use, once for the
    module: the batch tests compare their batches with these."""

    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self.engine = engine

    def __missing__(self, text: str) -> dict:
        self[text] = self.engine.decide(load_form(text)).to_dict()
        return self[text]


@pytest.fixture(scope="module")
def one_at_a_time(fast: Engine) -> dict[str, dict]:
    return _DecidedAlone(fast)


@pytest.mark.slow  # generated cases in batches and alone; the fast tier keeps the every-rule-one-way variants
def test_batch_equals_one_at_a_time(fast: Engine, one_at_a_time: dict[str, dict]) -> None:
    cases = BUNDLED + _generated(300)
    one = [one_at_a_time[text] for _, text in cases]
    many = [d.to_dict() for d in fast.decide_many([load_form(text) for _, text in cases], batch_size=128)]
    assert many == one


@pytest.mark.parametrize("way", ["batch", "single"])
def test_batch_equals_one_at_a_time_with_every_rule_run_one_way(fast: Engine, one_at_a_time: dict[str, dict],
                                                                way: str) -> None:
    """Each rule derives the same triples run once for the batch or case by case (the plan may take either)."""
    from reasoner.fastpath.rules import RulePlan

    cases = BUNDLED + _generated(120)
    one = [one_at_a_time[text] for _, text in cases]  # decided with the usual plan, as before the swap
    saved, fast.fast.plan = fast.fast.plan, RulePlan(fast.fast.rules, fixed=way)
    try:
        many = [d.to_dict() for d in fast.decide_many([load_form(text) for _, text in cases], batch_size=64)]
    finally:
        fast.fast.plan = saved
    assert many == one


def test_batch_chooses_each_case_version_as_decide_does(fast: Engine) -> None:
    """One batch under the Medicare NCD: a 2020 date of service and a 2025 one get different versions."""
    forms = []
    for day in ("2020-06-01", "2025-06-01"):
        form = json.loads(BUNDLED[0][1])
        form["id"] = f"{form['id']}-{day}"
        for line in form["requested"]:
            line["dates_of_service"] = [day]
        forms.append(json.dumps(form))
    many = fast.decide_many([load_form(t) for t in forms], policy="cms-ncd-280.14")
    one = [fast.decide(load_form(t), policy="cms-ncd-280.14") for t in forms]
    assert [d.to_dict() for d in many] == [d.to_dict() for d in one]
    assert [d.policy.version for d in many] == ["2019-11", "2024-03"]
    assert {d.policy.selected_by.basis for d in many} == {"date-of-service"}


def test_batch_with_a_repeated_case_decides_it_twice(fast: Engine) -> None:
    text = BUNDLED[0][1]
    first, second = fast.decide_many([load_form(text), load_form(text)])
    assert first.to_dict() == second.to_dict() == fast.decide(load_form(text)).to_dict()


def test_a_shape_the_compiler_cannot_translate_falls_back_to_pyshacl(reference: Engine, fast: Engine) -> None:
    """sh:closed is not compiled: pyshacl validates that shape, the others stay compiled."""
    version = reference.knowledge.policy_version(DEFAULT_POLICY)
    extra = Graph().parse(format="turtle", data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix nec: <https://w3id.org/necessity/ontology#> .
        <urn:test:ClosedPatient> a sh:NodeShape ; sh:targetClass nec:Patient ; sh:closed true ;
            sh:ignoredProperties ( <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> nec:ageYears ) ;
            sh:severity sh:Warning .""")
    shapes = Graph()
    for triple in version.shapes_graph:
        shapes.add(triple)
    for triple in extra:
        shapes.add(triple)
    compiled = compile_shapes(shapes)
    assert list(compiled.fallback) == ["urn:test:ClosedPatient"]
    patched = type(version)(**{**version.__dict__, "shapes_graph": shapes})
    fast.fast._compiled[patched.iri] = compiled
    try:
        for name, text in BUNDLED:
            loaded = load_case(text)
            if loaded.requested_policy not in (None, DEFAULT_POLICY):
                continue
            expected = validate_case(reference.infer(loaded), patched)
            got = _fast_results(fast, text, patched)
            assert got == expected, name
            assert any(r.shape == "urn:test:ClosedPatient" for r in got) == any(
                r.shape == "urn:test:ClosedPatient" for r in expected)
    finally:
        fast.fast._compiled.pop(patched.iri, None)
