"""The poster image that clerks post into chat groups with a push.

One PNG, 1080 px wide (a phone screen at full resolution), as tall as its content needs
and never taller than :data:`MAX_HEIGHT`. From top to bottom:

- a police-blue header band with the program's logo (the shield, grid and chat bubble of
  static/logo.svg, re-drawn here with Pillow) and the program name;
- a banner in the colour of the push category, with its display name (寻人启事, 反诈妙招 …);
- the title, large and bold; the body text; the labelled facts as a two-column table;
- up to four photos in a grid; the QR code to the tip form with its caption;
- a footer with the issuing unit, the hotline and the date.

Everything is drawn as pixels: user text is never interpreted as markup. Text that does not
fit is cut with "…" (and :attr:`RenderedPoster.truncated` says so), so a poster always renders.

Banner palette: four calm families, one meaning each, every colour dark enough for white text
(contrast at least 4.5:1, checked by a test):

- urgent, act now (the only reds): appeal, wanted, case_appeal deep red #b3261e; missing_person burnt
  orange #b8470b;
- official: police_bulletin navy #173d7a;
- caution: prevention_tip amber #8f5a00; anti_fraud dark orange-amber #a14a00;
- everyday information: news blue #2a61a8; qa steel blue #1d6a96; legal_education indigo #3f4aa0;
  civic_culture green #2e7048; health_tip teal-green #23705f.

Fonts: a CJK font is required (see :func:`find_cjk_font`); none is shipped in the repository.
"""

from __future__ import annotations

import functools
import io
import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from PIL import Image, ImageDraw, ImageFont, ImageOps

from lib.core.errors import PortalError, ValidationError
from lib.i18n import i18n

CANVAS_WIDTH = 1080
MAX_HEIGHT = 3000
MAX_PHOTOS = 4
MARGIN = 60
CONTENT_WIDTH = CANVAS_WIDTH - 2 * MARGIN

POLICE_BLUE = (0x1F, 0x4E, 0x9C)
SIGNAL_YELLOW = (0xF2, 0xB7, 0x05)
WHITE = (255, 255, 255)
INK = (0x1B, 0x1F, 0x27)
BODY_INK = (0x2B, 0x30, 0x38)
MUTED = (0x5A, 0x63, 0x72)
RULE = (0xD5, 0xDC, 0xE7)
PAPER = (255, 255, 255)
FOOTER_BLUE = (0x17, 0x3D, 0x7A)


@dataclass(frozen=True)
class Tone:
    """The colours of one push category: the banner and a light tint for table labels."""

    banner: tuple[int, int, int]
    tint: tuple[int, int, int]
    urgent: bool = False


