"""The sending desk (/admin/envois/): progress, preview, test, send now,
and the one-click resend of an unknown message."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from lede.accounts.models import User
from lede.newsletters import selectors, services
from lede.newsletters.models import Delivery, DeliveryState, Edition, LinkClick, Newsletter
from lede.newsletters.rendering import EditionRenderer

from .helpers import confirmed, send_with_counted_links
from .smtp import scripted_smtp

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def editor(db: Any) -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("chef@lede.example", "pw-2026-chef"))
    return client


def test_desk_preview_test_send_and_resend(
    settings: Any, matinale: Newsletter, editor: Client
) -> None:
    confirmed(matinale, "a@example.ma", "b@example.ma")
    edition = services.edition_build(newsletter=matinale)
    assert editor.get("/admin/envois/").status_code == 200
    page = editor.get(f"/admin/envois/{edition.pk}/")
    assert page.status_code == 200 and "Envoyer maintenant" in page.content.decode()
    preview = editor.get(f"/admin/envois/{edition.pk}/apercu/")
    assert "Les négociations reprennent à Doha" in preview.content.decode()
    with scripted_smtp(settings) as (server, script):
        editor.post(f"/admin/envois/{edition.pk}/test/", {"email": "chef@lede.example"})
        (test,) = server.wait_for(1)
        assert test.rcpt_tos == ["chef@lede.example"] and test.subject.startswith("[TEST]")
        assert Delivery.objects.count() == 0
        server.clear()
        script.drop_after_body.add("b@example.ma")
        editor.post(f"/admin/envois/{edition.pk}/envoyer/")  # the task runs inline in tests
        assert sorted(r for m in server.messages for r in m.rcpt_tos) == [
            "a@example.ma",
            "b@example.ma",
        ]
        unknown = Delivery.objects.get(state=DeliveryState.UNKNOWN)
        html = editor.get(f"/admin/envois/{edition.pk}/").content.decode()
        assert "Messages à l’état inconnu" in html and "b@example.ma" in html
        # Refused twice.
        again = editor.post(f"/admin/envois/{edition.pk}/envoyer/", follow=True)
        assert "déjà été envoyée" in again.content.decode()
        server.clear()
        script.drop_after_body.clear()
        editor.post(f"/admin/envois/renvoyer/{unknown.pk}/")
        assert [m.rcpt_tos for m in server.messages] == [["b@example.ma"]]
    assert Delivery.objects.get(pk=unknown.pk).state == DeliveryState.SENT
    assert Edition.objects.get(pk=edition.pk).status == Edition.Status.SENT
    progress = editor.get(f"/admin/envois/{edition.pk}/progression/").json()
    assert progress["sent"] == 2 and progress["percent"] == 100


def test_readers_cannot_reach_the_desk(matinale: Newsletter, client: Client) -> None:
    client.force_login(User.objects.create_user("lecteur@example.ma", "pw-2026-lecteur"))
    assert client.get("/admin/envois/").status_code in (302, 403)


def test_click_report_per_edition_and_the_switch_that_stops_counting(
    settings: Any, matinale: Newsletter, editor: Client
) -> None:
    edition, links = send_with_counted_links(settings, matinale)
    reader = Client()
    first = reader.get(links[0])
    reader.get(links[0])
    reader.get(links[1])
    title = selectors.edition_articles(edition)[0].title
    page = editor.get(f"/admin/envois/{edition.pk}/").content.decode()
    report = page.split('id="clics"', 1)[1]
    assert title in report and "<td>2</td>" in report and "<td>1</td>" in report
    assert "Le comptage des clics est activé" in report
    desk = editor.get("/admin/envois/").content.decode()
    assert "<td>3</td>" in desk
    # The publisher turns counting off: the links still lead to the article,
    # nothing more is counted, and the next edition's links are direct.
    matinale.count_clicks = False
    matinale.save()
    again = reader.get(links[0])
    assert again.status_code == 302 and again["Location"] == first["Location"]
    assert sum(LinkClick.objects.values_list("count", flat=True)) == 3
    page = editor.get(f"/admin/envois/{edition.pk}/").content.decode()
    assert "Le comptage des clics est désactivé" in page
    renderer = EditionRenderer(Edition.objects.get(pk=edition.pk))
    assert "/lettres/clic/" not in renderer.variant(frozenset()).text
