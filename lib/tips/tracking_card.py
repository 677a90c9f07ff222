"""The tracking card: the image a sender keeps after sending a tip.

A phone in a chat app's browser cannot be trusted to keep a page or a download; a picture it can
keep (a long press, "save image"). The card is one PNG, :data:`WIDTH` px wide, drawn with Pillow:

- a police-blue band with the program's logo and the unit the tip went to ("海门公安 · 三星派出所");
- the tracking code in large letters;
- a QR code of the tracker's link (``PORTAL_PUBLIC_URL/track?code=XXXXX-XXXXX``), when the portal's
  public address is known;
- the date and time it was sent (Beijing time), and a line on keeping the code.

Everything is drawn as pixels from our own texts, the code (our own alphabet) and the unit's name:
nothing a sender typed is on it. Fonts and line breaking: :mod:`lib.pushes.text_layout`; the logo:
:mod:`lib.pushes.logo`.
"""

from __future__ import annotations

import functools
import io
import os
import threading
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from PIL import Image, ImageDraw, ImageFont

from lib.i18n import i18n
from lib.pushes import logo, poster, qr, text_layout
from lib.tips import tips

WIDTH = 720
MARGIN = 48
HEADER_H = 128
LOGO_SIZE = 80
CODE_SIZE = 80
QR_TARGET = 300  # px a side, about: whole modules only, so it is a little less
BASE_URL_ENV = "PORTAL_PUBLIC_URL"

POLICE_BLUE = logo.POLICE_BLUE
PALE_BLUE = (0xEE, 0xF3, 0xFA)
TAG_BLUE = (0xD4, 0xE0, 0xF5)
INK = poster.INK
MUTED = poster.MUTED
WHITE = (255, 255, 255)

# A FreeType face is not safe to use from two threads at once, and Streamlit serves each session in
# its own thread: the card's fonts are its own (see _font) and drawing them is serialised here.
_LOCK = threading.Lock()


@dataclass(frozen=True)
class Card:
    """A drawn card: its PNG, and where the code and the QR code are (``(left, top, right,
    bottom)`` in px; ``qr_box`` None when there is no link), for tests and layout checks."""

    png: bytes
    width: int
    height: int
    code_box: tuple[int, int, int, int]
    qr_box: tuple[int, int, int, int] | None


def track_url(code: str, base_url: str | None = None) -> str | None:
    """The tracker's link for ``code``: ``<base>/track?code=XXXXX-XXXXX``, where ``<base>`` is
    ``PORTAL_PUBLIC_URL`` (the address residents reach the portal at), else ``base_url``; None when
    neither is an http(s) address without a query or fragment."""
    for candidate in (os.environ.get(BASE_URL_ENV), base_url):
        base = (candidate or "").strip().rstrip("/")
        parts = urlsplit(base)
        if (parts.scheme in ("http", "https") and parts.netloc and not parts.query and not parts.fragment
                and not any(ch.isspace() for ch in base)):
            return f"{base}/track?{urlencode({'code': tips.format_code(tips.normalize_code(code))})}"
    return None


