"""The editors' actions on an item: publish it as a brève, create an article from
it, ignore it, put it back.

Each refuses, with a French message, an item under embargo or killed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from wagtail.coreutils import find_available_slug

from lede.core.dates import format_news_datetime
from lede.editorial.models import ArticlePage
from lede.livefeed.models import BODY_MAX_CHARS, HEADLINE_MAX, Dispatch
from lede.livefeed.services import dispatch_publish

from ..conversion import body_to_stream, dispatch_body
from ..models import ItemStatus, PubStatus, WireItemRecord
from ..photos import image_from_photo, pick_photo
from .editions import section_for_language
from .text import cut, cut_words

DISPATCH_GUID_MAX = Dispatch._meta.get_field("source_guid").max_length or 255


class WireActionError(Exception):
    """A desk action cannot be done; the message is in French, for the editor."""


def _check_usable(record: WireItemRecord, *, now: datetime | None = None) -> None:
    if record.status == ItemStatus.KILLED or record.pub_status != PubStatus.USABLE:
        raise WireActionError(
            "Dépêche retirée par l'agence : elle ne peut plus être publiée."
            + (f" {record.kill_note}" if record.kill_note else "")
        )
    if record.is_embargoed(now) and record.embargo_until is not None:
        raise WireActionError(
            f"Dépêche sous embargo jusqu'au {format_news_datetime(record.embargo_until)} : "
            "publication impossible avant cette heure."
        )


def _lock(record: WireItemRecord) -> WireItemRecord:
    return (
        WireItemRecord.objects.select_for_update(of=("self",))
        .select_related("source")
        .get(pk=record.pk)
    )


def effective_credit(record: WireItemRecord) -> str:
    source = record.source
    return record.credit or (source.default_credit if source else "") or record.provider


def wire_publish_dispatch(
    *, record: WireItemRecord, user: Any = None, now: datetime | None = None
) -> Dispatch:
    """ "Publier en brève": one click to the live feed, with the agency's credit."""
    with transaction.atomic():
        record = _lock(record)
        _check_usable(record, now=now)
        previous = record.get_dispatch()
        if previous is not None and not previous.is_withdrawn:
            raise WireActionError("Cette dépêche est déjà publiée en brève.")
        if not record.headline.strip():
            raise WireActionError("Dépêche sans titre : impossible d'en faire une brève.")
        body = dispatch_body(
            body_html=record.body_html,
            standfirst=record.standfirst,
            max_chars=BODY_MAX_CHARS * 95 // 100,  # the feed counts &amp; as five characters
        )
        if not body:
            raise WireActionError("Dépêche sans texte : impossible d'en faire une brève.")
        photo = None
        chosen = pick_photo(list(record.photos or []))
        if chosen is not None:
            photo = image_from_photo(chosen, title=record.headline, user=user)
        article = record.article if record.article is not None and record.article.live else None
        section = record.source.default_section if record.source else None
        # An item in another language goes to that edition's section, if it has one.
        section, _ = section_for_language(section, record.language)
        # A re-publication (after a "withheld" that was lifted) needs a guid of its own:
        # the live feed keeps one dispatch per agency identifier.
        guid = record.guid if record.dispatch_id is None else f"{record.guid}#v{record.version}"
        try:
            dispatch = dispatch_publish(
                headline=cut_words(record.headline, HEADLINE_MAX),
                body=body,
                section=section,
                credit=cut(effective_credit(record), 120),
                photo=photo,
                article=article,
                access_level="public",
                user=user if getattr(user, "is_authenticated", False) else None,
                source_guid=guid if len(guid) <= DISPATCH_GUID_MAX else None,
            )
        except ValidationError as exc:
            raise WireActionError("Brève refusée par le fil : " + " ".join(exc.messages)) from exc
        record.dispatch_id = dispatch.pk
        record.status = ItemStatus.PUBLISHED_DISPATCH
        record.updated_after_use = False
        _handled(record, user)
        record.save()
    return dispatch


def wire_create_article(
    *,
    record: WireItemRecord,
    section: Any = None,
    user: Any = None,
    now: datetime | None = None,
) -> tuple[ArticlePage, list[str]]:
    """ "Créer un article": a draft pre-filled from the wire; returns it with notes
    for the editor (a picture that could not be imported, for instance).

    The draft goes to the edition of the item's language: under the
    translation of the section in that locale (the article takes its
    parent's locale), or, when that edition has no such section, under the
    section itself with a note saying so."""
    notes: list[str] = []
    with transaction.atomic():
        record = _lock(record)
        _check_usable(record, now=now)
        existing = (
            ArticlePage.objects.filter(pk=record.article_id).first()
            if record.article_id is not None
            else None
        )
        if existing is not None:
            raise WireActionError(
                f"Un article existe déjà pour cette dépêche : « {existing.title} »."
            )
        section = section or (record.source.default_section if record.source else None)
        if section is None:
            raise WireActionError(
                "Choisissez une rubrique : la source de cette dépêche n'en a pas par défaut."
            )
        section, routing = section_for_language(section, record.language)
        if routing:
            notes.append(routing)
        title = cut(record.headline or record.slugline or "Dépêche sans titre", 255)
        article = ArticlePage(
            title=title,
            slug=find_available_slug(section, slugify(title)[:80] or "depeche"),
            standfirst=cut(record.standfirst, 1200),
            agency_credit=cut(effective_credit(record), 120),
            copyright_line=cut(record.copyright, 255),
            live=False,
            has_unpublished_changes=True,
            owner=user if getattr(user, "is_authenticated", False) else None,
        )
        article.body = body_to_stream(record.body_html)  # type: ignore[assignment]
        chosen = pick_photo(list(record.photos or []))
        if chosen is not None:
            image = image_from_photo(chosen, title=title, user=user)
            if image is not None:
                article.lead_image = image
        if article.lead_image is None and record.photos:
            hrefs = sorted({str(p.get("href", "")) for p in record.photos if isinstance(p, dict)})
            notes.append(
                "Photo non importée (à récupérer à la main) : " + ", ".join(h for h in hrefs if h)
            )
        section.add_child(instance=article)
        article.save_revision(
            user=user if getattr(user, "is_authenticated", False) else None, log_action=True
        )
        record.article = article
        record.status = ItemStatus.ARTICLE_CREATED
        record.updated_after_use = False
        _handled(record, user)
        record.save()
    return article, notes


def wire_ignore(*, record: WireItemRecord, user: Any = None) -> WireItemRecord:
    """ "Ignorer": off the to-do list (a later version still shows as updated)."""
    with transaction.atomic():
        record = _lock(record)
        if record.status == ItemStatus.KILLED:
            raise WireActionError("Dépêche déjà retirée par l'agence.")
        record.status = ItemStatus.IGNORED
        _handled(record, user)
        record.save()
    return record


def wire_restore(*, record: WireItemRecord, user: Any = None) -> WireItemRecord:
    """Put an ignored item back on the desk."""
    with transaction.atomic():
        record = _lock(record)
        if record.status != ItemStatus.IGNORED:
            raise WireActionError("Seule une dépêche ignorée peut être remise au desk.")
        record.status = ItemStatus.NEW
        _handled(record, user)
        record.save()
    return record


def _handled(record: WireItemRecord, user: Any) -> None:
    record.handled_by = user if getattr(user, "is_authenticated", False) else None
    record.handled_at = timezone.now()
