"""Plain-text fields of agency files are text, whatever markup the agency put
in them (issue 12, item 6): tags dropped (scripts with their content),
entities decoded, whitespace collapsed. Bodies keep going through the
sanitiser. Plain functions, no database."""

from __future__ import annotations

import json
from typing import Any
from xml.sax.saxutils import escape

import pytest

from lede.wires.parsers import WireItem, parse_bytes
from lede.wires.parsers.markup import plain_text

# What a hostile or careless agency puts in a headline, byline or caption.
HOSTILE = (
    '<script>alert("x")</script><b>Rabat</b> &amp; <img src=x onerror=alert(1)>'
    "<i>Fès</i> \t:  l&#8217;essor&nbsp;!<!-- note -->"
)
CLEAN = "Rabat & Fès : l’essor\u00a0!"


def assert_text(value: str) -> None:
    assert value == CLEAN
    for needle in ("<", ">", "&amp;", "&#", "alert", "onerror", "note"):
        assert needle not in value, needle


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Titre simple", "Titre simple"),
        ("  Titre \n\t sur  deux lignes ", "Titre sur deux lignes"),
        (HOSTILE, CLEAN),
        ("AT&amp;T &lt;3", "AT&T <3"),
        ("5 < 6 et 7 > 3", "5 < 6 et 7 > 3"),
        ("<style>p{color:red}</style>Texte", "Texte"),
        ("<svg onload=alert(1)><title>t</title></svg>Après", "Après"),
        ("a<br>b<p>c</p>", "abc"),
        ("Sans\u00a0coupure", "Sans\u00a0coupure"),  # no-break spaces are typography
        ("", ""),
    ],
)
def test_plain_text(value: str, expected: str) -> None:
    assert plain_text(value) == expected
    assert plain_text(plain_text(value)) == expected or "&" in expected


def photo_texts(item: WireItem) -> list[str]:
    return [text for photo in item.photos for text in (photo.caption, photo.credit)]


# --------------------------------------------------------------------------- #
# ninjs
# --------------------------------------------------------------------------- #


def ninjs(**fields: Any) -> WireItem:
    data = {"uri": "urn:x:hostile", **fields}
    return parse_bytes(json.dumps(data).encode()).items[0]


@pytest.mark.parametrize(
    ("fields", "attribute"),
    [
        ({"headline": HOSTILE}, "headline"),
        ({"title": HOSTILE}, "headline"),
        ({"headlines": [{"role": "main", "value": HOSTILE}]}, "headline"),
        (
            {"headlines": [{"role": "main", "contentType": "text/plain", "value": HOSTILE}]},
            "headline",
        ),
        (
            {"headlines": [{"role": "main", "contentType": "text/html", "value": HOSTILE}]},
            "headline",
        ),
        ({"headlines": [{"value": "T"}, {"role": "sub", "value": HOSTILE}]}, "subheadline"),
        ({"descriptions": [{"role": "summary", "value": HOSTILE}]}, "subheadline"),
        ({"description_text": HOSTILE}, "subheadline"),
        ({"description_html": HOSTILE}, "subheadline"),
        ({"by": HOSTILE}, "byline"),
        ({"byline": HOSTILE}, "byline"),
        ({"slugline": HOSTILE}, "slugline"),
        ({"located": HOSTILE}, "dateline"),
        ({"located": HOSTILE}, "located"),
        ({"copyrightNotice": HOSTILE}, "copyright"),
        ({"copyrightHolder": HOSTILE}, "credit"),
        ({"copyrightHolder": HOSTILE}, "provider"),
        ({"descriptions": [{"role": "creditline", "value": HOSTILE}]}, "credit"),
    ],
)
def test_ninjs_plain_text_fields(fields: dict[str, Any], attribute: str) -> None:
    assert_text(getattr(ninjs(**fields), attribute))


def test_ninjs_lists_notes_and_pictures() -> None:
    item = ninjs(
        headline="T",
        keywords=[HOSTILE],
        subjects=[{"name": HOSTILE, "uri": "http://cv.iptc.org/newscodes/mediatopic/1"}],
        ednote=HOSTILE + "\n" + HOSTILE,
        associations=[
            {
                "uri": "urn:x:photo",
                "type": "picture",
                "headline": "Photo",
                "descriptions": [
                    {"role": "caption", "value": HOSTILE},
                    {"role": "creditline", "value": HOSTILE},
                ],
                "renditions": [{"href": "https://x.example/p.jpg", "contentType": "image/jpeg"}],
            }
        ],
    )
    assert item.keywords == [CLEAN]
    assert [s.name for s in item.subjects] == [CLEAN]
    assert item.ednote == CLEAN + "\n" + CLEAN
    assert photo_texts(item) == [CLEAN, CLEAN]


