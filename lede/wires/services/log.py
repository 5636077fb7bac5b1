"""The ingest log: one line per item or refused file, and the outcome returned
to the caller (command, upload view, poller)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from lede.core.observability.metrics import record_wire_item

from ..models import IngestLogEntry, IngestOutcomeKind, WireItemRecord, WireSource

MAX_GUID_LENGTH = 1000


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
    return int(settings.LEDE_WIRE_MAX_BYTES)


def _megabytes(size: int) -> str:
    return f"{size / 2**20:.1f}".replace(".", ",")


def too_large_reason(size: int) -> str:
    return (
        f"Fichier trop volumineux ({_megabytes(size)} Mo) : la limite est de "
        f"{_megabytes(max_bytes())} Mo."
    )


def log_rejected_file(*, label: str, reason: str, source: WireSource | None) -> IngestOutcome:
    """Log a file refused as a whole (unreadable, too large, not a wire)."""
    filename = Path(label).name or label
    log_ingest(source=source, filename=filename, outcome=IngestOutcomeKind.REJECTED, reason=reason)
    return IngestOutcome(
        outcome=IngestOutcomeKind.REJECTED, identifier=label, reason=reason, filename=filename
    )


def ingest_log_entry(
    *,
    source: WireSource | None,
    filename: str,
    outcome: str,
    reason: str,
    guid: str = "",
    version: int | None = None,
    record: WireItemRecord | None = None,
) -> IngestLogEntry:
    """A log line not saved yet: the batch saves its lines together
    (:func:`log_entries_save`), in the transaction of the items they describe."""
    return IngestLogEntry(
        source=source,
        filename=filename[:500],
        guid=guid[:MAX_GUID_LENGTH],
        version=version,
        outcome=outcome,
        reason=reason,
        record=record,
    )


def log_entries_save(entries: list[IngestLogEntry]) -> None:
    """Save log lines in one statement (inside the caller's transaction)."""
    if entries:
        IngestLogEntry.objects.bulk_create(entries)


def log_entries_counted(entries: list[IngestLogEntry]) -> None:
    """Count saved lines in the metrics (once their transaction has committed)."""
    for entry in entries:
        provider = entry.source.provider if entry.source else ""
        record_wire_item(provider=provider, outcome=entry.outcome)


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
    entry = ingest_log_entry(
        source=source,
        filename=filename,
        outcome=outcome,
        reason=reason,
        guid=guid,
        version=version,
        record=record,
    )
    entry.save()
    return entry
