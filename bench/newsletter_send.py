"""Newsletter send benchmark: N confirmed recipients on PostgreSQL, one
edition, DKIM signing on, sent by ``manage.py newsletter_send`` (a separate
process) to a local SMTP sink (another process); then the same with the
worker SIGKILLed at about half-way and restarted.

    .venv/bin/python bench/newsletter_send.py [--recipients 100000] [--connections 16]
        [--sink smtp-sink|aiosmtpd] [--port 8601] [--no-kill] [--no-results]

The default sink is Postfix's C ``smtp-sink`` (Debian package ``postfix``,
``/usr/sbin/smtp-sink``; the postfix service itself is not needed), started
fresh for each run with ``-D`` so that every transaction is appended to a
dump file whose ``X-Rcpt-Args`` envelope lines give the copies per
recipient; ``aiosmtpd`` is the pure-Python alternative (a bottleneck itself).

Reports messages per second, the worker's peak RSS (``wait4``) and its RSS
at 10/50/90 % of the run, its CPU time per message (and the sink's), the
count at the sink, and for the kill run: copies per recipient at the sink,
recipients neither received nor ``unknown``, and the rows' final states.
Appends a section to the history of ``bench/RESULTS.md`` with the date and
the machine. Uses ``bench/settings.py`` and the database
``lede_bench_h_mail`` (dropped and created again).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
DATABASE = "lede_bench_h_mail"
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DATABASE}"
RESULTS = BENCH_DIR / "RESULTS.md"
SLUG = "bench-lettre"


def log(message: str) -> None:
    print(message, flush=True)


# --- the sink (run as a child: ``newsletter_send.py --sink PORT FILE``) -------------


def run_sink(port: int, path: str) -> None:
    """aiosmtpd that accepts everything and writes "edition recipient" lines."""
    from aiosmtpd.controller import Controller

    message_id = re.compile(rb"^Message-ID: <(\d+)\.", re.MULTILINE | re.IGNORECASE)
    out = open(path, "a", buffering=1)

    class Sink:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            found = message_id.search(envelope.original_content or b"")
            edition = found.group(1).decode() if found else "?"
            for rcpt in envelope.rcpt_tos:
                out.write(f"{edition} {rcpt}\n")
            return "250 OK"

    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    signal.sigwait({signal.SIGTERM, signal.SIGINT})
    controller.stop()


SMTP_SINK = "/usr/sbin/smtp-sink"
SINKS = {
    "smtp-sink": "Postfix's C `smtp-sink` (`-D`: every transaction appended to a file, "
    "counted per recipient from its `X-Rcpt-Args` lines)",
    "aiosmtpd": "an aiosmtpd sink",
}


def start_smtp_sink(port: int, dump: Path | None) -> subprocess.Popen[bytes]:
    """Postfix's C ``smtp-sink`` (Debian package ``postfix``): accepts everything,
    with ``-D`` appending every transaction (its ``X-Rcpt-Args`` envelope
    lines, then the message) to ``dump``."""
    command = [SMTP_SINK, "-c"]
    if os.geteuid() == 0:
        command += ["-u", "nobody"]
    if dump is not None:
        command += ["-D", str(dump)]
    command += [f"127.0.0.1:{port}", "256"]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


_RCPT = re.compile(rb"X-Rcpt-Args: <([^>]*)>")


def smtp_sink_copies(dump: Path) -> Counter[str]:
    """Copies per recipient in an ``smtp-sink -D`` dump (one dump per run).
    The dump interleaves transactions at write boundaries, so the envelope
    lines are searched without anchors, in chunks that overlap."""
    copies: Counter[str] = Counter()
    carry = b""
    with open(dump, "rb") as f:
        while True:
            chunk = f.read(1 << 24)
            buffer = carry + chunk
            cut = len(buffer) if not chunk else max(0, len(buffer) - 512)
            for found in _RCPT.finditer(buffer):
                if found.start() < cut:
                    copies[found.group(1).decode()] += 1
            carry = buffer[cut:]
            if not chunk:
                return copies


# --- helpers ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the SMTP sink did not start")


def env() -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "BENCH_DATABASE_URL": DATABASE_URL,
        "PYTHONPATH": str(ROOT),
    }


def recreate_database() -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{DATABASE}"')
        c.execute(f'CREATE DATABASE "{DATABASE}"')
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env(), check=True)


def seed(recipients: int) -> None:
    from django.utils import timezone

    from lede.core.testing import factories as f
    from lede.newsletters.models import Newsletter, Subscriber, Subscription

    section = f.make_section("Actualité")
    for i in range(8):
        f.make_article(
            section,
            f"Article de banc d'essai numéro {i}",
            standfirst="Un chapô de deux phrases pour l'essai. Il tient sur deux lignes.",
            body=[("paragraph", "<p>" + "Un paragraphe d'essai. " * 40 + "</p>")],
        )
    newsletter = Newsletter.objects.create(
        name="Lettre d'essai",
        slug=SLUG,
        sender_name="Le Quotidien",
        sender_address="lettre@lede.example",
    )
    now = timezone.now()
    batch = 5000
    for start in range(0, recipients, batch):
        subs = Subscriber.objects.bulk_create(
            Subscriber(email=f"lecteur{i:06d}@example.ma")
            for i in range(start, min(recipients, start + batch))
        )
        Subscription.objects.bulk_create(
            Subscription(
                subscriber=s,
                newsletter=newsletter,
                status=Subscription.Status.CONFIRMED,
                consent_at=now,
                confirmed_at=now,
            )
            for s in subs
        )


def enqueue() -> tuple[int, int, float]:
    """A new edition in the outbox: (edition id, rows, seconds)."""
    from lede.newsletters import services
    from lede.newsletters.models import Edition, EditionArticle, Newsletter
    from lede.newsletters.selectors import edition_articles

    newsletter = Newsletter.objects.get(slug=SLUG)
    previous = Edition.objects.filter(newsletter=newsletter).first()
    if previous is None:
        edition = services.edition_build(newsletter=newsletter)
    else:
        edition = Edition.objects.create(newsletter=newsletter, subject="Édition d'essai")
        for i, article in enumerate(edition_articles(previous)):
            EditionArticle.objects.create(edition=edition, article=article, sort_order=i)
    started = time.monotonic()
    rows = services.edition_enqueue(edition=edition)
    return edition.pk, rows, time.monotonic() - started


def worker(port: int, key: str, connections: int) -> subprocess.Popen[bytes]:
    worker_env = {
        **env(),
        "LEDE_NEWSLETTER_SMTP_URL": f"smtp://127.0.0.1:{port}",
        "LEDE_DKIM_KEY_FILE": key,
        "LEDE_DKIM_DOMAIN": "lede.example",
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "newsletter_send", SLUG, "--connections", str(connections)],
        cwd=ROOT,
        env=worker_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )


class RssSampler(threading.Thread):
    """The worker's resident memory every half second (is it flat?)."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.path = Path(f"/proc/{pid}/status")
        self.samples: list[int] = []
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.5):
            try:
                for line in self.path.read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        self.samples.append(int(line.split()[1]))
            except OSError:
                return

    def spread(self) -> str:
        """RSS (MiB) at 10 %, 50 % and 90 % of the run."""
        if not self.samples:
            return "—"
        n = len(self.samples)
        picks = [self.samples[min(n - 1, int(n * q))] / 1024 for q in (0.1, 0.5, 0.9)]
        return " / ".join(f"{v:.0f}" for v in picks)


