"""Observability: /metrics and its protection, request metrics and ids, the
request log line, request ids carried into tasks, multiprocess aggregation,
the SSE, ingest and payment counters, and Sentry by environment."""

from __future__ import annotations

import asyncio
import contextvars
import io
import json
import logging
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.core.exceptions import ImproperlyConfigured
from django.core.handlers.asgi import ASGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django_tasks import task
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from lede.core.observability import context, metrics, sentry
from lede.core.observability.logs import RequestIdFilter, json_formatter
from lede.core.observability.middleware import RequestObservabilityMiddleware, view_label
from lede.core.testing.processes import run_python

ROOT = Path(__file__).resolve().parents[3]
TOKEN = "s3cret-scrape-token-0123456789"


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.fixture
def token(settings: Any) -> str:
    settings.METRICS_TOKEN = TOKEN
    settings.METRICS_ALLOWED_NETWORKS = []
    return TOKEN


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """What the production handler would print: JSON, with the request id filter."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(json_formatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)


def json_lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


# --- /metrics: who may read it ------------------------------------------------


@pytest.mark.django_db  # Wagtail's redirect middleware looks up every 404
def test_metrics_closed_when_nothing_is_configured(client: Client, settings: Any) -> None:
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_NETWORKS = []
    response = client.get("/metrics")
    assert response.status_code == 404
    assert b"lede_http_requests_total" not in response.content


def test_metrics_with_the_right_token(client: Client, token: str) -> None:
    response = client.get("/metrics", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    names = {family.name for family in text_string_to_metric_families(response.content.decode())}
    assert {"lede_http_requests", "lede_http_request_duration_seconds"} <= names


@pytest.mark.parametrize(
    "authorization",
    [None, "", f"Bearer {TOKEN}x", f"Bearer {TOKEN[:-1]}", f"Basic {TOKEN}", "Bearer "],
)
def test_metrics_refuses_a_missing_or_wrong_token(
    client: Client, token: str, authorization: str | None
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "Jeton d’accès aux métriques" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert b"lede_http" not in response.content


def test_metrics_by_network_uses_remote_addr_not_forwarded_for(
    client: Client, settings: Any
) -> None:
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_NETWORKS = ["10.1.0.0/16", "2001:db8::/32"]
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="2001:db8::5").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="::ffff:10.1.9.9").status_code == 200
    refused = client.get(
        "/metrics", REMOTE_ADDR="203.0.113.7", headers={"X-Forwarded-For": "10.1.2.3"}
    )
    assert refused.status_code == 403
    assert "Accès refusé" in refused.content.decode()
    assert client.get("/metrics", REMOTE_ADDR="").status_code == 403


def test_metrics_with_both_rules_needs_both(client: Client, settings: Any) -> None:
    settings.METRICS_TOKEN = TOKEN
    settings.METRICS_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    auth = {"Authorization": f"Bearer {TOKEN}"}
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1", headers=auth).status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="192.0.2.1", headers=auth).status_code == 403
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 401


def test_a_bad_network_setting_is_a_configuration_error(client: Client, settings: Any) -> None:
    settings.METRICS_ALLOWED_NETWORKS = ["10.0.0.0/33"]
    with pytest.raises(ImproperlyConfigured):
        client.get("/metrics", REMOTE_ADDR="10.0.0.1")


# --- Request metrics ----------------------------------------------------------


def test_counters_and_histogram_move_after_requests(client: Client, token: str) -> None:
    before = sample("lede_http_requests_total", view="healthz", status="200")
    count_before = sample("lede_http_request_duration_seconds_count", view="healthz")
    client.get("/healthz")
    client.get("/healthz")
    assert sample("lede_http_requests_total", view="healthz", status="200") == before + 2
    assert sample("lede_http_request_duration_seconds_count", view="healthz") == count_before + 2

    body = client.get("/metrics", headers={"Authorization": f"Bearer {token}"}).content.decode()
    families = {f.name: f for f in text_string_to_metric_families(body)}
    histogram = families["lede_http_request_duration_seconds"]
    assert histogram.type == "histogram"
    buckets = [
        s for s in histogram.samples if s.name.endswith("_bucket") and s.labels["view"] == "healthz"
    ]
    assert {s.labels["le"] for s in buckets} >= {"0.005", "0.1", "+Inf"}
    infinite = next(s for s in buckets if s.labels["le"] == "+Inf")
    assert infinite.value == count_before + 2


def test_status_is_a_label(client: Client) -> None:
    before = sample("lede_http_requests_total", view="healthz", status="405")
    # healthz takes any method; robots.txt only GET.
    client.post("/robots.txt")
    assert sample("lede_http_requests_total", view="robots_txt", status="405") >= 1
    assert sample("lede_http_requests_total", view="healthz", status="405") == before


def test_view_label_is_bounded() -> None:
    factory = RequestFactory()
    named = factory.get("/2026/11/25/un-article/")
    named.metrics_view = "article"  # type: ignore[attr-defined]
    assert view_label(named) == "article"

    class ArticlePage:
        pass

    routed = factory.get("/monde/un-article-quelconque/")
    routed._wagtail_route_for_request = (ArticlePage(), [], {})  # type: ignore[attr-defined]
    assert view_label(routed) == "ArticlePage"
    assert view_label(factory.get("/nulle/part/")) == "unmatched"

    from whitenoise.middleware import WhiteNoiseFileResponse

    static = WhiteNoiseFileResponse(io.BytesIO(b"body{}"))
    assert view_label(factory.get("/static/site.css"), static) == "static"


@pytest.mark.django_db
def test_unknown_path_is_never_a_label(client: Client) -> None:
    path = "/une-page-qui-n-existe-pas-4242/"
    client.get(path)
    labels = {
        s.labels.get("view")
        for family in REGISTRY.collect()
        if family.name == "lede_http_requests"
        for s in family.samples
    }
    assert path not in labels and path.strip("/") not in labels


def test_variant_lookups() -> None:
    before = {r: sample("lede_paywall_variant_lookups_total", result=r) for r in ("local", "miss")}
    metrics.record_variant_lookup("local")
    metrics.record_variant_lookup("local")
    metrics.record_variant_lookup("miss")
    assert sample("lede_paywall_variant_lookups_total", result="local") == before["local"] + 2
    assert sample("lede_paywall_variant_lookups_total", result="miss") == before["miss"] + 1
    other = sample("lede_paywall_variant_lookups_total", result="other")
    metrics.record_variant_lookup("/some/path")  # never a new label
    assert sample("lede_paywall_variant_lookups_total", result="other") == other + 1


def test_scrape_time_gauges_read_the_queue(
    client: Client, token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lede.core import queue

    monkeypatch.setattr(queue, "queue_depth", lambda: 17)
    monkeypatch.setattr(queue, "worker_heartbeat_age", lambda: 4.5)
    body = client.get("/metrics", headers={"Authorization": f"Bearer {token}"}).content.decode()
    values = {
        s.name: s.value for family in text_string_to_metric_families(body) for s in family.samples
    }
    assert values["lede_task_queue_depth"] == 17
    assert values["lede_worker_heartbeat_age_seconds"] == 4.5

    def broken() -> int:
        raise ConnectionError("redis is down")

    monkeypatch.setattr(queue, "queue_depth", broken)
    monkeypatch.setattr(queue, "worker_heartbeat_age", lambda: None)
    response = client.get("/metrics", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert b"lede_task_queue_depth" not in response.content
    assert b"lede_worker_heartbeat_age_seconds" not in response.content


# --- Request id ---------------------------------------------------------------


def test_request_id_is_echoed(client: Client) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": "edge-42.a_b"})
    assert response["X-Request-ID"] == "edge-42.a_b"


def test_request_id_is_generated(client: Client) -> None:
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]
    assert len(first) == 32 and int(first, 16) >= 0
    assert first != second


@pytest.mark.parametrize(
    "bad", ["a" * 65, "has space", "semi;colon", "new\nline", "ünïcode", "<script>", "a/b"]
)
def test_malformed_request_id_is_replaced(bad: str) -> None:
    request = RequestFactory().get("/", HTTP_X_REQUEST_ID=bad)
    response = RequestObservabilityMiddleware(lambda r: HttpResponse("ok"))(request)
    assert response["X-Request-ID"] != bad
    assert context.is_well_formed(response["X-Request-ID"])
    assert context.is_well_formed("a" * 64)


def test_request_id_is_set_during_the_request_only() -> None:
    seen: list[str | None] = []

    def view(request: HttpRequest) -> HttpResponse:
        seen.append(context.get_request_id())
        return HttpResponse("ok")

    request = RequestFactory().get("/", HTTP_X_REQUEST_ID="abc-123")
    RequestObservabilityMiddleware(view)(request)
    assert seen == ["abc-123"]
    assert request.request_id == "abc-123"  # type: ignore[attr-defined]
    assert context.get_request_id() is None


def test_async_middleware_path() -> None:
    async def view(request: HttpRequest) -> HttpResponse:
        return HttpResponse(context.get_request_id() or "")

    middleware = RequestObservabilityMiddleware(view)
    request = RequestFactory().get("/", HTTP_X_REQUEST_ID="async-1")
    # In a thread of its own: Playwright's sync API, used by the browser tests
    # of the same worker, leaves an event loop running in this thread.
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        response = pool.submit(async_to_sync(middleware), request).result()
    assert response.content == b"async-1"
    assert response["X-Request-ID"] == "async-1"


# --- Logs ---------------------------------------------------------------------


def test_request_log_line_is_json_with_request_id(client: Client, captured: io.StringIO) -> None:
    client.get("/healthz?secret=1", headers={"X-Request-ID": "req-json-1"})
    lines = [line for line in json_lines(captured) if line["logger"] == "lede.request"]
    assert len(lines) == 1
    line = lines[0]
    assert line["request_id"] == "req-json-1"
    assert line["method"] == "GET"
    assert line["path"] == "/healthz"  # never the query string
    assert line["status"] == 200
    assert line["view"] == "healthz"
    assert isinstance(line["duration_ms"], float | int) and line["duration_ms"] >= 0
    assert line["level"] == "INFO" and "time" in line


@pytest.mark.django_db
def test_request_log_never_shows_secret_keys(client: Client, captured: io.StringIO) -> None:
    client.get("/compte/password/reset/key/4a-tres-secrete-cle-42/")
    client.get("/compte/confirm-email/MTI:1tX:secret-de-confirmation/")
    paths = [line["path"] for line in json_lines(captured) if line["logger"] == "lede.request"]
    assert paths == ["/compte/password/reset/key/4a-<key>/", "/compte/confirm-email/<key>/"]
    assert "secret" not in captured.getvalue()


def test_other_loggers_carry_the_request_id(captured: io.StringIO) -> None:
    def view(request: HttpRequest) -> HttpResponse:
        logging.getLogger("lede.somewhere").warning("inside the view")
        return HttpResponse("ok")

    request = RequestFactory().get("/", HTTP_X_REQUEST_ID="req-inner")
    RequestObservabilityMiddleware(view)(request)
    logging.getLogger("lede.somewhere").warning("outside any request")
    inside, outside = (line for line in json_lines(captured) if line["logger"] == "lede.somewhere")
    assert inside["request_id"] == "req-inner"
    assert outside["request_id"] == "-"


def _django(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    dropped = {"SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE", "LOG_FORMAT", "SENTRY_DSN"}
    return run_python(["-c", textwrap.dedent(code)], drop=dropped, **env)


SETUP_AND_LOG = """
    import logging, django
    django.setup()
    logging.getLogger("lede.test").warning("bonjour %s", "le monde")
