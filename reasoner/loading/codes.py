"""What the loader takes from the knowledge: code patterns and the names of ontology terms.

Both come from the parsed ontology (the same modules, through the same catalog, that the compiled
knowledge is built from), never from reading ``*.ttl`` text. An engine hands its compiled knowledge
over with :func:`use_knowledge`, so a server parses the ontology once.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache

from rdflib import Graph
from rdflib.namespace import OWL, RDF

from reasoner.knowledge.compiled import CompiledKnowledge, code_patterns
from reasoner.errors import OntologyError
from reasoner.namespaces import NEC

__all__ = ["patterns", "ontology_names", "use_knowledge"]

_lock = threading.Lock()
_given: dict[str, re.Pattern[str]] | None = None
_given_names: frozenset[str] | None = None
_TERM_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)


@lru_cache(maxsize=1)
def _ontology() -> Graph:
    from reasoner.knowledge.ontology import load_ontology

    return load_ontology()


def _compile(raw: dict[str, str]) -> dict[str, re.Pattern[str]]:
    if not raw:
        raise OntologyError("the ontology declares no code system with nec:codePattern")
    return {name: re.compile(pattern) for name, pattern in raw.items()}


def use_knowledge(knowledge: CompiledKnowledge) -> None:
    """Take the code patterns and term names from compiled knowledge instead of parsing the ontology again."""
    global _given, _given_names
    with _lock:
        _given = _compile(knowledge.code_patterns)
        _given_names = _names(knowledge.ontology)


def patterns() -> dict[str, re.Pattern[str]]:
    """Code system name (``HCPCS``, ``CPT``, ``ICD-10-CM``) -> the pattern a well-formed code matches."""
    if _given is not None:
        return _given
    return _default_patterns()


@lru_cache(maxsize=1)
def _default_patterns() -> dict[str, re.Pattern[str]]:
    return _compile(code_patterns(_ontology()))


def ontology_names() -> frozenset[str]:
    """Local names of the ontology's classes and properties: never a drug a case may name."""
    if _given_names is not None:
        return _given_names
    return _default_names()


@lru_cache(maxsize=1)
def _default_names() -> frozenset[str]:
    return _names(_ontology())


def _names(graph: Graph) -> frozenset[str]:
    names = set()
    for kind in _TERM_TYPES:
        for term in graph.subjects(RDF.type, kind):
            if str(term).startswith(str(NEC)):
                names.add(str(term)[len(str(NEC)):])
    return frozenset(names)
