"""Signing readers in through the site's own forms, for tests.

``client.force_login`` writes a session no browser ever gets: it skips
allauth, which records how the reader authenticated (and may record more in
a later version). Tests of anything that looks at the session — the paywall's
fast road first — obtain their readers here instead: each helper fetches the
real page, fills the real form (with its CSRF token, so it also works with
``Client(enforce_csrf_checks=True)``) and, for the e-mailed code, reads the
code from Django's local-memory outbox (the test settings' e-mail backend).

    login_through_site(client, "lectrice@example.com", "mot-de-passe")
    login_through_site(client, "lectrice@example.com", code=True, next_url=article.url)
    change_password_through_site(client, "mot-de-passe", "nouveau-mot-de-passe")

Each helper follows the redirect after its form, as a browser does, and
returns the page landed on. The code road starts on ``/compte/login/code/``
and follows wherever the site redirects; pass ``start=`` to begin a code road
elsewhere (a sign-up by code asks for an address, mails a code and asks for
it back the same way).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core import mail

# The site's account pages (config/urls.py mounts allauth under /compte/).
PAGES = {
    "login": "/compte/login/",
    "login_by_code": "/compte/login/code/",
    "change_password": "/compte/password/change/",
    "email": "/compte/email/",
    "signup": "/compte/signup/",
}

# A login code as allauth mails it: on a line of its own.
CODE_RE = re.compile(r"^\s*([A-Z0-9-]{6,})\s*$", re.MULTILINE)


class _Forms(HTMLParser):
    """The POST forms of a page: action and named controls with their
    default values (what a browser would send untouched)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self._current: dict[str, Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self._current = {
                "action": a.get("action") or "",
                "method": (a.get("method") or "get").lower(),
                "fields": {},
                "names": set(),
            }
            self.forms.append(self._current)
        elif self._current is not None and tag in ("input", "select", "textarea", "button"):
            name = a.get("name")
            if not name:
                return
            self._current["names"].add(name)
            kind = (a.get("type") or "").lower()
            if tag == "input" and kind == "hidden":
                self._current["fields"][name] = a.get("value") or ""
            elif tag == "input" and kind in ("checkbox", "radio") and "checked" in a:
                self._current["fields"][name] = a.get("value") or "on"

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def submit_form(client: Any, page_url: str, data: dict[str, str], **extra: Any) -> Any:
    """GET ``page_url``, pick its POST form holding every field of ``data``,
    and post it as a browser would: hidden fields (the CSRF token) and
    checked boxes as the page gives them, ``data`` on top. Returns the POST
    response (not followed)."""
    page = client.get(page_url, **extra)
    assert page.status_code == 200, (page_url, page.status_code)
    parser = _Forms()
    parser.feed(page.content.decode())
    for form in parser.forms:
        if form["method"] == "post" and set(data) <= form["names"]:
            break
    else:
        raise AssertionError(f"no form on {page_url} with the fields {sorted(data)}")
    action = _path(form["action"]) if form["action"] else _path(page_url)
    return client.post(action, {**form["fields"], **data}, **extra)


def _redirected_to(response: Any) -> str:
    assert response.status_code in (301, 302, 303), (
        response.status_code,
        response.content.decode()[:2000],
    )
    return _path(response["Location"])


def mailed_code(email: str, *, after: int = 0) -> str:
    """The newest one-time code mailed to ``email`` (messages from index
    ``after`` of the outbox on)."""
    for message in reversed(mail.outbox[after:]):
        if email in message.to:
            match = CODE_RE.search(str(message.body))
            assert match, message.body
            return match.group(1)
    raise AssertionError(f"no code was mailed to {email}")


def _assert_signed_in(client: Any) -> None:
    assert settings.SESSION_COOKIE_NAME in client.cookies, "no session cookie"
    assert SESSION_KEY in client.session, "the form did not sign the reader in"


def _land(client: Any, response: Any, **extra: Any) -> Any:
    """Follow the redirect after a form as a browser does; return the page
    landed on (its cookies, e.g. a flash message it showed or not, are then
    those the browser keeps)."""
    landing = client.get(_redirected_to(response), follow=True, **extra)
    assert landing.status_code == 200, landing.status_code
    return landing


def _with_next(url: str, next_url: str | None) -> str:
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def login_through_site(
    client: Any,
    email: str,
    password: str | None = None,
    *,
    code: bool = False,
    remember: bool = False,
    next_url: str | None = None,
    start: str | None = None,
    **extra: Any,
) -> Any:
    """Sign ``email`` in as a browser would: with ``password`` on the log-in
    form (ticking "remember me" when ``remember`` is true), or with the code
    mailed after giving the address (``code=True``; ``start`` is the page
    asking for the address). ``next_url`` is where the log-in link came from
    (the paywall's "Se connecter" passes the article). Follows the redirect
    after log-in and returns the page landed on; fails the test if the
    reader is not signed in."""
    if code == (password is not None):
        raise ValueError("give a password or code=True, not both")
    if password is not None:
        data = {"login": email, "password": password}
        if remember:  # an unticked box is not sent at all
            data["remember"] = "on"
        response = submit_form(client, _with_next(start or PAGES["login"], next_url), data, **extra)
    else:
        sent = len(mail.outbox)
        response = submit_form(
            client, _with_next(start or PAGES["login_by_code"], next_url), {"email": email}, **extra
        )
        confirm = _redirected_to(response)
        response = submit_form(client, confirm, {"code": mailed_code(email, after=sent)}, **extra)
    _redirected_to(response)
    _assert_signed_in(client)
    return _land(client, response, **extra)


def change_password_through_site(client: Any, old: str, new: str, **extra: Any) -> Any:
    """The signed-in reader changes their password on the account page."""
    response = submit_form(
        client,
        PAGES["change_password"],
        {"oldpassword": old, "password1": new, "password2": new},
        **extra,
    )
    return _land(client, response, **extra)


def signup_through_site(
    client: Any,
    email: str,
    password: str | None = None,
    *,
    next_url: str | None = None,
    **extra: Any,
) -> Any:
    """Create an account on the sign-up page (which signs the reader in);
    returns the page landed on. A sign-up form asking for a password gets
    ``password``; a sign-up by e-mailed code (an address, then the code)
    goes the code road."""
    start = _with_next(PAGES["signup"], next_url)
    parser = _Forms()
    parser.feed(client.get(start, **extra).content.decode())
    if not any("password1" in form["names"] for form in parser.forms):
        return login_through_site(client, email, code=True, start=start, **extra)
    assert password is not None, "this sign-up form asks for a password"
    response = submit_form(
        client, start, {"email": email, "password1": password, "password2": password}, **extra
    )
    _redirected_to(response)
    _assert_signed_in(client)
    return _land(client, response, **extra)


def verify_email_through_site(client: Any, email: str, **extra: Any) -> Any:
    """The reader opens the confirmation link mailed to ``email`` (asking for
    one on the account's e-mail page if none was mailed) and confirms."""
    match = _confirmation_link(email)
    if match is None:  # nothing mailed yet (or it was used): ask for one
        response = submit_form(client, PAGES["email"], {"email": email, "action_send": ""}, **extra)
        _land(client, response, **extra)
        match = _confirmation_link(email)
        assert match is not None, f"no confirmation link was mailed to {email}"
    response = submit_form(client, _path(match.group(0)), {}, **extra)
    return _land(client, response, **extra)


def _confirmation_link(email: str) -> re.Match[str] | None:
    for message in reversed(mail.outbox):
        if email in message.to:
            match = re.search(r"https?://\S+/confirm-email/\S+", str(message.body))
            if match:
                return match
    return None


def session_keys(client: Any) -> set[str]:
    """The keys of the client's session as the server stored them."""
    return set(client.session.keys())
