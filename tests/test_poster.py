"""The poster image (lib/pushes/poster.py; its fonts and line breaking in text_layout.py, its photos in
poster_images.py, its logo in logo.py) and the QR code to the tip form (lib/pushes/qr.py)."""

from __future__ import annotations

import io
import math
import os
import re

import pytest
import qrcode
from hypothesis import example, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageChops, ImageDraw, ImageFont

from lib.core import taxonomy
from lib.core.errors import PortalError, ValidationError
from lib.i18n.messages import poster as poster_messages
from lib.pushes import logo, poster, poster_images, qr, text_layout
from lib.pushes.poster import PosterSpec, render_poster, render_poster_image
from lib.pushes.text_layout import CLOSING, ELLIPSIS, OPENING, fit_lines, wrap_text

LATIN_ONLY_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


# --------------------------------------------------------------------------- helpers

def _jpeg(w: int, h: int, color=(200, 40, 40)) -> bytes:
    img = Image.new("RGB", (w, h), color)
    ImageDraw.Draw(img).rectangle((w // 4, h // 4, 3 * w // 4, 3 * h // 4), fill=(20, 120, 60))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=90)
    return buf.getvalue()


def _png(w: int, h: int, color) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (w, h), color).save(buf, "PNG")
    return buf.getvalue()


def _spec(**kw) -> PosterSpec:
    base = dict(
        category="appeal", category_label="寻人启事", title="紧急寻人：三星镇78岁老人走失",
        body="2026年11月27日18时30分许，张某某（男，78岁）从三星镇叠石桥家纺城东门附近走失。\n请见到者拨打110。",
        fields=[("走失时间", "11月27日 18:30"), ("走失地点", "三星镇叠石桥家纺城东门")],
        photos=[], qr_png=None, issuing_unit="海门区公安局三星派出所", date_text="2026年11月28日",
    )
    base.update(kw)
    return PosterSpec(**base)


class FixedFont:
    """A stand-in for a font: every CJK character or mark 10 px wide, Latin letters, digits and spaces 5 px."""

    def getlength(self, text: str) -> float:
        return sum(5 if ord(ch) < 0x2000 else 10 for ch in text)


FIXED = FixedFont()


@pytest.fixture(autouse=True)
def _fresh_font_lookup():
    text_layout._find.cache_clear()
    yield
    text_layout._find.cache_clear()


# --------------------------------------------------------------------------- QR

def test_tip_url_builds_the_public_form_address():
    assert qr.tip_url("https://portal.example", 12) == "https://portal.example/tip?push=12"
    assert qr.tip_url("https://portal.example/", 12, 7) == "https://portal.example/tip?push=12&grid=7"
    assert qr.tip_url("http://10.1.2.3:8501/portal/", 5) == "http://10.1.2.3:8501/portal/tip?push=5"


@pytest.mark.parametrize("base", ["", "portal.example", "ftp://portal.example", "javascript:alert(1)",
                                  "https://", "https://portal.example/?a=1", "https://portal.example/#x",
                                  "https://portal .example"])
def test_tip_url_refuses_a_base_that_is_not_http(base):
    with pytest.raises(ValidationError) as err:
        qr.tip_url(base, 1)
    assert err.value.key == "qr.error.base_url"


@pytest.mark.parametrize("push_id,grid_id", [(0, None), (-3, None), (True, None), ("12", None), (1, 0), (1, "7")])
def test_tip_url_refuses_ids_that_are_not_positive_integers(push_id, grid_id):
    with pytest.raises(ValidationError):
        qr.tip_url("https://portal.example", push_id, grid_id)


def test_qr_png_is_a_square_image_of_the_expected_version():
    url = qr.tip_url("https://portal.example", 12, 7)  # 41 bytes: version 3 holds 42 at level M
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    code.add_data(url)
    code.make(fit=True)
    assert code.version == 3
    matrix = code.get_matrix()
    assert len(matrix) == 21 + 4 * (3 - 1) + 2 * 2  # modules of version 3 plus the border

    img = Image.open(io.BytesIO(qr.qr_png(url)))
    assert img.format == "PNG"
    assert img.size == (len(matrix) * 8, len(matrix) * 8)
    # The PNG carries exactly that matrix: one box of 8 px per module.
    gray = img.convert("L")
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            assert (gray.getpixel((c * 8 + 4, r * 8 + 4)) < 128) == dark
    assert qr.qr_code(url).get_matrix() == matrix


def test_qr_png_honours_box_size_and_border_and_differs_per_push():
    url_a = qr.tip_url("https://portal.example", 12)
    url_b = qr.tip_url("https://portal.example", 13)
    assert qr.qr_code(url_a).get_matrix() != qr.qr_code(url_b).get_matrix()
    img = Image.open(io.BytesIO(qr.qr_png(url_a, box_size=4, border=4)))
    n = qr.qr_code(url_a).version * 4 + 17
    assert img.size == ((n + 8) * 4, (n + 8) * 4)
    assert qr.qr_png(url_a) != qr.qr_png(url_b)
    with pytest.raises(ValidationError):
        qr.qr_png(url_a, box_size=0)
    with pytest.raises(ValidationError):
        qr.qr_png("")


# --------------------------------------------------------------------------- fonts

def test_the_chosen_font_draws_chinese_not_tofu():
    font = text_layout.load_font(text_layout.find_cjk_font(), 48)
    ink = text_layout.glyph_ink(font, "警")
    assert any(ink), "the glyph is blank"
    assert ink != text_layout.glyph_ink(font, "\ue000"), "the glyph is the font's .notdef box (tofu)"
    bold = text_layout.load_font(text_layout.find_cjk_font(bold=True), 48)
    assert text_layout.has_cjk_glyphs(bold)


@pytest.mark.skipif(not os.path.isfile(LATIN_ONLY_FONT), reason="DejaVu is not installed")
def test_the_tofu_check_catches_a_latin_only_font(monkeypatch):
    latin = ImageFont.truetype(LATIN_ONLY_FONT, 48)
    assert not text_layout.has_cjk_glyphs(latin)
    monkeypatch.setenv("PORTAL_CJK_FONT", LATIN_ONLY_FONT)
    with pytest.raises(PortalError) as err:
        text_layout.find_cjk_font()
    assert err.value.key == "poster.error.font_unusable"


def test_no_cjk_font_gives_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.delenv("PORTAL_CJK_FONT", raising=False)
    monkeypatch.setattr(text_layout, "FONT_DIR", tmp_path)
    monkeypatch.setattr(text_layout, "SYSTEM_FONTS", [(str(tmp_path / "missing.ttc"), None)])
    with pytest.raises(PortalError) as err:
        text_layout.find_cjk_font()
    assert err.value.key == "poster.error.no_font"
    with pytest.raises(PortalError):
        render_poster(_spec())


def test_the_env_setting_wins_and_a_missing_file_is_an_error(monkeypatch):
    chosen = text_layout.find_cjk_font()
    monkeypatch.setenv("PORTAL_CJK_FONT", chosen.path)
    assert text_layout.find_cjk_font().path == chosen.path
    text_layout._find.cache_clear()
    monkeypatch.setenv("PORTAL_CJK_FONT", "/nonexistent/font.ttf")
    with pytest.raises(PortalError) as err:
        text_layout.find_cjk_font()
    assert err.value.params["path"] == "/nonexistent/font.ttf"


# --------------------------------------------------------------------------- line breaking

def test_cjk_breaks_per_character():
    assert wrap_text("一二三四五六七八九十", FIXED, 45) == ["一二三四", "五六七八", "九十"]


def test_latin_words_stay_together():
    lines = wrap_text("请拨打 hotline 96110 or visit example.gov.cn today", FIXED, 80)
    words = "hotline 96110 or visit example.gov.cn today".split()
    for word in words:
        assert any(word in line for line in lines), (word, lines)
    assert all(not line.startswith(" ") and not line.endswith(" ") for line in lines)
    assert all(FIXED.getlength(line) <= 80 for line in lines)


def test_a_word_wider_than_a_line_is_broken():
    lines = wrap_text("x" * 30, FIXED, 50)
    assert lines == ["x" * 10, "x" * 10, "x" * 10]


def test_closing_punctuation_hangs_instead_of_starting_a_line():
    # "，" would start line 2 at width 40: it hangs at the end of line 1 instead.
    assert wrap_text("一二三四，五六", FIXED, 40) == ["一二三四，", "五六"]


def test_closing_punctuation_takes_a_character_down_when_it_cannot_hang():
    # Two marks do not fit in a hang of one: the last character goes down with them.
    lines = wrap_text("一二三四。」五六", FIXED, 40, hang=10)
    assert lines == ["一二三", "四。」五", "六"]
    assert not any(line[0] in CLOSING for line in lines)


def test_opening_bracket_never_ends_a_line():
    lines = wrap_text("一二三（四五）", FIXED, 40)
    assert lines == ["一二三", "（四五）"]


def test_explicit_newlines_are_kept():
    assert wrap_text("第一段\n\n第三段\r\n末", FIXED, 100) == ["第一段", "", "第三段", "末"]
    assert wrap_text("", FIXED, 100) == [""]


def test_wrapping_with_the_real_font_keeps_lines_within_the_width():
    font = text_layout.load_font(text_layout.find_cjk_font(), 36)
    text = "天气转凉，电信网络诈骗分子又换了新花样：冒充“客服”、“公检法”，以退款、理赔为名，诱骗您转账。Call 96110!"
    lines = wrap_text(text, font, 400)
    assert "".join(lines) == text
    assert all(font.getlength(line) <= 400 + font.getlength("，") for line in lines)
    assert not any(line[:1] in CLOSING for line in lines)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="一二三四五六七八九十警民群，。、；：！？）」』》“（「《 abcXYZ019.:\n", max_size=120),
       st.integers(min_value=30, max_value=200))
