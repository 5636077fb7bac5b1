from django.apps import AppConfig


class PaywallConfig(AppConfig):
    name = "lede.paywall"
    label = "paywall"
    verbose_name = "Accès et paywall"

    def ready(self) -> None:
        from lede.core.caching import listings
        from lede.editorial import page_handlers

        from . import (
            checks,  # noqa: F401 - registers the fast path's check
            serving,
            signals,
        )

        signals.connect()
        # Articles are served through the paywall; listings ask it who is
        # staff and what the header's account links say.
        page_handlers.serve_article.register(serving.serve_article)
        listings.register_reader_parts(
            listings.ReaderParts(
                own_page=serving.listing_own_page, account_nav=serving.listing_account_nav
            )
        )
