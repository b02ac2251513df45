"""Checking a proof photo: really an image, complete, not a decompression bomb; its hash and EXIF.

The file is read once into memory; the bytes that are checked are the bytes that are hashed
and stored, so the photo can't change between the check and the copy.
"""

from __future__ import annotations

import hashlib
import io
import os
import stat
import warnings
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

from dailylist.errors import BadInput

if TYPE_CHECKING:
    from PIL.Image import Image
    from PIL.ImageFile import ImageFile

#: Larger files are refused before reading: no phone photo is this big.
MAX_PHOTO_BYTES = 64 * 1024 * 1024
#: Larger images are refused as possible decompression bombs (a 200-megapixel camera fits).
MAX_PIXELS = 200_000_000

_EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "HEIF": "heic"}
_EXIF_IFD = 0x8769
_DATETIME_ORIGINAL = 36867
_OFFSET_TIME_ORIGINAL = 36881
_DATETIME = 306


@dataclass(frozen=True)
class CheckedPhoto:
    """A photo that passed every check, with what the journal records about it."""

    content: bytes
    sha256: str
    format: str
    width: int
    height: int
    taken_at: datetime | None
    original_path: str

    @property
    def stored_name(self) -> str:
        return f"{self.sha256}.{_EXTENSIONS[self.format]}"


def _read_regular_file(path: Path) -> bytes:
    shown = str(path)
    try:
        info = path.stat()
    except FileNotFoundError as exc:
        raise BadInput(f"photo {shown} does not exist") from exc
    except OSError as exc:
        raise BadInput(f"photo {shown} cannot be read ({exc.strerror or exc})") from exc
    if stat.S_ISDIR(info.st_mode):
        raise BadInput(f"photo {shown} is a directory, not an image file")
    if not stat.S_ISREG(info.st_mode):
        raise BadInput(f"photo {shown} is not a regular file")
    if info.st_size == 0:
        raise BadInput(f"photo {shown} is empty")
    if info.st_size > MAX_PHOTO_BYTES:
        limit = MAX_PHOTO_BYTES // (1024 * 1024)
        raise BadInput(f"photo {shown} is larger than {limit} MB")
    try:
        # O_NONBLOCK: should the file be swapped for a FIFO after the check, don't hang.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            content = handle.read(MAX_PHOTO_BYTES + 1)
    except OSError as exc:
        raise BadInput(f"photo {shown} cannot be read ({exc.strerror or exc})") from exc
    if len(content) > MAX_PHOTO_BYTES:
        raise BadInput(f"photo {shown} is larger than {MAX_PHOTO_BYTES // (1024 * 1024)} MB")
    return content


def register_heif() -> None:
    try:
        from pillow_heif import register_heif_opener
    except ImportError:  # pragma: no cover - pillow-heif is a dependency, but be kind
        return
    register_heif_opener()


def check_photo(path: Path, zone: tzinfo) -> CheckedPhoto:
    """Check the photo at `path` or raise `BadInput` naming the problem in one line.

    `zone` is used to read an EXIF time that carries no offset (cameras write local time).
    """
    from PIL import Image, UnidentifiedImageError

    content = _read_regular_file(path)
    shown = str(path)
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with _open_image(content) as image:
                fmt = image.format or ""
                if fmt not in _EXTENSIONS:
                    raise BadInput(
                        f"photo {shown} is a {fmt or 'unknown'} image; use JPEG, PNG, WebP or HEIC"
                    )
                width, height = image.size
                taken_at = _exif_taken_at(image, zone)
                if fmt == "JPEG":
                    # Decode at 1/8 scale: every block is still read (a truncated or damaged
                    # file still fails), without building 12 million full-size pixels.
                    image.draft("RGB", (max(1, width // 8), max(1, height // 8)))
                image.load()
    except BadInput:
        raise
    except UnidentifiedImageError as exc:
        raise BadInput(f"photo {shown} is not an image dailylist can read") from exc
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise BadInput(f"photo {shown} is too large in pixels (over {MAX_PIXELS:,})") from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise BadInput(f"photo {shown} is damaged or truncated ({exc})") from exc
    return CheckedPhoto(
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        format=fmt,
        width=width,
        height=height,
        taken_at=taken_at,
        original_path=str(path.absolute()),
    )


def upright_copy(path: Path, fit: int) -> Image:
    """A stored photo, orientation applied, at least `fit` pixels on each side where it has
    them: a JPEG is decoded at the smallest scale (1/2 to 1/8) that keeps that, so a
    12-megapixel photo never becomes 12 million pixels on the way to a thumbnail."""
    from PIL import ImageOps

    with _open_image(path) as image:
        image.draft("RGB", (fit, fit))
        return ImageOps.exif_transpose(image)


def _open_image(source: bytes | Path) -> ImageFile:
    """Open an image with Pillow's own formats, then, if none knows it, with HEIF too
    (pillow-heif is loaded only for the photos that need it)."""
    from PIL import Image, UnidentifiedImageError

    def handle() -> io.BytesIO | Path:
        return io.BytesIO(source) if isinstance(source, bytes) else source

    try:
        return Image.open(handle())
    except UnidentifiedImageError:
        register_heif()
        return Image.open(handle())


def _exif_taken_at(image: object, zone: tzinfo) -> datetime | None:
    """When the photo was taken, from EXIF, or None when it does not say (or says nonsense)."""
    getexif = getattr(image, "getexif", None)
    if getexif is None:
        return None
    try:
        exif = getexif()
        sub = exif.get_ifd(_EXIF_IFD)
        stamp = sub.get(_DATETIME_ORIGINAL) or exif.get(_DATETIME)
        offset = sub.get(_OFFSET_TIME_ORIGINAL)
    except Exception:  # EXIF is untrusted input; a bad block only loses the time.
        return None
    if not isinstance(stamp, str):
        return None
    try:
        # EXIF keeps local time without a zone; the zone is attached below.
        stamp = stamp.strip("\x00 ").strip()
        moment = datetime.strptime(stamp, "%Y:%m:%d %H:%M:%S")  # noqa: DTZ007
    except ValueError:
        return None
    if isinstance(offset, str):
        try:
            return datetime.strptime(
                f"{moment:%Y-%m-%d %H:%M:%S}{offset.strip()}", "%Y-%m-%d %H:%M:%S%z"
            )
        except ValueError:
            pass
    return moment.replace(tzinfo=zone)
