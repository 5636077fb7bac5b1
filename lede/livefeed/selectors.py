"""Shared reads of the live feed (newsroom page, home slot, stream)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from lede.paywall import access
from lede.paywall.selectors import section_ids_for_paths

from .models import Dispatch, Edition


def dispatches_for_render() -> QuerySet[Dispatch]:
    """Dispatches with everything their fragment shows, in a constant number of queries."""
    return Dispatch.objects.select_related("section", "photo", "article").prefetch_related(
        "photo__renditions"
    )


def newsroom_dispatches(language: str = Edition.FR) -> QuerySet[Dispatch]:
    """The feed of an edition: published dispatches, and withdrawn ones whose
    note stands in their place; newest first."""
    visible = Q(status=Dispatch.Status.PUBLISHED) | (
        Q(status=Dispatch.Status.WITHDRAWN) & ~Q(withdrawn_note="")
    )
    return (
        dispatches_for_render().filter(visible, language=language).order_by("-published_at", "-id")
    )


def latest_dispatches(limit: int = 5, language: str = Edition.FR) -> QuerySet[Dispatch]:
    """The latest published dispatches of an edition (home page live slot)."""
    return (
        Dispatch.objects.filter(status=Dispatch.Status.PUBLISHED, language=language)
        .select_related("section")
        .order_by("-published_at", "-id")[:limit]
    )


def dispatch_access(dispatch: Dispatch) -> access.ArticleAccess:
    """The paywall's view of a dispatch: its level and its section with ancestors."""
    section_ids: frozenset[int] = frozenset()
    if dispatch.section is not None:
        path = dispatch.section.path
        steps = tuple(path[: i + 4] for i in range(0, len(path), 4))
        section_ids = frozenset(section_ids_for_paths(steps))
    return access.ArticleAccess(
        article_id=dispatch.pk,
        level=access.Level(dispatch.access_level),
        metered=False,
        section_ids=section_ids,
    )
