"""Wire parsers against the IPTC sample files (copied in ``samples/``) and bad input.

Plain functions, no database, no Django: run them with
``python -m pytest -p no:django lede/wires/tests``.
"""

from __future__ import annotations

import filecmp
import json
import re
import threading
from datetime import UTC, datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from lede.wires import parsers
from lede.wires.parsers import ParseError, ParseResult, WireItem, parse_bytes, parse_file
from lede.wires.parsers.markup import html_string_to_html, sanitize_html, text_to_html
from lede.wires.parsers.text import (
    language_code,
    parse_datetime,
    qcode_from_uri,
    repair_mojibake,
)

SAMPLES = Path(__file__).resolve().parent / "samples"
SHARED_SAMPLES = Path(__file__).resolve().parents[3].parent / "shared" / "wire-samples"
G2_NS = "http://iptc.org/std/nar/2006-10-01/"


def sample_paths() -> list[str]:
    return sorted(
        str(path.relative_to(SAMPLES))
        for path in SAMPLES.rglob("*")
        if path.suffix in {".xml", ".json"}
    )


def subjects_of(item: WireItem) -> list[tuple[str, str]]:
    return [subject.as_tuple() for subject in item.subjects]


def tz(hours: int) -> timezone:
    return timezone(timedelta(hours=hours))


def assert_clean_html(value: str) -> None:
    """Nothing executable or styled survives, and only allow-listed tags remain."""
    lowered = value.lower()
    for needle in ("<script", "javascript:", "<style", "<iframe", "<img", "<figure", "<h1"):
        assert needle not in lowered, needle
    assert not re.search(r"\son\w+\s*=", lowered), "event handler left in body"
    tags = set(re.findall(r"</?([a-z0-9]+)", lowered))
    allowed = {"p", "h2", "h3", "blockquote", "ul", "ol", "li", "strong", "em", "b", "i", "a", "br"}
    assert tags <= allowed
    for attributes in re.findall(r"<[a-z0-9]+(\s[^>]*)>", lowered):
        assert re.fullmatch(r'\s+href="(https?:|mailto:)[^"]*"', attributes), attributes


# --------------------------------------------------------------------------- #
# The sample files
# --------------------------------------------------------------------------- #

