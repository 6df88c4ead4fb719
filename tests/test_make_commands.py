"""The README's two commands: `make run` installs what running needs, `make test` what tests need."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def _planned(target: str, tmp_path: Path) -> str:
    """What `make TARGET` would do on a fresh machine (a venv that does not exist yet), without doing it."""
    # Run as `make test` runs the suite, the outer make's flags would reach this one: leave them out.
    env = {
        k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES")
    }
    done = subprocess.run(
        ["make", "--no-print-directory", "-n", target, f"VENV={tmp_path / 'fresh-venv'}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def test_make_run_installs_no_browser_and_no_test_tools(tmp_path: Path) -> None:
    plan = _planned("run", tmp_path)
    assert "pip install --quiet -e ." in plan
    assert "[dev]" not in plan
    assert "chromium" not in plan
    assert "apt-get" not in plan
    assert "bashgah serve" in plan


def test_make_test_installs_the_test_tools_and_the_browser(tmp_path: Path) -> None:
    plan = _planned("test", tmp_path)
    assert "-e '.[dev]'" in plan
    assert "chromium" in plan
    assert "bin/pytest -n auto" in plan.rstrip().splitlines()[-1]
