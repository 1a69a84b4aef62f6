"""``necessity check DIR|FILES… --jsonl``: decide many cases, one JSON line per case as it finishes.

A case that cannot be read or decided gives an error line naming the file and the batch goes on;
the exit status is 1 if any case failed, else 0. When stderr is a terminal a progress bar (tqdm)
shows there; stdout stays pure JSON Lines.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from .errors import NecessityError

__all__ = ["CASE_SUFFIXES", "expand_paths", "run_jsonl"]

CASE_SUFFIXES = (".json", ".ttl", ".jsonld")


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files as given; a directory stands for its case files (not its subfolders), sorted by name."""
    out: list[Path] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            out.extend(sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in CASE_SUFFIXES))
        else:
            out.append(path)
    return out


def _progress(total: int, stream: TextIO):
    import os

    from tqdm import tqdm

    try:
        size = os.get_terminal_size(stream.fileno())
        columns, lines = size.columns, size.lines
    except (OSError, ValueError, AttributeError):
        columns, lines = 0, 0
    # a terminal that reports no size (a fresh pty) would make tqdm hide the bar: assume 80 x 24
    return tqdm(total=total, file=stream, unit="case", disable=not stream.isatty(),
                ncols=columns or 80, nrows=lines or 24, desc="deciding")


def run_jsonl(engine, paths: list[Path], *, policy: str | None = None, version: str | None = None,
              out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Decide every case in ``paths``; write one line each to ``out``. Returns the exit status."""
    from .fhir.load import is_bundle_file, load_pas_bundle
    from .loading import load_case_file

    out = out or sys.stdout
    err = err or sys.stderr
    failed = 0
    with _progress(len(paths), err) as bar:
        for path in paths:
            try:
                if is_bundle_file(path):
                    case, _mapped = load_pas_bundle(path.read_bytes(), source=path.name)
                else:
                    case = load_case_file(path)
                det = engine.decide(case, policy=policy, version=version)
                record = {"source": str(path), **det.to_dict()}
            except NecessityError as exc:
                failed += 1
                record = {"source": str(path), "error": {"type": type(exc).__name__, "title": exc.title,
                                                         "message": str(exc)}}
            out.write(json.dumps(record, sort_keys=True, ensure_ascii=False) + "\n")
            out.flush()
            bar.update(1)
    return 1 if failed else 0
