"""necessity check DIR --jsonl: one line per case as it finishes, past a broken case, with a
progress bar on a terminal and an exit status that says whether any case failed."""

from __future__ import annotations

import json
import os
import pty
import select
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from reasoner.knowledge.paths import data_root

CASES = Path(data_root("cases"))


def _command(*args: str) -> list[str]:
    return [sys.executable, "-m", "reasoner.cli", "check", *args]


def test_one_line_per_bundled_case() -> None:
    out = subprocess.run(_command(str(CASES), "--jsonl"), capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    files = sorted(p for p in CASES.iterdir() if p.suffix in (".json", ".ttl", ".jsonld"))
    assert [Path(line["source"]).name for line in lines] == [p.name for p in files]
    assert all("error" not in line and line["case_id"] == Path(line["source"]).stem for line in lines)
    assert out.stderr == ""  # not a terminal: no progress bar


def _broken_folder(tmp: Path) -> Path:
    folder = tmp / "batch"
    folder.mkdir()
    for path in sorted(CASES.glob("00*.json"))[:3]:
        shutil.copy(path, folder / path.name)
    (folder / "000a-broken.json").write_text('{"id": "broken", "requested": [{"code": 12}]}', encoding="utf-8")
    return folder


def test_a_broken_case_gives_an_error_line_and_the_batch_goes_on(tmp_path: Path) -> None:
    folder = _broken_folder(tmp_path)
    out = subprocess.run(_command(str(folder), "--jsonl"), capture_output=True, text=True, timeout=300)
    assert out.returncode == 1
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(lines) == 4
    broken = lines[1]
    assert broken["source"].endswith("000a-broken.json") and "case_id" not in broken
    assert broken["error"]["type"] == "CaseLoadError" and "000a-broken.json" in broken["error"]["message"]
    assert [line.get("case_id") for line in lines] == ["000-ziconotide-refill", None, "001-hydromorphone-refill",
                                                    "002-morphine-no-pump"]


def test_progress_shows_on_a_terminal(tmp_path: Path) -> None:
    folder = _broken_folder(tmp_path)
    leader, follower = pty.openpty()
    proc = subprocess.Popen(_command(str(folder), "--jsonl"), stdout=subprocess.PIPE, stderr=follower,
                            env={**os.environ, "COLUMNS": "100"})
    os.close(follower)
    seen = b""
    stdout = proc.stdout.read()
    proc.wait(timeout=300)
    while True:
        ready, _, _ = select.select([leader], [], [], 0.5)
        if not ready:
            break
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    text = seen.decode("utf-8", "replace")
    assert "deciding" in text and "4/4" in text, text
    assert len(stdout.decode().splitlines()) == 4  # stdout stays pure JSON Lines


@pytest.mark.slow  # two worker processes, each compiling the knowledge
def test_two_workers_write_the_same_lines_in_the_same_order(tmp_path: Path) -> None:
    folder = _broken_folder(tmp_path)
    for path in sorted([*CASES.glob("01*.json"), *CASES.glob("02*.json")]):
        shutil.copy(path, folder / path.name)
    at = ["--decided-at", "2026-01-05T12:00:00Z"]
    one = subprocess.run(_command(str(folder), "--jsonl", *at), capture_output=True, text=True, timeout=300)
    two = subprocess.run(_command(str(folder), "--jsonl", "--workers", "2", "--batch-size", "3", *at), capture_output=True,
                         text=True, timeout=300)
    assert one.returncode == two.returncode == 1, two.stderr
    assert two.stdout == one.stdout and len(one.stdout.splitlines()) == len(list(folder.iterdir()))


def test_a_batch_with_an_unknown_policy_decides_the_other_cases(tmp_path: Path) -> None:
    folder = _broken_folder(tmp_path)
    form = json.loads((CASES / "001-hydromorphone-refill.json").read_text(encoding="utf-8"))
    form["id"], form["policy"] = "001b-unknown-policy", "no-such-policy"
    (folder / "001b-unknown-policy.json").write_text(json.dumps(form), encoding="utf-8")
    out = subprocess.run(_command(str(folder), "--jsonl"), capture_output=True, text=True, timeout=300)
    lines = {Path(line["source"]).stem: line for line in map(json.loads, out.stdout.splitlines())}
    assert lines["001b-unknown-policy"]["error"]["type"] == "UnknownPolicyError"
    assert lines["001-hydromorphone-refill"]["case_id"] == "001-hydromorphone-refill"
    assert out.returncode == 1
