"""QR codes that link a push to the public tip form.

A resident scans the code on a poster and lands on ``/tip?push=ID[&grid=ID]``, so the tip
is tied to the push (and, when the poster was made for one group, to its grid) without
the resident typing anything.
"""

from __future__ import annotations

import io
from urllib.parse import urlencode, urlsplit

import qrcode
from qrcode.constants import ERROR_CORRECT_M

from lib.core.errors import ValidationError

# Phones scan from a chat window, often a screenshot of a screenshot: a larger box or
# border only makes the image heavier, a smaller one makes it hard to focus on.
MIN_BOX_SIZE = 1
MAX_BOX_SIZE = 40


def tip_url(base_url: str, push_id: int, grid_id: int | None = None) -> str:
    """The public tip-form address for ``push_id`` (and ``grid_id``), e.g.
    ``https://portal.example/tip?push=12&grid=7``.

    ``base_url`` is the portal's public address (http or https, a host, an optional path);
    a trailing slash is dropped. Raises :class:`ValidationError` for anything else, and for
    ids that are not positive integers.
    """
    base = (base_url or "").strip().rstrip("/")
    parts = urlsplit(base)
    # A query or fragment on the base would end up in front of "/tip" and break the link.
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValidationError("qr.error.base_url", field="base_url", url=base_url)
    if any(ch.isspace() for ch in base):
        raise ValidationError("qr.error.base_url", field="base_url", url=base_url)
    params = {"push": _positive_id(push_id, "push_id")}
    if grid_id is not None:
        params["grid"] = _positive_id(grid_id, "grid_id")
    return f"{base}/tip?{urlencode(params)}"


def _positive_id(value, field: str) -> int:
    # bool is an int subclass; True would otherwise become "push=1".
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValidationError("qr.error.id", field=field, value=value)
    return value


def qr_code(url: str, *, box_size: int = 8, border: int = 2) -> qrcode.QRCode:
    """The fitted :class:`qrcode.QRCode` for ``url`` (error correction M, smallest version that fits)."""
    if not url:
        raise ValidationError("qr.error.empty", field="url")
    if not MIN_BOX_SIZE <= box_size <= MAX_BOX_SIZE or not 0 <= border <= 10:
        raise ValidationError("qr.error.size", field="box_size", box_size=box_size, border=border)
    # M (15 % recovery) survives chat-app recompression and a crease in a printed poster
    # while keeping the code small enough to scan from a phone screen.
    code = qrcode.QRCode(version=None, error_correction=ERROR_CORRECT_M, box_size=box_size, border=border)
    code.add_data(url)
    code.make(fit=True)
    return code


def qr_png(url: str, *, box_size: int = 8, border: int = 2) -> bytes:
    """PNG bytes of a black-on-white QR code for ``url``.

    ``box_size`` is the pixel size of one module and ``border`` the quiet zone in modules;
    the image is square, ``(modules + 2 * border) * box_size`` pixels a side.
    """
    from PIL import Image  # Pillow is a hard dependency of the portal; imported here to keep qr.py light.

    matrix = qr_code(url, box_size=box_size, border=border).get_matrix()  # includes the border
    n = len(matrix)
    # One pixel per module, then a NEAREST upscale: crisp edges and much faster than
    # drawing n*n rectangles.
    small = Image.new("1", (n, n), 1)
    small.putdata([0 if dark else 1 for row in matrix for dark in row])
    image = small.resize((n * box_size, n * box_size), Image.Resampling.NEAREST)
    buf = io.BytesIO()
    image.save(buf, format="PNG", optimize=True)
    return buf.getvalue()