# What each sample must yield: "items" lists, in order, the fields expected for
# every news item; "skipped" the identifiers left aside (with a word of the reason).
EXPECTED: dict[str, dict[str, Any]] = {
    "newsml-g2/LISTING_1_A_NewsML-G2_News_Item.xml": {
        "format": "newsml-g2",
        "items": [
            {
                "guid": "urn:newsml:acmenews.com:20161018:US-FINANCE-FED",
                "version": 11,
                "item_class": "text",
                "headline": 'Fed to halt QE to avert "bubble"',
                "byline": "Meredith Jameson",
                "dateline": "Berlin",
                "located": "Berlin",
                "slugline": "US-Finance-Fed",
                "language": "en",
                "language_tag": "en-GB",
                "subjects": [
                    ("medtop:04000000", "economy, business and finance"),
                    ("medtop:20000523", "labour market"),
                ],
                "urgency": None,
                "copyright": "Copyright 2017-18 Example Enews LLP, all rights reserved",
                "credit": "REUTERS",
                "provider": "REUTERS",
                "pub_status": "usable",
                "embargo": datetime(2018, 10, 23, 12, 0, tzinfo=UTC),
                "first_created": datetime(2016, 10, 18, 13, 12, 21, tzinfo=tz(-5)),
                "version_created": datetime(2018, 10, 21, 16, 25, 32, tzinfo=tz(-5)),
                "body_html": "",  # the inlineXML holds comments only
                "photos": 0,
            }
        ],
        "skipped": [],
    },
    "newsml-g2/LISTING_24_News_Message_conveying_a_complete_News_Package.xml": {
        "format": "newsml-g2",
        "items": [
            {"guid": guid, "version": 1, "headline": "", "language": "", "credit": ""}
            for guid in ("N1", "N2", "N3", "N4")
        ],
        "skipped": [("packageItem", "guid")],
    },
    "newsml-g2/LISTING_25_An_NITF_marked-up_article_conveyed_in_inlineXML.xml": {
        "format": "newsml-g2",
        "items": [],
        "skipped": [("contentSet", "fragment")],
    },
    "newsml-g2/LISTING_28_Illustrating_Located_Subject_and_Dateline.xml": {
        "format": "newsml-g2",
        "items": [],
        "skipped": [("contentMeta", "fragment")],
    },
    "newsml-g2/LISTING_3_Photo_in_NewsML-G2.xml": {
        "format": "newsml-g2",
        "items": [
            {
                "guid": "tag:gettyimages.com,2010:GYI0062134533",
                "version": 11,
                "item_class": "picture",
                "headline": "Variety Of Recessionary Forces Leave Las Vegas Economy Scarred",
                "byline": "Spencer Platt",
                "dateline": "",
                "language": "en",
                "language_tag": "en-US",
                "subjects": [
                    ("gyimeid:104530187", ""),
                    ("medtop:20000523", "labour market"),
                    ("medtop:20000533", "unemployment"),
                    ("", "Las Vegas Boulevard"),
                    ("gycon:89109", "Las Vegas"),
                ],
                "keywords": [
                    "business",
                    "economic",
                    "economy",
                    "finance",
                    "poor",
                    "poverty",
                    "gamble",
                ],
                "urgency": None,
                "copyright": (
                    "Copyright 2010 Getty Images. -- "
                    "http://www.gettyimages.com/Corporate/LicenseInfo.aspx"
                ),
                "credit": "Getty Images",
                "provider": "Getty Images Inc.",
                "pub_status": "usable",
                "first_created": datetime(2010, 10, 20, 20, 58, tzinfo=UTC),
                "version_created": datetime(2018, 10, 12, 6, 42, 4, tzinfo=UTC),
                "photos": 3,
            }
        ],
        "skipped": [],
    },
    "newsml-g2/LISTING_6_Simple_NewsML-G2_Package.xml": {
        "format": "newsml-g2",
        "items": [
            {
                "guid": "tag:example.com,2008:UK-NEWS-TOPTEN:UK20081220098658",
                "version": 11,
                "item_class": "composite",
                "headline": "UK",
                "byline": "",
                "language": "en",
                "urgency": None,
                "copyright": "",
                "credit": "AcmeNews",
                "provider": "AcmeNews",
                "pub_status": "usable",
                "first_created": datetime(2008, 12, 20, 12, 25, 35, tzinfo=UTC),
                "version_created": datetime(2018, 11, 17, 12, 30, tzinfo=UTC),
                "ednote": "Updates the previous version",
                "associations": [
                    "urn:newsml:iptc.org:20081007:tutorial-item-A",
                    "urn:newsml:iptc.org:20081007:tutorial\u2014item-B",
                ],
            }
        ],
        "skipped": [],
    },
    "newsml-g2/ap_metadata_example.xml": {
        "format": "newsml-g2",
        "items": [
            {
                "guid": "tag:example.com,2008:407624",
                "version": 11,
                "item_class": "video",
                "headline": "",
                "language": "en",
                # Subject names come from the <assert> elements at the end of the file.
                "subjects": [
                    ("apgeography:2f6e294082b310048474df092526b43e", "Kentucky"),
                    ("apperson:4e7a7c0fdad04d8880888ae63a083c36", "Keegan Murray"),
                    ("apcompany:b406375ae52c4b41b8bdd341760f2768", "Volkswagen AG"),
                ],
                "subject_kinds": ["geoArea", "person", "organisation"],
                "urgency": None,
                "copyright": "",
                "credit": "AP",
                "provider": "AP",
                "version_created": datetime(2022, 4, 8, 12, 0, tzinfo=UTC),
            }
        ],
        "skipped": [],
    },
    "newsml-g2/businesswire-newsml-20130515006361.xml": {
        "format": "newsml-1",
        "items": [
            {
                "guid": "urn:newsml:businesswire.com:20010714:20130515006361",
                "version": 1,
                "item_class": "text",
                "headline": (
                    "Dell Redefines Workstation Computing Boundaries with Smallest Tower "
                    "and Most Powerful Rack Workstations"
                ),
                "byline": "",
                "dateline": "ROUND ROCK, Texas",
                "slugline": "TX-DELL",
                "language": "en",
                "subjects": [],
                "urgency": None,
                "copyright": "Copyright Business Wire 2013",
                "credit": "Business Wire",
                "provider": "Business Wire",
                "pub_status": "usable",
                "first_created": datetime(2013, 5, 16, 4, 1, tzinfo=UTC),
                "version_created": datetime(2013, 5, 16, 4, 1, tzinfo=UTC),
                "associations": ["businesswire.com:20010714:10000001"],
                "photos": 8,  # two pictures in four renditions each; the logo is left out
            }
        ],
        "skipped": [],
    },
    "newsml-g2/businesswire-newsml-20130605006126.xml": {
        "format": "newsml-1",
        "items": [
            {
                "guid": "urn:newsml:businesswire.com:20010714:20130605006126",
                "version": 1,
                "headline": "Cambrios被Gartner評選為「最酷供應商」",
                "byline": "",
                "dateline": "加州桑尼維爾",
                "slugline": "CA-CAMBRIOS-TECHNOLOGIES",
                "language": "zh",
                "urgency": None,
                "copyright": "Copyright Business Wire 2013",
                "credit": "Business Wire",
                "first_created": datetime(2013, 6, 5, 21, 0, tzinfo=UTC),
                "photos": 0,  # the only image is the company logo
            }
        ],
        "skipped": [],
    },
    "ninjs/20231008-anti-doping-measures-at-the-tour-down-under-will-be-the-toughest-ever"
    "-addb-ninjs-nitf.json": {
        "format": "ninjs",
        "items": [
            {
                "guid": (
                    "https://antidopingdatabase.com/news/"
                    "anti-doping-measures-at-the-tour-down-under-will-be-the-toughest-ever"
                ),
                "version": 2,
                "item_class": "text",
                "headline": (
                    "Anti-doping measures at the 'Tour Down Under' will be the toughest ever"
                ),
                "byline": "Trond Husø, The Anti-Doping Database",
                "dateline": "Oslo, Norway",
                "located": "Oslo, Norway",
                "language": "en",
                "subjects": [
                    ("medtop:15000000", "Sport"),
                    ("medtop:20001105", "drug abuse in sport"),
                    ("medtop:20000892", "Cycling"),
                ],
                "urgency": 4,
                # ninjs gives no copyright: it is read from the NITF body's docdata.
                "copyright": "The Anti-Doping Database",
                "credit": "",
                "pub_status": "usable",
                "version_created": datetime(2023, 10, 8, 2, 34, 3, tzinfo=tz(2)),
            }
        ],
        "skipped": [],
    },
    "ninjs/ap_image.json": {
        "format": "ninjs",
        "items": [
            {
                "guid": (
                    "http://api.ap.org/media/v/content/b2b6c3f4642f46deac7509d4db315ca0"
                    "?qt=H1Kdh42orF&et=0a1aza3c0"
                ),
                "version": 0,
                "item_class": "picture",
                "headline": "Turkey Islamic State",
                "byline": "",
                "dateline": "",
                "language": "en",
                "urgency": 5,
                "copyright": "",
                "credit": "ASSOCIATED PRESS",
                "pub_status": "usable",
                "ednote": "TURKEY OUT NOV. 11, 2019 FILE PHOTO",
                "first_created": datetime(2019, 11, 15, 13, 39, 59, tzinfo=UTC),
                "version_created": datetime(2019, 11, 15, 14, 39, 44, tzinfo=UTC),
                "photos": 3,  # the NITF caption "rendition" is not a picture
            }
        ],
        "skipped": [],
    },
    "ninjs/businesswire-newsml-20130605006126.json": {
        "format": "ninjs",
        "items": [
            {
                "guid": "http://www.businesswire.com/news/home/20130605006126/zh",
                "version": 1,
                "headline": "Cambrios被Gartner評選為「最酷供應商」",
                "byline": "",
                "language": "zh",
                "urgency": None,
                "copyright": "",
                "credit": "",
                "version_created": datetime(2013, 6, 5, 21, 0, tzinfo=UTC),
                "body_html": (
                    "<p>(美國商業資訊)--為透明及軟性導體市場提供銀奈米線解決方案的領導廠商"
                    "Cambrios Technologies Corporation今天宣布，該公司最近被Gartner評選為"
                    "「最酷供應商」(Cool Vendor)。</p>"
                ),
            }
        ],
        "skipped": [],
    },
    "ninjs/dpa_text.json": {
        "format": "ninjs",
        "items": [
            {
                "guid": "urn:newsml:dpa.com:20090101:190510-99-167362",
                "version": 2,
                "headline": "Faktencheck Derby-Elfmeter: Hat Schiedsrichter Zwayer recht?",
                "byline": "Von Christian Hollmann, dpa",
                "dateline": "",
                "language": "de",
                "subjects": [],
                "urgency": 4,
                "copyright": "Copyright 2019, dpa (www.dpa.de). Alle Rechte vorbehalten",
                "credit": "dpa",
                "provider": "dpa",
                "pub_status": "usable",
                "version_created": datetime(2019, 5, 10, 16, 2, 28, tzinfo=tz(2)),
            }
        ],
        "skipped": [],
    },
    "ninjs/imageLinkedRights.json": {
        "format": "ninjs",
        "items": [
            {
                "guid": "http://example.agency.com/item/TG346285",
                "version": 1,
                "item_class": "picture",
                "headline": "MotoGP - Spain - Valentino Rossi",
                "byline": "John Smith",
                "language": "",
                "urgency": None,
                "copyright": "",
                "credit": "",
                "version_created": datetime(2013, 7, 8, 8, 12, tzinfo=UTC),
                "photos": 2,
            }
        ],
        "skipped": [],
    },
    "ninjs/ninjsExSimpleText_3.json": {
        "format": "ninjs",
        "items": [
            {
                "guid": "http://ninjs.example.com/newsitems/20130709simp123",
                "version": 1,
                "item_class": "text",
                "headline": "Captain of wrecked cruise ship on trial in Italy",
                "byline": "Paulo Santalucia and Frances d'Emilio",
                "language": "",
                "urgency": None,
                "copyright": "",
                "version_created": datetime(2013, 7, 9, 10, 37, tzinfo=UTC),
            }
        ],
        "skipped": [],
    },
    "ninjs/ntb_text.json": {
        "format": "ninjs",
        "items": [
            {
                "guid": "urn:8d19cf88-b3ab-4972-8fec-1207599f2872",
                "version": 6,
                "headline": "Google har kjøpt giganttomt i Skien",
                "subheadline": (
                    "IT-giganten Google har kjøpt en tomt på nærmere 2.000 mål i Skien i "
                    "tilfelle det blir behov for flere datasentre i Europa."
                ),
                "byline": "NTB",
                "language": "nb",
                "language_tag": "nb-NO",
                "subjects": [
                    ("Innenriks", "Innenriks"),
                    ("13010000", "Teknologi"),
                    ("04011000", "Industri"),
                    ("04005000", "Olje og energi"),
                    ("Telemark", "Telemark"),  # a place
                ],
                "urgency": 5,
                "copyright": "NTB",  # the notice is empty: the holder stands in
                "credit": "NTB",
                "slugline": "skien-google",
                "ednote": "Noe utvidet.",
                "first_created": datetime(2019, 8, 9, 9, 30, 4, tzinfo=UTC),
                "version_created": datetime(2019, 8, 9, 9, 46, 53, tzinfo=UTC),
                "body_html": "",  # this item carries a description only
            }
        ],
        "skipped": [],
    },
    "ninjs/tt_text_image_3.json": {
        "format": "ninjs",
        "items": [
            {
                "guid": "http://tt.se/media/text/210526-militarovning-a0f2d045",
                "version": 1,
                "item_class": "text",
                "headline": "Militärövning i jätteformat hålls 2023",
                "byline": "",
                "language": "sv",
                "subjects": [
                    ("http://tt.se/spec/subref/1.0/16000000", "Krig, konflikter och oroligheter"),
                    ("", "Jonas Svensson"),
                    ("", "Aurora"),
                    ("", "Sverige"),
                    ("", "Gotland"),
                    ("", "Finland"),
                ],
                "subject_kinds": ["", "person", "organisation", "geoArea", "geoArea", "geoArea"],
                "urgency": 3,
                "copyright": "TT",
                "credit": "TT",
                "slugline": "militärövning",
                "version_created": datetime(2021, 5, 26, 13, 40, 18, tzinfo=tz(2)),
                "associations": ["http://tt.se/media/image/sdlk2sirkPaauM"],
                "photos": 4,
            }
        ],
        "skipped": [],
    },
}


