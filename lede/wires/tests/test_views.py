"""The desk in the Wagtail admin: the list and its filters, an item, actions, upload, log."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from lede.core.testing import factories as f
from lede.editorial.models import ArticlePage
from lede.wires.models import IngestLogEntry, ItemStatus, WireItemRecord, WireSource
from lede.wires.services import desk
from lede.wires.services.ingest import wire_ingest_bytes, wire_ingest_path

from .builders import SAMPLES, ninjs_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("wire_media")]


@pytest.fixture
def editor(client: Client) -> Client:
    user = get_user_model().objects.create_superuser("desk@example.com", "pw-desk-2026-x")
    client.force_login(user)
    return client


def ingest(**kwargs: Any) -> WireItemRecord:
    source = kwargs.pop("source", None)
    wire_ingest_bytes(data=ninjs_bytes(**kwargs), filename="t.json", source=source)
    return WireItemRecord.objects.get(guid=kwargs.get("guid", "urn:lede:test:item-1"))


def test_desk_needs_the_permission(client: Client) -> None:
    user = get_user_model().objects.create_user("lecteur@example.com", "pw-reader-2026-x")
    client.force_login(user)
    response = client.get(reverse("wires:desk"))
    assert response.status_code in (302, 403)
    staff = get_user_model().objects.create_user(
        "staff@example.com", "pw-staff-2026-x", is_staff=True
    )
    group = Group.objects.create(name="Desk (lecture)")
    group.permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="view_wireitemrecord"),
    )
    staff.groups.add(group)
    client.force_login(staff)
    assert client.get(reverse("wires:desk")).status_code == 200
    record = ingest()
    response = client.post(reverse("wires:ignore", args=[record.pk]))
    assert response.status_code in (302, 403)  # Wagtail turns a refusal into a redirect
    record.refresh_from_db()
    assert record.status == ItemStatus.NEW


def test_desk_list_and_filters(editor: Client) -> None:
    ingest(guid="urn:t:fr", headline="Récolte record dans le Souss", language="fr", urgency=2)
    ingest(
        guid="urn:t:en",
        headline="Markets rally",
        language="en",
        urgency=5,
        holder="Reuters",
        subjects=[
            {"name": "stock market", "uri": "http://cv.iptc.org/newscodes/mediatopic/20000385"}
        ],
    )
    url = reverse("wires:desk")
    response = editor.get(url)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Récolte record dans le Souss" in content and "Markets rally" in content

    def headlines(**params: str) -> set[str]:
        response = editor.get(url, params)
        assert response.status_code == 200
        return {r.headline for r in response.context["records"]}

    assert headlines(provider="Reuters") == {"Markets rally"}
    assert headlines(language="fr") == {"Récolte record dans le Souss"}
    assert headlines(urgency="3") == {"Récolte record dans le Souss"}
    assert headlines(subject="stock market") == {"Markets rally"}
    assert headlines(subject="medtop:20000385") == {"Markets rally"}
    assert headlines(received="1h") == {"Récolte record dans le Souss", "Markets rally"}
    WireItemRecord.objects.filter(guid="urn:t:en").update(
        received_at=timezone.now() - timedelta(days=2)
    )
    assert headlines(received="24h") == {"Récolte record dans le Souss"}
    today = timezone.localdate().isoformat()
    assert headlines(received_from=today) == {"Récolte record dans le Souss"}
    assert headlines(q="markets") == {"Markets rally"}
    # A bad value is ignored, never an error page.
    assert headlines(urgency="douze", language="fr") == {"Récolte record dans le Souss"}
    WireItemRecord.objects.filter(guid="urn:t:fr").update(status=ItemStatus.IGNORED)
    assert headlines() == {"Markets rally"}
    assert headlines(status="all") == {"Récolte record dans le Souss", "Markets rally"}
    assert headlines(status="ignored") == {"Récolte record dans le Souss"}


def test_desk_list_query_count_does_not_grow(editor: Client) -> None:
    source = WireSource.objects.create(name="AFP", provider="AFP", kind="upload")
    for i in range(3):
        ingest(guid=f"urn:t:{i}", source=source)
    url = reverse("wires:desk")
    editor.get(url)  # warm caches (site, permissions)
    with CaptureQueriesContext(connection) as few:
        assert editor.get(url).status_code == 200
    for i in range(3, 30):
        ingest(guid=f"urn:t:{i}", source=source)
    with CaptureQueriesContext(connection) as many:
        response = editor.get(url)
    assert len(response.context["records"]) == 30
    assert len(many) == len(few)


def test_item_preview(editor: Client) -> None:
    record = ingest()
    response = editor.get(reverse("wires:item", args=[record.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert record.headline in content
    assert "Premier paragraphe de la dépêche." in content
    assert "<script>alert" not in content
    assert "Publier en brève" in content and "Créer un article" in content and "Ignorer" in content
    assert editor.get(reverse("wires:item", args=[record.pk + 1000])).status_code == 404
    response = editor.get(reverse("wires:ninjs", args=[record.pk]))
    assert response.status_code == 200 and response.json()["uri"] == record.guid


def test_create_article_redirects_to_the_editor(editor: Client) -> None:
    section = f.make_section("Économie")
    record = ingest(holder="MAP", copyright_notice="© MAP")
    response = editor.post(
        reverse("wires:create_article", args=[record.pk]), {"section": section.pk}
    )
    article = ArticlePage.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_pages:edit", args=[article.pk])
    assert not article.live and article.agency_credit == "MAP"
    assert article.copyright_line == "© MAP"
    assert article.get_parent().pk == section.pk
    assert editor.get(response["Location"]).status_code == 200
    record.refresh_from_db()
    assert record.status == ItemStatus.ARTICLE_CREATED


def test_create_article_with_a_bad_section_is_a_400(editor: Client) -> None:
    record = ingest()
    response = editor.post(reverse("wires:create_article", args=[record.pk]), {"section": "999"})
    assert response.status_code == 400
    assert "Rubrique inconnue" in response.content.decode()
    assert not ArticlePage.objects.exists()


def test_embargoed_item_actions_are_refused(editor: Client) -> None:
    section = f.make_section("Monde")
    record = ingest(embargo=timezone.now() + timedelta(hours=3))
    response = editor.post(
        reverse("wires:create_article", args=[record.pk]), {"section": section.pk}
    )
    assert response.status_code == 409
    assert "sous embargo jusqu&#x27;au" in response.content.decode()
    response = editor.post(reverse("wires:publish", args=[record.pk]))
    assert response.status_code == 409
    assert not ArticlePage.objects.exists()
    assert WireItemRecord.objects.get().status == ItemStatus.NEW


def test_ignore_from_the_desk(editor: Client) -> None:
    record = ingest()
    response = editor.post(reverse("wires:ignore", args=[record.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("wires:desk")
    record.refresh_from_db()
    assert record.status == ItemStatus.IGNORED
    assert editor.get(reverse("wires:ignore", args=[record.pk])).status_code == 405
    response = editor.post(reverse("wires:restore", args=[record.pk]))
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == ItemStatus.NEW


def test_publish_from_the_desk_with_a_live_feed(
    editor: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[dict[str, Any]] = []

    class Dispatch:
        pk = 7

    def fake_publish(**kwargs: Any) -> Dispatch:
        calls.append(kwargs)
        return Dispatch()

    monkeypatch.setattr(desk, "dispatch_publish", fake_publish)
    record = ingest(holder="AFP")
    response = editor.post(reverse("wires:publish", args=[record.pk]))
    assert response.status_code == 302
    assert calls[0]["credit"] == "AFP" and calls[0]["user"].email == "desk@example.com"
    record.refresh_from_db()
    assert record.status == ItemStatus.PUBLISHED_DISPATCH and record.dispatch_id == 7


def test_publishing_an_article_of_a_killed_wire_is_refused(editor: Client) -> None:
    section = f.make_section("Monde")
    record = ingest(version=1)
    editor.post(reverse("wires:create_article", args=[record.pk]), {"section": section.pk})
    article = ArticlePage.objects.get()
    edit_url = reverse("wagtailadmin_pages:edit", args=[article.pk])
    data = nested_form_data(
        {
            "title": article.title,
            "slug": article.slug,
            "standfirst": article.standfirst,
            "body": streamfield([]),
            "article_authors": inline_formset([]),
            "comments": inline_formset([]),
            "tags": "",
            "agency_credit": article.agency_credit,
            "lead_image_caption": "",
            "lead_image_credit": "",
            "access_level": "",
            "copyright_line": article.copyright_line,
            "action-publish": "action-publish",
        }
    )
    wire_ingest_bytes(data=ninjs_bytes(version=2, pub_status="canceled"), filename="k.json")
    response = editor.post(edit_url, data, follow=True)
    assert "Publication refusée" in response.content.decode()
    article.refresh_from_db()
    assert not article.live
    # The same form publishes once the wire is usable again (the guard is what stopped it).
    WireItemRecord.objects.update(status=ItemStatus.ARTICLE_CREATED)
    editor.post(edit_url, data)
    article.refresh_from_db()
    assert article.live


def test_upload_imports_a_wire_file(editor: Client) -> None:
    assert editor.get(reverse("wires:upload")).status_code == 200
    source = WireSource.objects.create(name="Envoi AFP", provider="AFP", kind="upload")
    upload = SimpleUploadedFile(
        "LISTING_1.xml",
        (SAMPLES / "newsml-g2" / "LISTING_1_A_NewsML-G2_News_Item.xml").read_bytes(),
        content_type="application/xml",
    )
    response = editor.post(reverse("wires:upload"), {"file": upload, "source": source.pk})
    assert response.status_code == 200
    assert "imported" in response.content.decode()
    assert WireItemRecord.objects.get().source == source


def test_upload_rejects_a_non_wire_file_in_french(editor: Client) -> None:
    upload = SimpleUploadedFile("photo.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    response = editor.post(reverse("wires:upload"), {"file": upload})
    assert response.status_code == 400
    assert "Format de dépêche non reconnu" in response.content.decode()
    assert IngestLogEntry.objects.get().outcome == "rejected"
    assert not WireItemRecord.objects.exists()


def test_upload_refuses_an_oversized_file(editor: Client, settings: Any) -> None:
    settings.LEDE_WIRE_MAX_BYTES = 100
    upload = SimpleUploadedFile("big.json", ninjs_bytes())
    response = editor.post(reverse("wires:upload"), {"file": upload})
    assert response.status_code == 400
    assert "Fichier trop volumineux" in response.content.decode()


def test_upload_without_a_file_is_a_400(editor: Client) -> None:
    assert editor.post(reverse("wires:upload"), {}).status_code == 400


def test_log_and_sources_in_the_admin(editor: Client) -> None:
    wire_ingest_bytes(data=b"<oops", filename="oops.xml")
    ingest()
    response = editor.get(reverse("wires:log"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "oops.xml" in content and "Fichier XML invalide" in content
    response = editor.get(reverse("wires:log"), {"outcome": "rejected"})
    assert [e.filename for e in response.context["entries"]] == ["oops.xml"]
    assert editor.get(reverse("wire_sources:index")).status_code == 200
    assert editor.get(reverse("wire_sources:add")).status_code == 200
    assert editor.get(reverse("admin:wires_ingestlogentry_changelist")).status_code == 200
    assert editor.get(reverse("wagtailadmin_home")).status_code == 200


def test_source_form_validates_kind_specific_fields(editor: Client) -> None:
    response = editor.post(
        reverse("wire_sources:add"),
        {
            "name": "Flux sans adresse",
            "provider": "AFP",
            "kind": "http",
            "poll_interval": "300",
            "urgency_threshold": "1",
        },
    )
    assert response.status_code == 200  # the form again, with its error
    assert "Indiquez l&#x27;adresse du flux" in response.content.decode()
    assert not WireSource.objects.exists()


def test_every_sample_item_previews(editor: Client) -> None:
    from .builders import SAMPLE_DIRS

    for folder in SAMPLE_DIRS:
        wire_ingest_path(path=folder)
    response = editor.get(reverse("wires:desk"), {"status": "all"})
    assert response.status_code == 200
    records = list(WireItemRecord.objects.all())
    assert len(response.context["records"]) == len(records)
    for record in records:
        response = editor.get(reverse("wires:item", args=[record.pk]))
        assert response.status_code == 200, record.guid


# Markup and entities an agency left in plain-text fields (issue 12, item 6).
HOSTILE = '<script>alert("x")</script><b>Rabat</b> &amp; <img src=x onerror=alert(1)><i>Fès</i>'


def assert_no_literal_markup(page: str) -> None:
    for needle in ("<script>alert", "&lt;script", "&lt;b&gt;", "&lt;img", "&amp;amp;", "onerror"):
        assert needle not in page, needle


def test_hostile_plain_text_fields_render_as_text_on_the_desk_and_the_article(
    editor: Client,
) -> None:
    section = f.make_section("Monde")
    record = ingest(
        guid="urn:lede:test:hostile",
        headline=HOSTILE + " titre",
        standfirst=HOSTILE + " chapô",
        holder="AFP <b>x</b>",
        copyright_notice="&copy; <i>AFP</i> 2026",
        extra={"by": HOSTILE + " signature", "slugline": HOSTILE, "located": "<b>Rabat</b>"},
    )
    assert record.headline == "Rabat & Fès titre"
    assert record.standfirst == "Rabat & Fès chapô"
    assert (record.byline, record.slugline) == ("Rabat & Fès signature", "Rabat & Fès")
    desk = editor.get(reverse("wires:desk")).content.decode()
    assert "Rabat &amp; Fès titre" in desk
    assert_no_literal_markup(desk)
    preview = editor.get(reverse("wires:item", args=[record.pk])).content.decode()
    assert "Rabat &amp; Fès titre" in preview and "Rabat &amp; Fès signature" in preview
    assert_no_literal_markup(preview)

    editor.post(reverse("wires:create_article", args=[record.pk]), {"section": section.pk})
    article = ArticlePage.objects.get()
    assert article.title == "Rabat & Fès titre"
    assert article.copyright_line == "© AFP 2026"
    article.save_revision().publish()
    page = Client().get(article.url).content.decode()
    assert "Rabat &amp; Fès titre" in page and "Rabat &amp; Fès chapô" in page
    assert_no_literal_markup(page)
