"""Services: validation (French messages), sanitising, the event log, notifications."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from django.core.exceptions import ValidationError

from lede.core import process_state
from lede.livefeed import broker, services
from lede.livefeed.models import Dispatch, FeedEvent

pytestmark = pytest.mark.django_db


def _errors(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


def test_publish_records_an_event_and_notifies_after_commit(
    desk: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    with mock.patch("lede.livefeed.broker.notify") as notify:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            dispatch = services.dispatch_publish(
                headline="  Le  port de Tanger rouvert  ",
                body="Premier paragraphe.\n\nDeuxième paragraphe.",
                section=desk["maroc"],
                credit="AFP",
            )
        notify.assert_not_called()  # nothing is said before the commit
        for callback in callbacks:
            callback()
    event = FeedEvent.objects.get()
    notify.assert_called_once_with([event.pk])
    assert event.dispatch == dispatch and event.kind == "published"
    dispatch.refresh_from_db()
    assert dispatch.headline == "Le port de Tanger rouvert"
    assert dispatch.body == "<p>Premier paragraphe.</p><p>Deuxième paragraphe.</p>"
    assert dispatch.status == Dispatch.Status.PUBLISHED
    assert dispatch.access_level == "public"
    assert dispatch.updated_at is None


def test_rolled_back_publish_leaves_nothing(desk: dict[str, Any]) -> None:
    from django.db import transaction

    with mock.patch("lede.livefeed.broker.notify") as notify:
        with pytest.raises(RuntimeError), transaction.atomic():
            services.dispatch_publish(headline="Annulée", body="Texte.")
            raise RuntimeError("boom")
    assert not Dispatch.objects.exists() and not FeedEvent.objects.exists()
    notify.assert_not_called()


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"headline": ""}, "headline", "Le titre est obligatoire."),
        ({"headline": "   "}, "headline", "Le titre est obligatoire."),
        ({"headline": "x" * 201}, "headline", "ne doit pas dépasser 200 caractères"),
        ({"body": ""}, "body", "Le texte de la dépêche est obligatoire."),
        ({"body": "<p> </p>"}, "body", "Le texte de la dépêche est obligatoire."),
        ({"body": "a\n\nb\n\nc\n\nd"}, "body", "trois paragraphes au plus"),
        ({"body": "<p>a</p><p>b</p><p>c</p><p>d</p>"}, "body", "trois paragraphes au plus"),
        ({"body": "x" * 2001}, "body", "ne doit pas dépasser 2\u202f000 caractères"),
        ({"credit": "A" * 121}, "credit", "La source ne doit pas dépasser"),
        ({"access_level": "vip"}, "access_level", "Niveau d’accès inconnu."),
        ({"photo_caption": "x" * 501}, "photo_caption", "La légende ne doit pas dépasser"),
    ],
)
def test_bad_input_is_refused_in_french(
    desk: dict[str, Any], kwargs: dict[str, Any], field: str, message: str
) -> None:
    values = {"headline": "Titre", "body": "Texte.", **kwargs}
    with pytest.raises(ValidationError) as exc:
        services.dispatch_publish(**values)
    assert any(message in m for m in _errors(exc)[field]), _errors(exc)
    assert not Dispatch.objects.exists() and not FeedEvent.objects.exists()


def test_limits_are_inclusive(desk: dict[str, Any]) -> None:
    services.dispatch_publish(headline="x" * 200, body="<p>a</p><p>b</p><p>c</p>")
    services.dispatch_publish(headline="Long", body="x" * 2000)
    assert Dispatch.objects.count() == 2


def test_body_html_is_sanitised(desk: dict[str, Any]) -> None:
    dispatch = services.dispatch_publish(
        headline="Propre",
        body=(
            '<p onclick="x()">Texte <strong>fort</strong><script>alert(1)</script> '
            '<a href="javascript:alert(1)">lien</a> <a href="https://example.org/">source</a></p>'
        ),
    )
    assert "script" not in dispatch.body
    assert "onclick" not in dispatch.body and "javascript:" not in dispatch.body
    assert "<strong>fort</strong>" in dispatch.body
    assert 'href="https://example.org/"' in dispatch.body


def test_plain_text_is_escaped_not_interpreted(desk: dict[str, Any]) -> None:
    dispatch = services.dispatch_publish(headline="Texte brut", body="1 < 2 & 3 > 2")
    assert dispatch.body == "<p>1 &lt; 2 &amp; 3 &gt; 2</p>"


def test_source_guid_is_unique(desk: dict[str, Any]) -> None:
    services.dispatch_publish(headline="A", body="Texte.", source_guid="urn:afp:1")
    with pytest.raises(ValidationError) as exc:
        services.dispatch_publish(headline="B", body="Texte.", source_guid="urn:afp:1")
    assert "existe déjà" in _errors(exc)["source_guid"][0]
    # Several dispatches without a guid are fine.
    services.dispatch_publish(headline="C", body="Texte.")
    services.dispatch_publish(headline="D", body="Texte.")
    assert Dispatch.objects.count() == 3


def test_update_replaces_and_marks_the_time(desk: dict[str, Any]) -> None:
    dispatch = services.dispatch_publish(
        headline="Bilan provisoire", body="Deux blessés.", credit="AFP"
    )
    services.dispatch_update(
        dispatch=dispatch,
        headline="Bilan : trois blessés",
        body="Trois blessés.",
        credit="Reuters",
        section=desk["maroc"],
        access_level="registered",
    )
    assert dispatch.headline == "Bilan : trois blessés"  # the caller's instance follows
    dispatch.refresh_from_db()
    assert dispatch.credit == "Reuters" and dispatch.section == desk["maroc"]
    assert dispatch.access_level == "registered"
    assert dispatch.updated_at is not None
    assert list(FeedEvent.objects.values_list("kind", flat=True)) == ["published", "updated"]
    with pytest.raises(ValidationError):
        services.dispatch_update(dispatch=dispatch, headline="", body="x")
    assert FeedEvent.objects.count() == 2


def test_withdraw_with_and_without_note(desk: dict[str, Any]) -> None:
    first = services.dispatch_publish(headline="Erronée", body="Texte.")
    second = services.dispatch_publish(headline="Doublon", body="Texte.")
    services.dispatch_withdraw(dispatch=first, note="  Cette dépêche contenait une erreur. ")
    services.dispatch_withdraw(dispatch=second)
    first.refresh_from_db()
    assert first.is_withdrawn and first.withdrawn_note == "Cette dépêche contenait une erreur."
    assert first.withdrawn_at is not None
    assert second.is_withdrawn and second.withdrawn_note == ""
    with pytest.raises(ValidationError) as exc:
        services.dispatch_withdraw(dispatch=first, note="Encore")
    assert "déjà retirée" in exc.value.messages[0]
    with pytest.raises(ValidationError) as exc:
        services.dispatch_update(dispatch=first, headline="Retour", body="Texte.")
    assert "retirée ne peut plus" in exc.value.messages[0]
    with pytest.raises(ValidationError):
        services.dispatch_withdraw(
            dispatch=services.dispatch_publish(headline="N", body="T."), note="x" * 501
        )
    kinds = list(FeedEvent.objects.values_list("kind", flat=True))
    assert kinds == ["published", "published", "withdrawn", "withdrawn", "published"]


def test_redis_failure_does_not_fail_the_publish(
    desk: dict[str, Any], settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    with django_capture_on_commit_callbacks(execute=True):
        dispatch = services.dispatch_publish(headline="Malgré tout", body="Texte.")
    assert Dispatch.objects.filter(pk=dispatch.pk).exists()


def test_process_state_reset_forgets_the_publishing_clients(
    desk: dict[str, Any], settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """One reset for the whole process (conftest.py) includes the live feed's
    Redis clients: the next test does not inherit a client of this one's server."""
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    with django_capture_on_commit_callbacks(execute=True):
        services.dispatch_publish(headline="Un client", body="Texte.")
    assert list(broker._redis_clients) == [settings.REDIS_URL]
    assert "lede.livefeed.broker.clients" in process_state.registered()
    process_state.reset_all()
    assert broker._redis_clients == {}
