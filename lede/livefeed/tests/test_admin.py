"""The dispatch desk in the admin: a short form through the services, and "Retirer"."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from lede.livefeed import services
from lede.livefeed.models import Dispatch, FeedEvent

pytestmark = pytest.mark.django_db


def rich(*paragraphs: str) -> str:
    """What the Draftail editor posts for plain paragraphs."""
    blocks = [
        {
            "key": f"k{i}",
            "type": "unstyled",
            "depth": 0,
            "text": text,
            "inlineStyleRanges": [],
            "entityRanges": [],
            "data": {},
        }
        for i, text in enumerate(paragraphs)
    ]
    return json.dumps({"blocks": blocks, "entityMap": {}})


@pytest.fixture
def editor_client(client: Client, django_user_model: Any) -> Client:
    from django.contrib.auth.models import Group

    from lede.livefeed.permissions import dispatch_permissions_grant

    user = django_user_model.objects.create_user("redaction@example.com", "pw-redac-2026-x")
    user.groups.add(Group.objects.get(name="Éditeur"))
    dispatch_permissions_grant()
    client.force_login(user)
    return client


def test_editor_posts_a_dispatch(
    editor_client: Client, desk: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    form = editor_client.get("/admin/livefeed/dispatch/add/")
    assert form.status_code == 200
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = editor_client.post(
            "/admin/livefeed/dispatch/add/",
            {
                "headline": "Coupure d'électricité à Casablanca",
                "body": rich("Plusieurs quartiers privés de courant."),
                "section": desk["maroc"].pk,
                "credit": "MAP",
                "access_level": "public",
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    dispatch = Dispatch.objects.get()
    assert dispatch.created_by is not None
    assert dispatch.body == "<p>Plusieurs quartiers privés de courant.</p>"
    assert FeedEvent.objects.get().kind == "published"
    assert callbacks  # notified on commit


def test_form_errors_are_shown_in_french(editor_client: Client, desk: dict[str, Any]) -> None:
    response = editor_client.post(
        "/admin/livefeed/dispatch/add/",
        {
            "headline": "Trop long",
            "body": rich("a", "b", "c", "d"),
            "access_level": "public",
        },
    )
    assert response.status_code == 200
    assert "trois paragraphes au plus" in response.content.decode()
    assert not Dispatch.objects.exists()


def test_editor_corrects_and_withdraws(editor_client: Client, desk: dict[str, Any]) -> None:
    dispatch = services.dispatch_publish(headline="Bilan : 2 morts", body="Texte.")
    listing = editor_client.get("/admin/livefeed/dispatch/")
    assert listing.status_code == 200
    assert f"/admin/livefeed/dispatch/withdraw/{dispatch.pk}/" in listing.content.decode()
    response = editor_client.post(
        f"/admin/livefeed/dispatch/edit/{dispatch.pk}/",
        {"headline": "Bilan : 3 morts", "body": rich("Texte corrigé."), "access_level": "public"},
    )
    assert response.status_code == 302
    dispatch.refresh_from_db()
    assert dispatch.headline == "Bilan : 3 morts" and dispatch.updated_at is not None

    page = editor_client.get(f"/admin/livefeed/dispatch/withdraw/{dispatch.pk}/")
    assert page.status_code == 200 and "Note de la rédaction" in page.content.decode()
    response = editor_client.post(
        f"/admin/livefeed/dispatch/withdraw/{dispatch.pk}/",
        {"note": "Le bilan était erroné."},
    )
    assert response.status_code == 302
    dispatch.refresh_from_db()
    assert dispatch.is_withdrawn and dispatch.withdrawn_note == "Le bilan était erroné."
    kinds = list(FeedEvent.objects.values_list("kind", flat=True))
    assert kinds == ["published", "updated", "withdrawn"]
    # A withdrawn dispatch cannot be withdrawn again nor corrected.
    again = editor_client.post(f"/admin/livefeed/dispatch/withdraw/{dispatch.pk}/", {"note": ""})
    assert again.status_code == 302
    edit = editor_client.post(
        f"/admin/livefeed/dispatch/edit/{dispatch.pk}/",
        {"headline": "Retour", "body": rich("Texte."), "access_level": "public"},
    )
    assert edit.status_code == 200
    assert "retirée ne peut plus" in edit.content.decode()
    assert FeedEvent.objects.count() == 3


def test_readers_cannot_reach_the_desk(client: Client, django_user_model: Any, desk: Any) -> None:
    dispatch = services.dispatch_publish(headline="Titre", body="Texte.")
    reader = django_user_model.objects.create_user("lecteur@example.com", "pw-lecteur-2026")
    client.force_login(reader)
    assert client.get("/admin/livefeed/dispatch/add/").status_code in {302, 403}
    response = client.post(f"/admin/livefeed/dispatch/withdraw/{dispatch.pk}/", {"note": ""})
    assert response.status_code in {302, 403}
    dispatch.refresh_from_db()
    assert not dispatch.is_withdrawn
