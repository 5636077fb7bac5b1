"""The one error the subscriptions services raise."""

from __future__ import annotations


class SubscriptionError(Exception):
    """Refused, with a French message for the reader."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
