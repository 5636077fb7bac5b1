"""Every plain-text reply names its charset (issue 12, item 7).

Reader-facing messages are French: ``text/plain`` without a charset lets some
clients decode them as Latin-1 ("ParamÃ¨tre invalide."). Behaviour is tested
where each reply is made (e.g. lede/livefeed/tests/test_stream.py); this guard
catches a new ``text/plain`` reply written without one anywhere in the code.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
# content_type="text/plain" / ["Content-Type"] = "text/plain" / (b"content-type", b"text/plain")
BARE_TEXT_PLAIN = re.compile(r"""content[_-]type['"\]]*\s*[=,:]\s*b?['"]text/plain\s*['"]""", re.I)


def test_no_text_plain_reply_without_a_charset() -> None:
    offenders = []
    for folder in ("lede", "config"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "tests" in path.parts:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if BARE_TEXT_PLAIN.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == [], "text/plain without '; charset=utf-8':\n" + "\n".join(offenders)


def test_the_guard_sees_the_usual_spellings() -> None:
    for line in (
        'return HttpResponseBadRequest(msg, content_type="text/plain")',
        "response['Content-Type'] = 'text/plain'",
        '(b"content-type", b"text/plain")',
    ):
        assert BARE_TEXT_PLAIN.search(line), line
    for line in (
        'HttpResponse(msg, content_type="text/plain; charset=utf-8")',
        'if _content_type(b) == "text/plain" or _role(b) in {"text", "plain"}',
    ):
        assert not BARE_TEXT_PLAIN.search(line), line
