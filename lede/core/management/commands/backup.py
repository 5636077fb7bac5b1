"""``manage.py backup``: the database, the media files and a manifest in one
archive.

The archive is an uncompressed tar file (the database dump and the images are
already compressed) holding:

* ``database.pgdump`` — ``pg_dump --format=custom`` of the default database
  (PostgreSQL), or ``database.sqlite3`` — a copy made with SQLite's online
  backup API (the embedded demo);
* ``media/…`` — every file under ``MEDIA_ROOT`` (skipped, and said so in the
  manifest, when media live in an object store such as S3);
* ``manifest.json`` — date, Django version, vendor, applied migrations, the
  dump's SHA-256, the number and size of media files, and the row counts of
  the key tables, taken from the very snapshot that was dumped.

``manage.py restore`` reads the same archive. The file is created with mode
0600: it holds readers' personal data.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import django
from django.apps import apps
from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import (
    DEFAULT_DB_ALIAS,
    InterfaceError,
    OperationalError,
    connections,
    transaction,
)
from django.utils.translation import gettext as _

FORMAT = "lede-backup"
VERSION = 1
MANIFEST = "manifest.json"
PG_MEMBER = "database.pgdump"
SQLITE_MEMBER = "database.sqlite3"
MEDIA_PREFIX = "media/"

# Tables whose row counts are recorded at backup time and checked after a
# restore (model labels; a model missing from this code base is skipped).
KEY_MODELS = (
    "accounts.User",
    "editorial.ArticlePage",
    "subscriptions.Subscription",
    "subscriptions.LedgerEntry",
    "subscriptions.Invoice",
    "payments.Order",
)

# libpq settings that could point the tools at another server than Django's.
_PG_TARGET_VARS = ("PGHOST", "PGHOSTADDR", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE")
_PG_OPTION_VARS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "sslcrl": "PGSSLCRL",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
}


def database_member(vendor: str) -> str:
    if vendor == "postgresql":
        return PG_MEMBER
    if vendor == "sqlite":
        return SQLITE_MEMBER
    raise CommandError(
        _("Base de données non prise en charge : %(vendor)s (PostgreSQL ou SQLite seulement).")
        % {"vendor": vendor}
    )


def pg_environment(settings_dict: Mapping[str, Any], application: str) -> dict[str, str]:
    """Environment for pg_dump/pg_restore/psql: the connection (password
    included) travels in libpq variables, never on the command line."""
    env = {k: v for k, v in os.environ.items() if k not in _PG_TARGET_VARS and k != "PGSERVICE"}
    for key, var in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ):
        value = settings_dict.get(key)
        if value:
            env[var] = str(value)
    for option, var in _PG_OPTION_VARS.items():
        value = (settings_dict.get("OPTIONS") or {}).get(option)
        if value not in (None, ""):
            env[var] = str(value)
    env.setdefault("PGCONNECT_TIMEOUT", "10")
    env["PGAPPNAME"] = application
    return env


def pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise CommandError(
            _(
                "Outil PostgreSQL introuvable : %(tool)s. Installez le paquet postgresql-client "
                "(même version majeure que le serveur)."
            )
            % {"tool": name}
        )
    return path


def quote(name: str) -> str:
    """Quote an identifier for PostgreSQL and SQLite alike."""
    return '"' + name.replace('"', '""') + '"'


def key_tables() -> dict[str, str]:
    """Model label → table name for the key models present in this code."""
    tables: dict[str, str] = {}
    for label in KEY_MODELS:
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        tables[label] = model._meta.db_table
    return tables


def table_names(cursor: Any, vendor: str) -> set[str]:
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
    plain DB-API cursor (works on a Django cursor or a raw sqlite3 one)."""
    existing = table_names(cursor, vendor)
    counts: dict[str, int] = {}
    for label, table in key_tables().items():
        if table in existing:
            cursor.execute(f"SELECT count(*) FROM {quote(table)}")  # noqa: S608 - model tables
            counts[label] = int(cursor.fetchone()[0])
    migrations: dict[str, list[str]] = {}
    if "django_migrations" in existing:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        for app_label, name in cursor.fetchall():
            migrations.setdefault(app_label, []).append(name)
    return {"counts": counts, "migrations": migrations}


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def media_root_on_disk() -> Path | None:
    """MEDIA_ROOT when media are stored on the local file system."""
    if not isinstance(default_storage, FileSystemStorage):
        return None
    return Path(settings.MEDIA_ROOT)


def iter_media(root: Path) -> Iterator[tuple[Path, str]]:
    """(absolute path, archive-relative path) of every regular file."""
    if not root.is_dir():
        return
    for dirpath, dirnames, filenames in os.walk(root):
        # Leftovers of an interrupted restore (staging or replaced files).
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".lede-"))
        for filename in sorted(filenames):
            path = Path(dirpath) / filename
            if path.is_file() and not path.is_symlink():
                yield path, path.relative_to(root).as_posix()


@contextmanager
def private_umask() -> Iterator[None]:
    previous = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(previous)


