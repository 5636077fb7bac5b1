"""Ingest: the command on every sample, files refused as a whole, items stored or not at all."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from lede.wires.models import IngestLogEntry, ItemStatus, WireItemRecord, WireSource
from lede.wires.parsers import parse_file
from lede.wires.services import autopublish
from lede.wires.services.ingest import wire_ingest_bytes, wire_ingest_path

from ..builders import (
    BILLION_LAUGHS,
    MALFORMED_JSON,
    MALFORMED_XML,
    NOT_A_WIRE,
    SAMPLE_DIRS,
    SAMPLES,
    TRUNCATED,
    WRONG_ENCODING,
    XXE,
    jpeg_bytes,
    ninjs_bytes,
    photo_association,
    sample_files,
    write_ninjs,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("wire_media")]


def run_command(*paths: str | Path) -> list[str]:
    out = io.StringIO()
    call_command("wire_ingest", *[str(p) for p in paths], stdout=out)
    return out.getvalue().splitlines()


def expected_lines() -> list[tuple[str, str]]:
    """(outcome, identifier) for every sample, in ingest order, versions compared."""
    seen: dict[str, int] = {}
    expected: list[tuple[str, str]] = []
    for path in sample_files():
        result = parse_file(path)
        for identifier, _reason in result.skipped:
            expected.append(("skipped", identifier))
        for item in result.items:
            if item.guid not in seen:
                expected.append(("imported", item.guid))
            elif item.version > seen[item.guid]:
                expected.append(("updated", item.guid))
            else:
                expected.append(("skipped", item.guid))
            seen[item.guid] = max(item.version, seen.get(item.guid, -1))
    return expected


def split(line: str) -> tuple[str, str]:
    outcome, identifier, *_ = line.split(" ", 2)
    return outcome, identifier


def test_command_imports_every_sample_with_one_line_each() -> None:
    lines = run_command(*SAMPLE_DIRS)
    assert [split(line) for line in lines] == expected_lines()
    assert not [line for line in lines if line.startswith("rejected")]
    guids = {identifier for outcome, identifier in expected_lines() if outcome == "imported"}
    assert set(WireItemRecord.objects.values_list("guid", flat=True)) == guids
    assert IngestLogEntry.objects.count() == len(lines)


def test_sample_fields_reach_the_record() -> None:
    run_command(SAMPLES / "newsml-g2" / "LISTING_1_A_NewsML-G2_News_Item.xml")
    record = WireItemRecord.objects.get(guid="urn:newsml:acmenews.com:20161018:US-FINANCE-FED")
    assert record.version == 11
    assert record.format == "newsml-g2"
    assert record.headline == 'Fed to halt QE to avert "bubble"'
    assert record.byline == "Meredith Jameson"
    assert record.dateline == "Berlin"
    assert record.language == "en"
    assert record.credit == "REUTERS"
    assert record.copyright.startswith("Copyright 2017-18 Example Enews LLP")
    assert record.embargo_until is not None and record.embargo_until.year == 2018
    assert ("medtop:20000523", "labour market") in [(s["code"], s["name"]) for s in record.subjects]
    assert "labour market" in record.subjects_text
    assert record.raw_filename == "LISTING_1_A_NewsML-G2_News_Item.xml"
    assert record.status == ItemStatus.NEW


def test_skipped_fragments_are_logged_with_their_reason() -> None:
    lines = run_command(
        SAMPLES / "newsml-g2" / "LISTING_25_An_NITF_marked-up_article_conveyed_in_inlineXML.xml"
    )
    assert len(lines) == 1 and lines[0].startswith("skipped ")
    entry = IngestLogEntry.objects.get()
    assert entry.outcome == "skipped" and entry.reason
    assert not WireItemRecord.objects.exists()


def test_concept_and_planning_items_are_skipped(tmp_path: Path) -> None:
    planning = tmp_path / "planning.json"
    planning.write_bytes(b'{"uri": "urn:test:planning", "type": "planning", "headlines": []}')
    lines = run_command(planning)
    assert lines[0].startswith("skipped urn:test:planning ")
    assert IngestLogEntry.objects.get().outcome == "skipped"
    assert not WireItemRecord.objects.exists()


def test_reingesting_the_same_files_skips_everything() -> None:
    run_command(*SAMPLE_DIRS)
    count = WireItemRecord.objects.count()
    lines = run_command(*SAMPLE_DIRS)
    outcomes = {split(line)[0] for line in lines}
    assert outcomes == {"skipped"}
    assert any("Version déjà reçue" in line for line in lines)
    assert WireItemRecord.objects.count() == count
    assert (
        not WireItemRecord.objects.filter(previous_versions__gt=0)
        .exclude(guid__in=[g for o, g in expected_lines() if o == "updated"])
        .exists()
    )


def test_command_fails_only_when_it_cannot_run(tmp_path: Path) -> None:
    with pytest.raises(CommandError):
        run_command(tmp_path / "nope.xml")
    with pytest.raises(CommandError):
        call_command("wire_ingest", str(SAMPLE_DIRS[0]), source="inconnue", stdout=io.StringIO())
    good = write_ninjs(tmp_path, "ok.json")
    lines = run_command(tmp_path / "missing.xml", good)
    assert lines[0] == f"rejected {tmp_path / 'missing.xml'} Chemin introuvable."
    assert lines[1].startswith("imported urn:lede:test:item-1 ")


def test_command_source_option(tmp_path: Path) -> None:
    source = WireSource.objects.create(name="AFP fil", provider="AFP", kind="upload")
    path = write_ninjs(tmp_path, "a.json", holder="")
    call_command("wire_ingest", str(path), source="AFP fil", stdout=io.StringIO())
    record = WireItemRecord.objects.get()
    assert record.source == source
    assert record.provider == "AFP"  # from the source when the file names none


def test_photo_paths_outside_the_wire_folder_are_refused(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (tmp_path / "secret.jpg").write_bytes(jpeg_bytes())
    for name, href in [
        ("a.json", "../secret.jpg"),
        ("b.json", "/etc/passwd"),
        ("c.json", "file:///etc/hostname"),
    ]:
        write_ninjs(inbox, name, guid=f"urn:test:{name}", associations=[photo_association(href)])
    wire_ingest_path(path=inbox)
    for record in WireItemRecord.objects.all():
        assert record.photos[0]["stored"] == ""
        assert record.photos[0]["note"]


BAD_FILES = {
    "malformed.xml": (MALFORMED_XML, "Fichier XML invalide"),
    "malformed.json": (MALFORMED_JSON, "Fichier JSON invalide"),
    "latin1.xml": (WRONG_ENCODING, "Fichier XML invalide"),
    "truncated.json": (TRUNCATED, "Fichier JSON invalide"),
    "xxe.xml": (XXE, "entités"),
    "lol.xml": (BILLION_LAUGHS, "entités"),
    "document.pdf": (NOT_A_WIRE, "Format de dépêche non reconnu"),
    "empty.xml": (b"", "Fichier vide"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_files_are_rejected_with_a_log_line(tmp_path: Path, name: str) -> None:
    data, message = BAD_FILES[name]
    path = tmp_path / name
    path.write_bytes(data)
    lines = run_command(path)
    assert len(lines) == 1
    assert lines[0].startswith(f"rejected {path} ")
    assert message in lines[0]
    entry = IngestLogEntry.objects.get()
    assert entry.outcome == "rejected" and message in entry.reason and entry.filename == name
    assert not WireItemRecord.objects.exists()


def test_external_entity_never_reaches_the_database(tmp_path: Path) -> None:
    path = tmp_path / "xxe.xml"
    path.write_bytes(XXE)
    run_command(path)
    passwd = Path("/etc/passwd").read_text(encoding="utf-8", errors="replace").splitlines()[0]
    for entry in IngestLogEntry.objects.all():
        assert "root:" not in entry.reason and passwd not in entry.reason
    assert not WireItemRecord.objects.exists()


def test_a_bad_file_does_not_stop_the_folder(tmp_path: Path) -> None:
    (tmp_path / "0-bad.xml").write_bytes(MALFORMED_XML)
    write_ninjs(tmp_path, "1-good.json")
    (tmp_path / "2-lol.xml").write_bytes(BILLION_LAUGHS)
    lines = run_command(tmp_path)
    assert [split(line)[0] for line in lines] == ["rejected", "imported", "rejected"]
    assert WireItemRecord.objects.count() == 1


def test_fifty_megabyte_file_is_rejected_without_being_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "huge.xml"
    with path.open("wb") as handle:  # sparse: no 50 MB written to the disk
        handle.write(b"<?xml version='1.0'?><feed>")
        handle.truncate(50 * 1024 * 1024)
    reads: list[Path] = []
    original_open = Path.open

    def spying_open(self: Path, *args: Any, **kwargs: Any) -> Any:
        reads.append(self)
        return original_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", spying_open)
    lines = run_command(path)
    assert lines == [
        f"rejected {path} Fichier trop volumineux (50,0 Mo) : la limite est de 20,0 Mo."
    ]
    assert path not in reads
    assert IngestLogEntry.objects.get().outcome == "rejected"


def test_size_limit_comes_from_the_setting(settings: Any) -> None:
    settings.LEDE_WIRE_MAX_BYTES = 1000
    outcome = wire_ingest_bytes(data=ninjs_bytes() + b" " * 1000, filename="big.json")
    assert outcome[0].outcome == "rejected" and "trop volumineux" in outcome[0].reason


def test_an_item_that_fails_midway_is_not_half_written(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two items in one feed; the second fails after its row was written: its row
    is rolled back with it, the first stays, both are in the log."""
    rss = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Fil</title>
    <item><guid>urn:rss:1</guid><title>Premier</title><description>Un.</description></item>
    <item><guid>urn:rss:2</guid><title>Second</title><description>Deux.</description></item>
    </channel></rss>"""
    # A source that publishes by itself: its items go one savepoint each.
    source = WireSource.objects.create(name="Fil RSS", provider="AFP", auto_publish_urgent=True)
    original = autopublish.wire_auto_publish_if_urgent

    def failing(*, record: WireItemRecord, source: Any) -> str:
        if record.guid == "urn:rss:2":
            raise RuntimeError("disk full")
        return original(record=record, source=source)

    monkeypatch.setattr(autopublish, "wire_auto_publish_if_urgent", failing)
    outcomes = wire_ingest_bytes(data=rss, filename="fil.rss", source=source)
    assert [o.outcome for o in outcomes] == ["imported", "rejected"]
    assert list(WireItemRecord.objects.values_list("guid", flat=True)) == ["urn:rss:1"]
    rejected = IngestLogEntry.objects.get(outcome="rejected")
    assert rejected.guid == "urn:rss:2" and rejected.record is None
    assert "Erreur d'enregistrement" in rejected.reason


def test_unreadable_file_is_rejected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_ninjs(tmp_path, "locked.json")
    original_open = Path.open

    def refusing_open(self: Path, *args: Any, **kwargs: Any) -> Any:
        if self == path:
            raise PermissionError(13, "Permission denied")
        return original_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refusing_open)  # works even as root
    lines = run_command(path)
    assert lines == [f"rejected {path} Lecture impossible : Permission denied."]
    assert IngestLogEntry.objects.get().outcome == "rejected"


def test_command_on_a_drop_folder_leaves_its_archives_alone(tmp_path: Path) -> None:
    write_ninjs(tmp_path, "new.json", guid="urn:t:new")
    write_ninjs(tmp_path / "processed", "old.json", guid="urn:t:old")
    (tmp_path / "rejected").mkdir()
    (tmp_path / "rejected" / "bad.xml").write_bytes(MALFORMED_XML)
    write_ninjs(tmp_path / "2026" / "03", "nested.json", guid="urn:t:nested")
    lines = run_command(tmp_path)
    assert sorted(split(line) for line in lines) == [
        ("imported", "urn:t:nested"),
        ("imported", "urn:t:new"),
    ]