@example("0《 《0", 30)  # spaces and opening brackets alternating at a break (found by hypothesis)
def test_line_breaking_rules_hold_for_any_text(text, width):
    lines = wrap_text(text, FIXED, width)
    # Nothing is lost but the spaces at breaks, and every explicit newline is kept.
    assert re.sub(r"[ \n]", "", "".join(lines)) == re.sub(r"[ \n]", "", text)
    assert len(lines) >= text.count("\n") + 1
    for paragraph in text.split("\n"):
        para_lines = wrap_text(paragraph, FIXED, width)
        for line in para_lines[1:]:
            assert line[:1] not in CLOSING, para_lines
            assert not line.startswith(" "), para_lines
        for line in para_lines[:-1]:  # the paragraph's own end may be anything
            assert len(line) < 2 or line[-1] not in OPENING or all(ch in OPENING for ch in line), para_lines


def test_no_line_starts_with_a_closing_mark_after_a_break():
    text = "群众" * 7 + "。" + "警民" * 9 + "，" + "网格" * 5 + "！？"
    for width in range(30, 200, 7):
        lines = wrap_text(text, FIXED, width)
        assert not any(line[:1] in CLOSING for line in lines[1:]), (width, lines)


def test_fit_lines_cuts_with_an_ellipsis():
    lines = wrap_text("一二三四五六七八九十" * 3, FIXED, 50)
    kept, cut = fit_lines(lines, FIXED, 50, 2)
    assert cut and len(kept) == 2 and kept[-1].endswith(ELLIPSIS)
    assert FIXED.getlength(kept[-1]) <= 50
    assert fit_lines(lines, FIXED, 50, 10) == (lines, False)