class Command(BaseCommand):
    # An emergency tool: it must run even when an unrelated check fails.
    requires_system_checks: list[str] = []
    help = (
        "Sauvegarde la base de données, les fichiers de MEDIA_ROOT et un manifeste dans une "
        "seule archive tar (fichier en mode 0600) : database.pgdump (pg_dump au format "
        "custom, PostgreSQL) ou database.sqlite3 (copie par l'API de sauvegarde SQLite), "
        "media/… et manifest.json (date, version de Django, migrations appliquées, SHA-256 "
        "du dump, nombres de lignes des tables clés : articles, abonnements, grand livre, "
        "reçus). Par défaut : var/backups/lede-AAAAMMJJ-HHMMSS.tar. "
        "Relire avec « manage.py restore »."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            "-o",
            help=_(
                "Fichier de l'archive (ou dossier où la créer). "
                "Par défaut : <LEDE_VAR_DIR>/backups/."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            self.backup(options.get("output"))
        except (OperationalError, InterfaceError) as exc:
            raise CommandError(
                _("Base de données injoignable : %(error)s") % {"error": str(exc).strip()}
            ) from exc

    def backup(self, output: str | None) -> None:
        connection = connections[DEFAULT_DB_ALIAS]
        vendor = connection.vendor
        member = database_member(vendor)
        target = self.target_path(output)
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if target.exists():
            raise CommandError(
                _("Le fichier %(path)s existe déjà : choisissez un autre nom.") % {"path": target}
            )

        with tempfile.TemporaryDirectory(prefix="lede-backup-") as tmp:
            dump = Path(tmp) / member
            with private_umask():
                if vendor == "postgresql":
                    stats = self.dump_postgresql(dump)
                else:
                    stats = self.dump_sqlite(dump)
            media_root = media_root_on_disk()
            media_files = list(iter_media(media_root)) if media_root else []
            manifest: dict[str, Any] = {
                "format": FORMAT,
                "version": VERSION,
                "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "django": django.get_version(),
                "database": {
                    "vendor": vendor,
                    "name": str(connection.settings_dict.get("NAME") or ""),
                    "member": member,
                    "sha256": sha256_file(dump),
                    "bytes": dump.stat().st_size,
                },
                "counts": stats["counts"],
                "migrations": stats["migrations"],
                "media": {
                    "included": media_root is not None,
                    "files": 0,
                    "bytes": 0,
                },
            }
            if media_root is None:
                manifest["media"]["note"] = (
                    "MEDIA files live in remote storage; back them up with the store's tools."
                )
            partial = target.with_name(f".{target.name}.partial")
            try:
                self.write_archive(partial, dump, member, media_files, manifest)
                partial.rename(target)
            finally:
                partial.unlink(missing_ok=True)

        counts = ", ".join(f"{label}={n}" for label, n in manifest["counts"].items())
        self.stdout.write(self.style.SUCCESS(_("Sauvegarde écrite : %(path)s") % {"path": target}))
        self.stdout.write(
            _("Base %(vendor)s, %(files)d fichier(s) média ; %(counts)s")
            % {"vendor": vendor, "files": manifest["media"]["files"], "counts": counts}
        )

    def target_path(self, output: str | None) -> Path:
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        name = f"lede-{stamp}.tar"
        if not output:
            base = Path(getattr(settings, "LEDE_BACKUP_DIR", Path(settings.VAR_DIR) / "backups"))
            return base / name
        path = Path(output).expanduser()
        if path.is_dir():
            return path / name
        return path

    def dump_postgresql(self, dump: Path) -> dict[str, Any]:
        """pg_dump of an exported snapshot, with the counts read in the same
        snapshot: the manifest describes exactly what was dumped, even while
        readers keep writing."""
        connection = connections[DEFAULT_DB_ALIAS]
        pg_dump = pg_tool("pg_dump")
        if connection.in_atomic_block:
            raise CommandError(_("La sauvegarde ne peut pas s'exécuter dans une transaction."))
        with transaction.atomic(using=DEFAULT_DB_ALIAS), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_catalog.pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            stats = database_stats(cursor, "postgresql")
            result = subprocess.run(  # noqa: S603 - fixed arguments, no shell
                [
                    pg_dump,
                    "--format=custom",
                    "--no-password",
                    f"--snapshot={snapshot}",
                    "--lock-wait-timeout=60000",
                    f"--file={dump}",
                ],
                env=pg_environment(connection.settings_dict, "lede-backup"),
                capture_output=True,
                text=True,
                check=False,
            )
        if result.returncode != 0:
            raise CommandError(
                _("pg_dump a échoué (code %(code)s) : %(error)s")
                % {"code": result.returncode, "error": result.stderr.strip()[-2000:]}
            )
        return stats

    def dump_sqlite(self, dump: Path) -> dict[str, Any]:
        """SQLite's online backup API: a consistent copy even with WAL and
        other processes writing; the counts are read from the copy."""
        connection = connections[DEFAULT_DB_ALIAS]
        connection.ensure_connection()
        source = connection.connection
        copy = sqlite3.connect(dump)
        try:
            source.backup(copy)
            cursor = copy.cursor()
            stats = database_stats(cursor, "sqlite")
            cursor.close()
        finally:
            copy.close()
        return stats

    def write_archive(
        self,
        path: Path,
        dump: Path,
        member: str,
        media_files: list[tuple[Path, str]],
        manifest: dict[str, Any],
    ) -> None:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w") as tar:
            tar.add(dump, arcname=member, recursive=False)
            for absolute, relative in media_files:
                try:
                    info = tar.gettarinfo(absolute, arcname=MEDIA_PREFIX + relative)
                    with absolute.open("rb") as fh:
                        tar.addfile(info, fh)
                except FileNotFoundError:
                    continue  # deleted since the listing: not part of the backup
                manifest["media"]["files"] += 1
                manifest["media"]["bytes"] += info.size
            data = json.dumps(manifest, indent=2, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            info.mtime = int(datetime.now(UTC).timestamp())
            info.mode = 0o600
            tar.addfile(info, io.BytesIO(data))
