"""The delivery worker against a real SMTP server (aiosmtpd on loopback)."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from lede.newsletters import services
from lede.newsletters.delivery import deliver_edition
from lede.newsletters.models import Delivery, DeliveryState, Edition, Newsletter, Subscriber

from .helpers import confirmed
from .smtp import scripted_smtp

pytestmark = pytest.mark.django_db(transaction=True)


def _send(newsletter: Newsletter, **kwargs: Any) -> Any:
    edition = services.edition_build(newsletter=newsletter)
    services.edition_enqueue(edition=edition)
    return edition, deliver_edition(edition, **kwargs)


@pytest.fixture
def dkim_key(settings: Any, tmp_path: Path) -> bytes:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path = tmp_path / "dkim.pem"
    path.write_bytes(pem)
    settings.LEDE_DKIM_KEY_FILE = str(path)
    settings.LEDE_DKIM_DOMAIN = "lede.example"
    settings.LEDE_DKIM_SELECTOR = "s2026"
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)


@pytest.mark.parametrize("pipelining", [False, True], ids=["lock-step", "pipelined"])
def test_each_recipient_gets_one_well_formed_signed_message(
    settings: Any, matinale: Newsletter, dkim_key: bytes, pipelining: bool
) -> None:
    addresses = ["a@example.ma", "b@example.ma", "c@example.ma"]
    confirmed(matinale, *addresses)
    with scripted_smtp(settings, pipelining=pipelining) as (server, _script):
        edition, report = _send(matinale, connections=2)
        assert report.line() == "sent 3, skipped 0, failed 0"
        received = server.wait_for(3)
    assert sorted(r.rcpt_tos[0] for r in received) == addresses
    ids = set()
    for item in received:
        msg = item.message
        assert msg["From"] == "La Matinale du Quotidien <matinale@lede.example>"
        assert msg["List-Id"] == "La Matinale <la-matinale.lede.example>"
        assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        links = str(msg["List-Unsubscribe"])
        assert "<http://testserver/lettres/desinscription/" in links
        assert "<mailto:desinscription@lede.example?subject=unsubscribe" in links
        ids.add(msg["Message-ID"])
        assert msg.get_body(("plain",)) is not None
        html = item.body("html")
        # The shared layout (a 600 px table), the newsletter's CSS inlined.
        assert "max-width:600px" in html and 'class="nl-headline" style="' in html
        assert "Voir dans le navigateur" in html and "Se désinscrire" in html
        assert "Les négociations reprennent à Doha" in item.body("plain")
        assert "12 boulevard de la Résistance" in item.body("plain")
        # Each message carries its own address and unsubscribe link, in both parts.
        one_click = links.split("<", 1)[1].split(">", 1)[0]
        assert one_click in item.body("plain") and one_click in html
        assert item.rcpt_tos[0] in item.body("plain")
        assert dkim.verify(item.raw, dnsfunc=lambda name, timeout=5: dkim_key)
        assert b"d=lede.example" in item.raw and b"s=s2026" in item.raw
    assert len(ids) == 3
    assert Edition.objects.get(pk=edition.pk).status == Edition.Status.SENT
    # Nothing more goes out on a second run, and a second send is refused.
    with scripted_smtp(settings) as (server, _script):
        assert deliver_edition(edition).sent == 0
        with pytest.raises(services.NewsletterError):
            services.edition_enqueue(edition=edition)
        assert server.messages == []


def test_a_tampered_message_fails_dkim(
    settings: Any, matinale: Newsletter, dkim_key: bytes
) -> None:
    confirmed(matinale, "a@example.ma")
    with scripted_smtp(settings) as (server, _script):
        _send(matinale)
        (item,) = server.wait_for(1)
    tampered = item.raw.replace(b"Subject: ", b"Subject: FW: ", 1)
    assert not dkim.verify(tampered, dnsfunc=lambda name, timeout=5: dkim_key)


def test_unsubscribing_during_a_send_stops_the_next_message(
    settings: Any, matinale: Newsletter
) -> None:
    _first, second = confirmed(matinale, "first@example.ma", "second@example.ma")

    def unsubscribe_second(delivery_id: int) -> None:
        services.unsubscribe(subscriber=second, newsletter=matinale, source="test")

    with scripted_smtp(settings) as (server, _script):
        _edition, report = _send(matinale, connections=1, on_claimed=unsubscribe_second)
        assert report.sent == 1 and report.skipped == 1
        assert report.line() == "sent 1, skipped 1, failed 0"
    assert [m.rcpt_tos for m in server.messages] == [["first@example.ma"]]


def test_a_recipient_deleted_during_a_send_is_skipped(settings: Any, matinale: Newsletter) -> None:
    confirmed(matinale, "first@example.ma", "gone@example.ma")

    def delete_gone(delivery_id: int) -> None:
        Subscriber.objects.filter(email="gone@example.ma").delete()

    with scripted_smtp(settings) as (_server, _script):
        _edition, report = _send(matinale, connections=1, on_claimed=delete_gone)
    assert report.skipped == 1
    assert Delivery.objects.get(email="gone@example.ma").state == DeliveryState.SKIPPED


@pytest.mark.parametrize("pipelining", [False, True], ids=["lock-step", "pipelined"])
def test_refused_deferred_and_dropped(
    settings: Any, matinale: Newsletter, pipelining: bool
) -> None:
    confirmed(matinale, "ok@example.ma", "nope@example.ma", "later@example.ma", "drop@example.ma")
    with scripted_smtp(settings, pipelining=pipelining) as (server, script):
        script.refuse.add("nope@example.ma")
        script.defer_once.add("later@example.ma")
        script.drop_after_body.add("drop@example.ma")
        edition, report = _send(matinale, connections=2, retry_base=0)
    states = dict(Delivery.objects.values_list("email", "state"))
    assert states == {
        "ok@example.ma": DeliveryState.SENT,
        "nope@example.ma": DeliveryState.BOUNCED,
        "later@example.ma": DeliveryState.SENT,
        "drop@example.ma": DeliveryState.UNKNOWN,
    }
    assert Subscriber.objects.get(email="nope@example.ma").status == Subscriber.Status.SUSPENDED
    received = [r for m in server.messages for r in m.rcpt_tos]
    assert sorted(received) == ["drop@example.ma", "later@example.ma", "ok@example.ma"]
    assert report.line() == "sent 2, skipped 0, failed 1, unknown 1"
    # The unknown row is not resent automatically ...
    with scripted_smtp(settings) as (server, _script):
        assert deliver_edition(edition).sent == 0
        # ... only by the operator's click.
        row = Delivery.objects.get(email="drop@example.ma")
        assert services.delivery_resend(delivery_id=row.pk)
        assert deliver_edition(edition).sent == 1
        assert [m.rcpt_tos for m in server.messages] == [["drop@example.ma"]]


def test_a_server_that_times_out_after_the_body_leaves_the_row_unknown(
    settings: Any, matinale: Newsletter
) -> None:
    confirmed(matinale, "slow@example.ma", "ok@example.ma")
    settings.LEDE_NEWSLETTER_SMTP_TIMEOUT = 1.0
    with scripted_smtp(settings) as (server, script):
        script.hold.add("slow@example.ma")  # the body arrives, no answer comes
        _edition, report = _send(matinale, connections=1)
        assert script.holding.is_set()
    states = dict(Delivery.objects.values_list("email", "state"))
    assert states == {"slow@example.ma": DeliveryState.UNKNOWN, "ok@example.ma": DeliveryState.SENT}
    assert report.line() == "sent 1, skipped 0, failed 0, unknown 1"
    assert sorted(r for m in server.messages for r in m.rcpt_tos) == [
        "ok@example.ma",
        "slow@example.ma",
    ]
