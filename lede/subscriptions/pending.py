"""What an anonymous reader typed on the gift, group-licence or gift-code
form, kept across the log-in (or sign-up) it leads to.

The gift and group pages show their form to everyone and ask for an account
only at the action (``views._account_first``). A reader who filled in a
recipient, a message or an organisation's domains and is then sent to the
log-in page must find them again when they come back: the submitted fields
are kept in their session, signed (``django.core.signing``, with a salt per
form and a time limit), and offered back as the form's initial values on the
first visit after — never submitted on the reader's behalf: paying stays a
deliberate click.

Only the form's own fields are kept (no CSRF or idempotency token, nothing
the form does not declare), each value bounded in length. The session
survives the log-in (Django keeps an anonymous session's data when it
cycles the key), and the pages that read it are ``never_cache``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core import signing
from django.http import HttpRequest

SESSION_PREFIX = "lede_pending_form:"
SALT = "lede.subscriptions.pending"
#: How long what was typed is kept (a log-in by e-mailed code takes minutes).
MAX_AGE = 60 * 60
#: Fields never kept: tokens are per form render, the rest is not the form's.
NEVER_KEPT = frozenset({"token", "csrfmiddlewaretoken"})
MAX_VALUE_LENGTH = 2000
MAX_VALUES = 10


def _key(name: str) -> str:
    return SESSION_PREFIX + name


def pending_save(request: HttpRequest, name: str, form_class: type[forms.Form]) -> None:
    """Keep the posted values of ``form_class``'s fields for form ``name``."""
    fields = set(form_class.base_fields) - NEVER_KEPT
    data: dict[str, list[str]] = {}
    for field, values in request.POST.lists():
        if field in fields:
            data[field] = [str(v)[:MAX_VALUE_LENGTH] for v in values[:MAX_VALUES]]
    if not data:
        request.session.pop(_key(name), None)
        return
    request.session[_key(name)] = signing.dumps({"form": name, "data": data}, salt=SALT)


def pending_pop(request: HttpRequest, name: str, form_class: type[forms.Form]) -> dict[str, Any]:
    """The values kept for form ``name`` as initial data (removed from the
    session: they are offered back once); ``{}`` when there are none, they
    expired or they were tampered with."""
    token = request.session.pop(_key(name), None)
    if not isinstance(token, str):
        return {}
    try:
        payload = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return {}
    if not isinstance(payload, dict) or payload.get("form") != name:
        return {}
    data = payload.get("data")
    if not isinstance(data, dict):
        return {}
    initial: dict[str, Any] = {}
    for field, values in data.items():
        form_field = form_class.base_fields.get(field)
        if form_field is None or field in NEVER_KEPT or not isinstance(values, list):
            continue
        if isinstance(form_field, forms.MultipleChoiceField):
            initial[field] = [str(v) for v in values]
        elif values:
            initial[field] = str(values[0])
    return initial
