"""Publisher side of the SSE benchmark, run as its own process (like an editor's
worker or a management command): ``--prepare`` creates a section and an editor;
otherwise publishes ``--count`` dispatches through the service, one every
``--interval`` seconds, and prints one JSON line per dispatch:
``{"n": …, "t": <unix time just before the publish call>, "done": <after the commit>}``."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.sse_settings")

EDITOR_EMAIL = "bench-editor@example.com"
EDITOR_PASSWORD = "bench-editor-pass-2026"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--prepare", action="store_true")
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--interval", type=float, default=0.2)
    parser.add_argument("--start", type=int, default=0)
    parser.add_argument("--warm-up", action="store_true", help="publish one unmeasured first")
    args = parser.parse_args()

    import django

    django.setup()
    if args.prepare:
        prepare()
        return
    from lede.editorial.models import SectionPage
    from lede.livefeed import services

    section = SectionPage.objects.filter(slug="maroc").first()  # none on the stack: fine
    if args.warm_up:
        # A long-running publisher (the admin, the wire worker) is warm: its
        # templates compiled, its connections open. Not measured.
        services.dispatch_publish(
            headline="Essai SSE échauffement", body="Une dépêche d’échauffement.", credit="AFP"
        )
    for n in range(args.start, args.start + args.count):
        t = time.time()
        dispatch = services.dispatch_publish(
            headline=f"Essai SSE {n}",
            body="Une dépêche de charge.\n\nDeuxième paragraphe, court.",
            section=section,
            credit="AFP",
        )
        print(json.dumps({"n": n, "id": dispatch.pk, "t": t, "done": time.time()}), flush=True)
        time.sleep(max(0.0, args.interval - (time.time() - t)))


def prepare() -> None:
    from lede.accounts.models import User
    from lede.core.testing import factories as f
    from lede.editorial.models import SectionPage

    if not SectionPage.objects.filter(slug="maroc").exists():
        f.make_section("Maroc")
    if not User.objects.filter(email=EDITOR_EMAIL).exists():
        User.objects.create_superuser(EDITOR_EMAIL, EDITOR_PASSWORD)


if __name__ == "__main__":
    main()
