"""The receipt in Arabic: right to left, the reader's language, and shaped
letters in the PDF.

Extracted text is no proof of shaping (it maps back to the logical letters
even when shaping failed), so the PDF test reads the glyphs the content
stream draws with the Arabic face and checks that they are the joined forms
(initial, medial, final: the outputs of the font's ``init``/``medi``/``fina``
substitutions), not the isolated forms the character map gives, and that
they are laid out right to left. A control rendering with those features
turned off must fail the same check.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader
from pypdf.generic import ContentStream, TextStringObject
from weasyprint import HTML

from lede.subscriptions.invoices import (
    RECEIPT_FONT_DIR,
    billing_settings,
    receipt_html,
    receipt_pdf,
)
from lede.subscriptions.services.checkout import subscription_checkout
from lede.subscriptions.templatetags.receipts import isolate, text_direction
from lede.subscriptions.testing import make_reader, pay_order

NBSP = "\u00a0"
FONT_FILE = RECEIPT_FONT_DIR / "NotoNaskhArabic-Regular.ttf"
FONT_NAME = "Lede-Receipt-Naskh"


@pytest.fixture
def invoice(catalogue: dict[str, Any]) -> Any:
    billing = billing_settings()
    billing.legal_name = "Éditions Lede SARL"
    billing.address = "12, rue des Imprimeurs\nCasablanca"
    billing.ice = "001234567000089"
    billing.tax_id = "12345678"
    billing.trade_register = "45678"
    billing.save()
    user = make_reader("qaria@example.com")
    order = subscription_checkout(user=user, offer=catalogue["launch"])
    pay_order(order)
    return order.invoice


def test_the_arabic_receipt_is_written_right_to_left_in_arabic(invoice: Any) -> None:
    html = receipt_html(invoice, "ar")
    assert '<html lang="ar" dir="rtl">' in html
    assert f"إيصال رقم {invoice.number}" in html
    assert "المجموع المؤدى شاملا للضريبة" in html
    assert f"60{NBSP}درهم" in html and "DH" not in html
    assert "NotoNaskhArabic-Regular.ttf" in html and FONT_FILE.exists()
    # Latin text typed in the back office keeps its own direction.
    assert '<span dir="ltr">12, rue des Imprimeurs</span>' in html
    # The French receipt is unchanged: left to right, French words, DH.
    french = receipt_html(invoice, "fr")
    assert '<html lang="fr" dir="ltr">' in french
    assert f"Reçu n° {invoice.number}" in french and f"60{NBSP}DH" in french


def test_the_receipt_follows_the_readers_language(invoice: Any) -> None:
    # ``user.language`` is the edition the reader chose (accounts).
    invoice.user.language = "ar"
    assert 'lang="ar" dir="rtl"' in receipt_html(invoice)
    invoice.user.language = "fr"
    assert 'lang="fr" dir="ltr"' in receipt_html(invoice)
    # An explicit language wins over the reader's.
    assert 'lang="ar" dir="rtl"' in receipt_html(invoice, "ar")


def test_isolate_gives_each_line_its_direction() -> None:
    assert text_direction("12, rue des Imprimeurs") == "ltr"
    assert text_direction("12، شارع المطبعيين") == "rtl"
    assert text_direction("2026") == ""
    assert str(isolate("شارع <1>\nCasablanca")) == (
        '<span dir="rtl">شارع &lt;1&gt;</span><br><span dir="ltr">Casablanca</span>'
    )


# --- glyphs -----------------------------------------------------------------


def _substitutions(font: TTFont, tag: str) -> dict[str, str]:
    """The single substitutions of the Arabic-script feature ``tag``."""
    gsub = font["GSUB"].table
    mapping: dict[str, str] = {}
    for record in gsub.FeatureList.FeatureRecord:
        if record.FeatureTag != tag:
            continue
        for index in record.Feature.LookupListIndex:
            lookup = gsub.LookupList.Lookup[index]
            for sub in lookup.SubTable:
                sub = getattr(sub, "ExtSubTable", sub)
                mapping.update(getattr(sub, "mapping", {}) or {})
    return mapping


def _naskh_runs(pdf: bytes) -> list[list[int]]:
    """The glyph ids of every text run drawn with the receipt's Arabic face,
    in drawing order (visual, left to right)."""
    reader = PdfReader(BytesIO(pdf))
    runs: list[list[int]] = []
    for page in reader.pages:
        resources: Any = page["/Resources"]
        fonts: Any = resources["/Font"]
        naskh = {
            str(key)
            for key, ref in fonts.items()
            if FONT_NAME in str(ref.get_object()["/BaseFont"])
        }
        assert naskh, "the Arabic face is not embedded"
        current = ""
        for operands, operator in ContentStream(page.get_contents(), reader).operations:
            if operator == b"Tf":
                current = str(operands[0])
            elif operator in (b"TJ", b"Tj") and current in naskh:
                items = operands[0] if operator == b"TJ" else [operands[0]]
                run: list[int] = []
                for item in items:
                    if isinstance(item, (bytes, TextStringObject)):
                        # pypdf decodes some strings to text: take the bytes.
                        raw = item if isinstance(item, bytes) else item.original_bytes
                        run += [
                            int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw), 2)
                        ]
                runs.append(run)
    return runs


def _shaping_report(pdf: bytes) -> dict[str, Any]:
    font = TTFont(FONT_FILE)
    order = font.getGlyphOrder()
    cmap = font.getBestCmap()
    # Identity CID→GID and subsets that keep glyph ids: ids are the font's.
    runs = _naskh_runs(pdf)
    used = [order[gid] for run in runs for gid in run if gid < len(order)]
    letters = {cmap[cp] for cp in range(0x0621, 0x064B) if cp in cmap}
    forms = {tag: set(_substitutions(font, tag).values()) for tag in ("init", "medi", "fina")}
    joined = [name for name in used if any(name in f for f in forms.values())]
    isolated = [name for name in used if name in letters]
    return {
        "runs": [[order[g] for g in run] for run in runs],
        "used": used,
        "joined": joined,
        "isolated": isolated,
        "forms": {tag: forms[tag] & set(used) for tag in forms},
        "cmap": cmap,
    }


def _assert_shaped(report: dict[str, Any]) -> None:
    for tag, seen in report["forms"].items():
        assert seen, f"no {tag} form drawn: the Arabic text is not shaped"
    # Most letters of running Arabic text join: far more joined forms than
    # isolated ones.
    assert len(report["joined"]) > 2 * len(report["isolated"]), report


def test_the_arabic_pdf_draws_joined_letters_right_to_left(invoice: Any, tmp_path: Any) -> None:
    pdf = receipt_pdf(invoice, "ar")
    (tmp_path / "receipt-ar.pdf").write_bytes(pdf)  # to look at: pdftoppm -png
    assert pdf.startswith(b"%PDF")
    report = _shaping_report(pdf)
    _assert_shaped(report)
    # Right to left: the title "إيصال رقم" is drawn in visual order, so its
    # first letter, the alef with hamza below (which never joins on its
    # left), is the LAST glyph of its run, right after the initial yeh.
    cmap = report["cmap"]
    alef = cmap[0x0625]
    titles = [run for run in report["runs"] if run and run[-1] == alef]
    assert titles, report["runs"]
    font = TTFont(FONT_FILE)
    initial_yeh = _substitutions(font, "init")[cmap[0x064A]]
    assert any(initial_yeh in run[-3:] for run in titles), titles


def test_the_check_fails_on_unshaped_text(invoice: Any) -> None:
    """The control: the same receipt with joining turned off draws only
    isolated forms, and the check above catches it."""
    html = receipt_html(invoice, "ar").replace(
        "</style>",
        'body, h1, strong, td, th { font-feature-settings: "init" 0, "medi" 0, "fina" 0, '
        '"rlig" 0, "calt" 0; }</style>',
    )
    pdf = bytes(HTML(string=html, base_url=RECEIPT_FONT_DIR.as_uri() + "/").write_pdf() or b"")
    report = _shaping_report(pdf)
    # The Arabic face drew the text, in isolated forms only.
    assert len(report["isolated"]) >= 20 and not report["joined"]
    with pytest.raises(AssertionError):
        _assert_shaped(report)