"""


def test_production_logs_are_json_and_development_logs_are_text() -> None:
    production = {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "p" * 20 + "-production-secret-key-that-is-long-enough-" + "q" * 20,
    }
    result = _django(SETUP_AND_LOG, **production)
    assert result.returncode == 0, result.stderr
    line = json.loads(result.stderr.strip().splitlines()[-1])
    assert line["message"] == "bonjour le monde"
    assert line["logger"] == "lede.test" and line["level"] == "WARNING"
    assert line["request_id"] == "-"

    result = _django(SETUP_AND_LOG, **production, LOG_FORMAT="text")
    assert result.returncode == 0, result.stderr
    assert "WARNING lede.test [-] bonjour le monde" in result.stderr

    result = _django(SETUP_AND_LOG, DJANGO_SETTINGS_MODULE="config.settings.dev")
    assert result.returncode == 0, result.stderr
    assert "WARNING lede.test [-] bonjour le monde" in result.stderr


# --- Request id in tasks ------------------------------------------------------


@task()
def observed_task(note: str) -> str:
    logging.getLogger("lede.test.task").info("task says %s", note)
    return note


def _task_lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [line for line in json_lines(stream) if line["logger"] == "lede.test.task"]


def test_immediate_task_logs_carry_the_request_id(captured: io.StringIO) -> None:
    def view(request: HttpRequest) -> HttpResponse:
        observed_task.enqueue("immédiat")
        logging.getLogger("lede.test.task").info("after the task")
        return HttpResponse("ok")

    request = RequestFactory().get("/", HTTP_X_REQUEST_ID="req-immediate")
    RequestObservabilityMiddleware(view)(request)
    during, after = _task_lines(captured)
    assert during["message"] == "task says immédiat"
    assert during["request_id"] == "req-immediate"
    assert during["task_id"] not in ("", "-")
    # The request's own context is back after the task.
    assert after["request_id"] == "req-immediate" and after["task_id"] == "-"


@pytest.mark.django_db
def test_worker_task_logs_carry_the_id_of_the_request_that_enqueued_it(
    settings: Any, captured: io.StringIO
) -> None:
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    enqueued: list[str] = []

    def view(request: HttpRequest) -> HttpResponse:
        enqueued.append(observed_task.enqueue("en file").id)
        return HttpResponse("ok")

    request = RequestFactory().get("/", HTTP_X_REQUEST_ID="req-enqueuer-7")
    RequestObservabilityMiddleware(view)(request)
    other = observed_task.enqueue("sans requête")  # e.g. from the scheduler
    assert _task_lines(captured) == []  # nothing ran yet

    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )

    def run(result_id: str) -> None:
        worker.run_task(DBTaskResult.objects.get(id=result_id))
        assert context.get_request_id() is None and context.get_task_id() is None

    # A fresh context, as in the worker process: nothing inherited from here.
    contextvars.Context().run(run, enqueued[0])
    contextvars.Context().run(run, str(other.id))
    first, second = _task_lines(captured)
    assert first["message"] == "task says en file"
    assert first["request_id"] == "req-enqueuer-7"
    assert first["task_id"] == str(enqueued[0])
    assert second["request_id"] == "-"
    assert second["task_id"] == str(other.id)


# --- Several processes --------------------------------------------------------

WORKER_PROCESS = """
    import sys
    from lede.core.observability import metrics
    metrics.record_variant_lookup("shared")
    metrics.SSE_CONNECTIONS.inc()
    print("ready", flush=True)
    if sys.argv[1] == "stay":
        sys.stdin.readline()
