"""CMI: the checkout form, the server-to-server callback and the browser return."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from django.db import OperationalError
from django.test import Client

from lede.payments import services
from lede.payments.models import Order, PaymentAttempt, ProviderEvent
from lede.payments.providers.cmi import hash_ver3, verify_hash
from lede.paywall.models import AccessGrant
from lede.subscriptions.models import Invoice, LedgerEntry, Subscription
from lede.subscriptions.services.checkout import subscription_checkout
from lede.subscriptions.testing import TEST_SETTINGS

from .test_cmi_hash import reference_hash

NOTIFY = "/paiement/notification/cmi/"
RETURN_OK = "/paiement/retour/cmi/?issue=ok"
STORE_KEY = TEST_SETTINGS["CMI_STORE_KEY"]


@pytest.fixture
def order(catalogue: dict[str, Any], reader: Any) -> Order:
    return subscription_checkout(
        user=reader, offer=catalogue["launch"], next_url="/monde/un-article/"
    )


@pytest.fixture
def attempt(order: Order) -> PaymentAttempt:
    return services.attempt_start(order=order, provider="cmi")


def gateway_params(attempt: PaymentAttempt, **overrides: str) -> dict[str, str]:
    """What the gateway POSTs: our fields echoed plus its response, signed."""
    params = {
        "clientid": "600000000",
        "storetype": "3D_PAY_HOSTING",
        "TranType": "PreAuth",
        "amount": "60.00",
        "currency": "504",
        "oid": attempt.oid,
        "okUrl": "https://lede.example/paiement/retour/cmi/?issue=ok",
        "failUrl": "https://lede.example/paiement/retour/cmi/?issue=fail",
        "callbackUrl": "https://lede.example/paiement/notification/cmi/",
        "lang": "fr",
        "rnd": "f00dcafe",
        "hashAlgorithm": "ver3",
        "encoding": "UTF-8",
        "email": "lectrice@example.com",
        "BillToName": "Lectrice | Test \\ Fès",
        "Response": "Approved",
        "ProcReturnCode": "00",
        "AuthCode": "P12345",
        "TransId": "25079XYZ",
        "mdStatus": "1",
        "ErrMsg": "",
        "EXTRA.TRXDATE": "20260115 10:00:00",
    }
    params.update(overrides)
    params.pop("HASH", None)
    params["HASH"] = reference_hash(params, STORE_KEY)
    return params


DECLINED = {"Response": "Declined", "ProcReturnCode": "05", "ErrMsg": "Not sufficient funds"}


def counts(user: Any) -> tuple[int, int, int]:
    return (
        AccessGrant.objects.filter(user=user).count(),
        Invoice.objects.filter(user=user).count(),
        LedgerEntry.objects.filter(user=user, kind="payment").count(),
    )


def test_checkout_builds_a_signed_auto_submitted_form(
    reader_client: Client, catalogue: dict[str, Any]
) -> None:
    response = reader_client.post(
        "/abonnement/commande/lancement/?next=/monde/un-article/",
        {"provider": "cmi", "action": "pay"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'action="https://testpayment.cmi.co.ma/fim/est3Dgate"' in page
    html = page.split('id="gateway-form"', 1)[1].split("</form>", 1)[0]
    fields = {
        name: unescape(value)
        for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', html)
    }
    assert "csrfmiddlewaretoken" not in fields
    assert fields["storetype"] == "3D_PAY_HOSTING"
    assert fields["currency"] == "504"
    assert fields["amount"] == "60.00"
    assert fields["hashAlgorithm"] == "ver3"
    assert fields["encoding"] == "UTF-8"
    assert fields["lang"] == "fr"
    assert fields["clientid"] == "600000000"
    assert fields["okUrl"].startswith("http://testserver/paiement/retour/cmi/")
    assert fields["callbackUrl"] == "http://testserver/paiement/notification/cmi/"
    for name in ("oid", "failUrl", "shopurl", "rnd", "email", "BillToName", "TranType"):
        assert fields[name]
    assert fields["HASH"] == reference_hash(fields, STORE_KEY)
    assert ".submit()" in page
    # A second attempt at the same order gets a fresh oid, same order.
    again = reader_client.post(
        "/abonnement/commande/lancement/?next=/monde/un-article/",
        {"provider": "cmi", "action": "pay"},
    )
    oid2 = re.search(r'name="oid" value="([^"]+)"', again.content.decode())
    assert oid2 and oid2.group(1) != fields["oid"]
    assert Order.objects.count() == 1
    assert PaymentAttempt.objects.filter(provider="cmi").count() == 2


def test_approved_callback_applies_exactly_once(
    client: Client, attempt: PaymentAttempt, reader: Any
) -> None:
    params = gateway_params(attempt)
    response = client.post(NOTIFY, params)
    assert response.status_code == 200
    assert response.content == b"ACTION=POSTAUTH"
    subscription = Subscription.objects.get(user=reader)
    assert subscription.status == "active"
    grant = AccessGrant.objects.get(user=reader)
    assert grant.kind == "subscription"
    assert grant.source == f"subscription:{subscription.pk}"
    assert grant.ends_at == subscription.current_period_end
    assert counts(reader) == (1, 1, 1)
    end = subscription.current_period_end
    for _ in range(4):  # the gateway retries
        again = client.post(NOTIFY, params)
        assert again.content == b"ACTION=POSTAUTH"
    subscription.refresh_from_db()
    assert subscription.current_period_end == end
    assert subscription.periods_paid == 1
    assert counts(reader) == (1, 1, 1)


def test_declines_then_approval_on_the_same_oid(
    client: Client, attempt: PaymentAttempt, reader: Any
) -> None:
    declined = client.post(NOTIFY, gateway_params(attempt, **DECLINED))
    assert declined.status_code == 200 and declined.content == b"APPROVED"
    attempt.refresh_from_db()
    assert attempt.status == "declined"
    assert counts(reader) == (0, 0, 0)
    assert LedgerEntry.objects.filter(kind="failure").count() == 1
    # The same decline delivered twice is recorded once.
    client.post(NOTIFY, gateway_params(attempt, **DECLINED))
    assert LedgerEntry.objects.filter(kind="failure").count() == 1
    second = client.post(NOTIFY, gateway_params(attempt, **{**DECLINED, "TransId": "other"}))
    assert second.content == b"APPROVED"
    approved = client.post(NOTIFY, gateway_params(attempt))
    assert approved.content == b"ACTION=POSTAUTH"
    attempt.refresh_from_db()
    assert attempt.status == "approved"
    assert counts(reader) == (1, 1, 1)


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda p: {**p, "amount": "0.60"}, id="amount-changed-after-signing"),
        pytest.param(lambda p: {**p, "ProcReturnCode": "00", "HASH": "AAAA"}, id="bad-hash"),
        pytest.param(lambda p: {k: v for k, v in p.items() if k != "HASH"}, id="no-hash"),
    ],
)
def test_forged_callbacks_are_rejected(
    client: Client, attempt: PaymentAttempt, reader: Any, tamper: Any
) -> None:
    response = client.post(NOTIFY, tamper(gateway_params(attempt)))
    # CMI reads the body, not the status (issue 12): FAILURE with 200.
    assert response.status_code == 200
    assert response.content == b"FAILURE"
    assert counts(reader) == (0, 0, 0)
    assert not ProviderEvent.objects.exists()


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"amount": "1.00"}, id="amount-tampering"),
        pytest.param({"amount": "60"}, id="amount-equal-written-differently-is-fine"),
        pytest.param({"amount": "abc"}, id="non-numeric-amount"),
        pytest.param({"amount": "60.001"}, id="three-decimals"),
        pytest.param({"amount": "-60.00"}, id="negative"),
        pytest.param({"amount": "NaN"}, id="nan"),
        pytest.param({"currency": "978"}, id="wrong-currency"),
        pytest.param({"currency": ""}, id="missing-currency"),
        pytest.param({"oid": "LQ000UNKNOWN"}, id="unknown-oid"),
        pytest.param({"oid": ""}, id="missing-oid"),
    ],
)
def test_signed_but_wrong_callbacks(
    client: Client, attempt: PaymentAttempt, reader: Any, overrides: dict[str, str]
) -> None:
    response = client.post(NOTIFY, gateway_params(attempt, **overrides))
    if overrides == {"amount": "60"}:
        assert response.content == b"ACTION=POSTAUTH"
        return
    assert response.status_code == 200
    assert response.content == b"FAILURE"
    assert counts(reader) == (0, 0, 0)


def test_repeated_parameter_is_rejected(client: Client, attempt: PaymentAttempt) -> None:
    params = gateway_params(attempt)
    body = {**params, "amount": [params["amount"], "1.00"]}
    response = client.post(NOTIFY, body)
    assert response.status_code == 200 and response.content == b"FAILURE"


def test_get_on_the_callback_is_405(client: Client, db: Any) -> None:
    assert client.get(NOTIFY).status_code == 405


def test_callback_needs_no_csrf_token(attempt: PaymentAttempt, reader: Any) -> None:
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(NOTIFY, gateway_params(attempt))
    assert response.content == b"ACTION=POSTAUTH"


def test_unconfigured_gateway_is_404(
    client: Client, attempt: PaymentAttempt, settings: Any
) -> None:
    settings.CMI_STORE_KEY = ""
    assert client.post(NOTIFY, gateway_params(attempt)).status_code == 404


def test_trimmed_reading_of_the_hash_is_accepted(
    client: Client, attempt: PaymentAttempt, reader: Any
) -> None:
    params = gateway_params(attempt, ErrMsg="  \n")
    params["HASH"] = hash_ver3(
        {k: v for k, v in params.items() if k != "HASH"}, STORE_KEY, trim=True
    )
    assert client.post(NOTIFY, params).content == b"ACTION=POSTAUTH"


def test_second_paid_attempt_is_not_captured(
    client: Client, order: Order, attempt: PaymentAttempt, reader: Any
) -> None:
    other = services.attempt_start(order=order, provider="cmi")
    assert client.post(NOTIFY, gateway_params(attempt)).content == b"ACTION=POSTAUTH"
    response = client.post(NOTIFY, gateway_params(other))
    assert response.content == b"FAILURE"
    other.refresh_from_db()
    assert other.status == "duplicate"
    assert counts(reader) == (1, 1, 1)


def test_database_unavailable_answers_503_and_writes_nothing(
    client: Client, attempt: PaymentAttempt, reader: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lede.subscriptions import invoices
    from lede.subscriptions.services import fulfilment

    def down(**kwargs: Any) -> None:
        raise OperationalError("server closed the connection unexpectedly")

    # Fails late, inside the transaction: everything before is rolled back.
    monkeypatch.setattr(fulfilment, "invoice_issue", down)
    monkeypatch.setattr(invoices, "invoice_issue", down)
    response = client.post(NOTIFY, gateway_params(attempt))
    assert response.status_code == 503
    assert counts(reader) == (0, 0, 0)
    assert not ProviderEvent.objects.exists()
    attempt.refresh_from_db()
    assert attempt.status == "created"
    assert Order.objects.get().status == "pending"
    monkeypatch.undo()
    # The gateway retries: now it goes through.
    testing_settings_client = Client()
    assert testing_settings_client.post(NOTIFY, gateway_params(attempt)).status_code == 200
    assert counts(reader) == (1, 1, 1)


# --- the browser's return ----------------------------------------------------------


def test_ok_return_never_grants_and_waits_for_the_callback(
    client: Client, attempt: PaymentAttempt, reader: Any, order: Order
) -> None:
    client.force_login(reader)
    response = client.post(RETURN_OK, gateway_params(attempt))
    assert response.status_code == 303
    status_url = f"/paiement/commande/{order.uuid}/"
    assert response["Location"] == status_url
    assert counts(reader) == (0, 0, 0)
    page = client.get(status_url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Paiement en cours de confirmation" in html
    assert 'http-equiv="refresh"' in html
    # The callback arrives: the same page now sends the reader back.
    client.post(NOTIFY, gateway_params(attempt))
    done = client.get(status_url)
    assert done.status_code == 303
    assert done["Location"] == "/monde/un-article/"


def test_forged_ok_return_shows_an_error(
    client: Client, attempt: PaymentAttempt, reader: Any
) -> None:
    params = gateway_params(attempt)
    params["HASH"] = "forged"
    response = client.post(RETURN_OK, params)
    assert response.status_code == 400
    assert "Retour de paiement non reconnu" in response.content.decode()
    assert counts(reader) == (0, 0, 0)


def test_verified_fail_return_shows_the_decline(
    client: Client, attempt: PaymentAttempt, reader: Any, order: Order
) -> None:
    client.force_login(reader)
    response = client.post("/paiement/retour/cmi/?issue=fail", gateway_params(attempt, **DECLINED))
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "Paiement refusé" in html
    assert "aucun montant n’a été débité" in html
    assert counts(reader) == (0, 0, 0)


def test_status_page_is_private(client: Client, order: Order, db: Any) -> None:
    from lede.subscriptions.testing import make_reader

    other = make_reader("autre@example.com")
    client.force_login(other)
    assert client.get(f"/paiement/commande/{order.uuid}/").status_code == 404


# --- the shop's own form is not a callback (issue 12, item 3) -----------------------


def shop_form(reader_client: Client) -> dict[str, str]:
    """The signed form the reader's browser receives, as it would post it."""
    response = reader_client.post(
        "/abonnement/commande/lancement/?next=/monde/un-article/",
        {"provider": "cmi", "action": "pay"},
    )
    html = response.content.decode().split('id="gateway-form"', 1)[1].split("</form>", 1)[0]
    return {
        name: unescape(value)
        for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', html)
    }


