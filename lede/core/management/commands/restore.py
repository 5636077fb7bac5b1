"""``manage.py restore ARCHIVE``: put back what ``manage.py backup`` saved.

Nothing is half-done:

1. the archive is checked first (manifest, database vendor, SHA-256 of the
   dump, media member names and sizes) and the media files are unpacked into
   a staging folder inside ``MEDIA_ROOT``;
2. PostgreSQL: ``pg_restore`` writes the dump as SQL into one ``psql``
   transaction, which (with ``--yes``) first empties the ``public`` schema and
   finally compares the row counts of the key tables with the manifest; it is
   committed only when all of that succeeded. SQLite: the saved copy is
   checked, then copied over the database with the online backup API (one
   write transaction);
3. only then do the staged media files replace the old ones;
4. the counts are read again through Django and the migration state compared
   with the code.

A database that already has tables, or a non-empty ``MEDIA_ROOT``, is refused
unless ``--yes`` (alias ``--clean``) says to replace it.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils.translation import gettext as _

from .backup import (
    FORMAT,
    MANIFEST,
    MEDIA_PREFIX,
    VERSION,
    database_member,
    database_stats,
    iter_media,
    key_tables,
    media_root_on_disk,
    pg_environment,
    pg_tool,
    quote,
    sha256_file,
    table_names,
)

STAGING_PREFIX = ".lede-restore-"
OLD_PREFIX = ".lede-replaced-"


class Command(BaseCommand):
    # An emergency tool: it must run even when an unrelated check fails.
    requires_system_checks: list[str] = []
    help = (
        "Restaure une archive créée par « manage.py backup » dans la base configurée "
        "(pg_restore pour PostgreSQL, API de sauvegarde pour SQLite) et dans MEDIA_ROOT, "
        "puis vérifie les nombres de lignes du manifeste. Tout ou rien : une base qui "
        "contient déjà des tables est refusée sans --yes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help=_("Archive produite par « manage.py backup »."))
        parser.add_argument(
            "--yes",
            "--clean",
            dest="replace",
            action="store_true",
            help=_(
                "Remplacer le contenu existant de la base et de MEDIA_ROOT "
                "(sinon une cible non vide est refusée)."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            self.restore(Path(options["path"]).expanduser(), replace=options["replace"])
        except (OperationalError, InterfaceError) as exc:
            raise CommandError(
                _("Base de données injoignable : %(error)s") % {"error": str(exc).strip()}
            ) from exc

    def restore(self, archive: Path, *, replace: bool) -> None:
        if not archive.is_file():
            raise CommandError(_("Archive introuvable : %(path)s") % {"path": archive})
        connection = connections[DEFAULT_DB_ALIAS]
        vendor = connection.vendor
        try:
            tar = tarfile.open(archive, mode="r:")
        except (tarfile.TarError, OSError) as exc:
            raise CommandError(
                _("%(path)s n'est pas une archive de sauvegarde Lede (%(error)s).")
                % {"path": archive, "error": exc}
            ) from exc
        with tar:
            manifest = self.read_manifest(tar, archive)
            member = database_member(vendor)
            saved_vendor = manifest["database"].get("vendor")
            if saved_vendor != vendor or manifest["database"].get("member") != member:
                raise CommandError(
                    _(
                        "Cette sauvegarde vient d'une base %(saved)s ; la base configurée est "
                        "%(vendor)s. Restaurez-la dans une base du même type."
                    )
                    % {"saved": saved_vendor, "vendor": vendor}
                )
            expected = self.expected_counts(manifest)

            with connection.cursor() as cursor:
                has_tables = bool(table_names(cursor, vendor))
            media_root = media_root_on_disk()
            restore_media = bool(manifest["media"].get("included")) and media_root is not None
            media_busy = restore_media and media_root is not None and any(iter_media(media_root))
            if (has_tables or media_busy) and not replace:
                what = []
                if has_tables:
                    what.append(
                        _("la base %(name)s contient déjà des tables")
                        % {"name": connection.settings_dict.get("NAME")}
                    )
                if media_busy:
                    what.append(_("MEDIA_ROOT (%(root)s) n'est pas vide") % {"root": media_root})
                raise CommandError(
                    _(
                        "Restauration refusée : %(what)s. Relancez avec --yes pour remplacer "
                        "le contenu existant."
                    )
                    % {"what": " ; ".join(what)}
                )

            with tempfile.TemporaryDirectory(prefix="lede-restore-") as tmp:
                dump = Path(tmp) / member
                self.extract_dump(tar, member, dump, manifest)
                staging: Path | None = None
                if restore_media and media_root is not None:
                    staging = self.stage_media(tar, media_root, manifest)
                try:
                    if vendor == "postgresql":
                        self.restore_postgresql(dump, expected, drop_existing=has_tables)
                    else:
                        self.restore_sqlite(dump, expected)
                except BaseException:
                    if staging is not None:
                        shutil.rmtree(staging, ignore_errors=True)
                    raise
                if staging is not None and media_root is not None:
                    self.swap_media(staging, media_root)

        self.verify(expected, manifest)
        if manifest["media"].get("included") and media_root is None:
            self.stderr.write(
                _(
                    "Les fichiers média de l'archive n'ont pas été restaurés : le stockage "
                    "configuré n'est pas un dossier local."
                )
            )
        self.stdout.write(
            self.style.SUCCESS(
                _("Restauration terminée depuis %(path)s (sauvegarde du %(date)s).")
                % {"path": archive, "date": manifest.get("created_at", "?")}
            )
        )
        self.stdout.write(
            _(
                "Pensez à vider les caches (Redis, Varnish/CDN) : ils peuvent servir "
                "des pages antérieures à la restauration."
            )
        )

    # --- Archive ----------------------------------------------------------

    def read_manifest(self, tar: tarfile.TarFile, archive: Path) -> dict[str, Any]:
        try:
            info = tar.getmember(MANIFEST)
            fh = tar.extractfile(info)
            if fh is None:
                raise KeyError(MANIFEST)
            manifest = json.loads(fh.read(1024 * 1024))
        except (KeyError, ValueError, tarfile.TarError) as exc:
            raise CommandError(
                _(
                    "%(path)s n'est pas une archive de sauvegarde Lede (manifeste absent ou "
                    "illisible)."
                )
                % {"path": archive}
            ) from exc
        if (
            not isinstance(manifest, dict)
            or manifest.get("format") != FORMAT
            or not isinstance(manifest.get("database"), dict)
            or not isinstance(manifest.get("media"), dict)
        ):
            raise CommandError(
                _("%(path)s n'est pas une archive de sauvegarde Lede (manifeste invalide).")
                % {"path": archive}
            )
        if manifest.get("version") != VERSION:
            raise CommandError(
                _("Version d'archive non prise en charge : %(version)s.")
                % {"version": manifest.get("version")}
            )
        return manifest

    def expected_counts(self, manifest: dict[str, Any]) -> dict[str, int]:
        counts = manifest.get("counts")
        if not isinstance(counts, dict):
            raise CommandError(_("Manifeste invalide : nombres de lignes absents."))
        expected: dict[str, int] = {}
        for label in key_tables():
            value = counts.get(label)
            if value is None:
                continue
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise CommandError(
                    _("Manifeste invalide : nombre de lignes incorrect pour %(label)s.")
                    % {"label": label}
                )
            expected[label] = value
        return expected

    def extract_dump(
        self, tar: tarfile.TarFile, member: str, dump: Path, manifest: dict[str, Any]
    ) -> None:
        try:
            info = tar.getmember(member)
            source = tar.extractfile(info)
        except KeyError:
            source = None
        if source is None:
            raise CommandError(_("Archive incomplète : %(member)s manquant.") % {"member": member})
        with source, dump.open("wb") as out:
            shutil.copyfileobj(source, out, 1024 * 1024)
        if sha256_file(dump) != manifest["database"].get("sha256"):
            raise CommandError(
                _(
                    "Archive corrompue : l'empreinte SHA-256 de %(member)s ne correspond pas "
                    "au manifeste. Rien n'a été modifié."
                )
                % {"member": member}
            )

    def stage_media(self, tar: tarfile.TarFile, media_root: Path, manifest: dict[str, Any]) -> Path:
        """Unpack ``media/…`` into a fresh folder inside MEDIA_ROOT (same file
        system, so the final moves are renames). Only regular files with
        plain relative names are accepted."""
        media_root.mkdir(parents=True, exist_ok=True)
        staging = media_root / f"{STAGING_PREFIX}{secrets.token_hex(4)}"
        staging.mkdir(mode=0o755)
        files = size = 0
        try:
            for info in tar:
                if not info.name.startswith(MEDIA_PREFIX):
                    continue
                relative = PurePosixPath(info.name[len(MEDIA_PREFIX) :])
                if (
                    not info.isfile()
                    or relative.is_absolute()
                    or not relative.parts
                    or any(part in ("", ".", "..") for part in relative.parts)
                    or relative.parts[0].startswith((STAGING_PREFIX, OLD_PREFIX))
                ):
                    raise CommandError(
                        _("Archive refusée : nom de fichier média non sûr (%(name)s).")
                        % {"name": info.name}
                    )
                target = staging.joinpath(*relative.parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                source = tar.extractfile(info)
                if source is None:
                    continue
                with source, target.open("wb") as out:
                    shutil.copyfileobj(source, out, 1024 * 1024)
                os.utime(target, (info.mtime, info.mtime))
                files += 1
                size += info.size
            if files != manifest["media"].get("files") or size != manifest["media"].get("bytes"):
                raise CommandError(
                    _(
                        "Archive incomplète : %(files)d fichier(s) média (%(bytes)d octets) "
                        "au lieu de %(expected_files)s (%(expected_bytes)s octets)."
                    )
                    % {
                        "files": files,
                        "bytes": size,
                        "expected_files": manifest["media"].get("files"),
                        "expected_bytes": manifest["media"].get("bytes"),
                    }
                )
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return staging

    def swap_media(self, staging: Path, media_root: Path) -> None:
        """Move the old files aside, the staged ones in, then delete the old."""
        old = media_root / f"{OLD_PREFIX}{secrets.token_hex(4)}"
        old.mkdir()
        ours = {staging.name, old.name}
        for child in list(media_root.iterdir()):
            if child.name not in ours:
                child.rename(old / child.name)
        for child in list(staging.iterdir()):
            child.rename(media_root / child.name)
        staging.rmdir()
        shutil.rmtree(old, ignore_errors=True)

    # --- Database ---------------------------------------------------------

    def count_check_sql(self, expected: dict[str, int]) -> str:
        """A DO block that aborts the restore transaction when a key table
        does not hold the number of rows the manifest recorded."""
        tables = key_tables()
        lines = ["RESET search_path;", "DO $lede$", "DECLARE n bigint;", "BEGIN"]
        for label, count in expected.items():
            lines.append(
                f"  SELECT count(*) INTO n FROM {quote(tables[label])};"  # noqa: S608
                f" IF n <> {int(count)} THEN RAISE EXCEPTION"
                f" 'lede: % rows in {label}, the manifest says {int(count)}', n; END IF;"
            )
        lines += ["END", "$lede$;"]
        return "\n".join(lines) + "\n"

    def restore_postgresql(self, dump: Path, expected: dict[str, int], drop_existing: bool) -> None:
        connection = connections[DEFAULT_DB_ALIAS]
        env = pg_environment(connection.settings_dict, "lede-restore")
        pg_restore, psql = pg_tool("pg_restore"), pg_tool("psql")

        listing = subprocess.run(  # noqa: S603 - fixed arguments, no shell
            [pg_restore, "--list", str(dump)], capture_output=True, text=True, check=False
        )
        if listing.returncode != 0:
            raise CommandError(
                _("pg_restore ne peut pas lire la sauvegarde : %(error)s")
                % {"error": listing.stderr.strip()[-2000:]}
            )
        if any(" BLOB " in line or "LARGE OBJECT" in line for line in listing.stdout.splitlines()):
            raise CommandError(
                _("La sauvegarde contient des « large objects » : non pris en charge.")
            )

        connection.close()  # hold no session of ours while the schema is replaced
        preamble = "\\set ON_ERROR_STOP 1\nBEGIN;\n"
        if drop_existing:
            preamble += "DROP SCHEMA public CASCADE;\nCREATE SCHEMA public;\n"
        with tempfile.TemporaryFile() as restore_err, tempfile.TemporaryFile() as psql_err:
            # COMMIT is written only once pg_restore has finished cleanly and
            # the counts match: a failure anywhere leaves psql to end without
            # it, and PostgreSQL rolls the whole transaction back.
            loader = subprocess.Popen(  # noqa: S603
                [psql, "--no-psqlrc", "--quiet", "--no-password", "--set=ON_ERROR_STOP=1"],
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=psql_err,
                env=env,
            )
            producer = subprocess.Popen(  # noqa: S603
                [pg_restore, "--no-owner", "--no-acl", "--file=-", str(dump)],
                stdout=subprocess.PIPE,
                stderr=restore_err,
                env=env,
            )
            assert loader.stdin is not None and producer.stdout is not None
            sent_all = self._feed(loader.stdin, producer.stdout, preamble)
            producer_rc = producer.wait()
            if sent_all and producer_rc == 0:
                self._write(loader.stdin, "\n" + self.count_check_sql(expected) + "COMMIT;\n")
            try:
                loader.stdin.close()
            except BrokenPipeError:
                pass
            loader_rc = loader.wait()
            errors = _tail(psql_err) or _tail(restore_err)
        if producer_rc != 0 or loader_rc != 0 or not sent_all:
            raise CommandError(
                _("La restauration a échoué ; la base n'a pas été modifiée. %(error)s")
                % {"error": errors}
            )

    def _feed(self, sink: IO[bytes], source: IO[bytes], preamble: str) -> bool:
        if not self._write(sink, preamble):
            return False
        try:
            shutil.copyfileobj(source, sink, 1024 * 1024)
        except BrokenPipeError:  # psql stopped on an error
            return False
        return True

    def _write(self, sink: IO[bytes], text: str) -> bool:
        try:
            sink.write(text.encode())
            sink.flush()
        except BrokenPipeError:
            return False
        return True

    def restore_sqlite(self, dump: Path, expected: dict[str, int]) -> None:
        source = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
        try:
            cursor = source.cursor()
            try:
                found = database_stats(cursor, "sqlite")["counts"]
            except sqlite3.DatabaseError as exc:
                raise CommandError(
                    _("La copie SQLite de l'archive est illisible : %(error)s") % {"error": exc}
                ) from exc
            finally:
                cursor.close()
            self.compare(expected, found, before=True)
            connection = connections[DEFAULT_DB_ALIAS]
            connection.ensure_connection()
            if connection.in_atomic_block:
                raise CommandError(
                    _("La restauration ne peut pas s'exécuter dans une transaction.")
                )
            try:
                source.backup(connection.connection)
            except sqlite3.Error as exc:
                raise CommandError(
                    _("La restauration a échoué ; la base n'a pas été modifiée. %(error)s")
                    % {"error": exc}
                ) from exc
        finally:
            source.close()

    # --- Verification -----------------------------------------------------

    def compare(self, expected: dict[str, int], found: dict[str, int], *, before: bool) -> None:
        wrong = [
            f"{label}: {found.get(label, 0)} / {count}"
            for label, count in expected.items()
            if found.get(label, 0) != count
        ]
        if wrong:
            message = (
                _("Archive incohérente, rien n'a été modifié : %(wrong)s")
                if before
                else _("Vérification échouée après restauration : %(wrong)s")
            )
            raise CommandError(message % {"wrong": ", ".join(wrong)})

    def verify(self, expected: dict[str, int], manifest: dict[str, Any]) -> None:
        connection = connections[DEFAULT_DB_ALIAS]
        with connection.cursor() as cursor:
            found = database_stats(cursor, connection.vendor)["counts"]
        self.compare(expected, found, before=False)
        for label, count in expected.items():
            self.stdout.write(f"  {label}: {count}")
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        known = set(executor.loader.disk_migrations)
        saved = {
            (app_label, name)
            for app_label, names in (manifest.get("migrations") or {}).items()
            for name in names
        }
        unknown = sorted(f"{a}.{n}" for a, n in saved - known if a in {k[0] for k in known})
        if pending:
            self.stdout.write(
                self.style.WARNING(
                    _("%(n)d migration(s) en attente : lancez « manage.py migrate ».")
                    % {"n": len(pending)}
                )
            )
        if unknown:
            self.stdout.write(
                self.style.WARNING(
                    _(
                        "La sauvegarde vient d'une version plus récente du code "
                        "(migrations inconnues : %(names)s)."
                    )
                    % {"names": ", ".join(unknown[:10])}
                )
            )


def _tail(fh: IO[bytes]) -> str:
    fh.seek(0)
    return fh.read().decode(errors="replace").strip()[-2000:]
