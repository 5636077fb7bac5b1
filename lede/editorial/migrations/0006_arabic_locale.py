"""The Arabic edition's locale (docs/editions.md): its pages need it before
any can be created, in the admin or by the demo loader."""

from django.db import migrations


def create_locales(apps, schema_editor):  # type: ignore[no-untyped-def]
    Locale = apps.get_model("wagtailcore", "Locale")
    for code in ("fr", "ar"):
        Locale.objects.get_or_create(language_code=code)


class Migration(migrations.Migration):
    dependencies = [
        ("editorial", "0005_article_top_section"),
        ("wagtailcore", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_locales, migrations.RunPython.noop)]
