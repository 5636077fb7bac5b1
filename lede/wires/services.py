"""Writes of the wire desk: ingest agency files, act on the items, kill them.

Ingest (``wire_ingest_bytes``, ``wire_ingest_path``) parses a file, then stores
each news item in its own transaction together with its log line: an item is
either fully stored or not at all, and a bad item never blocks the others.
Versions: the same ``guid`` with a higher version replaces the record in place;
an equal or lower version is skipped; ``canceled`` or ``withheld`` kills the item
everywhere the desk used it (the brève is withdrawn, the article unpublished).

The desk actions (``wire_publish_dispatch``, ``wire_create_article``,
``wire_ignore``) refuse, with a French message, items under embargo or killed.
The live feed is another app: its services are imported late and may be absent.
"""

from __future__ import annotations

import importlib
import logging
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from lede.core.dates import format_news_datetime
from lede.core.observability.metrics import record_wire_item

from .models import (
    IngestLogEntry,
    IngestOutcomeKind,
    ItemStatus,
    PubStatus,
    WireItemRecord,
    WireSource,
)
from .parsers import ParseError, ParseResult, WireItem, parse_bytes
from .parsers.markup import sanitize_html
from .photos import photo_to_dict

logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
MAX_GUID_LENGTH = 1000
DISPATCH_GUID_MAX = 255  # lede.livefeed.models.Dispatch.source_guid
MAX_VERSION = 2_147_483_647
# Files a folder walk never treats as wires: pictures travel beside the stories,
# and partial uploads are still being written.
NON_WIRE_SUFFIXES = frozenset(
    {".jpg", ".jpeg", ".png", ".gif", ".webp", ".tif", ".tiff", ".part", ".tmp", ".filepart"}
)
# Where folder polling moves the files it has read (see polling.py).
PROCESSED_DIR = "processed"
REJECTED_DIR = "rejected"
DROP_FOLDER_ARCHIVES = frozenset({PROCESSED_DIR, REJECTED_DIR})
FORMAT_LABELS = {"newsml-g2": "NewsML-G2", "newsml-1": "NewsML", "ninjs": "ninjs", "rss": "RSS"}


class WireActionError(Exception):
    """A desk action cannot be done; the message is in French, for the editor."""


@dataclass(frozen=True)
class IngestOutcome:
    """What happened to one item, or to a whole file (``guid`` empty)."""

    outcome: str  # imported | updated | skipped | rejected
    identifier: str  # the guid, or the file name when the file itself failed
    reason: str
    filename: str = ""
    guid: str = ""
    record_id: int | None = None

    @property
    def file_rejected(self) -> bool:
        return self.outcome == IngestOutcomeKind.REJECTED and not self.guid

    def line(self) -> str:
        """One line, whatever the reason holds (parser messages may span lines)."""
        parts = (self.outcome, self.identifier, self.reason)
        return " ".join(" ".join(part.split()) for part in parts if part)


def max_bytes() -> int:
    return int(getattr(settings, "LEDE_WIRE_MAX_BYTES", DEFAULT_MAX_BYTES))


def _megabytes(size: int) -> str:
    return f"{size / 2**20:.1f}".replace(".", ",")


def too_large_reason(size: int) -> str:
    return (
        f"Fichier trop volumineux ({_megabytes(size)} Mo) : la limite est de "
        f"{_megabytes(max_bytes())} Mo."
    )


# --------------------------------------------------------------------------- #
# Ingest
# --------------------------------------------------------------------------- #


