"""Large figures and long words stay inside their cards: the dashboard's KPI cards with a club selling
billions, and a member's card with a long email and a consent date, in Persian and English, at a laptop's
1024 px and a phone's 375 px — measured on what the browser drew."""

from __future__ import annotations

from typing import Any

import pytest
from web_helpers import LiveServer, shot, sign_in_to_console

pytestmark = pytest.mark.browser

#: Every card matched by ``selector`` whose content is wider than the card, or any of whose text runs
#: past the card's edge; each as "card text: what overflows".
SPILLS = """
selector => {
  const spills = [];
  for (const card of document.querySelectorAll(selector)) {
    const edge = card.getBoundingClientRect();
    if (!edge.width) continue;
    const name = card.textContent.trim().slice(0, 40);
    if (card.scrollWidth > card.clientWidth) spills.push(name + ': scrolls ' + card.scrollWidth + ' > ' + card.clientWidth);
    for (const el of card.querySelectorAll('*'))
      if (el.scrollWidth > el.clientWidth && getComputedStyle(el).display !== 'inline')
        spills.push(name + ': ' + el.tagName + ' ' + el.scrollWidth + ' > ' + el.clientWidth);
    const walk = document.createTreeWalker(card, NodeFilter.SHOW_TEXT);
    for (let node = walk.nextNode(); node; node = walk.nextNode()) {
      if (!node.textContent.trim()) continue;
      const range = document.createRange(); range.selectNodeContents(node);
      for (const r of range.getClientRects())
        if (r.left < edge.left - 0.5 || r.right > edge.right + 0.5)
          spills.push(name + ': «' + node.textContent.trim() + '» ' + r.left + '–' + r.right + ' outside ' + edge.left + '–' + edge.right);
    }
  }
  return spills;
}
"""
LONG_EMAIL = "a.very.long.mailbox.name.for.the.club.newsletter@subdomain.example-company.co.ir"


def _member_who_spends_billions(live_server: LiveServer) -> int:
    with live_server.api() as api:
        member = api.post(
            "/api/v1/members",
            json={
                "mobile": "09121110088",
                "first_name": "مهرداد",
                "last_name": "شاه‌محمدی",
                "email": LONG_EMAIL,
                "email_consent": True,
                "sms_consent": True,
            },
            headers=live_server.club.headers(),
        )
        assert member.status_code == 201, member.text
        receipt = "BILLIONS-1"
        sale = api.post(
            "/api/v1/purchases",
            json={
                "member": {"id": member.json()["id"]},
                "branch": "main",
                "external_id": receipt,
                "total_rials": 9_999_999_999_990,  # ۹۹۹٬۹۹۹٬۹۹۹٬۹۹۹ toman, the most a sale may be
            },
            headers=live_server.club.headers(**{"Idempotency-Key": receipt}),
        )
        assert sale.status_code == 201, sale.text
        return int(member.json()["id"])


def test_big_figures_a_long_email_and_a_consent_date_stay_inside_their_cards_at_laptop_and_phone_width(
    page: Any, live_server: LiveServer
) -> None:
    member_id = _member_who_spends_billions(live_server)
    sign_in_to_console(page, live_server)
    for lang, switch in (("fa", "English"), ("en", "فارسی")):
        for path, selector, name in (
            ("/console", ".kpi", "console-kpis-billions"),
            (f"/console/members/{member_id}", ".grid > .card", "console-member-long-email"),
        ):
            page.goto(path)
            assert page.evaluate("document.documentElement.lang") == lang
            assert page.locator(selector).count() > 0
            for width, height in ((1024, 800), (375, 812)):
                page.set_viewport_size({"width": width, "height": height})
                assert page.evaluate(SPILLS, selector) == [], (lang, path, width)
            shot(page, name)
        page.get_by_role("button", name=switch).click()
        page.wait_for_load_state()
