"""How results look to people: rich layouts (JSON for programs is in `jsonout`).

Every function here gets data the core already decided may be shown; nothing here decrypts
or reads the journal.
"""

from __future__ import annotations

import contextlib
import copy
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from rich.console import (
    Console,
    ConsoleOptions,
    ConsoleRenderable,
    Group,
    RenderableType,
    RenderHook,
    RenderResult,
)
from rich.markup import escape
from rich.padding import Padding
from rich.panel import Panel
from rich.segment import Segment
from rich.text import Text

from dailylist import rules
from dailylist.days import how_far, spoken_time, when
from dailylist.domain import counted, day_number, letter_text, reflow
from dailylist.terminal import safe

if TYPE_CHECKING:
    from rich.table import Table

    from dailylist.author import SealResult
    from dailylist.checks import Check
    from dailylist.doctor import Examination, RestorePlan
    from dailylist.domain import ListInfo
    from dailylist.fold import Entry
    from dailylist.lookback import Day, History
    from dailylist.opening import OpenResult
    from dailylist.photo_flags import PhotoFlag
    from dailylist.recipient import CompletionResult, TodayView
    from dailylist.report.export import ExportResult
    from dailylist.report.verify import Holds, Verdict
    from dailylist.sharing import Postcard
    from dailylist.status import ListStatus
    from dailylist.sync.follow import FollowView


def console(*, stderr: bool = False, quiet: bool = False) -> Console:
    """A console for this run: colour and boxes on terminals; plain text when piped or on a
    dumb terminal (`TERM=dumb`), the same words with no box drawn (see `plainly`);
    `NO_COLOR` honoured; and no raw control character from any text it prints (see
    `terminal`).

    A `quiet` console says nothing (a command's `--quiet`; errors go to stderr regardless).
    """
    out = Console(stderr=stderr, highlight=False, emoji=False, quiet=quiet and not stderr)
    out.soft_wrap = not out.is_terminal  # piped: a sentence stays one line, for its reader
    out.push_render_hook(_SafeHook())
    return out


def is_plain(out: Console) -> bool:
    """Whether `out` gets plain text: not a terminal (a pipe, a file), or a dumb one."""
    return not out.is_terminal or out.is_dumb_terminal


def plainly(renderable: RenderableType) -> RenderableType:
    """`renderable` with the same words and no box: a panel becomes its title on a line of
    its own, its body indented under it and a blank line after; a table keeps its columns,
    lined up with spaces, without borders or rules."""
    if isinstance(renderable, Panel):
        body = Padding(plainly(renderable.renderable), (0, 0, 0, 2))
        lines = [_line(renderable.title), body, _line(renderable.subtitle), Text("")]
        return Group(*(line for line in lines if line is not None))
    # rich.table is slow to import, so only commands that make a table load it: without
    # it loaded there is no table to make plain.
    tables = sys.modules.get("rich.table")
    if tables is not None and isinstance(renderable, tables.Table):
        table = cast("Table", copy.copy(renderable))
        table.box, table.show_edge, table.show_lines, table.pad_edge = None, False, False, False
        return table
    if isinstance(renderable, Group):
        return Group(*(plainly(part) for part in renderable.renderables))
    if isinstance(renderable, Padding):
        inner = copy.copy(renderable)
        inner.renderable = plainly(renderable.renderable)
        return inner
    return renderable


def _line(text: str | Text | None) -> Text | None:
    """A panel's title (rich markup, or Text) as a line of text; None for none."""
    if not text:
        return None
    return Text.from_markup(text) if isinstance(text, str) else text


class _SafeText:
    """A renderable whose text comes out safe; rich's own styling is not text, so it stays.
    On a console that gets plain text it comes out `plainly`."""

    def __init__(self, inner: RenderableType) -> None:
        self.inner = inner

    def __rich_console__(self, out: Console, options: ConsoleOptions) -> RenderResult:
        plain = is_plain(out)
        inner = plainly(self.inner) if plain else self.inner
        if options.no_wrap and not isinstance(inner, Text):
            # Piped, a sentence stays one line; but what is in a panel or a table has its
            # place to keep, so it wraps there rather than being cut off.
            options = options.update(no_wrap=False, overflow="fold")
        segments = out.render(inner, options)
        for segment in _trimmed(segments) if plain else segments:
            if segment.control is None and segment.text:
                yield Segment(safe(segment.text), segment.style)
            else:
                yield segment


