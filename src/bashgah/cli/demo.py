"""``bashgah demo``: make the demo club once, then print a new owner API key alone on stdout's last line."""

from __future__ import annotations

from typing import Annotated

import typer

from bashgah.cli.common import console, run
from bashgah.cli.data import progress_bar
from bashgah.core.db import Database
from bashgah.demo import generate
from bashgah.demo import service as demo_club
from bashgah.ledger.verify import verify


def demo(
    seed: Annotated[
        int, typer.Option(help="Seed of the generated club (same seed, same day: same club).")
    ] = (demo_club.DEFAULT_SEED),
    members: Annotated[
        int, typer.Option(min=1, help="How many members to make.")
    ] = demo_club.DEFAULT_MEMBERS,
) -> None:
    """Create the demo club «فروشگاه زنجیره‌ای نمونه» (tenant "demo") with three branches, members and six
    months of purchases — once; later runs leave it as it is. Every run prints a new owner API key alone on
    the last line of standard output (everything else goes to standard error)."""

    async def work(db: Database) -> tuple[demo_club.DemoClub, list[str], str]:
        with progress_bar() as bar:
            async with db.transaction() as session:
                club = await demo_club.create(session, seed=seed, members=members, progress=bar)
                await demo_club.ensure_staff(session, club.tenant_id)
        async with db.transaction() as session:
            report = await verify(session, club.tenant_id)
            key = await demo_club.new_key(session, club.tenant_id)
        return club, report.problems, key

    club, problems, key = run(work)
    if club.created:
        console.print(f"created the demo club «{demo_club.NAME}» (tenant {demo_club.SLUG!r})")
    else:
        console.print(f"the demo club (tenant {demo_club.SLUG!r}) is already there; left as it is")
    console.print(
        f"{club.members:,} members, {club.purchases:,} purchases ({club.redemptions:,} spending points), "
        f"{club.refunds:,} refunds"
    )
    console.print(
        f"tour member: {generate.TOUR_FIRST_NAME} {generate.TOUR_LAST_NAME}, {generate.TOUR_MOBILE} — "
        f"{club.tour_available:,} points to spend, {club.tour_pending:,} pending"
    )
    console.print("web sign-in at /login (club: demo):")
    for username, _, role, _, password in demo_club.STAFF:
        console.print(f"  {role:8} {username} / {password}")
    if problems:
        for problem in problems:
            console.print(f"[red]ledger MISMATCH {problem}[/red]", soft_wrap=True)
        raise typer.Exit(1)
    console.print("ledger verified: every balance matches its transfers")
    console.print("owner API key (copy it now, it is not shown again):")
    print(key)
