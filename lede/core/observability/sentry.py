"""Optional error reporting to Sentry, configured by the environment only.

``SENTRY_DSN`` turns it on; ``SENTRY_ENVIRONMENT`` (default ``production``),
``SENTRY_RELEASE`` and ``SENTRY_TRACES_SAMPLE_RATE`` (default 0: no
performance tracing) tune it. No personal data is sent (no cookies, user
ids, IP addresses); each event is tagged with the request id of the logs.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.core.exceptions import ImproperlyConfigured

from .context import get_request_id, get_task_id

if TYPE_CHECKING:
    from sentry_sdk.types import Event, Hint


def _tag_ids(event: Event, hint: Hint) -> Event:
    tags = event.setdefault("tags", {})
    if isinstance(tags, dict):
        if request_id := get_request_id():
            tags.setdefault("request_id", request_id)
        if task_id := get_task_id():
            tags.setdefault("task_id", task_id)
    return event


def _sample_rate(raw: str) -> float:
    try:
        rate = float(raw.strip())
    except ValueError as exc:
        raise ImproperlyConfigured("SENTRY_TRACES_SAMPLE_RATE must be a number.") from exc
    if not 0.0 <= rate <= 1.0:
        raise ImproperlyConfigured("SENTRY_TRACES_SAMPLE_RATE must be between 0 and 1.")
    return rate


def init_sentry(environ: Mapping[str, str] | None = None) -> bool:
    """Initialise the Sentry SDK when ``SENTRY_DSN`` is set; True if it was."""
    environ = os.environ if environ is None else environ
    dsn = environ.get("SENTRY_DSN", "").strip()
    if not dsn:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        integrations=[DjangoIntegration()],
        send_default_pii=False,
        environment=environ.get("SENTRY_ENVIRONMENT", "").strip() or "production",
        release=environ.get("SENTRY_RELEASE", "").strip() or None,
        traces_sample_rate=_sample_rate(environ.get("SENTRY_TRACES_SAMPLE_RATE", "") or "0"),
        before_send=_tag_ids,
    )
    return True
