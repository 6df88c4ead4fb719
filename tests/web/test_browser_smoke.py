"""The sign-in page in a real browser: Persian right to left, English left to right, no console error."""

from __future__ import annotations

from typing import Any

import pytest
from web_helpers import PASSWORD, LiveServer, shot

pytestmark = pytest.mark.browser


def test_a_cashier_signs_in_through_the_browser_in_both_languages(page: Any, live_server: LiveServer) -> None:
    page.goto("/login")
    assert page.evaluate("document.documentElement.dir") == "rtl"
    shot(page, "login")
    page.get_by_role("button", name="English").click()
    assert page.evaluate("document.documentElement.dir") == "ltr"
    shot(page, "login")
    page.fill("#username", "kasra")
    page.fill("#password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/pos")
    assert page.locator("#q").evaluate("e => e === document.activeElement")