def ledger_and_events() -> tuple[int, int]:
    return LedgerEntry.objects.count(), ProviderEvent.objects.count()


@pytest.mark.parametrize("url", [NOTIFY, RETURN_OK])
def test_the_shops_own_signed_form_is_not_a_callback(
    reader_client: Client, catalogue: dict[str, Any], reader: Any, url: str
) -> None:
    form = shop_form(reader_client)
    assert verify_hash(form, STORE_KEY, form["HASH"])  # it is signed with the store key
    before = ledger_and_events()
    for padding in ("", " ", "  ", "\t", "\n"):
        posted = {**form, "BillToName": padding + form["BillToName"] + padding}
        response = Client().post(url, posted)
        if url == NOTIFY:
            assert response.status_code == 200
            assert response.content == b"FAILURE"
        else:
            assert response.status_code == 400
    assert ledger_and_events() == before
    attempt = PaymentAttempt.objects.get(oid=form["oid"])
    assert attempt.status == "created"


def test_shop_form_with_fields_renamed_in_place_is_not_a_callback(
    reader_client: Client, catalogue: dict[str, Any]
) -> None:
    """ver3 signs the values in name order, not the names: renaming fields
    without changing their order keeps the hash. A post made that way from
    the shop's own form carries the gateway's names with the wrong kind of
    values, and is refused."""
    form = shop_form(reader_client)
    renamed = dict(form)
    renamed["ProcReturnCode"] = renamed.pop("rnd")
    renamed["Response"] = renamed.pop("shopurl")
    renamed["TransId"] = renamed.pop("TranType")
    renamed["mdStatus"] = renamed.pop("lang")
    assert verify_hash(renamed, STORE_KEY, renamed["HASH"])
    response = Client().post(NOTIFY, renamed)
    assert (response.status_code, response.content) == (200, b"FAILURE")
    assert ledger_and_events() == (0, 0)


