"""What changed between two policy versions, and which stored cases it flips (``necessity diff``, the API).

``A`` and ``B`` are each a policy version (``aetna-cpb-0161@2026-01``; without ``@label`` the
version in force today) or a shapes folder (then ``--policy`` says which policy, and the version
in force today in that folder is compared). With ``--store``, every stored case decided under A
is re-decided under A and under B, and each line whose outcome differs is listed with the
criteria whose state (met, not met, not documented) differs between the two.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import URIRef

from ..knowledge.compiled import PolicyVersion, compile_knowledge
from ..engine import Engine
from ..errors import NecessityError, UnknownPolicyError
from ..namespaces import CASE
from ..knowledge.policy_diff import diff_versions

__all__ = ["resolve_side", "stored_case_changes", "policy_diff"]



def resolve_side(spec: str, *, policy: str | None, engine: Engine,
                 engines: dict[str, Engine]) -> tuple[Engine, PolicyVersion]:
    """A version spec or a shapes folder -> the engine holding it and the version."""
    folder = Path(spec)
    if folder.is_dir():
        key = str(folder.resolve())
        if key not in engines:
            engines[key] = Engine(compile_knowledge(shapes_dir=folder, extra_dirs=[]))
        chosen = engines[key]
        if policy is None:
            ids = sorted({v.policy_id for v in chosen.knowledge.versions.values()})
            if len(ids) != 1:
                raise UnknownPolicyError(f"{folder.name}: holds policies {', '.join(ids)}; say which with --policy")
            policy = ids[0]
        return chosen, chosen.knowledge.policy_version(policy)
    if policy is not None and "@" not in spec and spec != policy:
        spec = f"{policy}@{spec}"  # `--policy aetna-cpb-0161 2026-01 2026-07`
    return engine, engine.knowledge.policy_version(spec)


def _line_status(det) -> dict[str, dict[str, str]]:
    """code -> criterion -> met/undocumented/unmet."""
    out: dict[str, dict[str, str]] = {}
    for line in det.lines:
        status = out.setdefault(line.code, {})
        for assessment in line.criteria:
            status[assessment.criterion] = str(assessment.state)
    return out


def _cases_decided_under(store, version: PolicyVersion) -> list[str]:
    result = store.query(
        "PREFIX nec: <https://w3id.org/necessity/ontology#>\n"
        "SELECT DISTINCT ?case WHERE { ?det a nec:Determination ; nec:decidesCase ?case ; "
        f"nec:underPolicyVersion <{version.iri}> . }} ORDER BY ?case")
    prefix = str(CASE)
    return [str(row["case"])[len(prefix):] for row in result.bindings() if str(row["case"]).startswith(prefix)]


def stored_case_changes(store, ea: Engine, va: PolicyVersion, eb: Engine, vb: PolicyVersion) -> dict:
    """Re-decide every stored case decided under ``va`` under both versions; list what flips."""
    from ..loading import load_case

    changed, errors, ids = [], [], _cases_decided_under(store, va)
    for case_id in ids:
        try:
            text = store.get_case(case_id).serialize(format="nt", encoding="utf-8")
            case = load_case(text, content_type="text/turtle", source=case_id)
            da = ea.decide(case, policy=va.policy_id, version=va.label)
            db = eb.decide(case, policy=vb.policy_id, version=vb.label)
        except NecessityError as exc:
            errors.append({"case": case_id, "error": str(exc)})
            continue
        sa, sb = _line_status(da), _line_status(db)
        lines = []
        for line_a, line_b in zip(da.lines, db.lines):
            if line_a.outcome == line_b.outcome:
                continue
            code = line_a.code
            crit = []
            for criterion in sorted(set(sa.get(code, {})) | set(sb.get(code, {}))):
                before, after = sa[code].get(criterion, "not applied"), sb[code].get(criterion, "not applied")
                if before != after:
                    name = eb.knowledge.label(URIRef(criterion)) if criterion in sb[code] else \
                        ea.knowledge.label(URIRef(criterion))
                    crit.append({"criterion": criterion, "name": name, "from": before, "to": after})
            lines.append({"index": line_a.index, "code": code, "from": str(line_a.outcome),
                          "to": str(line_b.outcome), "criteria": crit})
        if lines:
            changed.append({"case": case_id, "from": str(da.outcome), "to": str(db.outcome), "lines": lines})
    return {"redecided": len(ids) - len(errors), "changed": changed, "errors": errors}


def policy_diff(engine: Engine, a: str, b: str, *, policy: str | None = None, store=None) -> dict:
    """The JSON diff of ``a`` and ``b`` (specs or folders), with the stored cases it changes if ``store``."""
    engines: dict[str, Engine] = {}
    ea, va = resolve_side(a, policy=policy, engine=engine, engines=engines)
    eb, vb = resolve_side(b, policy=policy, engine=engine, engines=engines)
    diff = diff_versions(ea.knowledge, va, eb.knowledge, vb)
    if store is not None:
        diff["cases"] = stored_case_changes(store, ea, va, eb, vb)
    return diff
