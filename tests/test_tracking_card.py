"""The tracking card (lib/tips/tracking_card.py): a PNG of sane size whose QR code is the tracker's link,
module for module, with the code drawn in it, and the tracker's link built from the public address."""

import io

import pytest
from PIL import Image

from lib.core.errors import PortalError
from lib.pushes import qr, text_layout
from lib.tips import tips, tracking_card

UNIT = "海门公安 · 三星派出所"
DATE = "2026-11-28 18:30"

try:
    text_layout.find_cjk_font()
    HAS_FONT = True
except PortalError:
    HAS_FONT = False

needs_font = pytest.mark.skipif(not HAS_FONT, reason="no CJK font on this machine (see lib/pushes/text_layout.py)")


def card(code="ABCDE23456", url="https://portal.example/track?code=ABCDE-23456", **over):
    values = dict(unit=UNIT, date_text=DATE, url=url)
    values.update(over)
    return tracking_card.render_card(code, **values)


def image(made) -> Image.Image:
    return Image.open(io.BytesIO(made.png))


@needs_font
def test_the_card_is_a_png_of_a_phone_pictures_size():
    made = card()
    img = image(made)
    assert img.format == "PNG" and img.mode == "RGB"
    assert img.size == (tracking_card.WIDTH, made.height) == (720, made.height)
    assert 700 <= made.height <= 1400  # one phone screen or so, never a scroll of a picture
    assert len(made.png) < 200_000  # light enough for a slow network


@needs_font
def test_the_qr_code_is_the_trackers_link_module_for_module():
    url = "https://portal.example/track?code=ABCDE-23456"
    made = card(url=url)
    left, top, right, bottom = made.qr_box
    matrix = qr.qr_code(url, box_size=1, border=2).get_matrix()
    n = len(matrix)
    assert right - left == bottom - top and (right - left) % n == 0
    box = (right - left) // n
    assert box * n >= 200  # big enough to scan from a phone's screen
    pixels = image(made).convert("L")
    read = [[pixels.getpixel((left + x * box + box // 2, top + y * box + box // 2)) < 128 for x in range(n)]
            for y in range(n)]
    assert read == matrix
    other = card(url="https://portal.example/track?code=ZZZZZ-22222")
    assert image(other).crop(other.qr_box).tobytes() != image(made).crop(made.qr_box).tobytes()


@needs_font
def test_the_code_is_drawn_inside_its_box_and_nowhere_else_differs():
    first, second = card("ABCDE23456", url=None), card("HJKMN78999", url=None)
    assert first.height == second.height and first.code_box == second.code_box
    a, b = image(first), image(second)
    changed = Image.frombytes("L", a.size, bytes(int(x != y) * 255 for x, y in zip(
        a.convert("L").tobytes(), b.convert("L").tobytes(), strict=True))).getbbox()
    assert changed is not None  # the two codes are drawn differently …
    left, top, right, bottom = first.code_box
    assert left <= changed[0] and top <= changed[1] and changed[2] <= right and changed[3] <= bottom  # … there only
    assert first.qr_box is None


@needs_font
def test_the_code_is_shown_in_any_spelling_as_the_tracker_reads_it():
    assert image(card("abcde-23456", url=None)).tobytes() == image(card("ABCDE23456", url=None)).tobytes()


@needs_font
def test_a_long_unit_name_and_english_still_fit():
    made = card(unit="海门公安 · 海门经济技术开发区派出所警务工作站联络室", lang="en")
    assert image(made).width == tracking_card.WIDTH


def test_track_url_prefers_the_public_address(monkeypatch):
    monkeypatch.delenv(tracking_card.BASE_URL_ENV, raising=False)
    assert tracking_card.track_url("abcde23456", "http://127.0.0.1:8501") == \
        "http://127.0.0.1:8501/track?code=ABCDE-23456"
    monkeypatch.setenv(tracking_card.BASE_URL_ENV, "https://portal.example/haimen/")
    assert tracking_card.track_url("ABCDE-23456", "http://127.0.0.1:8501") == \
        "https://portal.example/haimen/track?code=ABCDE-23456"


@pytest.mark.parametrize("base", [None, "", "portal.example", "ftp://portal.example", "https://portal.example/?a=1",
                                  "https://portal.example/#x", "https://por tal.example", "javascript:alert(1)"])
def test_track_url_is_none_without_a_usable_address(monkeypatch, base):
    monkeypatch.delenv(tracking_card.BASE_URL_ENV, raising=False)
    assert tracking_card.track_url("ABCDE23456", base) is None


def test_track_url_codes_are_the_trackers(monkeypatch):
    monkeypatch.delenv(tracking_card.BASE_URL_ENV, raising=False)
    code = tips.new_tracking_code()
    url = tracking_card.track_url(code, "https://portal.example")
    assert url.endswith("code=" + tips.format_code(code))
