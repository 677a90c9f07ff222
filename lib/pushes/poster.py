"""The poster image that clerks post into chat groups with a push.

One PNG, 1080 px wide (a phone screen at full resolution), as tall as its content needs
and never taller than :data:`MAX_HEIGHT`. From top to bottom:

- a police-blue header band with the program's logo (the shield, grid and chat bubble of
  static/logo.svg, :mod:`lib.pushes.logo`) and the program name;
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

This module lays the poster out and draws it. Fonts and line breaking are
:mod:`lib.pushes.text_layout` (a CJK font is required, see its ``find_cjk_font``; none is shipped in
the repository); reading and fitting the photos and the QR code is :mod:`lib.pushes.poster_images`.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from PIL import Image, ImageDraw

from lib.core.errors import ValidationError
from lib.i18n import i18n
from lib.pushes.logo import POLICE_BLUE, SIGNAL_YELLOW, program_logo
from lib.pushes.poster_images import bad_image, load_image, open_image, photo_cells, upright_size
from lib.pushes.text_layout import (
    TextStyle,
    balanced_wrap,
    draw_text,
    ellipsize,
    fit_lines,
    text_style,
    wrap_text,
)

CANVAS_WIDTH = 1080
MAX_HEIGHT = 3000
MAX_PHOTOS = 4
MARGIN = 60
CONTENT_WIDTH = CANVAS_WIDTH - 2 * MARGIN

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


# --------------------------------------------------------------------------- layout

HEADER_H = 168
STRIPE_H = 8
BANNER_H = 104
TITLE_SIZE, TITLE_LH, TITLE_MAX_LINES = 58, 80, 3
BODY_SIZE, BODY_LH, PARA_GAP = 36, 60, 18
FIELD_SIZE, FIELD_LH, FIELD_PAD = 32, 50, 16
FIELD_VALUE_MAX_LINES, FIELD_LABEL_MAX_LINES, MAX_FIELDS = 4, 2, 12
QR_SIZE, QR_PAD = 288, 28
FOOTER_H = 196
SECTION_GAP = 40


@dataclass
class _Block:
    name: str
    height: int
    paint: Callable[[Image.Image, ImageDraw.ImageDraw, int], list[tuple[int, int, int, int]]]


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

    title_style = text_style(TITLE_SIZE, INK, bold=True)
    body_style = text_style(BODY_SIZE, BODY_INK)
    label_style = text_style(FIELD_SIZE, INK, bold=True)
    value_style = text_style(FIELD_SIZE, BODY_INK)

    blocks: list[_Block] = [_header_block(lang), _banner_block(spec.category_label, tone)]

    # Title: centred, at most three lines, balanced.
    title_w = CONTENT_WIDTH - 2 * TITLE_SIZE
    title_lines = balanced_wrap(spec.title.strip(), title_style.font, title_w, TITLE_MAX_LINES)
    title_lines, cut = fit_lines(title_lines, title_style.font, title_w, TITLE_MAX_LINES)
    truncated |= cut
    blocks.append(_title_block(title_lines, title_style, tone))

    # Photos come right under the title: a face or a car fragment is what a resident recognises first.
    photos = [open_image(p, "photo", i) for i, p in enumerate(spec.photos)]
    if photos:
        blocks.append(_photo_block(photos))
    qr_block = _qr_block(spec, tone, load_image(open_image(spec.qr_png, "qr"), (QR_SIZE, QR_SIZE), "qr")) if spec.qr_png else None
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


# What a robot sends to every group, as raw JPEG bytes (base64 makes it a third larger: ≤ 150 kB as
# sent). A district push goes to 2,700 groups over one uplink: at 100 Mbps every 100 kB a poster
# saves is 22 s less (README, Performance; bench/delivery.py).
ROBOT_POSTER_MAX_BYTES = 110_000
ROBOT_POSTER_MIN_WIDTH = 720  # narrower, a phone's screen shows the text blurred


def robot_jpeg(png: bytes, max_bytes: int = ROBOT_POSTER_MAX_BYTES) -> bytes:
    """The poster as the group robots send it: a JPEG of at most ``max_bytes``. Full width (1080 px)
    at the best quality that fits, no chroma subsampling while it fits (letters on coloured bands keep
    sharp edges), then 4:2:0, then narrower down to :data:`ROBOT_POSTER_MIN_WIDTH` px."""
    with Image.open(io.BytesIO(png)) as img:
        image = img.convert("RGB")
    out = b""
    while True:
        smallest = image.width <= ROBOT_POSTER_MIN_WIDTH  # then lower qualities too: a photo full of grain
        for subsampling, qualities in ((0, (88, 80, 72)), (2, (80, 70, 62) + ((54, 46, 38) if smallest else ()))):
            for quality in qualities:
                buf = io.BytesIO()
                image.save(buf, "JPEG", quality=quality, subsampling=subsampling, optimize=True, progressive=True)
                out = buf.getvalue()
                if len(out) <= max_bytes:
                    return out
        if smallest:
            return out  # the smallest it gets: still far under WeCom's 2 MB
        width = max(ROBOT_POSTER_MIN_WIDTH, int(image.width * 0.85))
        image = image.resize((width, round(image.height * width / image.width)), Image.Resampling.LANCZOS)


def _whole(y: int, h: int) -> list[tuple[int, int, int, int]]:
    return [(0, y, CANVAS_WIDTH, y + h)]


def _header_block(lang: str) -> _Block:
    name_style = text_style(56, WHITE, bold=True)
    tag_style = text_style(28, (0xD4, 0xE0, 0xF5))
    logo_size = 124

    def paint(img, draw, y):
        draw.rectangle((0, y, CANVAS_WIDTH, y + HEADER_H), fill=POLICE_BLUE)
        logo = program_logo(logo_size)
        img.paste(logo, (MARGIN - 8, y + (HEADER_H - logo_size) // 2), logo)
        x = MARGIN - 8 + logo_size + 22
        draw_text(draw, (x, y + 66), _msg("poster.program_name", lang), name_style)
        draw_text(draw, (x, y + 120), _msg("poster.program_tagline", lang), tag_style)
        # A yellow stripe: the bubble's colour, tying the header to the logo.
        draw.rectangle((0, y + HEADER_H, CANVAS_WIDTH, y + HEADER_H + STRIPE_H), fill=SIGNAL_YELLOW)
        return _whole(y, HEADER_H + STRIPE_H)

    return _Block("header", HEADER_H + STRIPE_H, paint)


def _banner_block(label: str, tone: Tone) -> _Block:
    style = text_style(48, WHITE, bold=True)
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
                draw_text(draw, (x, y + BANNER_H / 2), ch, style)
                x += w + tracking
        else:
            draw_text(draw, (x, y + BANNER_H / 2), label, style)
        return _whole(y, BANNER_H)

    return _Block("banner", BANNER_H, paint)


def _title_block(lines: list[str], style: TextStyle, tone: Tone) -> _Block:
    top, rule_gap, bottom = 44, 22, 36
    height = top + len(lines) * TITLE_LH + rule_gap + 6 + bottom

    def paint(img, draw, y):
        for i, line in enumerate(lines):
            draw_text(draw, (CANVAS_WIDTH / 2, y + top + i * TITLE_LH + TITLE_LH / 2), line, style, anchor="mm")
        ry = y + top + len(lines) * TITLE_LH + rule_gap
        draw.rectangle((CANVAS_WIDTH / 2 - 60, ry, CANVAS_WIDTH / 2 + 60, ry + 6), fill=tone.banner)
        return _whole(y, height)

    return _Block("title", height, paint)


def _body_lines(body: str, style: TextStyle) -> list[tuple[str, bool]]:
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


def _cut_body(lines: list[tuple[str, bool]], style: TextStyle, room: int) -> list[tuple[str, bool]]:
    """The body lines that fit in ``room`` px, the last ending in "…" when any were dropped."""
    keep = len(lines)
    while keep and _body_height(lines[:keep]) > room:
        keep -= 1
    if keep == len(lines):
        return lines
    texts, _ = fit_lines([t for t, _ in lines], style.font, CONTENT_WIDTH, keep)
    return [(t, first) for t, (_, first) in zip(texts, lines, strict=False)]


def _body_block(lines: list[tuple[str, bool]], style: TextStyle) -> _Block:
    height = _body_height(lines)

    def paint(img, draw, y):
        top = y
        for i, (line, first) in enumerate(lines):
            if first and i:
                y += PARA_GAP  # a little air between paragraphs, less than a blank line
            draw_text(draw, (MARGIN, y + BODY_LH / 2), line, style)
            y += BODY_LH
        return [(MARGIN, top, MARGIN + CONTENT_WIDTH, y)]

    return _Block("body", height, paint)


LABEL_COL_MAX = 300


def _label_col(fields: list[tuple[str, str]], style: TextStyle) -> int:
    widest = max((style.length(str(label).strip()) for label, _ in fields), default=0)
    return int(min(LABEL_COL_MAX, max(160, widest + 2 * 22)))


def _field_rows(fields, label_style: TextStyle, value_style: TextStyle):
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


def _fields_block(rows, more: int, label_style: TextStyle, value_style: TextStyle, tone: Tone, lang: str) -> _Block:
    height = _fields_height(rows, more)
    # The label column is sized from the labels actually shown.
    label_col = _label_col([(" ".join(r[0]), "") for r in rows], label_style) if rows else 160
    note_style = text_style(FIELD_SIZE - 4, MUTED)

    def paint(img, draw, y):
        x0, x1, xm = MARGIN, MARGIN + CONTENT_WIDTH, MARGIN + label_col
        top = y
        for lab, val, row_h, _ in rows:
            draw.rectangle((x0, y, xm, y + row_h), fill=tone.tint)
            for i, line in enumerate(lab):
                draw_text(draw, (x0 + 22, y + FIELD_PAD + i * FIELD_LH + FIELD_LH / 2), line, label_style)
            for i, line in enumerate(val):
                draw_text(draw, (xm + 22, y + FIELD_PAD + i * FIELD_LH + FIELD_LH / 2), line, value_style)
            draw.line((x0, y + row_h, x1, y + row_h), fill=RULE, width=2)
            y += row_h
        if more:
            row_h = FIELD_LH + 2 * FIELD_PAD
            draw_text(draw, (x0 + 22, y + row_h / 2), _msg("poster.more_fields", lang, count=more), note_style)
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
            sizes.append(upright_size(im))
        except (OSError, ValueError):
            raise bad_image("photo", i) from None
    cells, area_h = photo_cells(sizes, MARGIN, CONTENT_WIDTH)
    height = area_h + SECTION_GAP
    fitted = [load_image(im, (c[2] - c[0], c[3] - c[1]), "photo", i) for i, (im, c) in enumerate(zip(photos, cells, strict=True))]

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
    caption_style = text_style(46, tone.banner, bold=True)
    hint_style = text_style(28, MUTED)
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
            draw_text(draw, (text_x, ty + 32), line, caption_style)
            ty += 64
        ty += 16
        for line in hint:
            draw_text(draw, (text_x, ty + 21), line, hint_style)
            ty += 42
        return [(qx, qy, qx + code.width, qy + code.height)]

    return _Block("qr", height, paint)


def _footer_block(spec: PosterSpec, lang: str) -> _Block:
    unit_style = text_style(34, WHITE, bold=True)
    date_style = text_style(28, (0xD4, 0xE0, 0xF5))
    hot_label_style = text_style(26, (0xD4, 0xE0, 0xF5))
    hot_style = text_style(72, SIGNAL_YELLOW, bold=True)
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
            draw_text(draw, (MARGIN, start + i * 56), t, s)
        right = MARGIN + CONTENT_WIDTH
        draw_text(draw, (right, mid - 40), hot_label, hot_label_style, anchor="rm")
        draw_text(draw, (right, mid + 20), hotline, hot_style, anchor="rm")
        return _whole(y, FOOTER_H)

    return _Block("footer", FOOTER_H, paint)

