"""A version of an agency item arrives: stored, replacing the one the desk has,
or skipped.

The same ``guid`` with a higher version replaces the record in place; an equal
or lower version is skipped; ``canceled`` or ``withheld`` kills the item
everywhere the desk used it (:mod:`.kills`). Runs inside the item's transaction
or savepoint (:mod:`.ingest`), with the record locked. The log line is returned,
not saved: the caller saves it in the same transaction (a batch saves its lines
together).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from .. import rights
from ..models import (
    IngestLogEntry,
    IngestOutcomeKind,
    ItemStatus,
    PubStatus,
    WireItemRecord,
    WireSource,
)
from ..parsers import WireItem
from ..parsers.markup import sanitize_html
from . import autopublish
from .kills import kill_reason, wire_kill
from .log import IngestOutcome, ingest_log_entry
from .text import cut

FORMAT_LABELS = {"newsml-g2": "NewsML-G2", "newsml-1": "NewsML", "ninjs": "ninjs", "rss": "RSS"}


@dataclass(frozen=True)
class StoredVersion:
    """What :func:`item_version_store` did: the outcome, its log line (unsaved) and
    the record as it now stands."""

    outcome: IngestOutcome
    entry: IngestLogEntry
    record: WireItemRecord | None


def item_version_new(
    *,
    item: WireItem,
    guid: str,
    photos: list[dict[str, Any]],
    filename: str,
    source: WireSource | None,
) -> tuple[WireItemRecord, list[str]]:
    """The record of an item the desk has never seen, not saved yet, and the
    notes for its log line."""
    record = WireItemRecord(guid=guid, source=source, received_at=timezone.now())
    _apply_item(record, item, photos=photos, filename=filename, source=source)
    notes = [_version_label(record)]
    if record.pub_status != PubStatus.USABLE:
        record.status = ItemStatus.KILLED
        record.kill_note = kill_reason(record.pub_status)
        notes.append(record.kill_note)
    return record, notes


def item_versions_insert(
    *, new: list[tuple[WireItemRecord, list[str], str]], source: WireSource | None
) -> list[StoredVersion]:
    """Insert new records in one statement (in the caller's transaction or
    savepoint: all of them or none). Only for a source that never publishes by
    itself (:func:`.autopublish.source_auto_publishes`): a plain new record has
    no other effect than its row and its log line."""
    WireItemRecord.objects.bulk_create([record for record, _, _ in new])
    return [
        _stored(record, IngestOutcomeKind.IMPORTED, notes, filename=filename, source=source)
        for record, notes, filename in new
    ]


def item_version_skip(
    *, item: WireItem, filename: str, source: WireSource | None, record: WireItemRecord
) -> StoredVersion | None:
    """The skip of a version the desk already has (equal or lower), or ``None``."""
    if item.version > record.version:
        return None
    reason = f"Version déjà reçue (version {item.version} ; le desk a la version {record.version})."
    entry = ingest_log_entry(
        source=source,
        filename=filename,
        outcome=IngestOutcomeKind.SKIPPED,
        reason=reason,
        guid=record.guid,
        version=item.version,
        record=record,
    )
    skipped = IngestOutcome(
        outcome=IngestOutcomeKind.SKIPPED,
        identifier=record.guid,
        reason=reason,
        filename=filename,
        guid=record.guid,
        record_id=record.pk,
    )
    return StoredVersion(outcome=skipped, entry=entry, record=record)


def item_version_store(
    *,
    item: WireItem,
    guid: str,
    photos: list[dict[str, Any]],
    filename: str,
    source: WireSource | None,
    known: bool = False,
    record: WireItemRecord | None = None,
) -> StoredVersion:
    """Store ``item`` (in the caller's transaction). ``known``: the caller has
    already read (and locked) the record of ``guid`` and passes it, or ``None``
    when there is none; otherwise it is read here."""
    now = timezone.now()
    if not known:
        record = WireItemRecord.objects.select_for_update().filter(guid=guid).first()
    notes: list[str] = []
    if record is None:
        record, notes = item_version_new(
            item=item, guid=guid, photos=photos, filename=filename, source=source
        )
        record.save()
        outcome = IngestOutcomeKind.IMPORTED
    elif skipped := item_version_skip(item=item, filename=filename, source=source, record=record):
        return skipped
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
                notes.extend(wire_kill(record=record, reason=kill_reason(record.pub_status)))
            else:
                record.kill_note = kill_reason(record.pub_status)
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
    auto = autopublish.wire_auto_publish_if_urgent(record=record, source=source)
    if auto:
        notes.append(auto)
    return _stored(record, outcome, notes, filename=filename, source=source)


def _stored(
    record: WireItemRecord,
    outcome: str,
    notes: list[str],
    *,
    filename: str,
    source: WireSource | None,
) -> StoredVersion:
    reason = " ; ".join(notes)
    entry = ingest_log_entry(
        source=source,
        filename=filename,
        outcome=outcome,
        reason=reason,
        guid=record.guid,
        version=record.version,
        record=record,
    )
    stored = IngestOutcome(
        outcome=outcome,
        identifier=record.guid,
        reason=reason,
        filename=filename,
        guid=record.guid,
        record_id=record.pk,
    )
    return StoredVersion(outcome=stored, entry=entry, record=record)


def _version_label(record: WireItemRecord) -> str:
    label = FORMAT_LABELS.get(record.format, record.format)
    return f"{label} version {record.version}"


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
    record.item_class = cut(item.item_class or "text", 20)
    record.headline = item.headline
    record.standfirst = item.subheadline
    record.body_html = sanitize_html(item.body_html)
    record.byline = item.byline
    record.dateline = cut(item.dateline, 255)
    record.located = cut(item.located, 255)
    record.slugline = cut(item.slugline, 255)
    record.language = cut(item.language, 20)
    record.language_tag = cut(item.language_tag, 35)
    record.subjects = [{"code": s.code, "name": s.name, "kind": s.kind} for s in item.subjects]
    record.subjects_text = " | ".join(
        " ".join(part for part in (s.code, s.name) if part) for s in item.subjects
    )
    record.keywords = list(item.keywords)
    record.urgency = item.urgency if item.urgency is not None and 0 <= item.urgency <= 9 else None
    record.copyright = item.copyright
    record.credit = cut(item.credit or (source.default_credit if source else ""), 255)
    record.provider = cut(item.provider or (source.provider if source else ""), 255)
    record.pub_status = item.pub_status
    record.embargo_until = item.embargo
    rights.item_rights_apply(record, item)
    record.first_created = item.first_created
    record.version_created = item.version_created
    record.ednote = item.ednote
    record.photos = photos
    record.associations = list(item.associations)
    record.raw_filename = cut(filename, 255)