def finish(process: subprocess.Popen[bytes]) -> dict[str, Any]:
    """Wait for the worker: peak RSS (MiB), CPU seconds, RSS samples, its last line."""
    sampler = RssSampler(process.pid)
    sampler.start()
    _pid, _status, usage = os.wait4(process.pid, 0)
    sampler.done.set()
    process.returncode = 0
    out = process.stdout.read().decode() if process.stdout else ""
    return {
        "rss_mib": usage.ru_maxrss / 1024,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "rss_spread": sampler.spread(),
        "line": (out.strip().splitlines() or [""])[-1],
    }


def sent_rows(edition_id: int) -> int:
    from lede.newsletters.models import Delivery

    return Delivery.objects.filter(edition_id=edition_id, state="sent").count()


def states(edition_id: int) -> Counter[str]:
    from lede.newsletters.models import Delivery

    return Counter(Delivery.objects.filter(edition_id=edition_id).values_list("state", flat=True))


def edition_addresses(edition_id: int, state: str | None = None) -> list[str]:
    from lede.newsletters.models import Delivery

    rows = Delivery.objects.filter(edition_id=edition_id)
    if state is not None:
        rows = rows.filter(state=state)
    return list(rows.values_list("email", flat=True))


class Sink:
    """The SMTP sink of one run: Postfix's ``smtp-sink`` (C, the default) with
    a dump of this run only, or the aiosmtpd sink of this script."""

    def __init__(self, kind: str, tmp: Path, port: int, name: str) -> None:
        self.kind = kind
        self.port = port
        self.path = tmp / f"{name}.{'dump' if kind == 'smtp-sink' else 'txt'}"
        self.process: subprocess.Popen[bytes] | None = None
        self.cpu_s = 0.0

    def __enter__(self) -> Sink:
        if self.kind == "smtp-sink":
            self.path.parent.chmod(0o777)  # smtp-sink runs as nobody when started by root
            self.process = start_smtp_sink(self.port, self.path)
        else:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    str(Path(__file__).resolve()),
                    "--sink",
                    str(self.port),
                    str(self.path),
                ],
                cwd=ROOT,
                env=env(),
            )
        wait_port(self.port)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGTERM)
            _pid, _status, usage = os.wait4(self.process.pid, 0)
            self.process.returncode = 0
            self.cpu_s = usage.ru_utime + usage.ru_stime

    def copies(self, edition_id: int) -> Counter[str]:
        if self.kind == "smtp-sink":
            copies = smtp_sink_copies(self.path)
            self.path.unlink()
            return copies
        return at_sink(self.path, edition_id)


