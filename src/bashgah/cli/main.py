"""The ``bashgah`` command line."""

from __future__ import annotations

from typing import Annotated

import typer
import uvicorn
from rich.console import Console
from rich.table import Table

from bashgah.auth import service as auth
from bashgah.auth import sessions as web_sessions
from bashgah.cli.common import TenantOpt, console, run, tenant_id
from bashgah.cli.data import export as export_command
from bashgah.cli.data import import_app
from bashgah.cli.demo import demo as demo_command
from bashgah.cli.report import report as report_command
from bashgah.cli.segments import segments_app
from bashgah.cli.wallet import gift_cards_app, wallet_app
from bashgah.core.config import get_settings
from bashgah.core.db import Database
from bashgah.core.migrate import upgrade
from bashgah.sms import gateway as sms_gateway
from bashgah.staff import service as staff_service
from bashgah.tenants import service as tenants
from bashgah.tenants.schemas import BranchCreate
from bashgah.web import audit

app = typer.Typer(help="Bashgah — the open customer-club platform.", no_args_is_help=True)
keys_app = typer.Typer(help="API keys.", no_args_is_help=True)
ledger_app = typer.Typer(help="The points ledger.", no_args_is_help=True)
db_app = typer.Typer(help="The database schema.", no_args_is_help=True)
jobs_app = typer.Typer(help="Scheduled work (cron-friendly).", no_args_is_help=True)
staff_app = typer.Typer(help="The people who work for the club and their roles.", no_args_is_help=True)
app.add_typer(staff_app, name="staff")
app.add_typer(keys_app, name="keys")
app.add_typer(ledger_app, name="ledger")
app.add_typer(db_app, name="db")
app.add_typer(jobs_app, name="jobs")
app.add_typer(import_app, name="import")
app.add_typer(segments_app, name="segments")
app.add_typer(wallet_app, name="wallet")
app.add_typer(gift_cards_app, name="gift-cards")
app.command("export")(export_command)
app.command("demo")(demo_command)
app.command("report")(report_command)


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Migrate the database (BASHGAH_DATABASE_URL) to the newest schema."""
    upgrade(get_settings().database_url, revision)
    console.print("database schema is up to date")


@app.command()
def init(
    slug: Annotated[str, typer.Option("--tenant", "-t", help="Short name of the business")] = "shop",
    name: Annotated[str, typer.Option(help="Display name")] = "فروشگاه من",
    branch: Annotated[str, typer.Option(help="Code of the first branch")] = "main",
) -> None:
    """Create the schema, a tenant with its first branch, and an owner API key (printed on the last line)."""
    upgrade(get_settings().database_url)

    async def work(db: Database) -> str:
        async with db.transaction() as session:
            tenant = await tenants.create_tenant(session, slug, name)
            await tenants.create_branch(session, tenant.id, BranchCreate(code=branch, name=branch))
            _, plaintext = await auth.create(session, tenant.id, "owner (init)", "owner")
            return plaintext

    key = run(work)
    console.print(f"tenant {slug!r} created with branch {branch!r}; owner API key:")
    print(key)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on")] = None,
    port: Annotated[int | None, typer.Option(help="Port")] = None,
    workers: Annotated[int, typer.Option(help="Worker processes (PostgreSQL only)")] = 1,
) -> None:
    """Serve the API and the web pages (/login, /pos, /console)."""
    settings = get_settings()
    refused = sms_gateway.refusal_to_serve(sms_gateway.SmsSettings(), settings.development)
    if refused:
        console.print(f"[red]{refused}[/red]")
        raise typer.Exit(2)
    uvicorn.run(
        "bashgah.api.app:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        access_log=False,
        log_level=settings.log_level,
    )


@keys_app.command("create")
def keys_create(
    name: Annotated[str, typer.Option(help="What the key is for, e.g. 'till 3'")],
    role: Annotated[str, typer.Option(help="owner | manager | cashier | integration")] = "integration",
    branch: Annotated[str | None, typer.Option(help="Limit the key to one branch (code)")] = None,
    staff: Annotated[str | None, typer.Option(help="Issue the key to a staff member (username)")] = None,
    tenant: TenantOpt = None,
) -> None:
    """Create an API key. The key is printed alone on the last line and never shown again."""

    async def work(db: Database) -> str:
        async with db.transaction() as session:
            tid = await tenant_id(session, tenant)
            branch_id = (await tenants.resolve_branch(session, tid, branch, None)).id if branch else None
            person = await staff_service.get_by_username(session, tid, staff) if staff else None
            if person is not None and person.disabled_at is not None:
                raise typer.BadParameter(f"{staff} is disabled", param_hint="--staff")
            _, plaintext = await auth.create(
                session,
                tid,
                name,
                role,
                branch_id or (person.branch_id if person else None),
                person.id if person else None,
            )
            return plaintext

    key = run(work)
    console.print(f"created a {role} key {name!r}; store it now, it is not shown again:")
    print(key)


@keys_app.command("list")
def keys_list(tenant: TenantOpt = None) -> None:
    """List the tenant's API keys (prefix only)."""

    async def work(db: Database) -> Table:
        async with db.transaction() as session:
            tid = await tenant_id(session, tenant)
            table = Table("id", "name", "role", "branch", "prefix", "created", "revoked")
            for key in await auth.list_keys(session, tid):
                table.add_row(
                    str(key.id),
                    key.name,
                    key.role,
                    str(key.branch_id or "-"),
                    key.prefix + "…",
                    key.created_at.strftime("%Y-%m-%d"),
                    key.revoked_at.strftime("%Y-%m-%d") if key.revoked_at else "-",
                )
            return table

    Console().print(run(work))