def test_every_sample_has_expectations() -> None:
    assert sample_paths() == sorted(EXPECTED)


@pytest.mark.skipif(not SHARED_SAMPLES.is_dir(), reason="shared wire samples not mounted")
def test_sample_copies_are_unchanged_and_complete() -> None:
    shared = sorted(
        str(path.relative_to(SHARED_SAMPLES))
        for path in SHARED_SAMPLES.rglob("*")
        if path.suffix in {".xml", ".json"} and not path.name.startswith("ninjs-schema")
    )
    assert shared == sample_paths()
    for name in shared:
        assert filecmp.cmp(SHARED_SAMPLES / name, SAMPLES / name, shallow=False), name
    assert (SAMPLES / "README.md").read_bytes() == (SHARED_SAMPLES / "README.md").read_bytes()


def test_samples_keep_their_credit_notice() -> None:
    assert "IPTC" in (SAMPLES / "README.md").read_text(encoding="utf-8")
    assert "IPTC" in (SAMPLES / "NOTICE.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sample_paths())
def test_sample_parses_to_expected_items(name: str) -> None:
    expected = EXPECTED[name]
    result = parse_file(SAMPLES / name)

    assert isinstance(result, ParseResult)
    assert result.format == expected["format"]
    assert [identifier for identifier, _ in result.skipped] == [
        identifier for identifier, _ in expected["skipped"]
    ]
    for (_, reason), (_, word) in zip(result.skipped, expected["skipped"], strict=True):
        assert word in reason
    assert len(result.items) == len(expected["items"])

    for item, fields in zip(result.items, expected["items"], strict=True):
        assert item.format == expected["format"]
        for field, value in fields.items():
            if field == "subjects":
                assert subjects_of(item) == value
            elif field == "subject_kinds":
                assert [subject.kind for subject in item.subjects] == value
            elif field == "photos":
                assert len(item.photos) == value
            else:
                assert getattr(item, field) == value, field


@pytest.mark.parametrize("name", sample_paths())
def test_sample_items_are_well_formed(name: str) -> None:
    for item in parse_file(SAMPLES / name).items:
        assert item.guid and item.guid == item.guid.strip()
        assert item.pub_status in {"usable", "withheld", "canceled"}
        for moment in (item.embargo, item.first_created, item.version_created):
            assert moment is None or moment.utcoffset() is not None
        assert_clean_html(item.body_html)
        assert "\u00e2\u20ac" not in item.body_html + item.headline + item.subheadline
        for photo in item.photos:
            assert photo.href and photo.guid


def test_newsml_g2_text_item_reads_every_field() -> None:
    item = parse_file(SAMPLES / "newsml-g2/LISTING_1_A_NewsML-G2_News_Item.xml").items[0]
    assert item.ednote.startswith("Note to editors: STRICTLY EMBARGOED.")
    assert item.keywords == []
    assert [s.kind for s in item.subjects] == ["abstract", "abstract"]


def test_newsml_g2_picture_renditions() -> None:
    item = parse_file(SAMPLES / "newsml-g2/LISTING_3_Photo_in_NewsML-G2.xml").items[0]
    assert [(p.rendition, p.width, p.height, p.mimetype) for p in item.photos] == [
        ("highRes", 1500, 1001, "image/jpeg"),
        ("web", 480, 320, "image/jpeg"),
        ("thumb", 80, 53, "image/gif"),
    ]
    best = item.best_photo()
    assert best is not None
    assert best.href == "./GYI0062134533.jpg"
    assert not best.is_remote  # relative in the file: the caller must resolve it
    assert best.credit == "Getty Images"
    assert best.caption.startswith("A general view of part of downtown, including Las Vegas")
    assert best.caption.endswith("(Photo by Spencer Platt/Getty Images)")
    assert item.subheadline == best.caption


def test_newsml_1_business_wire_release() -> None:
    path = SAMPLES / "newsml-g2/businesswire-newsml-20130515006361.xml"
    item = parse_file(path).items[0]
    # The file is UTF-8 that was once decoded as Windows-1252 ("Dellâ€™s"): repaired.
    assert item.subheadline.splitlines() == [
        "Offering powerful workstation performance at near desktop PC prices, the new Dell "
        "Precision T1700 Small-Form Factor and Mini-Tower are the smallest workstations in "
        "their class",
        "Dell Precision rack workstation delivers new virtualization capabilities, increased "
        "performance and enhanced remote accessibility",
        "Updated workstation portfolio further reinforces Dell’s leadership in providing "
        "secure, manageable and reliable commercial PC solutions",
    ]
    assert item.body_html.startswith('<p><a href="http://www.dell.com">Dell</a> today announced')
    assert "the world’s most powerful rack workstation" in item.body_html
    assert "<b>Pricing &amp; Availability:</b>" in item.body_html
    assert "Texas" in item.keywords and "Photo/Multimedia" in item.keywords
    assert len({photo.guid for photo in item.photos}) == 2
    best = item.best_photo()
    assert best is not None
    assert best.href == "http://mms.businesswire.com/media/newsItemId/en/369394/5/0025lf.jpg"
    assert (best.width, best.height, best.rendition) == (2055, 2064, "Highres")
    assert best.caption.endswith("regardless of space constraints. (Photo: Business Wire)")
    assert all("dell_blue_rgb" not in photo.href for photo in item.photos)  # the logo


def test_newsml_1_chinese_release_body() -> None:
    path = SAMPLES / "newsml-g2/businesswire-newsml-20130605006126.xml"
    item = parse_file(path).items[0]
    assert item.body_html.startswith("<p>(美國商業資訊)--為透明及軟性導體市場提供銀奈米線")
    assert "<p><b>關於Cambrios</b></p>" in item.body_html
    assert "bwct31415" not in item.body_html and "<span" not in item.body_html
    assert "Nanotechnology" in item.keywords


def test_ninjs_picture_item() -> None:
    item = parse_file(SAMPLES / "ninjs/ap_image.json").items[0]
    assert item.subjects[0].as_tuple() == ("i", "International News")
    assert ("http://cv.ap.org/id/661e09b87d5b10048287c076b8e3055c", "Turkey") in subjects_of(item)
    assert {s.kind for s in item.subjects} == {"", "organisation", "geoArea"}
    assert [p.rendition for p in item.photos] == ["main", "preview", "thumbnail"]
    main = item.photos[0]
    assert (main.width, main.height, main.mimetype) == (3000, 2208, "image/jpeg")
    assert main.credit == "ASSOCIATED PRESS"
    assert main.caption.startswith("FILE - In this Monday, Nov. 11, 2019 file photo")
    assert main.guid == item.guid


def test_ninjs_linked_rights_picture() -> None:
    item = parse_file(SAMPLES / "ninjs/imageLinkedRights.json").items[0]
    assert [(p.rendition, p.width, p.height, p.credit) for p in item.photos] == [
        ("main", 512, 342, "John Smith"),
        ("small", 450, 300, "John Smith"),
    ]
    assert item.photos[0].caption.startswith("Valentino Rossi (46) of Italy")


def test_ninjs_text_with_associated_picture() -> None:
    item = parse_file(SAMPLES / "ninjs/tt_text_image_3.json").items[0]
    # The HTML body is used; its <h1> repeats the headline and its <figure> is the
    # associated picture: neither is kept in the text.
    assert item.headline not in item.body_html
    assert "Arkivbild" not in item.body_html
    assert item.body_html.count("<blockquote>") == 2
    assert '<a href="https://www.sydostran.se/nyheter/' in item.body_html
    assert {photo.guid for photo in item.photos} == {"http://tt.se/media/image/sdlk2sirkPaauM"}
    assert {photo.credit for photo in item.photos} == {"Karl Melander/TT"}
    best = item.best_photo()
    assert best is not None and (best.width, best.height) == (4724, 3149)
    assert best.caption.startswith("En stor internationell försvarsövning planeras 2023")


def test_ninjs_html_body_preferred_to_plain_text() -> None:
    item = parse_file(SAMPLES / "ninjs/ninjsExSimpleText_3.json").items[0]
    assert item.body_html.count("<p>") == 4
    assert item.body_html.startswith("<p>GROSSETO, Italy (AP) -- The trial of the captain")


def test_ninjs_nitf_body() -> None:
    name = next(n for n in EXPECTED if n.endswith("addb-ninjs-nitf.json"))
    item = parse_file(SAMPLES / name).items[0]
    assert item.subheadline.startswith("The Australian Sports Anti-Doping Authority (ASADA)")
    assert item.body_html.startswith("<p>The Australian Sports Anti-Doping Authority")
    assert "Launch of the UCI’s Biological Passport Program" in item.body_html
    assert item.body_html.count("<p>") == 18  # 1 lead + 17 in the content block


def test_dpa_body_paragraphs() -> None:
    item = parse_file(SAMPLES / "ninjs/dpa_text.json").items[0]
    assert item.body_html.count("<p>") == 9
    assert item.body_html.startswith("<p>Für Lucien Favre war es «der größte Skandal")


def test_newsml_g2_fragments_read_when_wrapped_in_an_item() -> None:
    """The IPTC listings 25 and 28 are parts of an item: inside one, they are read."""

    def wrap(name: str) -> WireItem:
        fragment = (SAMPLES / name).read_text(encoding="utf-8")
        data = f'<newsItem xmlns="{G2_NS}" guid="urn:test:wrapped" version="1">{fragment}'
        result = parse_bytes(f"{data}</newsItem>".encode())
        assert result.skipped == []
        return result.items[0]

    item = wrap("newsml-g2/LISTING_25_An_NITF_marked-up_article_conveyed_in_inlineXML.xml")
    assert item.headline == (
        "Arizona Diamondbacks (29-23) at Philadelphia Phillies (26-24), 7:05p.m."
    )
    assert item.byline == "Sports Network"
    assert item.subheadline.startswith("A pair of teams coming off big weekend sweeps")
    assert item.body_html.startswith("<p>(Sports Network) - With the Philadelphia Phillies")
    assert item.body_html.count("<p>") == 1

    item = wrap("newsml-g2/LISTING_28_Illustrating_Located_Subject_and_Dateline.xml")
    assert item.dateline == "MOSCOW, Monday (Reuters)"
    assert item.language == "en" and item.language_tag == "en-US"
    assert item.byline == "Thomson Reuters"
    assert subjects_of(item) == [("city:Tskhinvali", ""), ("city:Tblisi", "")]
    assert [s.kind for s in item.subjects] == ["geoArea", "geoArea"]


# --------------------------------------------------------------------------- #
# NewsML-G2 beyond the samples
# --------------------------------------------------------------------------- #

AFP_ITEM = f"""<?xml version="1.0" encoding="UTF-8"?>
<newsItem xmlns="{G2_NS}" guid="urn:newsml:afp.com:20240610:TX-PAR-ABC12" version="3"
    standard="NewsML-G2" standardversion="2.29" xml:lang="fr">
  <rightsInfo>
    <copyrightHolder uri="http://www.afp.com"><name>AFP</name></copyrightHolder>
    <copyrightNotice>Copyright AFP 2024, tous droits réservés</copyrightNotice>
  </rightsInfo>
  <itemMeta>
    <itemClass qcode="ninat:text"/>
    <provider qcode="nprov:AFP"><name>Agence France-Presse</name></provider>
    <versionCreated>2024-06-10T08:15:00+02:00</versionCreated>
    <firstCreated>2024-06-10T07:00:00+02:00</firstCreated>
    <embargoed>2024-06-10T12:00:00+02:00</embargoed>
    <pubStatus qcode="stat:withheld"/>
  </itemMeta>
  <contentMeta>
    <urgency>2</urgency>
    <located qcode="geo:rabat">
      <name xml:lang="en">Rabat</name><name xml:lang="fr">Rabat (Maroc)</name>
    </located>
    <language tag="fr-FR"/>
    <subject type="cpnat:abstract" qcode="medtop:11000000">
      <name xml:lang="en">politics</name><name xml:lang="fr">politique</name>
    </subject>
    <subject type="cpnat:abstract" uri="http://cv.iptc.org/newscodes/mediatopic/04000000">
      <name xml:lang="fr">économie</name>
    </subject>
    <keyword>diplomatie</keyword><keyword>Maroc</keyword>
    <slugline>Maroc-diplomatie</slugline>
    <headline>Le Maroc et l'Espagne signent un accord</headline>
    <headline role="hdl:subheadline">Un texte attendu depuis deux ans</headline>
    <by>Amina Berrada</by>
    <dateline>RABAT, 10 juin 2024 (AFP)</dateline>
    <creditline>AFP</creditline>
  </contentMeta>
  <contentSet>
    <inlineXML contenttype="application/nitf+xml">
      <nitf xmlns="http://iptc.org/std/NITF/2006-10-18/"><body>
        <body.head><hedline><hl1>Le Maroc et l'Espagne signent un accord</hl1></hedline>
        </body.head>
        <body.content>
          <p>Premier paragraphe.</p>
          <hl2>Un intertitre</hl2>
          <p onclick="steal()">Deuxième <em>paragraphe</em>
            <a href="javascript:alert(1)">piège</a> <a href="https://www.afp.com">lien</a>.</p>
          <media media-type="image"><media-reference source="x.jpg"/></media>
          <bq><block><p>Une citation.</p></block></bq>
          <table><tr><td>Rabat</td><td>12</td></tr></table>
        </body.content>
      </body></nitf>
    </inlineXML>
  </contentSet>
</newsItem>
"""


def test_newsml_g2_nitf_text_item() -> None:
    result = parse_bytes(AFP_ITEM.encode("utf-8"), filename="afp.xml")
    assert result.warnings == []
    item = result.items[0]
    assert item.guid == "urn:newsml:afp.com:20240610:TX-PAR-ABC12"
    assert item.version == 3
    assert item.headline == "Le Maroc et l'Espagne signent un accord"
    assert item.subheadline == item.standfirst == "Un texte attendu depuis deux ans"
    assert item.byline == "Amina Berrada"
    assert item.dateline == "RABAT, 10 juin 2024 (AFP)"
    assert item.located == "Rabat (Maroc)"  # the name in the item's language
    assert (item.language, item.language_tag) == ("fr", "fr-FR")
    assert subjects_of(item) == [("medtop:11000000", "politique"), ("medtop:04000000", "économie")]
    assert item.keywords == ["diplomatie", "Maroc"]
    assert item.urgency == 2
    assert item.copyright == "Copyright AFP 2024, tous droits réservés"
    assert (item.credit, item.provider) == ("AFP", "Agence France-Presse")
    assert item.pub_status == "withheld"
    assert item.embargo == datetime(2024, 6, 10, 10, 0, tzinfo=UTC)
    assert item.body_html == (
        "<p>Premier paragraphe.</p>\n"
        "<h2>Un intertitre</h2>\n"
        '<p>Deuxième <em>paragraphe</em> <a>piège</a> <a href="https://www.afp.com">lien</a>.</p>\n'
        "<blockquote><p>Une citation.</p></blockquote>\n"
        "<p>Rabat | 12</p>"
    )


@pytest.mark.parametrize(
    ("qcode", "status"),
    [("stat:usable", "usable"), ("stat:withheld", "withheld"), ("stat:canceled", "canceled")],
)
def test_newsml_g2_pub_status(qcode: str, status: str) -> None:
    data = AFP_ITEM.replace('qcode="stat:withheld"', f'qcode="{qcode}"')
    assert parse_bytes(data.encode()).items[0].pub_status == status


def test_newsml_g2_xhtml_and_plain_text_bodies() -> None:
    xhtml = f"""<newsItem xmlns="{G2_NS}" guid="urn:x:1" version="2">
      <contentMeta><headline>Titre</headline></contentMeta>
      <contentSet><inlineXML contenttype="application/xhtml+xml">
        <html xmlns="http://www.w3.org/1999/xhtml"><head><title>Titre</title>
          <script>alert("head")</script></head>
          <body><h1>Titre</h1><p style="color:red" onmouseover="x()">Un
            <strong>texte</strong><script>alert(1)</script></p>
            <ul><li>un</li><li><a href="mailto:desk@example.com">deux</a></li></ul>
            <img src="http://example.com/x.jpg" onerror="alert(1)"/>
            <iframe src="https://evil.example.com"></iframe>
            <p><a href="JaVaScRiPt:alert(1)">x</a><a href="data:text/html,x">y</a></p>
          </body></html>
      </inlineXML></contentSet></newsItem>"""
    item = parse_bytes(xhtml.encode()).items[0]
    assert item.body_html == (
        "<p>Un <strong>texte</strong></p>\n"
        '<ul><li>un</li>\n<li><a href="mailto:desk@example.com">deux</a></li></ul>\n'
        "<p><a>x</a><a>y</a></p>"
    )
    assert_clean_html(item.body_html)

    plain = f"""<newsItem xmlns="{G2_NS}" guid="urn:x:2" version="1">
      <contentSet><inlineData contenttype="text/plain">Premier paragraphe
sur deux lignes.

Second &lt;paragraphe&gt; &amp; fin.</inlineData></contentSet></newsItem>"""
    item = parse_bytes(plain.encode()).items[0]
    assert item.body_html == (
        "<p>Premier paragraphe sur deux lignes.</p>\n<p>Second &lt;paragraphe&gt; &amp; fin.</p>"
    )


def test_newsml_g2_concept_planning_and_knowledge_items_are_skipped() -> None:
    message = f"""<?xml version="1.0" encoding="UTF-8"?>
<newsMessage xmlns="{G2_NS}">
  <header><sent>2024-06-10T08:00:00Z</sent></header>
  <itemSet>
    <conceptItem guid="urn:concept:1" version="1"/>
    <knowledgeItem guid="urn:knowledge:1" version="1"/>
    <planningItem guid="urn:planning:1" version="1"/>
    <newsItem guid="urn:news:1" version="4">
      <contentMeta><headline>Une vraie dépêche</headline></contentMeta>
    </newsItem>
    <newsItem version="1"><contentMeta><headline>Sans guid</headline></contentMeta></newsItem>
    <newsItem guid="urn:news:2" version="douze"/>
    <catalog/>
  </itemSet>
</newsMessage>"""
    result = parse_bytes(message.encode())
    assert [(item.guid, item.version, item.headline) for item in result.items] == [
        ("urn:news:1", 4, "Une vraie dépêche")
    ]
    skipped = dict(result.skipped)
    assert list(skipped) == [
        "urn:concept:1",
        "urn:knowledge:1",
        "urn:planning:1",
        "newsItem",
        "urn:news:2",
        "catalog",
    ]
    assert "concept" in skipped["urn:concept:1"]
    assert "vocabulaire" in skipped["urn:knowledge:1"]
    assert "planification" in skipped["urn:planning:1"] or "prévision" in skipped["urn:planning:1"]
    assert "guid" in skipped["newsItem"]
    assert "version" in skipped["urn:news:2"]
    assert "catalogue" in skipped["catalog"]


@pytest.mark.parametrize("root", ["conceptItem", "knowledgeItem", "planningItem"])
def test_newsml_g2_non_news_root_is_skipped(root: str) -> None:
    data = f'<{root} xmlns="{G2_NS}" guid="urn:{root}:7" version="1"><itemMeta/></{root}>'
    result = parse_bytes(data.encode())
    assert result.items == []
    assert len(result.skipped) == 1
    identifier, reason = result.skipped[0]
    assert identifier == f"urn:{root}:7"
    assert root in reason and "pas une dépêche" in reason


def test_newsml_g2_in_latin1_and_utf16() -> None:
    for encoding in ("iso-8859-1", "utf-16"):
        data = (
            f'<?xml version="1.0" encoding="{encoding}"?>'
            f'<newsItem xmlns="{G2_NS}" guid="urn:x:enc" version="1">'
            "<contentMeta><headline>Réforme des retraites : l'été chaud</headline>"
            "</contentMeta></newsItem>"
        ).encode(encoding)
        item = parse_bytes(data).items[0]
        assert item.headline == "Réforme des retraites : l'été chaud"


def test_external_dtd_is_not_fetched() -> None:
    """The DTD is served on loopback: parsing is synchronous, so a fetch would
    have reached the server before ``parse_bytes`` returned."""
    requests: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'<!ENTITY leak "fetched">')

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/newsml.dtd"
        data = (
            f'<?xml version="1.0"?><!DOCTYPE newsItem SYSTEM "{url}">'
            f'<newsItem xmlns="{G2_NS}" guid="urn:x:dtd" version="1"/>'
        ).encode()
        assert parse_bytes(data).items[0].guid == "urn:x:dtd"
    finally:
        server.shutdown()
        server.server_close()
    assert requests == []


