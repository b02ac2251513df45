"""`dailylist export`: a report of a list's journal for the author, as JSON (for `verify`),
Markdown, or one HTML page."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

from dailylist.clock import zone_name
from dailylist.errors import BadInput
from dailylist.lookback import History, history
from dailylist.photos import MAX_PHOTO_BYTES as PHOTO
from dailylist.report.document import report_json
from dailylist.report.pages import render_html, render_markdown
from dailylist.store import DataDir, ensure_private_dir, write_atomic

Format = Literal["json", "md", "html"]
FORMATS: tuple[Format, ...] = ("json", "md", "html")
#: Longest side of a photo embedded in an HTML report.
HTML_PHOTO_SIZE = 1200


def photos_dir_for(output: Path) -> Path:
    """The folder beside a report that holds its photos: `NAME-photos/`."""
    return output.with_name(f"{output.stem}-photos")


def format_for(output: Path, wanted: str | None) -> Format:
    """The format asked for, else the one the file name suggests, else HTML."""
    if wanted is not None:
        for fmt in FORMATS:
            if fmt == wanted:
                return fmt
        raise BadInput(f"unknown report format {wanted!r}; use html, md or json")
    suffix = output.suffix.lower().lstrip(".")
    aliases: dict[str, Format] = {"json": "json", "md": "md", "markdown": "md", "htm": "html"}
    return aliases.get(suffix, "html")


@dataclass(frozen=True)
class ExportResult:
    output: Path
    format: Format
    entries: int
    photos: int
    photos_dir: Path | None


def _check_target(output: Path) -> None:
    parent = output.parent if str(output.parent) else Path()
    if output.is_dir():
        raise BadInput(f"{output} is a directory; give a file name for the report")
    if not parent.is_dir():
        raise BadInput(f"cannot write {output}: the folder {parent} does not exist")


def export(
    data: DataDir,
    list_id: str,
    output: Path,
    now: datetime,
    fmt: Format,
    *,
    progress: Callable[[int], None] | None = None,
    on_total: Callable[[int], None] | None = None,
) -> ExportResult:
    """Write a report of the list's journal to `output` (photos beside it, or inside for HTML).

    `on_total` is told how many photos there are, `progress` is called after each one.
    """
    _check_target(output)
    found = history(data, list_id, now)
    files = found.opened.files
    records = [photo for entry in found.entries for photo in entry.photos]
    if on_total is not None:
        on_total(len(records))

    def advance() -> None:
        if progress is not None:
            progress(1)

    photos_dir: Path | None = None
    try:
        if fmt == "html":
            embedded = {}
            for record in records:
                embedded[record.sha256] = _embeddable(files.photo(record.stored_name))
                advance()
            content = render_html(found, embedded, now).encode("utf-8")
        else:
            photos_dir = photos_dir_for(output)
            ensure_private_dir(photos_dir)
            for record in records:
                target = photos_dir / record.stored_name
                if not target.is_file():
                    what = f"photo {record.stored_name}"
                    source = files.read(files.photo(record.stored_name), what=what, cap=PHOTO)
                    write_atomic(target, source, private=False)
                advance()
            if fmt == "json":
                document = _report(found, now, photos_dir.name)
                content = (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode()
            else:
                content = render_markdown(found, photos_dir.name, now).encode("utf-8")
        write_atomic(output, content, private=False)
    except OSError as exc:
        where = exc.filename or output
        raise BadInput(f"cannot write the report to {where}: {exc.strerror or exc}") from exc
    return ExportResult(output, fmt, len(found.entries), len(records), photos_dir)


def _report(found: History, now: datetime, photos_dir: str) -> dict[str, object]:
    sealed = found.opened.unsealed.sealed
    return report_json(
        info=found.info,
        public_key=sealed.public_key,
        signature=sealed.signature,
        stats=found.stats,
        entries=found.entries,
        events=found.opened.journal.documents,
        exported_at=now,
        zone=zone_name(now),
        photos_dir=photos_dir,
    )


def _embeddable(path: Path) -> str:
    """A photo as a data: URI: orientation applied, downscaled, JPEG."""
    from dailylist.photos import upright_copy

    upright = upright_copy(path, HTML_PHOTO_SIZE)
    upright.thumbnail((HTML_PHOTO_SIZE, HTML_PHOTO_SIZE))
    buffer = io.BytesIO()
    upright.convert("RGB").save(buffer, format="JPEG", quality=82, optimize=True)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