def _trimmed(segments: Iterable[Segment]) -> Iterator[Segment]:
    """`segments` without the spaces that end a line: rich pads a panel's or a table's
    lines to the width, which plain text, with no background to fill, does not need."""
    spaces: list[Segment] = []  # spaces seen since the last text: kept if text follows
    for segment in segments:
        if segment.control is not None:
            yield segment
            continue
        for number, part in enumerate(segment.text.split("\n")):
            if number:
                spaces.clear()
                yield Segment("\n")
            text = part.rstrip(" ")
            if text:
                yield from spaces
                spaces.clear()
                yield Segment(text, segment.style)
            if len(text) < len(part):
                spaces.append(Segment(part[len(text) :], segment.style))
    yield from spaces


class _SafeHook(RenderHook):
    def process_renderables(self, renderables: list[ConsoleRenderable]) -> list[ConsoleRenderable]:
        return [_SafeText(renderable) for renderable in renderables]


# --- author ---------------------------------------------------------------------------------


def problems(out: Console, heading: str, found: list[tuple[str, str]]) -> None:
    out.print(f"[bold red]{escape(heading)}[/]")
    for place, message in found:
        out.print(f"  [yellow]{escape(place)}[/]: {escape(message)}")


def check_ok(out: Console, path: str, title: str, item_count: int, rule_count: int) -> None:
    out.print(
        f"[green]ok[/] {escape(path)}: [bold]{escape(title)}[/], "
        f"{counted(item_count, 'item')}, {counted(rule_count, 'rule')}"
    )


def sealed(out: Console, result: SealResult) -> None:
    if result.new_key:
        out.print(f"Created your author key at {escape(str(result.key_path))} (keep it private).")
    out.print(
        f"[green]Sealed[/] {result.item_count} items into [bold]{escape(str(result.output))}[/]"
    )
    out.print(f"List id:         {result.list_id}")
    out.print(f"Key fingerprint: [bold]{result.fingerprint}[/]")
    out.print("Tell the recipient this fingerprint, so they can check the list is from you.")
    if result.passphrase:
        out.print("The list opens only with the passphrase: tell it to the recipient yourself.")
    if result.codes_path is not None:
        days = ", ".join(str(day) for day in result.checkin_days)
        out.print(
            f"[yellow]Check-in codes[/] for day {days} are in "
            f"[bold]{escape(str(result.codes_path))}[/]: keep that file to yourself and "
            "give each code on its day. It is not in the sealed file."
        )


# --- recipient ------------------------------------------------------------------------------


def opened(out: Console, result: OpenResult) -> None:
    from rich.table import Table

    info = result.info
    if result.reopened:
        out.print(
            f"[green]Brought back[/] [bold]{escape(info.title)}[/] from the archive, "
            "its journal and photos as they were."
        )
    if result.restored:
        out.print(
            f"[green]Put back[/] the sealed copy of [bold]{escape(info.title)}[/]; "
            "its journal is kept as it was."
        )
    verb = "Already open" if result.already_open else "Opened"
    out.print(
        f"[green]{verb}:[/] [bold]{escape(info.title)}[/] from {escape(info.author)} "
        f"({info.item_count} days)"
    )
    out.print(f"Author key fingerprint: [bold]{info.fingerprint}[/]")
    if info.letter.strip():
        out.print(Panel(Text(letter_text(info.letter)), title="A letter for you", padding=(1, 2)))
    if result.letter_photo is not None:
        picture(out, result.letter_photo, "With the letter, a picture")
    if info.rules:
        table = Table.grid(padding=(0, 1))
        for number, rule in enumerate(info.rules, start=1):
            table.add_row(f"{number}.", Text(rule))
        out.print(Panel(table, title="The rules", padding=(0, 2)))
    if result.sharing is not None:
        if result.sharing.consent:
            out.print(
                f"[green]You share[/] {_FOLLOWED[result.sharing.mode]} with "
                f"{escape(info.author)}. Say where it goes with [bold]dailylist share setup "
                "REMOTE[/]; your reflections stay yours until you release them."
            )
        else:
            out.print(
                f"Not shared with {escape(info.author)}: nothing of this list goes to them "
                "(open it again with --share to change your mind)."
            )
    out.print(f"When you are ready: [bold]dailylist today --list {escape(info.name)}[/]")


