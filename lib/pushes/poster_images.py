"""The photos and the QR code of a poster, from bytes to pixels.

Photos come from users (re-encoded on upload, but still images of any size, shape and EXIF
orientation); the QR code is one of our own PNGs. :func:`open_image` reads only an image's header, so
that the layout can use its size (:func:`upright_size`) before anything is decoded; :func:`load_image`
then decodes it upright, in RGB on white, at the size a box needs. Unreadable bytes are a
:class:`ValidationError` saying which image (:func:`bad_image`). :func:`photo_cells` lays 1–4
photos out in a grid. Used by :mod:`lib.pushes.poster`.
"""

from __future__ import annotations

import io

from PIL import Image, ImageOps

from lib.core.errors import ValidationError

BACKGROUND = (255, 255, 255)  # transparent parts are flattened on white, the poster's paper
PHOTO_GAP = 16  # px between photos
PHOTO_AREA_MAX = 900  # px: the tallest the photos may be together


def open_image(data: bytes, what: str, index: int = 0) -> Image.Image:
    """The image, opened lazily: only its header is read, so the layout can use its size."""
    try:
        return Image.open(io.BytesIO(data))
    except (OSError, ValueError, Image.DecompressionBombError, SyntaxError):
        raise bad_image(what, index) from None


def bad_image(what: str, index: int) -> ValidationError:
    """The error for image ``index`` (0-based) of kind ``what`` ("photo" or "qr") that cannot be read."""
    if what == "qr":
        return ValidationError("poster.error.bad_qr", field="qr_png")
    return ValidationError("poster.error.bad_photo", field="photos", index=index + 1)


_ROTATED = {5, 6, 7, 8}  # EXIF orientations that swap width and height


def upright_size(img: Image.Image) -> tuple[int, int]:
    """The (width, height) of ``img`` as shown, after its EXIF orientation (read from the header only)."""
    try:
        turned = img.getexif().get(0x0112) in _ROTATED
    except Exception:  # a broken EXIF block must not stop the poster; the decode below will tell
        turned = False
    return (img.height, img.width) if turned else img.size


def load_image(img: Image.Image, box: tuple[int, int], what: str, index: int = 0) -> Image.Image:
    """Decode ``img`` upright, in RGB on white, scaled to fit ``box`` (aspect kept)."""
    try:
        w, h = upright_size(img)
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
            flat = Image.new("RGB", img.size, BACKGROUND)
            flat.paste(img, mask=img.getchannel("A"))
            img = flat
        else:
            img = img.convert("RGB")
        return _fit_into(img, *box) if what == "photo" else img
    except (OSError, ValueError, Image.DecompressionBombError, SyntaxError):
        raise bad_image(what, index) from None


def _fit_into(img: Image.Image, w: int, h: int) -> Image.Image:
    """``img`` scaled to fit ``w`` × ``h`` px, aspect kept."""
    scale = min(w / img.width, h / img.height)
    size = (max(1, round(img.width * scale)), max(1, round(img.height * scale)))
    # reducing_gap: a cheap box reduction first, then Lanczos — fast and still sharp.
    return img.resize(size, Image.Resampling.LANCZOS, reducing_gap=2.0)


def photo_cells(sizes: list[tuple[int, int]], left: int, width: int) -> tuple[list[tuple[int, int, int, int]], int]:
    """Cell boxes (relative to the block's top) for 1–4 photos of these (upright) sizes in a column
    ``width`` px wide starting at x = ``left``, and the block's height.

    1 photo: full width; 2: side by side; 3: three in a row; 4: two by two. A row is as tall as
    its tallest photo at the cell width needs, capped so that portraits do not take the poster.
    """
    n = len(sizes)
    cols = {1: 1, 2: 2, 3: 3, 4: 2}[n]
    rows = (n + cols - 1) // cols
    cell_w = (width - (cols - 1) * PHOTO_GAP) // cols
    cap = min(round(cell_w * 4 / 3), (PHOTO_AREA_MAX - (rows - 1) * PHOTO_GAP) // rows)
    cells, y = [], 0
    for r in range(rows):
        row = sizes[r * cols:(r + 1) * cols]
        row_h = min(cap, max(round(cell_w * h / w) for w, h in row))
        # A short last row (3 photos never do, but keep it general) is centred.
        x0 = left + (width - (len(row) * cell_w + (len(row) - 1) * PHOTO_GAP)) // 2
        for c in range(len(row)):
            x = x0 + c * (cell_w + PHOTO_GAP)
            cells.append((x, y, x + cell_w, y + row_h))
        y += row_h + PHOTO_GAP
    return cells, y - PHOTO_GAP
