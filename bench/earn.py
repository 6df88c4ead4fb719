"""Throughput and latency of ``POST /api/v1/purchases`` against a minimal FastAPI baseline.

    .venv/bin/python bench/earn.py [--backend postgres|sqlite|both] [--seconds 20] [--clients 16]
                                   [--members 1000] [--items 0] [--warmup 3] [--profile DIR]
                                   [--programme | --compare-programme]

For each backend it prepares a fresh database (PostgreSQL: a throwaway database ``bashgah_bench_earn``,
dropped at the end; SQLite: a file in a temporary folder), migrates it with ``bashgah db upgrade``, and
creates a tenant with one branch, ``--members`` members and an integration API key through Bashgah's
own services. Then, one after the other:

* **bashgah**: ``bashgah serve --port P`` (the real server, a subprocess) is driven by ``--clients``
  concurrent keep-alive connections for ``--warmup`` + ``--seconds`` seconds; each request is a new
  purchase (unique ``Idempotency-Key`` and ``external_id``, a random member, a realistic total). Then
  ``bashgah ledger verify`` runs on the bench database and the purchases are counted.
* **baseline**: ``bench/baseline_app.py`` (FastAPI + the same driver, one INSERT and one balance UPDATE
  per request in one transaction) under uvicorn the same way, driven by the identical load.

The load generator is a few lines of raw HTTP/1.1 over asyncio streams in this process (no httpx):
it costs ~0.1 ms of CPU per request, so on a 2-core machine it takes as little as possible from the
server and the database. Latency is measured client-side, from writing the request to reading the
whole response. Only requests started after the warm-up are counted; every response must be 201.

Besides req/s, p50 and p99, the table shows the CPU each part spent per request during the measured
window (server process, PostgreSQL processes, this load generator), read from /proc: on 2 cores these
say what bounds the throughput.

``--programme`` configures 10 active purchase campaigns and a 4-level tier ladder after creating the
club (see ``PROGRAMME_CAMPAIGNS`` and ``PROGRAMME_TIERS``), tags every tenth member ``vip``, and makes
every purchase carry 1–3 item lines (sku, category, brand). ``--compare-programme`` runs Bashgah alone,
core-only then with the programme, each on a fresh database of the same backend, with the identical
1–3-item load, and prints both rows and the ratio programme ÷ core (target ≥ 0.8).

``--profile DIR`` also samples the Bashgah server with py-spy during the window (figures of such a run
are lower: the sampler takes CPU) and prints where the server's CPU time goes.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import math
import os
import random
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import orjson

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(BENCH))

import baseline_app  # noqa: E402

PG_SERVER = "postgresql+asyncpg://postgres@127.0.0.1:5432"
PG_DB = "bashgah_bench_earn"
BRANCH = "main"
TARGET_RATIO = 0.7
TARGET_P99_MS = 50.0
TARGET_PROGRAMME_RATIO = 0.8
CLK_TCK = os.sysconf("SC_CLK_TCK")


# --- the database -----------------------------------------------------------------------------------


@contextlib.contextmanager
def fresh_database(backend: str, pg_server: str) -> Iterator[str]:
    """An empty database for one backend, removed afterwards; yields its SQLAlchemy URL."""
    if backend == "sqlite":
        folder = tempfile.mkdtemp(prefix="bashgah-bench-")
        try:
            yield f"sqlite+aiosqlite:///{folder}/bench.db"
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    asyncio.run(
        _pg_admin(pg_server, f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)", f"CREATE DATABASE {PG_DB}")
    )
    try:
        yield f"{pg_server}/{PG_DB}"
    finally:
        asyncio.run(_pg_admin(pg_server, f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)"))


async def _pg_admin(server: str, *statements: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(server.replace("postgresql+asyncpg://", "postgresql://") + "/postgres")
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


def env_for(url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(BASHGAH_DATABASE_URL=url, BASHGAH_LOG_LEVEL="warning", PYTHONUNBUFFERED="1")
    # A benchmark serves no members: development stand-ins (the SMS outbox file) are fine on PostgreSQL.
    env.update(BASHGAH_ENV="development")
    env.pop("BASHGAH_TENANT", None)
    return env


def migrate(url: str) -> None:
    subprocess.run([str(BIN / "bashgah"), "db", "upgrade"], env=env_for(url), check=True, capture_output=True)


PERSIAN_FIRST = ["علی", "زهرا", "محمد", "فاطمه", "حسین", "مریم", "رضا", "نرگس", "مهدی", "سارا"]
PERSIAN_LAST = ["احمدی", "محمدی", "حسینی", "رضایی", "کریمی", "موسوی", "جعفری", "کاظمی", "رحیمی", "صادقی"]


async def create_club(url: str, members: int, programme: bool = False) -> tuple[str, list[int]]:
    """A tenant with one branch, ``members`` members and an integration key, through Bashgah's services.

    With ``programme``, every tenth member is tagged ``vip`` and the campaigns and the tier ladder below
    are configured through the programme and tier services (what ``POST /api/v1/campaigns`` and
    ``PUT /api/v1/tiers`` run)."""
    from bashgah.auth import service as auth
    from bashgah.core.db import Database
    from bashgah.members import service as member_service
    from bashgah.members.schemas import MemberCreate
    from bashgah.tenants import service as tenants
    from bashgah.tenants.schemas import BranchCreate

    db = Database(url, pool_size=2)
    rng = random.Random(7)
    try:
        async with db.transaction() as session:
            tenant = await tenants.create_tenant(session, "bench", "فروشگاه بنچ")
            await tenants.create_branch(session, tenant.id, BranchCreate(code=BRANCH, name="شعبهٔ مرکزی"))
            _, key = await auth.create(session, tenant.id, "bench till", "integration")
            ids = []
            for n in range(members):
                member = await member_service.create(
                    session,
                    tenant.id,
                    MemberCreate.model_validate(
                        {
                            "mobile": f"0912{1_000_000 + n:07d}",
                            "first_name": rng.choice(PERSIAN_FIRST),
                            "last_name": rng.choice(PERSIAN_LAST),
                            "sms_consent": True,
                            **({"tags": ["vip"]} if programme and n % 10 == 0 else {}),
                        }
                    ),
                )
                ids.append(member.id)
            if programme:
                await configure_programme(session, tenant.id)
        return key, ids
    finally:
        await db.dispose()


#: The club's catalogue for ``--programme`` purchases: (sku prefix, category, brands, price range in rials).
CATALOGUE = (
    ("DRY", "dairy", ("kalleh", "pegah", "damdaran"), (300_000, 3_000_000)),
    ("BEV", "beverages", ("zamzam", "sunich", "lavazza"), (200_000, 4_000_000)),
    ("SNK", "snacks", ("maz-maz", "cheetoz", "shirin-asal"), (150_000, 2_000_000)),
    ("HSE", "household", ("golrang", "tage", "paxan"), (500_000, 8_000_000)),
    ("PRT", "protein", ("solico", "morgh-e-tolou", "kalleh"), (1_000_000, 20_000_000)),
)

#: Ten active purchase campaigns of the kinds a shop runs. On a typical bench purchase (1–3 lines from
#: CATALOGUE, median total ≈ 1.6 M rials, a random member, Tehran time of the run) some fire (dairy ×2,
#: kalleh ×1.5, the basket bonus, per-line points on snacks, the daily-limited bonus, vip tags, the
#: budgeted household one until its budget runs out, first purchases early in the run) and some do not
#: (Nowruz, a weekend night schedule unless the bench runs then, gold/vip members with the stop flag
#: only once members have climbed the ladder).
PROGRAMME_CAMPAIGNS: tuple[dict[str, object], ...] = (
    {
        "name_fa": "دوبرابر امتیاز لبنیات",
        "priority": 10,
        "rules": [
            {
                "key": "dairy-x2",
                "conditions": [{"type": "items", "match": {"categories": ["dairy"]}}],
                "effects": [{"type": "points_multiplier", "factor": "2", "items": {"categories": ["dairy"]}}],
            }
        ],
    },
    {
        "name_fa": "کاله ۱.۵ برابر",
        "priority": 5,
        "rules": [
            {
                "key": "kalleh",
                "conditions": [{"type": "items", "match": {"brands": ["kalleh"]}}],
                "effects": [{"type": "points_multiplier", "factor": "1.5", "items": {"brands": ["kalleh"]}}],
            }
        ],
    },
    {
        "name_fa": "سبد بالای ۵ میلیون: ۲۰۰ امتیاز",
        "rules": [
            {
                "key": "basket-5m",
                "conditions": [{"type": "purchase_total", "min_rials": 5_000_000}],
                "effects": [{"type": "fixed_bonus", "points": 200}],
            },
            {
                "key": "basket-20m",
                "conditions": [{"type": "purchase_total", "min_rials": 20_000_000}],
                "effects": [{"type": "fixed_bonus", "points": 1_000}],
            },
        ],
    },
    {
        "name_fa": "شب‌های آخر هفته سه‌برابر",
        "schedule": {"weekdays": ["thursday", "friday"], "from_hour": 18, "to_hour": 23},
        "rules": [{"key": "weekend-night", "effects": [{"type": "points_multiplier", "factor": "3"}]}],
    },
    {
        "name_fa": "اعضای ویژه",
        "rules": [
            {
                "key": "vip-tag",
                "conditions": [{"type": "member_tags", "any_of": ["vip"]}],
                "effects": [{"type": "fixed_bonus", "points": 50}],
            }
        ],
    },
    {
        "name_fa": "خوش‌آمد اولین خرید",
        "rules": [
            {
                "key": "welcome",
                "conditions": [{"type": "first_purchase"}],
                "effects": [{"type": "fixed_bonus", "points": 500}],
            }
        ],
    },
    {
        "name_fa": "جشنوارهٔ شوینده‌ها (بودجه‌دار)",
        "budget_points": 20_000,
        "rules": [
            {
                "key": "household",
                "conditions": [{"type": "items", "match": {"categories": ["household"]}}],
                "effects": [
                    {"type": "points_per_item", "points": 20, "items": {"categories": ["household"]}}
                ],
            }
        ],
    },
    {
        "name_fa": "روزی یک بار: سبد سه‌قلمی",
        "limits": [{"per": "day", "awards": 1}],
        "rules": [
            {
                "key": "three-lines",
                "conditions": [{"type": "basket_size", "min_units": 3}],
                "effects": [{"type": "fixed_bonus", "points": 30}],
            }
        ],
    },
    {
        "name_fa": "طلایی‌ها: همه‌چیز چهاربرابر",
        "priority": 100,
        "stop": True,
        "rules": [
            {
                "key": "gold-x4",
                "conditions": [
                    {"type": "tier", "levels": ["gold", "vip"]},
                    {"type": "hours", "from_hour": 8, "to_hour": 22},
                ],
                "effects": [{"type": "points_multiplier", "factor": "4"}],
            }
        ],
    },
    {
        "name_fa": "نوروز: تنقلات دوبرابر",
        "rules": [
            {
                "key": "nowruz-snacks",
                "conditions": [{"type": "occasion", "occasion": "nowruz"}],
                "effects": [
                    {"type": "points_multiplier", "factor": "2", "items": {"categories": ["snacks"]}}
                ],
            },
            {
                "key": "snack-lines",
                "conditions": [{"type": "items", "match": {"categories": ["snacks"]}}],
                "effects": [{"type": "points_per_item", "points": 5, "items": {"categories": ["snacks"]}}],
            },
        ],
    },
)

#: Spend over a rolling 12 months, bronze / silver / gold / VIP with earn multipliers.
PROGRAMME_TIERS: dict[str, object] = {
    "metric": "spend",
    "window": "rolling",
    "window_months": 12,
    "levels": [
        {"code": "bronze", "name_fa": "برنزی", "name_en": "Bronze", "threshold": 0},
        {"code": "silver", "name_fa": "نقره‌ای", "name_en": "Silver", "threshold": 20_000_000,
         "earn_multiplier_pct": 110},
        {"code": "gold", "name_fa": "طلایی", "name_en": "Gold", "threshold": 60_000_000,
         "earn_multiplier_pct": 125},
        {"code": "vip", "name_fa": "ویژه", "name_en": "VIP", "threshold": 150_000_000,
         "earn_multiplier_pct": 150, "birthday_gift_points": 1_000},
    ],
}  # fmt: skip


async def configure_programme(session: object, tenant_id: int) -> None:
    """The 10 campaigns and the tier ladder, validated by the API's own schemas."""
    from bashgah.auth.service import Principal
    from bashgah.programme import campaigns as programme
    from bashgah.programme.schemas import CampaignIn
    from bashgah.tiers import service as tiers
    from bashgah.tiers.schemas import TierConfig

    owner = Principal(tenant_id=tenant_id, role="owner", branch_id=None, key_id=None)
    for campaign in PROGRAMME_CAMPAIGNS:
        await programme.create(session, owner, CampaignIn.model_validate(campaign))  # type: ignore[arg-type]
    await tiers.configure(session, tenant_id, TierConfig.model_validate(PROGRAMME_TIERS))  # type: ignore[arg-type]


