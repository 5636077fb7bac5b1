"""The demo's newsletters: reader@ and subscriber@demo.example receive
la-matinale (through a real SMTP server here; the demo's console otherwise)."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from lede.accounts.models import User
from lede.newsletters.demo import ensure_demo_newsletters
from lede.newsletters.models import Newsletter

pytestmark = pytest.mark.django_db(transaction=True)


def test_demo_newsletters_and_readers(publication: dict[str, Any], smtp_server: Any) -> None:
    for email in ("reader@demo.example", "subscriber@demo.example"):
        User.objects.create_user(email, "pw-demo-2026")
    assert ensure_demo_newsletters() == 3
    assert ensure_demo_newsletters() == 0  # run again: nothing doubled
    assert set(Newsletter.objects.values_list("slug", flat=True)) == {
        "la-matinale",
        "alertes",
        "la-lettre-des-abonnes",
    }
    out = StringIO()
    call_command("newsletter_send", "la-matinale", stdout=out)
    assert out.getvalue().splitlines()[-1] == "sent 2, skipped 0, failed 0"
    received = smtp_server.wait_for(2)
    assert sorted(m.rcpt_tos[0] for m in received) == [
        "reader@demo.example",
        "subscriber@demo.example",
    ]


def test_demo_sends_to_the_console(publication: dict[str, Any], settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    from django.core import mail

    User.objects.create_user("reader@demo.example", "pw-demo-2026")
    ensure_demo_newsletters()
    out = StringIO()
    call_command("newsletter_send", "la-matinale", stdout=out)
    assert out.getvalue().splitlines()[-1] == "sent 2, skipped 0, failed 0"
    assert sorted(m.to[0] for m in mail.outbox) == [
        "reader@demo.example",
        "subscriber@demo.example",
    ]