# --------------------------------------------------------------------------- the poster

def _open(data: bytes) -> Image.Image:
    img = Image.open(io.BytesIO(data))
    assert img.format == "PNG"
    return img.convert("RGB")


def test_poster_is_a_phone_width_png_within_the_height_limit():
    img = _open(render_poster(_spec(photos=[_jpeg(1200, 900), _jpeg(900, 1200)], qr_png=qr.qr_png(
        qr.tip_url("https://portal.example", 12, 7)))))
    assert img.width == 1080
    assert 800 < img.height <= poster.MAX_HEIGHT


def test_poster_works_with_no_photos_and_no_qr():
    result = render_poster_image(_spec(body="", fields=[]))
    assert result.image.width == 1080
    assert "photos" not in result.boxes and "qr" not in result.boxes
    assert not result.truncated
    assert result.image.height < 1000  # grows with content: a bare notice is short


def test_the_title_is_drawn_in_chinese_glyphs():
    # Two titles differing in one character give different pixels in the title box:
    # with tofu both would draw the same .notdef box.
    a = render_poster_image(_spec(title="寻人"))
    b = render_poster_image(_spec(title="寻找"))
    box = a.boxes["title"][0]
    assert a.image.crop(box).tobytes() != b.image.crop(box).tobytes()


def test_long_text_is_truncated_with_an_ellipsis_and_stays_within_max_height():
    body = ("电信网络诈骗分子冒充客服，以退款为名诱骗转账。" * 20 + "\n") * 30
    fields = [(f"要点{i}", "凡是要求先垫付资金的刷单都是诈骗。" * 8) for i in range(20)]
    result = render_poster_image(_spec(title="警惕刷单返利骗局！" * 10, body=body, fields=fields,
                                       photos=[_jpeg(800, 1200)] * 4, qr_png=qr.qr_png("https://p.example/tip?push=1")))
    assert result.truncated
    assert result.image.height <= poster.MAX_HEIGHT
    assert result.image.width == 1080
    # The cut texts end in an ellipsis.
    assert len(result.lines["title"]) == poster.TITLE_MAX_LINES and result.lines["title"][-1].endswith(ELLIPSIS)
    assert 3 < len(result.lines["body"]) < 40 and result.lines["body"][-1].endswith(ELLIPSIS)
    assert all(not line.endswith(ELLIPSIS) for line in result.lines["body"][:-1])
    # Text that fits is not cut.
    short = render_poster_image(_spec())
    assert not short.truncated and not any(ELLIPSIS in line for line in short.lines["body"])


