"""The layers hold: every import-linter contract in pyproject.toml is kept (see docs/ARCHITECTURE.md).

CI runs only the suite, so the contracts are checked here, one test per contract, failing with
import-linter's own report of the imports that break it.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CONTRACTS = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


@pytest.mark.parametrize("contract", [c["id"] for c in CONTRACTS])
def test_the_contract_is_kept(contract: str) -> None:
    done = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", "--contract", contract],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
