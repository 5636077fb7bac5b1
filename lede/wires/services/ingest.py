"""Ingest: parse an agency file, then store each news item in its own transaction
together with its log line. An item is either fully stored or not at all, and a
bad item never blocks the others."""

from __future__ import annotations

import logging
from pathlib import Path

from django.db import IntegrityError, transaction

from ..models import IngestLogEntry, IngestOutcomeKind, WireSource
from ..parsers import ParseError, ParseResult, WireItem, parse_bytes
from ..photos import photo_to_dict
from .folders import DROP_FOLDER_ARCHIVES, iter_wire_files
from .log import (
    MAX_GUID_LENGTH,
    IngestOutcome,
    log_ingest,
    log_rejected_file,
    max_bytes,
    too_large_reason,
)
from .versions import item_version_store

logger = logging.getLogger(__name__)

MAX_VERSION = 2_147_483_647


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
                return item_version_store(
                    item=item, guid=guid, photos=photos, filename=filename, source=source
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
