"""Small builders for the wire desk's database tests: wire files written on the fly."""

from __future__ import annotations

import io
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from lede.wires.services.folders import iter_wire_files

SAMPLES = Path(__file__).resolve().parent / "samples"


# The sample folders (their parent also holds README.md and NOTICE.md).
SAMPLE_DIRS = [SAMPLES / "newsml-g2", SAMPLES / "ninjs"]


def sample_files() -> list[Path]:
    """Every sample wire file, in the order the command ingests SAMPLE_DIRS."""
    return [path for folder in SAMPLE_DIRS for path in iter_wire_files(folder)]


def ninjs_item(
    *,
    guid: str = "urn:lede:test:item-1",
    version: int = 1,
    headline: str = "Le port de Tanger-Med bat un record",
    standfirst: str = "Le trafic de conteneurs progresse de 12 % sur un an.",
    body_html: str = (
        "<p>Premier paragraphe de la dépêche.</p>"
        "<h2>Un intertitre</h2>"
        "<p>Deuxième paragraphe, avec <a href='https://example.org/'>un lien</a>.</p>"
        "<blockquote>Une citation.</blockquote>"
        "<p>Troisième paragraphe.</p><p>Quatrième paragraphe.</p>"
        "<script>alert('x')</script>"
    ),
    pub_status: str = "usable",
    embargo: datetime | None = None,
    urgency: int | None = 3,
    language: str = "fr",
    holder: str = "AFP",
    copyright_notice: str = "© AFP 2026. Tous droits réservés.",
    item_type: str = "text",
    subjects: list[dict[str, str]] | None = None,
    associations: list[dict[str, Any]] | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "uri": guid,
        "version": str(version),
        "type": item_type,
        "language": language,
        "pubStatus": pub_status,
        "headlines": [
            {"role": "main", "value": headline},
            {"role": "sub", "value": standfirst},
        ],
        "bodies": [{"role": "main", "contentType": "text/html", "value": body_html}],
        "copyrightHolder": holder,
        "copyrightNotice": copyright_notice,
        "by": "Rédaction",
        "located": "Tanger",
        "firstCreated": "2026-03-01T08:00:00Z",
        "versionCreated": "2026-03-01T09:00:00Z",
        "subjects": subjects
        if subjects is not None
        else [
            {
                "name": "transport maritime",
                "uri": "http://cv.iptc.org/newscodes/mediatopic/20000270",
            }
        ],
    }
    if embargo is not None:
        data["embargoedUntil"] = embargo.isoformat()
    if urgency is not None:
        data["urgency"] = urgency
    if associations:
        data["associations"] = associations
    if extra:
        data.update(extra)
    return data


def ninjs_bytes(**kwargs: Any) -> bytes:
    return json.dumps(ninjs_item(**kwargs), ensure_ascii=False).encode("utf-8")


def write_ninjs(folder: Path, name: str, **kwargs: Any) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(ninjs_bytes(**kwargs))
    return path


def jpeg_bytes(size: tuple[int, int] = (64, 48), color: str = "#996633") -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="JPEG")
    return buffer.getvalue()


def photo_association(href: str, *, uri: str = "urn:lede:test:photo-1") -> dict[str, Any]:
    return {
        "name": "photo",
        "uri": uri,
        "type": "picture",
        "descriptions": [
            {"role": "caption", "value": "Des grues sur le quai du port."},
            {"role": "creditline", "value": "Karim Tazi / AFP"},
        ],
        "renditions": [
            {
                "name": "highres",
                "href": href,
                "contentType": "image/jpeg",
                "width": 64,
                "height": 48,
            }
        ],
    }


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE newsItem [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="urn:test:xxe" version="1"
  standard="NewsML-G2" standardversion="2.29">
  <contentMeta><headline>&xxe;</headline></contentMeta>
</newsItem>
"""

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="urn:test:lol" version="1">
  <contentMeta><headline>&lol9;</headline></contentMeta>
</newsItem>
"""

MALFORMED_XML = (
    b'<?xml version="1.0"?><newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" '
    b'guid="urn:test:bad" version="1"><contentMeta><headline>Oups</contentMeta></newsItem>'
)
MALFORMED_JSON = b'{"uri": "urn:test:badjson", "headlines": [{"value": "Oups"}'
# Declared UTF-8, written in Latin-1.
WRONG_ENCODING = (
    '<?xml version="1.0" encoding="UTF-8"?><newsItem xmlns="http://iptc.org/std/nar/2006-10-01/"'
    ' guid="urn:test:latin1" version="1"><contentMeta><headline>Café à Fès</headline>'
    "</contentMeta></newsItem>"
).encode("latin-1")
TRUNCATED = ninjs_bytes(guid="urn:test:truncated")[:150]
NOT_A_WIRE = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n"


class FakeDispatch:
    """What the desk needs of a live feed dispatch, for tests that fake the feed."""

    is_withdrawn = False

    def __init__(self, pk: int) -> None:
        self.pk = pk
        self.withdrawn_note = ""