@keys_app.command("revoke")
def keys_revoke(key_id: int, tenant: TenantOpt = None) -> None:
    """Revoke an API key by id; it stops working at once."""

    async def work(db: Database) -> None:
        async with db.transaction() as session:
            await auth.revoke(session, await tenant_id(session, tenant), key_id)

    run(work)
    console.print(f"key {key_id} revoked")


@ledger_app.command("verify")
def ledger_verify(tenant: Annotated[str | None, typer.Option("--tenant", "-t")] = None) -> None:
    """Recompute every balance from the transfers; exit 1 on any mismatch."""
    from bashgah.ledger.verify import VerifyReport, verify

    async def work(db: Database) -> VerifyReport:
        async with db.transaction() as session:
            tid = await tenant_id(session, tenant) if tenant else None
            return await verify(session, tid)

    report = run(work)
    print(
        f"accounts: {report.accounts}  transfers: {report.transfers}  "
        f"issued: {report.issued}  outstanding: {report.outstanding}"
    )
    for problem in report.problems:
        print(f"MISMATCH {problem}")
    if report.ok:
        print("ledger OK: every cached balance matches its transfers, accounts sum to zero, lots agree")
    else:
        print(f"ledger BROKEN: {len(report.problems)} problem(s)")
        raise typer.Exit(1)


@jobs_app.command("run")
def jobs_run(
    name: Annotated[
        str | None,
        typer.Argument(help="release | expire | tiers | occasions | notices | scores (all when left out)"),
    ] = None,
) -> None:
    """Run scheduled jobs once, for every tenant. Safe to run twice, and from two machines at once."""
    from bashgah.jobs import registry

    if name is not None and name not in registry.BY_NAME:
        raise typer.BadParameter(f"unknown job {name!r}; one of {', '.join(registry.BY_NAME)}")

    async def work(db: Database) -> list[registry.JobResult]:
        if name is None:
            return await registry.run_all(db)
        return [await registry.run(db, name)]

    results = run(work)
    for result in results:
        console.print(result.line())
    if any(r.failed for r in results):
        raise typer.Exit(1)


@jobs_app.command("list")
def jobs_list() -> None:
    """The jobs in the order ``jobs run`` runs them, and the work that needs no job."""
    from bashgah.jobs import registry

    for job in registry.JOBS:
        print(f"{job.name:<10} {'daily' if job.daily else 'often':<6} counts {job.counts}")
    for what, why in registry.NO_JOB_NEEDED.items():
        print(f"{what:<10} no job: {why}")


def _new_password(username: str) -> str:
    """Ask for a web password twice, without echo."""
    password: str = typer.prompt(f"web password for {username}", hide_input=True, confirmation_prompt=True)
    return password


@staff_app.command("add")
def staff_add(
    username: str,
    full_name: Annotated[str, typer.Option("--name", help="Full name")],
    role: Annotated[str, typer.Option(help="owner | manager | analyst | cashier")] = "cashier",
    branch: Annotated[str | None, typer.Option(help="Branch code (required for a cashier)")] = None,
    password: Annotated[
        bool, typer.Option("--password", help="Ask for a password so they can sign in to the web pages")
    ] = False,
    tenant: TenantOpt = None,
) -> None:
    """Add a staff member (with --password: and their web sign-in)."""
    secret = _new_password(username) if password else None

    async def work(db: Database) -> None:
        async with db.transaction() as session:
            tid = await tenant_id(session, tenant)
            branch_id = (await tenants.resolve_branch(session, tid, branch, None)).id if branch else None
            await staff_service.add(session, tid, username, full_name, role, branch_id, password=secret)

    run(work)
    console.print(f"added {role} {username!r}" + (" with a web password" if secret else ""))


@staff_app.command("set-password")
def staff_set_password(username: str, tenant: TenantOpt = None) -> None:
    """Set (or reset) a staff member's web password; it also lifts a lockout and ends their sessions."""
    secret = _new_password(username)

    async def work(db: Database) -> None:
        async with db.transaction() as session:
            person = await staff_service.set_password(
                session, await tenant_id(session, tenant), username, secret
            )
            await web_sessions.end_all_of_staff(session, person.id)

    run(work)
    console.print(f"{username!r} has a new web password")


@staff_app.command("unlock")
def staff_unlock(username: str, tenant: TenantOpt = None) -> None:
    """Lift the locks wrong passwords put on a staff member's web sign-in, from every address."""

    async def work(db: Database) -> int:
        async with db.transaction() as session:
            person, locked = await staff_service.unlock(session, await tenant_id(session, tenant), username)
            await audit.record(session, person.tenant_id, "staff.unlocked", None, "staff", person.id)
            return locked

    locked = run(work)
    console.print(
        f"{username!r} can sign in again" + (f" ({locked} locked address(es) cleared)" if locked else "")
    )


@staff_app.command("list")
def staff_list(tenant: TenantOpt = None) -> None:
    """List staff members."""

    async def work(db: Database) -> Table:
        async with db.transaction() as session:
            table = Table("id", "username", "name", "role", "branch", "disabled")
            for person in await staff_service.list_staff(session, await tenant_id(session, tenant)):
                table.add_row(
                    str(person.id),
                    person.username,
                    person.full_name,
                    person.role,
                    str(person.branch_id or "-"),
                    person.disabled_at.strftime("%Y-%m-%d") if person.disabled_at else "-",
                )
            return table

    Console().print(run(work))


@staff_app.command("disable")
def staff_disable(username: str, tenant: TenantOpt = None) -> None:
    """Disable a staff member and revoke their API keys."""

    async def work(db: Database) -> None:
        async with db.transaction() as session:
            person = await staff_service.disable(session, await tenant_id(session, tenant), username)
            await web_sessions.end_all_of_staff(session, person.id)

    run(work)
    console.print(f"{username!r} disabled; their keys are revoked")


def main() -> None:
    app()