#: What each follow mode lets the author see, in words.
_FOLLOWED = {
    "progress": "your progress (the dates, item numbers and times of your days)",
    "photos": "your progress (dates, item numbers and times) and the day's photos "
    "(small copies, at most 1600 pixels)",
}


def follow_request(out: Console, info: ListInfo) -> None:
    """What the author asks to follow, before she is asked whether to share it."""
    mode = info.settings.follow or "progress"
    out.print(
        f"{escape(info.author)} asks to follow this list: {_FOLLOWED[mode]}. Your "
        "reflections are never part of it unless you release them, day by day or all at "
        "once; everything goes encrypted to their key only."
    )


def picture(out: Console, path: Path, caption: str) -> None:
    """An enclosed picture: a preview on a terminal that draws, its path otherwise."""
    out.print(f"[dim]{escape(caption)}:[/]")
    if can_draw(out):
        try:
            out.print(photo_preview(path, 40))
            return
        except OSError:
            pass
    out.print(str(path), soft_wrap=True)


def postcards(out: Console, cards: Iterable[Postcard], photos: Callable[[str], Path]) -> None:
    """The author's postcards, each with its picture."""
    for card in cards:
        body: list[Any] = [Text(reflow(card.note))]
        if card.checkin is not None:
            body.append(Text(f"(it carries the code of day {card.checkin})", style="dim"))
        out.print(
            Panel(
                Group(*body),
                title=f"A postcard · {card.written_at:%Y-%m-%d %H:%M}",
                title_align="left",
                padding=(0, 1),
            )
        )
        if card.photo is not None:
            picture(out, photos(card.photo), "With the postcard")


def homecoming(info: ListInfo, *, several: bool = False) -> str:
    """What to do once every day is done, in the author's name: "When Tom is home:
    dailylist export -o for-tom.zip" (with `--list NAME` when `several` lists are open)."""
    from dailylist.picking import list_name

    slug = list_name(info.author, "")
    command = f"dailylist export -o {f'for-{slug}' if slug else 'report'}.zip"
    if several:
        command += f" --list {info.name}"
    return f"When {escape(info.author)} is home: [bold]{escape(command)}[/]"


def today(out: Console, view: TodayView, now: datetime, *, several: bool = False) -> None:
    """`today`; `several`: more lists than this one are open (commands then name it)."""
    info, decision = view.info, view.decision
    if isinstance(decision, rules.Finished):
        out.print(f"[green]Every one of the {info.item_count} days is done.[/] Well done.")
        out.print(homecoming(info, several=several))
        out.print("Look back with [bold]dailylist journal[/].")
        return
    if isinstance(decision, rules.Waiting):
        out.print(f"Day {day_number(decision.done_index)} of {info.item_count} is done.")
        unlocks = decision.unlocks_at
        out.print(f"The next item unlocks {spoken_time(unlocks, now)} ({how_far(unlocks, now)}).")
        _postcards_of(out, view)
        return
    number = day_number(decision.index)
    if view.needs_code:
        out.print(
            f"Day {number} of {info.item_count} is a check-in: {escape(info.author)} will give "
            "you its code. Then: [bold]dailylist today --code CODE[/]"
        )
        opens = view.opens_without_code_at
        if opens is not None:
            out.print(
                f"If no code comes, it opens without one {spoken_time(opens, now)} "
                f"({how_far(opens, now)})."
            )
        _postcards_of(out, view)
        return
    item = view.item
    assert item is not None
    title = f"Day {number} of {info.item_count}"
    if item.title:
        title += f": {item.title}"
    out.print(Panel(Text(reflow(item.text)), title=escape(title), padding=(1, 2)))
    if view.opened_by == "postcard":
        out.print(f"Opened with the code {escape(info.author)} sent by postcard.")
    elif view.opened_by == "fallback":
        days = info.settings.checkin_fallback_days
        out.print(f"Opened without the code, after {counted(days or 0, 'day')} waiting.")
    if view.enclosure is not None:
        picture(out, view.enclosure, "With it, a picture")
    _postcards_of(out, view)
    needs = item.requirements(info.settings)
    args = ["--photo PATH" if needs.photo == "required" else "[--photo PATH]"]
    if needs.reflection != "off":
        args.append("--note TEXT" if needs.reflection == "required" else "[--note TEXT]")
    out.print(f"When it is done: [bold]dailylist done {escape(' '.join(args))}[/]")


