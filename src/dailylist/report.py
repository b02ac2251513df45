"""Reports for the author: export a journal (JSON, Markdown, HTML) and verify a JSON report.

A JSON report carries the whole event chain of the journal, the entries derived from it and
the photos beside it, so that the author, holding the sealed list, can check on their own
that it is genuine (the chain is unbroken and every entry is what the chain says), complete
and in order (no item skipped, one a day, each done after it was revealed), and that the
photos and item texts are the ones that belong to it.
"""

from __future__ import annotations

import base64
import builtins
import html
import io
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from dailylist import rules
from dailylist.errors import BadInput, DamagedData
from dailylist.lookback import ListOverview, describe
from dailylist.models import (
    AmendedEvent,
    B64Bytes,
    CompletedEvent,
    Event,
    PhotoRecord,
    RevealedEvent,
    parse_json,
)
from dailylist.sealing import UnsealedList, fingerprint
from dailylist.store import DataDir, ensure_private_dir, file_sha256, write_atomic

REPORT_FORMAT = 1
Format = Literal["json", "md", "html"]
FORMATS: tuple[Format, ...] = ("json", "md", "html")
#: Longest side of a photo embedded in an HTML report.
HTML_PHOTO_SIZE = 1200


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ReportList(_Frozen):
    id: str
    title: str
    author: str
    item_count: int
    fingerprint: str
    public_key: B64Bytes
    #: The author's signature of the sealed list: ties the report to that exact file.
    signature: B64Bytes


class ReportEntry(_Frozen):
    day: Annotated[int, Field(ge=1)]
    date: date
    revealed_at: AwareDatetime
    completed_at: AwareDatetime
    title: str | None
    text: str
    reflection: str | None
    photo_taken_before_reveal: bool
    photos: list[PhotoRecord]
    amended: bool = False


class ReportSummary(_Frozen):
    done: int
    item_count: int
    streak: int
    missed_days: list[date]


class Report(_Frozen):
    """A dailylist report, as `export --format json` writes it (schema: `report_schema()`)."""

    format: int
    kind: Literal["dailylist-report"] = "dailylist-report"
    exported_at: AwareDatetime
    list: ReportList
    summary: ReportSummary
    entries: builtins.list[ReportEntry]
    #: The journal's whole event log, each event naming the one before it by hash.
    events: builtins.list[Event]
    #: The folder beside the report that holds the photos, by content address.
    photos_dir: str


def report_schema() -> dict[str, object]:
    """The JSON schema of a report (documented in the README)."""
    return Report.model_json_schema()


# --- export ---------------------------------------------------------------------------------


def photos_dir_for(output: Path) -> Path:
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