@functools.lru_cache(maxsize=16)
def _font(size: int, bold: bool) -> tuple[ImageFont.FreeTypeFont, int]:
    """The CJK font at ``size`` and the stroke that fakes bold when the font has no bold face."""
    face = text_layout.find_cjk_font(bold)
    font = ImageFont.truetype(face.path, size, index=face.index, layout_engine=ImageFont.Layout.BASIC)
    return font, (max(1, size // 36) if bold and face.fake_bold else 0)


def _text(draw: ImageDraw.ImageDraw, xy, text: str, size: int, fill, *, bold: bool = False,
          anchor: str = "mm") -> None:
    font, stroke = _font(size, bold)
    draw.text(xy, text, font=font, fill=fill, anchor=anchor, stroke_width=stroke, stroke_fill=fill)


def _fit(text: str, size: int, width: int, *, bold: bool = False, smallest: int = 14) -> int:
    """The largest size up to ``size`` at which ``text`` fits in ``width`` px."""
    while size > smallest and _font(size, bold)[0].getlength(text) > width:
        size -= 2
    return size


def _lines(text: str, size: int, width: int) -> list[str]:
    return text_layout.wrap_text(text, _font(size, False)[0], width) or [""]


def render_card(code: str, *, unit: str, date_text: str, url: str | None, lang: str = "zh") -> Card:
    """Draw the card of tracking code ``code`` (any spelling :func:`lib.tips.tips.normalize_code`
    takes). ``unit`` is the unit the tip went to, ``date_text`` when it was sent (Beijing time,
    "2026-11-28 18:30"), ``url`` the tracker's link (see :func:`track_url`) or None.

    Raises :class:`lib.core.errors.PortalError` when no CJK font is available (see
    :func:`lib.pushes.text_layout.find_cjk_font`)."""
    with _LOCK:
        return _render(tips.format_code(tips.normalize_code(code)), unit, date_text, url, lang)


def render_card_png(code: str, *, unit: str, date_text: str, url: str | None, lang: str = "zh") -> bytes:
    """:func:`render_card`'s PNG bytes."""
    return render_card(code, unit=unit, date_text=date_text, url=url, lang=lang).png


def _render(shown: str, unit: str, date_text: str, url: str | None, lang: str) -> Card:
    inner = WIDTH - 2 * MARGIN
    qr_image = None
    if url:
        modules = len(qr.qr_code(url, box_size=1, border=2).get_matrix())
        box = max(2, QR_TARGET // modules)
        with Image.open(io.BytesIO(qr.qr_png(url, box_size=box, border=2))) as loaded:
            qr_image = loaded.convert("RGB")
    scan_lines = _lines(i18n.t("track.card.scan", lang), 26, inner) if url else []
    url_size = _fit(url, 20, inner) if url else 0
    keep_lines = _lines(i18n.t("track.card.keep", lang), 22, inner)

    # Heights, top to bottom.
    code_label_y = HEADER_H + 56
    code_top = code_label_y + 30
    code_h = CODE_SIZE + 48
    y = code_top + code_h + 36
    qr_top = y
    if qr_image is not None:
        y += qr_image.height + 12 + 38 * len(scan_lines) + url_size + 20
    date_y = y + 10
    y = date_y + 50
    keep_y = y
    height = keep_y + 32 * len(keep_lines) + MARGIN

    img = Image.new("RGB", (WIDTH, height), WHITE)
    draw = ImageDraw.Draw(img)

    # The band: logo, unit, what the card is.
    draw.rectangle((0, 0, WIDTH, HEADER_H), fill=POLICE_BLUE)
    mark = logo.program_logo(LOGO_SIZE)
    img.paste(mark, (MARGIN - 8, (HEADER_H - LOGO_SIZE) // 2), mark)
    text_x = MARGIN - 8 + LOGO_SIZE + 20
    text_w = WIDTH - text_x - MARGIN // 2
    unit_size = _fit(unit, 34, text_w, bold=True)
    _text(draw, (text_x, HEADER_H // 2 - 4), unit, unit_size, WHITE, bold=True, anchor="ls")
    _text(draw, (text_x, HEADER_H // 2 + 34), i18n.t("track.card.receipt", lang), 24, TAG_BLUE, anchor="ls")

    # The code, large, on a pale panel.
    _text(draw, (WIDTH // 2, code_label_y), i18n.t("track.card.code", lang), 28, MUTED)
    code_box = (MARGIN, code_top, WIDTH - MARGIN, code_top + code_h)
    draw.rounded_rectangle(code_box, radius=18, fill=PALE_BLUE, outline=(0xC9, 0xD6, 0xEA), width=2)
    code_size = _fit(shown, CODE_SIZE, inner - 40, bold=True)
    _text(draw, (WIDTH // 2, code_top + code_h // 2), shown, code_size, INK, bold=True)

    # The QR code of the tracker's link, its caption and the link itself.
    qr_box = None
    if qr_image is not None:
        left = (WIDTH - qr_image.width) // 2
        img.paste(qr_image, (left, qr_top))
        qr_box = (left, qr_top, left + qr_image.width, qr_top + qr_image.height)
        y = qr_top + qr_image.height + 12
        for line in scan_lines:
            _text(draw, (WIDTH // 2, y + 19), line, 26, INK)
            y += 38
        _text(draw, (WIDTH // 2, y + url_size // 2 + 2), url, url_size, MUTED)

    draw.line((MARGIN, date_y - 6, WIDTH - MARGIN, date_y - 6), fill=(0xD5, 0xDC, 0xE7), width=2)
    _text(draw, (WIDTH // 2, date_y + 26), i18n.t("track.card.date", lang, date=date_text), 26, INK)
    for n, line in enumerate(keep_lines):
        _text(draw, (WIDTH // 2, keep_y + 16 + 32 * n), line, 22, MUTED)

    out = io.BytesIO()
    img.save(out, "PNG", optimize=True)
    return Card(out.getvalue(), WIDTH, height, code_box, qr_box)