def _postcards_of(out: Console, view: TodayView) -> None:
    folder = view.photo_dir
    if view.postcards and folder is not None:
        postcards(out, view.postcards, lambda sha: folder / f"{sha}.jpg")


def completed(out: Console, result: CompletionResult, *, several: bool = False) -> None:
    """`done`; `several`: more lists than this one are open (commands then name it)."""
    event, count = result.event, result.info.item_count
    photos = len(event.photos)
    number = day_number(event.index)
    kept = f"({counted(photos, 'photo')} kept)"
    if number == count:
        out.print(f"[green]Day {number} of {count} done[/] {kept}: that was the last one.")
        out.print(f"Every one of the {count} days is done. Well done.")
        out.print(homecoming(result.info, several=several))
        return
    out.print(f"[green]Day {number} of {count} done[/] {kept}. See you tomorrow.")


def amended(out: Console, entry: Entry) -> None:
    photos = len(entry.photos)
    versions = entry.reflection_versions
    last = entry.amendments[-1] if entry.amendments else None
    added = (
        last is not None
        and last.reflection is not None
        and len(versions) > 1
        and versions[-1][1].startswith(versions[-2][1])
    )
    if added:
        out.print(
            f"[green]Day {entry.number} amended:[/] your words are added after the reflection "
            f"({counted(photos, 'photo')}; the journal and reports say when)."
        )
        return
    out.print(
        f"[green]Day {entry.number} amended[/] ({counted(photos, 'photo')}; what you wrote "
        "first stays in the journal, and reports show it under the new words)."
    )


def warn(err: Console, message: str) -> None:
    err.print(f"[yellow]warning:[/] {escape(message)}")


def photo_preview(path: Path, width: int) -> Text:
    """A small picture in text: each character shows two pixels with the upper half block."""
    from dailylist.photos import upright_copy

    small = upright_copy(path, width * 2).convert("RGB")
    height = max(2, round(width * small.height / small.width / 2) * 2)
    rgb = small.resize((width, height)).tobytes()

    def colour(x: int, y: int) -> str:
        start = (y * width + x) * 3
        return "#" + rgb[start : start + 3].hex()

    text = Text()
    for y in range(0, height, 2):
        for x in range(width):
            text.append("▀", style=f"{colour(x, y)} on {colour(x, y + 1)}")
        text.append("\n")
    return text


def _entry_panel(
    entry: Day,
    photos: list[Path] | None,
    flags: Sequence[PhotoFlag],
    fallback_days: int | None = None,
) -> Panel:
    """One day of the journal; with `photos` (their files), small previews of them."""
    from dailylist.lookback import earlier_reflections, opened_note
    from dailylist.photo_flags import sentence

    body: list[Any] = [Text(reflow(entry.item.text), style="italic")]
    if entry.reflection:
        body.append(Text("\n" + entry.reflection))
    for line in earlier_reflections(entry):
        body.append(Text(line, style="dim"))
    for number, photo in enumerate(entry.photos):
        taken = f", taken {photo.taken_at:%Y-%m-%d %H:%M}" if photo.taken_at else ""
        body.append(
            Text(
                f"\nphoto {photo.stored_name[:12]}… {photo.format} "
                f"{photo.width}x{photo.height}{taken}",
                style="dim",
            )
        )
        if photos is not None:
            try:
                body.append(photo_preview(photos[number], 40))
            except OSError:
                body.append(Text("(the photo file is missing; see dailylist doctor)", "yellow"))
    if entry.photo_taken_before_reveal:
        body.append(Text("a photo was taken before the item was revealed", style="yellow"))
    note = opened_note(entry.reveal, fallback_days)
    if note is not None:
        body.append(Text(f"check-in: {note}", style="dim"))
    if entry.enclosure is not None:
        body.append(Text(f"with a picture from the author: {entry.enclosure}", style="dim"))
        if photos is not None:
            with contextlib.suppress(OSError):
                body.append(photo_preview(entry.enclosure, 40))
    for card in entry.postcards:
        body.append(Text(f"\npostcard ({card.written_at:%Y-%m-%d}): {card.note}", style="italic"))
    for flag in flags:
        body.append(Text(f"flagged: {sentence(flag, len(entry.photos))}", style="yellow"))
    title = f"Day {entry.number} · {entry.day.isoformat()}"
    if entry.item.title:
        title += f" · {entry.item.title}"
    if entry.item.checkin:
        title += " · check-in"
    if entry.amended:
        title += " · amended"
    return Panel(Group(*body), title=escape(title), title_align="left", padding=(0, 1))


def _photo_files(found: History, entry: Day) -> list[Path]:
    return [found.opened.files.photo(photo.stored_name) for photo in entry.photos]


def journal(out: Console, found: History, *, previews: bool = False) -> None:
    info, stats = found.info, found.stats
    out.print(
        f"[bold]{escape(info.title)}[/] from {escape(info.author)}: "
        f"{stats.done_count} of {counted(stats.item_count, 'day')} done"
    )
    if not found.entries:
        out.print("Nothing done yet. Start with [bold]dailylist today[/].")
        return
    if previews and not can_draw(out):
        previews = False
        out.print("(Photo previews need a terminal with colour; here the photos are listed.)")
    for entry in found.entries:
        files = _photo_files(found, entry) if previews else None
        out.print(
            _entry_panel(entry, files, found.flags_of(entry), info.settings.checkin_fallback_days)
        )
    if stats.missed_days:
        days = ", ".join(day.isoformat() for day in stats.missed_days)
        out.print(f"[yellow]Missed days:[/] {days}")


def can_draw(out: Console) -> bool:
    """Whether photo previews can be drawn: a terminal that shows colour (no `NO_COLOR`)."""
    return out.is_terminal and not out.no_color and out.color_system is not None


def day(out: Console, found: History, entry: Day) -> None:
    """One day in full, with previews of its photos on a terminal (their paths otherwise)."""
    previews = can_draw(out)
    files = _photo_files(found, entry) if previews else None
    fallback = found.info.settings.checkin_fallback_days
    out.print(_entry_panel(entry, files, found.flags_of(entry), fallback))
    if not previews:
        for path in _photo_files(found, entry):
            out.print(str(path), soft_wrap=True)
    for aside in found.opened.replay.set_aside:
        if aside.index == entry.index:
            out.print(
                f"[yellow]Also done on another device[/] ({aside.completion.at:%Y-%m-%d %H:%M}), "
                "set aside: this one came first. It stays in the journal:"
            )
            if aside.reflection:
                out.print(Text(reflow(aside.reflection)))
            for photo in aside.photos:
                out.print(str(found.opened.files.photo(photo.stored_name)), soft_wrap=True)


_STATE_LABELS = {
    "not-started": "ready to start",
    "waiting-for-you": "today's item is waiting",
    "done-today": "done for today",
    "finished": "finished",
}


_SHARING = {
    "declined": "no, you did not agree",
    "agreed": "agreed; say where with `dailylist share setup REMOTE`",
    "sharing": "yes, what is new goes out with each sync",
    "stopped": "stopped; nothing more goes out",
    "not asked": "not asked yet",
}


