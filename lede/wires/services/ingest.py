"""Ingest: parse agency files, then store their news items in batches.

A batch is one transaction holding up to :data:`BATCH_ITEMS` items (from one
file or from many): the records already on the desk are read and locked in one
query, each item is stored in a savepoint of its own, and the log lines of the
whole batch are written in one statement before the commit. An item is either
fully stored with its log line or not at all: a failing item rolls back to its
savepoint, is logged as refused, and never blocks the others. If the batch
itself cannot commit (the log insert fails, the connection drops), its items
are stored again one transaction each, as before batching.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import DatabaseError, IntegrityError, transaction

from ..models import IngestLogEntry, IngestOutcomeKind, WireItemRecord, WireSource
from ..parsers import ParseError, ParseResult, WireItem, parse_bytes
from ..photos import photo_to_dict
from . import autopublish
from .folders import DROP_FOLDER_ARCHIVES, iter_wire_files
from .log import (
    MAX_GUID_LENGTH,
    IngestOutcome,
    ingest_log_entry,
    log_entries_counted,
    log_entries_save,
    max_bytes,
    too_large_reason,
)
from .versions import (
    StoredVersion,
    item_version_new,
    item_version_skip,
    item_version_store,
    item_versions_insert,
)

logger = logging.getLogger(__name__)

MAX_VERSION = 2_147_483_647
# Items per transaction: enough to spread a commit (an fsync on PostgreSQL) over
# many items, few enough that a batch holds its row locks briefly.
BATCH_ITEMS = 100
STORE_FAILED = "Erreur d'enregistrement : dépêche non importée (voir les journaux du serveur)."


def wire_ingest_path(*, path: Path | str, source: WireSource | None = None) -> list[IngestOutcome]:
    """Ingest one file, or every file under a folder (recursively, in name order;
    the ``processed/`` and ``rejected/`` sub-folders of a drop folder are left out)."""
    path = Path(path)
    paths = list(iter_wire_files(path, exclude=DROP_FOLDER_ARCHIVES)) if path.is_dir() else [path]
    per_file = wire_ingest_files(paths=paths, source=source)
    return [outcome for outcomes in per_file for outcome in outcomes]


def wire_ingest_files(
    *, paths: Sequence[Path], source: WireSource | None = None
) -> list[list[IngestOutcome]]:
    """Ingest files in order, their items in shared batches; returns each file's
    outcomes (the poller moves each file by its own)."""
    batch = _Batch(source=source)
    per_file: list[list[IngestOutcome]] = []
    for path in paths:
        outcomes: list[IngestOutcome] = []
        per_file.append(outcomes)
        _read_into(batch, Path(path), outcomes)
    batch.flush()
    return per_file


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
    batch = _Batch(source=source)
    outcomes: list[IngestOutcome] = []
    batch.add_file(data=data, filename=filename, label=filename, base_dir=base_dir, into=outcomes)
    batch.flush()
    return outcomes


def _read_into(batch: _Batch, path: Path, outcomes: list[IngestOutcome]) -> None:
    label = str(path)
    try:
        size = path.stat().st_size
        if size > max_bytes():
            batch.reject_file(label=label, reason=too_large_reason(size), into=outcomes)
            return
        with path.open("rb") as handle:
            data = handle.read(max_bytes() + 1)
    except OSError as exc:
        reason = f"Lecture impossible : {exc.strerror or exc}."
        batch.reject_file(label=label, reason=reason, into=outcomes)
        return
    batch.add_file(data=data, filename=path.name, label=label, base_dir=path.parent, into=outcomes)


@dataclass
class _Pending:
    """An item waiting for its batch, and the list its outcome goes to."""

    item: WireItem
    guid: str
    photos: list[dict[str, Any]]
    filename: str
    into: list[IngestOutcome]


@dataclass
class _Batch:
    source: WireSource | None
    size: int = BATCH_ITEMS
    pending: list[_Pending] = field(default_factory=list)
    # Lines about files and skipped fragments, saved with the batch's items.
    lines: list[tuple[IngestLogEntry, IngestOutcome, list[IngestOutcome]]] = field(
        default_factory=list
    )

    # -- filling -----------------------------------------------------------------
    def add_file(
        self,
        *,
        data: bytes,
        filename: str,
        label: str,
        base_dir: Path | None,
        into: list[IngestOutcome],
    ) -> None:
        if len(data) > max_bytes():
            self.reject_file(label=label, reason=too_large_reason(len(data)), into=into)
            return
        try:
            result = parse_bytes(data, filename=filename)
        except ParseError as exc:
            self.reject_file(label=label, reason=str(exc), into=into)
            return
        except Exception as exc:
            logger.exception("wire parser failed on %s", label)
            reason = f"Erreur inattendue à la lecture ({exc.__class__.__name__})."
            self.reject_file(label=label, reason=reason, into=into)
            return
        self._add_result(result, filename=filename, label=label, base_dir=base_dir, into=into)

    def reject_file(self, *, label: str, reason: str, into: list[IngestOutcome]) -> None:
        """A file refused as a whole (unreadable, too large, not a wire)."""
        filename = Path(label).name or label
        outcome = IngestOutcome(
            outcome=IngestOutcomeKind.REJECTED, identifier=label, reason=reason, filename=filename
        )
        self._line(outcome, into=into)

    def _add_result(
        self,
        result: ParseResult,
        *,
        filename: str,
        label: str,
        base_dir: Path | None,
        into: list[IngestOutcome],
    ) -> None:
        for identifier, reason in result.skipped:
            skipped = IngestOutcome(
                outcome=IngestOutcomeKind.SKIPPED,
                identifier=identifier or label,
                reason=reason,
                filename=filename,
                guid=identifier,
            )
            self._line(skipped, into=into)
        if not result.items and not result.skipped:
            empty = IngestOutcome(
                outcome=IngestOutcomeKind.SKIPPED,
                identifier=label,
                reason="Aucune dépêche dans le fichier.",
                filename=filename,
            )
            self._line(empty, into=into)
        for item in result.items:
            self._add_item(item, filename=filename, base_dir=base_dir, into=into)

    def _add_item(
        self, item: WireItem, *, filename: str, base_dir: Path | None, into: list[IngestOutcome]
    ) -> None:
        guid = item.guid.strip()
        problem = ""
        if not guid:
            problem = "Dépêche sans identifiant (guid) : refusée."
        elif len(guid) > MAX_GUID_LENGTH:
            problem = f"Identifiant trop long ({len(guid)} caractères) : refusée."
        elif not 0 <= item.version <= MAX_VERSION:
            problem = f"Numéro de version invalide ({item.version}) : refusée."
        if problem:
            rejected = IngestOutcome(
                outcome=IngestOutcomeKind.REJECTED,
                identifier=guid or filename,
                reason=problem,
                filename=filename,
                guid=guid,
            )
            self._line(rejected, into=into)
            return
        photos = [photo_to_dict(photo, base_dir=base_dir) for photo in item.photos]
        self.pending.append(
            _Pending(item=item, guid=guid, photos=photos, filename=filename, into=into)
        )
        if len(self.pending) >= self.size:
            self.flush()

    def _line(self, outcome: IngestOutcome, *, into: list[IngestOutcome]) -> None:
        entry = ingest_log_entry(
            source=self.source,
            filename=outcome.filename,
            outcome=outcome.outcome,
            reason=outcome.reason,
            guid=outcome.guid,
        )
        self.lines.append((entry, outcome, into))

    # -- storing -----------------------------------------------------------------
    def flush(self) -> None:
        pending, lines = self.pending, self.lines
        self.pending, self.lines = [], []
        if not pending and not lines:
            return
        try:
            with transaction.atomic():
                stored = _store_together(pending, source=self.source)
                entries = [entry for entry, _, _ in lines] + [s.entry for s in stored]
                log_entries_save(entries)
        except Exception:
            logger.exception("wire batch of %d items failed: storing them one by one", len(pending))
            entries = [entry for entry, _, _ in lines]
            for entry in entries:
                entry.pk = None
            log_entries_save(entries)
            stored = [_store_alone(p, source=self.source) for p in pending]
            entries += [s.entry for s in stored]
        log_entries_counted(entries)
        for _, outcome, into in lines:
            into.append(outcome)
        for waiting, result in zip(pending, stored, strict=True):
            waiting.into.append(result.outcome)


def _store_together(pending: list[_Pending], *, source: WireSource | None) -> list[StoredVersion]:
    """Inside the batch's transaction: one read for the records on the desk; the
    items the desk has never seen inserted together; the rest one savepoint each."""
    known: dict[str, WireItemRecord | None] = dict.fromkeys({p.guid for p in pending})
    known.update(_locked_records(known))
    results: dict[int, StoredVersion] = _insert_new(pending, known=known, source=source)
    for index, waiting in enumerate(pending):
        if index in results:
            continue
        record = known.get(waiting.guid)
        skipped = None
        if record is not None:
            skipped = item_version_skip(
                item=waiting.item, filename=waiting.filename, source=source, record=record
            )
        results[index] = skipped or _store_in_savepoint(waiting, known=known, source=source)
    return [results[index] for index in range(len(pending))]


def _insert_new(
    pending: list[_Pending], *, known: dict[str, WireItemRecord | None], source: WireSource | None
) -> dict[int, StoredVersion]:
    """The first version of each guid the desk has never seen, inserted in one
    statement in one savepoint: all of them, or none (then each goes through its
    own savepoint). Not for a source that publishes by itself: an automatic
    publication is an effect of its own, taken per item."""
    if autopublish.source_auto_publishes(source):
        return {}
    new: dict[int, tuple[WireItemRecord, list[str], str]] = {}
    seen: set[str] = set()
    for index, waiting in enumerate(pending):
        if waiting.guid in seen or known.get(waiting.guid) is not None:
            continue
        seen.add(waiting.guid)
        try:
            record, notes = item_version_new(
                item=waiting.item,
                guid=waiting.guid,
                photos=waiting.photos,
                filename=waiting.filename,
                source=source,
            )
            new[index] = (record, notes, waiting.filename)
        except Exception:
            logger.exception("wire item %s could not be prepared", waiting.guid)
    if not new:
        return {}
    try:
        with transaction.atomic():
            stored = item_versions_insert(new=list(new.values()), source=source)
    except DatabaseError:
        # A guid stored by another worker since our read, or a row the database
        # refuses: the savepoint is rolled back, each item is tried on its own.
        logger.warning("wire batch insert failed: storing its %d new items one by one", len(new))
        for record, _, _ in new.values():
            known.pop(record.guid, None)
        return {}
    for result in stored:
        known[result.outcome.guid] = result.record
    return dict(zip(new, stored, strict=True))


def _store_in_savepoint(
    waiting: _Pending, *, known: dict[str, WireItemRecord | None], source: WireSource | None
) -> StoredVersion:
    guid = waiting.guid
    for attempt in (1, 2):
        is_known = guid in known
        try:
            with transaction.atomic():
                stored = _store(waiting, source=source, known=is_known, record=known.get(guid))
        except IntegrityError:
            # Another worker stored the same guid between our read and our
            # insert: the second attempt reads its row and compares versions.
            known.pop(guid, None)
            if attempt == 2:
                logger.exception("wire item %s could not be stored", guid)
            continue
        except Exception:
            logger.exception("wire item %s could not be stored", guid)
            known.pop(guid, None)  # the object may hold rolled-back changes
            break
        if stored.record is not None:
            known[guid] = stored.record
        return stored
    return _refused(waiting, source=source)


def _locked_records(guids: Iterable[str]) -> dict[str, WireItemRecord | None]:
    queryset = WireItemRecord.objects.select_for_update().filter(guid__in=list(guids))
    return {record.guid: record for record in queryset}


def _store_alone(waiting: _Pending, *, source: WireSource | None) -> StoredVersion:
    """One transaction for one item (the fallback when its batch failed)."""
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                stored = _store(waiting, source=source, known=False, record=None)
                log_entries_save([stored.entry])
                return stored
        except IntegrityError:
            if attempt == 2:
                logger.exception("wire item %s could not be stored", waiting.guid)
        except Exception:
            logger.exception("wire item %s could not be stored", waiting.guid)
            break
    refused = _refused(waiting, source=source)
    log_entries_save([refused.entry])
    return refused


def _store(
    waiting: _Pending, *, source: WireSource | None, known: bool, record: WireItemRecord | None
) -> StoredVersion:
    return item_version_store(
        item=waiting.item,
        guid=waiting.guid,
        photos=waiting.photos,
        filename=waiting.filename,
        source=source,
        known=known,
        record=record,
    )


def _refused(waiting: _Pending, *, source: WireSource | None) -> StoredVersion:
    entry = ingest_log_entry(
        source=source,
        filename=waiting.filename,
        outcome=IngestOutcomeKind.REJECTED,
        reason=STORE_FAILED,
        guid=waiting.guid,
        version=waiting.item.version,
    )
    outcome = IngestOutcome(
        outcome=IngestOutcomeKind.REJECTED,
        identifier=waiting.guid,
        reason=STORE_FAILED,
        filename=waiting.filename,
        guid=waiting.guid,
    )
    return StoredVersion(outcome=outcome, entry=entry, record=None)