def build_report(data: DataDir, list_id: str, now: datetime) -> tuple[Report, ListOverview]:
    unsealed = data.load_list(list_id)
    journal = data.load_journal(list_id)
    view = describe(list_id, unsealed, journal, now)
    entries = [
        ReportEntry(
            day=entry.number,
            date=entry.day,
            revealed_at=entry.revealed_at,
            completed_at=entry.at,
            title=entry.item.title,
            text=entry.item.text,
            reflection=entry.reflection,
            photo_taken_before_reveal=entry.photo_taken_before_reveal,
            photos=list(entry.photos),
            amended=entry.amended,
        )
        for entry in view.entries
    ]
    report = Report(
        format=REPORT_FORMAT,
        exported_at=now,
        list=ReportList(
            id=list_id,
            title=unsealed.header.title,
            author=unsealed.header.author,
            item_count=unsealed.header.item_count,
            fingerprint=view.fingerprint,
            public_key=unsealed.sealed.public_key,
            signature=unsealed.sealed.signature,
        ),
        summary=ReportSummary(
            done=view.stats.done_count,
            item_count=view.stats.item_count,
            streak=view.stats.streak,
            missed_days=list(view.stats.missed_days),
        ),
        entries=entries,
        events=list(journal.events),
        photos_dir="",
    )
    return report, view


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
    report, view = build_report(data, list_id, now)
    records = [photo for entry in report.entries for photo in entry.photos]
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
                embedded[record.sha256] = _embeddable(data.photo_path(list_id, record.stored_name))
                advance()
            content = render_html(report, view, embedded).encode("utf-8")
        else:
            photos_dir = photos_dir_for(output)
            ensure_private_dir(photos_dir)
            for record in records:
                source = data.photo_path(list_id, record.stored_name)
                target = photos_dir / record.stored_name
                if not target.is_file():
                    write_atomic(target, source.read_bytes(), private=False)
                advance()
            report = report.model_copy(update={"photos_dir": photos_dir.name})
            if fmt == "json":
                document = report.model_dump(mode="json")
                document["events"] = [event.stored() for event in report.events]
                content = (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode()
            else:
                content = render_markdown(report, photos_dir.name).encode("utf-8")
        write_atomic(output, content, private=False)
    except OSError as exc:
        where = exc.filename or output
        raise BadInput(f"cannot write the report to {where}: {exc.strerror or exc}") from exc
    return ExportResult(output, fmt, len(report.entries), len(records), photos_dir)


def _embeddable(path: Path) -> str:
    """A photo as a data: URI: orientation applied, downscaled, JPEG."""
    from dailylist.photos import upright_copy

    upright = upright_copy(path, HTML_PHOTO_SIZE)
    upright.thumbnail((HTML_PHOTO_SIZE, HTML_PHOTO_SIZE))
    buffer = io.BytesIO()
    upright.convert("RGB").save(buffer, format="JPEG", quality=82, optimize=True)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _timeline(report: Report) -> list[ReportEntry | date]:
    """Entries and missed days, in date order: what the diary shows, day after day."""
    items: list[tuple[date, int, ReportEntry | date]] = [(e.date, 1, e) for e in report.entries]
    items += [(day, 0, day) for day in report.summary.missed_days]
    return [thing for _, _, thing in sorted(items, key=lambda t: (t[0], t[1]))]


def _summary_line(report: Report) -> str:
    summary = report.summary
    missed = len(summary.missed_days)
    parts = [f"{summary.done} of {summary.item_count} days done"]
    if report.entries:
        parts.append(f"from {report.entries[0].date} to {report.entries[-1].date}")
    parts.append(f"{missed} missed day{'s' if missed != 1 else ''}")
    parts.append(f"current streak {summary.streak}")
    return ", ".join(parts)


def render_markdown(report: Report, photos_dir: str) -> str:
    lines = [
        f"# {report.list.title}",
        "",
        f"A list from {report.list.author}. {_summary_line(report)}.",
        f"Exported {report.exported_at:%Y-%m-%d %H:%M}.",
        "",
    ]
    for thing in _timeline(report):
        if isinstance(thing, date):
            lines += [f"*{thing.isoformat()}: missed.*", ""]
            continue
        heading = f"## Day {thing.day} · {thing.date.isoformat()}"
        if thing.title:
            heading += f" · {thing.title}"
        lines += [heading, ""]
        lines += [f"> {line}" if line else ">" for line in thing.text.splitlines()]
        lines.append("")
        if thing.reflection:
            lines += [thing.reflection, ""]
        for number, photo in enumerate(thing.photos, start=1):
            lines.append(f"![Day {thing.day}, photo {number}]({photos_dir}/{photo.stored_name})")
        if thing.photos:
            lines.append("")
        if thing.photo_taken_before_reveal:
            lines += ["*A photo was taken before the item was revealed.*", ""]
    return "\n".join(lines).rstrip() + "\n"


_CSS = """
:root { --ink: #2b2620; --muted: #7a6f63; --paper: #fbf8f3; --line: #e6dfd3; --accent: #b0563c; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--paper); color: var(--ink);
       font: 17px/1.6 Georgia, 'Iowan Old Style', 'Palatino Linotype', serif; }
main { max-width: 46rem; margin: 0 auto; padding: 3rem 1.5rem 4rem; }
h1 { font-size: 2.2rem; line-height: 1.2; margin: 0 0 .3rem; }
.byline, .summary, .meta, .missed, footer { color: var(--muted); }
.summary { margin: 1rem 0 2rem; padding: .8rem 1rem; border: 1px solid var(--line);
           border-radius: .5rem; background: #fff; }
.letter { white-space: pre-wrap; font-style: italic; border-left: 3px solid var(--accent);
          padding: .2rem 0 .2rem 1rem; margin: 0 0 2.5rem; }
article { border-top: 1px solid var(--line); padding: 1.6rem 0; break-inside: avoid; }
article h2 { font-size: 1.3rem; margin: 0; }
.meta { font-size: .9rem; margin: .1rem 0 .8rem; }
.item { font-weight: bold; margin: 0 0 .8rem; }
.reflection { white-space: pre-wrap; margin: 0 0 1rem; }
.photos { display: grid; gap: .6rem;
          grid-template-columns: repeat(auto-fill, minmax(14rem, 1fr)); }
.photos img { width: 100%; height: auto; border-radius: .3rem; display: block; }
.flag { color: var(--accent); font-size: .9rem; }
.missed { font-style: italic; border-top: 1px dashed var(--line); padding: .6rem 0; }
footer { font-size: .8rem; margin-top: 2rem; }
@media print {
  body { background: #fff; font-size: 12pt; }
  main { max-width: none; padding: 0; }
  .photos { grid-template-columns: repeat(3, 1fr); }
}
"""


def render_html(report: Report, view: ListOverview, photos: dict[str, str]) -> str:
    """One self-contained page: inline CSS, photos embedded, no scripts, no network."""
    esc = html.escape
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(report.list.title)}: a dailylist journal</title>",
        f"<style>{_CSS}</style></head><body><main>",
        f"<h1>{esc(report.list.title)}</h1>",
        f'<p class="byline">A list from {esc(report.list.author)}</p>',
        f'<p class="summary">{esc(_summary_line(report))}.</p>',
    ]
    if view.header.letter.strip():
        parts.append(f'<div class="letter">{esc(view.header.letter.strip())}</div>')
    for thing in _timeline(report):
        if isinstance(thing, date):
            parts.append(f'<p class="missed">{thing.isoformat()}: missed</p>')
            continue
        title = f"Day {thing.day}" + (f": {thing.title}" if thing.title else "")
        parts.append(f'<article id="day-{thing.day}"><h2>{esc(title)}</h2>')
        parts.append(
            f'<p class="meta">{thing.date.isoformat()}, done at {thing.completed_at:%H:%M}</p>'
        )
        parts.append(f'<p class="item">{esc(thing.text)}</p>')
        if thing.reflection:
            parts.append(f'<p class="reflection">{esc(thing.reflection)}</p>')
        if thing.photos:
            parts.append('<div class="photos">')
            for number, photo in enumerate(thing.photos, start=1):
                alt = f"Day {thing.day}, photo {number}"
                parts.append(
                    f'<img src="{photos[photo.sha256]}" alt="{esc(alt)}" '
                    f'data-sha256="{photo.sha256}">'
                )
            parts.append("</div>")
        if thing.photo_taken_before_reveal:
            parts.append('<p class="flag">A photo was taken before the item was revealed.</p>')
        parts.append("</article>")
    parts.append(
        f"<footer>Exported {report.exported_at:%Y-%m-%d %H:%M} by dailylist. "
        f"List {esc(report.list.id)}, author key {esc(report.list.fingerprint)}.</footer>"
    )
    parts.append("</main></body></html>")
    return "\n".join(parts) + "\n"


