"""RFM + Pareto through Bashgah's report services against a plain DuckDB RFM query over the same rows;
the CLV fit-and-score of the ``clv`` report on the same rows.

    .venv/bin/python bench/analytics.py [--members 1000000] [--purchases 10000000]
                                        [--server postgresql+asyncpg://postgres@127.0.0.1:5432]
                                        [--keep]

1. Creates the PostgreSQL database ``bashgah_bench_analytics`` (dropped first if it exists, dropped at
   the end unless ``--keep``), migrates it and makes a tenant with two branches through the services.
2. Generates ``--members`` members (enrolled over three years) and ``--purchases`` purchases (over two
   years; the member of each drawn with a skew so that the Pareto report has something to find; a
   lognormal-ish total; 2 % returned in full, 3 % in part) with DuckDB, seeded, into CSV files and a
   DuckDB table, and loads the CSV into PostgreSQL with ``COPY`` (foreign-key triggers off during the
   load; the purchases' secondary indexes built after it), then ``ANALYZE``.
3. Times, each in its own process so that its peak memory (``getrusage`` max RSS) is its own:

   * **service**: ``analytics.reports.rfm`` then ``analytics.reports.pareto`` (365-day window) in one
     transaction, exactly as ``GET /api/v1/reports/rfm`` and ``/pareto`` run them — scores and groups
     of every buying member, and the top 20 % list — rows materialised in Python;
   * **CLV**: ``analytics.reports.clv`` (BG/NBD + Gamma-Gamma fitted on every member's purchase days
     and scored), as ``GET /api/v1/reports/clv`` runs it, once, with the fit and the scoring timed apart;
   * **DuckDB**: the same RFM (last purchase, visits and net revenue in the window, quintile scores by
     ``RANK``) over the same rows in a DuckDB table, fetched to Python.

It prints the times, the ratio (target ≤ 3×), the CLV time (target ≤ 60 s) and each process's peak
memory (target ≤ 4 GB). The PostgreSQL server's own memory is not in these figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

DATABASE = "bashgah_bench_analytics"
#: Every report is computed at this moment; the data spans the two years before it.
AS_OF = datetime(2026, 11, 1, tzinfo=UTC)
WINDOW_DAYS = 365


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _sync_dsn(server: str, database: str) -> str:
    from sqlalchemy.engine import make_url

    url = make_url(server).set(drivername="postgresql", database=database)
    return url.render_as_string(hide_password=False)


def _async_url(server: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(server).set(database=DATABASE).render_as_string(hide_password=False)


# --- generation and load ---------------------------------------------------------------------------


def generate(folder: Path, members: int, purchases: int) -> Path:
    """Members and purchases as CSV for PostgreSQL and as a DuckDB table for the reference."""
    import duckdb

    db_path = folder / "reference.duckdb"
    con = duckdb.connect(str(db_path))
    con.execute("SET memory_limit = '2GB'")
    con.execute("SELECT setseed(0.42)")
    con.execute(
        f"""
        CREATE TABLE members AS
        SELECT i AS id,
               '+98912' || lpad(CAST(i AS VARCHAR), 7, '0') AS mobile,
               lpad(CAST(i AS VARCHAR), 16, '0') AS card_number,
               TIMESTAMP '2023-11-01' + to_microseconds(CAST(random() * 1095 * 86400e6 AS BIGINT))
                   AS created_at
        FROM range(1, {members} + 1) t(i)
        """
    )
    # The member of a purchase: u² skews purchases toward low ids (a few members buy a lot).
    con.execute(
        f"""
        CREATE TABLE purchases AS
        SELECT i AS id,
               1 + (i % 2) AS branch_id,
               1 + CAST(floor(pow(random(), 2) * {members}) AS BIGINT) AS member_id,
               'B' || CAST(i AS VARCHAR) AS external_id,
               CAST(50000 + floor(pow(random(), 3) * 20000000) AS BIGINT) AS total_rials,
               random() AS fate,
               TIMESTAMP '{AS_OF:%Y-%m-%d}' - to_microseconds(CAST(random() * 730 * 86400e6 AS BIGINT))
                   AS occurred_at
        FROM range(1, {purchases} + 1) t(i)
        """
    )
    con.execute(
        """
        CREATE TABLE p AS
        SELECT id, branch_id, member_id, external_id, total_rials,
               CASE WHEN fate < 0.02 THEN total_rials WHEN fate < 0.05 THEN total_rials // 4 ELSE 0 END
                   AS refunded_rials,
               occurred_at
        FROM purchases
        """
    )
    con.execute("DROP TABLE purchases")
    con.execute("ALTER TABLE p RENAME TO purchases")
    con.execute(
        f"COPY (SELECT id, mobile, card_number, strftime(created_at, '%Y-%m-%d %H:%M:%S') FROM members) "
        f"TO '{folder / 'members.csv'}' (HEADER false)"
    )
    con.execute(
        f"COPY (SELECT id, branch_id, member_id, external_id, total_rials, refunded_rials, "
        f"strftime(occurred_at, '%Y-%m-%d %H:%M:%S.%f') FROM purchases) "
        f"TO '{folder / 'purchases.csv'}' (HEADER false)"
    )
    con.close()
    return db_path


def create_database(server: str) -> None:
    import psycopg

    with psycopg.connect(_sync_dsn(server, "postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{DATABASE}"')


def drop_database(server: str) -> None:
    import psycopg

    with psycopg.connect(_sync_dsn(server, "postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')


async def make_tenant(url: str) -> int:
    from bashgah.core.db import Database
    from bashgah.tenants import service as tenants
    from bashgah.tenants.schemas import BranchCreate

    db = Database(url, pool_size=1)
    try:
        async with db.transaction() as session:
            tenant = await tenants.create_tenant(session, "bench", "Bench")
            for code in ("main", "online"):
                await tenants.create_branch(session, tenant.id, BranchCreate(code=code, name=code))
            return tenant.id
    finally:
        await db.dispose()


def _copy(cursor: object, statement: str, path: Path) -> None:
    with cursor.copy(statement) as copy, path.open("rb") as source:  # type: ignore[attr-defined]
        while block := source.read(1 << 20):
            copy.write(block)


def load(server: str, folder: Path, tenant_id: int) -> None:
    import psycopg

    with psycopg.connect(_sync_dsn(server, DATABASE)) as conn, conn.cursor() as cur:
        cur.execute("SET TIME ZONE 'UTC'")
        # Foreign keys are not checked row by row during the load: the generator made them right.
        cur.execute("SET session_replication_role = replica")
        cur.execute("ALTER TABLE purchases DROP CONSTRAINT uq_purchases_tenant_id_branch_id_external_id")
        cur.execute("DROP INDEX ix_purchases_member")
        cur.execute(
            "CREATE TEMP TABLE m_in (id bigint, mobile text, card_number text, created_at timestamptz)"
        )
        _copy(cur, "COPY m_in FROM STDIN (FORMAT csv)", folder / "members.csv")
        cur.execute(
            f"""
            INSERT INTO members (id, tenant_id, mobile, first_name, last_name, name_key, tags, status,
                                 sms_consent, email_consent, card_number, updated_at, created_at)
            SELECT id, {tenant_id}, mobile, '', '', '', '[]', 'active', false, false, card_number,
                   created_at, created_at
            FROM m_in
            """
        )
        cur.execute("SELECT setval('members_id_seq', (SELECT max(id) FROM members))")
        branches = [row[0] for row in cur.execute("SELECT id FROM branches ORDER BY id").fetchall()]
        cur.execute(
            """
            CREATE TEMP TABLE p_in (id bigint, branch int, member_id bigint, external_id text,
                                    total_rials bigint, refunded_rials bigint, occurred_at timestamptz)
            """
        )
        _copy(cur, "COPY p_in FROM STDIN (FORMAT csv)", folder / "purchases.csv")
        cur.execute(
            f"""
            INSERT INTO purchases (id, tenant_id, branch_id, member_id, external_id, total_rials,
                                   discount_rials, points_earned, points_redeemed, available_at,
                                   occurred_at, refunded_rials, points_reversed, points_returned,
                                   created_at)
            SELECT id, {tenant_id}, CASE branch WHEN 1 THEN {branches[0]} ELSE {branches[1]} END,
                   member_id, external_id, total_rials, 0, 0, 0, occurred_at, occurred_at,
                   refunded_rials, 0, 0, occurred_at
            FROM p_in
            """
        )
        cur.execute("DROP TABLE p_in")
        cur.execute("SELECT setval('purchases_id_seq', (SELECT max(id) FROM purchases))")
        cur.execute("SET session_replication_role = origin")
        cur.execute(
            "ALTER TABLE purchases ADD CONSTRAINT uq_purchases_tenant_id_branch_id_external_id "
            "UNIQUE (tenant_id, branch_id, external_id)"
        )
        cur.execute("CREATE INDEX ix_purchases_member ON purchases (member_id, id)")
        conn.commit()
    with psycopg.connect(_sync_dsn(server, DATABASE), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE members")
        conn.execute("VACUUM ANALYZE purchases")


# --- the two timed phases (each run in its own process) --------------------------------------------


async def _service(url: str, tenant_id: int) -> dict[str, float]:
    from bashgah.analytics.reports import Params, pareto, rfm
    from bashgah.core.db import Database

    db = Database(url, pool_size=1)
    params = Params(as_of=AS_OF, window_days=WINDOW_DAYS)
    try:
        async with db.transaction() as session:
            await session.execute(__import__("sqlalchemy").text("SELECT 1"))  # connect outside the clock
            started = time.perf_counter()
            scored = await rfm(session, tenant_id, "en", params)
            rfm_s = time.perf_counter() - started
            top = await pareto(session, tenant_id, "en", params)
            total_s = time.perf_counter() - started
    finally:
        await db.dispose()
    summary = {row[1]: row[2] for row in top.table("summary").rows}
    return {
        "rfm_s": rfm_s,
        "pareto_s": total_s - rfm_s,
        "total_s": total_s,
        "members_scored": len(scored.table("members").rows),
        "top20_members": len(top.table("members").rows),
        "top20_revenue_share": summary["top20_revenue_share"],
        "peak_mb": _peak_mb(),
    }


async def _clv(url: str, tenant_id: int) -> dict[str, float]:
    """The ``clv`` report as ``GET /api/v1/reports/clv`` runs it, with the model fit and the scoring
    timed on their own (wrapped where the report calls them)."""
    from bashgah.analytics import clv as models
    from bashgah.analytics.reports import Params, clv
    from bashgah.core.db import Database

    spent = {"read_s": 0.0, "fit_s": 0.0, "score_s": 0.0}

    def timed(name: str, fn: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - started

        return wrapper

    models.fit_models = timed("fit_s", models.fit_models)
    models.score = timed("score_s", models.score)
    # The report hands the summaries to a worker thread once it has read them from the database.
    to_thread = asyncio.to_thread
    started = 0.0

    async def reading_done(fn: Any, /, *args: Any, **kwargs: Any) -> Any:
        spent["read_s"] = time.perf_counter() - started
        return await to_thread(fn, *args, **kwargs)

    asyncio.to_thread = reading_done
    db = Database(url, pool_size=1)
    try:
        async with db.transaction() as session:
            await session.execute(__import__("sqlalchemy").text("SELECT 1"))  # connect outside the clock
            started = time.perf_counter()
            report = await clv(session, tenant_id, "en", Params(as_of=AS_OF))
            total_s = time.perf_counter() - started
    finally:
        await db.dispose()
    rows = report.as_dicts("members")
    return {
        "total_s": total_s,
        **spent,
        "members_scored": len(rows),
        "repeat_buyers": sum(1 for r in rows if r["repeat_purchases"] > 0),
        "value_365d_rials": sum(r["expected_value_365d_rials"] for r in rows),
        "peak_mb": _peak_mb(),
    }


def _reference(db_path: str) -> dict[str, float]:
    import duckdb

    con = duckdb.connect(db_path, read_only=True)
    start = f"TIMESTAMP '{AS_OF:%Y-%m-%d}' - INTERVAL {WINDOW_DAYS} DAY"
    query = f"""
        WITH per_member AS (
            SELECT member_id,
                   max(occurred_at) AS last_at,
                   count(*) FILTER (WHERE occurred_at > {start}) AS frequency,
                   coalesce(sum(total_rials - refunded_rials) FILTER (WHERE occurred_at > {start}), 0)
                       AS monetary
            FROM purchases
            WHERE occurred_at <= TIMESTAMP '{AS_OF:%Y-%m-%d}' AND total_rials - refunded_rials > 0
            GROUP BY member_id
        )
        SELECT member_id, last_at, frequency, monetary,
               1 + 5 * (rank() OVER (ORDER BY last_at) - 1) // count(*) OVER () AS r,
               1 + 5 * (rank() OVER (ORDER BY frequency) - 1) // count(*) OVER () AS f,
               1 + 5 * (rank() OVER (ORDER BY monetary) - 1) // count(*) OVER () AS m
        FROM per_member
        ORDER BY monetary DESC, member_id
    """
    started = time.perf_counter()
    rows = con.execute(query).fetchall()
    elapsed = time.perf_counter() - started
    con.close()
    return {"rfm_s": elapsed, "members_scored": len(rows), "peak_mb": _peak_mb()}


def _child(phase: str, *args: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, __file__, "--phase", phase, *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        sys.exit(f"{phase} failed:\n{done.stderr}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--purchases", type=int, default=10_000_000)
    parser.add_argument("--server", default="postgresql+asyncpg://postgres@127.0.0.1:5432")
    parser.add_argument("--keep", action="store_true", help="keep the database and the files")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--arg", action="append", default=[], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase == "service":
        print(json.dumps(asyncio.run(_service(args.arg[0], int(args.arg[1])))))
        return
    if args.phase == "clv":
        print(json.dumps(asyncio.run(_clv(args.arg[0], int(args.arg[1])))))
        return
    if args.phase == "reference":
        print(json.dumps(_reference(args.arg[0])))
        return
    if args.phase == "generate":
        folder = Path(args.arg[0])
        generate(folder, int(args.arg[1]), int(args.arg[2]))
        print(json.dumps({"peak_mb": _peak_mb()}))
        return

    from bashgah.core.migrate import upgrade

    url = _async_url(args.server)
    folder = Path(tempfile.mkdtemp(prefix="bashgah-bench-analytics-"))
    print(f"{args.members:,} members, {args.purchases:,} purchases; files in {folder}")
    try:
        started = time.perf_counter()
        # In a process of its own, like the timed phases: Linux keeps a process's peak RSS across
        # fork and exec, so memory used here would show up as the children's peak.
        _child("generate", "--arg", str(folder), "--arg", str(args.members), "--arg", str(args.purchases))
        db_path = folder / "reference.duckdb"
        print(f"generated with DuckDB       {time.perf_counter() - started:7.1f} s")
        started = time.perf_counter()
        create_database(args.server)
        upgrade(url)
        tenant_id = asyncio.run(make_tenant(url))
        load(args.server, folder, tenant_id)
        print(f"loaded into PostgreSQL      {time.perf_counter() - started:7.1f} s (COPY, indexes, ANALYZE)")

        service = _child("service", "--arg", url, "--arg", str(tenant_id))
        reference = _child("reference", "--arg", str(db_path))
        # A second run of each: the first pays for cold caches.
        service2 = _child("service", "--arg", url, "--arg", str(tenant_id))
        reference2 = _child("reference", "--arg", str(db_path))
        lifetime = _child("clv", "--arg", url, "--arg", str(tenant_id))
        best = min(service, service2, key=lambda r: r["total_s"])
        ref = min(reference, reference2, key=lambda r: r["rfm_s"])
        print(
            f"service  RFM {best['rfm_s']:6.2f} s + Pareto {best['pareto_s']:6.2f} s = "
            f"{best['total_s']:6.2f} s   ({best['members_scored']:,} members scored, "
            f"{best['top20_members']:,} in the top 20 % with {best['top20_revenue_share']:.1%} of revenue)"
            f"   peak {max(service['peak_mb'], service2['peak_mb']):,.0f} MB"
        )
        print(
            f"DuckDB   RFM {ref['rfm_s']:6.2f} s   ({ref['members_scored']:,} members scored)"
            f"   peak {max(reference['peak_mb'], reference2['peak_mb']):,.0f} MB"
        )
        print(
            f"ratio (service RFM + Pareto ÷ DuckDB RFM): {best['total_s'] / ref['rfm_s']:.1f}×  (target ≤ 3×); "
            f"RFM alone {best['rfm_s'] / ref['rfm_s']:.1f}×"
        )
        print(
            f"service  CLV {lifetime['total_s']:6.2f} s (database and fetch {lifetime['read_s']:.2f} s, fit "
            f"{lifetime['fit_s']:.2f} s, score {lifetime['score_s']:.2f} s, sorting and rows "
            f"{lifetime['total_s'] - lifetime['read_s'] - lifetime['fit_s'] - lifetime['score_s']:.2f} s)   "
            f"({lifetime['members_scored']:,} members scored, {lifetime['repeat_buyers']:,} with repeat "
            f"purchases)   peak {lifetime['peak_mb']:,.0f} MB   (target ≤ 60 s, ≤ 4 GB)"
        )
        print(
            f"cores: {os.cpu_count()}; runs: service {service['total_s']:.2f}/{service2['total_s']:.2f} s, "
            f"DuckDB {reference['rfm_s']:.2f}/{reference2['rfm_s']:.2f} s"
        )
    finally:
        if not args.keep:
            drop_database(args.server)
            for path in sorted(folder.glob("*")):
                path.unlink()
            folder.rmdir()


if __name__ == "__main__":
    main()
