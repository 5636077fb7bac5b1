"""deploy/nginx/lede.conf in front of the stack's Varnish, on loopback.

A copy of the shipped configuration with loopback ports, the stack's
directories and a self-signed certificate: HTTP goes to HTTPS, static files
come from disk, pages and the live feed come through Varnish with the proxy
headers set.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from .conftest import Stack

# The certificate is self-signed, made for this test.
pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")


def _render(stack: Stack, target: Path, http_port: int, https_port: int) -> Path:
    conf = (stack.root / "deploy" / "nginx" / "lede.conf").read_text()
    varnish = urlsplit(stack.url).netloc
    conf = conf.replace("server 127.0.0.1:6081;", f"server {varnish};")
    conf = re.sub(r"listen 80;", f"listen 127.0.0.1:{http_port};", conf)
    # Options (sndbuf=) kept: set once for the address, they are tested too.
    conf = re.sub(
        r"listen 443 ssl(?: http2)?((?: [a-z_]+=[^ ;]+)*);",
        rf"listen 127.0.0.1:{https_port} ssl\1;",
        conf,
    )
    conf = re.sub(r"\s*listen \[::\]:\d+[^;]*;", "", conf)
    conf = conf.replace("/etc/letsencrypt/live/www.example.ma/", f"{target}/")
    conf = conf.replace("/srv/lede/var/", f"{stack.dir}/")
    conf = conf.replace("server_name example.ma;", "server_name localhost;")
    conf = conf.replace("www.example.ma example.ma", "127.0.0.1")
    conf = conf.replace("https://www.example.ma", f"https://127.0.0.1:{https_port}")
    conf = conf.replace("www.example.ma", "127.0.0.1")
    conf = re.sub(r"\s*ssl_stapling[a-z_]* on;", "", conf)
    # The live feed's nchan parts (docs/livefeed.md): the publisher on a port
    # of this test, the snippet, the epoch map and the ready file here.
    conf = conf.replace("listen 127.0.0.1:8090;", f"listen 127.0.0.1:{https_port + 1};")
    conf = conf.replace("/etc/nginx/lede-livefeed-epoch.conf", f"{target}/epoch.conf")
    conf = conf.replace("/run/lede/livefeed-ready", f"{target}/ready")
    snippet = (stack.root / "deploy" / "nginx" / "lede-livefeed.conf").read_text()
    (target / "lede-livefeed.conf").write_text(
        snippet.replace("/run/lede/livefeed-ready", f"{target}/ready")
    )
    (target / "ready").touch()
    (target / "epoch.conf").write_text('"~^[0-9]+:[0-9]+$" $http_last_event_id;\n')
    conf = conf.replace("/etc/nginx/snippets/lede-livefeed.conf", f"{target}/lede-livefeed.conf")
    main = target / "nginx.conf"
    main.write_text(
        "load_module /usr/lib/nginx/modules/ngx_nchan_module.so;\n"
        "user root;\n"  # the stack's files are not world-readable everywhere
        f"pid {target}/nginx.pid;\n"
        f"error_log {target}/error.log warn;\n"
        "events {}\n"
        "http {\n"
        "  include /etc/nginx/mime.types;\n"
        f"  access_log {target}/access.log;\n"
        f"  client_body_temp_path {target}/tmp;\n"
        f"  proxy_temp_path {target}/tmp;\n" + conf + "\n}\n"
    )
    return main


@pytest.fixture(scope="module")
def nginx(stack: Stack) -> Iterator[str]:
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(binary).exists():
        pytest.fail("nginx is missing: apt-get install nginx")
    target = stack.dir / "nginx"
    (target / "tmp").mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-keyout", str(target / "privkey.pem"),
         "-out", str(target / "fullchain.pem")],
        check=True, capture_output=True,
    )  # fmt: skip
    port = urlsplit(stack.url).port or 80
    http_port, https_port = port + 3, port + 4
    conf = _render(stack, target, http_port, https_port)
    check = subprocess.run([binary, "-t", "-c", str(conf)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    proc = subprocess.Popen(
        [binary, "-c", str(conf), "-g", "daemon off;"], stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        base = f"https://127.0.0.1:{https_port}"
        for _ in range(100):
            try:
                requests.get(base + "/healthz", verify=False, timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _get(url: str, **kwargs: object) -> requests.Response:
    http = requests.Session()
    http.trust_env = False
    return http.get(url, verify=False, allow_redirects=False, timeout=10, **kwargs)  # type: ignore[arg-type]


def test_http_redirects_to_https(stack: Stack, nginx: str) -> None:
    https_port = int(nginx.rsplit(":", 1)[1])
    response = _get(f"http://127.0.0.1:{https_port - 1}/maroc/?x=1")
    assert response.status_code == 301
    assert response.headers["Location"] == f"{nginx}/maroc/?x=1"


def test_pages_through_varnish_and_static_from_disk(stack: Stack, nginx: str) -> None:
    path = stack.seed["articles"][4]
    first, second = _get(nginx + path), _get(nginx + path)
    assert first.status_code == second.status_code == 200
    assert second.headers.get("X-Cache") == "HIT"
    locked = _get(nginx + stack.seed["locked"]["url"], cookies=stack.session("subscriber"))
    assert stack.seed["locked"]["sentence"] in locked.text

    manifest = (stack.dir / "static" / "staticfiles.json").read_text()
    css = re.search(r'"(lede/[^"]+\.[0-9a-f]{12}\.css)"', manifest)
    assert css, "no hashed stylesheet in the manifest"
    static = _get(f"{nginx}/static/{css.group(1)}")
    assert static.status_code == 200
    assert "immutable" in static.headers["Cache-Control"]
    assert "X-Cache" not in static.headers  # nginx itself, not Varnish


def test_live_feed_is_streamed(stack: Stack, nginx: str) -> None:
    http = requests.Session()
    http.trust_env = False
    started = time.monotonic()
    # A client that is not an EventSource: the application's stream.
    with http.get(nginx + "/newsroom/flux/", stream=True, verify=False, timeout=(5, 10)) as r:
        assert r.status_code == 200
        assert r.headers["Content-Type"].startswith("text/event-stream")
        first = next(r.iter_lines(chunk_size=1, decode_unicode=True))
    assert first.startswith("retry:")
    assert time.monotonic() - started < 5
    # An EventSource: nchan, in nginx (its greeting comment, no Python "retry:").
    headers = {"Accept": "text/event-stream", "Last-Event-ID": "garbage"}
    with http.get(
        nginx + "/newsroom/flux/", headers=headers, stream=True, verify=False, timeout=(5, 10)
    ) as r:
        assert r.status_code == 200
        assert r.headers["Content-Type"].startswith("text/event-stream")
        assert next(r.iter_lines(chunk_size=1, decode_unicode=True)).startswith(":")
