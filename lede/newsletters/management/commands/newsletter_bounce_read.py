"""Read bounce reports (RFC 3464 delivery-status notifications) and
List-Unsubscribe mails (the ``mailto:`` of List-Unsubscribe: subject
"unsubscribe <signed token>") from a mailbox directory (Maildir or a plain
folder of .eml files), or one message on standard input (``-``, for an
MTA's pipe):

    manage.py newsletter_bounce_read /var/mail/bounces/
    manage.py newsletter_bounce_read - < report.eml

A hard bounce (5.x.x) suspends the address; a soft one is counted. Read
files are moved to ``<dir>/cur`` in a Maildir (``--keep`` leaves them), or
renamed with ``.done`` in a plain folder.
"""

from __future__ import annotations

import email
import email.policy
import re
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lede.newsletters import services
from lede.newsletters.bounces import dsn_parse

_UNSUBSCRIBE = re.compile(r"\bunsubscribe\s+(\S+)", re.IGNORECASE)


class Command(BaseCommand):
    help = "Read RFC 3464 bounce reports from a mailbox directory (or '-' for stdin)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("mailbox")
        parser.add_argument("--keep", action="store_true", help="leave the files where they are")

    def handle(self, *args: Any, **options: Any) -> None:
        hard = soft = unknown = unsubscribed = 0
        for name, raw, done in self._reports(options["mailbox"], keep=options["keep"]):
            bounces = dsn_parse(raw)
            for bounce in bounces:
                reason = f"{bounce.status} {bounce.diagnostic}".strip()
                found = services.bounce_record(email=bounce.email, hard=bounce.hard, reason=reason)
                if not found:
                    unknown += 1
                elif bounce.hard:
                    hard += 1
                else:
                    soft += 1
            if not bounces:
                if self._unsubscribe(raw):
                    unsubscribed += 1
                else:
                    self.stderr.write(
                        f"{name} : ni rapport de non-remise ni désinscription, ignoré"
                    )
            done()
        line = f"hard {hard}, soft {soft}, unknown address {unknown}"
        if unsubscribed:
            line += f", unsubscribed {unsubscribed}"
        self.stdout.write(line)

    def _unsubscribe(self, raw: bytes) -> bool:
        """A mail sent by a client to the List-Unsubscribe mailto: address:
        its subject is "unsubscribe <signed token>" (some clients prefix it,
        "Re: " or the like; the signature decides, not the wording)."""
        subject = str(email.message_from_bytes(raw, policy=email.policy.default)["Subject"] or "")
        found = _UNSUBSCRIBE.search(subject)
        if found is None:
            return False
        try:
            services.unsubscribe_by_token(token=found.group(1), source="mailto")
        except services.NewsletterError:
            return False
        return True

    def _reports(self, mailbox: str, *, keep: bool) -> Any:
        if mailbox == "-":
            yield "stdin", sys.stdin.buffer.read(), lambda: None
            return
        root = Path(mailbox)
        if not root.is_dir():
            raise CommandError(f"Dossier introuvable : {mailbox}")
        maildir = (root / "new").is_dir()
        folder = root / "new" if maildir else root
        for path in sorted(p for p in folder.iterdir() if p.is_file()):
            if path.suffix == ".done":
                continue

            def done(path: Path = path) -> None:
                if keep:
                    return
                if maildir:
                    (root / "cur").mkdir(exist_ok=True)
                    path.rename(root / "cur" / (path.name + ":2,S"))
                else:
                    path.rename(path.with_name(path.name + ".done"))

            yield path.name, path.read_bytes(), done
