"""Ingest: the command on every sample, versions, kills, embargoes, bad input."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from lede.core.testing import factories as f
from lede.editorial.models import ArticlePage
from lede.wires import services
from lede.wires.models import IngestLogEntry, ItemStatus, WireItemRecord, WireSource
from lede.wires.parsers import parse_file
from lede.wires.services import (
    WireActionError,
    wire_create_article,
    wire_ignore,
    wire_ingest_bytes,
    wire_ingest_path,
    wire_publish_dispatch,
    wire_restore,
)

from .builders import (
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
    call_command("ingest_wire", *[str(p) for p in paths], stdout=out)
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


# --------------------------------------------------------------------------- #
# The command on the samples
# --------------------------------------------------------------------------- #


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
        call_command("ingest_wire", str(SAMPLE_DIRS[0]), source="inconnue", stdout=io.StringIO())
    good = write_ninjs(tmp_path, "ok.json")
    lines = run_command(tmp_path / "missing.xml", good)
    assert lines[0] == f"rejected {tmp_path / 'missing.xml'} Chemin introuvable."
    assert lines[1].startswith("imported urn:lede:test:item-1 ")


def test_command_source_option(tmp_path: Path) -> None:
    source = WireSource.objects.create(name="AFP fil", provider="AFP", kind="upload")
    path = write_ninjs(tmp_path, "a.json", holder="")
    call_command("ingest_wire", str(path), source="AFP fil", stdout=io.StringIO())
    record = WireItemRecord.objects.get()
    assert record.source == source
    assert record.provider == "AFP"  # from the source when the file names none


# --------------------------------------------------------------------------- #
# Versions, kills, embargoes
# --------------------------------------------------------------------------- #


def test_higher_version_replaces_lower_or_equal_is_skipped() -> None:
    first = wire_ingest_bytes(data=ninjs_bytes(version=1, headline="Titre 1"), filename="v1.json")
    assert first[0].outcome == "imported"
    second = wire_ingest_bytes(data=ninjs_bytes(version=3, headline="Titre 3"), filename="v3.json")
    assert second[0].outcome == "updated"
    assert "remplace la version 1" in second[0].reason
    record = WireItemRecord.objects.get()
    assert (record.version, record.headline, record.previous_versions) == (3, "Titre 3", 1)
    assert record.is_updated and record.updated_at is not None
    for version in (2, 3):
        again = wire_ingest_bytes(
            data=ninjs_bytes(version=version, headline="Ancien"), filename="old.json"
        )
        assert again[0].outcome == "skipped"
        assert again[0].reason.startswith("Version déjà reçue")
    record.refresh_from_db()
    assert record.headline == "Titre 3"
    assert [e.outcome for e in IngestLogEntry.objects.order_by("pk")] == [
        "imported",
        "updated",
        "skipped",
        "skipped",
    ]


def test_body_is_sanitised() -> None:
    wire_ingest_bytes(data=ninjs_bytes(), filename="a.json")
    record = WireItemRecord.objects.get()
    assert "<script" not in record.body_html and "alert" not in record.body_html
    assert "<p>Premier paragraphe de la dépêche.</p>" in record.body_html


def _make_article(record: WireItemRecord, section: Any, *, publish: bool) -> ArticlePage:
    article, _notes = wire_create_article(record=record, section=section)
    if publish:
        article.save_revision().publish()
        article.refresh_from_db()
    return article


def test_canceled_version_kills_and_unpublishes_the_article() -> None:
    section = f.make_section("Économie")
    wire_ingest_bytes(data=ninjs_bytes(version=1), filename="v1.json")
    record = WireItemRecord.objects.get()
    article = _make_article(record, section, publish=True)
    assert article.live
    outcome = wire_ingest_bytes(data=ninjs_bytes(version=2, pub_status="canceled"), filename="k")
    assert outcome[0].outcome == "updated"
    assert "article dépublié" in outcome[0].reason
    record.refresh_from_db()
    article.refresh_from_db()
    assert record.status == ItemStatus.KILLED and record.is_killed
    assert "canceled" in record.kill_note
    assert not article.live
    with pytest.raises(WireActionError, match="retirée par l'agence"):
        wire_create_article(record=record, section=section)
    with pytest.raises(WireActionError, match="retirée"):
        wire_ignore(record=record)
    # Canceled is final: a later "usable" version does not bring it back.
    wire_ingest_bytes(data=ninjs_bytes(version=3), filename="v3.json")
    record.refresh_from_db()
    assert record.status == ItemStatus.KILLED


def test_withheld_then_usable_goes_back_to_the_desk() -> None:
    wire_ingest_bytes(data=ninjs_bytes(version=1), filename="v1.json")
    wire_ingest_bytes(data=ninjs_bytes(version=2, pub_status="withheld"), filename="v2.json")
    record = WireItemRecord.objects.get()
    assert record.status == ItemStatus.KILLED
    outcome = wire_ingest_bytes(data=ninjs_bytes(version=3), filename="v3.json")
    assert "remise au desk" in outcome[0].reason
    record.refresh_from_db()
    assert record.status == ItemStatus.NEW and record.kill_note == ""


def test_first_version_already_canceled_is_stored_killed() -> None:
    outcome = wire_ingest_bytes(data=ninjs_bytes(pub_status="canceled"), filename="k.json")
    assert outcome[0].outcome == "imported"
    assert WireItemRecord.objects.get().status == ItemStatus.KILLED


class FakeDispatch:
    def __init__(self, pk: int) -> None:
        self.pk = pk
        self.withdrawn_note = ""


def test_kill_withdraws_the_dispatch_through_the_live_feed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The wiring with the live feed, whatever state that app is in (see also
    test_livefeed_integration.py for the real thing)."""
    published: list[dict[str, Any]] = []
    dispatch = FakeDispatch(pk=41)

    def fake_publish(**kwargs: Any) -> FakeDispatch:
        published.append(kwargs)
        return dispatch

    def fake_withdraw(*, dispatch: FakeDispatch, note: str) -> None:
        dispatch.withdrawn_note = note

    services_by_name = {"dispatch_publish": fake_publish, "dispatch_withdraw": fake_withdraw}
    monkeypatch.setattr(services, "_livefeed_service", services_by_name.get)
    monkeypatch.setattr(
        WireItemRecord,
        "get_dispatch",
        lambda self: dispatch if self.dispatch_id == dispatch.pk else None,
    )
    wire_ingest_bytes(data=ninjs_bytes(holder="Reuters"), filename="v1.json")
    record = WireItemRecord.objects.get()
    wire_publish_dispatch(record=record)
    call = published[0]
    assert call["headline"] == record.headline
    assert call["credit"] == "Reuters"
    assert call["source_guid"] == record.guid
    assert call["access_level"] == "public"
    assert call["body"].count("<p>") == 3  # one to three short paragraphs
    assert "<script" not in call["body"]
    record.refresh_from_db()
    assert record.status == ItemStatus.PUBLISHED_DISPATCH and record.dispatch_id == 41
    with pytest.raises(WireActionError, match="déjà publiée"):
        wire_publish_dispatch(record=record)
    outcome = wire_ingest_bytes(data=ninjs_bytes(version=2, pub_status="canceled"), filename="k")
    assert "brève retirée du fil" in outcome[0].reason
    assert "retirée par l'agence" in dispatch.withdrawn_note
    record.refresh_from_db()
    assert record.status == ItemStatus.KILLED