@pytest.mark.parametrize(
    "missing", ["ProcReturnCode", "Response", "TransId", "clientid", "mdStatus"]
)
def test_callback_without_a_gateway_field_is_refused(
    client: Client, attempt: PaymentAttempt, reader: Any, missing: str
) -> None:
    params = gateway_params(attempt)
    del params[missing]
    params.pop("HASH")
    params["HASH"] = reference_hash(params, STORE_KEY)
    response = client.post(NOTIFY, params)
    assert (response.status_code, response.content) == (200, b"FAILURE")
    assert ledger_and_events() == (0, 0)
    assert counts(reader) == (0, 0, 0)


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"ProcReturnCode": "0"}, id="one-digit-code"),
        pytest.param({"ProcReturnCode": "https://x"}, id="url-as-code"),
        pytest.param({"Response": "ver3"}, id="unknown-response"),
        pytest.param({"Response": "Declined"}, id="approved-code-with-declined-response"),
        pytest.param({"TransId": ""}, id="approval-without-transid"),
        pytest.param({"mdStatus": "fr"}, id="non-digit-mdstatus"),
        pytest.param({"clientid": "600000001"}, id="another-merchant"),
    ],
)
def test_callback_with_malformed_gateway_fields_is_refused(
    client: Client, attempt: PaymentAttempt, reader: Any, overrides: dict[str, str]
) -> None:
    response = client.post(NOTIFY, gateway_params(attempt, **overrides))
    assert (response.status_code, response.content) == (200, b"FAILURE")
    assert ledger_and_events() == (0, 0)


