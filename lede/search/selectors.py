"""Full-text search over published articles (placeholder LIKE search;
replaced by FTS5 / PostgreSQL full-text search)."""

from __future__ import annotations

from dataclasses import dataclass

from lede.editorial.models import ArticlePage
from lede.editorial.selectors import for_listing, live_articles


@dataclass
class SearchHit:
    article: ArticlePage
    snippet: str


def search_articles(query: str, limit: int = 50) -> list[SearchHit]:
    q = query.strip()[:200]
    if not q:
        return []
    qs = for_listing(live_articles().filter(title__icontains=q))[:limit]
    return [SearchHit(article=a, snippet=a.standfirst) for a in qs]