def status(out: Console, views: list[ListStatus], now: datetime, *, closed: int = 0) -> None:
    """The status table; `closed` counts the closed lists it leaves out."""
    from rich.table import Table

    if not views:
        if closed:
            out.print(
                f"No list is open: {closed} closed "
                f"({'see' if closed == 1 else 'see them with'} [bold]dailylist status --all[/], "
                "bring one back with [bold]dailylist open FILE.dlist[/])."
            )
        else:
            out.print("No list is open yet: run [bold]dailylist open FILE.dlist[/].")
        return
    table = Table(title=None, show_lines=False)
    # A list's name is what `--list` takes: never cut short, however narrow the terminal.
    widest = max(len(view.info.name) for view in views)
    table.add_column("list", min_width=min(widest, 40), overflow="fold")
    for column in ("progress", "streak", "missed", "today", "next unlock"):
        table.add_column(column)
    for view in views:
        stats = view.stats
        table.add_row(
            Text(f"{view.info.title}\n{view.info.name}"),
            f"{stats.done_count}/{stats.item_count}",
            str(stats.streak),
            str(len(stats.missed_days)),
            "closed" if view.closed else _STATE_LABELS[stats.state],
            when(stats.unlocks_at, now) if stats.unlocks_at else "",
        )
    out.print(table)
    for view in views:
        notes = []
        if view.syncs:
            exchanged = when(view.synced_at, now) if view.synced_at else "never yet"
            reached = when(view.reached_at, now) if view.reached_at else "never yet"
            notes.append(f"last exchanged {exchanged}, last reached the remote {reached}")
        for number in view.set_aside_days:
            notes.append(
                f"day {number} was done on two devices and one is set aside: "
                f"`dailylist show {number}` shows both"
            )
        if view.sharing is not None:
            notes.append(f"shared with {escape(view.info.author)}: {_SHARING[view.sharing]}")
        if view.set_aside and not view.set_aside_days:
            notes.append(f"{counted(view.set_aside, 'completion')} set aside")
        if notes:
            out.print(f"{escape(view.info.name)}: {'; '.join(notes)}.")


# --- reports --------------------------------------------------------------------------------


@contextlib.contextmanager
def progress_bar(
    err: Console, label: str
) -> Iterator[tuple[Callable[[int], None], Callable[[int], None]]]:
    """A progress bar on `err` for long jobs (only on a terminal); yields (set_total, advance)."""
    from rich.progress import Progress

    with Progress(console=err, transient=True, disable=is_plain(err)) as bar:
        task = bar.add_task(label, total=None)

        def set_total(total: int) -> None:
            bar.update(task, total=total)

        def advance(step: int) -> None:
            bar.advance(task, step)

        yield set_total, advance


def exported(out: Console, result: ExportResult) -> None:
    said = f"{escape(result.title)}, {counted(result.entries, 'day')}, "
    said += counted(result.photos, "photo")
    out.print(f"[green]Wrote[/] {escape(str(result.output))}: {said}")
    if result.format == "zip":
        out.print(
            "One file holds the page to read, the report `dailylist verify` checks and the "
            "photos: send it as it is."
        )
    if result.photos_dir is not None:
        out.print(f"Photos are in {escape(str(result.photos_dir))}/: send them with the report.")


def verdict(out: Console, result: Verdict) -> None:
    if result.other_list is not None:
        out.print(f"[bold red]Not a report of this list:[/] {escape(result.other_list)}.")
        return
    out.print(_checks_table(None, result.checks, "FAILED"))
    if not result.genuine:
        out.print("[bold red]The report does not hold up.[/]")
        return
    out.print("[green]The report is genuine, complete, in order and one a day.[/]")
    if result.holds is not None:
        for line in holds_lines(result.holds):
            out.print(escape(line))


def holds_lines(holds: Holds) -> list[str]:
    """What a genuine report holds, in a few plain lines."""
    from dailylist.photo_flags import said

    def listed(things: list[str]) -> str:
        return f"{len(things)}: {'; '.join(things)}." if things else "none."

    done = f"Days done: {holds.done} of {holds.item_count}"
    if holds.finished_on is not None:
        done += f", finished on {holds.finished_on.isoformat()}"
    amended = [
        f"day {day}" + ("" if times == 1 else f", {times} times") for day, times in holds.amended
    ]
    flags = [f"day {flag.day}'s photo {flag.photo} {said(flag)}" for flag in holds.flags]
    cards = []
    if holds.postcards:  # not hers to sign: his to recognise
        cards = [
            f"Your postcards: {holds.postcards}, as she received them; they are not in her "
            "signed journal, so compare them with what you sent."
        ]
    return [
        f"{done}.",
        f"Missed days: {listed([day.isoformat() for day in holds.missed_days])}",
        f"Days amended: {listed(amended)}",
        "Completions set aside (a day done on two devices): "
        + listed([f"day {day}" for day in holds.set_aside]),
        f"Photos flagged: {listed(flags)}",
        *cards,
    ]


