"""Stored files (photos of pushes, later of tips): decoded, re-encoded, named by content hash.

Every image is opened with Pillow and written anew: EXIF (GPS included) is dropped, the
size and pixel count are bounded, decompression bombs and non-images are refused. What is
stored is never the bytes a user sent.
"""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

import sqlite_utils
from PIL import Image, ImageOps, UnidentifiedImageError

from lib.db import ROOT, query_one, utcnow
from lib.errors import NotFoundError, ValidationError

MAX_UPLOAD_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a 40-megapixel photo decodes to ~120 MB; larger is a bomb or a mistake
MAX_SIDE = 2400  # stored images are scaled down to this; enough for a poster and a phone
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "BMP", "MPO"}


def uploads_dir() -> Path:
    """Where files live: ``PORTAL_UPLOADS``, else ``data/uploads`` beside the database."""
    return Path(os.environ.get("PORTAL_UPLOADS") or ROOT / "data" / "uploads")


def reencode_image(data: bytes) -> tuple[bytes, str, int, int]:
    """(bytes, mime, width, height) of a cleaned copy of an uploaded image.

    Refusals raise :class:`ValidationError` with keys ``files.error.*``.
    """
    if not data:
        raise ValidationError("files.error.empty", field="photo")
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationError("files.error.too_large", field="photo", max_mb=MAX_UPLOAD_BYTES // (1024 * 1024))
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format
            if fmt not in ALLOWED_FORMATS:
                raise ValidationError("files.error.not_image", field="photo")
            if probe.width * probe.height > MAX_PIXELS:
                raise ValidationError("files.error.too_many_pixels", field="photo")
            probe.verify()  # structural check before decoding for real
        with Image.open(io.BytesIO(data)) as img:
            img.load()
            img = ImageOps.exif_transpose(img)  # keep the photo upright once EXIF is gone
            img.thumbnail((MAX_SIDE, MAX_SIDE))
            has_alpha = img.mode in ("RGBA", "LA") or (img.mode == "P" and "transparency" in img.info)
            out = io.BytesIO()
            if has_alpha:
                img.convert("RGBA").save(out, "PNG", optimize=True)
                mime = "image/png"
            else:
                img.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
                mime = "image/jpeg"
            return out.getvalue(), mime, img.width, img.height
    except ValidationError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError, SyntaxError) as exc:
        raise ValidationError("files.error.not_image", field="photo") from exc


def store_image(db: sqlite_utils.Database, user_id: int | None, data: bytes) -> int:
    """Clean and store an image; return its ``files`` id (the same image twice: one row).

    Call inside the caller's write transaction so that the row and its use commit together.
    """
    return store_clean_image(db, user_id, reencode_image(data))


def store_clean_image(db: sqlite_utils.Database, user_id: int | None, cleaned: tuple[bytes, str, int, int]) -> int:
    """Store what :func:`reencode_image` returned: re-encoding before the write transaction
    keeps that slow step out of the time the write lock is held."""
    clean, mime, width, height = cleaned
    digest = hashlib.sha256(clean).hexdigest()
    existing = query_one(db, "SELECT id FROM files WHERE sha256 = ?", [digest])
    if existing:
        return existing["id"]
    folder = uploads_dir() / digest[:2]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (digest + (".png" if mime == "image/png" else ".jpg"))
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(clean)
        os.replace(tmp, path)
    return db.execute(
        "INSERT INTO files (sha256, mime, size, width, height, path, created_by, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [digest, mime, len(clean), width, height, str(path.relative_to(uploads_dir())), user_id, utcnow()],
    ).lastrowid


def delete_unused(db: sqlite_utils.Database, file_ids: list[int]) -> list[str]:
    """Delete the rows of those files no tip photo and no push uses any more (an image is stored
    once, by content, whoever sent it); return their paths for :func:`remove_stored`, to be called
    after the transaction commits. Call inside the write transaction that dropped the uses."""
    paths = []
    for file_id in file_ids:
        used = db.execute(
            "SELECT EXISTS (SELECT 1 FROM tip_photos WHERE file_id = :id)"
            " OR EXISTS (SELECT 1 FROM pushes, json_each(pushes.photo_file_ids) WHERE json_each.value = :id)",
            {"id": file_id}).fetchone()[0]
        row = None if used else query_one(db, "SELECT path FROM files WHERE id = ?", [file_id])
        if row:
            db.execute("DELETE FROM files WHERE id = ?", [file_id])
            paths.append(row["path"])
    return paths


def remove_stored(paths: list[str]) -> None:
    """Remove stored files from disk (already gone: fine)."""
    for path in paths:
        (uploads_dir() / path).unlink(missing_ok=True)


def read_file(db: sqlite_utils.Database, file_id: int) -> tuple[bytes, str]:
    """(bytes, mime) of a stored file. Callers check that the user may see what uses it."""
    row = query_one(db, "SELECT path, mime FROM files WHERE id = ?", [file_id])
    if not row:
        raise NotFoundError()
    return (uploads_dir() / row["path"]).read_bytes(), row["mime"]
