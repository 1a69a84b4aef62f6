"""One problem of the ontology, as one line an editor can act on."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Problem"]


@dataclass(frozen=True, order=True)
class Problem:
    """A problem in one file about one entity (an IRI, or ``-`` for the file itself)."""

    file: str
    entity: str
    message: str
    check: str  # which check found it: catalog, import, parse, header, profile, reasoner, declaration, ...

    def line(self, shorten=None) -> str:
        entity = shorten(self.entity) if shorten and self.entity != "-" else self.entity
        return f"{self.file}: {entity}: {self.message} [{self.check}]"