# --- verify ---------------------------------------------------------------------------------


@dataclass
class Check:
    """One thing checked (by `verify` or `doctor`), what was seen, and every problem found."""

    name: str
    problems: list[str] = field(default_factory=list)
    detail: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class Verdict:
    checks: tuple[Check, ...]

    @property
    def genuine(self) -> bool:
        return all(check.ok for check in self.checks)


def load_report(path: Path) -> Report:
    from dailylist.store import read_input_file

    raw = read_input_file(path, what="report")
    try:
        data = parse_json(raw)
    except ValueError as exc:
        raise BadInput(f"{path} is not a JSON report (export it with --format json)") from exc
    if not isinstance(data, dict) or data.get("kind") != "dailylist-report":
        raise BadInput(f"{path} is not a dailylist report")
    if isinstance(data.get("format"), int) and data["format"] > REPORT_FORMAT:
        raise BadInput(f"{path} was written by a newer dailylist; upgrade to verify it")
    try:
        return Report.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        place = ".".join(str(part) for part in first["loc"])
        raise BadInput(f"{path} is not a valid report ({place}: {first['msg']})") from exc


def _event_label(number: int, event: Event) -> str:
    label = f"event {number} ({event.kind}"
    if isinstance(event, RevealedEvent | CompletedEvent):
        label += f", day {event.index + 1}"
    return label + ")"