# --------------------------------------------------------------------------- #
# ninjs beyond the samples
# --------------------------------------------------------------------------- #


def test_ninjs_1x_legacy_properties() -> None:
    data = b"""{
      "uri": "urn:ap:legacy:1", "type": "text", "version": "2",
      "versioncreated": "2014-01-01T10:00:00Z", "embargoed": "2014-01-02T00:00:00+01:00",
      "pubstatus": "usable", "urgency": "3",
      "copyrightnotice": "Copyright 2014 AP", "copyrightholder": "AP",
      "language": "en-US", "headline": "Legacy headline", "byline": "John Doe",
      "located": "NEW YORK", "description_text": "A summary",
      "body_html": "<p>Body <script>alert(1)</script><img src=x onerror=alert(1)></p>",
      "subject": [{"name": "politics", "scheme": "http://cv.iptc.org/newscodes/mediatopic/",
                   "code": "11000000"}],
      "person": [{"name": "Jane Roe"}],
      "keywords": ["vote", "", "vote", "senate"],
      "renditions": {"main": {"href": "https://ex.com/1.xml", "mimetype": "text/xml"}},
      "associations": {"featureimage": {
          "uri": "urn:ap:pic:1", "type": "picture", "byline": "Photographer",
          "description_text": "Caption",
          "renditions": {"original": {"href": "https://ex.com/pic1.jpg",
                                      "mimetype": "image/jpeg", "width": 2000, "height": 1000}}
      }}
    }"""
    result = parse_bytes(data)
    assert result.warnings == []
    item = result.items[0]
    assert (item.version, item.urgency, item.pub_status) == (2, 3, "usable")
    assert item.headline == "Legacy headline"
    assert item.subheadline == "A summary"
    assert (item.byline, item.dateline, item.language) == ("John Doe", "NEW YORK", "en")
    assert (item.copyright, item.credit) == ("Copyright 2014 AP", "AP")
    assert item.embargo == datetime(2014, 1, 1, 23, 0, tzinfo=UTC)
    assert item.body_html == "<p>Body</p>"
    assert [(s.code, s.name, s.kind) for s in item.subjects] == [
        ("medtop:11000000", "politics", ""),
        ("", "Jane Roe", "person"),
    ]
    assert item.keywords == ["vote", "senate"]
    assert item.associations == ["urn:ap:pic:1"]
    assert [(p.href, p.rendition, p.caption, p.credit, p.guid) for p in item.photos] == [
        ("https://ex.com/pic1.jpg", "original", "Caption", "Photographer", "urn:ap:pic:1")
    ]


