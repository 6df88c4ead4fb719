"""How ``make test`` spreads the suite over the cores (pytest-xdist ``--dist loadfile``), and in what order.

pytest-xdist's loadfile sends whole files to the workers, largest count of tests first. Two things made
the suite wait on one worker while the other idled: a file of few but long tests (the schemathesis run)
came last, and a file's SQLite and PostgreSQL halves could only run one after the other. Here:

- a work unit is one file's tests on one kind of database (its ``sqlite``/``postgres`` parameter), so
  both halves of a long file can run at once; ``tests/demo/`` is one unit (its tests share one build of
  the demo club);
- the units of :data:`SLOWEST` (measured) are sent first, the rest in file order.

A slow file missing from the list costs balance, never correctness.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

#: The slowest work units, slowest first (``--junitxml`` of a whole run, each test's time summed per
#: unit); an entry without ``[sqlite]``/``[postgres]`` stands for both halves of its file.
SLOWEST = (
    "tests/web/test_portal.py[postgres]",
    "tests/web/test_pos_pages.py[postgres]",
    "tests/demo/",
    "tests/web/test_portal.py[sqlite]",
    "tests/web/test_console_club.py[postgres]",
    "tests/web/test_pos_pages.py[sqlite]",
    "tests/web/test_console_browser.py",
    "tests/purchases/test_purchase_earning.py[postgres]",
    "tests/api/test_schemathesis.py",
    "tests/web/test_pos_receipts.py[postgres]",
    "tests/ledger/test_concurrency.py[postgres]",
    "tests/web/test_console_club.py[sqlite]",
    "tests/programme/test_campaign_budget_concurrency.py[postgres]",
    "tests/web/test_console_reports.py[postgres]",
    "tests/web/test_pos_browser.py",
    "tests/coupons/test_coupon_generation.py",
)
#: Folders whose tests run on one worker, as one unit.
TOGETHER = ("tests/demo/",)
_DATABASE = re.compile(r"[\[-](sqlite|postgres)(?=[\]-])")


def work_unit(nodeid: str) -> str:
    """``tests/a/test_b.py[postgres]``: the file (or folder of :data:`TOGETHER`) and the kind of database."""
    path = nodeid.split("::", 1)[0]
    for folder in TOGETHER:
        if path.startswith(folder):
            return folder
    database = _DATABASE.search(nodeid)
    return f"{path}[{database.group(1)}]" if database else path


def _rank(unit: str) -> int:
    return next((n for n, slow in enumerate(SLOWEST) if unit.startswith(slow)), len(SLOWEST))


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The slowest units first; within a rank, pytest's own order (stable sort)."""
    items.sort(key=lambda item: _rank(work_unit(item.nodeid)))


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """``--dist loadfile`` with the work units of :func:`work_unit`, sent in the order above."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class SlowestFirst(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return work_unit(nodeid)

    # Send the units in the order the workers collected them (above), not by their count of tests.
    config.option.loadscopereorder = False
    return SlowestFirst(config, log)
