"""What a page is to the caches: its model's ``caching_role`` class attribute.

lede.core.caching knows no page model above lede.core; a page model says
what it is by setting ``caching_role`` to one of these.
"""

from __future__ import annotations

#: Listed by the listings (home, sections, feeds, sitemaps) and linked from
#: other articles' variants ("À lire aussi").
ARTICLE = "article"
#: Part of what surrounds every page (the sections menu, the footer links).
CHROME = "chrome"