def test_photos_are_scaled_into_a_grid_keeping_their_aspect():
    red = (220, 30, 30)
    result = render_poster_image(_spec(photos=[_png(4000, 2000, red), _png(300, 600, red),
                                               _png(640, 480, red), _png(500, 500, red)]))
    boxes = result.boxes["photos"]
    assert len(boxes) == 4
    # Two by two, inside the margins, not overlapping.
    xs = sorted({b[0] for b in boxes})
    assert len(xs) == 2 and all(b[0] >= poster.MARGIN and b[2] <= 1080 - poster.MARGIN for b in boxes)
    img = result.image
    for box in boxes:
        cell = img.crop(box)
        # The photo is there: plenty of non-white pixels in each cell.
        assert sum(1 for p in cell.get_flattened_data() if p != (255, 255, 255)) > cell.width * cell.height * 0.5
    # The 2:1 photo keeps its aspect: its red region (on the grey letterbox) is twice as wide as tall.
    r, g, _ = img.crop(boxes[0]).split()
    red = ImageChops.multiply(r.point(lambda v: 255 if v > 180 else 0), g.point(lambda v: 255 if v < 80 else 0))
    left, top, right, bottom = red.getbbox()
    assert abs((right - left) / (bottom - top) - 2.0) < 0.05
    # ... and the 1:2 one is twice as tall as wide.
    r, g, _ = img.crop(boxes[1]).split()
    red = ImageChops.multiply(r.point(lambda v: 255 if v > 180 else 0), g.point(lambda v: 255 if v < 80 else 0))
    left, top, right, bottom = red.getbbox()
    assert abs((bottom - top) / (right - left) - 2.0) < 0.05


def test_a_bad_photo_or_too_many_photos_is_refused_clearly():
    with pytest.raises(ValidationError) as err:
        render_poster(_spec(photos=[_jpeg(100, 100), b"not an image"]))
    assert err.value.key == "poster.error.bad_photo" and err.value.params["index"] == 2
    with pytest.raises(ValidationError) as err:
        render_poster(_spec(photos=[_jpeg(100, 100)] * 5))
    assert err.value.key == "poster.error.too_many_photos"
    with pytest.raises(ValidationError) as err:
        render_poster(_spec(qr_png=b"\x89PNG broken"))
    assert err.value.key == "poster.error.bad_qr"
    with pytest.raises(ValidationError) as err:
        render_poster(_spec(category="gossip"))
    assert err.value.key == "poster.error.category"


