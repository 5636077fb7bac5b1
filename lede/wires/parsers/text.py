"""Small text helpers shared by the parsers: whitespace, dates, codes, languages."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime

import ftfy

from .types import PubStatus

# Only ASCII whitespace is collapsed: no-break and thin spaces are typography.
_SPACES = re.compile(r"[ \t\r\n\f\v]+")

# Mojibake repair only (no quote uncurling, HTML unescaping or width folding:
# wire copy keeps its typography). Lossy sequences are left as they are rather
# than turned into U+FFFD: visible mojibake can still be fixed by a person.
_ENCODING_REPAIR = ftfy.TextFixerConfig(replace_lossy_sequences=False)

_IPTC_CV = re.compile(r"^https?://cv\.iptc\.org/newscodes/([A-Za-z0-9_-]+)/(.+?)/?$")
# Scheme aliases used by the IPTC for its own NewsCodes.
_IPTC_ALIASES = {
    "mediatopic": "medtop",
    "subjectcode": "subj",
    "genre": "genre",
    "ninature": "ninat",
    "scene": "scene",
    "productgenre": "prodgenre",
    "digitalsourcetype": "digsrctype",
    "cpnature": "cpnat",
}


def clean_text(value: object) -> str:
    """Trim, collapse runs of ASCII whitespace and repair obvious mojibake."""
    if value is None:
        return ""
    text = _SPACES.sub(" ", str(value)).strip()
    return repair_mojibake(text)


def clean_multiline(value: object) -> str:
    """Like :func:`clean_text` but keeps line breaks (one line per paragraph)."""
    if value is None:
        return ""
    lines = (clean_text(line) for line in str(value).splitlines())
    return "\n".join(line for line in lines if line)


def repair_mojibake(text: str) -> str:
    """Undo UTF-8 read as Windows-1252 or Latin-1 (``â€™`` for ``’``,
    ``Ã\xa0`` for ``à``), as ftfy judges it; text in other scripts is never
    touched."""
    if not text or text.isascii():
        return text  # ASCII cannot be mis-decoded UTF-8: skip ftfy's work
    # fix_encoding_and_explain, not fix_encoding: only it honours the config.
    return ftfy.fix_encoding_and_explain(text, config=_ENCODING_REPAIR).text


def unique(values: Iterable[str]) -> list[str]:
    """Drop empty and repeated values, keep the order."""
    seen: set[str] = set()
    result: list[str] = []
    for value in values:
        if value and value not in seen:
            seen.add(value)
            result.append(value)
    return result


def parse_datetime(value: object) -> datetime | None:
    """ISO 8601 (extended or basic form, date only allowed) to an aware datetime.

    A time without an offset is taken as UTC; ``None`` when unreadable.
    """
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    if text.endswith(("z", "Z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def parse_int(value: object) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    text = str(value).strip()
    if not re.fullmatch(r"[+-]?\d{1,18}", text):
        return None
    return int(text)


def parse_urgency(value: object) -> int | None:
    """Urgency is 1 (flash) to 9 (lowest); anything else is dropped."""
    urgency = parse_int(value)
    if urgency is None or not 1 <= urgency <= 9:
        return None
    return urgency


def code_of(qcode: str) -> str:
    """``ninat:text`` -> ``text``; a value without a scheme is returned as is."""
    qcode = qcode.strip()
    return qcode.split(":", 1)[1] if ":" in qcode and "//" not in qcode else qcode


def qcode_from_uri(uri: str) -> str:
    """Shorten IPTC NewsCodes URIs to qcodes; other URIs are returned unchanged."""
    uri = uri.strip()
    match = _IPTC_CV.match(uri)
    if not match:
        return uri
    scheme, code = match.groups()
    return f"{_IPTC_ALIASES.get(scheme.lower(), scheme)}:{code}"


def language_code(tag: str) -> str:
    """Primary subtag of a BCP 47 tag: ``en-GB`` -> ``en``, ``nb_NO`` -> ``nb``."""
    tag = tag.strip().replace("_", "-")
    if not tag:
        return ""
    primary = tag.split("-", 1)[0].lower()
    return primary if re.fullmatch(r"[a-z]{2,8}", primary) else ""


_PUB_STATUSES: dict[str, PubStatus] = {
    "usable": "usable",
    "withheld": "withheld",
    "canceled": "canceled",
    "cancelled": "canceled",
}


def normalise_pub_status(value: str) -> PubStatus | None:
    """``stat:usable``, ``Usable``, ``cancelled``… to one of the three statuses."""
    return _PUB_STATUSES.get(code_of(value).strip().lower())