def test_ninjs_2x_lowercase_arrays_and_plain_text_body() -> None:
    data = """{
      "uri": "urn:afp:2x:1", "type": "text", "versioncreated": "2020-03-01T12:00:00+01:00",
      "pubstatus": "canceled", "language": "fr", "by": "Karim Tazi",
      "copyright_notice": "AFP 2020", "altids": {"afp": "123"},
      "headlines": [{"role": "main", "value": "Titre principal"},
                    {"role": "sub", "value": "Sous-titre"}],
      "bodies": [{"role": "text", "contenttype": "text/plain",
                  "value": "Para 1.\\n\\nPara <2> & co."}],
      "subjects": [{"name": "santé", "uri": "http://cv.iptc.org/newscodes/mediatopic/07000000"}],
      "places": [{"name": "Casablanca"}]
    }""".encode()
    item = parse_bytes(data).items[0]
    assert item.headline == "Titre principal"
    assert item.subheadline == "Sous-titre"
    assert item.pub_status == "canceled"
    assert item.copyright == "AFP 2020"
    assert item.byline == "Karim Tazi"
    assert item.body_html == "<p>Para 1.</p>\n<p>Para &lt;2&gt; &amp; co.</p>"
    assert [(s.code, s.name, s.kind) for s in item.subjects] == [
        ("medtop:07000000", "santé", ""),
        ("", "Casablanca", "geoArea"),
    ]