def _banner_colour(result) -> tuple[int, int, int]:
    x0, y0, x1, y1 = result.boxes["banner"][0]
    return result.image.getpixel((x0 + 8, (y0 + y1) // 2))


def test_banner_colour_depends_on_the_category():
    appeal = _banner_colour(render_poster_image(_spec(category="appeal")))
    news = _banner_colour(render_poster_image(_spec(category="news", category_label="新闻播报")))
    fraud = _banner_colour(render_poster_image(_spec(category="anti_fraud", category_label="反诈妙招")))
    assert appeal == poster.PALETTE["appeal"].banner
    assert news == poster.PALETTE["news"].banner
    assert len({appeal, news, fraud}) == 3
    assert appeal[0] > appeal[2] and news[2] > news[0]  # red versus blue


def _luminance(rgb) -> float:
    def lin(c):
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (lin(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_palette_covers_every_category_and_reads_in_white():
    for code in taxonomy.codes("push_categories") + taxonomy.codes("appeal_kinds"):
        tone = poster.tone_for(code)
        contrast = 1.05 / (_luminance(tone.banner) + 0.05)
        assert contrast >= 4.5, (code, contrast)
    urgent = {c for c, t in poster.PALETTE.items() if t.urgent}
    assert urgent == {"appeal", "wanted", "case_appeal", "missing_person"}


def test_the_qr_code_appears_on_the_poster():
    code = qr.qr_png(qr.tip_url("https://portal.example", 12, 7))
    result = render_poster_image(_spec(qr_png=code))
    (x0, y0, x1, y1) = result.boxes["qr"][0]
    assert x1 - x0 == y1 - y0 >= 200
    box = result.image.crop((x0, y0, x1, y1)).convert("L")
    values = list(box.get_flattened_data())
    dark = sum(1 for v in values if v < 60) / len(values)
    assert 0.2 < dark < 0.8  # both dark modules and light ones
    # Crisp modules: no grey from scaling.
    assert all(v < 60 or v > 200 for v in values)
    # The finder pattern corner: dark at the top-left module after the quiet zone.
    scale = box.width // Image.open(io.BytesIO(code)).width
    assert box.getpixel((2 * 8 * scale + 2, 2 * 8 * scale + 2)) < 60
    assert box.getpixel((2, 2)) > 200


def test_header_carries_the_logo_and_the_footer_the_hotline():
    result = render_poster_image(_spec(hotline="110"))
    header = result.image.crop(result.boxes["header"][0])
    colours = set(header.get_flattened_data())
    assert logo.POLICE_BLUE in colours
    assert any(r > 220 and 150 < g < 210 and b < 60 for r, g, b in colours)  # the yellow bubble / stripe
    footer = result.image.crop(result.boxes["footer"][0])
    assert sum(1 for p in footer.get_flattened_data() if p == logo.SIGNAL_YELLOW) > 500  # the big yellow 110


def test_english_poster_renders():
    result = render_poster_image(_spec(lang="en", issuing_unit="Sanxing Police Station"))
    assert result.image.width == 1080


def test_poster_messages_exist_in_both_languages_with_matching_placeholders():
    # The poster's keys are used by the poster, its images, the font lookup (no font) and the QR code.
    source = "".join(open(module.__file__, encoding="utf-8").read()
                     for module in (poster, poster_images, text_layout, qr))
    used = set(re.findall(r"""["']((?:poster|qr)\.[a-z0-9_.]+)["']""", source))
    assert used and used <= set(poster_messages.MESSAGES)
    for key, (zh, en) in poster_messages.MESSAGES.items():
        assert zh.strip() and en.strip(), key
        assert set(re.findall(r"{(\w+)}", zh)) == set(re.findall(r"{(\w+)}", en)), key


def test_the_robots_poster_is_a_sharp_jpeg_within_its_budget():
    """An appeal's poster with a photo (the heaviest): what 2,700 robots each send (README, Performance)."""
    from lib.pushes.poster import ROBOT_POSTER_MAX_BYTES, ROBOT_POSTER_MIN_WIDTH, robot_jpeg

    rng = __import__("random").Random(7)
    photo = Image.new("RGB", (1200, 900))
    photo.putdata([(rng.randrange(256), rng.randrange(256), rng.randrange(256)) for _ in range(1200 * 900)])
    buf = io.BytesIO()
    photo.save(buf, "JPEG", quality=92)  # noise: a photo that compresses as badly as any
    png = render_poster(_spec(photos=[buf.getvalue()]))
    jpeg = robot_jpeg(png)
    assert jpeg[:3] == b"\xff\xd8\xff" and len(jpeg) <= ROBOT_POSTER_MAX_BYTES < len(png)
    with Image.open(io.BytesIO(png)) as original, Image.open(io.BytesIO(jpeg)) as sent:
        assert sent.width >= ROBOT_POSTER_MIN_WIDTH and sent.width / sent.height == pytest.approx(
            original.width / original.height, rel=0.01)
        # The header and title (text on colour, no photo) compared at the size sent: PSNR ≥ 30 dB.
        box = (0, 0, sent.width, int(sent.height * 0.25))
        a = original.convert("RGB").resize(sent.size).crop(box)
        b = sent.convert("RGB").crop(box)
        diff = sum((x - y) ** 2 for pa, pb in zip(a.get_flattened_data(), b.get_flattened_data(), strict=True)
                   for x, y in zip(pa, pb, strict=True)) / (a.width * a.height * 3)
        assert 10 * math.log10(255 ** 2 / max(diff, 1e-9)) >= 30
