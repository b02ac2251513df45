"""Checking a proof photo: really an image, complete, not a decompression bomb; its hash and EXIF.

The photo is copied once, a piece at a time, into a private file beside the photo store,
and hashed as it is copied; that copy is what is checked and, if the journal takes it, what
is kept (renamed to its content address). So the bytes checked are the bytes hashed and
kept, even if the original changes meanwhile, and memory stays small whatever the size.

Copies to show: thumbnails for the terminal, JPEG copies without EXIF for reports, and the
phone page's copies, made once per photo and kept in the list's cache (`page_copy`).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import warnings
from dataclasses import dataclass, replace
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

from dailylist.days import in_range
from dailylist.errors import BadInput
from dailylist.events import PhotoRecord

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence

    from PIL.Image import Image
    from PIL.ImageFile import ImageFile

    from dailylist.store import ListFiles

#: Larger files are refused before reading: no phone photo is this big.
MAX_PHOTO_BYTES = 64 * 1024 * 1024
#: Larger images are refused as possible decompression bombs (a 200-megapixel camera fits).
MAX_PIXELS = 200_000_000
#: Photos are copied and hashed in pieces of this size.
CHUNK_BYTES = 1024 * 1024
#: The phone's page shows a photo as a JPEG at most this many pixels a side.
PAGE_PIXELS = 1600
#: A picture an author encloses in a list is sealed as a JPEG at most this many pixels a side.
ENCLOSURE_PIXELS = 2048
#: A kept page copy larger than this is not one we made.
MAX_PAGE_COPY_BYTES = 16 * 1024 * 1024

_EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "HEIF": "heic"}
_EXIF_IFD = 0x8769
_DATETIME_ORIGINAL = 36867
_OFFSET_TIME_ORIGINAL = 36881
_DATETIME = 306


@dataclass(frozen=True)
class CheckedPhoto:
    """A photo that passed every check, with what the journal records about it.

    `staged` is the private copy that was checked; `checked_photos` removes it unless the
    photo store has taken it by then. `shown` is the path as the person gave it, for
    messages only: it is recorded nowhere.
    """

    staged: Path
    record: PhotoRecord
    shown: str
    #: What a person should know about the photo (an EXIF time that was left out).
    notes: tuple[str, ...] = ()

    @property
    def stored_name(self) -> str:
        return self.record.stored_name

    @property
    def taken_at(self) -> datetime | None:
        return self.record.taken_at


def _copy_hashing(path: Path, staging: Path, shown: str) -> tuple[Path, str, int]:
    """Copy the regular file at `path` into a new private file in `staging`, a piece at a
    time; returns the copy, the sha256 and the size, or `BadInput` (and no copy)."""
    from dailylist.store import ensure_private_dir

    if str(path) in ("", "."):
        raise BadInput("a photo's path is empty: give --photo the photo's file")
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
    too_large = BadInput(f"photo {shown} is larger than {MAX_PHOTO_BYTES // (1024 * 1024)} MB")
    if info.st_size > MAX_PHOTO_BYTES:
        raise too_large
    import tempfile

    ensure_private_dir(staging)
    fd, name = tempfile.mkstemp(prefix=".incoming-", suffix=".tmp", dir=staging)
    staged = Path(name)
    digest, size = hashlib.sha256(), 0
    try:
        with os.fdopen(fd, "wb") as writer:
            # O_NONBLOCK: should the file be swapped for a FIFO after the check, don't hang.
            source = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
            with os.fdopen(source, "rb") as reader:
                while piece := reader.read(CHUNK_BYTES):
                    size += len(piece)
                    if size > MAX_PHOTO_BYTES:
                        raise too_large
                    digest.update(piece)
                    writer.write(piece)
            writer.flush()
            os.fsync(writer.fileno())  # durable before the journal can name it
    except OSError as exc:
        staged.unlink(missing_ok=True)
        raise BadInput(f"photo {shown} cannot be read ({exc.strerror or exc})") from exc
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    if size == 0:  # emptied since it was looked at
        staged.unlink(missing_ok=True)
        raise BadInput(f"photo {shown} is empty")
    return staged, digest.hexdigest(), size


def register_heif() -> None:
    try:
        from pillow_heif import register_heif_opener
    except ImportError:  # pragma: no cover - pillow-heif is a dependency, but be kind
        return
    register_heif_opener()


def check_photo(
    path: Path, zone: tzinfo, staging: Path, *, shown: str | None = None
) -> CheckedPhoto:
    """Copy the photo at `path` into the folder `staging` and check the copy, or raise
    `BadInput` naming the problem in one line (and leave no copy).

    `zone` is used to read an EXIF time that carries no offset (cameras write local time).
    Messages name the photo `shown`, if given, else by its path.
    """
    shown = str(path) if shown is None else shown
    staged, sha256, size = _copy_hashing(path, staging, shown)
    try:
        fmt, width, height, taken_at, notes = _inspect(staged, shown, zone)
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    record = PhotoRecord(
        sha256=sha256,
        size=size,
        stored_name=f"{sha256}.{_EXTENSIONS[fmt]}",
        format=fmt,
        width=width,
        height=height,
        taken_at=taken_at,
    )
    return CheckedPhoto(staged=staged, record=record, shown=shown, notes=notes)


def _inspect(
    copy: Path, shown: str, zone: tzinfo
) -> tuple[str, int, int, datetime | None, tuple[str, ...]]:
    """The format, size and EXIF time of the image in `copy`, decoded in full to prove it
    whole; `BadInput` (naming the photo as `shown`) when it is not one we accept."""
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with _open_image(copy) as image:
                fmt = image.format or ""
                if fmt == "MPO":
                    # A JPEG that carries more pictures after the photo (a phone's HDR gain
                    # map, a camera's preview): kept whole, checked and shown as its first.
                    fmt = "JPEG"
                if fmt not in _EXTENSIONS:
                    raise BadInput(
                        f"photo {shown} is a {fmt or 'unknown'} image; use JPEG, PNG, WebP or HEIC"
                    )
                width, height = image.size
                taken_at = _exif_taken_at(image, zone)
                notes: tuple[str, ...] = ()
                if isinstance(taken_at, str):
                    notes = (f"photo {shown} says (EXIF) it was taken {taken_at}; left out",)
                    taken_at = None
                if fmt == "JPEG":
                    # Decode at 1/8 scale: every block is still read (a truncated or damaged
                    # file still fails), without building 12 million full-size pixels.
                    image.draft("RGB", (max(1, width // 8), max(1, height // 8)))
                image.load()
    except BadInput:
        raise
    except UnidentifiedImageError as exc:
        raise BadInput(
            f"photo {shown} is not an image dailylist can read (it takes JPEG, PNG, WebP and HEIC)"
        ) from exc
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise BadInput(f"photo {shown} is too large in pixels (over {MAX_PIXELS:,})") from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise BadInput(f"photo {shown} is damaged or truncated ({exc})") from exc
    return fmt, width, height, taken_at, notes


@contextlib.contextmanager
def checked_photos(
    paths: Iterable[Path], zone: tzinfo, staging: Path, *, names: Sequence[str] | None = None
) -> Iterator[list[CheckedPhoto]]:
    """Check every photo given (see `check_photo`; `names`, if given, are what messages
    call them) for the block; afterwards, remove every copy that the photo store did not
    take, whether the block succeeded or not."""
    checked: list[CheckedPhoto] = []
    extra: list[Path] = []
    try:
        for number, path in enumerate(paths):
            photo = check_photo(
                path, zone, staging, shown=None if names is None else names[number]
            )
            same = next((i for i, p in enumerate(checked) if p.record == photo.record), None)
            if same is None:
                checked.append(photo)
                continue
            extra.append(photo.staged)  # the same photo again: kept once
            first = checked[same]
            note = f"photo {photo.shown} is the same photo as {first.shown}; it is kept once"
            checked[same] = replace(first, notes=(*first.notes, note))
        yield checked
    finally:
        for staged in [*extra, *(photo.staged for photo in checked)]:
            staged.unlink(missing_ok=True)


def enclosure_jpeg(path: Path, shown: str, size: int = ENCLOSURE_PIXELS) -> bytes:
    """The picture at `path`, checked as a proof photo is (`BadInput` naming it `shown`),
    as a JPEG of at most `size` pixels a side, without EXIF: what `seal` encloses."""
    import tempfile
    from datetime import UTC

    with tempfile.TemporaryDirectory(prefix="dailylist-seal-") as staging:
        checked = check_photo(path, UTC, Path(staging) / "staged", shown=shown)
        try:
            return jpeg_copy(checked.staged, size)
        finally:
            checked.staged.unlink(missing_ok=True)


def upright_copy(path: Path, fit: int) -> Image:
    """A stored photo, orientation applied, at least `fit` pixels on each side where it has
    them: a JPEG is decoded at the smallest scale (1/2 to 1/8) that keeps that, so a
    12-megapixel photo never becomes 12 million pixels on the way to a thumbnail."""
    from PIL import ImageOps

    with _open_image(path) as image:
        image.draft("RGB", (fit, fit))
        return ImageOps.exif_transpose(image)


def jpeg_copy(path: Path, size: int | None) -> bytes:
    """A stored photo as JPEG bytes (no EXIF: no place, no camera), orientation applied, no
    larger than `size` pixels a side (None: as large as it is)."""
    import io

    upright = upright_copy(path, size or 100_000)
    if size is not None:
        upright.thumbnail((size, size))
    buffer = io.BytesIO()
    upright.convert("RGB").save(buffer, format="JPEG", quality=82 if size else 90, optimize=True)
    return buffer.getvalue()


def page_copy(files: ListFiles, record: PhotoRecord, size: int = PAGE_PIXELS) -> bytes:
    """A list's stored photo as the phone's page shows it: `jpeg_copy` at `size`, made once
    and kept in the list's cache (`ListFiles.page_copy`, 0600), made again when the kept one
    is missing or damaged. The stored photo must be there, as large as the journal says;
    else `BadInput`. A cache that cannot be written is no error: the copy is made each time.
    """
    source = files.photo(record.stored_name)
    try:
        info = source.lstat()
    except OSError as exc:
        raise BadInput(f"photo {record.stored_name} is missing") from exc
    if not stat.S_ISREG(info.st_mode) or info.st_size != record.size:
        raise BadInput(f"photo {record.stored_name} is not the photo the journal names")
    return cached_copy(files, source, record.sha256, size)


def cached_copy(files: ListFiles, source: Path, sha256: str, size: int) -> bytes:
    """`jpeg_copy` of a picture of the list's photo store, `source` (content address
    `sha256`), made once and kept in the list's cache; see `page_copy`."""
    from dailylist.store import write_atomic

    kept = files.page_copy(sha256, size)
    copy = _kept_copy(kept, size)
    if copy is None:
        copy = jpeg_copy(source, size)
        with contextlib.suppress(OSError, BadInput):
            write_atomic(kept, copy)
    return copy


