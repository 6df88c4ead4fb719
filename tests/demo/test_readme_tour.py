"""The README's 5-minute tour works verbatim against what `make run` starts.

Runs the same steps as `make run` on a fresh SQLite file — ``bashgah db upgrade`` and ``bashgah demo``
in process (the demo tests' shared build, copied), ``bashgah serve`` as its own process — then the
tour's shell block exactly as written, only pointed at this test's port.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from demo_helpers import DemoBuild

from support import free_port

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def tour_script() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- tour:start -->\s*```sh\n(.*?)```\s*<!-- tour:end -->", readme, re.S)
    assert block, "the README lost its tour block"
    return block.group(1)


@pytest.fixture
def demo_server(demo_sqlite: DemoBuild, tmp_path: Path) -> Iterator[tuple[int, str, dict[str, str]]]:
    demo = demo_sqlite.copy_to(tmp_path / "bashgah.db")
    env = {**os.environ, "BASHGAH_DATABASE_URL": demo.url}
    key = demo.key
    assert key.startswith("bg_"), demo.stdout
    port = free_port()
    server = subprocess.Popen(
        [BIN / "bashgah", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not start"
            assert server.poll() is None, server.stderr.read().decode() if server.stderr else ""
            time.sleep(0.2)
        yield port, key, env
    finally:
        server.kill()  # the copy is thrown away: no need to wait for a graceful stop
        server.wait(timeout=10)


def test_the_readme_tour_runs_verbatim_against_the_demo_club(
    demo_server: tuple[int, str, dict[str, str]],
) -> None:
    port, key, env = demo_server
    script = tour_script().replace("127.0.0.1:8000", f"127.0.0.1:{port}")
    # The tour calls .venv/bin/bashgah; point it at this interpreter's environment, wherever it is.
    script = script.replace(".venv/bin/bashgah", str(BIN / "bashgah"))
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        env={**env, "KEY": key},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    out = done.stdout
    assert done.returncode == 0, done.stderr + out
    assert '"matched_by":"mobile"' in out and "سارا" in out  # 1. Persian digits find her
    assert '"lifetime_earned"' in out  # 2. the balance summary
    assert '"points_redeemed":100' in out and '"points_earned":240' in out  # 3. the sale
    assert re.search(r"(?im)^idempotent-replayed: true", out)  # 4. the replay
    assert '"points_reversed":120' in out and '"points_returned":50' in out  # 5. half back
    assert '"status":"committed"' in out and '"committed_points":30' in out  # 6. two-phase
    assert '"items":[' in out and '"code":"redeem"' in out  # 7. the statement
    assert '"code":"insufficient_points"' in out and "Not enough points" in out  # 8. English error
    assert "ledger OK" in out  # 9. verify
