"""Backups with django-dbbackup and Lede's checks (lede/core/backups.py).

Real round trips: the database is saved, changed, restored and compared row
by row; the media files are saved and restored. The PostgreSQL round trip
restores into a database created for the test. ``transaction=True``: pg_dump
runs in another session and only sees committed rows.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import tarfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.core.exceptions import SuspiciousFileOperation
from django.core.management import CommandError, call_command
from django.db import connection

from lede.core.testing import factories as f
from lede.core.testing.processes import run_python
from lede.editorial.models import ArticlePage
from lede.subscriptions import testing as st
from lede.subscriptions.models import Invoice, LedgerEntry, Subscription

POSTGRES = connection.vendor == "postgresql"
postgres_only = pytest.mark.skipif(not POSTGRES, reason="pg_dump/pg_restore need PostgreSQL")
sqlite_only = pytest.mark.skipif(POSTGRES, reason="the SQLite backup API path")

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = str(root)
    return root


@pytest.fixture
def newsroom(media: Path, settings: Any) -> dict[str, Any]:
    """Articles with an image, a paying subscriber, the ledger that goes with it."""
    st.apply_test_settings(settings)
    section = f.make_section("Monde")
    image = f.make_image("Port", caption="Le port", credit="AFP")
    articles = [
        f.make_article(section, f"Article numéro {i}", lead_image=image, standfirst=f"Chapô {i}")
        for i in range(3)
    ]
    catalogue = st.catalogue()
    reader = st.make_reader("abonnee@example.ma")
    subscription = st.subscribe(reader, catalogue["monthly_offer"])
    (media / "documents").mkdir(exist_ok=True)
    (media / "documents" / "tarifs é.pdf").write_bytes(b"%PDF-1.4 tarifs")
    assert LedgerEntry.objects.filter(subscription=subscription).exists()
    return {"articles": articles, "subscription": subscription, "image": image}


def media_files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def orm_state() -> dict[str, list[tuple[Any, ...]]]:
    return {
        "articles": sorted(
            ArticlePage.objects.values_list("id", "title", "slug", "live", "standfirst")
        ),
        "subscriptions": sorted(
            Subscription.objects.values_list("id", "user_id", "plan_id", "status", "periods_paid")
        ),
        "ledger": sorted(
            LedgerEntry.objects.values_list(
                "id", "kind", "event_key", "amount_minor", "currency", "subscription_id"
            )
        ),
        "invoices": sorted(Invoice.objects.values_list("id", "number", "total_minor")),
    }


def backup(path: Path) -> dict[str, Any]:
    """``dbbackup`` to ``path``; its Lede metadata."""
    call_command("dbbackup", output_path=str(path), stdout=io.StringIO())
    metadata = json.loads(Path(f"{path}.metadata").read_text())
    return dict(metadata["lede"])


def restore(path: Path) -> None:
    call_command("dbrestore", input_path=str(path), interactive=False, stdout=io.StringIO())


def edit_metadata(path: Path, change: Any) -> None:
    meta_path = Path(f"{path}.metadata")
    metadata = json.loads(meta_path.read_text())
    change(metadata["lede"])
    meta_path.write_text(json.dumps(metadata))


# --- SQLite: the online backup API both ways -----------------------------------


@sqlite_only
def test_sqlite_round_trip(newsroom: dict[str, Any], media: Path, tmp_path: Path) -> None:
    dump = tmp_path / "demo.sqlite3"
    saved_meta = backup(dump)
    media_archive = tmp_path / "media.tar"
    call_command("mediabackup", output_path=str(media_archive), stdout=io.StringIO())
    saved = orm_state()
    saved_media = media_files(media)
    assert len(saved["articles"]) == 3 and saved["ledger"] and saved["invoices"]
    assert saved_meta["counts"]["editorial.ArticlePage"] == 3
    assert saved_meta["counts"]["subscriptions.LedgerEntry"] == len(saved["ledger"])
    assert saved_meta["migrations"]["subscriptions"] and len(saved_meta["sha256"]) == 64

    LedgerEntry.objects.filter(pk=saved["ledger"][0][0]).delete()
    newsroom["articles"][0].delete()
    (media / "documents" / "tarifs é.pdf").unlink()

    restore(dump)
    assert orm_state() == saved
    call_command(
        "mediarestore",
        input_path=str(media_archive),
        interactive=False,
        replace=True,
        stdout=io.StringIO(),
    )
    assert media_files(media) == saved_media


@sqlite_only
def test_sqlite_refuses_a_dump_that_does_not_hold_the_recorded_rows(
    newsroom: dict[str, Any], tmp_path: Path
) -> None:
    dump = tmp_path / "demo.sqlite3"
    backup(dump)
    LedgerEntry.objects.all().delete()

    def bump(lede: dict[str, Any]) -> None:
        lede["counts"]["subscriptions.LedgerEntry"] += 1

    edit_metadata(dump, bump)
    with pytest.raises(CommandError, match="rien n’a été modifié"):
        restore(dump)
    assert not LedgerEntry.objects.exists()


# --- Both databases ------------------------------------------------------------


def test_a_corrupted_dump_is_refused_and_nothing_changes(
    media: Path, tmp_path: Path, settings: Any
) -> None:
    st.apply_test_settings(settings)
    reader = st.make_reader("lecteur@example.ma")
    dump = tmp_path / "sauvegarde.dump"
    backup(dump)
    reader.delete()
    data = dump.read_bytes()
    middle = len(data) // 2
    dump.write_bytes(
        data[:middle] + bytes(b ^ 0xFF for b in data[middle : middle + 64]) + data[middle + 64 :]
    )
    with pytest.raises(CommandError, match="Sauvegarde corrompue"):
        restore(dump)
    from lede.accounts.models import User

    assert not User.objects.filter(email="lecteur@example.ma").exists()


def test_media_names_leaving_media_root_are_refused(media: Path, tmp_path: Path) -> None:
    """mediarestore saves through the media storage, which refuses a name
    outside MEDIA_ROOT: a crafted archive cannot write elsewhere."""
    evil = tmp_path / "evil.tar"
    with tarfile.open(evil, "w") as tar:
        data = b"dehors"
        info = tarfile.TarInfo("../evade.txt")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    with pytest.raises(SuspiciousFileOperation):
        call_command("mediarestore", input_path=str(evil), interactive=False, stdout=io.StringIO())
    assert not (tmp_path / "evade.txt").exists()


def test_backup_files_are_private_and_old_ones_are_cleaned(
    media: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Backups in the configured storage are readable by their owner only,
    and ``--clean`` keeps the newest DBBACKUP_CLEANUP_KEEP of them."""
    from dbbackup import settings as dbbackup_settings

    store = tmp_path / "sauvegardes"
    options = {**dbbackup_settings.STORAGE_OPTIONS, "location": str(store)}
    monkeypatch.setattr(dbbackup_settings, "STORAGE_OPTIONS", options)
    monkeypatch.setattr(dbbackup_settings, "CLEANUP_KEEP", 2)
    extension = "psql.bin" if POSTGRES else "sqlite3"
    for day in ("01", "02", "03"):
        name = f"lede-default-2026-01-{day}-000000.{extension}"
        call_command("dbbackup", output_filename=name, stdout=io.StringIO())
    call_command("dbbackup", clean=True, stdout=io.StringIO())

    dumps = sorted(p.name for p in store.iterdir() if not p.name.endswith(".metadata"))
    assert len(dumps) == 2 and f"lede-default-2026-01-03-000000.{extension}" in dumps
    assert all(oct((store / name).stat().st_mode & 0o777) == "0o600" for name in dumps)
    assert oct(store.stat().st_mode & 0o777) == "0o700"