def wire_ingest_path(*, path: Path | str, source: WireSource | None = None) -> list[IngestOutcome]:
    """Ingest one file, or every file under a folder (recursively, in name order;
    the ``processed/`` and ``rejected/`` sub-folders of a drop folder are left out)."""
    path = Path(path)
    if path.is_dir():
        outcomes: list[IngestOutcome] = []
        for file_path in iter_wire_files(path, exclude=DROP_FOLDER_ARCHIVES):
            outcomes.extend(wire_ingest_path(path=file_path, source=source))
        return outcomes
    label = str(path)
    try:
        size = path.stat().st_size
        if size > max_bytes():
            return [log_rejected_file(label=label, reason=too_large_reason(size), source=source)]
        with path.open("rb") as handle:
            data = handle.read(max_bytes() + 1)
    except OSError as exc:
        return [
            log_rejected_file(
                label=label, reason=f"Lecture impossible : {exc.strerror or exc}.", source=source
            )
        ]
    return _ingest(data=data, filename=path.name, label=label, source=source, base_dir=path.parent)


def wire_ingest_bytes(
    *,
    data: bytes,
    filename: str,
    source: WireSource | None = None,
    base_dir: Path | None = None,
) -> list[IngestOutcome]:
    """Ingest the content of one wire file (an upload, an HTTP response…).

    ``base_dir`` is where relative photo links are looked for (none by default).
    """
    return _ingest(data=data, filename=filename, label=filename, source=source, base_dir=base_dir)


def iter_wire_files(folder: Path, *, exclude: frozenset[str] = frozenset()) -> Iterator[Path]:
    """Files of a folder tree that may be wires: hidden files, pictures and partial
    uploads are left out, as are sub-folders named in ``exclude``."""
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in exclude)
        for name in sorted(files):
            candidate = Path(root) / name
            if is_wire_candidate(candidate):
                yield candidate


def is_wire_candidate(path: Path) -> bool:
    name = path.name
    return not (
        name.startswith((".", "~"))
        or name.endswith("~")
        or path.suffix.lower() in NON_WIRE_SUFFIXES
    )


def _ingest(
    *,
    data: bytes,
    filename: str,
    label: str,
    source: WireSource | None,
    base_dir: Path | None,
) -> list[IngestOutcome]:
    if len(data) > max_bytes():
        return [log_rejected_file(label=label, reason=too_large_reason(len(data)), source=source)]
    try:
        result = parse_bytes(data, filename=filename)
    except ParseError as exc:
        return [log_rejected_file(label=label, reason=str(exc), source=source)]
    except Exception as exc:
        logger.exception("wire parser failed on %s", label)
        reason = f"Erreur inattendue à la lecture ({exc.__class__.__name__})."
        return [log_rejected_file(label=label, reason=reason, source=source)]
    return _store_result(result, filename=filename, label=label, source=source, base_dir=base_dir)


def _store_result(
    result: ParseResult,
    *,
    filename: str,
    label: str,
    source: WireSource | None,
    base_dir: Path | None,
) -> list[IngestOutcome]:
    outcomes: list[IngestOutcome] = []
    if result.skipped:
        entries = [
            IngestLogEntry(
                source=source,
                filename=filename[:500],
                guid=identifier[:MAX_GUID_LENGTH],
                outcome=IngestOutcomeKind.SKIPPED,
                reason=reason,
            )
            for identifier, reason in result.skipped
        ]
        IngestLogEntry.objects.bulk_create(entries)
        outcomes.extend(
            IngestOutcome(
                outcome=IngestOutcomeKind.SKIPPED,
                identifier=identifier or label,
                reason=reason,
                filename=filename,
                guid=identifier,
            )
            for identifier, reason in result.skipped
        )
    for item in result.items:
        outcomes.append(_store_item(item, filename=filename, source=source, base_dir=base_dir))
    if not outcomes:
        reason = "Aucune dépêche dans le fichier."
        log_ingest(
            source=source, filename=filename, outcome=IngestOutcomeKind.SKIPPED, reason=reason
        )
        outcomes.append(
            IngestOutcome(
                outcome=IngestOutcomeKind.SKIPPED,
                identifier=label,
                reason=reason,
                filename=filename,
            )
        )
    return outcomes


