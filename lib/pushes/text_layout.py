"""Setting Chinese text with Pillow: finding a CJK font, text styles, and line breaking.

Generic text layout, with no knowledge of pushes; the poster (:mod:`lib.pushes.poster`) and the
tracking card (:mod:`lib.tips.tracking_card`) draw with it.

- Fonts: :func:`find_cjk_font` picks a font that really draws Chinese (``$PORTAL_CJK_FONT``, else a
  font under data/fonts/, else a system font); none is shipped in the repository. :func:`load_font`
  opens it at a size, cached. A :class:`TextStyle` is a font, a colour and the stroke that fakes bold
  when the font has no bold face (:func:`text_style`, :func:`draw_text`).
- Line breaking: :func:`wrap_text` breaks Chinese between any two characters and keeps Latin words
  whole, following the Chinese rules (禁则) on :data:`CLOSING` and :data:`OPENING` punctuation;
  :func:`balanced_wrap` evens out the lines of a centred title; :func:`ellipsize` and
  :func:`fit_lines` cut what does not fit with "…".

The font errors keep their catalog keys ``poster.error.no_font`` and ``poster.error.font_unusable``
(lib/i18n/messages/poster.py): the poster is where a missing font shows first.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from PIL import Image, ImageDraw, ImageFont

from lib.core.errors import PortalError

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
class TextStyle:
    """How a piece of text is drawn: the font, the colour and the stroke that fakes bold (0: none)."""

    font: ImageFont.FreeTypeFont
    fill: tuple[int, int, int]
    stroke: int = 0  # fake bold

    def length(self, text: str) -> float:
        """The drawn width of ``text`` in px, the fake-bold stroke included."""
        return self.font.getlength(text) + (2 * self.stroke if text else 0)


def text_style(size: int, fill, *, bold: bool = False) -> TextStyle:
    """The CJK font (:func:`find_cjk_font`) at ``size`` px in ``fill``; bold is faked with a stroke of
    ``size // 36`` px (at least 1) when the font has no bold face."""
    face = find_cjk_font(bold)
    stroke = max(1, size // 36) if bold and face.fake_bold else 0
    return TextStyle(load_font(face, size), fill, stroke)


def draw_text(draw: ImageDraw.ImageDraw, xy, text: str, style: TextStyle, anchor: str = "lm") -> None:
    """Draw ``text`` at ``xy`` (Pillow's ``anchor``, default left-middle) in ``style``."""
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
