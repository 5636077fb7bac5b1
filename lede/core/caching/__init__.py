"""The one home of Lede's caching (docs/caching.md is its map).

- ``keys``: every cache key and generation, and the register of caches
  (``keys.REGISTRY``) the documentation is checked against;
- ``markers``: the places in shared HTML where one reader's bits go, and the
  flag a shared render carries;
- ``anonymous``: the one copy of a request that renders "as an anonymous
  reader" (nothing of the reader's own reaches it);
- ``variants``: the article variants' store (a per-process LRU in front of
  the shared cache);
- ``listings``: listing pages rendered once per change for every reader, and
  their cached page counts;
- ``edge``: the caching headers of listings and the purges of the edge cache;
- ``invalidation``: ``invalidate(event, page)``, the one entry point that
  says what a publish, unpublish, move, deletion or settings change clears;
- ``roles``: what a page model is to the caches (its ``caching_role``).

This package imports nothing above ``lede.core``: what only a higher app knows
(who is staff, the header's account links) it gets through a function that
app registers (``listings.register_reader_parts``).
"""
