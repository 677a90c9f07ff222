"""The program's logo, drawn with Pillow, and its two colours.

static/logo.svg — a blue shield (the police) holding a white 2×2 grid (the neighbourhood grids) with a
yellow chat bubble (the chat groups) — re-drawn as pixels for the images the portal makes: the
poster's header (:mod:`lib.pushes.poster`) and the tracking card's band (:mod:`lib.tips.tracking_card`).
"""

from __future__ import annotations

import functools

from PIL import Image, ImageDraw

POLICE_BLUE = (0x1F, 0x4E, 0x9C)  # the shield, #1f4e9c
SIGNAL_YELLOW = (0xF2, 0xB7, 0x05)  # the bubble, #f2b705
WHITE = (255, 255, 255)


def _cubic(p0, p1, p2, p3, steps: int = 20) -> list[tuple[float, float]]:
    """``steps`` points along the cubic Bézier curve p0→p3 (p0 itself left out)."""
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
