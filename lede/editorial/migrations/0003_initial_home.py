"""Replace Wagtail's welcome page with the publication's home page."""

from django.db import migrations


def create_home(apps, schema_editor):  # type: ignore[no-untyped-def]
    ContentType = apps.get_model("contenttypes.ContentType")
    Page = apps.get_model("wagtailcore.Page")
    Site = apps.get_model("wagtailcore.Site")
    Locale = apps.get_model("wagtailcore.Locale")
    HomePage = apps.get_model("editorial.HomePage")

    if HomePage.objects.exists():
        return
    Page.objects.filter(depth=2, slug="home", content_type__model="page").delete()
    root = Page.objects.filter(depth=1).first()
    if root is None:
        return
    locale = Locale.objects.first()
    ct, _ = ContentType.objects.get_or_create(model="homepage", app_label="editorial")
    siblings = Page.objects.filter(depth=2).count()
    path = root.path + f"{siblings + 1:04d}"
    home = HomePage.objects.create(
        title="À la une",
        draft_title="À la une",
        slug="accueil",
        content_type=ct,
        path=path,
        depth=2,
        numchild=0,
        url_path="/accueil/",
        live=True,
        locale=locale,
    )
    root.numchild = Page.objects.filter(depth=2).count()
    root.save(update_fields=["numchild"])
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True,
                            site_name="Le Quotidien")
    else:
        site.root_page = home
        site.site_name = "Le Quotidien"
        site.save()


class Migration(migrations.Migration):
    dependencies = [
        ("editorial", "0002_initial"),
        ("wagtailcore", "0001_initial"),
    ]
    run_before: list[tuple[str, str]] = []

    operations = [migrations.RunPython(create_home, migrations.RunPython.noop)]
