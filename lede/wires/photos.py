"""Agency photos: keep the local files delivered next to a wire, import them as images.

Agencies delivering by FTP drop the picture files beside the story, and the
story refers to them by a relative ``href``. At ingest the file is copied into
the media storage (content-addressed, so a picture sent twice is stored once)
and the copy's name is kept in the record's ``photos`` JSON: the drop folder
can then be emptied. Only files *inside* the wire file's folder are read: an
``href`` such as ``/etc/passwd`` or ``../../secret.jpg`` is refused.

Remote pictures (``http(s)://``) are only noted, never fetched during ingest;
``LEDE_WIRE_FETCH_REMOTE_PHOTOS = True`` lets the desk fetch one when it makes
an article or a brève (with a size limit and a timeout).
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import requests
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.core.files.storage import default_storage
from PIL import Image as PILImage

from lede.images.models import LedeImage

from .parsers import Photo

logger = logging.getLogger(__name__)

IMAGE_EXTENSIONS = frozenset({".jpg", ".jpeg", ".png", ".gif", ".webp"})
PHOTO_STORAGE_PREFIX = "wires/photos"
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_FORMAT_EXTENSIONS = {"JPEG": ".jpg", "PNG": ".png", "GIF": ".gif", "WEBP": ".webp"}


def max_photo_bytes() -> int:
    return int(settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE)


def photo_to_dict(photo: Photo, *, base_dir: Path | None) -> dict[str, Any]:
    """The JSON kept on the record for one rendition, with the local copy if any."""
    data: dict[str, Any] = {
        "href": photo.href,
        "caption": photo.caption,
        "credit": photo.credit,
        "width": photo.width,
        "height": photo.height,
        "mimetype": photo.mimetype,
        "rendition": photo.rendition,
        "guid": photo.guid,
        "stored": "",
        "note": "",
    }
    if photo.is_remote:
        data["note"] = "distante"
        return data
    if base_dir is None:
        data["note"] = "fichier local non fourni"
        return data
    stored, note = _store_local(photo.href, base_dir)
    data["stored"] = stored
    data["note"] = note
    return data


def _local_path(href: str, base_dir: Path) -> Path | None:
    """The file an ``href`` names inside ``base_dir``, or ``None`` if it points elsewhere."""
    if href.lower().startswith("file:"):
        parts = urlsplit(href)
        if parts.netloc not in ("", "localhost"):
            return None
        href = unquote(parts.path)
    elif _SCHEME.match(href):
        return None
    else:
        href = unquote(href.split("#", 1)[0].split("?", 1)[0])
    if not href or "\x00" in href:
        return None
    base = base_dir.resolve()
    candidate = Path(href)
    if candidate.is_absolute():
        return None
    resolved = (base / candidate).resolve()
    if not resolved.is_relative_to(base):
        return None
    return resolved


def _store_local(href: str, base_dir: Path) -> tuple[str, str]:
    path = _local_path(href, base_dir)
    if path is None:
        return "", "chemin refusé (hors du dossier de la dépêche)"
    if path.suffix.lower() not in IMAGE_EXTENSIONS:
        return "", "type de fichier non accepté"
    try:
        if not path.is_file():
            return "", "fichier introuvable"
        if path.stat().st_size > max_photo_bytes():
            return "", "fichier trop volumineux"
        data = path.read_bytes()
    except OSError as exc:
        return "", f"lecture impossible ({exc.strerror or exc})"
    return store_image_bytes(data)


def store_image_bytes(data: bytes) -> tuple[str, str]:
    """Check the bytes are a picture and keep them in the media storage."""
    extension = _image_extension(data)
    if extension is None:
        return "", "image illisible"
    name = f"{PHOTO_STORAGE_PREFIX}/{hashlib.sha256(data).hexdigest()[:32]}{extension}"
    if not default_storage.exists(name):
        name = default_storage.save(name, ContentFile(data))
    return name, ""


def _image_extension(data: bytes) -> str | None:
    try:
        with PILImage.open(io.BytesIO(data)) as image:
            image_format = image.format or ""
            image.verify()
    except Exception:  # noqa: BLE001 - Pillow raises many kinds of errors on bad files
        return None
    return _FORMAT_EXTENSIONS.get(image_format)


def pick_photo(photos: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The best rendition available: a stored local copy first (largest first),
    then, when remote fetching is allowed, the largest remote one."""

    def area(photo: dict[str, Any]) -> int:
        return int(photo.get("width") or 0) * int(photo.get("height") or 0)

    stored = [p for p in photos if isinstance(p, dict) and p.get("stored")]
    if stored:
        return max(stored, key=area)
    if settings.LEDE_WIRE_FETCH_REMOTE_PHOTOS:
        remote = [
            p
            for p in photos
            if isinstance(p, dict)
            and str(p.get("href", "")).lower().startswith(("http://", "https://"))
        ]
        if remote:
            return max(remote, key=area)
    return None


def fetch_remote(href: str) -> tuple[str, str]:
    """Download a remote picture (only when the setting allows it) into the storage."""
    limit = max_photo_bytes()
    timeout = float(settings.LEDE_WIRE_HTTP_TIMEOUT)
    try:
        with requests.get(href, timeout=timeout, stream=True) as response:
            if response.status_code != 200:
                return "", f"HTTP {response.status_code}"
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_content(64 * 1024):
                size += len(chunk)
                if size > limit:
                    return "", "fichier trop volumineux"
                chunks.append(chunk)
    except requests.RequestException as exc:
        return "", f"téléchargement impossible ({exc.__class__.__name__})"
    return store_image_bytes(b"".join(chunks))


def image_from_photo(photo: dict[str, Any], *, title: str, user: Any = None) -> Any | None:
    """A LedeImage for a photo of a record (stored copy, or fetched when allowed)."""
    stored = str(photo.get("stored") or "")
    if not stored and str(photo.get("href", "")).lower().startswith(("http://", "https://")):
        if not settings.LEDE_WIRE_FETCH_REMOTE_PHOTOS:
            return None
        stored, note = fetch_remote(str(photo["href"]))
        if not stored:
            logger.info("wire photo %s not fetched: %s", photo.get("href"), note)
            return None
        photo["stored"] = stored
    if not stored or not default_storage.exists(stored):
        return None
    with default_storage.open(stored, "rb") as handle:
        data = handle.read()
    image = LedeImage(
        title=(title or Path(stored).name)[:255],
        caption=str(photo.get("caption") or "")[:500],
        credit=str(photo.get("credit") or "")[:255],
        uploaded_by_user=user if getattr(user, "is_authenticated", False) else None,
    )
    image.file.save(Path(stored).name, ImageFile(io.BytesIO(data), name=Path(stored).name))
    return image