def log_rejected_file(*, label: str, reason: str, source: WireSource | None) -> IngestOutcome:
    """Log a file refused as a whole (unreadable, too large, not a wire)."""
    filename = Path(label).name or label
    log_ingest(source=source, filename=filename, outcome=IngestOutcomeKind.REJECTED, reason=reason)
    return IngestOutcome(
        outcome=IngestOutcomeKind.REJECTED, identifier=label, reason=reason, filename=filename
    )


def log_ingest(
    *,
    source: WireSource | None,
    filename: str,
    outcome: str,
    reason: str,
    guid: str = "",
    version: int | None = None,
    record: WireItemRecord | None = None,
) -> IngestLogEntry:
    record_wire_item(provider=source.provider if source else "", outcome=outcome)
    return IngestLogEntry.objects.create(
        source=source,
        filename=filename[:500],
        guid=guid[:MAX_GUID_LENGTH],
        version=version,
        outcome=outcome,
        reason=reason,
        record=record,
    )


def _store_item(
    item: WireItem, *, filename: str, source: WireSource | None, base_dir: Path | None
) -> IngestOutcome:
    guid = item.guid.strip()
    problem = ""
    if not guid:
        problem = "Dépêche sans identifiant (guid) : refusée."
    elif len(guid) > MAX_GUID_LENGTH:
        problem = f"Identifiant trop long ({len(guid)} caractères) : refusée."
    elif not 0 <= item.version <= MAX_VERSION:
        problem = f"Numéro de version invalide ({item.version}) : refusée."
    if problem:
        log_ingest(
            source=source,
            filename=filename,
            outcome=IngestOutcomeKind.REJECTED,
            reason=problem,
            guid=guid,
        )
        return IngestOutcome(
            outcome=IngestOutcomeKind.REJECTED,
            identifier=guid or filename,
            reason=problem,
            filename=filename,
            guid=guid,
        )
    photos = [photo_to_dict(photo, base_dir=base_dir) for photo in item.photos]
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                return _store_item_locked(
                    item, guid=guid, photos=photos, filename=filename, source=source
                )
        except IntegrityError:
            # Another worker stored the same guid between our read and our insert:
            # the second attempt sees its row and compares versions.
            if attempt == 2:
                logger.exception("wire item %s could not be stored", guid)
        except Exception:
            logger.exception("wire item %s could not be stored", guid)
            break
    reason = "Erreur d'enregistrement : dépêche non importée (voir les journaux du serveur)."
    log_ingest(
        source=source,
        filename=filename,
        outcome=IngestOutcomeKind.REJECTED,
        reason=reason,
        guid=guid,
        version=item.version,
    )
    return IngestOutcome(
        outcome=IngestOutcomeKind.REJECTED,
        identifier=guid,
        reason=reason,
        filename=filename,
        guid=guid,
    )


