"""One road in for every reader: an address, an e-mailed code, and on.

Why this exists (and is not plain allauth): allauth can hide whether an
address has an account on its sign-up form only when e-mail verification is
mandatory, and then an existing reader who types their address into the
sign-up form gets an "account already exists" e-mail and no way to go on in
the same sitting. allauth's log-in by code hides enumeration too, but an
unknown address only gets an "unknown account" e-mail. Neither lets a new
*and* an existing reader continue with the same steps, which is what a
checkout needs. So this layer joins the two, built from allauth's own parts:

- the request form is allauth's ``RequestLoginCodeForm`` (address lookup as
  for a log-in by code, the ``request_login_code`` rate limit per IP and per
  address);
- the code is allauth's (``adapter.generate_login_code``), checked by
  allauth's ``ConfirmLoginCodeForm`` (constant-time comparison), with the
  attempt, timeout and resend book-keeping of allauth's
  ``AbstractCodeVerificationProcess`` and its ``LOGIN_BY_CODE_*`` settings;
- finishing is allauth's: ``record_authentication(method="code")``,
  ``verify_email_indirectly`` and ``perform_login`` for a known address,
  ``complete_signup`` for a new one — so MFA stages, signals and redirects
  behave as for any allauth log-in.

What is hand-written is only the choice made after the code is confirmed
(sign in, or create the account) and which e-mail carries the code. Both
branches answer the requester with the same redirect and the same pages;
only the mailbox owner sees whether the e-mail says "connexion" or
"création de compte". Nothing is written to the database before the code is
confirmed: the pending state lives in the session under one key, popped when
the road ends (successfully or not).
"""

from __future__ import annotations

import time
from typing import Any

from allauth.account import app_settings
from allauth.account.adapter import get_adapter
from allauth.account.internal.flows.code_verification import (
    AbstractCodeVerificationProcess,
)
from allauth.account.internal.flows.email_verification import verify_email_indirectly
from allauth.account.internal.flows.login import perform_login, record_authentication
from allauth.account.internal.flows.signup import complete_signup
from allauth.account.models import EmailAddress, Login
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse

from .services import user_create_by_code

SESSION_KEY = "lede_address_code"

# Template prefixes of the two e-mails (text + HTML + subject each).
MAIL_LOGIN = "account/email/login_code"
MAIL_SIGNUP = "account/email/signup_code"


class AddressCodeProcess(AbstractCodeVerificationProcess):
    """The pending "address → code" road of one browser session."""

    def __init__(self, request: HttpRequest, state: dict[str, Any]) -> None:
        self.request = request
        super().__init__(
            state=state,
            timeout=app_settings.LOGIN_BY_CODE_TIMEOUT,
            max_attempts=app_settings.LOGIN_BY_CODE_MAX_ATTEMPTS,
        )

    # --- allauth's abstract hooks --------------------------------------------

    def persist(self) -> None:
        self.request.session[SESSION_KEY] = self.state

    def abort(self) -> None:
        self.request.session.pop(SESSION_KEY, None)

    def send(self) -> None:
        """Always a code, whoever owns the address: the e-mail differs only
        in its wording (log in vs. create an account)."""
        code = get_adapter().generate_login_code()
        self.state["code"] = code
        prefix = MAIL_LOGIN if self.user is not None else MAIL_SIGNUP
        get_adapter().send_mail(
            prefix, self.email, {"request": self.request, "code": code, "email": self.email}
        )

    # --- the road ------------------------------------------------------------

    @property
    def email(self) -> str:
        return str(self.state.get("email", ""))

    @property
    def can_resend(self) -> bool:
        return not self.is_resend_quota_reached(app_settings.LOGIN_BY_CODE_MAX_RESEND_COUNT)

    def resend(self) -> None:
        # A new code gets a new validity window; failed attempts are kept, so
        # resending never buys more guesses than LOGIN_BY_CODE_MAX_ATTEMPTS.
        self.send()
        self.state["at"] = time.time()
        self.record_resend()
        self.persist()

    def finish(self, redirect_url: str | None) -> HttpResponse:
        """The code was right: sign the reader in, creating the account first
        when the address had none."""
        email = self.email
        user = self.user or _user_for_address(email)
        self.abort()  # the pending state is spent whatever happens next
        request = self.request
        if user is None:
            try:
                user = user_create_by_code(email=email)
            except IntegrityError:
                # Created meanwhile by another request: the code proved the
                # mailbox, so sign that account in.
                user = _user_for_address(email)
                if user is None:
                    raise
            else:
                record_authentication(request, user, method="code", email=email)
                return complete_signup(
                    request,
                    user=user,
                    email_verification=app_settings.EMAIL_VERIFICATION,
                    redirect_url=redirect_url,
                )
        record_authentication(request, user, method="code", email=email)
        verify_email_indirectly(request, user, email)
        return perform_login(request, Login(user=user, redirect_url=redirect_url, email=email))

    @classmethod
    def initiate(
        cls, *, request: HttpRequest, email: str, user: AbstractBaseUser | None
    ) -> AddressCodeProcess:
        process = cls(request, cls.initial_state(user=user, email=email))
        process.send()
        process.persist()
        return process

    @classmethod
    def resume(cls, request: HttpRequest) -> AddressCodeProcess | None:
        state = request.session.get(SESSION_KEY)
        if not isinstance(state, dict) or not state.get("email") or "at" not in state:
            return None
        return cls(request, state)


def _user_for_address(email: str) -> Any:
    """The account that got this address meanwhile (a sign-up finished in
    another tab between the request and the code), if any."""
    address = (
        EmailAddress.objects.filter(email__iexact=email, verified=True)
        .select_related("user")
        .first()
    )
    if address is not None:
        return address.user
    return get_user_model()._default_manager.filter(email__iexact=email).first()