def test_three_d_secure_failure_without_authorisation_is_a_decline(
    client: Client, attempt: PaymentAttempt, reader: Any
) -> None:
    """CMI's kit: no ProcReturnCode at all (3-D Secure failed, nothing was
    authorised) is a failed payment, acknowledged with APPROVED."""
    params = gateway_params(attempt, mdStatus="0", mdErrorMsg="Not authenticated")
    for name in ("ProcReturnCode", "Response", "TransId", "AuthCode", "ErrMsg"):
        del params[name]
    params.pop("HASH")
    params["HASH"] = reference_hash(params, STORE_KEY)
    response = client.post(NOTIFY, params)
    assert (response.status_code, response.content) == (200, b"APPROVED")
    attempt.refresh_from_db()
    assert attempt.status == "declined"
    assert ledger_and_events() == (1, 1)
    # ... but a 3-D Secure success must come with the authorisation result.
    other = services.attempt_start(order=attempt.order, provider="cmi")
    params = gateway_params(other, mdStatus="1")
    for name in ("ProcReturnCode", "Response"):
        del params[name]
    params.pop("HASH")
    params["HASH"] = reference_hash(params, STORE_KEY)
    assert client.post(NOTIFY, params).content == b"FAILURE"
    assert ledger_and_events() == (1, 1)