def _store_item_locked(
    item: WireItem,
    *,
    guid: str,
    photos: list[dict[str, Any]],
    filename: str,
    source: WireSource | None,
) -> IngestOutcome:
    now = timezone.now()
    try:
        record: WireItemRecord | None = WireItemRecord.objects.select_for_update().get(guid=guid)
    except WireItemRecord.DoesNotExist:
        record = None
    notes: list[str] = []
    if record is None:
        record = WireItemRecord(guid=guid, source=source, received_at=now)
        _apply_item(record, item, photos=photos, filename=filename, source=source)
        if record.pub_status != PubStatus.USABLE:
            record.status = ItemStatus.KILLED
            record.kill_note = _kill_reason(record.pub_status)
            notes.append(record.kill_note)
        record.save()
        outcome = IngestOutcomeKind.IMPORTED
        notes.insert(0, _version_label(record))
    elif item.version <= record.version:
        reason = (
            f"Version déjà reçue (version {item.version} ; le desk a la version {record.version})."
        )
        log_ingest(
            source=source,
            filename=filename,
            outcome=IngestOutcomeKind.SKIPPED,
            reason=reason,
            guid=guid,
            version=item.version,
            record=record,
        )
        return IngestOutcome(
            outcome=IngestOutcomeKind.SKIPPED,
            identifier=guid,
            reason=reason,
            filename=filename,
            guid=guid,
            record_id=record.pk,
        )
    else:
        previous_version = record.version
        previous_pub_status = record.pub_status
        _apply_item(record, item, photos=photos, filename=filename, source=source or record.source)
        if source is not None:
            record.source = source
        record.previous_versions += 1
        record.updated_at = now
        notes.append(f"{_version_label(record)} remplace la version {previous_version}")
        if record.pub_status != PubStatus.USABLE:
            if record.status != ItemStatus.KILLED:
                notes.extend(_kill_uses(record, reason=_kill_reason(record.pub_status)))
            else:
                record.kill_note = _kill_reason(record.pub_status)
        elif record.status == ItemStatus.KILLED:
            if previous_pub_status == PubStatus.WITHHELD:
                record.status = ItemStatus.NEW
                record.kill_note = ""
                notes.append("de nouveau utilisable : remise au desk")
            else:
                notes.append("reste retirée (annulée par l'agence)")
        elif record.status in (ItemStatus.PUBLISHED_DISPATCH, ItemStatus.ARTICLE_CREATED):
            record.updated_after_use = True
            notes.append("déjà utilisée : à vérifier")
        record.save()
        outcome = IngestOutcomeKind.UPDATED
    auto = _maybe_auto_publish(record, source)
    if auto:
        notes.append(auto)
    reason = " ; ".join(notes)
    log_ingest(
        source=source,
        filename=filename,
        outcome=outcome,
        reason=reason,
        guid=guid,
        version=record.version,
        record=record,
    )
    return IngestOutcome(
        outcome=outcome,
        identifier=guid,
        reason=reason,
        filename=filename,
        guid=guid,
        record_id=record.pk,
    )


def _version_label(record: WireItemRecord) -> str:
    label = FORMAT_LABELS.get(record.format, record.format)
    return f"{label} version {record.version}"


def _kill_reason(pub_status: str) -> str:
    if pub_status == PubStatus.CANCELED:
        return "Annulée par l'agence (pubStatus canceled)."
    return "Suspendue par l'agence (pubStatus withheld)."


def _cut(value: str, length: int) -> str:
    value = value or ""
    return value if len(value) <= length else value[: length - 1] + "…"


def _apply_item(
    record: WireItemRecord,
    item: WireItem,
    *,
    photos: list[dict[str, Any]],
    filename: str,
    source: WireSource | None,
) -> None:
    record.version = item.version
    record.format = item.format
    record.item_class = _cut(item.item_class or "text", 20)
    record.headline = item.headline
    record.standfirst = item.subheadline
    record.body_html = sanitize_html(item.body_html)
    record.byline = item.byline
    record.dateline = _cut(item.dateline, 255)
    record.located = _cut(item.located, 255)
    record.slugline = _cut(item.slugline, 255)
    record.language = _cut(item.language, 20)
    record.language_tag = _cut(item.language_tag, 35)
    record.subjects = [{"code": s.code, "name": s.name, "kind": s.kind} for s in item.subjects]
    record.subjects_text = " | ".join(
        " ".join(part for part in (s.code, s.name) if part) for s in item.subjects
    )
    record.keywords = list(item.keywords)
    record.urgency = item.urgency if item.urgency is not None and 0 <= item.urgency <= 9 else None
    record.copyright = item.copyright
    record.credit = _cut(item.credit or (source.default_credit if source else ""), 255)
    record.provider = _cut(item.provider or (source.provider if source else ""), 255)
    record.pub_status = item.pub_status
    record.embargo_until = item.embargo
    record.first_created = item.first_created
    record.version_created = item.version_created
    record.ednote = item.ednote
    record.photos = photos
    record.associations = list(item.associations)
    record.raw_filename = _cut(filename, 255)


# --------------------------------------------------------------------------- #
# Killing: canceled or withheld by the agency
# --------------------------------------------------------------------------- #


