"""Session-scoped fixtures shared by the tests: the knowledge graph is built once per session."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph

from reasoner.knowledge import load_ontology
from reasoner.paths import data_root


@pytest.fixture(scope="session")
def ontology_dir() -> Path:
    """The ontology directory (checkout or packaged)."""
    return Path(data_root("ontology"))


@pytest.fixture(scope="session")
def ontology_graph() -> Graph:
    """The merged ontology (root file plus every import, resolved through the catalog)."""
    return load_ontology()


@pytest.fixture(scope="session")
def knowledge_graph(ontology_graph: Graph) -> Graph:
    """The ontology plus every shapes file: what ``necessity query`` runs over."""
    from reasoner.queries import knowledge_graph as build

    return build()
