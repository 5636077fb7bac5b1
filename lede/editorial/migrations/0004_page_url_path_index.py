"""Index wagtailcore_page.url_path: the article fast route looks pages up by it."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("editorial", "0003_initial_home")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS lede_page_url_path ON wagtailcore_page (url_path);",
            "DROP INDEX IF EXISTS lede_page_url_path;",
        )
    ]