def test_publish_without_the_live_feed_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(services, "_livefeed_service", lambda name: None)
    wire_ingest_bytes(data=ninjs_bytes(), filename="a.json")
    with pytest.raises(WireActionError, match="Newsroom"):
        wire_publish_dispatch(record=WireItemRecord.objects.get())
    assert WireItemRecord.objects.get().status == ItemStatus.NEW


def test_embargo_blocks_publish_and_article_until_the_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(services, "_livefeed_service", lambda name: None)
    section = f.make_section("Monde")
    until = timezone.now() + timedelta(hours=2)
    wire_ingest_bytes(data=ninjs_bytes(embargo=until), filename="e.json")
    record = WireItemRecord.objects.get()
    assert record.is_embargoed()
    with pytest.raises(WireActionError, match="sous embargo jusqu'au"):
        wire_create_article(record=record, section=section)
    with pytest.raises(WireActionError, match="sous embargo"):
        wire_publish_dispatch(record=record)
    assert not ArticlePage.objects.exists()
    later = until + timedelta(minutes=1)
    article, _notes = wire_create_article(record=record, section=section, now=later)
    assert not article.live


def test_create_article_is_a_prefilled_draft(tmp_path: Path) -> None:
    section = f.make_section("Économie")
    source = WireSource.objects.create(
        name="AFP",
        provider="AFP",
        kind="folder",
        folder_path=str(tmp_path),
        default_section=section,
    )
    (tmp_path / "photo.jpg").write_bytes(jpeg_bytes())
    write_ninjs(tmp_path, "a.json", associations=[photo_association("photo.jpg")])
    wire_ingest_path(path=tmp_path / "a.json", source=source)
    record = WireItemRecord.objects.get()
    assert record.photos[0]["stored"].startswith("wires/photos/")
    article, notes = wire_create_article(record=record)
    assert notes == []
    article = ArticlePage.objects.get(pk=article.pk)
    assert not article.live and article.get_parent().pk == section.pk
    assert article.title == "Le port de Tanger-Med bat un record"
    assert article.standfirst.startswith("Le trafic de conteneurs")
    assert article.agency_credit == "AFP"
    assert article.copyright_line == "© AFP 2026. Tous droits réservés."
    kinds = [block.block_type for block in article.body]
    assert kinds == ["paragraph", "subheading", "paragraph", "quote", "paragraph"]
    assert "Premier paragraphe" in str(article.body[0].value)
    assert "<script" not in str(article.body.raw_data)
    assert article.lead_image is not None
    assert article.lead_image.caption == "Des grues sur le quai du port."
    assert article.lead_image.credit == "Karim Tazi / AFP"
    assert article.latest_revision is not None
    record.refresh_from_db()
    assert record.status == ItemStatus.ARTICLE_CREATED and record.article_id == article.pk
    with pytest.raises(WireActionError, match="existe déjà"):
        wire_create_article(record=record)


