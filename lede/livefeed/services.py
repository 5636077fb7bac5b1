"""Writes of the live feed: publish, correct and withdraw dispatches; live blog updates.

Every write records a :class:`FeedEvent` in the same transaction and notifies the
broker once the transaction has committed, so an SSE reader never hears of a change
that was rolled back.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

from lede.core.sanitize import clean_rich_text_source, strip_tags
from lede.editorial.models import AccessLevel, ArticlePage, SectionPage
from lede.images.models import LedeImage

from . import broker, nchan
from .models import (
    BODY_MAX_CHARS,
    BODY_MAX_PARAGRAPHS,
    HEADLINE_MAX,
    Dispatch,
    Edition,
    FeedEvent,
    LiveBlogPage,
)

CREDIT_MAX = 120
NOTE_MAX = 500
CAPTION_MAX = 500
PHOTO_CREDIT_MAX = 255
GUID_MAX = 255

_PARAGRAPH = re.compile(r"<p[\s>]", re.IGNORECASE)
_BLANK_LINES = re.compile(r"\n\s*\n")
_BLOCK_TAG = re.compile(r"<(p|ul|ol|blockquote|h[2-4])[\s>]", re.IGNORECASE)
_ANY_TAG = re.compile(r"</?[a-z][^>]*>", re.IGNORECASE)


def normalise_body(body: str) -> str:
    """Rich text as stored: plain text (from the command line or a wire) becomes
    paragraphs split on blank lines; HTML is sanitised."""
    body = (body or "").strip()
    if not body:
        return ""
    if not _BLOCK_TAG.search(body):
        is_html = bool(_ANY_TAG.search(body))
        paragraphs = [p.strip() for p in _BLANK_LINES.split(body.replace("\r\n", "\n"))]
        body = "".join(
            "<p>" + (p if is_html else escape(p).replace("\n", "<br>")) + "</p>"
            for p in paragraphs
            if p
        )
    return clean_rich_text_source(body)


def paragraph_count(body: str) -> int:
    return len(_PARAGRAPH.findall(body)) or (1 if strip_tags(body).strip() else 0)


def dispatch_validate(
    *,
    headline: str,
    body: str,
    credit: str = "",
    access_level: str = AccessLevel.PUBLIC,
    photo_caption: str = "",
    photo_credit: str = "",
    source_guid: str | None = None,
    exclude_pk: int | None = None,
    language: str = Edition.FR,
) -> dict[str, str]:
    """Check the input of a dispatch; return the cleaned values or raise
    :class:`ValidationError` with one French message per field."""
    errors: dict[str, list[str]] = {}
    headline = " ".join((headline or "").split())
    if not headline:
        errors.setdefault("headline", []).append(_("Le titre est obligatoire."))
    elif len(headline) > HEADLINE_MAX:
        errors.setdefault("headline", []).append(
            _("Le titre ne doit pas dépasser %(max)d caractères (il en a %(n)d).")
            % {"max": HEADLINE_MAX, "n": len(headline)}
        )
    clean_body = normalise_body(body)
    text = " ".join(strip_tags(clean_body).split())
    if not text:
        errors.setdefault("body", []).append(_("Le texte de la dépêche est obligatoire."))
    else:
        if len(text) > BODY_MAX_CHARS:
            errors.setdefault("body", []).append(
                _("Le texte ne doit pas dépasser %(max)s caractères (il en a %(n)s).")
                % {"max": f"{BODY_MAX_CHARS:,}".replace(",", "\u202f"), "n": len(text)}
            )
        if paragraph_count(clean_body) > BODY_MAX_PARAGRAPHS:
            errors.setdefault("body", []).append(_("Une dépêche compte trois paragraphes au plus."))
    credit = (credit or "").strip()
    if len(credit) > CREDIT_MAX:
        errors.setdefault("credit", []).append(
            _("La source ne doit pas dépasser %(max)d caractères.") % {"max": CREDIT_MAX}
        )
    if access_level not in AccessLevel.values:
        errors.setdefault("access_level", []).append(_("Niveau d’accès inconnu."))
    if language not in Edition.values:
        errors.setdefault("language", []).append(_("Édition inconnue."))
    if len(photo_caption or "") > CAPTION_MAX:
        errors.setdefault("photo_caption", []).append(
            _("La légende ne doit pas dépasser %(max)d caractères.") % {"max": CAPTION_MAX}
        )
    if len(photo_credit or "") > PHOTO_CREDIT_MAX:
        errors.setdefault("photo_credit", []).append(
            _("Le crédit ne doit pas dépasser %(max)d caractères.") % {"max": PHOTO_CREDIT_MAX}
        )
    if source_guid is not None:
        if not source_guid.strip() or len(source_guid) > GUID_MAX:
            errors.setdefault("source_guid", []).append(_("Identifiant d’agence invalide."))
        else:
            duplicates = Dispatch.objects.filter(source_guid=source_guid)
            if exclude_pk is not None:
                duplicates = duplicates.exclude(pk=exclude_pk)
            if duplicates.exists():
                errors.setdefault("source_guid", []).append(
                    _("Une dépêche existe déjà pour cet identifiant d’agence.")
                )
    if errors:
        raise ValidationError(errors)
    return {"headline": headline, "body": clean_body, "credit": credit}


def _record(*, kind: str, dispatch: Dispatch | None = None, blog: Any = None) -> FeedEvent:
    event = FeedEvent.objects.create(kind=kind, dispatch=dispatch, blog=blog)
    event_id = event.pk
    transaction.on_commit(lambda: broker.notify([event_id]))
    if dispatch is not None and nchan.enabled():
        # The fan-out engine in front (deploy/nginx): the public frame, once.
        transaction.on_commit(lambda: nchan.publish_events([event_id]))
    return event


@transaction.atomic
def dispatch_publish(
    *,
    headline: str,
    body: str,
    section: SectionPage | None = None,
    credit: str = "",
    photo: LedeImage | None = None,
    photo_caption: str = "",
    photo_credit: str = "",
    article: ArticlePage | None = None,
    access_level: str = AccessLevel.PUBLIC,
    user: Any = None,
    source_guid: str | None = None,
    published_at: datetime | None = None,
    language: str = Edition.FR,
) -> Dispatch:
    """Publish a dispatch to the live feed (of its edition, ``language``) now."""
    cleaned = dispatch_validate(
        headline=headline,
        body=body,
        credit=credit,
        access_level=access_level,
        photo_caption=photo_caption,
        photo_credit=photo_credit,
        source_guid=source_guid,
        language=language,
    )
    dispatch = Dispatch(
        **cleaned,
        section=section,
        photo=photo,
        photo_caption=(photo_caption or "").strip(),
        photo_credit=(photo_credit or "").strip(),
        article=article,
        access_level=access_level,
        language=language,
        source_guid=source_guid,
        published_at=published_at or timezone.now(),
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    try:
        with transaction.atomic():
            dispatch.save()
    except IntegrityError as exc:  # two desks publishing the same wire at once
        raise ValidationError(
            {"source_guid": [_("Une dépêche existe déjà pour cet identifiant d’agence.")]}
        ) from exc
    _record(kind=FeedEvent.Kind.PUBLISHED, dispatch=dispatch)
    return dispatch


@transaction.atomic
def dispatch_update(
    *,
    dispatch: Dispatch,
    headline: str,
    body: str,
    section: SectionPage | None = None,
    credit: str = "",
    photo: LedeImage | None = None,
    photo_caption: str = "",
    photo_credit: str = "",
    article: ArticlePage | None = None,
    access_level: str = AccessLevel.PUBLIC,
    user: Any = None,
    language: str | None = None,
) -> Dispatch:
    """Correct a published dispatch (every field is replaced but the edition,
    which is fixed at publication). Readers see the correction in place, with its time."""
    locked = Dispatch.objects.select_for_update().get(pk=dispatch.pk)
    if locked.is_withdrawn:
        raise ValidationError(_("Une dépêche retirée ne peut plus être corrigée."))
    if language and language != locked.language:
        # Its readers follow the stream of its edition: they would keep the old text.
        raise ValidationError(
            {
                "language": [
                    _(
                        "L’édition d’une dépêche publiée ne change pas : retirez-la, "
                        "puis publiez-la dans l’autre édition."
                    )
                ]
            }
        )
    cleaned = dispatch_validate(
        headline=headline,
        body=body,
        credit=credit,
        access_level=access_level,
        photo_caption=photo_caption,
        photo_credit=photo_credit,
        language=locked.language,
    )
    for name, value in cleaned.items():
        setattr(locked, name, value)
    locked.section = section
    locked.photo = photo
    locked.photo_caption = (photo_caption or "").strip()
    locked.photo_credit = (photo_credit or "").strip()
    locked.article = article
    locked.access_level = access_level
    locked.updated_at = timezone.now()
    locked.save()
    _record(kind=FeedEvent.Kind.UPDATED, dispatch=locked)
    _copy_state(locked, dispatch)
    return locked


@transaction.atomic
def dispatch_withdraw(*, dispatch: Dispatch, note: str = "", user: Any = None) -> Dispatch:
    """Take a dispatch off the feed; ``note`` (optional) is shown in its place."""
    note = " ".join((note or "").split())
    if len(note) > NOTE_MAX:
        raise ValidationError(
            {"note": [_("La note ne doit pas dépasser %(max)d caractères.") % {"max": NOTE_MAX}]}
        )
    locked = Dispatch.objects.select_for_update().get(pk=dispatch.pk)
    if locked.is_withdrawn:
        raise ValidationError(_("Cette dépêche est déjà retirée."))
    locked.status = Dispatch.Status.WITHDRAWN
    locked.withdrawn_note = note
    locked.withdrawn_at = timezone.now()
    locked.save(update_fields=["status", "withdrawn_note", "withdrawn_at"])
    _record(kind=FeedEvent.Kind.WITHDRAWN, dispatch=locked)
    _copy_state(locked, dispatch)
    return locked


def _copy_state(source: Dispatch, target: Dispatch) -> None:
    """Keep the caller's instance in step with what was saved."""
    if source is target:
        return
    for field in source._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))


def liveblog_notify(*, page: LiveBlogPage) -> FeedEvent:
    """A live blog was published: tell its open pages (called within the publish
    transaction, from the ``page_published`` signal)."""
    with transaction.atomic():
        return _record(kind=FeedEvent.Kind.BLOG, blog=page)
