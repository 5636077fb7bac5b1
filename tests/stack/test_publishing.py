"""Publishing on one node reaches Varnish and the other node within 2 s."""

from __future__ import annotations

import http.client
import re
import time
from urllib.parse import urlsplit

from .conftest import Browser, Stack, editor, wait_until

WITHIN = 2.0


def _draft(stack: Stack, title: str) -> tuple[int, str]:
    out = stack.shell(
        "from lede.core.testing import factories as f\n"
        "from lede.editorial.models import SectionPage\n"
        f"s = SectionPage.objects.get(pk={stack.seed['sections']['maroc']})\n"
        f"a = f.make_article(s, {title!r}, publish=False,"
        " body=[('paragraph', '<p>Un texte publié par la pile.</p>')])\n"
        "print('DRAFT', a.pk, s.url + a.slug + '/')\n"
    )
    match = re.search(r"^DRAFT (\d+) (\S+)$", out, re.M)
    assert match, out
    return int(match.group(1)), match.group(2)


def _status(base: str, path: str) -> int:
    return int(Browser(base).get(path).status_code)


def test_publish_then_unpublish_on_node_a_seen_through_varnish_and_node_b(
    stack: Stack,
) -> None:
    title = f"Publication sur la pile {time.time_ns()}"
    page_id, path = _draft(stack, title)
    varnish, node_b = stack.url, stack.nodes["node2"]
    # Not published yet: Varnish caches the 404 (for 10 s), so only a purge
    # can make the page appear sooner.
    assert _status(varnish, path) == 404
    assert Browser(varnish).get(path).headers.get("X-Cache") == "HIT"
    assert _status(node_b, path) == 404

    # The listings are cached at the edge too (anonymous copies, 60 s).
    section = path.rsplit("/", 2)[0] + "/"
    for listing in ("/", section):
        Browser(varnish).get(listing)
        assert Browser(varnish).get(listing).headers.get("X-Cache") == "HIT", listing

    node_a = editor(stack, "node1")
    bulk = f"/admin/bulk/wagtailcore/page/publish/?id={page_id}"
    response = node_a.post(bulk, data={"csrfmiddlewaretoken": node_a.csrf_token(bulk)})
    assert response.status_code == 302, response.text[:2000]
    published = time.monotonic()

    def visible() -> bool:
        through_varnish = Browser(varnish).get(path)
        return (
            through_varnish.status_code == 200
            and title in through_varnish.text
            and _status(node_b, path) == 200
        )

    shown = wait_until(visible, timeout=WITHIN - (time.monotonic() - published))

    def listed() -> bool:
        return title in Browser(varnish).get(section).text

    # Publishing purged the section page and the home page at the edge.
    listed_after = wait_until(listed, timeout=WITHIN - (time.monotonic() - published))
    assert Browser(varnish).get("/").headers.get("X-Cache") == "MISS"

    # Cached again (60 s): only the purge on unpublish can take it away.
    Browser(varnish).get(path)
    assert Browser(varnish).get(path).headers.get("X-Cache") == "HIT"
    unpublish = f"/admin/pages/{page_id}/unpublish/"
    response = node_a.post(unpublish, data={"csrfmiddlewaretoken": node_a.csrf_token(unpublish)})
    assert response.status_code == 302, response.text[:2000]
    unpublished = time.monotonic()

    def gone() -> bool:
        return _status(varnish, path) == 404 and _status(node_b, path) == 404

    hidden = wait_until(gone, timeout=WITHIN - (time.monotonic() - unpublished))
    assert wait_until(lambda: not listed(), timeout=WITHIN) >= 0
    print(
        f"published: visible after {shown:.2f} s, listed after {listed_after:.2f} s;"
        f" unpublished: gone after {hidden:.2f} s"
    )


def _from_outside(stack: Stack, method: str, path: str, headers: dict[str, str]) -> int:
    """A request from 127.0.0.2: loopback, but not in the purgers ACL."""
    parts = urlsplit(stack.url)
    conn = http.client.HTTPConnection(
        parts.hostname or "127.0.0.1", parts.port or 80, timeout=5, source_address=("127.0.0.2", 0)
    )
    try:
        conn.request(method, path, headers=headers)
        return conn.getresponse().status
    finally:
        conn.close()


def test_purge_and_ban_only_from_the_acl(stack: Stack) -> None:
    path = stack.seed["articles"][0]
    Browser(stack.url).get(path)
    assert Browser(stack.url).get(path).headers.get("X-Cache") == "HIT"

    assert _from_outside(stack, "PURGE", path, {}) == 405
    assert _from_outside(stack, "BAN", "/", {"X-Ban-Url": "^/"}) == 405
    assert Browser(stack.url).get(path).headers.get("X-Cache") == "HIT"

    assert Browser(stack.url).request("PURGE", path).status_code == 200
    assert Browser(stack.url).get(path).headers.get("X-Cache") == "MISS"
    assert Browser(stack.url).get(path).headers.get("X-Cache") == "HIT"
    section = path.rsplit("/", 2)[0] + "/"
    ban = Browser(stack.url).request("BAN", "/", headers={"X-Ban-Url": f"^{section}"})
    assert ban.status_code == 200
    assert Browser(stack.url).get(path).headers.get("X-Cache") == "MISS"


def test_operations_endpoints_at_the_edge(stack: Stack) -> None:
    # Probes pass through (never cached); metrics are for the private network.
    for _ in range(2):
        health = Browser(stack.url).get("/healthz")
        assert health.status_code == 200 and health.headers.get("X-Cache") == "MISS"
    assert Browser(stack.url).get("/readyz").status_code == 200
    assert Browser(stack.url).get("/metrics").status_code == 404
    # A client cannot ask for the stale-if-error path itself.
    path = stack.seed["articles"][5]
    Browser(stack.url).get(path)  # cached
    response = Browser(stack.url).get(path, headers={"X-Lede-Stale-If-Error": "1"})
    assert response.status_code == 200 and response.headers.get("X-Cache") == "HIT"