def test_ninjs_picture_item_caption_and_credit() -> None:
    item = ninjs(
        type="picture",
        headline="Photo",
        descriptions=[{"role": "caption", "value": HOSTILE}],
        by=HOSTILE,
        renditions=[{"href": "https://x.example/p.jpg", "contentType": "image/jpeg"}],
    )
    assert photo_texts(item) == [CLEAN, CLEAN]


def test_ninjs_body_html_still_goes_through_the_sanitiser() -> None:
    item = ninjs(headline="T", bodies=[{"contentType": "text/html", "value": HOSTILE}])
    assert item.body_html == "<p><b>Rabat</b> &amp; <i>Fès</i> : l’essor&nbsp;!</p>"


# --------------------------------------------------------------------------- #
# NewsML-G2 (with NITF inside), NITF, RSS
# --------------------------------------------------------------------------- #

G2 = """<?xml version="1.0" encoding="UTF-8"?>
<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="urn:x:g2" version="1"
  standard="NewsML-G2" standardversion="2.29" conformance="power" xml:lang="fr">
 <catalogRef href="http://www.iptc.org/std/catalog/catalog.IPTC-G2-Standards_37.xml"/>
 <rightsInfo><copyrightHolder><name>{h}</name></copyrightHolder>
   <copyrightNotice>{h}</copyrightNotice></rightsInfo>
 <itemMeta><itemClass qcode="ninat:text"/><provider qcode="nprov:X"/>
   <versionCreated>2026-03-01T09:00:00Z</versionCreated><pubStatus qcode="stat:usable"/>
   <edNote>{h}</edNote></itemMeta>
 <contentMeta>
  <headline>{h}</headline>
  <headline role="sub">{h}</headline>
  <description role="caption">{h}</description>
  <by>{h}</by>
  <dateline>{h}</dateline>
  <slugline>{h}</slugline>
  <keyword>{h}</keyword>
  <creditline>{h}</creditline>
  <subject type="cpnat:abstract" qcode="medtop:01000000"><name>{h}</name></subject>
 </contentMeta>
 <contentSet><inlineXML contenttype="application/nitf+xml">
  <nitf xmlns="http://iptc.org/std/NITF/2006-10-18/"><body><body.head>
   <byline>{h}</byline><abstract>{h}</abstract></body.head>
   <body.content><p>{h}</p></body.content></body></nitf>
 </inlineXML></contentSet>
</newsItem>"""


def test_newsml_g2_plain_text_fields() -> None:
    item = parse_bytes(G2.format(h=escape(HOSTILE)).encode()).items[0]
    for attribute in ("headline", "subheadline", "byline", "dateline", "slugline", "copyright"):
        assert_text(getattr(item, attribute))
    assert item.credit == CLEAN
    assert item.keywords == [CLEAN]
    assert [s.name for s in item.subjects] == [CLEAN]
    assert item.ednote == CLEAN
    # The body is XML: the escaped markup in its paragraph is text there, and stays text.
    assert "<script" not in item.body_html and "<img" not in item.body_html


NITF_IN_NINJS = """<nitf><head><title>{h}</title></head><body><body.head>
<hedline><hl2>{h}</hl2></hedline><byline><person>{h}</person></byline>
<dateline>{h}</dateline></body.head><body.content><p>Texte.</p></body.content></body></nitf>"""


def test_nitf_plain_text_fields() -> None:
    nitf = NITF_IN_NINJS.format(h=escape(HOSTILE))
    item = ninjs(bodies=[{"contentType": "application/nitf+xml", "value": nitf}])
    assert_text(item.byline)
    assert_text(item.dateline)


RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel>
<title>{h}</title><copyright>{h}</copyright>
<item><guid>urn:x:rss</guid><title>{h}</title><author>{h}</author>
<category>{h}</category><description>{h}</description>
<media:content url="https://x.example/p.jpg" medium="image"/><media:credit>{h}</media:credit>
</item></channel></rss>"""


def test_rss_plain_text_fields() -> None:
    item = parse_bytes(RSS.format(h=escape(HOSTILE)).encode()).items[0]
    assert_text(item.headline)
    assert_text(item.copyright)
    assert_text(item.credit)
    assert_text(item.provider)
    assert item.keywords == [CLEAN]
    # (feedparser files media:description under the entry's summary.)
    assert [photo.credit for photo in item.photos] == [CLEAN]
    assert "alert" not in item.body_html and "<script" not in item.body_html
