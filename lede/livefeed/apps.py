from django.apps import AppConfig


class LivefeedConfig(AppConfig):
    name = "lede.livefeed"
    label = "livefeed"
    verbose_name = "Newsroom"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate
        from wagtail.signals import page_published

        from .models import LiveBlogPage
        from .setup import on_live_blog_published, on_post_migrate

        page_published.connect(
            on_live_blog_published, sender=LiveBlogPage, dispatch_uid="livefeed-live-blog"
        )
        post_migrate.connect(on_post_migrate, sender=self, dispatch_uid="livefeed-perms")