def test_whitespace_variants_of_one_decline_are_one_event(
    client: Client, attempt: PaymentAttempt, reader: Any
) -> None:
    """Signed with CMI's trimming reading, a decline still verifies when
    spaces are added around its values: every re-post is the same event."""
    params = gateway_params(attempt, **DECLINED)
    params.pop("HASH")
    params["HASH"] = hash_ver3(params, STORE_KEY, trim=True)
    variants = [
        params,
        {**params, "ErrMsg": " Not sufficient funds "},
        {**params, "TransId": "\t25079XYZ", "oid": attempt.oid + " "},
        {**params, "BillToName": "\n" + params["BillToName"] + "\n"},
        {**params, "HASH": " " + params["HASH"] + " ", "encoding": "ISO-8859-1"},
        {k.lower() if k == "ErrMsg" else k: v for k, v in params.items()},
    ]
    for variant in variants:
        response = client.post(NOTIFY, variant)
        assert (response.status_code, response.content) == (200, b"APPROVED")
    assert ProviderEvent.objects.filter(kind="decline").count() == 1
    assert LedgerEntry.objects.filter(kind="failure").count() == 1
    # The browser's return with the same decline is that same event too.
    client.post("/paiement/retour/cmi/?issue=fail", {**params, "ErrMsg": "Not sufficient funds  "})
    assert ledger_and_events() == (1, 1)
    # Another decline of the same attempt (another transaction) is another event.
    client.post(NOTIFY, gateway_params(attempt, **{**DECLINED, "TransId": "25079XYW"}))
    assert ledger_and_events() == (2, 2)
