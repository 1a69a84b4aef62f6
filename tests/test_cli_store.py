"""The store from the command line: `check --store` writes, readers refuse a store that is not there,
and `store check` and backup/restore accept every kind of write the project makes."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from reasoner import __version__
from reasoner.cli.main import build_parser, main
from reasoner.knowledge.paths import data_root

CASES = data_root("cases")
TWO = [str(CASES / "002-morphine-no-pump.json"), str(CASES / "004-morphine-established-pump.json")]


@pytest.fixture(autouse=True)
def _no_store_from_the_environment(monkeypatch) -> None:
    monkeypatch.delenv("NECESSITY_STORE", raising=False)


def test_version(capsys) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0 and capsys.readouterr().out.strip() == f"necessity {__version__}"


def test_every_command_and_option_has_a_help_line() -> None:
    def walk(parser: argparse.ArgumentParser, name: str):
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                helps = {choice.dest: choice.help for choice in action._choices_actions}
                for sub, child in action.choices.items():
                    assert helps.get(sub), f"{name} {sub}: no help line"
                    yield from walk(child, f"{name} {sub}")
            elif not isinstance(action, argparse._HelpAction):
                yield name, action

    missing = [f"{name} {'/'.join(a.option_strings) or a.dest}" for name, a in walk(build_parser(), "necessity")
               if not a.help and a.dest not in ("version",) and not (a.option_strings == [] and a.dest in (
                   "cases", "a", "b"))]
    assert missing == []


def test_a_store_query_without_a_store_says_it_needs_one(capsys) -> None:
    assert main(["query", "decisions-past-due"]) == 2
    assert "--store" in capsys.readouterr().err


def test_readers_refuse_a_store_that_is_not_there(tmp_path: Path, capsys) -> None:
    missing = tmp_path / "typo"
    for argv in (["query", "decisions-past-due", "--store", str(missing)],
                 ["store", "check", "--store", str(missing)],
                 ["store", "backup", str(tmp_path / "b.nq"), "--store", str(missing)],
                 ["redecide", "--policy", "aetna-cpb-0161@2026-01", "--store", str(missing)]):
        assert main(argv) == 2, argv
        assert f"no store at {missing}" in capsys.readouterr().err
    assert not missing.exists()


def test_check_store_writes_and_refuses_a_taken_id(tmp_path: Path, capsys) -> None:
    store = tmp_path / "store"
    assert main(["check", *TWO, "--store", str(store)]) == 0
    assert "stored 2 case(s)" in capsys.readouterr().err
    assert main(["check", TWO[0], str(CASES / "000-ziconotide-refill.json"), "--store", str(store)]) == 2
    assert "already stored" in capsys.readouterr().err
    assert main(["store", "check", "--store", str(store)]) == 0
    assert "2 cases, 2 determinations, consistent" in capsys.readouterr().out  # the new case was not written


def _check_and_round_trip(store: Path, tmp_path: Path, capsys, label: str) -> None:
    assert main(["store", "check", "--store", str(store)]) == 0, capsys.readouterr().out
    assert "consistent" in capsys.readouterr().out
    backup = tmp_path / f"{label}.nq.gz"
    assert main(["store", "backup", str(backup), "--store", str(store)]) == 0
    restored = tmp_path / f"restored-{label}"
    assert main(["store", "restore", str(backup), "--store", str(restored)]) == 0
    capsys.readouterr()
    assert main(["store", "check", "--store", str(restored)]) == 0, capsys.readouterr().out
    assert "consistent" in capsys.readouterr().out


def test_store_check_and_restore_after_every_kind_of_write(tmp_path: Path, capsys) -> None:
    from functools import partial

    from reasoner.determination.rdf import to_graph
    from reasoner.engine import Engine
    from reasoner.loading import load_case_file
    from reasoner.store import open_store

    store = tmp_path / "store"
    assert main(["check", *TWO, "--store", str(store)]) == 0  # a new case with its first determination
    _check_and_round_trip(store, tmp_path, capsys, "add-case")
    engine = Engine.load()
    opened = open_store(store, query_workers=1)
    try:  # a further determination of a stored case (what the API's re-decision writes)
        det = engine.decide(load_case_file(Path(TWO[0])), policy="cms-ncd-280.14")
        opened.add_determination("002-morphine-no-pump", partial(to_graph, det))
    finally:
        opened.close()
    _check_and_round_trip(store, tmp_path, capsys, "add-determination")
    assert main(["redecide", "--policy", "aetna-cpb-0161@2026-01", "--store", str(store), "--workers", "1"]) == 0
    assert "re-decided 2 of 2" in capsys.readouterr().out
    _check_and_round_trip(store, tmp_path, capsys, "redecide")
