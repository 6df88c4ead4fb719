"""Staff sign in to the web pages with a password; wrong passwords lock the login; roles keep to their face."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import select, update
from web_helpers import PASSWORD, WebClient, add_staff, csrf_of

from bashgah.api.app import create_app
from bashgah.core.config import Settings
from bashgah.core.db import Database
from bashgah.models import AuditEntry, LoginThrottle, utcnow
from support import Club, execute


async def test_a_cashier_signs_in_and_lands_on_the_till(web: WebClient) -> None:
    await web.sign_in_as("cashier", "kasra")
    response = await web.get("/pos")
    assert response.status_code == 200
    assert 'name="q"' in response.text


async def test_a_page_asks_for_sign_in_first_and_comes_back_after_it(web: WebClient) -> None:
    response = await web.get("/pos")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fpos"
    await web.sign_in_as("cashier", "kasra")


async def test_a_wrong_password_is_refused_in_persian_and_keeps_the_username(web: WebClient) -> None:

    await add_staff(web.db, web.club, "kasra", "cashier")
    response = await web.sign_in("kasra", "not-the-password")
    assert response.status_code == 401
    assert "گذرواژه درست نیست" in response.text
    assert 'value="kasra"' in response.text
    assert "bg_session" not in web.http.cookies


async def test_five_wrong_passwords_lock_the_login_for_fifteen_minutes(web: WebClient) -> None:

    await add_staff(web.db, web.club, "kasra", "cashier")
    for _ in range(4):
        assert (await web.sign_in("kasra", "wrong-password")).status_code == 401
    fifth = await web.sign_in("kasra", "wrong-password")
    assert fifth.status_code == 429
    assert "۱۵" in fifth.text or "15" in fifth.text
    async with web.db.transaction() as session:
        actions = (await session.scalars(select(AuditEntry.action))).all()
    assert list(actions) == ["staff.locked"]
    # Even the right password is refused while the lock lasts…
    assert (await web.sign_in("kasra", PASSWORD)).status_code == 429
    # …and works again once it is over.
    await execute(web.db, update(LoginThrottle).values(locked_until=utcnow() - timedelta(seconds=1)))
    assert (await web.sign_in("kasra", PASSWORD)).status_code == 303


async def test_a_good_sign_in_forgets_the_earlier_wrong_passwords(web: WebClient) -> None:

    await add_staff(web.db, web.club, "kasra", "cashier")
    for _ in range(4):
        await web.sign_in("kasra", "wrong-password")
    assert (await web.sign_in("kasra", PASSWORD)).status_code == 303
    await web.http.post("/logout", data={"csrf": "x"})  # refused: no token of the session
    for _ in range(4):
        web.http.cookies.clear()
        assert (await web.sign_in("kasra", "wrong-password")).status_code == 401


async def test_a_cashier_cannot_open_the_console(web: WebClient) -> None:
    await web.sign_in_as("cashier", "kasra")
    response = await web.get("/console")
    assert response.status_code == 403
    assert "اجازهٔ باز کردن این صفحه را ندارد" in response.text


async def test_an_analyst_reads_the_console_but_cannot_open_the_till(web: WebClient) -> None:
    await web.sign_in_as("analyst", "nazanin")
    assert (await web.get("/console")).status_code == 200
    assert (await web.get("/pos")).status_code == 403


async def test_a_form_without_its_csrf_token_does_nothing(web: WebClient) -> None:
    await web.sign_in_as("cashier", "kasra")
    response = await web.http.post("/logout", data={})
    assert response.status_code == 403
    assert "نشانهٔ امنیتی" in response.text
    assert (await web.get("/pos")).status_code == 200  # still signed in


async def test_a_form_with_another_sessions_token_is_refused(web: WebClient) -> None:
    await web.sign_in_as("cashier", "kasra")
    response = await web.http.post("/logout", data={"csrf": "a" * 43})
    assert response.status_code == 403


async def test_signing_out_ends_the_session(web: WebClient) -> None:
    await web.sign_in_as("cashier", "kasra")
    response = await web.submit("/pos", "/logout", {})
    assert response.status_code == 303
    assert (await web.get("/pos")).status_code == 303


async def test_the_language_switch_is_kept_for_the_staff_member(web: WebClient) -> None:
    await web.sign_in_as("cashier", "kasra")
    response = await web.submit("/pos", "/lang", {"lang": "en", "next": "/pos"})
    assert response.headers["location"] == "/pos"
    page = await web.get("/pos")
    assert '<html lang="en" dir="ltr">' in page.text
    assert "Find a member" in page.text
    # A new browser (no language cookie) gets English back from the preference at sign-in.
    web.http.cookies.clear()
    assert (await web.sign_in("kasra")).status_code == 303
    assert '<html lang="en" dir="ltr">' in (await web.get("/pos")).text


async def test_pages_are_persian_and_right_to_left_by_default(web: WebClient) -> None:
    page = await web.get("/login")
    assert '<html lang="fa" dir="rtl">' in page.text
    assert "ورود" in page.text
    assert page.headers["content-security-policy"].startswith("default-src 'self'")


async def test_the_session_cookie_is_http_only_and_same_site(web: WebClient) -> None:

    await add_staff(web.db, web.club, "kasra", "cashier")
    response = await web.sign_in("kasra")
    cookie = response.headers["set-cookie"].lower()
    assert "bg_session=" in cookie and "httponly" in cookie and "samesite=lax" in cookie


async def test_a_page_that_does_not_exist_is_a_page_and_the_api_keeps_json(web: WebClient) -> None:
    await web.sign_in_as("cashier", "kasra")
    page = await web.get("/pos/no-such-page")
    assert page.status_code == 404
    assert "در این نشانی صفحه‌ای نیست" in page.text
    api = await web.get("/api/v1/no-such-thing")
    assert api.status_code == 404 and api.json()["error"]["code"] == "not_found"


async def test_the_front_door_leads_to_the_sign_in_or_to_the_staff_members_face(web: WebClient) -> None:
    assert (await web.get("/")).headers["location"] == "/login"
    await web.sign_in_as("cashier", "kasra")
    assert (await web.get("/")).headers["location"] == "/pos"


async def test_the_sign_in_form_needs_the_token_of_the_page_it_came_from(web: WebClient) -> None:
    await add_staff(web.db, web.club, "kasra", "cashier")
    response = await web.http.post(
        "/login", data={"tenant": web.club.slug, "username": "kasra", "password": PASSWORD}
    )
    assert response.status_code == 403
    assert "bg_session" not in response.headers.get("set-cookie", "")


async def test_over_https_the_session_cookie_is_secure(web: WebClient) -> None:
    web.http.base_url = httpx.URL("https://test")
    await add_staff(web.db, web.club, "kasra", "cashier")
    response = await web.sign_in("kasra")
    assert response.status_code == 303
    assert "secure" in response.headers["set-cookie"].lower()


async def test_signing_in_again_replaces_the_old_session(web: WebClient) -> None:
    await web.sign_in_as("cashier", "kasra")
    old = web.http.cookies["bg_session"]
    await web.sign_in("kasra")
    assert web.http.cookies["bg_session"] != old
    new = web.http.cookies["bg_session"]
    web.http.cookies.clear()
    web.http.cookies.set("bg_session", old)
    assert (await web.http.get("/pos")).status_code == 303
    web.http.cookies.clear()
    web.http.cookies.set("bg_session", new)
    assert (await web.http.get("/pos")).status_code == 200  # the old id opens nothing any more


async def test_behind_a_tls_proxy_the_session_cookie_is_secure_and_browsers_are_told_to_keep_to_https(
    db: Database, club: Club
) -> None:
    app = create_app(Settings(database_url=db.url, secure_cookies=True), db=db)
    await add_staff(db, club, "sara", "owner")
    # The proxy speaks HTTPS to the browser and plain HTTP to us.
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
        form = await http.get("/login")
        anon = _set_cookie(form, "bg_csrf")
        assert "secure" in anon.lower()
        assert form.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
        token = csrf_of(form.text)
        # (A browser sends the Secure cookie back over HTTPS; the jar of this plain-HTTP client would not.)
        signed_in = await http.post(
            "/login",
            data={"csrf": token, "tenant": club.slug, "username": "sara", "password": PASSWORD},
            headers={"cookie": f"bg_csrf={anon.split(';')[0].split('=', 1)[1]}"},
        )
        assert signed_in.status_code == 303
        session = _set_cookie(signed_in, "bg_session").lower()
        assert "secure" in session and "httponly" in session
        assert "strict-transport-security" in (await http.get("/health")).headers


def _set_cookie(response: httpx.Response, name: str) -> str:
    return next(
        v for k, v in response.headers.multi_items() if k == "set-cookie" and v.startswith(name + "=")
    )


async def test_without_the_setting_a_plain_http_request_gets_no_secure_cookie_and_no_hsts(
    web: WebClient,
) -> None:
    await add_staff(web.db, web.club, "sara", "owner")
    signed_in = await web.sign_in("sara")
    assert "secure" not in _set_cookie(signed_in, "bg_session").lower()
    assert "strict-transport-security" not in signed_in.headers
