"""Every web server Lede ships or documents hands Django the socket peer
unchanged: a client cannot choose its own address with X-Forwarded-For
unless the operator names trusted proxies (LEDE_TRUSTED_PROXIES).

The servers run for real, in a child process, through ``python -m
config.serve`` — the very command ``bin/run-demo`` (uvicorn), ``bin/stack``
and ``deploy/systemd/lede-web@.service`` (granian) run, and the gunicorn
recipe of ``deploy/README.md`` — on the test database, with an organisation
licensed for 10.0.0.0/8."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from django.utils import timezone

from config.serve import server_argv, trusted_proxies_error
from lede.core.testing import factories as f
from lede.core.testing.processes import ROOT
from lede.core.testing.servers import (
    child_database_url,
    production_env,
    running_server,
    static_manifest,
)

FORGED = "10.1.2.3"  # inside the organisation's licence


# --- the commands ------------------------------------------------------------


def _shipped(path: str) -> str:
    return (ROOT / path).read_text(encoding="utf-8")


def test_shipped_server_commands_go_through_config_serve() -> None:
    demo, stack = _shipped("bin/run-demo"), _shipped("bin/stack")
    unit = _shipped("deploy/systemd/lede-web@.service")
    guide = _shipped("deploy/README.md")
    assert re.search(r"-m config\.serve uvicorn\b", demo)
    assert re.search(r"-m config\.serve granian\b", stack)
    assert re.search(r"-m config\.serve granian\b", unit)
    assert re.search(r"-m config\.serve gunicorn\b", guide)
    # No server started around it, with flags of its own.
    direct = re.compile(r"(bin/|-m )(uvicorn|granian|gunicorn)\s")
    for text in (demo, stack, unit, guide):
        assert not direct.search(text), direct.search(text)
    assert not re.search(r"`(uvicorn|granian|gunicorn) -", guide)
    # One proxy setting: allauth's proxy count is gone from what we ship.
    for path in ("bin/stack", "deploy/systemd/lede.env.example"):
        assert "ALLAUTH_TRUSTED_PROXY_COUNT" not in _shipped(path)


def _unit_flags() -> list[str]:
    """The server flags of lede-web@.service's ExecStart, after the ones the
    test chooses itself (host, port, workers)."""
    unit = _shipped("deploy/systemd/lede-web@.service").replace("\\\n", " ")
    line = re.search(r"^ExecStart=.*-m config\.serve granian (.*)$", unit, re.M)
    assert line, unit
    words, flags = line.group(1).split(), []
    while words:
        word = words.pop(0)
        if word in ("--host", "--port", "--workers"):
            words.pop(0)
        else:
            flags.append(word)
    return flags


def test_the_launcher_passes_the_units_and_stacks_flags_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import config.serve

    started: list[list[str]] = []
    monkeypatch.setattr(config.serve.os, "execv", lambda path, argv: started.append(argv))
    monkeypatch.delenv("LEDE_TRUSTED_PROXIES", raising=False)
    config.serve.main(["granian", "--port", "8001", "--workers", "2", *_unit_flags()])
    assert _unit_flags() == ["--workers-kill-timeout", "10", "--respawn-failed-workers"]
    assert started[0][-4:] == [*_unit_flags(), "config.asgi:application"]
    assert started[0][started[0].index("--workers") + 1] == "2"
    monkeypatch.setenv("LEDE_TRUSTED_PROXIES", "varnish")
    with pytest.raises(SystemExit) as excinfo:
        config.serve.main(["granian"])
    assert excinfo.value.code == 2
    assert len(started) == 1


def test_server_flags_never_trust_forwarded_headers() -> None:
    uvicorn = server_argv("uvicorn", host="127.0.0.1", port=8000)
    assert "--no-proxy-headers" in uvicorn and "--proxy-headers" not in uvicorn
    gunicorn = server_argv("gunicorn", host="127.0.0.1", port=8000, workers=2)
    assert "--forwarded-allow-ips=" in gunicorn
    granian = server_argv("granian", host="127.0.0.1", port=8000, workers=2)
    assert not [arg for arg in granian[1:] if "proxy" in arg or "forward" in arg]


def test_a_bad_trusted_proxy_list_is_refused() -> None:
    assert trusted_proxies_error({"LEDE_TRUSTED_PROXIES": "10.0.0.10/32, ::1/128"}) is None
    assert trusted_proxies_error({}) is None
    error = trusted_proxies_error({"LEDE_TRUSTED_PROXIES": "10.0.0.10/32,varnish"})
    assert error and "'varnish'" in error


# --- the servers, for real -----------------------------------------------------


@pytest.fixture
def licensed_article(transactional_db: Any) -> Any:
    from lede.paywall.models import Organisation

    section = f.make_section("Enquêtes")
    article = f.make_article(
        section,
        "Article réservé aux abonnés",
        standfirst="Chapô public.",
        access_level="subscribers",
        metered=False,
        published_at=timezone.now() - timedelta(hours=1),
        body=[
            ("paragraph", "<p>Premier paragraphe public.</p>"),
            ("paragraph", "<p>Suite réservée aux lecteurs autorisés.</p>"),
        ],
    )
    org = Organisation(
        name="Réseau privé", ip_ranges="10.0.0.0/8", starts_at=timezone.now() - timedelta(days=1)
    )
    org.full_clean()
    org.save()
    return article


def _env(server: str, directory: Path, trusted: str | None) -> dict[str, str]:
    database = child_database_url(directory)
    if server == "uvicorn":
        # bin/run-demo's settings.
        env = {
            "DJANGO_SETTINGS_MODULE": "config.settings.dev",
            "DATABASE_URL": database,
            "LEDE_VAR_DIR": str(directory),
            # The demo serves hashed static files like production (make demo
            # runs collectstatic first); pages only need the manifest's names.
            "STATIC_ROOT": str(static_manifest(directory)),
        }
    else:
        env = production_env(directory, database)
    if trusted is not None:
        env["LEDE_TRUSTED_PROXIES"] = trusted
    return env


def _get(url: str, **headers: str) -> requests.Response:
    http = requests.Session()
    http.trust_env = False
    response = http.get(url, headers=headers, timeout=30, allow_redirects=False)
    assert response.status_code == 200, response.text[:2000]
    return response


@pytest.mark.parametrize("server", ["uvicorn", "granian", "gunicorn"])
@pytest.mark.parametrize("trusted", [None, "127.0.0.1/32"])
def test_forwarded_for_from_loopback_is_believed_only_when_trusted(
    server: str, trusted: str | None, licensed_article: Any, tmp_path: Path
) -> None:
    url = licensed_article.url
    # granian as a node runs: two processes, the systemd unit's own flags.
    extra = _unit_flags() if server == "granian" else []
    workers = 2 if server == "granian" else 1
    env = _env(server, tmp_path, trusted)
    with running_server(
        server, env=env, workers=workers, extra=extra, log=tmp_path / "log"
    ) as base:
        forged = _get(base + url, **{"X-Forwarded-For": FORGED})
        plain = _get(base + url)
    assert plain.headers["X-Lede-Access"] == "needs_subscription"
    if trusted is None:
        # The socket peer (127.0.0.1) is the reader: no licence.
        assert forged.headers["X-Lede-Access"] == "needs_subscription"
        assert forged.headers["X-Lede-Variant"] == "locked"
        assert "Suite réservée" not in forged.text
    else:
        # The operator trusts loopback (a proxy there): its view is believed.
        assert forged.headers["X-Lede-Access"] == "group"
        assert "Suite réservée" in forged.text


@pytest.fixture
def reader(transactional_db: Any) -> Any:
    from lede.accounts.models import User

    return User.objects.create_user("lectrice@example.com", "Kasbah-Lune-2026!")


def _log_in(http: requests.Session, base: str, email: str, password: str, forged: str) -> int:
    form = http.get(base + "/compte/login/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
    assert token, form.text[:2000]
    response = http.post(
        base + "/compte/login/",
        data={"login": email, "password": password, "csrfmiddlewaretoken": token.group(1)},
        headers={"X-Forwarded-For": forged, "Referer": base + "/compte/login/"},
        timeout=30,
        allow_redirects=False,
    )
    return response.status_code


@pytest.fixture
def demo_server(reader: Any, tmp_path: Path) -> Iterator[str]:
    with running_server("uvicorn", env=_env("uvicorn", tmp_path, None), log=tmp_path / "log") as b:
        yield b


def test_changing_forwarded_for_does_not_dodge_the_log_in_limits(
    reader: Any, demo_server: str
) -> None:
    """bin/run-demo's server: failed log-ins on random accounts, one socket, a
    new X-Forwarded-For each time, are throttled as one address."""
    rng = random.Random(56)
    http = requests.Session()
    http.trust_env = False

    def address() -> str:
        return ".".join(str(rng.randrange(1, 255)) for _ in range(4))

    codes = [
        _log_in(http, demo_server, f"inconnu-{i}@example.com", "faux", address()) for i in range(10)
    ]
    # Ten failures from this address: the right password no longer gets in.
    codes.append(_log_in(http, demo_server, reader.email, "Kasbah-Lune-2026!", address()))
    codes += [
        _log_in(http, demo_server, f"inconnu-{i}@example.com", "faux", address())
        for i in range(10, 35)
    ]
    # 30 log-in POSTs a minute per address.
    assert codes == [200] * 30 + [429] * 6
