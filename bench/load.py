"""Fast loading of generated articles.

Wagtail pages are a treebeard materialised-path tree and Django cannot
``bulk_create`` multi-table-inheritance models, so the loader does for many
rows what ``Model.save_base`` does for one: it inserts the ``wagtailcore_page``
rows (with their tree path, depth and URL path) and then the
``editorial_articlepage`` rows that point at them, through the model's own
insert machinery so that every value is prepared by its field (StreamField
JSON, aware datetimes on SQLite, …). Sections, authors, images and tags are
created through the ordinary APIs first.

The defaults (nine sections, six authors, three years, the access mix below) are
those of ``bench/run.py``; ``bench/generate.py`` passes its own lists to build a
larger newspaper with the same machinery.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import accumulate
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import DEFAULT_DB_ALIAS, transaction
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag
from wagtail.models import Locale, Page

from lede.core.testing.factories import (
    home_page,
    make_article,
    make_author,
    make_image,
    make_section,
)
from lede.editorial.models import (
    AccessLevel,
    ArticleAuthor,
    ArticlePage,
    ArticleTag,
    Author,
    SectionPage,
)
from lede.images.models import LedeImage

from .textgen import TextGenerator


@dataclass(frozen=True)
class SectionSpec:
    title: str
    parent: str | None
    weight: float
    access: str = AccessLevel.PUBLIC


# Nine sections, three of them nested. "Maroc" with its two sub-sections gets
# 36 % of the archive: the deep-pagination section (page 500 needs 10,000).
SECTIONS: list[SectionSpec] = [
    SectionSpec("Maroc", None, 0.16),
    SectionSpec("Politique", "Maroc", 0.10),
    SectionSpec("Société", "Maroc", 0.10),
    SectionSpec("Économie", None, 0.12),
    SectionSpec("Entreprises", "Économie", 0.08),
    SectionSpec("Monde", None, 0.16),
    SectionSpec("Sport", None, 0.14),
    SectionSpec("Culture", None, 0.09),
    SectionSpec("Opinions", None, 0.05, AccessLevel.SUBSCRIBERS),
]
DEEP_SECTION = "Maroc"
LEAF_SECTION = "Sport"


@dataclass(frozen=True)
class AccessMix:
    """How articles set their own access level (the rest inherit their section's
    default). ``metered`` is the share of articles flagged as metered: of all of
    them, or with ``metered_locked_only`` of the articles a reader cannot read
    for free (their own or their section's level is not public)."""

    subscribers: float = 0.10
    registered: float = 0.05
    metered: float = 0.05
    metered_locked_only: bool = False


DEFAULT_ACCESS = AccessMix()

# Invented bylines (name, role, share of the signed articles); the first one
# signs about a third of the archive.
AUTHORS: list[tuple[str, str, float]] = [
    ("Nadia Alaoui", "Grand reporter", 0.30),
    ("Karim Idrissi", "Journaliste économie", 0.20),
    ("Leïla Tazi", "Cheffe du service Monde", 0.15),
    ("Youssef Amrani", "Journaliste sport", 0.15),
    ("Sofia Berrada", "Journaliste culture", 0.12),
    ("Omar Chraïbi", "Éditorialiste", 0.08),
]
TAGS = [
    "Élections",
    "Eau",
    "Tourisme",
    "Football",
    "Investissement",
    "Santé",
    "Éducation",
    "Climat",
    "Transport",
    "Agriculture",
    "Énergie",
    "Justice",
    "Logement",
    "Cinéma",
    "Musique",
    "Numérique",
    "Diplomatie",
    "Emploi",
    "Sécurité routière",
    "Patrimoine",
]
IMAGE_COLOURS = ["#336699", "#996633", "#669933", "#993366"]
RARE_ARTICLES = 3
YEARS = 3
REFERENCE_SECTION = "Politique"  # a nested section
# Columns the loader leaves empty on purpose (no revisions, no owner) or fills
# at random; any other column that saving fills and the loader does not is drift.
LEFT_EMPTY_ON_PURPOSE = {
    "latest_revision_id",
    "live_revision_id",
    "latest_revision_created_at",
    "owner_id",
    "lead_image_id",
    "agency_credit",
    "access_level",
    "updated_at",
    "go_live_at",
}
CHUNK = 2000  # articles per transaction
INSERT_BATCH = 500  # rows per INSERT (SQLite allows 32,766 variables)


@dataclass
class Universe:
    """What the set-up created, by key."""

    sections: dict[str, SectionPage] = field(default_factory=dict)
    authors: list[Author] = field(default_factory=list)
    images: list[LedeImage] = field(default_factory=list)
    tags: list[Tag] = field(default_factory=list)


@dataclass
class Plan:
    """Publication date and section of every article, decided up front so that
    a staged load gives the same archive as a single one."""

    dates: list[datetime]
    sections: list[int]
    rare: set[int]


def stage_split(total: int, first: int) -> tuple[list[int], list[int]]:
    """Indices of a first stage spread evenly over the archive, and the rest."""
    if first <= 0 or first >= total:
        return list(range(total)), []
    step = total / first
    chosen = {int(k * step + step / 2) for k in range(first)}
    stage1 = sorted(chosen)
    stage2 = [i for i in range(total) if i not in chosen]
    return stage1, stage2


class Loader:
    def __init__(
        self,
        *,
        total: int,
        seed: int = 2024,
        using: str = DEFAULT_DB_ALIAS,
        log: Callable[[str], None] = print,
        sections: Sequence[SectionSpec] = SECTIONS,
        authors: Sequence[tuple[str, str, float]] = AUTHORS,
        years: float = YEARS,
        access: AccessMix = DEFAULT_ACCESS,
    ) -> None:
        titles = [s.title for s in sections]
        if not titles or len(set(titles)) != len(titles):
            raise ValueError("section titles must be unique (parents are found by title)")
        if not authors:
            raise ValueError("at least one author is needed")
        self.total = total
        self.using = using
        self.log = log
        self.sections = list(sections)
        self.authors = list(authors)
        self.years = years
        self.access = access
        self.reference_section = _reference_section(self.sections)
        # random.choices() accumulates its weights on every call: once is enough
        # (same draws, and cheap with hundreds of authors).
        self._author_cum = list(accumulate(w for _, _, w in self.authors))
        self._tag_cum: list[float] = []
        self._locked_sections: set[int] = set()
        self.rng = random.Random(seed)
        self.text = TextGenerator(self.rng)
        self.universe = Universe()
        self.plan = self._make_plan()
        self.loaded = 0
        self._next_child: dict[int, int] = {}
        self._derived: dict[int, dict[str, Any]] = {}
        self._reference: dict[str, Any] | None = None

    # --- plan ----------------------------------------------------------------
    def _make_plan(self) -> Plan:
        now = timezone.now()
        start = now - timedelta(days=365 * self.years)
        span = (now - start).total_seconds() - 60
        weights = [s.weight for s in self.sections]
        dates = [
            start + timedelta(seconds=(i + self.rng.random()) * span / self.total)
            for i in range(self.total)
        ]
        sections = self.rng.choices(range(len(self.sections)), weights=weights, k=self.total)
        rare = set(self.rng.sample(range(self.total), min(RARE_ARTICLES, self.total)))
        return Plan(dates=dates, sections=sections, rare=rare)

    def plant_rare_in(self, indices: Sequence[int]) -> None:
        """Make sure one of the rare-word articles is among ``indices`` (the first
        stage), so that the rare search finds something at every stage."""
        if indices and not self.plan.rare & set(indices):
            self.plan.rare.pop()
            self.plan.rare.add(indices[len(indices) // 2])

    # --- set-up through the ordinary APIs -------------------------------------
    def setup(self) -> Universe:
        home = home_page()
        u = self.universe
        for spec in self.sections:
            parent = u.sections[spec.parent] if spec.parent else home
            u.sections[spec.title] = make_section(
                spec.title,
                parent=parent,
                description=f"Toute l'actualité : {spec.title.lower()}.",
                default_access_level=spec.access,
            )
        u.authors = [make_author(name, role=role) for name, role, _ in self.authors]
        u.images = [
            make_image(
                title=f"Illustration {i + 1}",
                caption="Image d'illustration",
                credit="Lede",
                color=colour,
            )
            for i, colour in enumerate(IMAGE_COLOURS)
        ]
        u.tags = [Tag.objects.create(name=name, slug=slugify(name)) for name in TAGS]
        self._tag_cum = list(accumulate(1 / (rank + 1) for rank in range(len(u.tags))))
        self._reference = self._reference_row()
        return u

    def _reference_row(self) -> dict[str, Any] | None:
        """The columns of an article saved and published through Wagtail, in a
        transaction that is rolled back: what the bulk rows are compared with."""
        section = self.universe.sections[self.reference_section]
        with transaction.atomic(using=self.using):
            try:
                article = make_article(
                    section,
                    "Article de référence",
                    authors=self.universe.authors[:1],
                    published_at=timezone.now(),
                    standfirst="Chapô.",
                )
                row = ArticlePage.objects.filter(pk=article.pk).values(*_columns()).get()
            except Exception as exc:  # noqa: BLE001 - a warning, not a failure
                self.log(f"  (reference article could not be created: {exc!r})")
                row = None
            transaction.set_rollback(True, using=self.using)
        return row

    def drift(self) -> list[str]:
        """Columns that saving an article fills but the bulk loader leaves empty:
        the models have moved on and ``load.py`` should follow."""
        if self._reference is None:
            return []
        section = self.universe.sections[self.reference_section]
        bulk = ArticlePage.objects.filter(section_id=section.pk).values(*_columns()).first()
        if bulk is None:
            return []
        return [
            name
            for name, value in self._reference.items()
            if value not in (None, "")
            and bulk.get(name) in (None, "")
            and name not in LEFT_EMPTY_ON_PURPOSE
        ]

    # --- bulk articles -----------------------------------------------------------
    def load(self, indices: Sequence[int]) -> float:
        """Insert the planned articles at ``indices``; returns the seconds taken."""
        started = time.perf_counter()
        sections = [self.universe.sections[s.title] for s in self.sections]
        self._locked_sections = {
            self.universe.sections[s.title].pk
            for s in self.sections
            if s.access != AccessLevel.PUBLIC
        }
        for section in sections:
            if section.pk not in self._next_child:
                self._next_child[section.pk] = self._last_child_step(section)
                self._derived[section.pk] = derived_from_section(section)
        ct_id = ContentType.objects.get_for_model(ArticlePage).pk
        locale_id = Locale.get_default().pk
        for offset in range(0, len(indices), CHUNK):
            chunk = indices[offset : offset + CHUNK]
            with transaction.atomic(using=self.using):
                self._insert_chunk(chunk, sections, ct_id, locale_id)
            self.loaded += len(chunk)
            done = offset + len(chunk)
            if done % 20000 < CHUNK or done == len(indices):
                rate = done / (time.perf_counter() - started)
                self.log(f"  {done:>7,} / {len(indices):,} articles ({rate:,.0f}/s)")
        self._fix_numchild(sections)
        return time.perf_counter() - started

    def _last_child_step(self, section: SectionPage) -> int:
        last = (
            Page.objects.using(self.using)
            .filter(path__startswith=section.path, depth=section.depth + 1)
            .order_by("-path")
            .values_list("path", flat=True)
            .first()
        )
        return ArticlePage._str2int(last[-ArticlePage.steplen :]) if last else 0

    def _fix_numchild(self, sections: list[SectionPage]) -> None:
        for section in sections:
            count = (
                Page.objects.using(self.using)
                .filter(path__startswith=section.path, depth=section.depth + 1)
                .count()
            )
            Page.objects.using(self.using).filter(pk=section.pk).update(numchild=count)
            section.numchild = count

    def _article(
        self, i: int, sections: list[SectionPage], ct_id: int, locale_id: int
    ) -> ArticlePage:
        r = self.rng
        section = sections[self.plan.sections[i]]
        self._next_child[section.pk] += 1
        depth = section.depth + 1
        path = ArticlePage._get_path(section.path, depth, self._next_child[section.pk])
        rare = i in self.plan.rare
        title = self.text.title(rare=rare)
        slug = f"{slugify(title)[:80].rstrip('-')}-{i + 1}"
        published = self.plan.dates[i]
        mix = self.access
        roll = r.random()
        access = (
            AccessLevel.SUBSCRIBERS
            if roll < mix.subscribers
            else AccessLevel.REGISTERED
            if roll < mix.subscribers + mix.registered
            else ""
        )
        images = self.universe.images
        return ArticlePage(
            title=title,
            draft_title=title,
            slug=slug,
            content_type_id=ct_id,
            locale_id=locale_id,
            path=path,
            depth=depth,
            numchild=0,
            url_path=f"{section.url_path}{slug}/",
            live=True,
            has_unpublished_changes=False,
            show_in_menus=False,
            first_published_at=published,
            last_published_at=published,
            standfirst=self.text.standfirst(),
            body=self.text.body(rare=rare),
            section_id=section.pk,
            **self._derived[section.pk],
            lead_image_id=r.choice(images).pk if images and r.random() < 0.75 else None,
            access_level=access,
            metered=r.random() < mix.metered
            and (
                not mix.metered_locked_only or bool(access) or section.pk in self._locked_sections
            ),
            published_at=published,
        )

    def _insert_chunk(
        self, chunk: Sequence[int], sections: list[SectionPage], ct_id: int, locale_id: int
    ) -> None:
        r = self.rng
        articles = [self._article(i, sections, ct_id, locale_id) for i in chunk]
        for article in articles:
            roll = r.random()
            if roll < 0.15:
                article.agency_credit = "Avec agences"
        page_fields = [f for f in Page._meta.local_concrete_fields if not f.primary_key]
        child_fields = list(ArticlePage._meta.local_concrete_fields)
        for start in range(0, len(articles), INSERT_BATCH):
            batch = articles[start : start + INSERT_BATCH]
            rows = Page._base_manager._insert(  # type: ignore[attr-defined]
                batch,
                fields=page_fields,
                returning_fields=Page._meta.db_returning_fields,
                using=self.using,
            )
            for article, row in zip(batch, rows, strict=True):
                article.id = row[0]
                article.page_ptr_id = row[0]
                article._state.adding = False
            ArticlePage._base_manager._insert(  # type: ignore[attr-defined]
                batch, fields=child_fields, using=self.using
            )
        links: list[ArticleAuthor] = []
        tagged: list[ArticleTag] = []
        for article in articles:
            if not article.agency_credit:
                count = 2 if r.random() < 0.12 else 1
                chosen = _unique(
                    r.choices(self.universe.authors, cum_weights=self._author_cum, k=count)
                )
                links += [
                    ArticleAuthor(page_id=article.pk, author_id=a.pk, sort_order=n)
                    for n, a in enumerate(chosen)
                ]
            ntags = r.choices([0, 1, 2, 3], weights=[0.25, 0.35, 0.25, 0.15])[0]
            if ntags:
                chosen_tags = _unique(
                    r.choices(self.universe.tags, cum_weights=self._tag_cum, k=ntags)
                )
                tagged += [
                    ArticleTag(content_object_id=article.pk, tag_id=t.pk) for t in chosen_tags
                ]
        ArticleAuthor.objects.using(self.using).bulk_create(links, batch_size=INSERT_BATCH)
        ArticleTag.objects.using(self.using).bulk_create(tagged, batch_size=INSERT_BATCH)


def _reference_section(sections: Sequence[SectionSpec]) -> str:
    """The section the reference article goes into: REFERENCE_SECTION when it
    is there, else the first nested section, else the first one."""
    titles = [s.title for s in sections]
    if REFERENCE_SECTION in titles:
        return REFERENCE_SECTION
    nested = [s.title for s in sections if s.parent]
    return (nested or titles)[0]


def _columns() -> list[str]:
    return [f.attname for f in ArticlePage._meta.concrete_fields]


def derived_from_section(section: SectionPage) -> dict[str, Any]:
    """Columns ``ArticlePage.save()`` derives from the parent section, beyond
    ``section`` itself (today: the top-level section, when the model has it)."""
    values: dict[str, Any] = {}
    names = {f.attname for f in ArticlePage._meta.concrete_fields}
    if "top_section_id" in names and hasattr(section, "top_level"):
        values["top_section_id"] = section.top_level().pk
    return values


def _unique(items: list[Any]) -> list[Any]:
    seen: list[Any] = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen
