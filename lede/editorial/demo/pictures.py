"""Pictures drawn with Pillow for the demo: no downloads, deterministic output."""

from __future__ import annotations

import io
import math
import random
from collections.abc import Callable

from PIL import Image, ImageColor, ImageDraw, ImageFont

RGB = tuple[int, int, int]
PHOTO_SIZE = (1600, 900)


def _rgb(value: str) -> RGB:
    r, g, b = ImageColor.getrgb(value)[:3]
    return (r, g, b)


def _mix(a: RGB, b: RGB, t: float) -> RGB:
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


def _gradient(size: tuple[int, int], top: RGB, bottom: RGB) -> Image.Image:
    mask = Image.linear_gradient("L").resize(size)
    return Image.composite(Image.new("RGB", size, bottom), Image.new("RGB", size, top), mask)


Drawer = Callable[[ImageDraw.ImageDraw, random.Random, int, int, RGB, RGB], None]


def _columns(d: ImageDraw.ImageDraw, rng: random.Random, w: int, h: int, a: RGB, b: RGB) -> None:
    base = int(h * 0.82)
    d.rectangle([0, base, w, h], fill=(*_mix(a, (0, 0, 0), 0.4), 255))
    d.polygon([(w * 0.1, h * 0.3), (w * 0.5, h * 0.12), (w * 0.9, h * 0.3)], fill=(*a, 200))
    count = rng.randint(6, 9)
    step = (w * 0.8) / count
    for i in range(count):
        x = w * 0.1 + i * step + step * 0.25
        d.rectangle([x, h * 0.32, x + step * 0.5, base], fill=(255, 255, 255, 150))


def _skyline(d: ImageDraw.ImageDraw, rng: random.Random, w: int, h: int, a: RGB, b: RGB) -> None:
    d.ellipse([w * 0.7, h * 0.12, w * 0.82, h * 0.33], fill=(255, 244, 214, 200))
    x = 0
    dark = _mix(a, (0, 0, 0), 0.5)
    while x < w:
        bw = rng.randint(60, 160)
        bh = rng.randint(int(h * 0.2), int(h * 0.6))
        d.rectangle([x, h - bh, x + bw, h], fill=(*dark, 235))
        for wy in range(h - bh + 20, h - 20, 40):
            for wx in range(x + 12, x + bw - 20, 30):
                if rng.random() < 0.45:
                    d.rectangle([wx, wy, wx + 12, wy + 18], fill=(255, 230, 160, 180))
        x += bw + rng.randint(4, 20)


def _waves(d: ImageDraw.ImageDraw, rng: random.Random, w: int, h: int, a: RGB, b: RGB) -> None:
    for band in range(6):
        y0 = h * (0.45 + band * 0.09)
        amp = rng.uniform(10, 30)
        freq = rng.uniform(2, 5)
        pts = [
            (x, y0 + amp * math.sin(x / w * freq * math.pi * 2 + band))
            for x in range(0, w + 40, 40)
        ]
        pts += [(w, h), (0, h)]
        d.polygon(pts, fill=(*_mix(a, b, band / 6), 150))


def _bars(d: ImageDraw.ImageDraw, rng: random.Random, w: int, h: int, a: RGB, b: RGB) -> None:
    count = 12
    step = w / (count + 2)
    level = rng.uniform(0.3, 0.5)
    points = []
    for i in range(count):
        level = min(0.85, max(0.15, level + rng.uniform(-0.08, 0.12)))
        x = step * (i + 1)
        d.rectangle([x, h * (1 - level), x + step * 0.7, h], fill=(255, 255, 255, 120))
        points.append((x + step * 0.35, h * (1 - level) - 30))
    d.line(points, fill=(*_mix(a, (0, 0, 0), 0.3), 255), width=8)