# --- PostgreSQL: a real round trip into a fresh database -----------------------


def _pg_env(settings_dict: dict[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if settings_dict.get(key):
            env[var] = str(settings_dict[key])
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    return env


@pytest.fixture
def fresh_database() -> Iterator[str]:
    name = f"test_lede_restore_{uuid.uuid4().hex[:10]}"
    env = _pg_env(connection.settings_dict)
    subprocess.run(["createdb", name], env=env, check=True, capture_output=True)
    try:
        yield name
    finally:
        subprocess.run(
            ["dropdb", "--if-exists", "--force", name], env=env, check=False, capture_output=True
        )


def _url(name: str) -> str:
    s = connection.settings_dict
    auth = quote(s.get("USER") or "", safe="")
    if s.get("PASSWORD"):
        auth += ":" + quote(str(s["PASSWORD"]), safe="")
    host = s.get("HOST") or "127.0.0.1"
    port = s.get("PORT") or 5432
    return f"postgres://{auth}@{host}:{port}/{name}"


def run_manage(database: str, var_dir: Path, *args: str) -> Any:
    return run_python(
        ["manage.py", *args],
        drop={"DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_REPLICA_URL"},
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL=_url(database),
        LEDE_VAR_DIR=str(var_dir),
    )


STATE_SQL = {
    "articles": (
        "SELECT p.id, p.title, p.slug, p.live, a.standfirst FROM editorial_articlepage a "
        "JOIN wagtailcore_page p ON p.id = a.page_ptr_id"
    ),
    "subscriptions": (
        "SELECT id, user_id, plan_id, status, periods_paid FROM subscriptions_subscription"
    ),
    "ledger": (
        "SELECT id, kind, event_key, amount_minor, currency, subscription_id "
        "FROM subscriptions_ledgerentry"
    ),
    "invoices": "SELECT id, number, total_minor FROM subscriptions_invoice",
}


def sql_state(database: str) -> dict[str, list[tuple[Any, ...]]]:
    import psycopg

    s = connection.settings_dict
    with psycopg.connect(
        dbname=database,
        host=s.get("HOST") or None,
        port=s.get("PORT") or None,
        user=s.get("USER") or None,
        password=s.get("PASSWORD") or None,
    ) as conn:
        return {key: sorted(conn.execute(sql).fetchall()) for key, sql in STATE_SQL.items()}


@postgres_only
def test_postgresql_round_trip_into_a_fresh_database(
    newsroom: dict[str, Any], media: Path, tmp_path: Path, fresh_database: str
) -> None:
    dump = tmp_path / "sauvegarde.dump"
    saved_meta = backup(dump)
    media_archive = tmp_path / "media.tar"
    call_command("mediabackup", output_path=str(media_archive), stdout=io.StringIO())
    saved = orm_state()
    assert len(saved["articles"]) == 3 and len(saved["subscriptions"]) == 1
    assert saved["ledger"] and saved["invoices"]
    assert saved_meta["counts"]["editorial.ArticlePage"] == 3
    assert saved_meta["counts"]["subscriptions.LedgerEntry"] == len(saved["ledger"])

    var_dir = tmp_path / "cible"
    restored = run_manage(fresh_database, var_dir, "dbrestore", "-I", str(dump), "--noinput")
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert sql_state(fresh_database) == saved
    media_restored = run_manage(
        fresh_database, var_dir, "mediarestore", "-I", str(media_archive), "--noinput"
    )
    assert media_restored.returncode == 0, media_restored.stdout + media_restored.stderr
    assert media_files(var_dir / "test-media") == media_files(media)

    # Restoring again over the restored database replaces it, in one transaction.
    again = run_manage(fresh_database, var_dir, "dbrestore", "-I", str(dump), "--noinput")
    assert again.returncode == 0, again.stdout + again.stderr
    assert sql_state(fresh_database) == saved

    # Metadata that the restored rows do not match: the command fails loudly.
    def bump(lede: dict[str, Any]) -> None:
        lede["counts"]["subscriptions.LedgerEntry"] += 1

    edit_metadata(dump, bump)
    failed = run_manage(fresh_database, var_dir, "dbrestore", "-I", str(dump), "--noinput")
    assert failed.returncode != 0
    assert "Vérification échouée après restauration" in failed.stderr


@postgres_only
def test_restore_into_an_unreachable_database_is_a_clear_error(media: Path, tmp_path: Path) -> None:
    dump = tmp_path / "sauvegarde.dump"
    backup(dump)
    missing = f"test_lede_absente_{uuid.uuid4().hex[:8]}"
    result = run_manage(missing, tmp_path / "v", "dbrestore", "-I", str(dump), "--noinput")
    assert result.returncode != 0
    assert "La restauration a échoué" in result.stderr
    assert "Traceback" not in result.stderr
