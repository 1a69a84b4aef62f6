"""``necessity ontology check|docs|save``: what an ontology editor runs.

``check`` prints one line per problem (``file: entity: message [check]``) and exits 1 if there is any;
``docs`` writes the HTML pages (pyLODE); ``save`` writes every module as Protégé saves it (the OWL API,
Turtle), to see what a Protégé save changes. The ontology folder is ``--dir``, else
``NECESSITY_ONTOLOGY_DIR``, else the packaged one.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..namespaces import bind_prefixes

__all__ = ["add_parser"]


def _shorten():
    from rdflib import Graph

    graph = Graph()
    bind_prefixes(graph)

    def shorten(iri: str) -> str:
        try:
            return graph.namespace_manager.normalizeUri(iri) if iri.startswith(("http", "urn:")) else iri
        except ValueError:
            return iri

    return shorten


def _directory(given: Path | None) -> Path:
    from ..knowledge.paths import data_root

    return Path(given) if given is not None else Path(data_root("ontology"))


def _run(args: argparse.Namespace) -> int:
    from ..knowledge.paths import data_root

    root = _directory(args.dir)
    if args.action == "check":
        from ..ontology_check import check_ontology

        report = check_ontology(root, Path(data_root("queries")) / "qc", java=not args.no_java)
        shorten = _shorten()
        for problem in sorted(report.problems):
            print(problem.line(shorten))
        for note in report.notes:
            print(f"# {note}", file=sys.stderr)
        return 1 if report.problems else 0
    if args.action == "docs":
        from ..ontology_check.docs import build_docs

        pages = build_docs(root, Path(args.out))
        print(f"wrote {len(pages)} pages to {args.out} (open {pages[0]})")
        return 0
    from ..ontology_check import owlapi

    reason = owlapi.unavailable()
    if reason:
        print(f"necessity: error: cannot save through the OWL API: {reason}", file=sys.stderr)
        return 2
    files = owlapi.save(root, Path(args.out))
    print(f"saved {len(files)} modules as Protégé saves them into {args.out}: {', '.join(sorted(files))}")
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``ontology`` with its actions to the ``necessity`` parser."""
    ontology = sub.add_parser("ontology", help="check the ontology after an edit, build its HTML pages, "
                                               "save it as Protégé does",
                              description="What an ontology editor runs: check (one line per problem, exit 1 "
                                          "on any), docs (HTML pages), save (as Protégé saves Turtle). "
                                          "See ontology/README.md.")
    actions = ontology.add_subparsers(dest="action", required=True)
    check = actions.add_parser("check", help="OWL 2 DL profile and HermiT (when Java is present), declarations, "
                                             "labels, definitions, citations, catalog: one line per problem, "
                                             "exit 1 on any")
    check.add_argument("--no-java", action="store_true", help="skip the OWL API profile and HermiT")
    docs = actions.add_parser("docs", help="write HTML pages of every module (pyLODE) and an index")
    docs.add_argument("--out", default="var/ontology-docs", help="output folder (default var/ontology-docs)")
    save = actions.add_parser("save", help="save every module through the OWL API, as Protégé does, into a folder")
    save.add_argument("--out", required=True, help="output folder")
    for parser in (check, docs, save):
        parser.add_argument("--dir", type=Path, help="the ontology folder (default: NECESSITY_ONTOLOGY_DIR, "
                                                     "else the packaged ontology/)")
    ontology.set_defaults(func=_run)
