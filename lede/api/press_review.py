"""The press-review channel: a PDF of articles the editors chose for a licensee,
marked with the licensee's name on every page (WeasyPrint).

The same rules as the API decide what each article gives
(``content.article_grant``: the paywall's one decision and the licence's full
text; an abstracts-only licence gets headline, standfirst and the free part,
the locked blocks never rendered), which articles may appear at all
(``endpoints.articles.covered_articles``: the licence's sections and
languages, agency copy only when allowed, never an agency item its terms
withhold) and how the monthly volume counts (a ``Delivery`` per article
delivered in full, the same row whichever channel gave it first; over the
volume, left out or abstracts as the licence says). What is left out is
listed, with why, at the end of the review — the licensee sees it, nothing is
silently dropped."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from wagtail.images.models import SourceImageIOError

from lede.core.selectors import publication_settings
from lede.editorial.models import ArticlePage
from lede.syndication.models import Licence, PressReview
from lede.syndication.selectors import Quota, client_for_press_review, quota_for
from lede.syndication.services import delivery_record
from lede.wires import rights as wire_rights

from . import content
from .endpoints.articles import covered_articles


class PressReviewRefused(Exception):
    """The review cannot be made (licence ended, channel not granted); the
    message is French, for the editor."""


@dataclass(frozen=True, slots=True)
class Entry:
    article: ArticlePage
    full: bool
    body_html: str
    section: str
    authors: str
    provenance: str
    agency: str
    copyright_notice: str
    usage_terms: str
    image_path: str
    image_caption: str
    image_credit: str
    counts: bool
    #: Why only an extract is given ("" for the full text).
    extract_reason: str = ""


@dataclass(frozen=True, slots=True)
class Review:
    review: PressReview
    entries: list[Entry]
    left_out: list[tuple[str, str]]


def _image(article: ArticlePage, item: wire_rights.ItemRights | None) -> str:
    """A local file for the lead image (WeasyPrint reads no network)."""
    if article.lead_image is None or (item is not None and item.photos_withheld):
        return ""
    try:
        rendition = article.lead_image.get_rendition("width-1200")
        return Path(rendition.file.path).as_uri()
    except (SourceImageIOError, NotImplementedError, ValueError):
        return ""  # no original file, or a storage without local files


def review_build(review: PressReview, now: datetime) -> Review:
    licence = review.licence
    client = client_for_press_review(licence, now)
    if client is None:
        raise PressReviewRefused(
            _("La licence « %(name)s » n’est pas active ou n’a pas le canal revue de presse.")
            % {"name": licence.name}
        )
    chosen = [
        item.article
        for item in review.items.select_related("article__section", "article__lead_image")
    ]
    ids = [article.pk for article in chosen]
    allowed = set(covered_articles(client, now).filter(pk__in=ids).values_list("pk", flat=True))
    items = wire_rights.for_articles(allowed) if client.agency_copy else {}
    pub = publication_settings()
    entries: list[Entry] = []
    left_out: list[tuple[str, str]] = []
    pending = 0
    for article in chosen:
        if article.pk not in allowed:
            left_out.append(
                (
                    article.title,
                    _("hors de la licence, dépublié ou retenu par les droits de l’agence"),
                )
            )
            continue
        grant = content.article_grant(article, client, now)
        full, counts = grant.full, False
        reason = "" if full else _("votre licence couvre les résumés des articles")
        if grant.counts:
            quota = quota_for(licence, article.pk, now, pending=pending)
            if quota is Quota.EXHAUSTED:
                if licence.over_quota == Licence.OverQuota.REFUSE:
                    left_out.append((article.title, _("volume mensuel de la licence atteint")))
                    continue
                full = False
                reason = _("le volume mensuel de votre licence est atteint")
            counts = full and quota is Quota.AVAILABLE
            pending += int(counts)
        item = items.get(article.pk)
        summary = content.article_summary(article, pub, client, item)
        rights = summary["rights"]
        entries.append(
            Entry(
                article=article,
                full=full,
                body_html=content.article_body(article, full=full),
                section=article.section.title if article.section else "",
                authors=", ".join(a["name"] for a in summary["authors"]),
                provenance=summary["provenance"],
                agency=rights["agency"],
                copyright_notice=rights["copyright_notice"],
                usage_terms=rights["usage_terms"],
                image_path=_image(article, item),
                image_caption=article.caption,
                image_credit=article.credit,
                counts=counts,
                extract_reason=reason,
            )
        )
    return Review(review=review, entries=entries, left_out=left_out)


def css_string(text: str) -> str:
    """``text`` as a CSS string literal, every character but ASCII letters
    and digits escaped (``\\HHHHHH``; spaces too, since a space after an
    escape is swallowed by it): nothing in a licensee's name can end the
    string or the style sheet."""
    escaped = "".join(
        ch if ch.isalnum() and ch.isascii() else f"\\{ord(ch):06X}"
        for ch in text.replace("\n", " ")
    )
    return f'"{escaped}"'


def review_html(built: Review) -> str:
    review = built.review
    pub = publication_settings()
    organisation = review.licence.organisation.name
    with translation.override(pub.language or settings.LANGUAGE_CODE):
        edition = date_format(review.edition_date, "j F Y")
        margins = {
            "masthead": _("%(paper)s — %(title)s du %(date)s")
            % {"paper": pub.name, "title": review.title, "date": edition},
            "licensee": _("Exemplaire de %(name)s") % {"name": organisation},
            "reserved": _(
                "Reproduction et diffusion réservées à %(name)s (licence « %(licence)s »). "
                "Toute autre diffusion est interdite."
            )
            % {"name": organisation, "licence": review.licence.name},
        }
        return render_to_string(
            "api/press_review.html",
            {
                "css": {name: css_string(text) for name, text in margins.items()},
                "review": review,
                "licence": review.licence,
                "organisation": review.licence.organisation,
                "publication": pub,
                "entries": built.entries,
                "left_out": built.left_out,
                "abstracts_only": not review.licence.full_text,
            },
        )


def _local_files_fetcher() -> Any:
    """WeasyPrint's fetcher limited to files under MEDIA_ROOT and STATIC_ROOT
    and ``data:`` URLs: an article's HTML never makes the server fetch a URL."""
    from weasyprint.urls import URLFetcher  # heavy: loaded with the PDF

    roots = [Path(settings.MEDIA_ROOT).resolve(), Path(settings.STATIC_ROOT).resolve()]

    class LocalFilesFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            parts = urlsplit(url)
            if parts.scheme == "file":
                path = Path(unquote(parts.path)).resolve()
                if not any(path.is_relative_to(root) for root in roots):
                    raise ValueError("outside the media and static files")
            return super().fetch(url, headers)

    return LocalFilesFetcher(allowed_protocols={"file", "data"}, timeout=5)


def review_pdf(review: PressReview, now: datetime | None = None) -> bytes:
    """The review as a PDF; the articles given in full are counted against
    the licence's monthly volume once the PDF exists."""
    from weasyprint import HTML  # heavy: loaded only when a PDF is asked for

    now = now or timezone.now()
    built = review_build(review, now)
    pdf: bytes = HTML(
        string=review_html(built),
        base_url=Path(settings.MEDIA_ROOT).as_uri() + "/",
        url_fetcher=_local_files_fetcher(),
    ).write_pdf()
    for entry in built.entries:
        if entry.counts:
            delivery_record(
                licence=review.licence, item_id=entry.article.pk, channel="press_review", now=now
            )
    PressReview.objects.filter(pk=review.pk).update(last_generated_at=now)
    return pdf
