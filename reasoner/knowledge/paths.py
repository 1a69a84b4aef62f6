"""Where the data directories (ontology, shapes, queries, cases) live.

An installed wheel carries them under ``reasoner/_data``; a source checkout
keeps them at the top level beside the package. ``NECESSITY_ONTOLOGY_DIR`` replaces the ontology
directory (an editor's copy, or one saved by Protégé), so every command runs on it unchanged.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["data_root"]

_PACKAGE = Path(__file__).resolve().parents[1]  # the reasoner package


def data_root(kind: str) -> Path:
    """Return the directory holding one kind of data.

    Args:
        kind: one of ``ontology``, ``shapes``, ``queries``, ``cases``.
    """
    if kind == "ontology" and os.environ.get("NECESSITY_ONTOLOGY_DIR"):
        return Path(os.environ["NECESSITY_ONTOLOGY_DIR"])
    packaged = _PACKAGE / "_data" / kind
    if packaged.is_dir():
        return packaged
    return _PACKAGE.parent / kind