def at_sink(path: Path, edition_id: int) -> Counter[str]:
    copies: Counter[str] = Counter()
    for line in path.read_text().splitlines():
        edition, rcpt = line.split(" ", 1)
        if edition == str(edition_id):
            copies[rcpt] += 1
    return copies


def main(argv: list[str]) -> None:
    if argv[:1] == ["--sink"]:
        run_sink(int(argv[1]), argv[2])
        return
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--recipients", type=int, default=100_000)
    p.add_argument("--connections", type=int, default=16)
    p.add_argument("--port", type=int, default=8601)
    p.add_argument("--sink", choices=["smtp-sink", "aiosmtpd"], default="smtp-sink")
    p.add_argument("--no-kill", action="store_true")
    p.add_argument("--no-results", action="store_true")
    args = p.parse_args(argv)

    log(f"database {DATABASE}: migrating …")
    recreate_database()
    os.environ.update(env())
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    log(f"seeding {args.recipients} recipients …")
    seed(args.recipients)
    tmp = Path(tempfile.mkdtemp(prefix="lede-newsletter-bench-"))
    key = tmp / "dkim.pem"
    key.write_bytes(
        rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    port = args.port
    results: dict[str, Any] = {"load_start": os.getloadavg()[0], "sink": args.sink}
    edition_id, rows, enqueue_s = enqueue()
    log(f"edition {edition_id}: {rows} rows enqueued in {enqueue_s:.1f} s; sending …")
    with Sink(args.sink, tmp, port, "clean") as sink:
        started = time.monotonic()
        done = finish(worker(port, str(key), args.connections))
        seconds = time.monotonic() - started
        copies = sink.copies(edition_id)
    results["clean"] = {
        "rows": rows,
        "enqueue_s": enqueue_s,
        "seconds": seconds,
        "rate": rows / seconds,
        **done,
        "cpu_ms_per_message": done["cpu_s"] / rows * 1000,
        "sink_cpu_ms_per_message": sink.cpu_s / rows * 1000,
        "at_sink": sum(copies.values()),
        "distinct": len(copies),
    }
    log(f"clean run: {results['clean']}")
    if not args.no_kill:
        edition_id, rows, _ = enqueue()
        log(f"edition {edition_id}: kill run …")
        with Sink(args.sink, tmp, port, "kill") as sink:
            started = time.monotonic()
            first = worker(port, str(key), args.connections)
            while sent_rows(edition_id) < rows // 2:
                time.sleep(0.05)  # polling the database for half-way, a benchmark only
            first.send_signal(signal.SIGKILL)
            first.wait()
            killed_after = time.monotonic() - started
            at_kill = sent_rows(edition_id)
            started = time.monotonic()
            done2 = finish(worker(port, str(key), args.connections))
            restart_seconds = time.monotonic() - started
            copies = sink.copies(edition_id)
        final = states(edition_id)
        addresses = set(edition_addresses(edition_id))
        unknown = set(edition_addresses(edition_id, "unknown"))
        results["kill"] = {
            "rows": rows,
            "killed_after": killed_after,
            "sent_at_kill": at_kill,
            "restart_seconds": restart_seconds,
            "rss_mib": done2["rss_mib"],
            "line": done2["line"],
            "at_sink": sum(copies.values()),
            "doubles": sum(1 for c in copies.values() if c > 1),
            "neither": len(addresses - set(copies) - unknown),
            "unknown_at_sink": len(unknown & set(copies)),
            "states": dict(final),
        }
        log(f"kill run: {results['kill']}")
    results["load_end"] = os.getloadavg()[0]
    if not args.no_results:
        write_results(args, results)


def write_results(args: argparse.Namespace, r: dict[str, Any]) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("show server_version")
        pg = cursor.fetchone()[0].split()[0]
    clean = r["clean"]
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M")
    cpu = platform.processor() or platform.machine()
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    lines = [
        f"## Newsletter send, {clean['rows']:,} recipients ({when} UTC)",
        "",
        f"`bench/newsletter_send.py --recipients {args.recipients} --connections "
        f"{args.connections}` on {model or cpu}, {os.cpu_count()} cores, PostgreSQL {pg}, "
        f"load {r['load_start']:.1f} → {r['load_end']:.1f}. One edition (8 articles, teasers), "
        "DKIM rsa-sha256 2048-bit on every message, `manage.py newsletter_send` in its own "
        f"process sending to {SINKS[r['sink']]} in another process (both on this machine).",
        "",
        "| run | messages | seconds | messages/s | worker peak RSS | at the sink | note |",
        "|---|---:|---:|---:|---:|---:|---|",
        f"| clean | {clean['rows']:,} | {clean['seconds']:.1f} | {clean['rate']:,.0f} | "
        f"{clean['rss_mib']:.0f} MiB (at 10/50/90 %: {clean['rss_spread']}) | "
        f"{clean['at_sink']:,} ({clean['distinct']:,} distinct) | "
        f"worker CPU {clean['cpu_ms_per_message']:.2f} ms/message, sink "
        f"{clean['sink_cpu_ms_per_message']:.2f} ms/message; enqueue "
        f"{clean['enqueue_s']:.1f} s; `{clean['line']}` |",
    ]
    if "kill" in r:
        k = r["kill"]
        lines.append(
            f"| SIGKILL at half-way, restarted | {k['rows']:,} | {k['restart_seconds']:.1f} "
            f"(after restart) | — | {k['rss_mib']:.0f} MiB | {k['at_sink']:,} | "
            f"killed after {k['killed_after']:.1f} s with {k['sent_at_kill']:,} sent; doubles at "
            f"the sink: {k['doubles']}; neither received nor `unknown`: {k['neither']}; "
            f"`unknown` rows that reached the sink: {k['unknown_at_sink']}; rows: {k['states']}; "
            f"`{k['line']}` |"
        )
    lines.append("")
    text = RESULTS.read_text()
    marker = "## History\n"
    head, _, tail = text.partition(marker)
    intro, sep, rest = tail.partition("\n## ")
    block = "\n".join(lines)
    RESULTS.write_text(f"{head}{marker}{intro.rstrip()}\n\n{block}\n{sep.lstrip()}{rest}")
    log(f"written to {RESULTS}")


if __name__ == "__main__":
    main(sys.argv[1:])