def _pitch(d: ImageDraw.ImageDraw, rng: random.Random, w: int, h: int, a: RGB, b: RGB) -> None:
    d.rectangle([0, h * 0.45, w, h], fill=(46, 125, 50, 230))
    line = (255, 255, 255, 200)
    d.rectangle([w * 0.08, h * 0.52, w * 0.92, h * 0.95], outline=line, width=6)
    d.line([(w * 0.5, h * 0.52), (w * 0.5, h * 0.95)], fill=line, width=6)
    d.ellipse([w * 0.43, h * 0.62, w * 0.57, h * 0.85], outline=line, width=6)
    for i in range(4):
        x = w * (0.15 + i * 0.23)
        d.polygon(
            [(x, 0), (x + 60, 0), (x + 260, h * 0.45), (x - 200, h * 0.45)],
            fill=(255, 255, 220, 45),
        )


def _circles(d: ImageDraw.ImageDraw, rng: random.Random, w: int, h: int, a: RGB, b: RGB) -> None:
    for _ in range(9):
        r = rng.randint(60, 260)
        cx, cy = rng.randint(0, w), rng.randint(0, h)
        color = _mix(a, b, rng.random())
        d.ellipse(
            [cx - r, cy - r, cx + r, cy + r],
            fill=(*color, 140),
            outline=(255, 255, 255, 90),
            width=4,
        )


def _dunes(d: ImageDraw.ImageDraw, rng: random.Random, w: int, h: int, a: RGB, b: RGB) -> None:
    d.ellipse([w * 0.15, h * 0.1, w * 0.27, h * 0.31], fill=(255, 236, 179, 230))
    for layer in range(4):
        y0 = h * (0.5 + layer * 0.12)
        pts = [(0.0, h * 1.0)]
        for x in range(0, w + 100, 100):
            pts.append((x, y0 - rng.uniform(0, 80)))
        pts.append((w, h))
        d.polygon(pts, fill=(*_mix((214, 162, 92), a, layer / 5), 235))


def _globe(d: ImageDraw.ImageDraw, rng: random.Random, w: int, h: int, a: RGB, b: RGB) -> None:
    cx, cy, r = w * 0.5, h * 0.5, h * 0.38
    line = (255, 255, 255, 170)
    d.ellipse([cx - r, cy - r, cx + r, cy + r], fill=(*a, 120), outline=line, width=6)
    for k in range(1, 4):
        rx = r * k / 4
        d.ellipse([cx - rx, cy - r, cx + rx, cy + r], outline=line, width=3)
    for k in (-2, -1, 0, 1, 2):
        y = cy + r * k / 3
        half = math.sqrt(max(r * r - (y - cy) ** 2, 0))
        d.line([(cx - half, y), (cx + half, y)], fill=line, width=3)
    d.rectangle([0, h * 0.88, w, h], fill=(*_mix(a, (0, 0, 0), 0.5), 220))


def _grid(d: ImageDraw.ImageDraw, rng: random.Random, w: int, h: int, a: RGB, b: RGB) -> None:
    cell = 100
    for y in range(0, h, cell):
        for x in range(0, w, cell):
            if rng.random() < 0.35:
                shade = _mix(a, (255, 255, 255), rng.uniform(0.1, 0.6))
                d.rectangle([x + 8, y + 8, x + cell - 8, y + cell - 8], fill=(*shade, 170))


def _mountains(d: ImageDraw.ImageDraw, rng: random.Random, w: int, h: int, a: RGB, b: RGB) -> None:
    for layer in range(3):
        base = h * (0.55 + layer * 0.15)
        pts = [(0.0, float(h))]
        x = 0.0
        while x <= w:
            pts.append((x, base - rng.uniform(80, 280)))
            x += rng.uniform(120, 260)
        pts += [(float(w), base - 100), (float(w), float(h))]
        d.polygon(pts, fill=(*_mix(a, (20, 20, 20), 0.2 + layer * 0.25), 230))
        if layer == 0:
            for px, py in pts[1:-2]:
                d.polygon(
                    [(px - 40, py + 50), (px, py), (px + 40, py + 50)], fill=(255, 255, 255, 200)
                )


