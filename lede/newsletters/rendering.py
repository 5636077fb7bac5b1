"""An edition as e-mail (and as a web page): what each recipient may see.

The paywall holds in e-mail: for every article, ``lede.paywall.access.decide``
says whether the recipient may read it (no meter in e-mail: a metered read
is never spent by a newsletter, so the meter given is empty). The article's
body is in the message only when the newsletter sends full text *and* the
decision allows it; otherwise the article is its headline, standfirst and a
link, and its body is never rendered into that message at all.

Rendered once per edition and per *variant* (the set of articles shown in
full: one variant for everyone when the newsletter sends no full text), then
personalised by replacing placeholders (the unsubscribe link, the address),
so a send to 100,000 readers renders a handful of times.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import css_inline
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from lede.core.selectors import publication_settings
from lede.core.site import page_url, site_url
from lede.editorial.models import ArticlePage
from lede.paywall import access
from lede.paywall import selectors as paywall_selectors
from lede.paywall.serving import article_access

from . import selectors, tokens
from .models import Edition

UNSUBSCRIBE_PLACEHOLDER = "%%LEDE_UNSUBSCRIBE_URL%%"
EMAIL_PLACEHOLDER = "%%LEDE_RECIPIENT%%"
#: No meter in e-mail: a metered article is never opened by a newsletter.
NO_METER = access.MeterState(limit=0)

_INLINER = css_inline.CSSInliner(keep_style_tags=True)
_RELATIVE = re.compile(r'(\s(?:src|href)=")/(?!/)')


@dataclass(frozen=True)
class Item:
    article_id: int
    access: access.ArticleAccess
    title: str
    standfirst: str
    url: str
    section: str
    image_url: str
    image_alt: str


@dataclass(frozen=True)
class Variant:
    subject: str
    html: str
    text: str
    full_ids: frozenset[int]


@dataclass
class EditionRenderer:
    """Renders one edition; keep one per send (it caches its variants)."""

    edition: Edition
    now: datetime = field(default_factory=timezone.now)
    web: bool = False

    def __post_init__(self) -> None:
        self.newsletter = self.edition.newsletter
        self.pages = selectors.edition_articles(self.edition)
        self.items = [self._item(page) for page in self.pages]
        self._variants: dict[frozenset[int], Variant] = {}
        self._orgs: list[dict[str, Any]] | None = None

    # --- who may read what ---------------------------------------------------

    def reader_for(self, user: Any) -> access.Reader:
        """The recipient as the decision sees them: their account's
        entitlements, never a group licence recognised by network address
        (an e-mail has none)."""
        if user is None or not user.is_active:
            return access.Reader.anonymous()
        if self._orgs is None:
            self._orgs = paywall_selectors.active_organisations(self.now)
        profile = paywall_selectors.reader_profile(user, self.now, self._orgs)
        return paywall_selectors.reader_from_profile(profile, [])

    def full_ids_for(self, reader: access.Reader) -> frozenset[int]:
        if not self.newsletter.full_text_for_entitled:
            return frozenset()
        return frozenset(
            item.article_id
            for item in self.items
            if access.decide(reader, item.access, NO_METER, self.now).allowed
        )

    # --- rendering -------------------------------------------------------------

    def variant(self, full_ids: frozenset[int]) -> Variant:
        cached = self._variants.get(full_ids)
        if cached is None:
            cached = self._variants[full_ids] = self._render(full_ids)
        return cached

    def _item(self, page: ArticlePage) -> Item:
        image_url = image_alt = ""
        if page.lead_image is not None:
            try:
                rendition = page.lead_image.get_rendition("fill-560x315")
                image_url = site_url(rendition.url)
                image_alt = page.caption or page.title
            except (OSError, ValueError):
                image_url = ""
        url = page_url(page)
        if self.newsletter.count_clicks and not self.web:
            token = tokens.click_token(edition_id=self.edition.pk, url=url)
            url = site_url(f"/lettres/clic/{token}/")
        return Item(
            article_id=page.pk,
            access=article_access(page),
            title=page.title,
            standfirst=page.standfirst,
            url=url,
            section=page.section.title if page.section else "",
            image_url=image_url,
            image_alt=image_alt,
        )

    def _body_html(self, page: ArticlePage) -> str:
        html_out = render_to_string("newsletters/email/_body.html", {"page": page})
        return _RELATIVE.sub(lambda m: f"{m.group(1)}{site_url('/')}", html_out)

    def _render(self, full_ids: frozenset[int]) -> Variant:
        publication = publication_settings()
        subject = self.edition.subject or self.newsletter.name
        entries = [
            {
                "item": item,
                "full": item.article_id in full_ids,
                "body": self._body_html(page) if item.article_id in full_ids else "",
            }
            for item, page in zip(self.items, self.pages, strict=True)
        ]
        context = {
            "edition": self.edition,
            "newsletter": self.newsletter,
            "publication": publication,
            "subject": subject,
            "entries": entries,
            "web": self.web,
            "web_url": site_url(f"/lettres/{self.newsletter.slug}/{self.edition.pk}/"),
            "archive_url": site_url(f"/lettres/{self.newsletter.slug}/"),
            "unsubscribe_url": UNSUBSCRIBE_PLACEHOLDER,
            "recipient": EMAIL_PLACEHOLDER,
            "manage_url": site_url("/lettres/"),
            "postal_address": settings.LEDE_NEWSLETTER_POSTAL_ADDRESS,
            "sent_on": timezone.localtime(self.edition.enqueued_at or self.now),
        }
        with translation.override("fr"):
            raw_html = render_to_string("newsletters/email/edition.html", context)
            text = render_to_string("newsletters/email/edition.txt", context)
        return Variant(
            subject=subject,
            html=_INLINER.inline(raw_html),
            text=text,
            full_ids=full_ids,
        )


def personalise(template: str, *, unsubscribe_url: str, email: str, escape: bool) -> str:
    if escape:
        email = html.escape(email)
        unsubscribe_url = html.escape(unsubscribe_url)
    return template.replace(UNSUBSCRIBE_PLACEHOLDER, unsubscribe_url).replace(
        EMAIL_PLACEHOLDER, email
    )


def edition_for_web(edition: Edition, reader: access.Reader, now: datetime) -> Variant:
    """The browser view and the archive: the same paywall, for the visitor."""
    renderer = EditionRenderer(edition, now=now, web=True)
    full = frozenset(
        item.article_id
        for item in renderer.items
        if edition.newsletter.full_text_for_entitled
        and access.decide(reader, item.access, NO_METER, now).allowed
    )
    return renderer.variant(full)
