"""``manage.py backup`` / ``manage.py restore``.

The PostgreSQL round trip restores into a database created for the test and
compares it, row by row, with the one that was saved. ``transaction=True``:
pg_dump runs in another session and only sees committed rows.
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
from django.core.management import CommandError, call_command
from django.db import connection

from lede.core.testing import factories as f
from lede.core.testing.processes import run_python
from lede.editorial.models import ArticlePage
from lede.subscriptions import testing as st
from lede.subscriptions.models import Invoice, LedgerEntry, Subscription

ROOT = Path(__file__).resolve().parents[3]
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


def archive_members(path: Path) -> dict[str, bytes]:
    with tarfile.open(path) as tar:
        out = {}
        for info in tar:
            fh = tar.extractfile(info)
            if fh is not None:
                out[info.name] = fh.read()
        return out


def rewrite_archive(source: Path, target: Path, change: Any) -> None:
    """Copy an archive, letting ``change(name, data)`` alter each member."""
    with tarfile.open(source) as tar, tarfile.open(target, "w") as out:
        for info in tar:
            fh = tar.extractfile(info)
            data = fh.read() if fh is not None else b""
            data = change(info.name, data)
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))


def bump_ledger_count(name: str, data: bytes) -> bytes:
    if name != "manifest.json":
        return data
    manifest = json.loads(data)
    manifest["counts"]["subscriptions.LedgerEntry"] += 1
    return json.dumps(manifest).encode()


# --- The saved state, read through the ORM and through plain SQL ------------


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


# --- PostgreSQL: a real round trip into a fresh database ---------------------


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


def run_restore(archive: Path, database: str, var_dir: Path, *extra: str) -> Any:
    return run_python(
        ["manage.py", "restore", str(archive), *extra],
        drop={"DJANGO_ALLOW_ASYNC_UNSAFE"},
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL=_url(database),
        LEDE_VAR_DIR=str(var_dir),
    )


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


def sql_execute(database: str, sql: str) -> None:
    import psycopg

    s = connection.settings_dict
    with psycopg.connect(
        dbname=database,
        host=s.get("HOST") or None,
        port=s.get("PORT") or None,
        user=s.get("USER") or None,
        password=s.get("PASSWORD") or None,
    ) as conn:
        conn.execute(sql)


@postgres_only
def test_postgresql_round_trip_into_a_fresh_database(
    newsroom: dict[str, Any], media: Path, tmp_path: Path, fresh_database: str
) -> None:
    archive = tmp_path / "sauvegarde.tar"
    out = io.StringIO()
    call_command("backup", output=str(archive), stdout=out)
    assert archive.is_file() and oct(archive.stat().st_mode & 0o777) == "0o600"

    saved = orm_state()
    assert len(saved["articles"]) == 3 and len(saved["subscriptions"]) == 1
    assert saved["ledger"] and saved["invoices"]
    manifest = json.loads(archive_members(archive)["manifest.json"])
    assert manifest["counts"]["editorial.ArticlePage"] == 3
    assert manifest["counts"]["subscriptions.LedgerEntry"] == len(saved["ledger"])
    assert manifest["migrations"]["subscriptions"]

    var_dir = tmp_path / "cible"
    restored_media = var_dir / "test-media"

    result = run_restore(archive, fresh_database, var_dir)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Restauration terminée" in result.stdout
    assert sql_state(fresh_database) == saved
    assert media_files(restored_media) == media_files(media)
    assert any(name.startswith("original_images/") for name in media_files(restored_media))

    # A second restore into the now non-empty database is refused.
    again = run_restore(archive, fresh_database, var_dir)
    assert again.returncode != 0
    assert "Restauration refusée" in again.stderr and "--yes" in again.stderr

    # An archive whose counts do not match: the whole restore is rolled back.
    first_ledger_id = saved["ledger"][0][0]
    sql_execute(
        fresh_database, f"DELETE FROM subscriptions_ledgerentry WHERE id = {first_ledger_id}"
    )
    (restored_media / "ajout.txt").write_text("local")
    tampered = tmp_path / "faussee.tar"
    rewrite_archive(archive, tampered, bump_ledger_count)
    failed = run_restore(tampered, fresh_database, var_dir, "--yes")
    assert failed.returncode != 0
    assert "la base n'a pas été modifiée" in failed.stderr
    assert len(sql_state(fresh_database)["ledger"]) == len(saved["ledger"]) - 1
    assert (restored_media / "ajout.txt").read_text() == "local"
    assert not [p for p in restored_media.iterdir() if p.name.startswith(".lede-")]

    # --yes replaces what is there with the archive's content.
    replaced = run_restore(archive, fresh_database, var_dir, "--yes")
    assert replaced.returncode == 0, replaced.stdout + replaced.stderr
    assert sql_state(fresh_database) == saved
    assert media_files(restored_media) == media_files(media)


@postgres_only
def test_restore_into_an_unreachable_database_is_a_clear_error(media: Path, tmp_path: Path) -> None:
    archive = tmp_path / "sauvegarde.tar"
    call_command("backup", output=str(archive), stdout=io.StringIO())
    result = run_restore(archive, f"test_lede_absente_{uuid.uuid4().hex[:8]}", tmp_path / "v")
    assert result.returncode == 1
    assert "Base de données injoignable" in result.stderr
    assert "Traceback" not in result.stderr


# --- SQLite: the backup API, in place ----------------------------------------


@sqlite_only
def test_sqlite_backup_and_restore(newsroom: dict[str, Any], media: Path, tmp_path: Path) -> None:
    archive = tmp_path / "demo.tar"
    call_command("backup", output=str(archive), stdout=io.StringIO())
    saved = orm_state()
    saved_media = media_files(media)
    members = archive_members(archive)
    assert "database.sqlite3" in members

    LedgerEntry.objects.filter(pk=saved["ledger"][0][0]).delete()
    newsroom["articles"][0].delete()
    (media / "documents" / "tarifs é.pdf").unlink()

    with pytest.raises(CommandError, match="Restauration refusée"):
        call_command("restore", str(archive), stdout=io.StringIO())
    assert len(orm_state()["ledger"]) == len(saved["ledger"]) - 1

    out = io.StringIO()
    call_command("restore", str(archive), "--yes", stdout=out)
    assert "Restauration terminée" in out.getvalue()
    assert orm_state() == saved
    assert media_files(media) == saved_media


@sqlite_only
def test_sqlite_restore_refuses_an_inconsistent_archive(
    newsroom: dict[str, Any], media: Path, tmp_path: Path
) -> None:
    archive = tmp_path / "demo.tar"
    call_command("backup", output=str(archive), stdout=io.StringIO())
    LedgerEntry.objects.all().delete()
    tampered = tmp_path / "faussee.tar"
    rewrite_archive(archive, tampered, bump_ledger_count)
    with pytest.raises(CommandError, match="rien n'a été modifié"):
        call_command("restore", str(tampered), "--yes", stdout=io.StringIO())
    assert not LedgerEntry.objects.exists()


# --- Both databases: archives that are refused before anything changes -------


def test_missing_archive(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="Archive introuvable"):
        call_command("restore", str(tmp_path / "absente.tar"))


def test_not_an_archive(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.tar"
    bogus.write_bytes(b"ceci n'est pas une archive" * 40)
    with pytest.raises(CommandError, match="n'est pas une archive de sauvegarde Lede"):
        call_command("restore", str(bogus))


def test_corrupted_dump_is_refused_and_nothing_changes(
    media: Path, tmp_path: Path, settings: Any
) -> None:
    st.apply_test_settings(settings)
    reader = st.make_reader("lecteur@example.ma")
    archive = tmp_path / "sauvegarde.tar"
    call_command("backup", output=str(archive), stdout=io.StringIO())
    reader.delete()

    def corrupt(name: str, data: bytes) -> bytes:
        if name.startswith("database."):
            middle = len(data) // 2
            return (
                data[:middle]
                + bytes(b ^ 0xFF for b in data[middle : middle + 64])
                + data[middle + 64 :]
            )
        return data

    broken = tmp_path / "corrompue.tar"
    rewrite_archive(archive, broken, corrupt)
    with pytest.raises(CommandError, match="Archive corrompue"):
        call_command("restore", str(broken), "--yes", stdout=io.StringIO())
    from lede.accounts.models import User

    assert not User.objects.filter(email="lecteur@example.ma").exists()


def test_unsafe_media_names_are_refused(media: Path, tmp_path: Path) -> None:
    archive = tmp_path / "sauvegarde.tar"
    (media / "a.txt").write_text("a")
    call_command("backup", output=str(archive), stdout=io.StringIO())
    evil = tmp_path / "evil.tar"
    with tarfile.open(archive) as tar, tarfile.open(evil, "w") as out:
        for info in tar:
            fh = tar.extractfile(info)
            data = fh.read() if fh is not None else b""
            if info.name == "media/a.txt":
                info.name = "media/../../evade.txt"
            out.addfile(info, io.BytesIO(data))
    with pytest.raises(CommandError, match="non sûr"):
        call_command("restore", str(evil), "--yes", stdout=io.StringIO())
    assert not (tmp_path / "evade.txt").exists()
    assert (media / "a.txt").read_text() == "a"


def test_backup_refuses_to_overwrite(media: Path, tmp_path: Path) -> None:
    archive = tmp_path / "deja.tar"
    archive.write_text("existant")
    with pytest.raises(CommandError, match="existe déjà"):
        call_command("backup", output=str(archive), stdout=io.StringIO())
    assert archive.read_text() == "existant"