# --- doctor ---------------------------------------------------------------------------------


def _checks_table(title: str | None, checks: Iterable[Check], bad: str) -> Any:
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    table.add_column("check")
    table.add_column("verdict")
    table.add_column("details", overflow="fold")  # ids and paths whole, never cut short
    for check in checks:
        mark = "[green]ok[/]" if check.ok else f"[bold red]{bad}[/]"
        table.add_row(check.name, mark, Text("\n".join(check.problems) or check.detail))
    return table


def examinations(out: Console, home: Check, results: list[Examination]) -> None:
    if not home.ok:
        out.print(_checks_table(None, [home], "PROBLEM"))
    if not results:
        out.print("No list is open yet; no list to check.")
    for result in results:
        out.print(_checks_table(f"{result.name} ({result.list_id})", result.findings, "PROBLEM"))
    if home.ok and all(result.healthy for result in results):
        out.print("[green]All is well.[/]")
    elif results:
        out.print(
            "Nothing was changed. A damaged journal can be restored from its backup with "
            "[bold]dailylist doctor --restore-backup[/]."
        )


def restore_plan(out: Console, plan: RestorePlan) -> None:
    out.print(f"The backup holds {plan.backup_events} events.")
    if plan.current_events is None:
        out.print("The journal now is damaged or missing; restoring brings the backup back.")
    else:
        out.print(f"The journal now holds {plan.current_events} events.")
    if plan.lost:
        out.print("[yellow]Restoring would drop these events from the journal:[/]")
        for line in plan.lost:
            out.print(f"  {escape(line)}")


def restored(out: Console, kept: Path | None) -> None:
    out.print("[green]Restored the journal from its backup.[/]")
    if kept is not None:
        out.print(f"The journal it replaced is kept as {escape(str(kept))}.")


# --- following a list (the author) --------------------------------------------------------------


def followed(out: Console, view: FollowView, now: datetime) -> None:
    """A list the author follows: where she stands, each day done with its photos (previews
    on a terminal that draws), missed days, her released reflections, his postcards, and
    whatever does not hold."""
    info = view.info
    zone = now.tzinfo
    out.print(
        f"[bold]{escape(info.title)}[/]: {counted(len(view.days), 'day')} of "
        f"{info.item_count} done; {escape(view.where)}."
    )
    draw = can_draw(out)
    for day_done in view.days:
        body: list[Any] = [Text(f"done {day_done.completed_at.astimezone(zone):%Y-%m-%d %H:%M}")]
        if day_done.opened:
            body.append(Text(f"check-in: {day_done.opened}", style="dim"))
        for sha256, path in day_done.photos:
            body.append(Text(f"photo {sha256[:12]}…", style="dim"))
            if draw and path is not None:
                with contextlib.suppress(OSError):
                    body.append(photo_preview(path, 40))
        if day_done.reflection is not None:
            body.append(Text("\n" + reflow(day_done.reflection)))
        else:
            body.append(Text("(her reflection is hers until she releases it)", style="dim"))
        title = f"Day {day_done.day} · {day_done.date.isoformat()}"
        out.print(Panel(Group(*body), title=escape(title), title_align="left", padding=(0, 1)))
    if view.missed:
        out.print(f"[yellow]Missed days:[/] {', '.join(d.isoformat() for d in view.missed)}")
    for card in view.postcards:
        to = f"day {card.day}" if card.day else "at once"
        out.print(f"Your postcard of {card.written_at:%Y-%m-%d} ({to}): {escape(card.note)}")
    for problem in view.problems:
        out.print(f"[red]Does not hold:[/] {escape(problem)}")
    if not view.problems and view.shared:
        out.print(
            "[green]Everything checks[/] against your sealed list, by the rules of `verify`."
        )