def _hex(value: str) -> tuple[int, int, int]:
    return tuple(int(value[i:i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


def _tone(banner: str, tint: str, urgent: bool = False) -> Tone:
    return Tone(_hex(banner), _hex(tint), urgent)


PALETTE: dict[str, Tone] = {
    # Appeals: the only reds, so that a resident scrolling a busy group stops at them.
    "appeal": _tone("#b3261e", "#fbecea", urgent=True),
    "wanted": _tone("#b3261e", "#fbecea", urgent=True),
    "case_appeal": _tone("#b3261e", "#fbecea", urgent=True),
    "missing_person": _tone("#b8470b", "#fcefe6", urgent=True),
    "police_bulletin": _tone("#173d7a", "#e9eef7"),
    # Prevention and anti-fraud: amber, "take care", darkened until white text reads on it.
    "prevention_tip": _tone("#8f5a00", "#fbf3e2"),
    "anti_fraud": _tone("#a14a00", "#fcf0e3"),
    # Everyday information: blues and greens.
    "news": _tone("#2a61a8", "#eaf1fa"),
    "qa": _tone("#1d6a96", "#e7f2f8"),
    "legal_education": _tone("#3f4aa0", "#ecedf8"),
    "civic_culture": _tone("#2e7048", "#e8f3ec"),
    "health_tip": _tone("#23705f", "#e6f3f0"),
}


@dataclass
class PosterSpec:
    """What a poster shows. Texts are plain text; ``photos`` are 0–4 already re-encoded JPEG/PNG images.

    ``category`` is a push category code, or an appeal kind code (``wanted``, ``missing_person``,
    ``case_appeal``) for an appeal; it picks the banner colour. ``category_label`` is the text shown
    on the banner. ``lang`` ("zh" or "en") is the language of the poster's own captions.
    """

    category: str
    category_label: str
    title: str
    body: str = ""
    fields: list[tuple[str, str]] = field(default_factory=list)
    photos: list[bytes] = field(default_factory=list)
    qr_png: bytes | None = None
    qr_caption: str = "扫码提供线索"
    issuing_unit: str = ""
    hotline: str = "110"
    date_text: str = ""
    lang: str = "zh"


@dataclass
class RenderedPoster:
    """A rendered poster: the image, where each part was drawn, and whether text was cut."""

    image: Image.Image
    boxes: dict[str, list[tuple[int, int, int, int]]]
    truncated: bool = False
    lines: dict[str, list[str]] = field(default_factory=dict)  # the text as drawn, per part ("title", "body")

    def png(self) -> bytes:
        """The image as PNG bytes."""
        buf = io.BytesIO()
        # Level 3 is about twice as fast as the default 6 for a few percent more bytes.
        self.image.save(buf, format="PNG", compress_level=3)
        return buf.getvalue()


def tone_for(category: str) -> Tone:
    """The palette entry of a push category (or appeal kind) code."""
    try:
        return PALETTE[category]
    except KeyError:
        raise ValidationError("poster.error.category", field="category", category=category) from None


def _msg(key: str, lang: str, **params) -> str:
    return i18n.t(key, lang, **params)


# --------------------------------------------------------------------------- fonts

FONT_ENV = "PORTAL_CJK_FONT"
FONT_DIR = Path(__file__).resolve().parents[2] / "data" / "fonts"
SYSTEM_FONTS: list[tuple[str, str | None]] = [
    # (regular, bold); a missing bold is faked with a thin stroke.
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"),
    ("/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc", "/usr/share/fonts/truetype/noto/NotoSansCJK-Bold.ttc"),
    ("/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf", "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Bold.otf"),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", None),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", None),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", None),
]
FONT_SUFFIXES = (".ttf", ".otf", ".ttc", ".otc")
PROBE_CHAR = "警"
NOTDEF_PROBE = "\ue000"  # private use: no CJK font maps it, so it draws the .notdef glyph


@dataclass(frozen=True)
class FontFace:
    """A font file, the face inside it (a .ttc holds several) and whether bold must be faked."""

    path: str
    index: int = 0
    fake_bold: bool = False


class _Measures(Protocol):
    def getlength(self, text: str) -> float: ...


def glyph_ink(font: ImageFont.FreeTypeFont, text: str) -> bytes:
    """The rendered pixels of ``text`` in ``font`` (for comparing glyphs, e.g. against .notdef)."""
    size = int(font.size * 2)
    img = Image.new("L", (size * max(1, len(text)), size), 0)
    ImageDraw.Draw(img).text((size // 4, size // 4), text, font=font, fill=255)
    return img.tobytes()


def has_cjk_glyphs(font: ImageFont.FreeTypeFont) -> bool:
    """True when ``font`` draws a real glyph for a common Chinese character, not its .notdef box."""
    ink = glyph_ink(font, PROBE_CHAR)
    return any(ink) and ink != glyph_ink(font, NOTDEF_PROBE)


@functools.cache
def _face_index(path: str) -> int:
    """The Simplified Chinese face of a collection: JP/KR/TC faces draw some characters differently."""
    for index in range(16):
        try:
            family = ImageFont.truetype(path, 12, index=index).getname()[0] or ""
        except OSError:
            break
        if re.search(r"\b(SC|CN|GB)\b", family) and "Mono" not in family:
            return index
    return 0


def _usable(path: str) -> FontFace | None:
    try:
        index = _face_index(path)
        font = ImageFont.truetype(path, 24, index=index)
    except OSError:
        return None
    return FontFace(path, index) if has_cjk_glyphs(font) else None


@functools.cache
def _find(bold: bool, env_value: str | None) -> FontFace:
    if env_value:
        # An explicit setting that does not work is a configuration error, not a cue to guess.
        face = _usable(env_value) if os.path.isfile(env_value) else None
        if face is None:
            raise PortalError("poster.error.font_unusable", path=env_value)
        return FontFace(face.path, face.index, fake_bold=bold)
    shipped = sorted(p for p in FONT_DIR.glob("*") if p.suffix.lower() in FONT_SUFFIXES) if FONT_DIR.is_dir() else []
    regular = [str(p) for p in shipped if "bold" not in p.name.lower()]
    bolds = [str(p) for p in shipped if "bold" in p.name.lower()]
    pairs: list[tuple[str, str | None]] = [(r, bolds[0] if bolds else None) for r in regular] + SYSTEM_FONTS
    for reg, bld in pairs:
        if not os.path.isfile(reg):
            continue
        face = _usable(reg)
        if face is None:
            continue
        if not bold:
            return face
        bold_face = _usable(bld) if bld and os.path.isfile(bld) else None
        return bold_face or FontFace(face.path, face.index, fake_bold=True)
    raise PortalError("poster.error.no_font")


def find_cjk_font(bold: bool = False) -> FontFace:
    """The font to set Chinese in: ``$PORTAL_CJK_FONT``, else a font under data/fonts/, else a system
    font (Noto Sans CJK, then WenQuanYi, then Droid Sans Fallback).

    Raises ``PortalError("poster.error.no_font")`` when there is none, and
    ``PortalError("poster.error.font_unusable")`` when the configured file is missing or has no Chinese.
    """
    return _find(bold, os.environ.get(FONT_ENV) or None)


@functools.lru_cache(maxsize=64)
def load_font(face: FontFace, size: int) -> ImageFont.FreeTypeFont:
    """``face`` at ``size`` px, cached (opening a 20 MB collection each time would dominate rendering)."""
    # BASIC layout: CJK and Latin need no shaping here, and it is faster and measures additively.
    return ImageFont.truetype(face.path, size, index=face.index, layout_engine=ImageFont.Layout.BASIC)


@dataclass(frozen=True)
class _Style:
    font: ImageFont.FreeTypeFont
    fill: tuple[int, int, int]
    stroke: int = 0  # fake bold

    def length(self, text: str) -> float:
        return self.font.getlength(text) + (2 * self.stroke if text else 0)


def _style(size: int, fill, *, bold: bool = False) -> _Style:
    face = find_cjk_font(bold)
    stroke = max(1, size // 36) if bold and face.fake_bold else 0
    return _Style(load_font(face, size), fill, stroke)


def _text(draw: ImageDraw.ImageDraw, xy, text: str, style: _Style, anchor: str = "lm") -> None:
    draw.text(xy, text, font=style.font, fill=style.fill, anchor=anchor,
              stroke_width=style.stroke, stroke_fill=style.fill)


# --------------------------------------------------------------------------- line breaking

# Chinese line-breaking rules (禁则): these never start a line ...
CLOSING = set("，。、；：！？）」』》〉】〕〗”’…‥·～％,.;:!?)]}%") | {"\u30fb", "\uff09", "\uff3d", "\uff5d"}
# ... and these never end one.
OPENING = set("（「『《〈【〔〖“‘([{")
# A Latin "word": letters, digits and the joiners found in times, addresses and URLs. Kept on one line
# when it fits. Anything else is a token of one character (so CJK breaks anywhere, rules permitting).
_TOKEN = re.compile(r"[0-9A-Za-z\u00c0-\u024f][0-9A-Za-z\u00c0-\u024f'’_.@/:#&+=~-]*|[ \t]+|.", re.S)
ELLIPSIS = "…"


def _tokens(paragraph: str) -> list[str]:
    return _TOKEN.findall(paragraph)


def _is_space(token: str) -> bool:
    return token[:1] in (" ", "\t")


def wrap_text(text: str, font: _Measures, max_width: float, *, hang: float | None = None) -> list[str]:
    """Break ``text`` into lines no wider than ``max_width`` as measured by ``font.getlength``.

    Chinese breaks between any two characters; a Latin word stays whole unless it alone is wider
    than a line; explicit newlines are kept (an empty line stays empty). A closing punctuation mark
    never starts a line: it hangs at the end of the previous one, overrunning by at most ``hang``
    (default: the width of "，", which the callers leave as padding), or, when even that is not enough,
    takes the previous character down with it. An opening bracket never ends a line.
    """
    if hang is None:
        hang = font.getlength("，")
    lines: list[str] = []
    for paragraph in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        lines.extend(_wrap_paragraph(paragraph, font, max_width, hang))
    return lines


def _wrap_paragraph(paragraph: str, font: _Measures, max_width: float, hang: float) -> list[str]:
    widths: dict[str, float] = {}

    def width(tok: str) -> float:
        if tok not in widths:
            widths[tok] = font.getlength(tok)
        return widths[tok]

    queue = _tokens(paragraph)
    queue.reverse()  # pop() from the end is O(1)
    lines: list[str] = []
    line: list[str] = []
    line_w = 0.0

    def flush(carry: list[str], last: bool = False) -> None:
        nonlocal line, line_w
        # An opening bracket at the end of a line moves to the next one (the paragraph's last line has none).
        # Spaces and opening brackets may alternate at the end ("0《 《"): take them off until neither is left.
        while line and (_is_space(line[-1]) or (not last and len(line) > 1 and line[-1] in OPENING)):
            if _is_space(line[-1]):
                line.pop()
            else:
                carry.insert(0, line.pop())
        lines.append("".join(line))
        line = carry
        line_w = sum(width(t) for t in line)

    while queue:
        tok = queue.pop()
        w = width(tok)
        if _is_space(tok):
            if line:  # spaces vanish at a break
                line.append(tok)
                line_w += w
            elif not lines:  # ... but indent the paragraph's first line as written
                line.append(tok)
                line_w += w
            continue
        if line_w + w <= max_width or not line:
            if w > max_width and len(tok) > 1:
                queue.extend(reversed(tok))  # a word wider than a line breaks anywhere
                continue
            line.append(tok)
            line_w += w
            continue
        if tok in CLOSING:
            if line_w + w <= max_width + hang:
                line.append(tok)  # hanging punctuation
                line_w += w
                continue
            # Take the last character (and any marks glued to it) down with the mark.
            carry: list[str] = []
            while len(line) > 1 and (line[-1] in CLOSING or _is_space(line[-1])):
                carry.insert(0, line.pop())
            if len(line) > 1:
                carry.insert(0, line.pop())
                flush(carry + [tok])
            else:
                # One long word and its marks: nothing to take down, so the marks hang further.
                line += carry + [tok]
                line_w = sum(width(t) for t in line)
            continue
        if len(tok) > 1 and w > max_width:
            queue.extend(reversed(tok))
            continue
        flush([tok])
    if line or not lines:
        flush([], last=True)
    return lines


def balanced_wrap(text: str, font: _Measures, max_width: float, max_lines: int) -> list[str]:
    """:func:`wrap_text` at the narrowest width that needs no more lines than ``max_width`` does, so that a
    centred title does not leave one or two characters alone on its last line."""
    lines = wrap_text(text, font, max_width)
    if not 1 < len(lines) <= max_lines:
        return lines
    lo, hi = max_width / len(lines), max_width
    while hi - lo > 2:
        mid = (lo + hi) / 2
        if len(wrap_text(text, font, mid)) <= len(lines):
            hi = mid
        else:
            lo = mid
    return wrap_text(text, font, hi)


def ellipsize(text: str, font: _Measures, max_width: float) -> str:
    """``text`` on one line, cut with "…" when wider than ``max_width``."""
    text = " ".join(text.split("\n"))
    if font.getlength(text) <= max_width:
        return text
    return _cut(text, font, max_width)


def _cut(text: str, font: _Measures, max_width: float) -> str:
    # Binary search the longest prefix that fits with the ellipsis.
    lo, hi = 0, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if font.getlength(text[:mid].rstrip() + ELLIPSIS) <= max_width:
            lo = mid
        else:
            hi = mid - 1
    head = text[:lo].rstrip()
    # "走失，…" reads as a typo; drop a pause mark left just before the ellipsis.
    while head and head[-1] in "，、；：。,;:.":
        head = head[:-1]
    return head + ELLIPSIS


def fit_lines(lines: list[str], font: _Measures, max_width: float, max_lines: int) -> tuple[list[str], bool]:
    """The first ``max_lines`` of ``lines``, the last one ending in "…" if any were dropped; and whether any were."""
    if len(lines) <= max_lines:
        return lines, False
    if max_lines <= 0:
        return [], True
    kept = lines[:max_lines]
    # Skip back over blank lines so the ellipsis lands on text.
    while len(kept) > 1 and not kept[-1].strip():
        kept.pop()
    last = kept[-1]
    if font.getlength(last + ELLIPSIS) <= max_width:
        kept[-1] = last + ELLIPSIS
    else:
        kept[-1] = _cut(last, font, max_width)
    return kept, True


# --------------------------------------------------------------------------- logo

def _cubic(p0, p1, p2, p3, steps: int = 20) -> list[tuple[float, float]]:
    pts = []
    for i in range(1, steps + 1):
        t = i / steps
        u = 1 - t
        pts.append((
            u ** 3 * p0[0] + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0] + t ** 3 * p3[0],
            u ** 3 * p0[1] + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1] + t ** 3 * p3[1],
        ))
    return pts


def _shield(top: float, side: float, shoulder: float, waist: float, tip: float, c1: float, c2: float):
    """The shield outline of static/logo.svg in its 64-unit box (path M32 top L side,shoulder V waist C … Z)."""
    left = 64 - side
    pts = [(32, top), (side, shoulder), (side, waist)]
    pts += _cubic((side, waist), (side, c1), (32 + (side - 32) * 14 / 24, c2), (32, tip))
    pts += _cubic((32, tip), (32 - (side - 32) * 14 / 24, c2), (left, c1), (left, waist))
    pts += [(left, shoulder)]
    return pts


@functools.lru_cache(maxsize=4)
def program_logo(size: int) -> Image.Image:
    """The program's logo (static/logo.svg: blue shield, white 2×2 grid, yellow chat bubble) as an
    RGBA image ``size`` px square, with a thin white rim so that it reads on the blue header."""
    ss = 4  # supersampling: Pillow's primitives are not anti-aliased
    k = size * ss / 64
    img = Image.new("RGBA", (size * ss, size * ss), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)

    def sc(points):
        return [(x * k, y * k) for x, y in points]

    outer = _shield(4, 56, 12, 30, 60, 45, 55)
    rim = sc(outer)
    d.line(rim + rim[:2], fill=WHITE, width=round(5 * k), joint="curve")  # centred on the edge: 2.5 units outside
    d.polygon(rim, fill=POLICE_BLUE)
    inner_fill = tuple(round(c * 0.88 + 255 * 0.12) for c in POLICE_BLUE)  # white at 12 % opacity
    d.polygon(sc(_shield(9, 51, 15.5, 30, 54.5, 42, 50)), fill=inner_fill)
    line = round(2.2 * k)
    d.rounded_rectangle(sc([(19, 20), (45, 42)]), radius=2 * k, outline=WHITE, width=line)
    d.line(sc([(32, 20), (32, 42)]), fill=WHITE, width=line)
    d.line(sc([(19, 31), (45, 31)]), fill=WHITE, width=line)
    # The bubble: a rounded box with a tail, yellow with a blue outline drawn as a slightly
    # larger blue shape under the yellow one (Pillow cannot stroke a union of shapes).
    edge = 1.5
    tail = [(45, 47.5), (41, 52), (41, 47.5)]
    d.rounded_rectangle(sc([(35 - edge, 36 - edge), (53 + edge, 48 + edge)]), radius=(3 + edge) * k, fill=POLICE_BLUE)
    d.polygon(sc([(46.5, 47), (39.5, 55), (39.5, 47)]), fill=POLICE_BLUE)
    d.rounded_rectangle(sc([(35, 36), (53, 48)]), radius=3 * k, fill=SIGNAL_YELLOW)
    d.polygon(sc(tail), fill=SIGNAL_YELLOW)
    return img.resize((size, size), Image.Resampling.LANCZOS)


# --------------------------------------------------------------------------- layout

HEADER_H = 168
STRIPE_H = 8
BANNER_H = 104
TITLE_SIZE, TITLE_LH, TITLE_MAX_LINES = 58, 80, 3
BODY_SIZE, BODY_LH, PARA_GAP = 36, 60, 18
FIELD_SIZE, FIELD_LH, FIELD_PAD = 32, 50, 16
FIELD_VALUE_MAX_LINES, FIELD_LABEL_MAX_LINES, MAX_FIELDS = 4, 2, 12
PHOTO_GAP, PHOTO_AREA_MAX = 16, 900
QR_SIZE, QR_PAD = 288, 28
FOOTER_H = 196
SECTION_GAP = 40


@dataclass
class _Block:
    name: str
    height: int
    paint: Callable[[Image.Image, ImageDraw.ImageDraw, int], list[tuple[int, int, int, int]]]


def _open(data: bytes, what: str, index: int = 0) -> Image.Image:
    """The image, opened lazily: only its header is read, so the layout can use its size."""
    try:
        return Image.open(io.BytesIO(data))
    except (OSError, ValueError, Image.DecompressionBombError, SyntaxError):
        raise _bad(what, index) from None


def _bad(what: str, index: int) -> ValidationError:
    if what == "qr":
        return ValidationError("poster.error.bad_qr", field="qr_png")
    return ValidationError("poster.error.bad_photo", field="photos", index=index + 1)


_ROTATED = {5, 6, 7, 8}  # EXIF orientations that swap width and height


def _upright_size(img: Image.Image) -> tuple[int, int]:
    try:
        turned = img.getexif().get(0x0112) in _ROTATED
    except Exception:  # a broken EXIF block must not stop the poster; the decode below will tell
        turned = False
    return (img.height, img.width) if turned else img.size


def _load(img: Image.Image, box: tuple[int, int], what: str, index: int = 0) -> Image.Image:
    """Decode ``img`` upright, in RGB on white, scaled to fit ``box`` (aspect kept)."""
    try:
        w, h = _upright_size(img)
        scale = min(box[0] / w, box[1] / h)
        need = (max(1, round(w * scale)), max(1, round(h * scale)))
        if (w, h) != img.size:
            need = need[::-1]
        # JPEG: decode at 1/2, 1/4 or 1/8 scale when that still covers the box — a phone photo
        # decodes ~10x faster at the size a poster cell needs.
        img.draft("RGB", need)
        img = ImageOps.exif_transpose(img)
        if img.mode in ("RGBA", "LA", "P", "PA"):
            img = img.convert("RGBA")
            flat = Image.new("RGB", img.size, PAPER)
            flat.paste(img, mask=img.getchannel("A"))
            img = flat
        else:
            img = img.convert("RGB")
        return _fit_into(img, *box) if what == "photo" else img
    except (OSError, ValueError, Image.DecompressionBombError, SyntaxError):
        raise _bad(what, index) from None


def _photo_cells(sizes: list[tuple[int, int]]) -> tuple[list[tuple[int, int, int, int]], int]:
    """Cell boxes (relative to the block's top) for 1–4 photos, and the block's height.

    1 photo: full width; 2: side by side; 3: three in a row; 4: two by two. A row is as tall as
    its tallest photo at the cell width needs, capped so that portraits do not take the poster.
    """
    n = len(sizes)
    cols = {1: 1, 2: 2, 3: 3, 4: 2}[n]
    rows = (n + cols - 1) // cols
    cell_w = (CONTENT_WIDTH - (cols - 1) * PHOTO_GAP) // cols
    cap = min(round(cell_w * 4 / 3), (PHOTO_AREA_MAX - (rows - 1) * PHOTO_GAP) // rows)
    cells, y = [], 0
    for r in range(rows):
        row = sizes[r * cols:(r + 1) * cols]
        row_h = min(cap, max(round(cell_w * h / w) for w, h in row))
        # A short last row (3 photos never do, but keep it general) is centred.
        x0 = MARGIN + (CONTENT_WIDTH - (len(row) * cell_w + (len(row) - 1) * PHOTO_GAP)) // 2
        for c in range(len(row)):
            x = x0 + c * (cell_w + PHOTO_GAP)
            cells.append((x, y, x + cell_w, y + row_h))
        y += row_h + PHOTO_GAP
    return cells, y - PHOTO_GAP


def _fit_into(img: Image.Image, w: int, h: int) -> Image.Image:
    scale = min(w / img.width, h / img.height)
    size = (max(1, round(img.width * scale)), max(1, round(img.height * scale)))
    # reducing_gap: a cheap box reduction first, then Lanczos — fast and still sharp.
    return img.resize(size, Image.Resampling.LANCZOS, reducing_gap=2.0)


# Fonts are cached and shared, and a FreeType face is not safe to use from two threads at once;
# Streamlit serves each session in its own thread. A poster takes a fraction of a second: serialise.
_RENDER_LOCK = threading.Lock()


def render_poster_image(spec: PosterSpec) -> RenderedPoster:
    """Lay out and draw the poster; the image, the box of each part and whether text was cut.

    Raises :class:`ValidationError` for an unknown category, more than :data:`MAX_PHOTOS` photos
    or unreadable image bytes, and :class:`PortalError` when no CJK font is available.
    """
    with _RENDER_LOCK:
        return _render(spec)


def _render(spec: PosterSpec) -> RenderedPoster:
    tone = tone_for(spec.category)
    if len(spec.photos) > MAX_PHOTOS:
        raise ValidationError("poster.error.too_many_photos", field="photos", max=MAX_PHOTOS, count=len(spec.photos))
    lang = spec.lang
    truncated = False

    title_style = _style(TITLE_SIZE, INK, bold=True)
    body_style = _style(BODY_SIZE, BODY_INK)
    label_style = _style(FIELD_SIZE, INK, bold=True)
    value_style = _style(FIELD_SIZE, BODY_INK)

    blocks: list[_Block] = [_header_block(lang), _banner_block(spec.category_label, tone)]

    # Title: centred, at most three lines, balanced.
    title_w = CONTENT_WIDTH - 2 * TITLE_SIZE
    title_lines = balanced_wrap(spec.title.strip(), title_style.font, title_w, TITLE_MAX_LINES)
    title_lines, cut = fit_lines(title_lines, title_style.font, title_w, TITLE_MAX_LINES)
    truncated |= cut
    blocks.append(_title_block(title_lines, title_style, tone))

    # Photos come right under the title: a face or a car fragment is what a resident recognises first.
    photos = [_open(p, "photo", i) for i, p in enumerate(spec.photos)]
    if photos:
        blocks.append(_photo_block(photos))
    qr_block = _qr_block(spec, tone, _load(_open(spec.qr_png, "qr"), (QR_SIZE, QR_SIZE), "qr")) if spec.qr_png else None
    tail = ([qr_block] if qr_block else []) + [_footer_block(spec, lang)]

    # Body and fields share what the fixed parts leave of MAX_HEIGHT.
    fixed = sum(b.height for b in blocks) + sum(b.height for b in tail)
    room = MAX_HEIGHT - fixed
    body_lines = _body_lines(spec.body, body_style) if spec.body.strip() else []
    body_need = _body_height(body_lines)
    rows = _field_rows(spec.fields, label_style, value_style)
    more = max(0, len(spec.fields) - MAX_FIELDS)  # rows not shown, counted on the poster
    fields_need = _fields_height(rows, more)
    if body_need + fields_need > room:
        truncated = True
        # Keep the facts when there is room for them, but never squeeze the body below ~45 %.
        body_room = min(body_need, max(room - fields_need, int(room * 0.45)))
        while rows and _fields_height(rows, more) > room - body_room:
            rows.pop()
            more += 1
        fields_need = _fields_height(rows, more)
        body_lines = _cut_body(body_lines, body_style, room - fields_need)
    elif more:
        truncated = True
    truncated |= any(r[3] for r in rows)
    if body_lines:
        blocks.append(_body_block(body_lines, body_style))
    if rows or more:
        blocks.append(_fields_block(rows, more, label_style, value_style, tone, lang))
    blocks += tail

    height = sum(b.height for b in blocks)
    assert height <= MAX_HEIGHT, height  # the budget above guarantees it
    image = Image.new("RGB", (CANVAS_WIDTH, height), PAPER)
    draw = ImageDraw.Draw(image)
    boxes: dict[str, list[tuple[int, int, int, int]]] = {}
    y = 0
    for block in blocks:
        boxes[block.name] = block.paint(image, draw, y)
        y += block.height
    return RenderedPoster(image, boxes, truncated, {"title": title_lines, "body": [t for t, _ in body_lines]})


def render_poster(spec: PosterSpec) -> bytes:
    """The poster of ``spec`` as PNG bytes, 1080 px wide and at most :data:`MAX_HEIGHT` px tall."""
    return render_poster_image(spec).png()


def _whole(y: int, h: int) -> list[tuple[int, int, int, int]]:
    return [(0, y, CANVAS_WIDTH, y + h)]


def _header_block(lang: str) -> _Block:
    name_style = _style(56, WHITE, bold=True)
    tag_style = _style(28, (0xD4, 0xE0, 0xF5))
    logo_size = 124

    def paint(img, draw, y):
        draw.rectangle((0, y, CANVAS_WIDTH, y + HEADER_H), fill=POLICE_BLUE)
        logo = program_logo(logo_size)
        img.paste(logo, (MARGIN - 8, y + (HEADER_H - logo_size) // 2), logo)
        x = MARGIN - 8 + logo_size + 22
        _text(draw, (x, y + 66), _msg("poster.program_name", lang), name_style)
        _text(draw, (x, y + 120), _msg("poster.program_tagline", lang), tag_style)
        # A yellow stripe: the bubble's colour, tying the header to the logo.
        draw.rectangle((0, y + HEADER_H, CANVAS_WIDTH, y + HEADER_H + STRIPE_H), fill=SIGNAL_YELLOW)
        return _whole(y, HEADER_H + STRIPE_H)

    return _Block("header", HEADER_H + STRIPE_H, paint)


def _banner_block(label: str, tone: Tone) -> _Block:
    style = _style(48, WHITE, bold=True)
    label = ellipsize(label.strip(), style.font, CONTENT_WIDTH)
    # Short headings are letter-spaced, as on printed notices (寻 人 启 事).
    tracking = round(style.font.size * 0.3) if len(label) <= 6 else 0

    def paint(img, draw, y):
        draw.rectangle((0, y, CANVAS_WIDTH, y + BANNER_H), fill=tone.banner)
        widths = [style.length(ch) for ch in label]
        total = sum(widths) + tracking * max(0, len(label) - 1)
        x = (CANVAS_WIDTH - total) / 2
        if tracking:
            for ch, w in zip(label, widths, strict=True):
                _text(draw, (x, y + BANNER_H / 2), ch, style)
                x += w + tracking
        else:
            _text(draw, (x, y + BANNER_H / 2), label, style)
        return _whole(y, BANNER_H)

    return _Block("banner", BANNER_H, paint)


def _title_block(lines: list[str], style: _Style, tone: Tone) -> _Block:
    top, rule_gap, bottom = 44, 22, 36
    height = top + len(lines) * TITLE_LH + rule_gap + 6 + bottom

    def paint(img, draw, y):
        for i, line in enumerate(lines):
            _text(draw, (CANVAS_WIDTH / 2, y + top + i * TITLE_LH + TITLE_LH / 2), line, style, anchor="mm")
        ry = y + top + len(lines) * TITLE_LH + rule_gap
        draw.rectangle((CANVAS_WIDTH / 2 - 60, ry, CANVAS_WIDTH / 2 + 60, ry + 6), fill=tone.banner)
        return _whole(y, height)

    return _Block("title", height, paint)


def _body_lines(body: str, style: _Style) -> list[tuple[str, bool]]:
    """(line, starts a paragraph) for the body text."""
    out: list[tuple[str, bool]] = []
    for paragraph in body.strip("\n").rstrip().replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        lines = wrap_text(paragraph, style.font, CONTENT_WIDTH)
        out += [(line, i == 0) for i, line in enumerate(lines)]
    return out


def _body_height(lines: list[tuple[str, bool]]) -> int:
    if not lines:
        return 0
    gaps = sum(1 for _, first in lines[1:] if first)
    return len(lines) * BODY_LH + gaps * PARA_GAP + SECTION_GAP


def _cut_body(lines: list[tuple[str, bool]], style: _Style, room: int) -> list[tuple[str, bool]]:
    """The body lines that fit in ``room`` px, the last ending in "…" when any were dropped."""
    keep = len(lines)
    while keep and _body_height(lines[:keep]) > room:
        keep -= 1
    if keep == len(lines):
        return lines
    texts, _ = fit_lines([t for t, _ in lines], style.font, CONTENT_WIDTH, keep)
    return [(t, first) for t, (_, first) in zip(texts, lines, strict=False)]


def _body_block(lines: list[tuple[str, bool]], style: _Style) -> _Block:
    height = _body_height(lines)

    def paint(img, draw, y):
        top = y
        for i, (line, first) in enumerate(lines):
            if first and i:
                y += PARA_GAP  # a little air between paragraphs, less than a blank line
            _text(draw, (MARGIN, y + BODY_LH / 2), line, style)
            y += BODY_LH
        return [(MARGIN, top, MARGIN + CONTENT_WIDTH, y)]

    return _Block("body", height, paint)


LABEL_COL_MAX = 300


def _label_col(fields: list[tuple[str, str]], style: _Style) -> int:
    widest = max((style.length(str(label).strip()) for label, _ in fields), default=0)
    return int(min(LABEL_COL_MAX, max(160, widest + 2 * 22)))


def _field_rows(fields, label_style: _Style, value_style: _Style):
    """[(label lines, value lines, row height, cut)] for the first MAX_FIELDS fields."""
    shown = list(fields)[:MAX_FIELDS]
    if not shown:
        return []
    label_w = _label_col(shown, label_style) - 2 * 22
    value_w = CONTENT_WIDTH - _label_col(shown, label_style) - 2 * 22
    rows = []
    for label, value in shown:
        lab = wrap_text(str(label).strip(), label_style.font, label_w)
        lab, cut1 = fit_lines(lab, label_style.font, label_w, FIELD_LABEL_MAX_LINES)
        val = wrap_text(str(value).strip(), value_style.font, value_w)
        val, cut2 = fit_lines(val, value_style.font, value_w, FIELD_VALUE_MAX_LINES)
        n = max(len(lab), len(val), 1)
        rows.append((lab, val, n * FIELD_LH + 2 * FIELD_PAD, cut1 or cut2))
    return rows


def _fields_height(rows, more: int) -> int:
    if not rows and not more:
        return 0
    return sum(r[2] for r in rows) + (FIELD_LH + 2 * FIELD_PAD if more else 0) + SECTION_GAP


def _fields_block(rows, more: int, label_style: _Style, value_style: _Style, tone: Tone, lang: str) -> _Block:
    height = _fields_height(rows, more)
    # The label column is sized from the labels actually shown.
    label_col = _label_col([(" ".join(r[0]), "") for r in rows], label_style) if rows else 160
    note_style = _style(FIELD_SIZE - 4, MUTED)

    def paint(img, draw, y):
        x0, x1, xm = MARGIN, MARGIN + CONTENT_WIDTH, MARGIN + label_col
        top = y
        for lab, val, row_h, _ in rows:
            draw.rectangle((x0, y, xm, y + row_h), fill=tone.tint)
            for i, line in enumerate(lab):
                _text(draw, (x0 + 22, y + FIELD_PAD + i * FIELD_LH + FIELD_LH / 2), line, label_style)
            for i, line in enumerate(val):
                _text(draw, (xm + 22, y + FIELD_PAD + i * FIELD_LH + FIELD_LH / 2), line, value_style)
            draw.line((x0, y + row_h, x1, y + row_h), fill=RULE, width=2)
            y += row_h
        if more:
            row_h = FIELD_LH + 2 * FIELD_PAD
            _text(draw, (x0 + 22, y + row_h / 2), _msg("poster.more_fields", lang, count=more), note_style)
            y += row_h
        draw.rectangle((x0, top, x1, y), outline=RULE, width=2)
        if rows:
            draw.line((xm, top, xm, top + sum(r[2] for r in rows)), fill=RULE, width=2)
        return [(x0, top, x1, y)]

    return _Block("fields", height, paint)


def _photo_block(photos: list[Image.Image]) -> _Block:
    sizes = []
    for i, im in enumerate(photos):
        try:
            sizes.append(_upright_size(im))
        except (OSError, ValueError):
            raise _bad("photo", i) from None
    cells, area_h = _photo_cells(sizes)
    height = area_h + SECTION_GAP
    fitted = [_load(im, (c[2] - c[0], c[3] - c[1]), "photo", i) for i, (im, c) in enumerate(zip(photos, cells, strict=True))]

    def paint(img, draw, y):
        boxes = []
        for im, (cx0, cy0, cx1, cy1) in zip(fitted, cells, strict=True):
            box = (cx0, y + cy0, cx1, y + cy1)
            draw.rectangle(box, fill=(0xEE, 0xF1, 0xF5))  # letterbox behind photos of another shape
            px = cx0 + (cx1 - cx0 - im.width) // 2
            py = y + cy0 + (cy1 - cy0 - im.height) // 2
            img.paste(im, (px, py))
            draw.rectangle(box, outline=RULE, width=2)
            boxes.append(box)
        return boxes

    return _Block("photos", height, paint)


def _qr_block(spec: PosterSpec, tone: Tone, qr: Image.Image) -> _Block:
    caption_style = _style(46, tone.banner, bold=True)
    hint_style = _style(28, MUTED)
    panel_h = QR_SIZE + 2 * QR_PAD
    height = panel_h + SECTION_GAP
    # An integer upscale keeps the modules crisp; a larger code is scaled down (still NEAREST: no grey edges).
    factor = QR_SIZE // max(qr.width, qr.height)
    size = (qr.width * factor, qr.height * factor) if factor >= 1 else (QR_SIZE, QR_SIZE)
    code = qr.convert("L").resize(size, Image.Resampling.NEAREST)
    text_x = MARGIN + QR_PAD + QR_SIZE + 36
    text_w = MARGIN + CONTENT_WIDTH - QR_PAD - text_x
    caption = wrap_text(spec.qr_caption.strip(), caption_style.font, text_w)
    caption, _ = fit_lines(caption, caption_style.font, text_w, 2)
    hint = wrap_text(_msg("poster.qr.or_call", spec.lang, hotline=spec.hotline.strip() or "110"), hint_style.font, text_w)
    hint, _ = fit_lines(hint, hint_style.font, text_w, 3)

    def paint(img, draw, y):
        draw.rounded_rectangle((MARGIN, y, MARGIN + CONTENT_WIDTH, y + panel_h), radius=16,
                               fill=(0xF5, 0xF7, 0xFB), outline=RULE, width=2)
        qx = MARGIN + QR_PAD + (QR_SIZE - code.width) // 2
        qy = y + QR_PAD + (QR_SIZE - code.height) // 2
        draw.rectangle((MARGIN + QR_PAD, y + QR_PAD, MARGIN + QR_PAD + QR_SIZE, y + QR_PAD + QR_SIZE), fill=WHITE)
        img.paste(code, (qx, qy))
        block_h = len(caption) * 64 + 16 + len(hint) * 42
        ty = y + (panel_h - block_h) / 2
        for line in caption:
            _text(draw, (text_x, ty + 32), line, caption_style)
            ty += 64
        ty += 16
        for line in hint:
            _text(draw, (text_x, ty + 21), line, hint_style)
            ty += 42
        return [(qx, qy, qx + code.width, qy + code.height)]

    return _Block("qr", height, paint)


def _footer_block(spec: PosterSpec, lang: str) -> _Block:
    unit_style = _style(34, WHITE, bold=True)
    date_style = _style(28, (0xD4, 0xE0, 0xF5))
    hot_label_style = _style(26, (0xD4, 0xE0, 0xF5))
    hot_style = _style(72, SIGNAL_YELLOW, bold=True)
    hotline = ellipsize(spec.hotline.strip() or "110", hot_style.font, 300)
    hot_w = max(hot_style.length(hotline), hot_label_style.length(_msg("poster.footer.hotline", lang, hotline="")))
    left_w = CONTENT_WIDTH - hot_w - 40
    unit = ellipsize(_msg("poster.footer.unit", lang, unit=spec.issuing_unit.strip()), unit_style.font, left_w) \
        if spec.issuing_unit.strip() else ""
    date = ellipsize(_msg("poster.footer.date", lang, date=spec.date_text.strip()), date_style.font, left_w) \
        if spec.date_text.strip() else ""
    # The label reads "报警电话：" with the number set large beside it, not inline.
    hot_label = _msg("poster.footer.hotline", lang, hotline="").rstrip(" ：:")

    def paint(img, draw, y):
        draw.rectangle((0, y, CANVAS_WIDTH, y + STRIPE_H), fill=SIGNAL_YELLOW)
        draw.rectangle((0, y + STRIPE_H, CANVAS_WIDTH, y + FOOTER_H), fill=FOOTER_BLUE)
        mid = y + STRIPE_H + (FOOTER_H - STRIPE_H) / 2
        lines = [(unit, unit_style), (date, date_style)]
        lines = [(t, s) for t, s in lines if t]
        start = mid - (len(lines) - 1) * 28
        for i, (t, s) in enumerate(lines):
            _text(draw, (MARGIN, start + i * 56), t, s)
        right = MARGIN + CONTENT_WIDTH
        _text(draw, (right, mid - 40), hot_label, hot_label_style, anchor="rm")
        _text(draw, (right, mid + 20), hotline, hot_style, anchor="rm")
        return _whole(y, FOOTER_H)

    return _Block("footer", FOOTER_H, paint)