async def count_bashgah(url: str) -> tuple[int, int, int]:
    """(purchases, their points with campaign bonuses, the members' cached posted total): the last two
    must be equal."""
    from sqlalchemy import func, select

    from bashgah.core.db import Database
    from bashgah.models import Account, CampaignAward, Purchase

    db = Database(url, pool_size=1)
    try:
        async with db.transaction() as session:
            n, points = (
                await session.execute(
                    select(func.count(), func.coalesce(func.sum(Purchase.points_earned), 0))
                )
            ).one()
            bonus = await session.scalar(select(func.coalesce(func.sum(CampaignAward.points), 0)))
            points += int(bonus or 0)
            posted = await session.scalar(
                select(func.coalesce(func.sum(Account.posted), 0)).where(Account.kind == "member")
            )
        return int(n), int(points), int(posted or 0)
    finally:
        await db.dispose()


def ledger_verify(url: str) -> tuple[int, str]:
    done = subprocess.run(
        [str(BIN / "bashgah"), "ledger", "verify"], env=env_for(url), capture_output=True, text=True
    )
    return done.returncode, (done.stdout + done.stderr).strip()


# --- the servers ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def start_server(app: str, url: str, log_dir: Path, workers: int = 1) -> Server:
    port = free_port()
    env = env_for(url)
    if app == "bashgah":
        argv = [str(BIN / "bashgah"), "serve", "--port", str(port), "--workers", str(workers)]
    else:
        env[baseline_app.URL_ENV] = url
        argv = [
            sys.executable, "-m", "uvicorn", "baseline_app:create_app", "--factory", "--app-dir", str(BENCH),
            "--host", "127.0.0.1", "--port", str(port), "--no-access-log", "--log-level", "warning",
            "--workers", str(workers),
        ]  # fmt: skip
    log = log_dir / f"{app}-{port}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=str(ROOT))
    server = Server(app, process, port, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{app} server exited with {process.returncode}:\n{server.tail()}")
        with contextlib.suppress(OSError, ConnectionError, asyncio.IncompleteReadError):
            if asyncio.run(_get_health(port)) == 200:
                return server
        time.sleep(0.2)
    stop_server(server)
    raise RuntimeError(f"{app} server did not answer /health within 60 s:\n{server.tail()}")


async def _get_health(port: int) -> int:
    conn = await HttpConnection.open("127.0.0.1", port)
    try:
        status, _ = await conn.request(b"GET", b"/health", b"", [])
        return status
    finally:
        conn.close()


def stop_server(server: Server) -> None:
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGINT)
        try:
            server.process.wait(15)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()


