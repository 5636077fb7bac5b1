"""Signed-in readers for the stack tests, obtained as a browser gets them:
through the site's own log-in form (``/compte/login/``, CSRF token and all),
not a session seeded by ``force_login`` (which holds fewer keys than a real
one and once hid that every real reader missed the fast road)."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from .conftest import Browser, Stack

EMAILS = {
    "subscriber": "subscriber@stack.example",
    "reader": "reader@stack.example",
}


def log_in(stack: Stack, who: str, next_url: str = "/", base: str | None = None) -> Browser:
    """A browser whose reader (``subscriber``, ``reader``) logged in on the
    form and landed on ``next_url``, talking to ``base`` (Varnish by default)."""
    browser = Browser(base or stack.url)
    login = "/compte/login/?" + urlencode({"next": next_url})
    token = browser.csrf_token(login)
    response = browser.post(
        login,
        data={
            "csrfmiddlewaretoken": token,
            "login": EMAILS[who],
            "password": stack.seed["password"],
        },
        headers={"Referer": browser.base + login},
        timeout=15,
    )
    assert response.status_code == 302, (who, response.status_code)
    assert "sessionid" in browser.cookies, (who, "no session after the log-in form")
    landing = browser.get(urlsplit(response.headers["Location"]).path, timeout=15)
    assert landing.status_code == 200, landing.status_code
    return browser


def session_cookie(browser: Browser) -> dict[str, str]:
    return {"sessionid": browser.cookies["sessionid"]}


def token_of(browser: Browser) -> str:
    """The edge token the last article page gave (its cookie)."""
    return browser.cookies.get("lede_edge", "")