def _kept_copy(path: Path, size: int) -> bytes | None:
    """The JPEG kept at `path`, if it is whole (decoded at an eighth, as `_inspect` does)
    and no larger than `size`; None when it is missing or damaged."""
    import io

    from PIL import Image

    from dailylist.limits import read_file

    try:
        raw = read_file(path, MAX_PAGE_COPY_BYTES)
        with Image.open(io.BytesIO(raw), formats=["JPEG"]) as image:
            if max(image.size) > size:
                return None
            image.draft("RGB", (max(1, image.width // 8), max(1, image.height // 8)))
            image.load()
    except Exception:  # whatever is wrong with a cache, it is made again
        return None
    return raw


def data_uri(jpeg: bytes) -> str:
    """JPEG bytes as a data: URI."""

    from dailylist.codec import b64

    return "data:image/jpeg;base64," + b64(jpeg)


def _open_image(path: Path) -> ImageFile:
    """Open an image with Pillow's own formats, then, if none knows it, with HEIF too
    (pillow-heif is loaded only for the photos that need it)."""
    from PIL import Image, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS  # a photo checked in is opened again, whatever its size
    try:
        return Image.open(path)
    except UnidentifiedImageError:
        register_heif()
        return Image.open(path)


def _exif_taken_at(image: object, zone: tzinfo) -> datetime | str | None:
    """When the photo was taken, from EXIF; None when it does not say (or says nonsense);
    the stamp itself when it names a year dailylist cannot work with (a camera's clock set
    wrong)."""
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
    taken = moment.replace(tzinfo=zone)
    if isinstance(offset, str):
        with contextlib.suppress(ValueError):
            taken = datetime.strptime(
                f"{moment:%Y-%m-%d %H:%M:%S}{offset.strip()}", "%Y-%m-%d %H:%M:%S%z"
            )
    try:
        return taken if in_range(taken) else stamp
    except OverflowError:
        return stamp
