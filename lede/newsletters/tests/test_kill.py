"""Kill the delivery worker with SIGKILL in the middle of a send, restart
it: no address gets two copies, every address is sent or listed unknown,
at most one unknown per open SMTP connection.

The worker is `manage.py newsletter_send` in a child process, sharing this
test's PostgreSQL database and sending to the aiosmtpd server this test
runs; one message is held at the server (its DATA unanswered) so that a
message is known to be in flight when the worker is killed — no sleep, the
test waits for that event.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from lede.core.testing.worker_kill import process_tree_kill
from lede.newsletters import services
from lede.newsletters.models import (
    Delivery,
    DeliveryState,
    Newsletter,
    Subscriber,
    Subscription,
)

from .smtp import scripted_smtp

ON_POSTGRESQL = django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
ROOT = Path(__file__).resolve().parents[3]
RECIPIENTS = 400
CONNECTIONS = 3

pytestmark = [
    pytest.mark.slow,  # a minute or two: two worker processes, 400 messages
    pytest.mark.skipif(
        not ON_POSTGRESQL, reason="needs a PostgreSQL DATABASE_URL (the worker process shares it)"
    ),
    pytest.mark.django_db(transaction=True),
]


def _database_url() -> str:
    db = connection.settings_dict
    auth = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    return (
        f"postgres://{auth}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"
    )


def _worker(port: int, log: Any) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": _database_url(),
        "LEDE_NEWSLETTER_SMTP_URL": f"smtp://127.0.0.1:{port}",
    }
    return subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "newsletter_send",
            "la-matinale",
            "--connections",
            str(CONNECTIONS),
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def test_a_killed_worker_never_sends_twice_and_skips_nobody(
    settings: Any, matinale: Newsletter, tmp_path: Path
) -> None:
    now = timezone.now()
    subscribers = Subscriber.objects.bulk_create(
        Subscriber(email=f"lecteur{i:04d}@example.ma") for i in range(RECIPIENTS)
    )
    Subscription.objects.bulk_create(
        Subscription(
            subscriber=s,
            newsletter=matinale,
            status=Subscription.Status.CONFIRMED,
            consent_at=now,
            confirmed_at=now,
        )
        for s in subscribers
    )
    edition = services.edition_build(newsletter=matinale)
    assert services.edition_enqueue(edition=edition) == RECIPIENTS
    held = f"lecteur{RECIPIENTS // 2:04d}@example.ma"
    log_path = tmp_path / "worker.log"
    with scripted_smtp(settings) as (server, script), log_path.open("wb") as log:
        script.hold.add(held)
        worker = _worker(server.port, log)
        try:
            assert script.holding.wait(timeout=240), log_path.read_text()
        finally:
            process_tree_kill(worker)
        in_flight = Delivery.objects.filter(edition=edition, state=DeliveryState.SENDING)
        assert 1 <= in_flight.count() <= CONNECTIONS
        assert in_flight.filter(email=held).exists()
        script.release.set()
        sent_before = Delivery.objects.filter(edition=edition, state=DeliveryState.SENT).count()
        assert sent_before < RECIPIENTS

        restarted = _worker(server.port, log)
        assert restarted.wait(timeout=300) == 0, log_path.read_text()
    output = log_path.read_text().strip().splitlines()
    states = Counter(Delivery.objects.filter(edition=edition).values_list("state", flat=True))
    received = Counter(r for m in server.messages for r in m.rcpt_tos)

    # No address got two copies.
    assert max(received.values()) == 1
    # Every address was sent or is listed unknown, at most one per connection.
    assert set(states) <= {DeliveryState.SENT, DeliveryState.UNKNOWN}
    assert 1 <= states[DeliveryState.UNKNOWN] <= CONNECTIONS
    assert states[DeliveryState.SENT] + states[DeliveryState.UNKNOWN] == RECIPIENTS
    sent = set(
        Delivery.objects.filter(edition=edition, state=DeliveryState.SENT).values_list(
            "email", flat=True
        )
    )
    assert sent <= set(received)  # every "sent" really reached the server
    unknown = Delivery.objects.get(edition=edition, email=held)
    assert unknown.state == DeliveryState.UNKNOWN and received[held] == 1
    assert output[-1] == (
        f"sent {states[DeliveryState.SENT] - sent_before}, skipped 0, failed 0, "
        f"unknown {states[DeliveryState.UNKNOWN]}"
    )