def test_ninjs_invalid_fields_are_ignored_with_warnings() -> None:
    data = b"""{"uri": "urn:x:lenient", "headlines": "not a list", "headline": "Repli",
               "urgency": 42, "version": "v2", "versionCreated": "yesterday",
               "pubStatus": "draft", "by": {"name": "x"}}"""
    result = parse_bytes(data)
    item = result.items[0]
    assert item.headline == "Repli"
    assert (item.urgency, item.version, item.version_created) == (None, 1, None)
    assert item.pub_status == "usable"
    assert item.byline == ""
    assert len(result.warnings) == 6


def test_ninjs_script_in_html_body_is_removed() -> None:
    html = (
        '<div onload="x()"><p>Texte <b>gras</b></p><script>document.cookie</script>'
        "<style>p{}</style>"
        '<p><a href="javascript:alert(1)" onclick="y">a</a> '
        '<a href="https://ok.example" target="_blank">b</a></p>'
        "<svg onload=alert(1)><circle/></svg></div>"
    )
    data = json.dumps(
        {
            "uri": "urn:x:xss",
            "headlines": [{"value": "T"}],
            "bodies": [{"contentType": "text/html", "value": html}],
        }
    ).encode()
    item = parse_bytes(data).items[0]
    assert item.body_html == (
        '<p>Texte <b>gras</b></p>\n<p><a>a</a> <a href="https://ok.example">b</a></p>'
    )
    assert_clean_html(item.body_html)


