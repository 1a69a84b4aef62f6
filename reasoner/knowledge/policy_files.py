"""Where policy versions come from: the shapes folder, extra folders, and one version per file.

``NECESSITY_SHAPES_PATH`` (folders separated like ``PATH``) adds policy files from other folders,
so a payer's own policies need no change to the package. ``rules.ttl`` and ``common.ttl`` always
come from the main shapes folder.
"""

from __future__ import annotations

import os
from pathlib import Path

from rdflib import Graph

from .policy_version import COMMON_FILE, RULES_FILE, PolicyVersion, shape_infos
from ..errors import ShapesError
from ..namespaces import NEC, RDF, RDFS

__all__ = ["extra_shapes_dirs", "policy_files", "read_version"]


def extra_shapes_dirs() -> list[Path]:
    """Folders of further policy files, from ``NECESSITY_SHAPES_PATH`` (separated like ``PATH``)."""
    configured = os.environ.get("NECESSITY_SHAPES_PATH", "")
    return [Path(p) for p in configured.split(os.pathsep) if p.strip()]


def policy_files(shapes_dir: Path, extra_dirs: list[Path]) -> list[Path]:
    files = [p for p in sorted(shapes_dir.glob("*.ttl")) if p.name not in (RULES_FILE, COMMON_FILE)]
    names = {p.name: p for p in files}
    for folder in extra_dirs:
        if not folder.is_dir():
            raise ShapesError(f"{folder.name}: the extra shapes folder does not exist")
        for path in sorted(folder.glob("*.ttl")):
            if path.name in (RULES_FILE, COMMON_FILE):
                continue  # the rules and shared criteria come from the main folder only
            if path.name in names:
                raise ShapesError(f"{path.name}: a policy file with this name is already loaded")
            names[path.name] = path
            files.append(path)
    return files


def read_version(graph: Graph, path: Path, shapes_graph: Graph) -> PolicyVersion:
    found = list(graph.subjects(RDF.type, NEC.PolicyVersion))
    if len(found) != 1:
        raise ShapesError(f"{path.name}: a policy shapes file declares exactly one nec:PolicyVersion")
    version_iri = found[0]
    policy_iri = graph.value(version_iri, NEC.versionOf)
    for prop in (NEC.policyId, NEC.versionLabel, NEC.effectiveDate):
        if graph.value(version_iri, prop) is None:
            raise ShapesError(f"{path.name}: the policy version has no {prop.n3(graph.namespace_manager)}")
    end = graph.value(version_iri, NEC.endDate)
    criteria = tuple(sorted(graph.objects(version_iri, NEC.hasCriterion)))
    for criterion in criteria:
        # a criterion is defined in common.ttl, the version's own file or the file its nec:shapesFile names
        if (criterion, RDF.type, NEC.Criterion) not in shapes_graph:
            raise ShapesError(f"{path.name}: nec:hasCriterion names {criterion.n3(graph.namespace_manager)}, "
                              "which no loaded file defines as a nec:Criterion")
    return PolicyVersion(
        iri=version_iri,
        policy_iri=policy_iri,
        policy_id=str(graph.value(version_iri, NEC.policyId)),
        label=str(graph.value(version_iri, NEC.versionLabel)),
        effective_date=str(graph.value(version_iri, NEC.effectiveDate)),
        current=False,
        title=str(graph.value(policy_iri, RDFS.label) or policy_iri),
        covers=frozenset(graph.objects(version_iri, NEC.coversCodeGroup)),
        excludes=frozenset(graph.objects(version_iri, NEC.excludesCodeGroup)),
        shapes_graph=shapes_graph,
        shapes=shape_infos(shapes_graph),
        criteria=criteria,
        end_date=str(end) if end is not None else None,
        source_file=path.name,
    )
