"""``bashgah import purchases`` against a raw PostgreSQL ``COPY`` of the same CSV file.

    .venv/bin/python bench/import.py [--rows 1000000] [--members 100000] [--redeem 0.0]
                                     [--database-url postgresql+asyncpg://postgres@127.0.0.1:5432/bashgah_bench]
                                     [--keep] [--no-verify]

It creates the database named in ``--database-url`` (dropped first if it exists, and dropped again at
the end unless ``--keep``), migrates it with ``bashgah db upgrade`` and, through Bashgah's own services,
makes a tenant ``bench`` with three branches (programme: 1 point per 10,000 rials, 7 pending days, 12
months' expiry). ``--members`` members are enrolled with ``bashgah import members`` (timed too).

Then it writes a CSV of ``--rows`` purchases (mobile, branch, receipt number, a lognormal total in
rials, a time in the last year; ``--redeem`` is the share of rows that also spend points, 0 by default)
and times, end to end, each as a subprocess:

* **import**: ``bashgah import purchases FILE --tenant bench`` — parse, validate, resolve members and
  receipts, lock accounts, take ids, COPY purchases + transfers + lots, update balances, commit;
* **COPY**: ``psql -c "\\copy raw FROM FILE CSV HEADER"`` into a plain table with the file's five
  columns and no index, constraint or trigger — the floor for getting these bytes into PostgreSQL.

It prints both times, rows per second, the ratio and the WAL the import wrote. Then (unless
``--no-breakdown``) it shows what the same rows cost on their own: the three tables' new rows are
copied out and COPY'd back (binary) into copies of the tables — first without any index or
constraint, then with the tables' indexes — which says how much of the import is the rows, how much
their indexes, and how much the rest (foreign-key checks, Python). Last, it imports the file again
(all skipped) and runs ``bashgah ledger verify``.
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

BIN = Path(sys.executable).parent
DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/bashgah_bench"
BRANCHES = ("tehran-vanak", "tehran-tajrish", "online")


def libpq_url(url: str, database: str | None = None) -> str:
    u = make_url(url).set(drivername="postgresql")
    if database is not None:
        u = u.set(database=database)
    return u.render_as_string(hide_password=False)


def recreate_database(url: str, drop_only: bool = False) -> None:
    import psycopg

    name = make_url(url).database
    assert name, "the URL must name a database"
    with psycopg.connect(libpq_url(url, "postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            admin.execute(f'CREATE DATABASE "{name}"')


def make_tenant(url: str) -> None:
    import asyncio

    from bashgah.core.db import Database
    from bashgah.tenants import service as tenants
    from bashgah.tenants.schemas import BranchCreate

    async def work() -> None:
        db = Database(url, pool_size=1)
        try:
            async with db.transaction() as session:
                tenant = await tenants.create_tenant(
                    session,
                    "bench",
                    "Bench",
                    earn_points=1,
                    earn_per_rials=10_000,
                    pending_days=7,
                    expiry_mode="months",
                    expiry_months=12,
                )
                for code in BRANCHES:
                    kind = "online" if code == "online" else "store"
                    await tenants.create_branch(
                        session, tenant.id, BranchCreate(code=code, name=code, kind=kind)
                    )
        finally:
            await db.dispose()

    asyncio.run(work())


def mobiles(count: int) -> list[str]:
    # 0912 000 0000 … : valid Iranian mobiles, distinct.
    return [f"0912{n:07d}" for n in range(count)]


def write_members(path: Path, numbers: list[str]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["mobile", "first_name", "last_name"])
        for n, mobile in enumerate(numbers):
            writer.writerow([mobile, "عضو", f"شماره {n}"])


def write_purchases(path: Path, rows: int, numbers: list[str], redeem: float, seed: int = 1405) -> None:
    rng = random.Random(seed)
    start = datetime.now(UTC) - timedelta(days=365)
    sales = []
    for n in range(rows):
        total = int(max(10_000, round(math.exp(rng.gauss(13.9, 0.8)), -3)))
        at = start + timedelta(seconds=rng.randrange(360 * 86_400))
        sales.append([numbers[rng.randrange(len(numbers))], BRANCHES[n % 3], f"R{n:09d}", total, at])
    spends = _affordable_redemptions(sales, redeem, rng) if redeem else set()
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(
            ["mobile", "branch", "external_id", "total_rials", "occurred_at"]
            + (["redeem_points"] if redeem else [])
        )
        for n, (mobile, branch, receipt, total, at) in enumerate(sales):
            row = [mobile, branch, receipt, total, at.strftime("%Y-%m-%dT%H:%M:%SZ")]
            if redeem:
                row.append(1 if n in spends else "")
            writer.writerow(row)


def _affordable_redemptions(sales: list[list[Any]], share: float, rng: random.Random) -> set[int]:
    """Rows (about ``share`` of them) that spend one point their member could spend at that time:
    earned by the bench programme (1 per 10,000 rials) at least its 7 pending days before."""
    from bashgah.ledger import rules

    by_member: dict[str, list[int]] = {}
    for n, sale in enumerate(sales):
        by_member.setdefault(sale[0], []).append(n)
    spends: set[int] = set()
    for indexes in by_member.values():
        indexes.sort(key=lambda n: sales[n][4])
        earned: list[tuple[datetime, int]] = []
        spent = 0
        for n in indexes:
            _, _, _, total, at = sales[n]
            spendable = sum(p for since, p in earned if since <= at) - spent
            pay = total
            if spendable >= 1 and rng.random() < share:
                spends.add(n)
                spent += 1
                pay -= 1_000
            earned.append((rules.available_after(at, 7), rules.points_for(pay, 1, 10_000)))
    return spends


def timed(command: list[str], env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"failed: {' '.join(command)}")
    return elapsed, done.stdout.strip()


def raw_copy(url: str, path: Path) -> float:
    """COPY the CSV into a plain table of its columns with psql (or psycopg when psql is missing)."""
    import psycopg

    dsn = libpq_url(url)
    with psycopg.connect(dsn, autocommit=True) as conn:
        with path.open(encoding="utf-8") as f:
            header = next(csv.reader(f))
        columns = ", ".join(
            f"{name} {'bigint' if name.endswith(('_rials', '_points')) else 'text'}" for name in header
        )
        conn.execute("DROP TABLE IF EXISTS raw_purchases")
        conn.execute(f"CREATE TABLE raw_purchases ({columns})")
    psql = shutil.which("psql")
    if psql:
        elapsed, _ = timed(
            [psql, dsn, "-c", f"\\copy raw_purchases FROM '{path}' CSV HEADER"], dict(os.environ)
        )
        return elapsed
    started = time.perf_counter()
    with (
        psycopg.connect(dsn) as conn,
        conn.cursor() as cur,
        path.open("rb") as f,
        cur.copy("COPY raw_purchases FROM STDIN (FORMAT csv, HEADER true)") as copy,
    ):
        while chunk := f.read(1 << 20):
            copy.write(chunk)
    return time.perf_counter() - started


LEDGER_TABLES = ("purchases", "transfers", "point_lots")


def wal_position(url: str) -> int:
    import psycopg

    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        row = conn.execute("SELECT pg_current_wal_lsn() - '0/0'::pg_lsn").fetchone()
    return int(row[0]) if row else 0


def breakdown(url: str, tmp: Path) -> tuple[float, float]:
    """Seconds to COPY the imported rows of the three tables into plain copies: (bare, with indexes)."""
    import psycopg

    dsn = libpq_url(url)
    psql = shutil.which("psql")
    if psql is None:
        raise SystemExit("the breakdown needs psql (or pass --no-breakdown)")
    env = dict(os.environ)
    bare = indexed = 0.0
    for table in LEDGER_TABLES:
        dump = tmp / f"{table}.bin"
        timed([psql, dsn, "-c", f"\\copy {table} TO '{dump}' WITH (FORMAT binary)"], env)
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f"DROP TABLE IF EXISTS bare_{table}, indexed_{table}")
            conn.execute(f"CREATE TABLE bare_{table} (LIKE {table})")
            conn.execute(f"CREATE TABLE indexed_{table} (LIKE {table} INCLUDING INDEXES)")
        bare += timed([psql, dsn, "-c", f"\\copy bare_{table} FROM '{dump}' WITH (FORMAT binary)"], env)[0]
        indexed += timed(
            [psql, dsn, "-c", f"\\copy indexed_{table} FROM '{dump}' WITH (FORMAT binary)"], env
        )[0]
        dump.unlink()
    return bare, indexed


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--redeem", type=float, default=0.0, help="share of rows that spend 1 point")
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--no-verify", action="store_true", help="skip bashgah ledger verify")
    parser.add_argument("--no-breakdown", action="store_true", help="skip timing the rows into plain tables")
    args = parser.parse_args()

    url = args.database_url
    env = dict(os.environ, BASHGAH_DATABASE_URL=url)
    bashgah = str(BIN / "bashgah")
    recreate_database(url)
    try:
        timed([bashgah, "db", "upgrade"], env)
        make_tenant(url)
        with tempfile.TemporaryDirectory(prefix="bashgah-bench-") as tmp:
            numbers = mobiles(args.members)
            members_csv = Path(tmp) / "members.csv"
            write_members(members_csv, numbers)
            members_time, summary = timed(
                [bashgah, "import", "members", str(members_csv), "-t", "bench"], env
            )
            print(f"setup   {summary} in {members_time:.1f} s")

            purchases_csv = Path(tmp) / "purchases.csv"
            write_purchases(purchases_csv, args.rows, numbers, args.redeem)
            size = purchases_csv.stat().st_size / 1e6
            print(f"file    {args.rows:,} purchases, {size:.0f} MB")

            copy_time = raw_copy(url, purchases_csv)
            wal_before = wal_position(url)
            import_time, summary = timed(
                [bashgah, "import", "purchases", str(purchases_csv), "-t", "bench"], env
            )
            wal = wal_position(url) - wal_before
            print(f"import  {summary}")
            print()
            print(f"{'':46}{'seconds':>9}{'rows/s':>11}{'× COPY':>8}")

            def line(what: str, seconds: float) -> None:
                print(f"{what:46}{seconds:>9.2f}{args.rows / seconds:>11,.0f}{seconds / copy_time:>8.1f}")

            line("raw COPY of the CSV into a plain table", copy_time)
            line("bashgah import purchases (end to end)", import_time)
            print(
                f"ratio {import_time / copy_time:.1f}× the raw COPY (target ≤ 3×); WAL written {wal / 1e9:.2f} GB"
            )
            if not args.no_breakdown:
                bare, indexed = breakdown(url, Path(tmp))
                print("the same purchase + transfer + lot rows COPY'd (binary) into copies of the tables:")
                line("  without indexes or constraints", bare)
                line("  with the tables' indexes, no foreign keys", indexed)
            again_time, summary = timed(
                [bashgah, "import", "purchases", str(purchases_csv), "-t", "bench"], env
            )
            print(f"again   {summary} in {again_time:.1f} s")
        if not args.no_verify:
            verify_time, summary = timed([bashgah, "ledger", "verify", "-t", "bench"], env)
            print(f"verify  {summary.splitlines()[-1]} ({verify_time:.1f} s)")
    finally:
        if not args.keep:
            recreate_database(url, drop_only=True)


if __name__ == "__main__":
    main()
