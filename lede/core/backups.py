"""Backups are django-dbbackup's commands, configured in settings (block
``# --- core ---``): ``dbbackup`` / ``dbrestore`` for the database,
``mediabackup`` / ``mediarestore`` for MEDIA (a local folder or S3 alike),
``listbackups``; compression (``-z``), retention (``--clean`` keeps
``DBBACKUP_CLEANUP_KEEP``), GPG encryption (``-e``, needs python-gnupg) and the
storage (``STORAGES["dbbackup"]``) are theirs.

This module is only what dbbackup lacks and Lede's own backup commands did,
plugged in through dbbackup's connector mapping, metadata hooks and
``post_restore`` signal:

* **proof of what was saved.** Each dump's metadata (``<file>.metadata``)
  records its SHA-256, the row counts of the key tables (articles, readers,
  subscriptions, ledger, receipts, orders) and the applied migrations, read
  *from the very state that was dumped*: on PostgreSQL ``pg_dump`` runs on a
  snapshot exported by the transaction that counts; on SQLite the counts are
  read from the copy. dbbackup writes metadata without any of this.
* **a restore that refuses a damaged dump before touching anything**: the
  dump's SHA-256 must match; on SQLite the saved copy's counts must match too.
* **an atomic SQLite restore.** dbbackup's SQLite connectors restore by
  writing over the database file — under open connections and beside a stale
  WAL file — or by replaying SQL with errors turned into warnings; here the
  saved copy goes in through SQLite's online backup API, one write
  transaction.
* **checks after a restore**: the key tables hold the recorded counts (a
  failure exits non-zero), and pending or unknown migrations are reported.

Lost compared with the old ``backup``/``restore`` commands, on purpose: the
single archive (database and media are two files now), the refusal to
restore over a non-empty database without ``--yes`` (``dbrestore`` asks for a
confirmation instead; ``--noinput`` is the old ``--yes``), and on PostgreSQL
the count check *inside* the restore transaction (``pg_restore
--single-transaction`` still makes the restore all or nothing; the counts are
checked just after it).
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import django
from dbbackup.db.exceptions import CommandConnectorError
from dbbackup.db.postgresql import PgDumpBinaryConnector
from dbbackup.db.sqlite import SqliteBackupConnector
from django.apps import apps
from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils.translation import gettext as _

from lede.core import process_state

logger = logging.getLogger(__name__)

#: Tables whose row counts are recorded with each dump and checked on restore
#: (model labels; a model missing from this code base is skipped).
KEY_MODELS = (
    "accounts.User",
    "editorial.ArticlePage",
    "subscriptions.Subscription",
    "subscriptions.LedgerEntry",
    "subscriptions.Invoice",
    "payments.Order",
)
METADATA_KEY = "lede"

# Between dbbackup's calls (connector → metadata setter, metadata validator →
# connector → post_restore signal), within one command run.
_last_dump: dict[str, Any] = {}
_expected: dict[str, Any] = {}


def _forget() -> None:
    _last_dump.clear()
    _expected.clear()


process_state.register("lede.core.backups", _forget)


# --- What a database holds ---------------------------------------------------


def _quote(name: str) -> str:
    """Quote an identifier for PostgreSQL and SQLite alike."""
    return '"' + name.replace('"', '""') + '"'


def key_tables() -> dict[str, str]:
    """Model label → table name for the key models present in this code."""
    tables: dict[str, str] = {}
    for label in KEY_MODELS:
        try:
            tables[label] = apps.get_model(label)._meta.db_table
        except LookupError:
            continue
    return tables


def _table_names(cursor: Any, vendor: str) -> set[str]:
    if vendor == "postgresql":
        cursor.execute(
            "SELECT tablename FROM pg_catalog.pg_tables "
            "WHERE schemaname = ANY (current_schemas(false))"
        )
    else:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    return {row[0] for row in cursor.fetchall()}


def database_stats(cursor: Any, vendor: str) -> dict[str, Any]:
    """Row counts of the key tables and the applied migrations, through a
    plain DB-API cursor (a Django cursor or a raw sqlite3 one)."""
    existing = _table_names(cursor, vendor)
    counts: dict[str, int] = {}
    for label, table in key_tables().items():
        if table in existing:
            cursor.execute(f"SELECT count(*) FROM {_quote(table)}")  # noqa: S608 - model tables
            counts[label] = int(cursor.fetchone()[0])
    migrations: dict[str, list[str]] = {}
    if "django_migrations" in existing:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        for app_label, name in cursor.fetchall():
            migrations.setdefault(app_label, []).append(name)
    return {"counts": counts, "migrations": migrations}


def _sha256(dump: IO[bytes]) -> str:
    digest = hashlib.sha256()
    dump.seek(0)
    for chunk in iter(lambda: dump.read(1024 * 1024), b""):
        digest.update(chunk)
    dump.seek(0)
    return digest.hexdigest()


def _remember_dump(dump: IO[bytes], stats: dict[str, Any]) -> None:
    _last_dump.clear()
    _last_dump.update(stats, sha256=_sha256(dump))


def _check_dump(dump: IO[bytes]) -> None:
    """Refuse a dump whose SHA-256 is not the one recorded at backup time."""
    sha256 = _expected.get("sha256")
    if sha256 is None:
        logger.warning("No Lede metadata for this dump: restored without integrity checks.")
        return
    if _sha256(dump) != sha256:
        raise CommandError(
            _(
                "Sauvegarde corrompue : son empreinte SHA-256 ne correspond pas aux "
                "métadonnées. Rien n’a été modifié."
            )
        )


def _compare(expected: dict[str, int], found: dict[str, int], message: str) -> None:
    wrong = [
        f"{label}: {found.get(label, 0)} / {count}"
        for label, count in expected.items()
        if found.get(label, 0) != count
    ]
    if wrong:
        raise CommandError(message % {"wrong": ", ".join(wrong)})


# --- Connectors (DBBACKUP_CONNECTOR_MAPPING) ---------------------------------


class PgSnapshotConnector(PgDumpBinaryConnector):
    """``pg_dump --format=custom`` of a snapshot exported by the transaction
    that counts the key tables, so the metadata describes exactly what was
    dumped even while readers keep writing. Restored by dbbackup's
    ``pg_restore --single-transaction --clean``, without the saved owner and
    privileges (the target's role may differ), once the SHA-256 matches."""

    pg_options = "--no-owner --no-acl"
    dump_suffix: str = ""  # dbbackup's default, typed: create_dump extends it

    def create_dump(self) -> Any:
        connection = self.connection
        if connection.in_atomic_block:
            raise CommandError(_("La sauvegarde ne peut pas s’exécuter dans une transaction."))
        suffix = self.dump_suffix
        with transaction.atomic(using=self.database_name), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_catalog.pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            stats = database_stats(cursor, "postgresql")
            self.dump_suffix = f"{suffix} --snapshot={snapshot} --lock-wait-timeout=60000"
            try:
                dump = super().create_dump()
            except CommandConnectorError as exc:
                raise CommandError(_("pg_dump a échoué : %(error)s") % {"error": exc}) from exc
            finally:
                self.dump_suffix = suffix
        _remember_dump(dump, stats)
        return dump

    def restore_dump(self, dump: Any) -> Any:
        _check_dump(dump)
        try:
            return super().restore_dump(dump)
        except CommandConnectorError as exc:
            raise CommandError(
                _("La restauration a échoué ; la base n’a pas été modifiée. %(error)s")
                % {"error": str(exc)[-2000:]}
            ) from exc


@contextmanager
def _sqlite_file(dump: IO[bytes]) -> Iterator[Path]:
    """The dump as a file SQLite can open (read only by the caller)."""
    with tempfile.TemporaryDirectory(prefix="lede-backup-") as tmp:
        path = Path(tmp) / "copy.sqlite3"
        dump.seek(0)
        with path.open("wb") as out:
            for chunk in iter(lambda: dump.read(1024 * 1024), b""):
                out.write(chunk)
        dump.seek(0)
        yield path


def _sqlite_stats(path: Path) -> dict[str, Any]:
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return database_stats(source.cursor(), "sqlite")
    except sqlite3.DatabaseError as exc:
        raise CommandError(
            _("La copie SQLite de la sauvegarde est illisible : %(error)s") % {"error": exc}
        ) from exc
    finally:
        source.close()


class SqliteOnlineConnector(SqliteBackupConnector):
    """Saved with SQLite's online backup API (dbbackup's own), counted in the
    copy, and restored through the same API into the live database: one
    write transaction, safe beside WAL and other connections."""

    def create_dump(self) -> Any:
        dump = super().create_dump()
        with _sqlite_file(dump) as path:
            _remember_dump(dump, _sqlite_stats(path))
        return dump

    def restore_dump(self, dump: Any) -> None:
        _check_dump(dump)
        with _sqlite_file(dump) as path:
            found = _sqlite_stats(path)["counts"]
            _compare(
                _expected.get("counts") or {},
                found,
                _("Sauvegarde incohérente, rien n’a été modifié : %(wrong)s"),
            )
            connection = self.connection
            connection.ensure_connection()
            if connection.in_atomic_block:
                raise CommandError(
                    _("La restauration ne peut pas s’exécuter dans une transaction.")
                )
            source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            try:
                source.backup(connection.connection)
            except sqlite3.Error as exc:
                raise CommandError(
                    _("La restauration a échoué ; la base n’a pas été modifiée. %(error)s")
                    % {"error": exc}
                ) from exc
            finally:
                source.close()


# --- Metadata hooks (DBBACKUP_BACKUP_METADATA_SETTER / _RESTORE_..._VALIDATOR)


def backup_metadata(metadata: dict[str, Any]) -> dict[str, Any]:
    """What the connector found in the dump it just made."""
    if not _last_dump:
        return {}
    found = dict(_last_dump)
    _last_dump.clear()
    return {METADATA_KEY: {**found, "django": django.get_version()}}


def restore_metadata_check(metadata: dict[str, Any]) -> bool:
    """Keep what the dump must hold for the connector and the checks after
    the restore; refuse metadata that cannot be Lede's."""
    _expected.clear()
    saved = metadata.get(METADATA_KEY)
    if saved is None:
        return True  # a dump made without Lede's connectors: nothing to check
    if not isinstance(saved, dict):
        return False
    counts = saved.get("counts")
    if not isinstance(saved.get("sha256"), str) or not isinstance(counts, dict):
        return False
    if any(not isinstance(n, int) or isinstance(n, bool) or n < 0 for n in counts.values()):
        return False
    known = key_tables()
    _expected.update(
        sha256=saved["sha256"],
        counts={label: n for label, n in counts.items() if label in known},
        migrations=saved.get("migrations") or {},
    )
    return True


# --- After a restore (dbbackup's post_restore signal) ------------------------


def on_database_restored(sender: Any, database_name: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    """The key tables hold what the metadata recorded; migrations are in step."""
    expected = dict(_expected)
    _expected.clear()
    if not expected:
        return
    connection = connections[database_name]
    with connection.cursor() as cursor:
        found = database_stats(cursor, connection.vendor)["counts"]
    _compare(expected["counts"], found, _("Vérification échouée après restauration : %(wrong)s"))
    for label, count in expected["counts"].items():
        logger.info("  %s: %s", label, count)
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    known = set(executor.loader.disk_migrations)
    known_apps = {app_label for app_label, _name in known}
    saved = {
        (app_label, name) for app_label, names in expected["migrations"].items() for name in names
    }
    unknown = sorted(f"{a}.{n}" for a, n in saved - known if a in known_apps)
    if pending:
        logger.warning("%d pending migration(s): run « manage.py migrate ».", len(pending))
    if unknown:
        logger.warning(
            "The backup comes from newer code (unknown migrations: %s).", ", ".join(unknown[:10])
        )
    logger.info(
        "Restore checked. Empty the caches (Redis, Varnish/CDN): they may serve pages "
        "from before the restore."
    )
