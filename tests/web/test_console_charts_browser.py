"""The dashboard's charts in a real browser: with a year of large sales, no two month names and no two
figures above the bars overlap, in Persian and English, at desktop and phone width — measured on the
text the browser drew."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from web_helpers import LiveServer, shot, sign_in_to_console

pytestmark = pytest.mark.browser

#: Boxes of the chart texts drawn on the page, and the pairs that overlap (on one line, touching).
OVERLAPS = """
() => {
  const box = node => { const r = document.createRange(); r.selectNodeContents(node); return r.getBoundingClientRect(); };
  const clashes = [];
  for (const svg of document.querySelectorAll('svg.chart')) {
    if (!svg.getBoundingClientRect().width) continue;  // the other width's chart, hidden
    // Every line of text drawn; a month's name and its year, one above the other at the same x, are two
    // lines of one label (their boxes may touch: they are read together).
    const lines = [];
    svg.querySelectorAll('text.axis, text.value').forEach(t => {
      const owner = t.getAttribute('class') + '@' + t.getAttribute('x');
      for (const node of t.childNodes) if (node.textContent.trim())
        lines.push({owner, text: node.textContent, r: box(node)});
    });
    for (let i = 0; i < lines.length; i++) for (let j = i + 1; j < lines.length; j++) {
      const a = lines[i].r, b = lines[j].r;
      if (lines[i].owner !== lines[j].owner
          && a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom)
        clashes.push(lines[i].text + ' / ' + lines[j].text);
    }
  }
  return clashes;
}
"""


def _year_of_sales(live_server: LiveServer) -> None:
    with live_server.api() as api:
        headers = live_server.club.headers()
        member = api.post("/api/v1/members", json={"mobile": "09121110077"}, headers=headers)
        assert member.status_code == 201, member.text
        now = datetime.now(UTC)
        for month in range(12):
            receipt = f"CHART-{month}"
            response = api.post(
                "/api/v1/purchases",
                json={
                    "member": {"id": member.json()["id"]},
                    "branch": "main",
                    "external_id": receipt,
                    "total_rials": 987_654_321 + month * 11_111_111,
                    "occurred_at": (now - timedelta(days=30 * month + 1)).isoformat(),
                },
                headers=live_server.club.headers(**{"Idempotency-Key": receipt}),
            )
            assert response.status_code == 201, response.text


def test_chart_labels_and_figures_do_not_overlap_in_either_language_or_width(
    page: Any, live_server: LiveServer
) -> None:
    _year_of_sales(live_server)
    sign_in_to_console(page, live_server)
    for lang, switch in (("fa", "English"), ("en", "فارسی")):
        page.goto("/console")
        assert page.evaluate("document.documentElement.lang") == lang
        for width, height in ((1280, 900), (375, 812)):
            page.set_viewport_size({"width": width, "height": height})
            assert page.evaluate(OVERLAPS) == [], (lang, width)
        shot(page, "console-dashboard-year")
        page.get_by_role("button", name=switch).click()
