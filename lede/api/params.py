"""Query parameters read by hand, so that bad input gets a French 400 and never
reaches the database (PostgreSQL refuses NUL characters, out-of-range dates and
integers with a 500 otherwise)."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import TypeVar

from django.conf import settings
from django.db.models import Model, Q, QuerySet
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import Field

from lede.core.dates import publication_zone

from .errors import ApiError, bad_parameter

MAX_ID = 2**63 - 1
SLUG_PATTERN = r"^[\w-]+$"
_SLUG = re.compile(r"^[\w-]{1,255}$")
# Years the database stores on every backend once converted to UTC.
_MIN_YEAR, _MAX_YEAR = 1900, 9998


def parse_instant(raw: str | None, name: str) -> datetime | None:
    """An ISO 8601 date or date-time, converted to UTC. A date alone is midnight
    in the publication's zone; a time without offset is in that zone too."""
    if raw is None or raw == "":
        return None
    value = raw.strip()
    message = _(
        "Le paramètre « %(name)s » doit être une date ISO 8601 "
        "(par exemple 2026-12-01 ou 2026-12-01T08:00:00+01:00)."
    ) % {"name": name}
    if "\x00" in value or len(value) > 40:
        raise bad_parameter(message)
    try:
        parsed = parse_datetime(value)
        if parsed is None:
            day = parse_date(value)
            if day is None:
                raise bad_parameter(message)
            parsed = datetime.combine(day, time.min, tzinfo=publication_zone())
        elif parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=publication_zone())
        offset = parsed.utcoffset()
        if offset is not None and abs(offset.total_seconds()) >= 24 * 3600:
            raise bad_parameter(message)
        result = parsed.astimezone(UTC)
    except (ValueError, OverflowError) as exc:  # an absurd offset or date
        raise bad_parameter(message) from exc
    if not _MIN_YEAR <= result.year <= _MAX_YEAR:
        raise bad_parameter(
            _("Le paramètre « %(name)s » est hors des dates possibles.") % {"name": name}
        )
    return result


def parse_slug(raw: str | None, name: str) -> str | None:
    if raw is None or raw == "":
        return None
    if not _SLUG.match(raw):
        raise bad_parameter(
            _("Le paramètre « %(name)s » doit être un identifiant (lettres, chiffres, tirets).")
            % {"name": name}
        )
    return raw


def page_size(raw: int | None) -> int:
    """The page size asked for, capped (a huge size is not an error)."""
    if raw is None:
        return settings.LEDE_API_PAGE_SIZE
    if raw < 1:
        raise bad_parameter(_("Le paramètre « limit » doit être un entier positif."))
    return min(raw, settings.LEDE_API_MAX_PAGE_SIZE)


def check_id(value: int) -> int:
    if not 1 <= value <= MAX_ID:
        raise ApiError(404, "not_found", _("Cet élément n’existe pas."))
    return value


# --- Cursors --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Cursor:
    """The last item of a page: ``(instant, id)`` for dated lists, ``(None, id)``
    for lists ordered by id. Opaque to clients."""

    at: datetime | None
    id: int

    def encode(self) -> str:
        raw = f"{self.at.isoformat() if self.at else ''}|{self.id}"
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(raw: str | None, *, dated: bool) -> Cursor | None:
    if raw is None or raw == "":
        return None
    invalid = ApiError(400, "invalid_cursor", _("Curseur de pagination invalide."))
    if len(raw) > 200:
        raise invalid
    try:
        text = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode()
        at_text, _sep, id_text = text.partition("|")
        item_id = int(id_text)
        at = datetime.fromisoformat(at_text) if at_text else None
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise invalid from exc
    if not 1 <= item_id <= MAX_ID or (at is None) == dated or (at and at.tzinfo is None):
        raise invalid
    if at is not None and not _MIN_YEAR <= at.astimezone(UTC).year <= _MAX_YEAR:
        raise invalid
    return Cursor(at=at, id=item_id)


# --- The list endpoints' paging, read once ------------------------------------------


class PageIn(Schema):
    """``cursor`` and ``limit``, the query parameters of every list."""

    cursor: str | None = Field(
        None, max_length=200, description="Curseur rendu par la page précédente."
    )
    limit: int | None = Field(None, ge=1, description="Taille de page (plafonnée à 100).")


T = TypeVar("T")
M = TypeVar("M", bound=Model)


@dataclass(frozen=True, slots=True)
class Paging:
    """A list's page: its size (capped) and where the previous page ended."""

    size: int
    after: Cursor | None
    dated: bool

    @classmethod
    def read(cls, query: PageIn, *, dated: bool) -> Paging:
        """The page asked for; a bad cursor is a French 400."""
        return cls(
            size=page_size(query.limit), after=decode_cursor(query.cursor, dated=dated), dated=dated
        )

    def keyset(self, qs: QuerySet[M], field: str = "") -> QuerySet[M]:
        """``qs`` after the cursor: ordered by ``(field, pk)`` descending for a
        dated list, by ``pk`` ascending otherwise (never an OFFSET)."""
        after = self.after
        if after is None:
            return qs
        if not self.dated:
            return qs.filter(pk__gt=after.id)
        return qs.filter(
            Q(**{f"{field}__lt": after.at}) | Q(**{field: after.at, "pk__lt": after.id})
        )

    def cut(self, rows: list[T]) -> tuple[list[T], bool]:
        """The page out of ``size + 1`` rows, and whether more follow."""
        return rows[: self.size], len(rows) > self.size

    def next_cursor(self, page: list[T], more: bool, key: Callable[[T], Cursor]) -> str | None:
        return key(page[-1]).encode() if more and page else None
