"""Polling the sources: drop folders and HTTP(S) feeds.

``wire_sources_poll`` is run by the periodic task. Each due source is claimed
with a conditional update (two workers never poll the same source at once),
polled, and its state updated: a success schedules the next poll after the
source's interval; a failure (timeout, HTTP 5xx, unreachable folder…) is logged
and retried with exponential back-off. One failing source never stops the others.

Folders: every wire file at the top of the folder is ingested, then moved to
``processed/`` or, when the file itself was refused, to ``rejected/``. Files
modified in the last few seconds are left for the next poll (an FTP upload in
progress). Pictures stay beside the stories for a day (stories refer to them),
then go to ``processed/`` too.

HTTP: conditional requests (``If-None-Match``/``If-Modified-Since``) so an
unchanged feed costs a ``304``; a size cap, a per-read timeout and an overall
deadline.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from .models import IngestOutcomeKind, SourceKind, WireSource
from .services.autopublish import wire_auto_publish_due
from .services.folders import PROCESSED_DIR, REJECTED_DIR, is_wire_candidate
from .services.ingest import wire_ingest_bytes, wire_ingest_files
from .services.log import IngestOutcome, log_ingest, max_bytes, too_large_reason

logger = logging.getLogger(__name__)

USER_AGENT = "Lede-wire-poller/1.0"
# How long a poll may hold a source before another worker may take it over.
CLAIM_LEASE = timedelta(minutes=10)
IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".gif", ".webp", ".tif", ".tiff"})


@dataclass
class PollReport:
    source_id: int
    source_name: str
    ok: bool
    message: str
    outcomes: list[IngestOutcome] = field(default_factory=list)

    def line(self) -> str:
        state = "ok" if self.ok else "échec"
        return f"{self.source_name}: {state} — {self.message}"


def backoff_delay(*, failures: int, interval: int) -> timedelta:
    """Twice the interval after one failure, then four times…, at most an hour
    (or the interval itself when it is longer)."""
    cap = max(int(settings.LEDE_WIRE_BACKOFF_MAX), interval)
    exponent = min(max(failures, 1), 20)
    return timedelta(seconds=min(interval * 2**exponent, cap))


# --------------------------------------------------------------------------- #
# All sources
# --------------------------------------------------------------------------- #


def _due(now: datetime) -> Q:
    return Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)


def wire_sources_poll(*, now: datetime | None = None) -> list[PollReport]:
    """Poll every active folder and HTTP source that is due; then publish urgent
    items whose embargo has lifted."""
    now = now or timezone.now()
    reports: list[PollReport] = []
    due = WireSource.objects.filter(
        _due(now), active=True, kind__in=[SourceKind.FOLDER, SourceKind.HTTP]
    ).order_by("next_attempt_at", "pk")
    for source in list(due):
        claimed = (
            WireSource.objects.filter(_due(now), pk=source.pk).update(
                next_attempt_at=now + CLAIM_LEASE
            )
            == 1
        )
        if not claimed:
            continue
        try:
            reports.append(wire_source_poll(source=source, now=now))
        except Exception as exc:
            logger.exception("polling wire source %s failed", source.pk)
            reports.append(_failure(source, now, f"Erreur inattendue ({exc.__class__.__name__})."))
    try:
        wire_auto_publish_due(now=now)
    except Exception:
        logger.exception("automatic publication of urgent wires failed")
    return reports


def wire_source_poll(*, source: WireSource, now: datetime | None = None) -> PollReport:
    """Poll one source now, whatever its schedule."""
    now = now or timezone.now()
    if source.kind == SourceKind.FOLDER:
        return _poll_folder(source, now)
    if source.kind == SourceKind.HTTP:
        return _poll_http(source, now)
    return PollReport(source.pk, source.name, True, "source d'envoi manuel : rien à relever")


def _success(source: WireSource, now: datetime, message: str, **fields: Any) -> PollReport:
    changes: dict[str, Any] = {
        "failure_count": 0,
        "last_error": "",
        "last_polled_at": now,
        "last_success_at": now,
        "next_attempt_at": now + timedelta(seconds=max(source.poll_interval, 10)),
        **fields,
    }
    WireSource.objects.filter(pk=source.pk).update(**changes)
    for key, value in changes.items():
        setattr(source, key, value)
    return PollReport(source.pk, source.name, True, message)


def _failure(source: WireSource, now: datetime, message: str) -> PollReport:
    failures = source.failure_count + 1
    delay = backoff_delay(failures=failures, interval=max(source.poll_interval, 10))
    minutes = max(1, round(delay.total_seconds() / 60))
    reason = f"{message} Nouvel essai dans {minutes} min (échec n° {failures})."
    changes: dict[str, Any] = {
        "failure_count": failures,
        "last_error": reason,
        "last_polled_at": now,
        "next_attempt_at": now + delay,
    }
    WireSource.objects.filter(pk=source.pk).update(**changes)
    for key, value in changes.items():
        setattr(source, key, value)
    label = source.url if source.kind == SourceKind.HTTP else source.folder_path
    log_ingest(
        source=source, filename=label[:500], outcome=IngestOutcomeKind.REJECTED, reason=reason
    )
    return PollReport(source.pk, source.name, False, reason)


# --------------------------------------------------------------------------- #
# Folders
# --------------------------------------------------------------------------- #


def _poll_folder(source: WireSource, now: datetime) -> PollReport:
    folder = Path(source.folder_path)
    if not folder.is_dir():
        return _failure(source, now, f"Dossier introuvable : {folder}.")
    settle = float(settings.LEDE_WIRE_SETTLE_SECONDS)
    limit = int(settings.LEDE_WIRE_MAX_FILES_PER_POLL)
    orphan_age = float(settings.LEDE_WIRE_PHOTO_RETENTION_SECONDS)
    clock = time.time()
    try:
        entries = [(path, path.stat()) for path in folder.iterdir() if path.is_file()]
    except OSError as exc:
        return _failure(source, now, f"Dossier illisible : {exc.strerror or exc}.")
    entries.sort(key=lambda entry: (entry[1].st_mtime, entry[0].name))
    chosen: list[Path] = []
    for path, stat in entries:
        if clock - stat.st_mtime < settle:
            continue
        if not is_wire_candidate(path):
            if path.suffix.lower() in IMAGE_SUFFIXES and clock - stat.st_mtime > orphan_age:
                _move(path, folder / PROCESSED_DIR)
            continue
        if len(chosen) >= limit:
            break
        chosen.append(path)
    # The chosen files' items share batches (one commit per batch, not per item);
    # each file is moved once its items are stored.
    outcomes: list[IngestOutcome] = []
    for path, file_outcomes in zip(
        chosen, wire_ingest_files(paths=chosen, source=source), strict=True
    ):
        outcomes.extend(file_outcomes)
        rejected = any(outcome.file_rejected for outcome in file_outcomes)
        _move(path, folder / (REJECTED_DIR if rejected else PROCESSED_DIR))
    files = len(chosen)
    report = _success(source, now, _summary(files, outcomes))
    report.outcomes = outcomes
    return report


def _move(path: Path, target_dir: Path) -> Path | None:
    """Move a file into ``target_dir`` without overwriting an earlier one."""
    try:
        target_dir.mkdir(exist_ok=True)
        target = target_dir / path.name
        if target.exists():
            stamp = timezone.now().strftime("%Y%m%dT%H%M%S%f")
            target = target_dir / f"{path.stem}.{stamp}{path.suffix}"
        path.rename(target)
    except FileNotFoundError:
        return None  # another worker moved it first
    except OSError:
        logger.exception("could not move wire file %s to %s", path, target_dir)
        return None
    return target


def _summary(files: int, outcomes: list[IngestOutcome]) -> str:
    counts: dict[str, int] = {}
    for outcome in outcomes:
        counts[outcome.outcome] = counts.get(outcome.outcome, 0) + 1
    parts = [f"{files} fichier(s)"] + [f"{n} {kind}" for kind, n in sorted(counts.items())]
    return ", ".join(parts)


# --------------------------------------------------------------------------- #
# HTTP(S)
# --------------------------------------------------------------------------- #


def _poll_http(source: WireSource, now: datetime) -> PollReport:
    url = source.url
    if not url.lower().startswith(("http://", "https://")):
        return _failure(source, now, "Adresse du flux invalide (http:// ou https:// attendu).")
    timeout = float(settings.LEDE_WIRE_HTTP_TIMEOUT)
    limit = max_bytes()
    headers = {
        "User-Agent": USER_AGENT,
        "Accept": (
            "application/json, application/xml, text/xml, application/rss+xml, "
            "application/atom+xml, */*;q=0.5"
        ),
    }
    if source.etag:
        headers["If-None-Match"] = source.etag
    if source.last_modified:
        headers["If-Modified-Since"] = source.last_modified
    deadline = time.monotonic() + 3 * timeout
    try:
        with requests.get(
            url, headers=headers, timeout=(timeout, timeout), stream=True, allow_redirects=True
        ) as response:
            status = response.status_code
            if status == 304:
                return _success(source, now, "HTTP 304 : rien de nouveau")
            if status != 200:
                kind = "erreur du serveur" if status >= 500 else "réponse inattendue"
                return _failure(source, now, f"Le flux répond HTTP {status} ({kind}).")
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > limit:
                return _failure(source, now, too_large_reason(int(declared)))
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_content(64 * 1024):
                size += len(chunk)
                if size > limit:
                    return _failure(source, now, too_large_reason(size))
                if time.monotonic() > deadline:
                    return _failure(source, now, "Flux trop lent : lecture interrompue.")
                chunks.append(chunk)
            etag = response.headers.get("ETag", "")[:500]
            last_modified = response.headers.get("Last-Modified", "")[:100]
    except requests.Timeout:
        return _failure(source, now, f"Délai dépassé ({timeout:g} s) : le flux ne répond pas.")
    except requests.RequestException as exc:
        return _failure(source, now, f"Flux injoignable ({exc.__class__.__name__}).")
    filename = Path(urlsplit(url).path).name or urlsplit(url).hostname or "flux"
    outcomes = wire_ingest_bytes(data=b"".join(chunks), filename=filename[:200], source=source)
    report = _success(source, now, _summary(1, outcomes), etag=etag, last_modified=last_modified)
    report.outcomes = outcomes
    return report
