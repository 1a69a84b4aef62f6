"""The payer's notice settings: payer name, where to send documents and appeals, telephone, appeal
rights and signature block, per policy, read from ``policies.toml`` beside the letter templates.

The file has three tables: ``[default]`` (every key), ``[paths]`` (the names of the documentation
paths) and ``[policies."<policy id>"]`` (the keys a policy overrides). Policy ids are quoted keys,
so a dotted id such as ``cms-ncd-280.14`` is one key, not nested tables. The file is checked when
read: an unknown table or key, a missing default, or a value that is not a non-empty string is an
error naming it; :func:`check_policy_ids` refuses an entry whose id matches no policy.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Iterable, Mapping

from ..errors import NoticeSettingsError

__all__ = ["NoticeSettings", "KEYS", "PATHS", "FILE_NAME", "templates_dirs", "settings_file", "load_settings",
           "check_policy_ids", "check_knowledge"]

FILE_NAME = "policies.toml"
KEYS = ("payer", "submissions", "appeals", "phone", "appeal_rights", "signature_title", "signature_note")
"""Every key of ``[default]``; a policy's table may set any of them."""
PATHS = ("initial-criteria", "continuation", "all")
_TABLES = ("default", "paths", "policies")


@dataclass(frozen=True)
class NoticeSettings:
    """The checked contents of one ``policies.toml``."""

    source: str
    default: Mapping[str, str]
    paths: Mapping[str, str]
    policies: Mapping[str, Mapping[str, str]]

    def words(self, policy_id: str) -> dict:
        """The settings a notice under ``policy_id`` uses: the policy's own over the defaults."""
        words = {**self.default, **self.policies.get(policy_id, {})}
        words["paths"] = dict(self.paths)
        return words


_PACKAGED = Path(__file__).resolve().parents[1] / "templates"


def templates_dirs() -> list[Path]:
    """The template directories, the payer's own (``NECESSITY_TEMPLATES``) first."""
    configured = os.environ.get("NECESSITY_TEMPLATES")
    return ([Path(configured)] if configured else []) + [_PACKAGED]


def settings_file(dirs: Iterable[Path]) -> Path:
    """The first ``policies.toml`` among the template directories."""
    for directory in dirs:
        path = Path(directory) / FILE_NAME
        if path.is_file():
            return path
    raise NoticeSettingsError(f"{FILE_NAME} not found in the templates directories")


def _strings(table: object, where: str, allowed: tuple[str, ...], source: str, *, complete: bool) -> dict[str, str]:
    if not isinstance(table, dict):
        raise NoticeSettingsError(f"{source}: {where} must be a table")
    for key, value in table.items():
        if key not in allowed:
            raise NoticeSettingsError(f"{source}: {where} has an unknown key {key!r} "
                                      f"(known: {', '.join(allowed)})")
        if not isinstance(value, str) or not value.strip():
            raise NoticeSettingsError(f"{source}: {where}.{key} must be a non-empty string")
    missing = [k for k in allowed if k not in table] if complete else []
    if missing:
        raise NoticeSettingsError(f"{source}: {where} lacks {', '.join(missing)}")
    return {k: " ".join(v.split()) if k != "appeal_rights" else v.strip() for k, v in table.items()}


def _parse(path: Path) -> NoticeSettings:
    source = path.name
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise NoticeSettingsError(f"{source}: {exc}") from None
    for table in data:
        if table not in _TABLES:
            hint = " (write a policy's table as [policies.\"<policy id>\"])"
            raise NoticeSettingsError(f"{source}: unknown table [{table}]{hint}")
    default = _strings(data.get("default"), "[default]", KEYS, source, complete=True)
    paths = _strings(data.get("paths"), "[paths]", PATHS, source, complete=True)
    policies_table = data.get("policies", {})
    if not isinstance(policies_table, dict):
        raise NoticeSettingsError(f"{source}: [policies] must be a table of policy tables")
    policies = {pid: MappingProxyType(_strings(table, f'[policies."{pid}"]', KEYS, source, complete=False))
                for pid, table in policies_table.items()}
    return NoticeSettings(source, MappingProxyType(default), MappingProxyType(paths), MappingProxyType(policies))


_CACHE: dict[tuple[str, int, int], NoticeSettings] = {}


def load_settings(dirs: Iterable[Path]) -> NoticeSettings:
    """Read and check the notice settings (cached while the file is unchanged).

    Raises:
        NoticeSettingsError: no file, a TOML error, an unknown table or key, a missing default.
    """
    path = settings_file(dirs)
    stat = path.stat()
    key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    if key not in _CACHE:
        _CACHE.clear()
        _CACHE[key] = _parse(path)
    return _CACHE[key]


def check_policy_ids(settings: NoticeSettings, known: Iterable[str]) -> None:
    """Refuse a policy entry whose id matches no policy (a misspelt id would silently use the defaults).

    Raises:
        NoticeSettingsError: names the entry and the known ids.
    """
    ids = set(known)
    unknown = sorted(set(settings.policies) - ids)
    if unknown:
        raise NoticeSettingsError(f"{settings.source}: [policies.\"{unknown[0]}\"] matches no policy "
                                  f"(known: {', '.join(sorted(ids))})")


def check_knowledge(policy_ids: Iterable[str]) -> NoticeSettings:
    """Read the notice settings of the configured template directories and check them against the
    knowledge's policy ids (what :class:`reasoner.engine.Engine` does when it is built).

    Raises:
        NoticeSettingsError: as :func:`load_settings` and :func:`check_policy_ids`.
    """
    settings = load_settings(templates_dirs())
    check_policy_ids(settings, policy_ids)
    return settings
