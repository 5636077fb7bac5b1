from django.apps import AppConfig


class SubscriptionsConfig(AppConfig):
    name = "lede.subscriptions"
    label = "subscriptions"
    verbose_name = "Abonnements"

    def ready(self) -> None:
        from lede.core import mail
        from lede.paywall.serving import register_offer_source

        from . import (
            checks,  # noqa: F401 - registers the deployment check
            emails,
            selectors,
            signals,
        )

        signals.connect()
        # The paywall box shows the featured offer.
        register_offer_source(selectors.current_launch_offer)
        # Every e-mail's footer (account e-mails included) names the seller.
        mail.register_legal_identity(emails.legal_identity)
