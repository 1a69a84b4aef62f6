"""Every reviewer-style case of the clause and clinical-rule tests gives the same determination on the
compiled fast path and on pyshacl, the reference (the fast tier decides them on the fast path only)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
MODULES = sorted(str(p.relative_to(REPO)) for p in (REPO / "tests").glob("test_clauses_*.py")) + [
    "tests/test_clinical_rules.py"]


def test_reviewer_cases_agree_with_the_reference() -> None:
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *MODULES],
                          cwd=REPO, capture_output=True, text=True, timeout=3000,
                          env={**os.environ, "NECESSITY_TEST_REFERENCE": "1"})
    assert done.returncode == 0, done.stdout[-3000:]
