"""reasoner.loading.schema: the context and the rules file make one consistent schema."""

from __future__ import annotations

import json

from reasoner.loading.schema import RULES_PATH, context, rules, schema
from reasoner.namespaces import NEC


def _all_schemas(owner=None):
    owner = owner or schema()
    yield owner
    for spec in owner.nodes():
        yield from _all_schemas(spec.schema)


def test_every_node_term_of_the_context_has_a_segment_and_class() -> None:
    names = {s.name for s in _all_schemas() if s.name}
    assert names == set(rules().nodes)
    for s in _all_schemas():
        assert str(s.cls).startswith(str(NEC))


def test_every_rule_names_a_field_that_exists() -> None:
    by_name = {s.name: s for s in _all_schemas()}
    data = json.loads(RULES_PATH.read_text(encoding="utf-8"))
    for owner, keys in data["required"].items():
        for key in keys:
            assert key == "id" or key in by_name[owner].fields, (owner, key)
    for dotted in [*data["ranges"], *data["patterns"]]:
        owner, _, key = dotted.rpartition(".")
        assert key in by_name[owner].fields, dotted
    for key in data["generated"]:
        assert any(key in s.fields for s in _all_schemas()), key


def test_kinds_come_from_the_context() -> None:
    root = schema()
    assert root.fields["received_at"].kind == "datetime"
    assert root.fields["urgency"].kind == "enum" and set(root.fields["urgency"].values) == {"standard", "expedited"}
    trial = root.fields["intrathecal_trial"].schema
    steps = trial.fields["dose_steps"]
    assert steps.kind == "node" and steps.many and steps.schema.segment == "step"
    assert root.fields["requested"].schema.fields["modifiers"].many
    assert root.fields["member"].schema.fields["id"].prop == NEC.memberId
    assert context()["@vocab"] == str(NEC)


def test_ranges_are_data() -> None:
    assert rules().range_of("patient", "age") == ((0, 130), True)
    assert rules().range_of("regimen", "daily_dose_mg")[1] is False