def _livefeed_service(name: str) -> Callable[..., Any] | None:
    """A function of ``lede.livefeed.services``, or ``None`` while the app lacks it."""
    try:
        module = importlib.import_module("lede.livefeed.services")
    except ModuleNotFoundError as exc:
        if exc.name in {"lede.livefeed", "lede.livefeed.services"}:
            return None
        raise
    service = getattr(module, name, None)
    return service if callable(service) else None


def _kill_uses(record: WireItemRecord, *, reason: str) -> list[str]:
    """Withdraw the brève and unpublish the article made from the item (inside the
    caller's transaction); returns what was done, for the log."""
    notes = ["retirée du desk"]
    record.status = ItemStatus.KILLED
    record.kill_note = reason
    dispatch = record.get_dispatch()
    if dispatch is not None:
        withdraw = _livefeed_service("dispatch_withdraw")
        if withdraw is None:
            notes.append("brève NON retirée : service du fil indisponible, à retirer à la main")
        else:
            try:
                withdraw(dispatch=dispatch, note=f"Dépêche retirée par l'agence. {reason}")
            except ValidationError as exc:  # already withdrawn by an editor
                notes.append("brève : " + " ".join(exc.messages))
            else:
                notes.append("brève retirée du fil")
    elif record.dispatch_id is not None:
        notes.append("brève introuvable")
    if record.article_id is not None:
        from lede.editorial.models import ArticlePage

        article = ArticlePage.objects.filter(pk=record.article_id).first()
        if article is not None and article.live:
            article.unpublish(log_action=True)
            notes.append("article dépublié")
        elif article is not None:
            notes.append("brouillon d'article à ne pas publier")
    return notes


# --------------------------------------------------------------------------- #
# Desk actions
# --------------------------------------------------------------------------- #


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


def _dispatch_limits() -> tuple[int, int]:
    """The live feed's headline and body lengths (its defaults if it has none)."""
    try:
        livefeed_models = importlib.import_module("lede.livefeed.models")
    except ImportError:
        return 200, 2000
    return (
        int(getattr(livefeed_models, "HEADLINE_MAX", 200)),
        int(getattr(livefeed_models, "BODY_MAX_CHARS", 2000)),
    )


def _cut_words(value: str, length: int) -> str:
    """Cut at a word boundary, with an ellipsis, when longer than ``length``."""
    value = " ".join(value.split())
    if len(value) <= length:
        return value
    cut = value[: length - 1].rsplit(" ", 1)[0] or value[: length - 1]
    return cut.rstrip(" ,;:") + "…"


def effective_credit(record: WireItemRecord) -> str:
    source = record.source
    return record.credit or (source.default_credit if source else "") or record.provider


