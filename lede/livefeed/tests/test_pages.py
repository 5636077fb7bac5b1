"""The Newsroom page (no JavaScript needed) and the home page's live slot."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lede.livefeed import services
from lede.livefeed.models import FeedEvent

pytestmark = pytest.mark.django_db

SECRET = "Chiffres exclusifs réservés aux abonnés."


def _publish(n: int, **kwargs: Any) -> list[Any]:
    now = timezone.now()
    return [
        services.dispatch_publish(
            headline=f"Dépêche numéro {i}",
            body=f"Texte de la dépêche {i}.",
            published_at=now - timedelta(minutes=n - i),
            **kwargs,
        )
        for i in range(n)
    ]


def test_newsroom_lists_latest_first_with_everything(
    client: Client, desk: dict[str, Any], publication: dict[str, Any]
) -> None:
    older = services.dispatch_publish(
        headline="Les négociations reprennent",
        body="Premier paragraphe.\n\nSecond paragraphe.",
        section=desk["proche"],
        credit="AFP",
        photo=desk["photo"],
        photo_caption="Les délégations à Doha",
        article=publication["lead"],
        published_at=timezone.now() - timedelta(minutes=10),
    )
    services.dispatch_publish(headline="Le dirham stable", body="Texte.", credit="Reuters")
    response = client.get("/newsroom/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Newsroom</h1>" in html
    assert "Le meilleur de l’actualité au fil des événements" in html
    assert html.index("Le dirham stable") < html.index("Les négociations reprennent")
    item = html[html.index(f'id="depeche-{older.pk}"') :]
    item = item[: item.index("</article>")]
    assert re.search(r"\d\d\.\d\d\.\d{4} à \d\d H \d\d", item)
    assert "Afrique du Nord" in item and "AFP" in item
    assert "<p>Premier paragraphe.</p><p>Second paragraphe.</p>" in item
    assert "Les délégations à Doha" in item  # caption override
    assert "NADIA IDRISSI / AFP" in item  # the image's own credit, in capitals
    assert f'href="{publication["lead"].url}"' in item and "Lire l’article" in item
    # The live stream hooks, for the script.
    assert 'data-stream-url="/newsroom/flux/"' in html
    assert f'data-last-event-id="{FeedEvent.objects.latest("id").pk}"' in html
    assert "livefeed/newsroom.js" in html
    assert html.count("<h1") == 1


def test_withdrawn_dispatch_disappears_or_leaves_the_note(
    client: Client, desk: dict[str, Any]
) -> None:
    kept, noted, silent = _publish(3)
    services.dispatch_withdraw(dispatch=noted, note="Cette dépêche comportait une erreur.")
    services.dispatch_withdraw(dispatch=silent)
    html = client.get("/newsroom/").content.decode()
    assert kept.headline in html
    assert noted.headline not in html and "Texte de la dépêche 1." not in html
    assert "Cette dépêche comportait une erreur." in html
    assert f'id="depeche-{noted.pk}"' in html
    assert silent.headline not in html and f'id="depeche-{silent.pk}"' not in html


def test_pagination_and_bad_pages(client: Client, desk: dict[str, Any]) -> None:
    _publish(32)
    first = client.get("/newsroom/").content.decode()
    assert first.count('class="dispatch"') == 30
    assert "Dépêche numéro 31" in first and "Dépêche numéro 1<" not in first
    second = client.get("/newsroom/", {"page": "2"})
    assert second.status_code == 200
    html = second.content.decode()
    assert html.count('class="dispatch"') == 2
    assert "Dépêche numéro 0" in html
    assert "data-live-feed" not in html  # only the first page follows the stream
    for raw in ["0", "-1", "abc", "3", "1.5", "%00", ""]:
        assert client.get("/newsroom/", {"page": raw}).status_code == 404, raw


def test_empty_newsroom(client: Client, desk: dict[str, Any]) -> None:
    html = client.get("/newsroom/").content.decode()
    assert "Aucune dépêche pour le moment." in html


def test_locked_dispatch_shows_only_its_headline(
    client: Client, desk: dict[str, Any], django_user_model: Any
) -> None:
    services.dispatch_publish(
        headline="Budget : les chiffres",
        body=SECRET,
        access_level="subscribers",
        photo=desk["photo"],
    )
    services.dispatch_publish(
        headline="Pour les inscrits", body="Texte inscrits.", access_level="registered"
    )
    html = client.get("/newsroom/").content.decode()
    assert "Budget\u202f: les chiffres" in html and "Réservé aux abonnés" in html
    assert SECRET not in html and "La place au matin" not in html
    assert "Réservé aux lecteurs inscrits" in html and "Texte inscrits." not in html

    reader = django_user_model.objects.create_user("lectrice@example.com", "pw-lectrice-2026")
    client.force_login(reader)
    html = client.get("/newsroom/").content.decode()
    assert "Texte inscrits." in html and SECRET not in html

    staff = django_user_model.objects.create_superuser("chef@example.com", "pw-chef-2026-x")
    client.force_login(staff)
    assert SECRET in client.get("/newsroom/").content.decode()


def test_newsroom_query_count_does_not_grow_with_the_list(
    client: Client, desk: dict[str, Any], publication: dict[str, Any]
) -> None:
    def count() -> int:
        client.get("/newsroom/")  # renditions created on the first render
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/newsroom/").status_code == 200
        return len(ctx.captured_queries)

    _publish(3, section=desk["maroc"], photo=desk["photo"], article=publication["lead"])
    few = count()
    _publish(12, section=desk["proche"], photo=desk["photo"], article=publication["agency"])
    assert count() == few


def test_home_live_slot_shows_the_last_five(
    client: Client, desk: dict[str, Any], publication: dict[str, Any]
) -> None:
    dispatches = _publish(7, credit="AFP")
    services.dispatch_withdraw(dispatch=dispatches[-1])
    html = client.get("/").content.decode()
    slot = html[html.index('class="home-live"') :]
    slot = slot[: slot.index("</aside>")]
    titles = re.findall(r">(Dépêche numéro \d+)</a>", slot)
    assert titles == [f"Dépêche numéro {i}" for i in (5, 4, 3, 2, 1)]
    assert f'href="/newsroom/#depeche-{dispatches[5].pk}"' in slot
    assert 'href="/newsroom/"' in slot


def test_home_live_slot_when_empty(client: Client, publication: dict[str, Any]) -> None:
    html = client.get("/").content.decode()
    assert "Les dépêches apparaîtront ici." in html
