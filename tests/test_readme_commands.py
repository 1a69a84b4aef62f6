"""Every command of the README's command-line section runs as written, in order, in a fresh copy of the
repository (a fresh store): each exits 0, and none prints a traceback."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]


def _readme_commands() -> list[str]:
    """The lines of the first ``sh`` block of the README's "Command line" section, comments removed."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("## Command line", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, flags=re.DOTALL).group(1)
    lines = [re.split(r"\s#\s", line, maxsplit=1)[0].strip() for line in block.splitlines()]
    return [line for line in lines if line]


def _fresh_copy(target: Path) -> Path:
    files = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=False).stdout.split()
    if not files:
        pytest.skip("not a git checkout")
    for name in files:
        source = REPO / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def test_readme_commands_in_order_in_a_fresh_copy(tmp_path: Path) -> None:
    commands = _readme_commands()
    assert len(commands) > 20 and any(" serve " in c for c in commands) and any("redecide" in c for c in commands)
    clone = _fresh_copy(tmp_path / "clone")
    assert not (clone / "var").exists()
    bin_dir = Path(shutil.which("necessity") or Path(sys.executable).with_name("necessity")).parent
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("NECESSITY_STORE", None)
    for command in commands:
        if " serve " in command:
            with socket.socket() as sock:
                sock.bind(("127.0.0.1", 0))
                port = sock.getsockname()[1]
            server = subprocess.Popen(["bash", "-c", f"{command} --port {port}"], cwd=clone, env=env,
                                      stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            try:
                deadline = time.monotonic() + 90
                while time.monotonic() < deadline:
                    assert server.poll() is None, server.stdout.read().decode()[-2000:]
                    try:
                        if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                            break
                    except httpx.HTTPError:
                        time.sleep(0.3)
                else:
                    pytest.fail(f"{command}: the server did not answer")
                key = shlex.split(command)[0].split("=", 1)[1]
                r = httpx.get(f"http://127.0.0.1:{port}/version", headers={"X-API-Key": key})
                assert r.status_code == 200
            finally:
                server.send_signal(signal.SIGINT)
                out = server.communicate(timeout=30)[0].decode()
            assert "Traceback" not in out, out[-2000:]
            continue
        done = subprocess.run(["bash", "-c", command], cwd=clone, env=env, capture_output=True, text=True,
                              timeout=300, check=False)
        assert done.returncode == 0, f"{command}\n{done.stdout[-1000:]}\n{done.stderr[-2000:]}"
        assert "Traceback" not in done.stderr
    assert (clone / "var" / "store").is_dir() and (clone / "var" / "restored").is_dir()