def verify(report: Report, unsealed: UnsealedList, photos_dir: Path) -> Verdict:
    """Check `report` against the sealed list; each failed check names the entry and why."""
    header = unsealed.header
    same_list = Check("same list and author")
    if report.list.id != header.id:
        same_list.problems.append(f"the report is of list {report.list.id}, not {header.id}")
    if report.list.public_key != unsealed.sealed.public_key:
        same_list.problems.append(
            f"the report names author key {report.list.fingerprint}, "
            f"the list was sealed with {fingerprint(unsealed.sealed.public_key)}"
        )
    elif report.list.signature != unsealed.sealed.signature:
        same_list.problems.append("the report belongs to another sealing of this list")

    chain = Check("hash chain unbroken")
    prev: str | None = None
    for number, event in enumerate(report.events, start=1):
        if event.computed_id() != event.id:
            chain.problems.append(
                f"{_event_label(number, event)} was changed after it was written"
            )
        elif event.prev != prev:
            chain.problems.append(
                f"{_event_label(number, event)} does not follow the event before"
            )
        prev = event.id

    completions = [e for e in report.events if isinstance(e, CompletedEvent)]
    reveals = [e for e in report.events if isinstance(e, RevealedEvent)]
    amendments = [e for e in report.events if isinstance(e, AmendedEvent)]
    standing = rules.with_amendments(completions, amendments)

    matches = Check("entries match the journal")
    if len(report.entries) != len(completions):
        matches.problems.append(
            f"the report lists {len(report.entries)} entries, its journal {len(completions)}"
        )
    for entry, done in zip(report.entries, standing, strict=False):
        expected = (done.index + 1, done.day, done.reflection, done.photos, done.amended)
        if (entry.day, entry.date, entry.reflection, entry.photos, entry.amended) != expected:
            matches.problems.append(f"the entry for day {entry.day} differs from its events")

    order = Check("in order, no item skipped")
    for position, event in enumerate(completions):
        if event.index != position:
            missing = "swapped" if event.index < position else f"day {position + 1} is missing"
            order.problems.append(f"day {event.index + 1} is entry {position + 1}: {missing}")
            break
    if any(e.index >= header.item_count for e in completions):
        order.problems.append("an entry names a day the list does not have")

    one_a_day = Check("at most one a day")
    day_starts_at = header.settings.day_starts_at
    for before, after in itertools.pairwise(completions):
        if after.day <= before.day:
            one_a_day.problems.append(
                f"day {after.index + 1} was done on {after.day}, "
                f"not after day {before.index + 1} ({before.day})"
            )
    done_on = {(event.index, event.day) for event in completions}
    dated: list[CompletedEvent | AmendedEvent] = [*completions, *amendments]
    for event in dated:
        local = event.at.astimezone(_zone_of(event.zone, event.at))
        verb = "done" if isinstance(event, CompletedEvent) else "amended"
        when = f"{event.at:%Y-%m-%d %H:%M}"
        if rules.day_of(local, day_starts_at) != event.day:
            one_a_day.problems.append(
                f"day {event.index + 1} says {event.day} but was {verb} at {when}"
            )
        elif isinstance(event, AmendedEvent) and (event.index, event.day) not in done_on:
            one_a_day.problems.append(f"day {event.index + 1} was amended on another day")

    after_reveal = Check("each done after its reveal")
    for event in completions:
        reveal = next((r for r in reveals if r.index == event.index), None)
        if reveal is None:
            after_reveal.problems.append(f"day {event.index + 1} was never revealed")
        elif reveal.at > event.at or report.events.index(reveal) > report.events.index(event):
            after_reveal.problems.append(f"day {event.index + 1} was done before it was revealed")

    photo_check = Check("photos match their hashes")
    for entry in report.entries:
        for photo in entry.photos:
            path = photos_dir / photo.stored_name
            try:
                digest = file_sha256(path)
            except OSError:
                photo_check.problems.append(
                    f"day {entry.day}: photo {photo.stored_name} is missing"
                )
                continue
            if digest != photo.sha256 or not photo.stored_name.startswith(digest):
                photo_check.problems.append(
                    f"day {entry.day}: photo {photo.stored_name} was replaced"
                )

    texts = Check("item texts match the sealed list")
    for entry in report.entries:
        index = entry.day - 1
        if not 0 <= index < header.item_count:
            continue
        reveal = next((r for r in reveals if r.index == index), None)
        try:
            item = unsealed.item(index, reveal.item_key if reveal else None)
        except BadInput:
            texts.problems.append(f"day {entry.day}: its check-in key is missing")
            continue
        except DamagedData:
            texts.problems.append(f"day {entry.day}: the item does not open with this list")
            continue
        if (item.text, item.title) != (entry.text, entry.title):
            texts.problems.append(f"day {entry.day}: the item text is not the sealed one")

    return Verdict((same_list, chain, matches, order, one_a_day, after_reveal, photo_check, texts))


def _zone_of(name: str, moment: datetime) -> tzinfo | None:
    """The zone an event was recorded in (its IANA key), else the offset it carries."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return moment.tzinfo
