"""Gift cards in the console: a manager issues a batch in the club's unit, downloads its codes, looks a
card up and cancels it; a card worth nothing is refused; an analyst only looks."""

from __future__ import annotations

from web_helpers import WebClient, audit_actions


async def test_the_manager_issues_a_batch_of_nowruz_cards_downloads_them_and_cancels_a_lost_one(
    web: WebClient,
) -> None:
    await web.sign_in_as("manager", "mina")
    issued = await web.submit(
        "/console/club/giftcards",
        "/console/club/giftcards",
        {
            "value": "۵۰۰٬۰۰۰",
            "count": "3",
            "batch": "nowruz-1405",
            "prefix": "NW",
            "expires_on": "2099-03-20",
        },
    )
    assert issued.status_code == 303, issued.text
    after = await web.get(issued.headers["location"])
    assert "batch.csv?batch=nowruz-1405" in after.text
    codes = await web.get("/console/club/giftcards/batch.csv?batch=nowruz-1405")
    assert codes.status_code == 200 and codes.headers["content-type"].startswith("text/csv")
    rows = codes.text.splitlines()[1:]
    assert len(rows) == 3 and all(row.startswith("NW") and ",5000000,5000000,active," in row for row in rows)
    lost = rows[0].split(",")[0]

    found = await web.get(f"/console/club/giftcards?code={lost.lower()}")
    assert found.status_code == 200
    assert "۵۰۰٬۰۰۰" in found.text and "قابل استفاده" in found.text and "باطل کردن این کارت" in found.text

    cancelled = await web.submit(
        f"/console/club/giftcards?code={lost}", "/console/club/giftcards/cancel", {"code": lost}
    )
    assert cancelled.status_code == 303
    card = (await web.http.get(f"/api/v1/gift-cards/{lost}", headers=web.club.headers())).json()
    assert card["status"] == "cancelled" and card["balance_rials"] == 0
    again = await web.submit(
        f"/console/club/giftcards?code={lost}", "/console/club/giftcards/cancel", {"code": lost}
    )
    assert again.status_code == 422
    assert await audit_actions(web) == ["giftcards.issued", "giftcards.codes_exported", "giftcards.cancelled"]


async def test_a_gift_card_worth_nothing_is_refused_with_what_was_typed(web: WebClient) -> None:
    await web.sign_in_as("owner", "sara")
    refused = await web.submit(
        "/console/club/giftcards", "/console/club/giftcards", {"value": "0", "count": "2", "batch": "yalda"}
    )
    assert refused.status_code == 422
    assert "«مبلغ» باید بیشتر از ۰ باشد" in refused.text and 'value="yalda"' in refused.text
    none = await web.get("/console/club/giftcards/batch.csv?batch=yalda")
    assert none.status_code == 404
    unknown = await web.get("/console/club/giftcards?code=NOSUCHCARD")
    assert unknown.status_code == 404
    assert await audit_actions(web) == []


async def test_an_analyst_looks_a_card_up_but_cannot_issue_or_cancel(web: WebClient) -> None:
    await web.sign_in_as("manager", "mina")
    issued = await web.submit(
        "/console/club/giftcards", "/console/club/giftcards", {"value": "100000", "code": "GIFT-ANA1"}
    )
    assert issued.status_code == 303, issued.text
    web.http.cookies.clear()
    await web.sign_in_as("analyst", "nazanin")
    page = await web.get("/console/club/giftcards?code=GIFT-ANA1")
    assert page.status_code == 200 and "GIFTANA1" in page.text.replace("-", "")
    assert 'action="/console/club/giftcards/cancel"' not in page.text
    assert 'action="/console/club/giftcards"' not in page.text.replace(
        'method="get" action="/console/club/giftcards"', ""
    )
    for path in ("/console/club/giftcards", "/console/club/giftcards/cancel"):
        assert (
            await web.http.post(path, data={"csrf": "x", "value": "1", "code": "GIFT-ANA1"})
        ).status_code == 403
