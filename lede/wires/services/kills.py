"""Killing: an item canceled or withheld by the agency is taken back everywhere
the desk used it (the brève withdrawn, the article unpublished)."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from lede.editorial.models import ArticlePage
from lede.livefeed.services import dispatch_withdraw

from ..models import ItemStatus, PubStatus, WireItemRecord


def kill_reason(pub_status: str) -> str:
    if pub_status == PubStatus.CANCELED:
        return "Annulée par l'agence (pubStatus canceled)."
    return "Suspendue par l'agence (pubStatus withheld)."


def wire_kill(*, record: WireItemRecord, reason: str) -> list[str]:
    """Take the item off the desk, withdraw its brève and unpublish its article
    (inside the caller's transaction); returns what was done, for the log."""
    notes = ["retirée du desk"]
    record.status = ItemStatus.KILLED
    record.kill_note = reason
    dispatch = record.get_dispatch()
    if dispatch is not None:
        try:
            dispatch_withdraw(dispatch=dispatch, note=f"Dépêche retirée par l'agence. {reason}")
        except ValidationError as exc:  # already withdrawn by an editor
            notes.append("brève : " + " ".join(exc.messages))
        else:
            notes.append("brève retirée du fil")
    elif record.dispatch_id is not None:
        notes.append("brève introuvable")
    if record.article_id is not None:
        article = ArticlePage.objects.filter(pk=record.article_id).first()
        if article is not None and article.live:
            article.unpublish(log_action=True)
            notes.append("article dépublié")
        elif article is not None:
            notes.append("brouillon d'article à ne pas publier")
    return notes
