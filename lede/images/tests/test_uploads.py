"""Uploads that are not images, or too large, are refused with a French message."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image as PILImage

from lede.accounts.models import User
from lede.images.models import LedeImage

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client: Client) -> Client:
    user = User.objects.create_superuser("chef@example.com", "pw-123456-x")
    client.force_login(user)
    return client


def _jpeg(size: tuple[int, int] = (64, 64)) -> bytes:
    buf = io.BytesIO()
    PILImage.new("RGB", size, "#884422").save(buf, format="JPEG")
    return buf.getvalue()


def test_real_image_is_accepted(staff_client: Client) -> None:
    response = staff_client.post(
        "/admin/images/add/",
        {
            "title": "Photo",
            "file": SimpleUploadedFile("photo.jpg", _jpeg(), "image/jpeg"),
            "caption": "Une légende",
            "credit": "Nadia Fassi / Le Quotidien",
        },
    )
    assert response.status_code == 302
    image = LedeImage.objects.get()
    assert image.credit == "Nadia Fassi / Le Quotidien"
    assert image.credit_display == "NADIA FASSI / LE QUOTIDIEN"


def test_not_an_image_is_refused(staff_client: Client) -> None:
    response = staff_client.post(
        "/admin/images/add/",
        {
            "title": "Faux",
            "file": SimpleUploadedFile("faux.jpg", b"<?php echo 1; ?>", "image/jpeg"),
        },
    )
    assert response.status_code == 200
    assert LedeImage.objects.count() == 0
    html = response.content.decode()
    assert "format" in html.lower() and "image" in html.lower()


def test_too_large_is_refused(staff_client: Client, settings: object) -> None:
    settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE = 1000  # type: ignore[attr-defined]
    response = staff_client.post(
        "/admin/images/add/",
        {"title": "Grande", "file": SimpleUploadedFile("g.jpg", _jpeg((800, 800)), "image/jpeg")},
    )
    assert response.status_code == 200
    assert LedeImage.objects.count() == 0
    assert "trop" in response.content.decode().lower()