@pytest.mark.parametrize("kind", ["event", "planning"])
def test_ninjs_events_and_planning_are_skipped(kind: str) -> None:
    data = f'{{"uri": "urn:x:{kind}", "type": "{kind}", "headlines": [{{"value": "x"}}]}}'
    result = parse_bytes(data.encode())
    assert result.items == []
    assert result.skipped[0][0] == f"urn:x:{kind}"
    assert "pas une dépêche" in result.skipped[0][1]


def test_ninjs_without_uri_is_an_error() -> None:
    with pytest.raises(ParseError, match="uri"):
        parse_bytes(b'{"headlines": [{"value": "Sans identifiant"}]}')


# --------------------------------------------------------------------------- #
# RSS and Atom
# --------------------------------------------------------------------------- #

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/">
<channel><title>AFP - Monde</title><language>fr-FR</language><copyright>AFP 2024</copyright>
<item>
  <title>Titre &amp; suite</title><link>https://example.com/a</link><guid>urn:afp:1</guid>
  <pubDate>Mon, 10 Jun 2024 08:00:00 +0200</pubDate>
  <description>&lt;p onclick="x()"&gt;Texte&lt;script&gt;alert(1)&lt;/script&gt;
    &lt;a href="javascript:alert(1)"&gt;lien&lt;/a&gt;&lt;/p&gt;</description>
  <category>Politique</category>
  <author>redaction@example.com (Jean Dupont)</author>
  <enclosure url="https://example.com/p.jpg" type="image/jpeg" length="1"/>
</item>
<item><title>Sans guid</title><link>https://example.com/b</link></item>
<item><title>Sans rien</title></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
  <title>AP Top News</title><id>urn:ap:feed</id><updated>2024-06-10T08:00:00Z</updated>
  <entry>
    <id>urn:ap:1</id><title type="html">A &lt;b&gt;bold&lt;/b&gt; title</title>
    <updated>2024-06-10T09:00:00Z</updated><published>2024-06-10T07:00:00Z</published>
    <author><name>Jane Doe</name></author>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Para <em>one</em>.</p>
      <script>alert(1)</script><p><a href="javascript:alert(1)" onmouseover="x">two</a></p>
    </div></content>
    <summary>Short</summary>
  </entry>
