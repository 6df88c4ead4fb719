"""The demo club as `make run` makes it (``bashgah db upgrade``, then ``bashgah demo``), in process."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from support import run_command


@dataclass(frozen=True)
class DemoBuild:
    """A database holding the demo club, and what ``bashgah demo`` printed when it made it."""

    url: str
    stdout: str
    stderr: str

    @property
    def key(self) -> str:
        """The owner API key, alone on the last line of standard output."""
        return self.stdout.strip().splitlines()[-1]

    def copy_to(self, path: Path) -> DemoBuild:
        """The same club in another SQLite file, for a test that changes it."""
        path.write_bytes(Path(self.url.removeprefix("sqlite+aiosqlite:///")).read_bytes())
        return DemoBuild(f"sqlite+aiosqlite:///{path}", self.stdout, self.stderr)


def build(url: str) -> DemoBuild:
    """Migrate the (empty) database and make the demo club in it."""
    for args in (["db", "upgrade"], ["demo"]):
        result = run_command(url, args)
        assert result.exit_code == 0, result.output
    return DemoBuild(url, result.stdout, result.stderr)