def wire_publish_dispatch(
    *, record: WireItemRecord, user: Any = None, now: datetime | None = None
) -> Any:
    """ "Publier en brève": one click to the live feed, with the agency's credit."""
    from .conversion import dispatch_body
    from .photos import image_from_photo, pick_photo

    with transaction.atomic():
        record = _lock(record)
        _check_usable(record, now=now)
        publish = _livefeed_service("dispatch_publish")
        if publish is None:
            raise WireActionError("Le fil Newsroom n'est pas encore disponible sur ce site.")
        previous = record.get_dispatch()
        if previous is not None and not getattr(previous, "is_withdrawn", False):
            raise WireActionError("Cette dépêche est déjà publiée en brève.")
        if not record.headline.strip():
            raise WireActionError("Dépêche sans titre : impossible d'en faire une brève.")
        headline_max, body_max = _dispatch_limits()
        body = dispatch_body(
            body_html=record.body_html,
            standfirst=record.standfirst,
            max_chars=body_max * 95 // 100,  # the feed counts &amp; as five characters
        )
        if not body:
            raise WireActionError("Dépêche sans texte : impossible d'en faire une brève.")
        photo = None
        chosen = pick_photo(list(record.photos or []))
        if chosen is not None:
            photo = image_from_photo(chosen, title=record.headline, user=user)
        article = record.article if record.article is not None and record.article.live else None
        section = record.source.default_section if record.source else None
        # A re-publication (after a "withheld" that was lifted) needs a guid of its own:
        # the live feed keeps one dispatch per agency identifier.
        guid = record.guid if record.dispatch_id is None else f"{record.guid}#v{record.version}"
        try:
            dispatch = publish(
                headline=_cut_words(record.headline, headline_max),
                body=body,
                section=section,
                credit=_cut(effective_credit(record), 120),
                photo=photo,
                article=article,
                access_level="public",
                user=user if getattr(user, "is_authenticated", False) else None,
                source_guid=guid if len(guid) <= DISPATCH_GUID_MAX else None,
            )
        except ValidationError as exc:
            raise WireActionError("Brève refusée par le fil : " + " ".join(exc.messages)) from exc
        record.dispatch_id = getattr(dispatch, "pk", None)
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
) -> tuple[Any, list[str]]:
    """ "Créer un article": a draft pre-filled from the wire; returns it with notes
    for the editor (a picture that could not be imported, for instance)."""
    from django.utils.text import slugify
    from wagtail.coreutils import find_available_slug

    from lede.editorial.models import ArticlePage

    from .conversion import body_to_stream
    from .photos import image_from_photo, pick_photo

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
        title = _cut(record.headline or record.slugline or "Dépêche sans titre", 255)
        article = ArticlePage(
            title=title,
            slug=find_available_slug(section, slugify(title)[:80] or "depeche"),
            standfirst=_cut(record.standfirst, 1200),
            agency_credit=_cut(effective_credit(record), 120),
            copyright_line=_cut(record.copyright, 255),
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


# --------------------------------------------------------------------------- #
# Automatic publication of urgent items
# --------------------------------------------------------------------------- #


def _auto_publishable(record: WireItemRecord, source: WireSource | None) -> bool:
    return bool(
        source is not None
        and source.auto_publish_urgent
        and record.status == ItemStatus.NEW
        and record.pub_status == PubStatus.USABLE
        and record.dispatch_id is None
        and record.urgency is not None
        and record.urgency <= source.urgency_threshold
        and record.item_class == "text"
        and record.headline.strip()
    )


def _maybe_auto_publish(record: WireItemRecord, source: WireSource | None) -> str:
    """Inside the item's transaction, in a savepoint of its own: a failure to
    publish leaves the item on the desk and says why."""
    if not _auto_publishable(record, source):
        return ""
    if record.is_embargoed():
        return "urgente : publication automatique à la levée de l'embargo"
    try:
        with transaction.atomic():
            wire_publish_dispatch(record=record)
    except WireActionError as exc:
        return f"publication automatique impossible : {exc}"
    except Exception as exc:
        logger.exception("automatic publication of %s failed", record.guid)
        return f"publication automatique impossible ({exc.__class__.__name__})"
    record.refresh_from_db()
    return "publiée automatiquement en brève"


def wire_auto_publish_due(*, now: datetime | None = None) -> list[str]:
    """Urgent items whose embargo has lifted since they arrived (run by the poller)."""
    now = now or timezone.now()
    horizon = now - timedelta(hours=24)
    candidates = (
        WireItemRecord.objects.select_related("source")
        .filter(
            status=ItemStatus.NEW,
            pub_status=PubStatus.USABLE,
            dispatch_id__isnull=True,
            source__auto_publish_urgent=True,
            urgency__isnull=False,
            urgency__lte=F("source__urgency_threshold"),
            embargo_until__isnull=False,
            embargo_until__lte=now,
            embargo_until__gte=horizon,
        )
        .filter(Q(item_class="text"))
    )
    published: list[str] = []
    for record in candidates[:100]:
        if not _auto_publishable(record, record.source):
            continue
        try:
            wire_publish_dispatch(record=record, now=now)
        except WireActionError as exc:
            logger.info("auto-publication of %s refused: %s", record.guid, exc)
            continue
        except Exception:
            logger.exception("automatic publication of %s failed", record.guid)
            continue
        published.append(record.guid)
    return published
