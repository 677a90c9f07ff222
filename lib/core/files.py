"""Stored files (photos of pushes and of tips): decoded, re-encoded, named by content hash.

Every image is opened with Pillow and written anew: EXIF (GPS included) is dropped, the
size and pixel count are bounded, decompression bombs and non-images are refused. What is
stored is never the bytes a user sent.
"""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path
from typing import TYPE_CHECKING

import sqlite_utils
from PIL import Image, ImageOps, UnidentifiedImageError

from lib.core.clock import utcnow
from lib.core.db import ROOT, query_one
from lib.core.errors import NotFoundError, ValidationError

if TYPE_CHECKING:
    from lib.core.auth import User

UPLOAD_LIMIT_MB = 20
"""The largest file any upload takes: the server refuses more (``server.maxUploadSize`` in
.streamlit/config.toml, kept equal by tests/test_imports_ui.py), imports take up to it, and every
uploader states it in the user's language (lib/ui/ui.py)."""
MAX_UPLOAD_BYTES = 8 * 1024 * 1024  # a photo: far below the server's limit
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
    """Delete the rows of those files nothing uses any more — no tip photo, no push, no inspection's photo,
    no online situation's screenshot (an image is stored once, by content, whoever sent it); return their
    paths for :func:`remove_stored`, to be called after the transaction commits. Call inside the write
    transaction that dropped the uses."""
    paths = []
    for file_id in file_ids:
        used = db.execute(
            "SELECT EXISTS (SELECT 1 FROM tip_photos WHERE file_id = :id)"
            " OR EXISTS (SELECT 1 FROM pushes, json_each(pushes.photo_file_ids) WHERE json_each.value = :id)"
            " OR EXISTS (SELECT 1 FROM duty_problems WHERE file_id = :id)"
            " OR EXISTS (SELECT 1 FROM online_situations WHERE screenshot_file_id = :id)",
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


# Server code reading a file for a record it already holds (the poster of a push being drawn or
# sent by the delivery worker): never a request's user.
SYSTEM = object()

# The states in which a push is out in the groups and its QR code opens the public tip form
# (lib.grids.public_grids.PUBLIC_PUSH_STATES; lib.core imports nothing above it).
PUBLIC_PUSH_STATES = ("sending", "sent")

# The pushes using a file: ``json_each`` over ``photo_file_ids`` (the only column naming files).
_PUSH_USES = "SELECT p.* FROM pushes p, json_each(p.photo_file_ids) j WHERE j.value = :id"


def may_read(db: sqlite_utils.Database, user: User | None, file_id: int) -> bool:
    """True when ``user`` may read the file: a record that uses it is one the user may see.

    - anyone, logged in or not (``user=None``): a photo of a push that is out in the groups
      (sending or sent) — but not of an appeal once closed (a person found is not shown any longer);
    - staff: a photo of a tip of their station (unrouted tips: the district's), a photo of a
      push they may see (their station's, or district-wide; district admins: every one), an
      inspection's photo of a problem and a screenshot of an online situation of their station;
    - :data:`SYSTEM`: every file.
    """
    if user is SYSTEM:
        return True
    params: dict = {"id": int(file_id), "s1": PUBLIC_PUSH_STATES[0], "s2": PUBLIC_PUSH_STATES[1]}
    public = ("EXISTS (SELECT 1 FROM (" + _PUSH_USES + ") u WHERE u.state IN (:s1, :s2)"
              " AND NOT (u.category = 'appeal' AND u.appeal_closed_at IS NOT NULL))")
    if user is None:
        return bool(db.execute(f"SELECT {public}", params).fetchone()[0])
    if user.is_district:
        staff = ("EXISTS (SELECT 1 FROM tip_photos WHERE file_id = :id)"
                 " OR EXISTS (SELECT 1 FROM (" + _PUSH_USES + ") u)"
                 " OR EXISTS (SELECT 1 FROM duty_problems WHERE file_id = :id)"
                 " OR EXISTS (SELECT 1 FROM online_situations WHERE screenshot_file_id = :id)")
    elif user.station_id is None:
        staff = "0"  # a non-district account outside any station sees nothing (lib.core.scope)
    else:
        params["station"] = user.station_id
        staff = ("EXISTS (SELECT 1 FROM tip_photos tp JOIN tips t ON t.id = tp.tip_id"
                 " WHERE tp.file_id = :id AND t.station_id = :station)"
                 " OR EXISTS (SELECT 1 FROM (" + _PUSH_USES + ") u"
                 " WHERE u.station_id IS NULL OR u.station_id = :station)"
                 " OR EXISTS (SELECT 1 FROM duty_problems WHERE file_id = :id AND station_id = :station)"
                 " OR EXISTS (SELECT 1 FROM online_situations WHERE screenshot_file_id = :id"
                 " AND station_id = :station)")
    return bool(db.execute(f"SELECT {public} OR {staff}", params).fetchone()[0])


def read_file(db: sqlite_utils.Database, user: User | None, file_id: int) -> tuple[bytes, str]:
    """(bytes, mime) of a stored file the user may read (:func:`may_read`; ``user=None``: a
    visitor of the public pages). A file the user may not read is "not found", like one that
    does not exist, so that ids cannot be probed."""
    row = query_one(db, "SELECT path, mime FROM files WHERE id = ?", [file_id])
    if not row or not may_read(db, user, file_id):
        raise NotFoundError()
    return (uploads_dir() / row["path"]).read_bytes(), row["mime"]
