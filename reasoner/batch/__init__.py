"""``necessity check DIR|FILES… --jsonl``: decide many cases, one JSON line per case as it finishes.

A case that cannot be read or decided gives an error line naming the file and the batch goes on;
the exit status is 1 if any case failed, else 0. Cases are decided a batch at a time, on
``--workers`` processes; the lines keep the order of the files. When stderr is a terminal a progress
bar (tqdm) shows there; stdout stays pure JSON Lines.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from ..errors import NecessityError

__all__ = ["CASE_SUFFIXES", "expand_paths", "read_case_path", "decide_chunk", "run_jsonl"]

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


def read_case_path(path: Path, policy: str | None = None):
    """A case file as the engine takes it: a PAS request bundle, a JSON case form (read by the form
    builder, as the API reads it), or a Turtle / JSON-LD case. ``policy`` (``--policy``, chosen by the
    operator) decides a bundle whose payer maps to no policy; without it such a bundle is refused.

    Raises:
        CaseLoadError: the file cannot be read or is not a valid case.
    """
    from ..errors import CaseLoadError
    from ..loading.form_graph import load_form
    from ..fhir.load import is_bundle_file, load_pas_bundle
    from ..loading import load_case_file

    if is_bundle_file(path):
        default = policy.split("@", 1)[0] if policy else None
        return load_pas_bundle(path.read_bytes(), source=path.name, default_policy=default)[0]
    if path.suffix.lower() == ".json":
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CaseLoadError(f"cannot read the case file: {exc.strerror or exc}", source=path.name) from None
        return load_form(data, source=path.name)
    return load_case_file(path)


def _error(exc: NecessityError) -> dict:
    return {"error": {"type": type(exc).__name__, "title": exc.title, "message": str(exc)}}


def decide_chunk(engine, paths: list[Path], options: dict) -> list[tuple[str, bool]]:
    """The JSON line of each case file and whether it is an error, in their order; the readable ones
    are decided as one batch."""
    records: list[dict] = [{"source": str(path)} for path in paths]
    cases, where = [], []
    for index, path in enumerate(paths):
        try:
            cases.append(read_case_path(path, options.get("policy")))
            where.append(index)
        except NecessityError as exc:
            records[index].update(_error(exc))
    for index, det in zip(where, engine.decide_each(cases, batch_size=max(1, len(cases)), **options)):
        records[index].update(_error(det) if isinstance(det, NecessityError) else det.to_dict())
    return [(json.dumps(record, sort_keys=True, ensure_ascii=False), "error" in record) for record in records]


_WORKER_ENGINE = None


def _start_worker() -> None:
    global _WORKER_ENGINE
    from ..engine import Engine

    _WORKER_ENGINE = Engine.load()


def _worker_chunk(job: tuple[list[Path], dict]) -> list[tuple[str, bool]]:
    return decide_chunk(_WORKER_ENGINE, *job)


def run_jsonl(engine, paths: list[Path], *, policy: str | None = None, version: str | None = None,
              decided_at=None, workers: int = 1, batch_size: int = 32,
              out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Decide every case in ``paths``; write one line each to ``out``, in the order of ``paths``.
    Returns the exit status.

    The cases are decided ``batch_size`` at a time (one store per batch, see
    :meth:`reasoner.engine.Engine.iter_decide`); with ``workers`` above 1, batches are spread over
    that many processes, each with an engine of its own (``engine`` is then not used; None: one is
    loaded when needed).
    """
    out = out or sys.stdout
    err = err or sys.stderr
    options = {"policy": policy, "version": version, "decided_at": decided_at}
    jobs = [(paths[i:i + batch_size], options) for i in range(0, len(paths), batch_size)]
    failed = 0
    with _progress(len(paths), err) as bar:
        if workers > 1 and len(jobs) > 1:
            import multiprocessing

            pool = multiprocessing.get_context("spawn").Pool(min(workers, len(jobs)), initializer=_start_worker)
            chunks = pool.imap(_worker_chunk, jobs)
        else:
            if engine is None:
                from ..engine import Engine

                engine = Engine.load()
            pool, chunks = None, (decide_chunk(engine, *job) for job in jobs)
        try:
            for lines in chunks:
                for line, is_error in lines:
                    failed += is_error
                    out.write(line + "\n")
                out.flush()
                bar.update(len(lines))
        finally:
            if pool is not None:
                pool.terminate()
    return 1 if failed else 0
