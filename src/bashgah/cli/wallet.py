"""``bashgah wallet top-up`` and ``bashgah gift-cards issue``: the same services as the API."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bashgah.auth.service import Principal
from bashgah.cli.common import TenantOpt, console, run, tenant_id
from bashgah.core.db import Database
from bashgah.core.errors import BashgahError
from bashgah.core.jalali import parse_until
from bashgah.giftcards import service as gift_cards
from bashgah.giftcards.schemas import GiftCardCreate, GiftCardRead
from bashgah.wallet import service as wallet
from bashgah.wallet.schemas import TopUpCreate, WalletChange

wallet_app = typer.Typer(help="Member wallets in rials.", no_args_is_help=True)
gift_cards_app = typer.Typer(help="Gift cards.", no_args_is_help=True)


@wallet_app.command("top-up")
def top_up(
    member_id: Annotated[int, typer.Argument(help="The member's id.")],
    amount_rials: Annotated[int, typer.Argument(help="Rials paid in.", min=1)],
    reason: Annotated[str | None, typer.Option(help="Why (shown on the statement).")] = None,
    reference: Annotated[str | None, typer.Option(help="The payment's reference.")] = None,
    tenant: TenantOpt = None,
) -> None:
    """Put money a member paid into their wallet."""

    async def work(db: Database) -> WalletChange:
        async with db.transaction() as session:
            who = Principal(await tenant_id(session, tenant), "owner", None, None)
            body = TopUpCreate(amount_rials=amount_rials, reason=reason, reference=reference)
            return await wallet.top_up(session, who, member_id, body)

    done = run(work)
    console.print(f"wallet of member {member_id}: {done.balance.total_rials:,} rials")


@gift_cards_app.command("issue")
def issue(
    value_rials: Annotated[int, typer.Option("--value", help="Rials on each card.", min=1)],
    count: Annotated[int, typer.Option(help="How many cards.", min=1, max=10_000)] = 1,
    batch: Annotated[str | None, typer.Option(help="A label for the cards issued together.")] = None,
    expires: Annotated[
        str | None,
        typer.Option(
            help="Last day the cards are valid, e.g. 2027-03-20 or 1405/12/29 (to the end of that day in"
            " Tehran).",
        ),
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Write the codes to this CSV file.")] = None,
    tenant: TenantOpt = None,
) -> None:
    """Issue gift cards and print their codes (or write them to a CSV file)."""
    try:
        until = parse_until(expires, "expires", "تاریخ انقضا") if expires else None
    except BashgahError as error:
        raise typer.BadParameter(error.message("en"), param_hint="--expires") from None

    async def work(db: Database) -> list[GiftCardRead]:
        async with db.transaction() as session:
            who = Principal(await tenant_id(session, tenant), "owner", None, None)
            body = GiftCardCreate.model_validate(
                {
                    "value_rials": value_rials,
                    "count": count,
                    "batch": batch,
                    "expires_at": until,
                }
            )
            return await gift_cards.issue(session, who, body)

    cards = run(work)
    lines = ["code,value_rials,expires_at"] + [
        f"{c.code},{c.value_rials},{c.expires_at.isoformat() if c.expires_at else ''}" for c in cards
    ]
    if out is not None:
        out.write_text("\n".join(lines) + "\n", encoding="utf-8")
        console.print(f"{len(cards)} gift cards written to {out}")
    else:
        typer.echo("\n".join(lines))