</feed>"""


def test_rss_entries() -> None:
    result = parse_bytes(RSS)
    assert result.format == "rss"
    assert [item.guid for item in result.items] == ["urn:afp:1", "https://example.com/b"]
    assert result.skipped == [("entrée 3", "entrée de flux sans identifiant (id ni lien)")]
    item = result.items[0]
    assert (item.format, item.version) == ("rss", 1)
    assert item.headline == "Titre & suite"
    assert item.byline == "Jean Dupont"
    assert (item.language, item.copyright, item.credit) == ("fr", "AFP 2024", "AFP - Monde")
    assert item.first_created == datetime(2024, 6, 10, 6, 0, tzinfo=UTC)
    assert item.keywords == ["Politique"]
    assert [photo.href for photo in item.photos] == ["https://example.com/p.jpg"]
    assert "alert" not in item.body_html
    assert_clean_html(item.body_html)


def test_atom_entries() -> None:
    result = parse_bytes(ATOM)
    item = result.items[0]
    assert item.guid == "urn:ap:1"
    assert item.headline == "A bold title"
    assert item.subheadline == "Short"
    assert item.byline == "Jane Doe"
    assert item.language == "en"
    assert item.first_created == datetime(2024, 6, 10, 7, 0, tzinfo=UTC)
    assert item.version_created == datetime(2024, 6, 10, 9, 0, tzinfo=UTC)
    assert item.body_html == "<p>Para <em>one</em>.</p>\n<p><a>two</a></p>"


# --------------------------------------------------------------------------- #
# Bad input
# --------------------------------------------------------------------------- #

BILLION_LAUGHS = """<?xml version="1.0" encoding="{encoding}"?>
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
<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="urn:lol" version="1">
<contentMeta><headline>&lol9;</headline></contentMeta></newsItem>"""


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_billion_laughs_is_refused_by_the_entity_guards(encoding: str) -> None:
    """Refused by a guard against entities (our byte scan, or lxml's amplification
    limit for UTF-16), never after expanding them; how fast is measured by
    bench/wire_hostile.py."""
    data = BILLION_LAUGHS.format(encoding=encoding).encode(encoding)
    with pytest.raises(ParseError, match=r"^Fichier XML invalide : .*(entités|entity)"):
        parse_bytes(data)


def test_billion_laughs_in_a_feed_is_refused() -> None:
    data = BILLION_LAUGHS.format(encoding="utf-8").replace(
        '<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="urn:lol" version="1">\n'
        "<contentMeta><headline>&lol9;</headline></contentMeta></newsItem>",
        "<rss><channel><item><title>&lol9;</title><guid>x</guid></item></channel></rss>",
    )
    assert "<rss>" in data
    with pytest.raises(ParseError, match="entités"):
        parse_bytes(data.encode())


def test_external_entity_is_refused() -> None:
    data = (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        b'<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="x">'
        b"<contentMeta><headline>&xxe;</headline></contentMeta></newsItem>"
    )
    with pytest.raises(ParseError, match="entités"):
        parse_bytes(data)


@pytest.mark.parametrize("data", [b"", b"   \n\t ", b"\xef\xbb\xbf", b"\xef\xbb\xbf  \n"])
def test_empty_input(data: bytes) -> None:
    with pytest.raises(ParseError, match=r"^Fichier vide"):
        parse_bytes(data)


def test_truncated_xml() -> None:
    data = (SAMPLES / "newsml-g2/LISTING_3_Photo_in_NewsML-G2.xml").read_bytes()
    with pytest.raises(ParseError, match=r"^Fichier XML invalide : "):
        parse_bytes(data[: len(data) // 2])


def test_error_message_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "depeche-afp.xml"
    path.write_bytes(b"<newsItem><contentMeta>")
    with pytest.raises(ParseError, match=r"depeche-afp\.xml") as caught:
        parse_file(path)
    assert str(caught.value).startswith("Fichier XML invalide : ")


def test_missing_file_is_an_os_error(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        parse_file(tmp_path / "absent.xml")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"[1, 2, 3]", "une liste"),
        (b'[{"uri": "urn:x:1"}]', "une liste"),
        (b'{"uri": "urn:x", "headline": ', "Fichier JSON invalide"),
        (b'{"uri": "\xff\xfe"}', "Fichier JSON invalide"),
        (b"[" * 100_000 + b"]" * 100_000, "Fichier JSON invalide"),
    ],
)
def test_json_that_is_not_a_ninjs_object(data: bytes, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse_bytes(data)


def test_json_object_without_ninjs_properties() -> None:
    with pytest.raises(ParseError, match=r"^Format de dépêche non reconnu"):
        parse_bytes(b'{"foo": 1, "bar": [2]}')


@pytest.mark.parametrize(
    "data",
    [
        b"<html><body><p>Une page web</p></body></html>",
        b'<nitf xmlns="http://iptc.org/std/NITF/2006-10-18/"><body/></nitf>',
        b'<newsItem xmlns="urn:not-iptc" guid="x"/>',
        b"<feed><entry/></feed>",
    ],
)
def test_unknown_xml_root(data: bytes) -> None:
    with pytest.raises(ParseError, match=r"^Format de dépêche non reconnu : élément racine"):
        parse_bytes(data)


@pytest.mark.parametrize("data", [b"Bonjour la redaction", b"\x89PNG\r\n\x1a\n\x00\x00", b"42"])
def test_neither_xml_nor_json(data: bytes) -> None:
    with pytest.raises(ParseError, match=r"^Format de dépêche non reconnu"):
        parse_bytes(data)


def test_oversized_file_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parsers, "MAX_FILE_SIZE", 100)
    with pytest.raises(ParseError, match="trop volumineux"):
        parse_bytes(b"<rss>" + b" " * 200 + b"</rss>")


# --------------------------------------------------------------------------- #
# Helpers
# --------------------------------------------------------------------------- #


def test_sanitize_html_allow_list() -> None:
    value = (
        '<h1>T</h1><h2 class="x">Inter</h2><p><a href="http://a.example" title="t">a</a>'
        '<a href="mailto:x@example.com">m</a><a href="ftp://f.example">f</a>'
        '<span style="x">s</span><u>u</u><br/><i>i</i></p>'
    )
    # Tags outside the list go, their text stays; attributes other than a[href] go.
    assert sanitize_html(value) == (
        'T<h2>Inter</h2>\n<p><a href="http://a.example">a</a>'
        '<a href="mailto:x@example.com">m</a><a>f</a>su<br><i>i</i></p>'
    )


def test_html_strings_get_paragraphs() -> None:
    assert html_string_to_html("Juste du texte") == "<p>Juste du texte</p>"
    assert html_string_to_html("") == ""
    assert html_string_to_html("<div>Un <b>a</b></div><div><p>b</p></div>") == (
        "<p>Un <b>a</b></p>\n<p>b</p>"
    )
    assert text_to_html("ligne 1\nligne 2") == "<p>ligne 1</p>\n<p>ligne 2</p>"
    assert text_to_html("  \n ") == ""


@pytest.mark.parametrize(
    ("broken", "repaired"),
    [
        ("Dellâ€™s leadership", "Dell’s leadership"),
        ("Ã©tÃ© â€œchaudâ€\x9d", "été “chaud”"),
        ("Le Maroc a signÃ© lâ€™accord", "Le Maroc a signé l’accord"),
        ("Ã\xa0Rabat, Ã‰conomie", "àRabat, Économie"),
        # The no-break space of "à" lost to a plain space on the way.
        ("Ã  Casablanca", "à Casablanca"),
        ("Â«Â\xa0citationÂ\xa0Â»", "«\xa0citation\xa0»"),
        # A lone "Â" before a space is not French ("À" is): it is a no-break
        # space read as Windows-1252, and ftfy restores it.
        ("Â la carte?", "\xa0la carte?"),
        # Partly broken text (the old hand-written repair gave up on these).
        ("été et Ã©tÃ©", "été et été"),
        ("Ù…Ø±Ø\xadØ¨Ø§", "مرحبا"),
        ("cafÃƒÂ©", "café"),
    ],
)
def test_repair_mojibake(broken: str, repaired: str) -> None:
    assert repair_mojibake(broken) == repaired


@pytest.mark.parametrize(
    "text",
    [
        "l'âge – déjà",
        "Cambrios被Gartner評選",
        "plain",
        "",
        "« guillemets » et l’apostrophe",
        "مرحبا",
        "<p>l&#39;été</p>",
        "Ça coûte 60\xa0DH, n’est-ce pas\u202f?",
    ],
)
def test_repair_mojibake_leaves_sound_text_alone(text: str) -> None:
    assert repair_mojibake(text) == text


def test_parse_datetime() -> None:
    assert parse_datetime("20130605T210000+0000") == datetime(2013, 6, 5, 21, tzinfo=UTC)
    assert parse_datetime("2018-10-12T06:42:04Z ") == datetime(2018, 10, 12, 6, 42, 4, tzinfo=UTC)
    assert parse_datetime("2016-10-18") == datetime(2016, 10, 18, tzinfo=UTC)
    assert parse_datetime("2019-05-10T16:02:28+02:00") == datetime(
        2019, 5, 10, 16, 2, 28, tzinfo=tz(2)
    )
    assert parse_datetime("2024-06-10T08:00:00") == datetime(2024, 6, 10, 8, tzinfo=UTC)
    assert parse_datetime("hier") is None
    assert parse_datetime("") is None


def test_language_and_codes() -> None:
    assert language_code("en-GB") == "en"
    assert language_code("nb_NO") == "nb"
    assert language_code("FR") == "fr"
    assert language_code("") == ""
    assert qcode_from_uri("http://cv.iptc.org/newscodes/mediatopic/20000523") == "medtop:20000523"
    assert qcode_from_uri("https://cv.iptc.org/newscodes/genre/Actuality/") == "genre:Actuality"
    assert qcode_from_uri("http://cv.ap.org/id/123") == "http://cv.ap.org/id/123"