MOTIFS: dict[str, Drawer] = {
    "columns": _columns,
    "skyline": _skyline,
    "waves": _waves,
    "bars": _bars,
    "pitch": _pitch,
    "circles": _circles,
    "dunes": _dunes,
    "globe": _globe,
    "grid": _grid,
    "mountains": _mountains,
}


def photo_jpeg(
    seed: str, palette: tuple[str, str], motif: str, size: tuple[int, int] = PHOTO_SIZE
) -> bytes:
    """A "photo": a two-colour gradient with the motif's shapes drawn over it."""
    rng = random.Random(seed)  # noqa: S311 - drawing, not cryptography
    top, bottom = _rgb(palette[0]), _rgb(palette[1])
    w, h = size
    img = _gradient(size, top, bottom)
    overlay = Image.new("RGBA", size, (0, 0, 0, 0))
    MOTIFS.get(motif, _circles)(ImageDraw.Draw(overlay), rng, w, h, top, bottom)
    img = Image.alpha_composite(img.convert("RGBA"), overlay).convert("RGB")
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=82, optimize=True)
    return buf.getvalue()


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


#: Debian's DejaVu fonts have the accented letters Pillow's built-in font lacks.
SYSTEM_FONTS = "/usr/share/fonts/truetype/dejavu"


def _text_font(size: int, filename: str) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """A font for French text: DejaVu when installed, else Pillow's own."""
    try:
        return ImageFont.truetype(f"{SYSTEM_FONTS}/{filename}", size)
    except OSError:
        return _font(size)


def initials(name: str) -> str:
    parts = [p for p in name.replace("-", " ").split() if p[:1].isupper()]
    return "".join(p[0] for p in parts[:1] + parts[-1:]) if parts else "?"


def portrait_jpeg(name: str, color: str, size: int = 600) -> bytes:
    """A portrait placeholder: the author's initials on their colour."""
    bg = _rgb(color)
    img = _gradient((size, size), _mix(bg, (255, 255, 255), 0.15), _mix(bg, (0, 0, 0), 0.25))
    d = ImageDraw.Draw(img)
    d.text(
        (size / 2, size / 2),
        initials(name),
        fill=(255, 255, 255),
        font=_font(size // 3),
        anchor="mm",
    )
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=88)
    return buf.getvalue()


def logo_png(name: str, size: tuple[int, int] = (960, 200)) -> bytes:
    """The publication's word mark: its name in dark serif-like type with a red rule."""
    w, h = size
    img = Image.new("RGBA", size, (255, 255, 255, 0))
    d = ImageDraw.Draw(img)
    d.rectangle([0, h - 18, w, h - 8], fill=(180, 30, 30, 255))
    d.text((w / 2, h * 0.45), name, fill=(20, 20, 20, 255), font=_font(int(h * 0.55)), anchor="mm")
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def share_card_png(name: str, tagline: str = "", size: tuple[int, int] = (1200, 630)) -> bytes:
    """The default share card: the publication's name in white on its colour,
    a red rule and the tagline (what a link preview shows for an article
    without a picture)."""
    w, h = size
    ink = _rgb("#14213d")
    img = _gradient(size, _mix(ink, (255, 255, 255), 0.08), _mix(ink, (0, 0, 0), 0.3))
    d = ImageDraw.Draw(img)
    d.rectangle([w * 0.1, h * 0.6, w * 0.9, h * 0.6 + 8], fill=(200, 40, 40))
    title_font = _text_font(int(h * 0.19), "DejaVuSerif-Bold.ttf")
    d.text((w / 2, h * 0.42), name, fill=(255, 255, 255), font=title_font, anchor="mm")
    if tagline:
        d.text(
            (w / 2, h * 0.74),
            tagline,
            fill=(225, 229, 238),
            font=_text_font(int(h * 0.045), "DejaVuSans.ttf"),
            anchor="mm",
        )
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=True)
    return buf.getvalue()
