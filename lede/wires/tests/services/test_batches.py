"""Batches: many files' items share one transaction, each item still stored with
its log line or not at all."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lede.wires.models import IngestLogEntry, WireItemRecord, WireSource
from lede.wires.services import autopublish, ingest
from lede.wires.services.ingest import wire_ingest_files, wire_ingest_path

from ..builders import write_ninjs

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("wire_media")]


def write_many(folder: Path, count: int, **kwargs: Any) -> list[Path]:
    return [
        write_ninjs(folder, f"d-{n:03d}.json", guid=f"urn:lede:batch:{n}", **kwargs)
        for n in range(count)
    ]


def test_forty_files_cost_a_handful_of_queries(tmp_path: Path) -> None:
    paths = write_many(tmp_path, 40)
    with CaptureQueriesContext(connection) as ctx:
        per_file = wire_ingest_files(paths=paths)
    assert [[o.outcome for o in outcomes] for outcomes in per_file] == [["imported"]] * 40
    # One read of the desk's records, one insert of the records, one of the log
    # lines (and the savepoint around the insert), not five round trips per item.
    assert len(ctx.captured_queries) <= 8
    assert WireItemRecord.objects.count() == 40
    assert IngestLogEntry.objects.filter(outcome="imported", record__isnull=False).count() == 40


def test_batches_are_cut_at_the_batch_size(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ingest, "BATCH_ITEMS", 7)
    write_many(tmp_path, 20)
    outcomes = wire_ingest_path(path=tmp_path)
    assert [o.outcome for o in outcomes] == ["imported"] * 20
    assert IngestLogEntry.objects.count() == 20


def test_versions_of_one_guid_in_one_batch_are_compared(tmp_path: Path) -> None:
    write_ninjs(tmp_path, "a1.json", guid="urn:lede:v", version=1, headline="Un")
    write_ninjs(tmp_path, "a2.json", guid="urn:lede:v", version=2, headline="Deux")
    write_ninjs(tmp_path, "a3.json", guid="urn:lede:v", version=2, headline="Encore deux")
    outcomes = wire_ingest_path(path=tmp_path)
    assert [o.outcome for o in outcomes] == ["imported", "updated", "skipped"]
    record = WireItemRecord.objects.get()
    assert (record.version, record.headline, record.previous_versions) == (2, "Deux", 1)


def test_reingest_skips_without_a_savepoint_per_item(tmp_path: Path) -> None:
    paths = write_many(tmp_path, 30)
    wire_ingest_files(paths=paths)
    with CaptureQueriesContext(connection) as ctx:
        per_file = wire_ingest_files(paths=paths)
    assert {o.outcome for outcomes in per_file for o in outcomes} == {"skipped"}
    assert len(ctx.captured_queries) <= 6
    assert IngestLogEntry.objects.filter(outcome="skipped").count() == 30


def test_a_guid_stored_by_another_worker_meanwhile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The batch read saw no record, but another worker inserted one before our
    insert: the grouped insert is rolled back to its savepoint and each item is
    stored on its own, reading the other worker's row. Nothing is doubled."""
    paths = write_many(tmp_path, 5)
    WireItemRecord.objects.create(guid="urn:lede:batch:2", version=1, format="ninjs")
    monkeypatch.setattr(ingest, "_locked_records", lambda guids: {})
    per_file = wire_ingest_files(paths=paths)
    outcomes = [o.outcome for outcomes in per_file for o in outcomes]
    assert outcomes == ["imported", "imported", "skipped", "imported", "imported"]
    assert WireItemRecord.objects.count() == 5
    assert IngestLogEntry.objects.count() == 5


def test_an_item_failing_in_a_shared_batch_leaves_the_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Items of an auto-publishing source take a savepoint each: the one that
    fails is rolled back alone and logged as refused, the batch commits."""
    source = WireSource.objects.create(name="Fil", provider="AFP", auto_publish_urgent=True)
    paths = write_many(tmp_path, 4, urgency=5)
    original = autopublish.wire_auto_publish_if_urgent

    def failing(*, record: WireItemRecord, source: Any) -> str:
        if record.guid == "urn:lede:batch:1":
            raise RuntimeError("disk full")
        return original(record=record, source=source)

    monkeypatch.setattr(autopublish, "wire_auto_publish_if_urgent", failing)
    per_file = wire_ingest_files(paths=paths, source=source)
    assert [o.outcome for outcomes in per_file for o in outcomes] == [
        "imported",
        "rejected",
        "imported",
        "imported",
    ]
    assert not WireItemRecord.objects.filter(guid="urn:lede:batch:1").exists()
    assert IngestLogEntry.objects.get(outcome="rejected").record is None


def test_a_batch_that_cannot_commit_is_stored_item_by_item(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The batch's log insert fails: its transaction rolls back whole, then every
    item is stored again in a transaction of its own, with its line."""
    paths = write_many(tmp_path, 3)
    write_ninjs(tmp_path, "bad.json", guid="")
    calls = {"n": 0}
    original = ingest.log_entries_save

    def failing_once(entries: list[IngestLogEntry]) -> None:
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("connection lost")
        original(entries)

    monkeypatch.setattr(ingest, "log_entries_save", failing_once)
    per_file = wire_ingest_files(paths=[*paths, tmp_path / "bad.json"])
    assert [o.outcome for outcomes in per_file for o in outcomes] == [
        "imported",
        "imported",
        "imported",
        "rejected",
    ]
    assert WireItemRecord.objects.count() == 3
    assert IngestLogEntry.objects.count() == 4