def test_create_article_needs_a_section() -> None:
    wire_ingest_bytes(data=ninjs_bytes(), filename="a.json")
    with pytest.raises(WireActionError, match="rubrique"):
        wire_create_article(record=WireItemRecord.objects.get())


def test_remote_photo_is_noted_not_fetched() -> None:
    section = f.make_section("Sport")
    data = ninjs_bytes(associations=[photo_association("https://photos.example.invalid/a.jpg")])
    wire_ingest_bytes(data=data, filename="a.json")
    article, notes = wire_create_article(record=WireItemRecord.objects.get(), section=section)
    assert article.lead_image is None
    assert "https://photos.example.invalid/a.jpg" in notes[0]


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


def test_ignore_and_restore() -> None:
    wire_ingest_bytes(data=ninjs_bytes(), filename="a.json")
    record = wire_ignore(record=WireItemRecord.objects.get())
    assert record.status == ItemStatus.IGNORED
    record = wire_restore(record=record)
    assert record.status == ItemStatus.NEW
    with pytest.raises(WireActionError):
        wire_restore(record=record)


def test_new_version_after_use_is_flagged() -> None:
    section = f.make_section("Culture")
    wire_ingest_bytes(data=ninjs_bytes(version=1), filename="a.json")
    wire_create_article(record=WireItemRecord.objects.get(), section=section)
    outcome = wire_ingest_bytes(data=ninjs_bytes(version=2), filename="b.json")
    assert "à vérifier" in outcome[0].reason
    record = WireItemRecord.objects.get()
    assert record.updated_after_use and record.status == ItemStatus.ARTICLE_CREATED


# --------------------------------------------------------------------------- #
# Automatic publication of urgent items
# --------------------------------------------------------------------------- #


def test_urgent_items_from_chosen_sources_are_auto_published(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[dict[str, Any]] = []

    def fake_publish(**kwargs: Any) -> FakeDispatch:
        calls.append(kwargs)
        return FakeDispatch(pk=len(calls))

    monkeypatch.setattr(services, "_livefeed_service", {"dispatch_publish": fake_publish}.get)
    source = WireSource.objects.create(
        name="MAP", provider="MAP", kind="upload", auto_publish_urgent=True, urgency_threshold=2
    )
    urgent = wire_ingest_bytes(
        data=ninjs_bytes(guid="urn:t:urgent", urgency=1), filename="u.json", source=source
    )
    routine = wire_ingest_bytes(
        data=ninjs_bytes(guid="urn:t:routine", urgency=5), filename="r.json", source=source
    )
    embargoed = wire_ingest_bytes(
        data=ninjs_bytes(
            guid="urn:t:embargo", urgency=1, embargo=timezone.now() + timedelta(hours=1)
        ),
        filename="e.json",
        source=source,
    )
    assert "publiée automatiquement" in urgent[0].reason
    assert "automatique" not in routine[0].reason
    assert "levée de l'embargo" in embargoed[0].reason
    assert [c["source_guid"] for c in calls] == ["urn:t:urgent"]
    assert WireItemRecord.objects.get(guid="urn:t:urgent").status == ItemStatus.PUBLISHED_DISPATCH
    # The poller publishes the embargoed one once the embargo has lifted.
    services.wire_auto_publish_due(now=timezone.now() + timedelta(hours=2))
    assert [c["source_guid"] for c in calls] == ["urn:t:urgent", "urn:t:embargo"]


def test_failed_auto_publication_keeps_the_item(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(**kwargs: Any) -> None:
        raise RuntimeError("feed down")

    monkeypatch.setattr(services, "_livefeed_service", {"dispatch_publish": broken}.get)
    source = WireSource.objects.create(
        name="MAP", provider="MAP", kind="upload", auto_publish_urgent=True, urgency_threshold=2
    )
    outcome = wire_ingest_bytes(data=ninjs_bytes(urgency=1), filename="u.json", source=source)
    assert outcome[0].outcome == "imported"
    assert "publication automatique impossible" in outcome[0].reason
    assert WireItemRecord.objects.get().status == ItemStatus.NEW


# --------------------------------------------------------------------------- #
# Bad input
# --------------------------------------------------------------------------- #

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
    original = services._maybe_auto_publish

    def failing(record: WireItemRecord, source: Any) -> str:
        if record.guid == "urn:rss:2":
            raise RuntimeError("disk full")
        return original(record, source)

    monkeypatch.setattr(services, "_maybe_auto_publish", failing)
    outcomes = wire_ingest_bytes(data=rss, filename="fil.rss")
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