# --- a lean HTTP/1.1 keep-alive client --------------------------------------------------------------


class HttpConnection:
    """One keep-alive connection: just enough HTTP/1.1 for a JSON API (Content-Length or chunked)."""

    def __init__(self, host: str, port: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.host, self.port, self.reader, self.writer = host, port, reader, writer
        self.head = f"Host: {host}:{port}\r\n".encode()

    @classmethod
    async def open(cls, host: str, port: int) -> HttpConnection:
        reader, writer = await asyncio.open_connection(host, port)
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return cls(host, port, reader, writer)

    async def request(
        self, method: bytes, path: bytes, body: bytes, headers: list[bytes]
    ) -> tuple[int, bytes]:
        self.writer.write(
            b"".join(
                [method, b" ", path, b" HTTP/1.1\r\n", self.head, *headers]
                + [
                    b"Content-Type: application/json\r\nContent-Length: ",
                    str(len(body)).encode(),
                    b"\r\n\r\n",
                    body,
                ]
            )
        )
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        status = int(lines[0].split(b" ", 2)[1])
        length, chunked, close = None, False, False
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding" and b"chunked" in value.lower():
                chunked = True
            elif name == b"connection" and b"close" in value.lower():
                close = True
        if chunked:
            parts = []
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                if size == 0:
                    await self.reader.readuntil(b"\r\n")
                    break
                parts.append(await self.reader.readexactly(size + 2))
            payload = b"".join(p[:-2] for p in parts)
        else:
            payload = await self.reader.readexactly(length or 0)
        if close:
            self.close()
            fresh = await HttpConnection.open(self.host, self.port)
            self.reader, self.writer = fresh.reader, fresh.writer
        return status, payload

    def close(self) -> None:
        self.writer.close()


# --- the load ---------------------------------------------------------------------------------------


@dataclass
class Load:
    """What every client sends: the same for Bashgah and the baseline, so both do the same work."""

    key: str
    member_ids: list[int]
    items: int
    seed: int
    #: 1–3 item lines from CATALOGUE (sku, category, brand) summing to the total, for ``--programme``.
    catalogue: bool = False

    def purchases(self, client: int) -> Iterator[tuple[bytes, list[bytes]]]:
        """(body, headers) of this client's purchases: unique receipt and Idempotency-Key each."""
        rng = random.Random(self.seed * 1000 + client)
        auth = f"Authorization: Bearer {self.key}\r\n".encode()
        run = uuid.uuid4().hex[:8]
        for n in range(10**9):
            # Receipts of a few hundred thousand to a few tens of millions of rials, log-normal like a
            # shop's (median ≈ 1.6 million rials), rounded to 1,000 rials.
            total = max(10_000, min(200_000_000, round(math.exp(rng.gauss(14.3, 1.1)), -3)))
            body: dict[str, object] = {
                "member": {"id": rng.choice(self.member_ids)},
                "branch": BRANCH,
                "external_id": f"{run}-{client}-{n}",
                "total_rials": total,
            }
            if self.catalogue:
                body["items"] = catalogue_items(rng, total)
            elif self.items:
                share = total // self.items
                body["items"] = [
                    {"sku": f"SKU-{rng.randrange(5000):05d}", "category": "grocery", "quantity": 1,
                     "unit_price_rials": share + (total - share * self.items if i == 0 else 0)}
                    for i in range(self.items)
                ]  # fmt: skip
            yield orjson.dumps(body), [auth, f"Idempotency-Key: {uuid.uuid4()}\r\n".encode()]


def catalogue_items(rng: random.Random, total: int) -> list[dict[str, object]]:
    """1–3 lines (one in two purchases has 1, then 2, then 3) whose prices add up to ``total``."""
    lines = rng.choice((1, 1, 1, 2, 2, 3))
    weights = [rng.random() + 0.2 for _ in range(lines)]
    left, items = total, []
    for i, w in enumerate(weights):
        prefix, category, brands, _ = rng.choice(CATALOGUE)
        quantity = rng.choice((1, 1, 1, 2))
        price = left if i == lines - 1 else min(left, int(round(total * w / sum(weights), -3)))
        left -= price
        unit = price // quantity
        items.append(
            {
                "sku": f"{prefix}-{rng.randrange(400):04d}",
                "category": category,
                "brand": rng.choice(brands),
                "quantity": quantity,
                "unit_price_rials": unit,
            }
        )
        if unit * quantity != price:  # keep the lines summing exactly to the total
            items[-1]["quantity"], items[-1]["unit_price_rials"] = 1, price
    return items


@dataclass
class Result:
    backend: str
    app: str
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: collections.Counter[int] = field(default_factory=collections.Counter)
    failures: collections.Counter[str] = field(default_factory=collections.Counter)
    samples: list[str] = field(default_factory=list)
    cpu: dict[str, float] = field(default_factory=dict)
    backends: collections.Counter[str] = field(default_factory=collections.Counter)
    check: str = ""

    @property
    def requests(self) -> int:
        return sum(self.statuses.values()) + sum(self.failures.values())

    @property
    def errors(self) -> int:
        return self.requests - self.statuses.get(201, 0)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return math.nan
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))] * 1000

    def cpu_ms(self, part: str) -> float:
        return self.cpu.get(part, math.nan) / max(1, self.requests) * 1000

    @property
    def others_load(self) -> float:
        """Cores' worth of CPU that other processes of the machine used during the window."""
        ours = sum(v for k, v in self.cpu.items() if k != "machine")
        return max(0.0, self.cpu.get("machine", 0.0) - ours) / self.seconds if self.seconds else math.nan


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) a process and its live descendants (uvicorn workers) have used."""
    stats: dict[int, tuple[int, float]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        stats[int(entry)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / CLK_TCK)
    tree, total, grew = {pid}, 0.0, True
    while grew:
        grown = {child for child, (parent, _) in stats.items() if parent in tree} - tree
        grew = bool(grown)
        tree |= grown
    for member in tree:
        total += stats.get(member, (0, 0.0))[1]
    return total


def postgres_cpu() -> float:
    """CPU seconds used so far by the PostgreSQL backends of the bench database and the WAL writer.

    Other databases' backends (another engineer's tests on the same server) are left out.
    """
    total = 0.0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                raw = f.read()
            if not raw[: raw.find(")") + 1].endswith("(postgres)"):
                continue
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                title = f.read()
        except OSError:
            continue
        if PG_DB.encode() in title or b"walwriter" in title:
            fields = raw.rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / CLK_TCK
    return total


def machine_busy_cpu() -> float:
    """CPU seconds all processors have spent in user and system mode since boot.

    Interrupt time (loopback networking) is left out: it is charged to no process.
    """
    with open("/proc/stat") as f:
        user, nice, system = (int(v) for v in f.readline().split()[1:4])
    return (user + nice + system) / CLK_TCK


def cpu_snapshot(server_pid: int, backend: str) -> dict[str, float]:
    own = resource.getrusage(resource.RUSAGE_SELF)
    snap = {
        "server": process_cpu(server_pid),
        "client": own.ru_utime + own.ru_stime,
        "machine": machine_busy_cpu(),
    }
    if backend == "postgres":
        snap["postgres"] = postgres_cpu()
    return snap


async def sample_backends(dsn: str, stop: float, into: collections.Counter[str]) -> None:
    """Every 0.1 s, what each PostgreSQL backend of the bench database is doing (until ``stop``)."""
    import asyncpg

    conn = await asyncpg.connect(dsn.replace("postgresql+asyncpg://", "postgresql://"))
    loop = asyncio.get_running_loop()
    try:
        while loop.time() < stop:
            rows = await conn.fetch(
                "SELECT state, wait_event_type, wait_event FROM pg_stat_activity WHERE datname = "
                "current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
            )
            into["(samples)"] += 1
            for state, kind, event in rows:
                if state == "idle in transaction":
                    into["in a transaction, waiting for the app"] += 1
                elif state == "active" and kind == "Lock":
                    into[f"waiting on a lock ({event})"] += 1
                elif state == "active" and kind in ("IO", "LWLock", "IPC"):
                    into[f"waiting on {kind} ({event})"] += 1
                elif state == "active":
                    into["running"] += 1
            await asyncio.sleep(0.1)
    finally:
        await conn.close()


def describe_backends(seen: collections.Counter[str]) -> str:
    samples = seen.pop("(samples)", 0)
    if not samples:
        return ""
    parts = [f"{n / samples:.1f} {what}" for what, n in seen.most_common()]
    return "PostgreSQL backends on average (non-idle): " + ("; ".join(parts) or "none")


async def drive(
    server: Server,
    backend: str,
    load: Load,
    clients: int,
    warmup: float,
    seconds: float,
    profile: Path | None,
    dsn: str | None = None,
) -> Result:
    result = Result(backend, server.name)
    connections = [await HttpConnection.open("127.0.0.1", server.port) for _ in range(clients)]
    loop = asyncio.get_running_loop()
    start = loop.time() + warmup
    stop = start + seconds
    marks: dict[str, object] = {}

    async def client(n: int) -> None:
        conn = connections[n]
        for body, headers in load.purchases(n):
            began = loop.time()
            if began >= stop:
                return
            try:
                status, payload = await conn.request(b"POST", b"/api/v1/purchases", body, headers)
            except (OSError, ConnectionError, asyncio.IncompleteReadError, ValueError) as error:
                if began >= start:
                    result.failures[type(error).__name__] += 1
                with contextlib.suppress(Exception):
                    conn.close()
                conn = await HttpConnection.open("127.0.0.1", server.port)
                continue
            if began >= start:
                result.latencies.append(loop.time() - began)
                result.statuses[status] += 1
                if status != 201 and len(result.samples) < 5:
                    result.samples.append(f"{status} {payload[:300].decode(errors='replace')}")

    async def window() -> None:
        await asyncio.sleep(max(0.0, start - loop.time()))
        marks["cpu"] = cpu_snapshot(server.process.pid, backend)
        if profile is not None:
            spy = [str(BIN / "py-spy"), "record", "--pid", str(server.process.pid), "--subprocesses"]
            spy += [
                "--duration",
                str(int(seconds)),
                "--rate",
                "200",
                "--format",
                "raw",
                "--output",
                str(profile),
            ]
            # Started once and left running in the background; nothing here waits on it.
            marks["spy"] = subprocess.Popen(spy, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # noqa: ASYNC220
        if dsn is not None:
            marks["pg"] = asyncio.create_task(sample_backends(dsn, stop, result.backends))

    tasks = [asyncio.create_task(client(n)) for n in range(clients)]
    await window()
    await asyncio.gather(*tasks)
    sampler = marks.get("pg")
    if isinstance(sampler, asyncio.Task):
        await sampler
    finished = loop.time()
    after = cpu_snapshot(server.process.pid, backend)
    before = marks["cpu"]
    assert isinstance(before, dict)
    result.cpu = {part: after[part] - before[part] for part in after}
    result.seconds = finished - start
    for conn in connections:
        conn.close()
    spy = marks.get("spy")
    if isinstance(spy, subprocess.Popen):
        _, err = spy.communicate(timeout=60)
        if spy.returncode:
            print(f"py-spy failed: {err.decode(errors='replace')}", file=sys.stderr)
    return result


# --- a profile summary ------------------------------------------------------------------------------


#: Where a sample's innermost frame is, by package, to say what kind of work the CPU did.
LAYERS = (
    ("bashgah/", "bashgah (our code)"),
    ("sqlalchemy/orm/", "SQLAlchemy ORM"),
    ("sqlalchemy/", "SQLAlchemy Core/engine"),
    ("asyncpg/", "asyncpg"),
    ("aiosqlite/", "aiosqlite + sqlite3"),
    ("sqlite3/", "aiosqlite + sqlite3"),
    ("pydantic", "pydantic"),
    ("fastapi/", "FastAPI"),
    ("starlette/", "Starlette"),
    ("anyio/", "anyio"),
    ("uvicorn/", "uvicorn + h11"),
    ("h11/", "uvicorn + h11"),
    ("greenlet", "greenlet"),
    ("asyncio/", "asyncio event loop"),
    ("json/", "json"),
    ("threading", "threads"),
    ("queue", "threads"),
)


def _frame(frame: str) -> tuple[str, str]:
    """('function', 'package/module.py') of one py-spy frame 'function (path/module.py:line)'."""
    name, _, where = frame.rpartition(" (")
    path = where.rstrip(")").rsplit(":", 1)[0]
    return name, path.split("site-packages/")[-1].split("src/")[-1].split("python3.11/")[-1]


def _layer(path: str) -> str:
    return next((label for prefix, label in LAYERS if prefix in path), "other")


def summarize_profile(path: Path, top: int = 25) -> str:
    """Where the server's CPU went, from py-spy's collapsed stacks.

    SQLAlchemy's async layer runs the ORM inside greenlets, and py-spy shows a greenlet's stack without
    the coroutine that awaits it. So besides the inclusive share of each function (which undercounts
    callers of ``session.execute``) this gives the share by the package of the innermost frame ("self"
    time by layer), and each sample charged to the innermost *bashgah* function on its stack.
    """
    inclusive: collections.Counter[str] = collections.Counter()
    layers: collections.Counter[str] = collections.Counter()
    ours: collections.Counter[str] = collections.Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit() or " (" not in stack:
            continue
        n = int(count)
        total += n
        frames = [_frame(f) for f in stack.split(";") if " (" in f]
        for label in {f"{name} ({module})" for name, module in frames}:
            inclusive[label] += n
        layers[_layer(frames[-1][1])] += n
        owner = next(
            (f"{name} ({module})" for name, module in reversed(frames) if module.startswith("bashgah/")),
            "(no bashgah frame: server loop, HTTP, greenlet-run SQLAlchemy)",
        )
        ours[owner] += n
    if not total:
        return "no samples"

    def share(counter: collections.Counter[str], k: int) -> list[str]:
        return [f"  {100 * n / total:5.1f}%  {label}" for label, n in counter.most_common(k)]

    return "\n".join(
        [f"{total} samples of the server's busy CPU. By layer (innermost frame):"]
        + share(layers, 20)
        + ["Charged to the innermost bashgah function on the stack:"]
        + share(ours, 15)
        + ["Inclusive, per function:"]
        + share(inclusive, top)
    )


# --- the run ----------------------------------------------------------------------------------------


def bench_backend(
    backend: str,
    args: argparse.Namespace,
    log_dir: Path,
    programme: bool = False,
    catalogue: bool = False,
    label: str | None = None,
) -> list[Result]:
    """Both apps (or ``args.app``) on a fresh database; ``label`` renames the bashgah row."""
    results = []
    with fresh_database(backend, args.pg_server) as url:
        what = " with 10 campaigns and a 4-level tier ladder" if programme else ""
        print(f"[{backend}] migrating and creating a club of {args.members} members{what}…", flush=True)
        migrate(url)
        key, member_ids = asyncio.run(create_club(url, args.members, programme))
        # SQLite: the baseline gets its own file; PostgreSQL: its own schema in the bench database.
        base_url = url.replace("bench.db", "baseline.db") if backend == "sqlite" else url
        asyncio.run(baseline_app.prepare(base_url, member_ids))
        load = Load(key, member_ids, args.items, args.seed, catalogue)
        for app in ("bashgah", "baseline") if args.app == "both" else (args.app,):
            server = start_server(app, url if app == "bashgah" else base_url, log_dir, args.workers)
            name = label if label and app == "bashgah" else app
            profile = args.profile / f"{name}-{backend}.txt" if args.profile and app == "bashgah" else None
            print(
                f"[{backend}] {name}: {args.clients} clients, {args.warmup:g} s warm-up + {args.seconds:g} s…",
                flush=True,
            )
            try:
                dsn = (url if app == "bashgah" else base_url) if backend == "postgres" else None
                result = asyncio.run(
                    drive(server, backend, load, args.clients, args.warmup, args.seconds, profile, dsn)
                )
            finally:
                stop_server(server)
            result.app = name
            if result.backends:
                print(f"[{backend}] {name}: {describe_backends(result.backends)}")
            if result.samples:
                print(f"[{backend}] {name}: first non-201 answers:\n  " + "\n  ".join(result.samples))
            if server.process.returncode not in (0, None, -signal.SIGINT):
                print(f"[{backend}] {name} server log:\n{server.tail()}")
            if app == "bashgah":
                code, output = ledger_verify(url)
                n, points, posted = asyncio.run(count_bashgah(url))
                print(f"[{backend}] {name} ledger verify (exit {code}):\n  " + output.replace("\n", "\n  "))
                result.check = "verify OK" if code == 0 else f"verify FAILED ({code})"
            else:
                n, points, posted = asyncio.run(baseline_app.count_rows(base_url))
                result.check = "sums OK"
            created = result.statuses.get(201, 0)
            print(
                f"[{backend}] {name}: {n} purchases stored ({created} answered 201 in the window, the rest "
                f"in the warm-up); points on purchases {points} = cached balances {posted}: "
                f"{'yes' if points == posted else 'NO'}"
            )
            if points != posted:
                result.check = "SUMS DIFFER"
            if profile is not None and profile.exists():
                print(f"[{backend}] profile of the bashgah server ({profile}):")
                print(summarize_profile(profile))
            results.append(result)
    return results


def table(results: list[Result]) -> str:
    head = (
        f"{'backend':<9} {'app':<9} {'requests':>8} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6} "
        f"{'srv cpu':>7} {'db cpu':>7} {'gen cpu':>7} {'others':>6} {'ratio':>6}  check"
    )
    rows = [head, "-" * len(head)]
    by_backend: dict[str, dict[str, Result]] = collections.defaultdict(dict)
    for r in results:
        by_backend[r.backend][r.app] = r
    for backend, apps in by_backend.items():
        base = apps.get("baseline")
        for app, r in apps.items():
            ratio = f"{r.rate / base.rate:6.2f}" if app == "bashgah" and base and base.rate else f"{'':6}"
            db_cpu = f"{r.cpu_ms('postgres'):7.2f}" if "postgres" in r.cpu else f"{'(in srv)':>7}"
            rows.append(
                f"{backend:<9} {app:<9} {r.requests:>8} {r.rate:>7.0f} {r.percentile(50):>7.1f} "
                f"{r.percentile(99):>7.1f} {r.errors:>6} {r.cpu_ms('server'):>7.2f} {db_cpu} "
                f"{r.cpu_ms('client'):>7.2f} {r.others_load:>6.2f} {ratio}  {r.check}"
            )
    rows.append(
        "srv/db/gen cpu: CPU ms per request in the window (server process; this database's PostgreSQL "
        "backends + WAL writer; load generator).\nothers: cores busy with anything else on the machine "
        "meanwhile (should be ~0: otherwise the figures are disturbed)."
    )
    return "\n".join(rows)


def programme_ratios(results: list[Result]) -> list[str]:
    """For ``--compare-programme``: programme ÷ core per backend, against the target."""
    apps = {(r.backend, r.app): r for r in results}
    lines = []
    for backend in ("postgres", "sqlite"):
        core, prog = apps.get((backend, "core")), apps.get((backend, "programme"))
        if not core or not prog:
            continue
        ratio = prog.rate / core.rate if core.rate else 0.0
        cpu = prog.cpu_ms("server") / core.cpu_ms("server") if core.cpu_ms("server") else math.nan
        met = "MET" if ratio >= TARGET_PROGRAMME_RATIO else "NOT MET"
        lines.append(
            f"{backend}: core {core.rate:.0f} req/s (p99 {core.percentile(99):.1f} ms, "
            f"{core.cpu_ms('server'):.2f} ms srv cpu), programme {prog.rate:.0f} req/s "
            f"(p99 {prog.percentile(99):.1f} ms, {prog.cpu_ms('server'):.2f} ms srv cpu); "
            f"ratio programme ÷ core {ratio:.2f} (target ≥ {TARGET_PROGRAMME_RATIO}) {met}; "
            f"server CPU per purchase ×{cpu:.2f}"
        )
    return lines


def targets(results: list[Result]) -> list[str]:
    apps = {(r.backend, r.app): r for r in results}
    lines = []
    for backend in ("postgres", "sqlite"):
        mine, base = apps.get((backend, "bashgah")), apps.get((backend, "baseline"))
        if not mine or not base:
            continue
        ratio = mine.rate / base.rate if base.rate else 0.0
        p99 = mine.percentile(99)
        note = "" if backend == "postgres" else " (targets are set for PostgreSQL; shown for information)"
        ratio_met = "MET" if ratio >= TARGET_RATIO else "NOT MET"
        p99_met = "MET" if p99 <= TARGET_P99_MS else "NOT MET"
        lines.append(
            f"{backend}: ratio {ratio:.2f} (target ≥ {TARGET_RATIO}) {ratio_met}; "
            f"p99 {p99:.1f} ms (target ≤ {TARGET_P99_MS:g} ms) {p99_met}; errors {mine.errors}{note}"
        )
    return lines


def code_version() -> str:
    """The commit benchmarked, and whether src/ had uncommitted changes (others edit it meanwhile)."""

    def git(*argv: str) -> str:
        done = subprocess.run(["git", "-C", str(ROOT), *argv], capture_output=True, text=True)
        return done.stdout.strip()

    version = git("rev-parse", "--short", "HEAD") or "unknown"
    if git("status", "--porcelain", "src"):
        version += " + uncommitted changes in src/"
    if os.environ.get("PYTHONPATH"):
        version += f" (PYTHONPATH={os.environ['PYTHONPATH']})"
    return version


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("postgres", "sqlite", "both"), default="both")
    parser.add_argument("--seconds", type=float, default=20.0, help="measured seconds per app")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--items", type=int, default=0, help="item lines per purchase (0: total only)")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of load before measuring")
    parser.add_argument("--app", choices=("bashgah", "baseline", "both"), default="both")
    parser.add_argument("--workers", type=int, default=1, help="server processes, for both apps (PostgreSQL)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--pg-server",
        default=os.environ.get("BASHGAH_BENCH_PG", PG_SERVER),
        help=f"PostgreSQL server URL without a database (default {PG_SERVER})",
    )
    parser.add_argument(
        "--profile", type=Path, default=None, help="folder for py-spy profiles of the bashgah server"
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--programme",
        action="store_true",
        help="configure 10 active campaigns and a 4-level tier ladder; purchases carry 1-3 item lines",
    )
    mode.add_argument(
        "--compare-programme",
        action="store_true",
        help="bashgah only: core-only, then with the programme, same backend and load; ratio (target ≥ 0.8)",
    )
    args = parser.parse_args()
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
        if not (BIN / "py-spy").exists():
            parser.error(f"--profile needs py-spy: {BIN / 'pip'} install py-spy")
    backends = ("postgres", "sqlite") if args.backend == "both" else (args.backend,)
    print(
        f"bench/earn.py: POST /api/v1/purchases, {args.clients} clients, {args.seconds:g} s, "
        f"{args.members} members, {args.workers} worker(s), {os.cpu_count()} CPUs, "
        f"{'compare core / programme, ' if args.compare_programme else ''}"
        f"{'programme: 10 campaigns + tiers, ' if args.programme else ''}"
        f"{time.strftime('%Y-%m-%d %H:%M')}, code {code_version()}"
    )
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="bashgah-bench-logs-") as logs:
        for backend in backends:
            if args.compare_programme:
                args.app = "bashgah"
                for programme, label in ((False, "core"), (True, "programme")):
                    results += bench_backend(backend, args, Path(logs), programme, True, label)
            else:
                results += bench_backend(backend, args, Path(logs), args.programme, args.programme)
    print()
    print(table(results))
    print()
    for line in programme_ratios(results) if args.compare_programme else targets(results):
        print(line)
    failed = any(r.errors or r.check not in ("verify OK", "sums OK") for r in results)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