"""


def test_multiprocess_values_are_aggregated(tmp_path: Path) -> None:
    tmp_path = tmp_path / "prometheus"  # created by the first process
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    code = textwrap.dedent(WORKER_PROCESS)
    gone = subprocess.run(
        [sys.executable, "-c", code, "leave"], cwd=ROOT, env=env, check=True, timeout=60
    )
    assert gone.returncode == 0
    alive = subprocess.Popen(
        [sys.executable, "-c", code, "stay"],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert alive.stdout is not None and alive.stdout.readline().strip() == "ready"
        registry = metrics.build_registry(str(tmp_path))
        # Counters add up over every process, the dead one included.
        assert registry.get_sample_value(
            "lede_paywall_variant_lookups_total", {"result": "shared"}
        ) == pytest.approx(2)
        # Live connections: only the process still alive.
        assert registry.get_sample_value("lede_sse_connections") == pytest.approx(1)
    finally:
        assert alive.stdin is not None
        alive.stdin.write("\n")
        alive.stdin.close()
        alive.wait(timeout=30)
    registry = metrics.build_registry(str(tmp_path))
    assert (registry.get_sample_value("lede_sse_connections") or 0) == 0
    assert registry.get_sample_value(
        "lede_paywall_variant_lookups_total", {"result": "shared"}
    ) == pytest.approx(2)


# --- SSE, ingest and payments -------------------------------------------------


@pytest.fixture
def asgi_app() -> Iterator[ASGIHandler]:
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield ASGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.django_db
def test_sse_connections_gauge_follows_the_stream(asgi_app: ASGIHandler, settings: Any) -> None:
    from lede.livefeed.tests.conftest import SSEClient

    settings.LEDE_SSE_POLL_INTERVAL = 30
    settings.LEDE_SSE_CHANNEL = "lede:livefeed:test:observability"
    before = metrics.SSE_CONNECTIONS._value.get()

    async def scenario() -> None:
        client = await SSEClient(
            asgi_app, "/newsroom/flux/", headers=[(b"x-request-id", b"sse-1")]
        ).connect()
        assert client.status == 200
        assert client.response_headers["x-request-id"] == "sse-1"
        await client.next_block()
        assert metrics.SSE_CONNECTIONS._value.get() == before + 1
        await client.disconnect()
        await asyncio.sleep(0)
        assert metrics.SSE_CONNECTIONS._value.get() == before

    async_to_sync(scenario)()
    assert sample("lede_http_requests_total", view="livefeed:stream", status="200") >= 1


@pytest.mark.django_db
def test_ingest_outcomes_are_counted() -> None:
    from lede.wires.models import WireSource
    from lede.wires.services.ingest import wire_ingest_bytes

    source = WireSource.objects.create(name="Fil test", provider="AFP")
    before = sample("lede_wire_items_total", provider="AFP", outcome="rejected")
    outcomes = wire_ingest_bytes(data=b"<pas du xml", filename="cassé.xml", source=source)
    assert [o.outcome for o in outcomes] == ["rejected"]
    assert sample("lede_wire_items_total", provider="AFP", outcome="rejected") == before + 1
    unsourced = sample("lede_wire_items_total", provider="none", outcome="rejected")
    wire_ingest_bytes(data=b"", filename="vide.xml")
    assert sample("lede_wire_items_total", provider="none", outcome="rejected") == unsourced + 1


@pytest.mark.django_db
def test_checkouts_and_notifications_are_counted(
    settings: Any, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    from lede.payments import views
    from lede.payments.providers import sandbox
    from lede.subscriptions import testing
    from lede.subscriptions.services.checkout import subscription_checkout

    testing.apply_test_settings(settings)
    offers = testing.catalogue()
    reader = testing.make_reader()
    order = subscription_checkout(user=reader, offer=offers["monthly_offer"])
    request = RequestFactory().post("/abonnement/")
    request.user = reader

    checkouts = sample("lede_payment_checkouts_total", provider="sandbox")
    response = views.start_payment(request, order, "sandbox")
    assert response.status_code in (302, 303)
    assert sample("lede_payment_checkouts_total", provider="sandbox") == checkouts + 1

    rejected = sample("lede_payment_notifications_total", provider="sandbox", outcome="rejected")
    forged = client.post(
        "/paiement/notification/sandbox/", data=b"{}", content_type="application/json"
    )
    assert forged.status_code == 400
    assert (
        sample("lede_payment_notifications_total", provider="sandbox", outcome="rejected")
        == rejected + 1
    )

    applied = sample("lede_payment_notifications_total", provider="sandbox", outcome="applied")
    attempt = order.attempts.get()
    with django_capture_on_commit_callbacks(execute=True):
        sandbox.send_notification(attempt, sandbox.TEST_CARDS["4242424242424242"])
    order.refresh_from_db()
    assert order.is_paid
    assert (
        sample("lede_payment_notifications_total", provider="sandbox", outcome="applied")
        == applied + 1
    )


@pytest.mark.parametrize(
    ("status", "applied", "outcome"),
    [
        (200, True, "applied"),
        (200, False, "acknowledged"),
        (400, False, "rejected"),
        (404, False, "rejected"),
        (503, False, "unavailable"),
        (500, False, "error"),
    ],
)
def test_payment_notification_outcomes(status: int, applied: bool, outcome: str) -> None:
    assert metrics.payment_notification_outcome(status=status, applied=applied) == outcome


# --- Sentry -------------------------------------------------------------------


@pytest.fixture
def sentry_calls(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    import sentry_sdk

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(sentry_sdk, "init", lambda **kwargs: calls.append(kwargs))
    return calls


def test_sentry_stays_off_without_a_dsn(sentry_calls: list[dict[str, Any]]) -> None:
    assert sentry.init_sentry({}) is False
    assert sentry.init_sentry({"SENTRY_DSN": "  ", "SENTRY_TRACES_SAMPLE_RATE": "1"}) is False
    assert sentry_calls == []


def test_sentry_with_a_dsn(sentry_calls: list[dict[str, Any]]) -> None:
    from sentry_sdk.integrations.django import DjangoIntegration

    dsn = "https://public@o1.ingest.example.invalid/42"
    assert sentry.init_sentry({"SENTRY_DSN": dsn}) is True
    (call,) = sentry_calls
    assert call["dsn"] == dsn
    assert call["send_default_pii"] is False
    assert call["traces_sample_rate"] == 0
    assert call["environment"] == "production" and call["release"] is None
    assert any(isinstance(i, DjangoIntegration) for i in call["integrations"])

    sentry.init_sentry(
        {
            "SENTRY_DSN": dsn,
            "SENTRY_ENVIRONMENT": "preprod",
            "SENTRY_RELEASE": "lede@1.2.3",
            "SENTRY_TRACES_SAMPLE_RATE": "0.25",
        }
    )
    assert sentry_calls[1]["environment"] == "preprod"
    assert sentry_calls[1]["release"] == "lede@1.2.3"
    assert sentry_calls[1]["traces_sample_rate"] == 0.25

    # Events are tagged with the request id of the logs.
    before_send = sentry_calls[1]["before_send"]
    token = context.request_id_var.set("req-sentry")
    try:
        event = before_send({"message": "boom"}, {})
    finally:
        context.request_id_var.reset(token)
    assert event["tags"]["request_id"] == "req-sentry"


@pytest.mark.parametrize("rate", ["beaucoup", "1.5", "-0.1"])
def test_sentry_refuses_a_bad_sample_rate(sentry_calls: list[dict[str, Any]], rate: str) -> None:
    with pytest.raises(ImproperlyConfigured):
        sentry.init_sentry(
            {"SENTRY_DSN": "https://k@o.example.invalid/1", "SENTRY_TRACES_SAMPLE_RATE": rate}
        )
    assert sentry_calls == []


def test_gunicorn_hooks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from lede.core.observability import gunicorn

    stale = tmp_path / "counter_123.db"
    stale.write_bytes(b"old run")
    live = tmp_path / "gauge_livesum_456.db"
    live.write_bytes(b"")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    gunicorn.child_exit(None, type("Worker", (), {"pid": 456})())
    assert not live.exists() and stale.exists()
    gunicorn.on_starting(None)
    assert list(tmp_path.iterdir()) == []


def test_process_state_lists_and_forgets_what_core_remembers() -> None:
    """Caches over settings are process state: one reset (conftest.py) forgets
    them, so a test that changes the settings never reads an older answer."""
    from lede.core import network, process_state
    from lede.core.observability import task_context, views

    views.parse_networks(("10.0.0.0/8",))
    network._trusted(("192.0.2.0/24",))
    names = process_state.registered()
    assert {
        "lede.core.network.trusted_proxies",
        "lede.core.observability.metrics_networks",
        "lede.core.observability.task_context.running",
    } <= set(names)
    process_state.reset_all()
    assert views.parse_networks.cache_info().currsize == 0
    assert network._trusted.cache_info().currsize == 0
    assert task_context._running == {}
