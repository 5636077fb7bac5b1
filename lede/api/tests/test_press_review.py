"""The press-review PDF: the articles the editors chose, marked with the
licensee's name on every page, abstracts for an abstracts-only licence, agency
copy only under its terms, counted in the monthly volume like the API."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from lede.api import press_review
from lede.core.testing import factories as f
from lede.paywall.access import month_key
from lede.syndication.models import Delivery, Licence, PressReview, PressReviewItem
from lede.syndication.tests.builders import make_licence
from lede.wires.models import WireItemRecord

pytestmark = pytest.mark.django_db

SECRET = "Suite réservée aux abonnés du journal"


@pytest.fixture
def chosen(db: Any) -> dict[str, Any]:
    economie = f.make_section("Économie")
    sport = f.make_section("Sport")
    articles = [
        f.make_article(
            economie,
            f"Le port de Tanger en chiffres {n}",
            standfirst="Un chapô qui résume l’article.",
            access_level="subscribers",
            published_at=timezone.now() - timedelta(hours=n + 1),
            body=[
                ("paragraph", f"<p>Premier paragraphe libre {n}.</p>"),
                ("paragraph", f"<p>{SECRET} {n}.</p>"),
            ],
        )
        for n in range(3)
    ]
    other = f.make_article(sport, "Hors licence", access_level="public")
    return {"economie": economie, "articles": articles, "other": other}


def _review(licence: Licence, articles: list[Any]) -> PressReview:
    review = PressReview.objects.create(
        licence=licence, title="Revue du matin", edition_date=date(2026, 12, 7)
    )
    for n, article in enumerate(articles):
        PressReviewItem.objects.create(review=review, article=article, sort_order=n)
    return review


def _pages(pdf: bytes) -> list[str]:
    out = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    return [page for page in out.split("\f") if page.strip()]


def test_abstracts_only_licence_gets_abstracts_marked_on_every_page(
    chosen: dict[str, Any],
) -> None:
    licence = make_licence(
        sections=[chosen["economie"]], full_text=False, channel_press_review=True
    )
    review = _review(licence, [*chosen["articles"], chosen["other"]])
    built = press_review.review_build(review, timezone.now())
    assert [entry.full for entry in built.entries] == [False, False, False]
    assert [title for title, _reason in built.left_out] == ["Hors licence"]
    html = press_review.review_html(built)
    assert SECRET not in html
    assert "Premier paragraphe libre 0." in html
    assert "Veille Presse SARL" in html
    pdf = press_review.review_pdf(review)
    assert pdf.startswith(b"%PDF")
    assert not Delivery.objects.filter(licence=licence).exists()  # abstracts cost nothing
    if shutil.which("pdftotext"):
        pages = _pages(pdf)
        assert pages
        for page in pages:
            assert "Veille Presse SARL" in page
            assert SECRET not in page


def test_full_text_is_counted_in_the_monthly_volume(chosen: dict[str, Any]) -> None:
    licence = make_licence(
        full_text=True,
        channel_press_review=True,
        monthly_volume=2,
        over_quota=Licence.OverQuota.ABSTRACTS,
    )
    review = _review(licence, chosen["articles"])
    built = press_review.review_build(review, timezone.now())
    # Two in full, the third over the volume of two: an abstract.
    assert [entry.full for entry in built.entries] == [True, True, False]
    press_review.review_pdf(review)
    month = month_key(timezone.now())
    delivered = Delivery.objects.filter(licence=licence, month=month, channel="press_review")
    assert delivered.count() == 2
    # A second PDF of the same review costs nothing more.
    press_review.review_pdf(review)
    assert Delivery.objects.filter(licence=licence, month=month).count() == 2
    # The volume (2) is reached: the third article is an abstract now.
    Delivery.objects.filter(licence=licence).delete()
    for article in chosen["articles"][:2]:
        Delivery.objects.create(
            licence=licence, month=month, item_id=article.pk, first_at=timezone.now()
        )
    built = press_review.review_build(review, timezone.now())
    assert [entry.full for entry in built.entries] == [True, True, False]
    html = press_review.review_html(built)
    assert f"{SECRET} 0" in html and f"{SECRET} 2" not in html
    # A licence that refuses over its volume leaves the article out, and says so.
    licence.over_quota = Licence.OverQuota.REFUSE
    licence.save()
    built = press_review.review_build(review, timezone.now())
    assert len(built.entries) == 2
    assert built.left_out[0][1] == "volume mensuel de la licence atteint"


def test_agency_copy_follows_its_terms(chosen: dict[str, Any]) -> None:
    licence = make_licence(full_text=True, channel_press_review=True, agency_copy=True)
    wired = f.make_article(chosen["economie"], "Dépêche", agency_credit="MAP")
    record = WireItemRecord.objects.create(
        guid="urn:map:1", format="ninjs", provider="MAP", article=wired, not_for_syndication=True
    )
    review = _review(licence, [wired, chosen["articles"][0]])
    built = press_review.review_build(review, timezone.now())
    assert [e.article.pk for e in built.entries] == [chosen["articles"][0].pk]
    record.not_for_syndication = False
    record.save()
    built = press_review.review_build(review, timezone.now())
    assert built.entries[0].provenance == "agency" and built.entries[1].provenance == "own"
    assert "Copie d’agence — MAP" in press_review.review_html(built)


def test_only_a_licence_with_the_channel(chosen: dict[str, Any]) -> None:
    licence = make_licence(channel_press_review=False)
    review = PressReview(licence=licence, title="Revue", edition_date=date(2026, 12, 7))
    with pytest.raises(ValidationError):
        review.clean()
    review.save()
    with pytest.raises(press_review.PressReviewRefused):
        press_review.review_build(review, timezone.now())


def test_editors_download_it_from_the_admin(chosen: dict[str, Any], admin_client: Client) -> None:
    licence = make_licence(channel_press_review=True, full_text=False)
    review = _review(licence, chosen["articles"][:1])
    response = admin_client.get(f"/django-admin/syndication/pressreview/{review.pk}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    page = admin_client.get(f"/django-admin/syndication/pressreview/{review.pk}/change/")
    assert "Télécharger la revue (PDF)" in page.content.decode()
    licence.ends_at = timezone.now() - timedelta(days=1)
    licence.save()
    refused = admin_client.get(f"/django-admin/syndication/pressreview/{review.pk}/pdf/")
    assert refused.status_code == 302
