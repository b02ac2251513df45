"""The `dailylist` command line: parse, call the core, render. No rules and no file I/O here.

Heavy libraries (rich, pydantic, cryptography, Pillow) are imported inside the commands
that need them, so `--help` and quick commands start fast.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from dailylist import __version__
from dailylist.errors import (
    INTERNAL_ERROR,
    BadInput,
    DailylistError,
    DamagedData,
    ProblemsFound,
)
from dailylist.terminal import safe

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from click.shell_completion import CompletionItem
    from rich.console import Console

    from dailylist.clock import Clock
    from dailylist.domain import ListInfo
    from dailylist.photo_flags import PhotoFlag
    from dailylist.recipient import PendingCompletion
    from dailylist.sealed_list import UnsealedList
    from dailylist.services import UnitChange
    from dailylist.status import ListStatus
    from dailylist.store import DataDir
    from dailylist.sync.exchange import SyncReport


def _traceback_if(ctx: click.Context) -> None:
    if ctx.params.get("debug"):
        import traceback

        traceback.print_exc()


class DailylistGroup(click.Group):
    """Turns every failure into one line on stderr and its exit code: the core's errors
    into theirs, a bug into 70 (with --debug, a traceback as well; the code stays)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DailylistError as exc:
            _traceback_if(ctx)
            if isinstance(exc, ProblemsFound):
                from dailylist import render

                render.problems(render.console(stderr=True), exc.message, exc.problems)
            else:
                click.echo(f"dailylist: {safe(_said(exc))}", err=True)
            ctx.exit(exc.exit_code)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except BrokenPipeError:  # the reader has gone (`... --json | head`): nothing to say
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(1)
        except KeyboardInterrupt:
            click.echo("\ndailylist: interrupted; nothing was changed", err=True)
            ctx.exit(130)
        except OSError as exc:  # the system said no (a full disk, a read-only folder)
            _traceback_if(ctx)
            where = f" ({exc.filename})" if exc.filename else ""
            message = f"{exc.strerror or exc}{where}; nothing was changed"
            click.echo(f"dailylist: {safe(message)}", err=True)
            ctx.exit(2)
        except Exception as exc:
            _traceback_if(ctx)
            click.echo(
                f"dailylist: internal error ({type(exc).__name__}); this is a bug, please "
                "report it (run again with --debug to see where)",
                err=True,
            )
            ctx.exit(INTERNAL_ERROR)


#: What a person does about a refusal, on the command line, by its reason (see `errors`).
_HINTS = {
    "photo": "add --photo PATH",
    "reflection": "say what you did and how it felt (--note TEXT)",
    "empty": "write a few words (--note TEXT)",
    "no-reflection": "leave out --note",
    "reveal": "run `dailylist today` first",
    "again": "run `dailylist today`",
    "done": "`dailylist done` completes it",
    "nothing": "give --note TEXT and/or --photo PATH",
}


def _said(exc: DailylistError) -> str:
    """An error's message, in this front end's words: a clock behind the journal names the
    device that wrote its last entry, when another device did (its clock may be off)."""
    from dailylist.days import ClockBehind

    hint = _HINTS.get(exc.reason or "")
    if hint is not None:
        return f"{exc.message}: {hint}"
    if isinstance(exc, ClockBehind) and exc.device is not None:
        from dailylist.device import known_id
        from dailylist.store import DataDir
        from dailylist.sync.config import read_config

        data = DataDir.resolve(check=False)
        config = read_config(data)
        if config is not None and exc.device != known_id(data.root):
            name = config.devices.name(exc.device)
            return (
                f"{exc.message.removesuffix('; set the clock right and try again')}, written "
                f"on {name}: set this device's clock right, or {name}'s if it reads ahead"
            )
    return exc.message


def _now(ctx: click.Context) -> datetime:
    """The clock's reading, in the user's zone."""
    return _clock(ctx).now()


def _clock(ctx: click.Context) -> Clock:
    """The clock, its every reading checked to be one dailylist can work with."""
    from dailylist.days import check_now

    clock: Clock = ctx.obj["clock"]

    class Checked:
        def now(self) -> datetime:
            return check_now(clock.now())

    return Checked()


def _data() -> DataDir:
    from dailylist.store import DataDir

    return DataDir.resolve()


def _pick(data: DataDir, wanted: str | None) -> str:
    """The id of the list `--list` names (see `picking.pick`)."""
    from dailylist.picking import pick

    return pick(str(data.root), wanted)


def _out(quiet: bool = False) -> Console:
    from dailylist import render

    return render.console(quiet=quiet)


def _complete_list_names(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """Shell completion for --list: the names of the open lists."""
    from click.shell_completion import CompletionItem

    from dailylist.home import list_ids
    from dailylist.picking import name_of
    from dailylist.store import DataDir

    root = str(DataDir.resolve(check=False).root)  # names only: slugs, safe to offer
    names = (name_of(root, list_id) for list_id in list_ids(root))
    return [CompletionItem(name) for name in names if name.startswith(incomplete)]


def _complete_examples(incomplete: str) -> list[CompletionItem]:
    """Shell completion for --example: the bundled example lists."""
    from click.shell_completion import CompletionItem

    from dailylist.store import example_names

    return [CompletionItem(name) for name in example_names() if name.startswith(incomplete)]


class FilePath(click.Path):
    """A path given on the command line; an empty one is refused as no name at all, rather
    than taken as the current folder."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and not value.strip():
            self.fail("an empty name names no file; give a path", param, ctx)
        return super().convert(value, param, ctx)


list_option = click.option(
    "--list",
    "list_name",
    metavar="NAME",
    shell_complete=_complete_list_names,
    help="Which open list (its name, the start of it, or of its id); "
    "default: the only or last-opened one.",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
quiet_option = click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")


@click.group(cls=DailylistGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="dailylist")
@click.option(
    "--debug", is_flag=True, envvar="DAILYLIST_DEBUG", help="Show a traceback on errors."
)
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """A sealed list of daily challenges, revealed one day at a time.

    \b
    For the recipient:
      dailylist open gift.dlist       check the seal, read the letter and the rules
      dailylist today                 see today's item (only today's)
      dailylist done --photo pic.jpg --note "..."
      dailylist phone                 or do the day from your phone: scan its QR code
      dailylist sync                  keep the journal in step across your devices
      dailylist journal               look back (show DAY for one day in full)
      dailylist status                progress, streak, missed days
      dailylist export -o r.json      a report for the author
      dailylist share setup REMOTE    let the author follow along, if you agreed at open

    \b
    For the author:
      dailylist new my-list.toml      a template to fill in
      dailylist check my-list.toml    every problem, with its line
      dailylist seal my-list.toml -o my-list.dlist
      dailylist verify r.json --list my-list.dlist
      dailylist follow REMOTE --list my-list.dlist   follow her days, if she shares them
      dailylist postcard --list my-list.dlist --note "..."

    Data lives in the platform's data dir, or in $DAILYLIST_HOME when set.
    """
    from dailylist.clock import SystemClock

    ctx.ensure_object(dict)
    ctx.obj.setdefault("clock", SystemClock())


passphrase_file_option = click.option(
    "--passphrase-file",
    type=FilePath(path_type=Path),
    help="Read the passphrase from this file (its first line) instead of asking.",
)


def _read_passphrase_file(path: Path) -> str:
    from dailylist.limits import PASSPHRASE_FILE
    from dailylist.store import read_input_file

    raw = read_input_file(path, what="passphrase file", cap=PASSPHRASE_FILE)
    try:
        lines = raw.decode("utf-8").splitlines()
    except UnicodeDecodeError as exc:
        raise BadInput(f"{path} is not UTF-8 text") from exc
    if not lines or not lines[0]:
        raise BadInput(f"{path} holds no passphrase on its first line")
    return lines[0]


def _passphrase_source(passphrase_file: Path | None) -> Callable[[], str]:
    """Where a list's passphrase comes from, asked only if the list has one."""

    def ask() -> str:
        if passphrase_file is not None:
            return _read_passphrase_file(passphrase_file)
        if not _stdin_is_terminal():
            raise BadInput("this list needs its passphrase: pass --passphrase-file FILE")
        passphrase: str = click.prompt("Passphrase", hide_input=True)
        return passphrase

    return ask


# --- author ---------------------------------------------------------------------------------


@cli.command()
@click.argument("path", type=FilePath(path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
@quiet_option
def new(path: Path, force: bool, quiet: bool) -> None:
    """Write a commented template list to PATH.

    \b
    Example:
      dailylist new my-list.toml
    """
    from dailylist.author import write_template

    write_template(path, _data().root, force=force)
    if not quiet:
        click.echo(safe(f"Wrote {path}. Fill it in, then: dailylist check {path}"))


@cli.command()
@click.argument("path", type=FilePath(path_type=Path))
def check(path: Path) -> None:
    """Check a list source and report every problem with its place.

    Exits 0 when the list is ready to seal, 2 when it has problems.

    \b
    Example:
      dailylist check my-list.toml
    """
    from dailylist import render
    from dailylist.author import enclosed_pictures, load_source, warnings

    source = load_source(path)
    enclosed_pictures(source, path)  # every enclosed picture there and a real image
    render.check_ok(_out(), str(path), source.title, len(source.items), len(source.rules))
    for warning in warnings(source):
        render.warn(render.console(stderr=True), warning)


@cli.command()
@click.argument("path", type=FilePath(path_type=Path))
@click.option(
    "-o",
    "--output",
    type=FilePath(path_type=Path),
    help="The sealed file to write [default: PATH with .dlist].",
)
@click.option("--force", is_flag=True, help="Overwrite the output (and codes file) if they exist.")
@click.option("--passphrase", "ask_passphrase", is_flag=True, help="Ask for a passphrase (twice).")
@passphrase_file_option
@click.pass_context
@quiet_option
def seal(
    ctx: click.Context,
    path: Path,
    output: Path | None,
    force: bool,
    ask_passphrase: bool,
    passphrase_file: Path | None,
    quiet: bool,
) -> None:
    """Seal a list source into a .dlist file, signed with your author key.

    The key is created in the data dir on first use; its fingerprint is printed so the
    recipient can check who sealed the list. Items with `checkin = true` get a code each,
    written to NAME.codes.txt beside the output: keep it, and give each code on its day.
    With --passphrase the list opens only with the passphrase.

    \b
    Examples:
      dailylist seal my-list.toml -o my-list.dlist
      dailylist seal my-list.toml -o my-list.dlist --passphrase
    """
    from dailylist import render
    from dailylist.author import seal_source

    passphrase = None
    if passphrase_file is not None:
        passphrase = _read_passphrase_file(passphrase_file)
    elif ask_passphrase:
        if not _stdin_is_terminal():
            raise BadInput(
                "there is no terminal to ask for the passphrase on: pass --passphrase-file FILE"
            )
        passphrase = click.prompt("Passphrase", hide_input=True, confirmation_prompt=True)
    target = output or path.with_suffix(".dlist")
    result = seal_source(_data(), path, target, _now(ctx), force=force, passphrase=passphrase)
    render.sealed(_out(quiet), result)
    for warning in result.warnings:
        render.warn(render.console(stderr=True), warning)


# --- recipient ------------------------------------------------------------------------------


@cli.command(name="open")
@click.argument("path", type=FilePath(path_type=Path), required=False)
@click.option(
    "--example",
    metavar="NAME",
    shell_complete=lambda ctx, param, incomplete: _complete_examples(incomplete),
    help="Open a bundled example list instead of PATH.",
)
@passphrase_file_option
@click.option(
    "--share/--no-share",
    default=None,
    help="Answer the author's request to follow the list (asked on a terminal; default no).",
)
@click.pass_context
@quiet_option
def open_command(
    ctx: click.Context,
    path: Path | None,
    example: str | None,
    passphrase_file: Path | None,
    share: bool | None,
    quiet: bool,
) -> None:
    """Open a sealed list: check its seal, keep a copy, show the letter and the rules.

    A list sealed with a passphrase asks for it (or reads --passphrase-file). A list whose
    author asks to follow along says what they ask and asks you (the answer defaults to
    no; --share or --no-share answers it in scripts).

    \b
    Examples:
      dailylist open gift.dlist
      dailylist open --example find-yourself
      dailylist open gift.dlist --share      # let the author follow along
    """
    from dailylist import render
    from dailylist.limits import SEALED_LIST
    from dailylist.opening import open_list
    from dailylist.store import example_path, read_input_file

    if (path is None) == (example is None):
        raise BadInput("give either a sealed list file or --example NAME")
    source = path if path is not None else example_path(str(example))
    raw = read_input_file(source, what="sealed list", cap=SEALED_LIST)
    passphrase = _passphrase_source(passphrase_file)
    result = open_list(
        _data(),
        raw,
        _now(ctx),
        source=str(source),
        passphrase=passphrase,
        share=lambda info, asked: _share_answer(info, asked, share, quiet),
    )
    render.opened(_out(quiet), result)


def _share_answer(info: ListInfo, asked: bool, flag: bool | None, quiet: bool) -> bool | None:
    """Her answer to the author's request to follow: the flag, else asked on a terminal
    (once), else none (which is no)."""
    if flag is not None or asked or not _stdin_is_terminal():
        return flag
    from dailylist import render

    render.follow_request(_out(quiet), info)
    answer: bool = click.confirm(safe(f"Share this with {info.author}?"), default=False)
    return answer


@cli.command()
@click.argument("name", metavar="NAME", shell_complete=_complete_list_names)
@click.option("--yes", is_flag=True, help="Close it without asking.")
@quiet_option
def close(name: str, yes: bool, quiet: bool) -> None:
    """Close a list: move its folder to the archive in the data dir (nothing is deleted).

    From then on `status`, `prompt`, the reminders and --list leave it out; `status --all`
    still shows it, and `open` of the same .dlist file brings it back, journal and all.

    \b
    Example:
      dailylist close city-walk
    """
    from dailylist.opening import close_list
    from dailylist.picking import name_of

    data = _data()
    list_id = _pick(data, name)
    shown = name_of(str(data.root), list_id)
    if not yes:
        if not _stdin_is_terminal():
            raise BadInput("pass --yes to close a list without a terminal to ask on")
        question = f"Close {shown}? Its folder moves to the archive; nothing is deleted"
        click.confirm(safe(question), abort=True)
    archived = close_list(data, list_id)
    if not quiet:
        click.echo(safe(f"Closed {shown}: kept in {archived}; open its file to bring it back."))


@cli.command()
@click.option(
    "--code",
    metavar="CODE",
    help="The code for a check-in day, as the author gave it (asked for when needed).",
)
@list_option
@json_option
@click.pass_context
def today(ctx: click.Context, code: str | None, list_name: str | None, as_json: bool) -> None:
    """Show today's item, if the rules allow one; else say when the next one unlocks.

    Exits 1 when today's item is already done (or a check-in day waits for its code).

    \b
    Examples:
      dailylist today
      dailylist today --code K7QF-M2XA-PL9R-TT3E
    """
    from dailylist import rules
    from dailylist.recipient import reveal_today

    data = _data()
    now = _now(ctx)
    files = data.list_files(_pick(data, list_name))
    view = reveal_today(files, _clock(ctx), code=_code_source(code))
    if as_json:
        from dailylist import jsonout

        jsonout.print_json(jsonout.today_json(view))
    else:
        from dailylist import render

        several = isinstance(view.decision, rules.Finished) and len(data.opened_list_ids()) > 1
        render.today(_out(), view, now, several=several)
    if isinstance(view.decision, rules.Waiting) or view.needs_code:
        ctx.exit(1)


def _photo_option(help_text: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    # A plain click.Path: the photo check itself names an empty path ("a photo's path is
    # empty"), in the words it uses for every photo it refuses.
    return click.option(
        "--photo", "photos", multiple=True, type=click.Path(path_type=Path), help=help_text
    )


@cli.command()
@_photo_option("A photo as proof (JPEG, PNG, WebP, HEIC); repeat for several.")
@click.option(
    "--note",
    metavar="TEXT",
    help="Your reflection: what you did, how it felt ('-' reads it from stdin). "
    "Without it, dailylist asks (or opens $EDITOR).",
)
@click.option(
    "--share-reflection",
    is_flag=True,
    help="Release this day's reflection to the author who follows the list.",
)
@list_option
@click.pass_context
@quiet_option
def done(
    ctx: click.Context,
    photos: tuple[Path, ...],
    note: str | None,
    share_reflection: bool,
    list_name: str | None,
    quiet: bool,
) -> None:
    """Complete today's revealed item with a photo and a reflection.

    \b
    Examples:
      dailylist done --photo bath.jpg --note "I cried at the end of the film."
      dailylist done --photo a.jpg --photo b.heic      # asks for the reflection
      dailylist done --photo a.jpg --note "..." --share-reflection   # the author may read it
    """
    from dailylist import render
    from dailylist.recipient import complete_today

    data = _data()
    files = data.list_files(_pick(data, list_name))
    if share_reflection:
        from dailylist.sharing import read_sharing

        chosen = read_sharing(files)
        if chosen is None or not chosen.consent:
            raise BadInput("this list is not shared with its author: leave out --share-reflection")
    result = complete_today(
        files,
        _clock(ctx),
        photos,
        reflection=lambda pending: _reflection(pending, note),
        warn=_warn,
    )
    _warn_taken_before(result.photos_before_reveal)
    _warn_flags(result.flags, len(result.event.photos))
    render.completed(_out(quiet), result, several=len(data.opened_list_ids()) > 1)
    if share_reflection:
        from dailylist.sharing import release

        release(files, (result.event.index + 1,))
        if not quiet:
            click.echo("Its reflection is released to the author: it goes with the next sync.")


@cli.command()
@_photo_option("Replace today's photos with these; repeat for several.")
@click.option("--note", metavar="TEXT", help="Replace today's reflection ('-' reads stdin).")
@click.option(
    "--append",
    metavar="TEXT",
    help="Add TEXT to today's reflection, after what is there ('-' reads stdin).",
)
@list_option
@click.pass_context
@quiet_option
def amend(
    ctx: click.Context,
    photos: tuple[Path, ...],
    note: str | None,
    append: str | None,
    list_name: str | None,
    quiet: bool,
) -> None:
    """Add to today's reflection, or change it or the photos, on the same day only.

    The change is added to the journal; what you wrote first is kept there too, and
    reports show it under the new words. Without --note, --append or --photo on a
    terminal, your reflection opens in $EDITOR to rework.

    \b
    Examples:
      dailylist amend --append "Later that night I called her back."
      dailylist amend --note "It was harder than I said."   # replaces the reflection
      dailylist amend --photo better.jpg
    """
    from dailylist import render
    from dailylist.recipient import PendingAmendment, amend_today, appended

    if note is not None and append is not None:
        raise BadInput("give --note (replace the reflection) or --append (add to it), not both")

    def reflection(target: PendingAmendment) -> str | None:
        if append is not None:
            return appended(target, _read_stdin() if append == "-" else append)
        if note == "-":
            return _read_stdin()
        if note is None and not photos and _stdin_is_terminal():
            return _ask_reflection(target.pending, target.entry.reflection or "")
        return note

    data = _data()
    files = data.list_files(_pick(data, list_name))
    entry, early = amend_today(
        files,
        _clock(ctx),
        photos,
        reflection=reflection,
        warn=_warn,
        flagged=lambda flags: _warn_flags(flags, len(photos)),
    )
    _warn_taken_before(early)
    render.amended(_out(quiet), entry)


@cli.command()
@list_option
@click.option(
    "--host",
    metavar="HOST",
    help="The address to listen on: default this computer's on the local network; "
    "127.0.0.1 keeps the page to this computer.",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    metavar="N",
    default=0,
    show_default="any free port",
    help="The port to listen on (a fixed one is easier to open in a firewall).",
)
@click.option("--once", is_flag=True, help="Stop once the day is done.")
@click.option(
    "--qr",
    "qr_file",
    type=click.Path(path_type=Path, dir_okay=False),
    metavar="FILE",
    help="Also write the QR code to FILE as a PNG image (readable by you only).",
)
@click.option("--force", is_flag=True, help="Replace the --qr file if it exists.")
@click.option(
    "--keep",
    is_flag=True,
    help="Keep the page's address (token and port) from one run to the next, so a bookmark "
    "or home-screen icon works every day.",
)
@click.option(
    "--new-token", is_flag=True, help="A new kept address: every old bookmark stops working."
)
@click.option(
    "--service",
    is_flag=True,
    help="Print a systemd user unit that keeps the page up whenever the computer is (with "
    "--install: write and enable it; --uninstall: remove it).",
)
@click.option("--install", is_flag=True, help="With --service: write and enable the unit.")
@click.option("--uninstall", is_flag=True, help="With --service: stop and remove the unit.")
@click.pass_context
def phone(
    ctx: click.Context,
    list_name: str | None,
    host: str | None,
    port: int,
    once: bool,
    qr_file: Path | None,
    force: bool,
    keep: bool,
    new_token: bool,
    service: bool,
    install: bool,
    uninstall: bool,
) -> None:
    """Do today's item from your phone: a page on the local network, camera and all.

    Prints an address and its QR code: scan it with the phone (on the same Wi-Fi), see
    today's item, take the photo, write how it felt, send. It is `today` and `done` (and
    `amend`) with the same rules, kept in the same journal; the letter, where the list
    stands and every day done are a tap away. Serves until Ctrl-C (with --once, until the
    day is done). Anyone on the network who learns the address can use it while it runs:
    it is printed only here. Plain HTTP: see the README's threat model.

    \b
    Examples:
      dailylist phone
      dailylist phone --once --port 8765
      dailylist phone --keep                  # the same address every day: bookmark it
      dailylist phone --service --install     # kept up whenever the computer is
      dailylist phone --qr code.png --force   # the QR code as an image too
      dailylist phone --host 127.0.0.1        # only from this computer's browser
    """
    from dailylist import render
    from dailylist.phone.serve import serve

    data = _data()
    list_id = _pick(data, list_name)
    if service or install or uninstall:
        _phone_service(data, list_id, host, port, install=install, uninstall=uninstall)
        return
    err = render.console(stderr=True)
    serve(
        data,
        list_id,
        _clock(ctx),
        host,
        port,
        once=once,
        out=_out(),
        warn=lambda line: render.warn(err, line),
        qr_file=qr_file,
        force=force,
        keep=keep,
        new_token=new_token,
    )


def _phone_service(
    data: DataDir, list_id: str, host: str | None, port: int, *, install: bool, uninstall: bool
) -> None:
    """`phone --service`: print, install or remove the unit that keeps the page up."""
    from dailylist import services
    from dailylist.phone.keep import install_service, service_unit, uninstall_service, unit_name
    from dailylist.picking import name_of

    if install and uninstall:
        raise BadInput("give --install or --uninstall, not both")
    name = name_of(str(data.root), list_id)
    if uninstall:
        _said_units(uninstall_service(name), what="phone page", unit="service")
        return
    if install:
        doing = "the phone's page, kept up whenever you are logged in (dailylist phone --keep)"
        _said_units(install_service(name, host, port), doing, what="phone page", unit="service")
        return
    click.echo(
        safe(f"# {services.user_unit_dir() / unit_name(name)}\n{service_unit(name, host, port)}")
    )
    click.echo("# --install writes and enables it.", err=True)


@cli.group(invoke_without_command=True)
@list_option
@json_option
@click.pass_context
def sync(ctx: click.Context, list_name: str | None, as_json: bool) -> None:
    """Keep a list's journal in step across your devices, through git or a synced folder.

    Without a subcommand, exchange now, both ways, and say what came in, what went out and
    any clash. Nothing else touches the network. Everything sent is encrypted (age) with a
    key the sync passphrase unlocks once per device.

    \b
    Examples:
      dailylist sync setup ~/remotes/dailylist.git     # the first device (a bare repository)
      dailylist sync join ssh://me@host/dailylist.git  # each other device
      dailylist sync setup --folder ~/Sync/dailylist   # or a folder Syncthing keeps in step
      dailylist sync                                   # exchange now
      dailylist sync --json | jq '.lists[].events_in'  # what came in, for scripts
    """
    if ctx.invoked_subcommand is not None:
        return
    from dailylist.sync.commands import sync as exchange

    data = _data()
    list_id = None if list_name is None else _pick(data, list_name)
    report = exchange(data, list_id, _now(ctx))
    _said_sync(report, _now(ctx), as_json)
    shared = _share_due(data, list_id, _now(ctx), quiet=as_json)
    if any(part.problem for part in report.lists) or shared:
        ctx.exit(1)


def _share_due(data: DataDir, list_id: str | None, now: datetime, *, quiet: bool) -> bool:
    """Send the author's copies of the lists she shares (or of `list_id`), as `sync` and
    `share` do; whether any had a file refused."""
    from dailylist.sync.share import share, shares

    refused = False
    for wanted in shares(data):
        if list_id is not None and wanted != list_id:
            continue
        report = share(data, wanted, now)
        refused = refused or bool(report.refused)
        if not quiet:
            from dailylist.sync.show import shared

            shared(_out(), report)
    return refused


def _said_sync(report: SyncReport, now: datetime, as_json: bool) -> None:
    if as_json:
        from dailylist.jsonout import print_json, sync_json

        print_json(sync_json(report))
        return
    from dailylist.sync.show import synced

    synced(_out(), report, now)


def _sync_passphrase(passphrase_file: Path | None) -> Callable[[bool], str]:
    """The sync passphrase: from the file, else asked (twice when it is a new one)."""

    def ask(new: bool) -> str:
        if passphrase_file is not None:
            return _read_passphrase_file(passphrase_file)
        if not _stdin_is_terminal():
            raise BadInput("the sync needs its passphrase: pass --passphrase-file FILE")
        if new:
            click.echo("Choose the sync passphrase: every device asks for it once.")
        passphrase: str = click.prompt("Sync passphrase", hide_input=True, confirmation_prompt=new)
        return passphrase

    return ask


_folder_option = click.option(
    "--folder",
    is_flag=True,
    help="REMOTE is a plain folder that a file-sync tool (Syncthing, Nextcloud, Dropbox) "
    "keeps in step, not a git remote.",
)
_device_name_option = click.option(
    "--device-name",
    metavar="NAME",
    help="What the other devices call this one (default: its host name), e.g. 'desk'.",
)


@sync.command(name="setup")
@click.argument("remote")
@_folder_option
@list_option
@passphrase_file_option
@_device_name_option
@json_option
@click.pass_context
def sync_setup(
    ctx: click.Context,
    remote: str,
    folder: bool,
    list_name: str | None,
    passphrase_file: Path | None,
    device_name: str | None,
    as_json: bool,
) -> None:
    """Start syncing a list, on the first device: asks for a sync passphrase twice.

    REMOTE is a git remote (a URL, or the path of a bare repository you made with `git init
    --bare`), or with --folder a plain folder. A remote this device syncs with already takes
    the list too.

    \b
    Examples:
      git init --bare ~/usb/dailylist.git && dailylist sync setup ~/usb/dailylist.git
      dailylist sync setup --folder ~/Sync/dailylist --passphrase-file pass.txt
    """
    from dailylist.sync.commands import setup

    data = _data()
    list_id = _pick(data, list_name)
    now = _now(ctx)
    report = setup(
        data,
        remote,
        list_id,
        now,
        folder=folder,
        passphrase=_sync_passphrase(passphrase_file),
        device_name=device_name,
    )
    _said_sync(report, now, as_json)
    if any(part.problem for part in report.lists):
        ctx.exit(1)  # a list was not exchanged: the report says why


@sync.command(name="join")
@click.argument("remote")
@_folder_option
@passphrase_file_option
@_device_name_option
@json_option
@click.pass_context
def sync_join(
    ctx: click.Context,
    remote: str,
    folder: bool,
    passphrase_file: Path | None,
    device_name: str | None,
    as_json: bool,
) -> None:
    """Take part on another device: brings every list in REMOTE, journals and photos.

    \b
    Examples:
      dailylist sync join ssh://me@host/dailylist.git
      dailylist sync join --folder ~/Sync/dailylist
    """
    from dailylist.sync.commands import join

    data = _data()
    now = _now(ctx)
    report = join(
        data,
        remote,
        now,
        folder=folder,
        passphrase=_sync_passphrase(passphrase_file),
        device_name=device_name,
    )
    _said_sync(report, now, as_json)
    if any(part.problem for part in report.lists):
        ctx.exit(1)  # a list was not exchanged: the report says why


# --- sharing with the author, and following ---------------------------------------------------


@cli.group(name="share", invoke_without_command=True)
@list_option
@click.pass_context
def share_group(ctx: click.Context, list_name: str | None) -> None:
    """Let the author of a list follow along, as you agreed at `open`.

    Without a subcommand, send what is new to the author's copy now and take in their
    postcards (`dailylist sync` does this too). What goes out is encrypted to the author's
    key only: your days, dates and times (and small copies of your photos, if they asked
    for photos); your reflections only once you release them.

    \b
    Examples:
      dailylist share setup ~/remotes/share.git        # where the author's copy goes
      dailylist share setup --folder ~/Sync/for-sam     # or a folder a sync tool keeps
      dailylist share                                   # send now
      dailylist share reflections --day 3               # release day 3's reflection
      dailylist share reflections --all                 # all of them, say when he is home
      dailylist share stop                              # nothing more goes out
    """
    if ctx.invoked_subcommand is not None:
        return
    from dailylist.sync.share import share, shares
    from dailylist.sync.show import shared

    data = _data()
    wanted = [_pick(data, list_name)] if list_name is not None else shares(data, active=False)
    if not wanted:
        raise BadInput("no list is shared yet: `dailylist share setup REMOTE`")
    refused = False
    for list_id in wanted:
        report = share(data, list_id, _now(ctx))
        shared(_out(), report)
        refused = refused or bool(report.refused)
    if refused:
        ctx.exit(1)


@share_group.command(name="setup")
@click.argument("remote")
@_folder_option
@list_option
@click.option("--agree", is_flag=True, help="Share it after all, if you said no at `open`.")
@click.pass_context
def share_setup(
    ctx: click.Context, remote: str, folder: bool, list_name: str | None, agree: bool
) -> None:
    """Say where the author's copy of a list goes, and send it there now.

    REMOTE is a git remote (a URL, or a bare repository's path) or with --folder a plain
    folder, as for sync; it may be your sync remote.

    \b
    Examples:
      git init --bare ~/usb/share.git && dailylist share setup ~/usb/share.git
      dailylist share setup --folder ~/Sync/for-sam
    """
    from dailylist.sync.share import setup
    from dailylist.sync.show import shared

    data = _data()
    report = setup(data, _pick(data, list_name), remote, _now(ctx), folder=folder, agree=agree)
    shared(_out(), report)


@share_group.command(name="stop")
@list_option
@click.pass_context
def share_stop(ctx: click.Context, list_name: str | None) -> None:
    """Stop sharing a list with its author: nothing more goes out.

    What went out already stays in the remote (remove it there if you wish).

    \b
    Example:
      dailylist share stop --list city-walk
    """
    from dailylist.sync.share import stop

    data = _data()
    list_id = _pick(data, list_name)
    stop(data, list_id, _now(ctx))
    click.echo("Sharing stopped: nothing more goes to the author. `dailylist status` says so.")


@share_group.command(name="reflections")
@click.option(
    "--day",
    "days",
    type=click.IntRange(min=1),
    multiple=True,
    metavar="N",
    help="Release day N's reflection (repeat for several).",
)
@click.option("--all", "everything", is_flag=True, help="Release every day's reflection so far.")
@list_option
@click.pass_context
def share_reflections(
    ctx: click.Context, days: tuple[int, ...], everything: bool, list_name: str | None
) -> None:
    """Release reflections to the author: they go with the next sync (or `share`).

    \b
    Examples:
      dailylist share reflections --day 3
      dailylist share reflections --all
    """
    from dailylist.sync.share import release

    if bool(days) == everything:
        raise BadInput("give --day N (one or more) or --all")
    data = _data()
    released = release(data, _pick(data, list_name), None if everything else days)
    shown = ", ".join(str(day) for day in released) or "none yet"
    click.echo(f"Released the reflections of days: {shown}. They go with the next sync.")


@cli.command()
@click.argument("remote", required=False)
@click.option(
    "--list",
    "list_name",
    metavar="LIST",
    help="The first time: your sealed list (.dlist); later: the name of a list you follow.",
)
@_folder_option
@passphrase_file_option
@json_option
@click.pass_context
def follow(
    ctx: click.Context,
    remote: str | None,
    list_name: str | None,
    folder: bool,
    passphrase_file: Path | None,
    as_json: bool,
) -> None:
    """Follow a list you sealed, as its recipient shares it with you (for the author).

    Shows each day done (date, time, photos), missed days, where she stands now, and every
    reflection she released; everything checked by the same rules as `verify`. Exits 1
    when something does not hold (it says what).

    \b
    Examples:
      dailylist follow ~/usb/share.git --list my-list.dlist   # the first time
      dailylist follow                                        # then, any day
      dailylist follow --list my-list --json
    """
    from dailylist.sync.follow import follow as read_again
    from dailylist.sync.follow import start

    data = _data()
    now = _now(ctx)
    passphrase = _passphrase_source(passphrase_file)
    if remote is not None:
        if list_name is None:
            raise BadInput("the first time, give your sealed list: --list my-list.dlist")
        views = [start(data, remote, Path(list_name), now, folder=folder, passphrase=passphrase)]
    else:
        views = read_again(data, list_name, now, passphrase=passphrase)
    if as_json:
        from dailylist.jsonout import follow_json, print_json

        found = [follow_json(view) for view in views]
        print_json(found[0] if len(found) == 1 else found)
    else:
        from dailylist.render import followed

        for view in views:
            followed(_out(), view, now)
    if any(view.problems for view in views):
        ctx.exit(1)


@cli.command()
@click.option(
    "--list",
    "list_name",
    metavar="LIST",
    required=True,
    help="Your sealed list (.dlist) or the name of a list you follow.",
)
@click.option("--note", metavar="TEXT", required=True, help="What you write.")
@click.option("--photo", type=click.Path(path_type=Path), help="A picture to send with it.")
@click.option(
    "--day",
    type=click.IntRange(min=1),
    metavar="N",
    help="Show it with day N's item (default: at once).",
)
@click.option(
    "--checkin",
    type=click.IntRange(min=1),
    metavar="N",
    help="Carry the code of check-in day N (from your codes file).",
)
@click.pass_context
def postcard(
    ctx: click.Context,
    list_name: str,
    note: str,
    photo: Path | None,
    day: int | None,
    checkin: int | None,
) -> None:
    """Write back to the recipient of a list you follow: signed with your author key,
    readable by her and you only, sent through her share remote.

    \b
    Examples:
      dailylist postcard --list my-list.dlist --note "Proud of you."
      dailylist postcard --list my-list.dlist --note "Day 5!" --photo us.jpg --day 5
      dailylist postcard --list my-list.dlist --note "Can't call" --checkin 4
    """
    from dailylist.sync.follow import send_postcard

    card = send_postcard(
        _data(), list_name, _now(ctx), note=note, photo=photo, day=day, checkin=checkin
    )
    when_shown = f"with day {card.day}" if card.day else "at once"
    click.echo(f"Postcard sent: she reads it at her next sync, {when_shown}.")


def _warn(note: str) -> None:
    """A warning, on stderr (what a photo check noted, say)."""
    from dailylist import render

    render.warn(render.console(stderr=True), note)


def _warn_flags(flags: tuple[PhotoFlag, ...], photos: int) -> None:
    """A warning for each of the day's `photos` flagged (the same as an earlier day's, dated
    after it was given); one taken before the reveal is said by `_warn_taken_before`."""
    from dailylist.photo_flags import sentence

    for flag in flags:
        if flag.kind != "taken-before-reveal":
            _warn(f"{sentence(flag, photos).removesuffix('.')}; kept, and reports flag it")


def _warn_taken_before(originals: tuple[str, ...]) -> None:
    from dailylist import render

    err = render.console(stderr=True)
    for original in originals:
        message = f"{original} was taken before today's item was revealed; noted in the journal"
        render.warn(err, message)


@cli.command()
@list_option
@click.pass_context
def prompt(ctx: click.Context, list_name: str | None) -> None:
    """Print a one-line status for a shell prompt: 'day 5/30 waiting', 'day 5/30 done'.

    Fast enough for every prompt; prints nothing when no list is open.

    \b
    Example (bash):
      PS1='$(dailylist prompt 2>/dev/null) \\$ '
    """
    line = _prompt_line(ctx, list_name)
    if line is not None:
        click.echo(safe(line))


def _prompt_line(ctx: click.Context, list_name: str | None) -> str | None:
    """The prompt's line for a list, the long way (None when no list is open)."""
    from dailylist import rules
    from dailylist.home import list_ids
    from dailylist.opened import keep_snapshot, snapshot_of
    from dailylist.snapshot import prompt_text

    data = _data()
    if not list_ids(str(data.root)):
        return None
    now = _now(ctx)
    files = data.list_files(_pick(data, list_name))
    snapshot, fresh = snapshot_of(files)
    standing = snapshot.standing
    line = prompt_text(rules.decide_today(standing, now), standing.done_count, standing.item_count)
    if not fresh:
        keep_snapshot(files, snapshot, now)
    return line


@cli.group()
def remind() -> None:
    """Daily reminders: a calendar event, a cron line, systemd units, a desktop notice.

    \b
    Examples:
      dailylist remind ics reminder.ics --at 08:30   # import into your calendar app
      dailylist remind cron >> my-crontab             # then: crontab my-crontab
      dailylist remind systemd --install              # a user timer, written and enabled
      dailylist remind notify                         # a notice now, if today's item waits
    """


at_option = click.option(
    "--at", "at_text", default="09:00", show_default=True, metavar="HH:MM", help="Time of day."
)


@remind.command(name="ics")
@click.argument("path", type=FilePath(path_type=Path))
@at_option
@list_option
@click.option("--force", is_flag=True, help="Replace PATH if it exists.")
@click.pass_context
@quiet_option
def remind_ics(
    ctx: click.Context, path: Path, at_text: str, list_name: str | None, force: bool, quiet: bool
) -> None:
    """Write an iCalendar file with a daily reminder event for each open list with days
    left (or for --list), each ending on the last day its list can end on. After a missed
    day, make it again and import it anew. An existing file is replaced only with --force.

    \b
    Example:
      dailylist remind ics reminder.ics --at 08:30
    """
    from dailylist.remind import calendar, parse_time, reminded, reminders, write_calendar

    at = parse_time(at_text)
    now = _now(ctx)
    data = _data()
    lists, nothing = reminded(data, list_name, now)
    planned = [plan for view in lists if (plan := reminders(view, at, now)) is not None]
    if lists and not planned:
        nothing = f"the last day of {_names(lists)} is today and {at:%H:%M} has passed: no "
        nothing += "reminder is left to give"
    if nothing:
        if not quiet:
            click.echo(safe(nothing[0].upper() + nothing[1:] + "."))
        return
    write_calendar(path, calendar(planned, now=now), data.root, force=force)
    if not quiet:
        ends = ", ".join(
            f"{plan.view.info.name} (the last on {plan.last_day.isoformat()})" for plan in planned
        )
        message = (
            f"Wrote {path}: a daily event at {at:%H:%M} for {ends}. Import it in a calendar. "
            "Each ends on the last day its list can end on; after a missed day, make it again."
        )
        click.echo(safe(message))


def _names(lists: list[ListStatus]) -> str:
    return ", ".join(view.info.name for view in lists)


@remind.command(name="cron")
@at_option
@list_option
@click.pass_context
def remind_cron(ctx: click.Context, at_text: str, list_name: str | None) -> None:
    """Print crontab lines that show a desktop notice when today's item is waiting.

    The time is in dailylist's time zone, set with CRON_TZ (cronie reads it; a cron that
    does not reads the time in the system's zone, as the comment printed with it says).
    With nothing left to remind of, prints nothing and says so on stderr.

    \b
    Example:
      (crontab -l; dailylist remind cron --at 19:00) | crontab -
    """
    from dailylist.remind import cron_lines, parse_time, reminded

    at = parse_time(at_text)
    now = _now(ctx)
    _, nothing = reminded(_data(), list_name, now)
    if nothing:  # stdout goes into a crontab: the words go to stderr
        click.echo(f"dailylist: {safe(nothing)}", err=True)
        return
    click.echo(cron_lines(at, list_name, now), nl=False)


@remind.command(name="systemd")
@at_option
@list_option
@click.option(
    "--install",
    is_flag=True,
    help="Write the units into your systemd user folder and enable the timer.",
)
@click.option("--uninstall", is_flag=True, help="Disable the timer and remove the units.")
@click.pass_context
def remind_systemd(
    ctx: click.Context, at_text: str, list_name: str | None, install: bool, uninstall: bool
) -> None:
    """A systemd user timer and service for a daily notice: written and enabled with
    --install, disabled and removed with --uninstall, else printed.

    The units go into $XDG_CONFIG_HOME/systemd/user (~/.config/systemd/user), and
    `systemctl --user` enables the timer; where it cannot (no systemctl, no user session)
    the files are written all the same and the command to run is said.

    \b
    Examples:
      dailylist remind systemd --at 19:00 --install
      dailylist remind systemd --uninstall
    """
    from dailylist import services
    from dailylist.remind import (
        install_units,
        parse_time,
        reminded,
        systemd_units,
        uninstall_units,
    )

    if install and uninstall:
        raise BadInput("give --install or --uninstall, not both")
    if uninstall:
        _said_units(uninstall_units())
        return
    at = parse_time(at_text)
    now = _now(ctx)
    _, nothing = reminded(_data(), list_name, now)
    if nothing:
        click.echo(f"dailylist: {safe(nothing)}", err=not install)
        return
    units = systemd_units(at, list_name, now)
    if install:
        _said_units(install_units(units), f"a notice at {at:%H:%M} when today's item is waiting")
        return
    for name, text in units.items():
        click.echo(safe(f"# {services.user_unit_dir() / name}\n{text}"))


def _said_units(
    change: UnitChange, doing: str | None = None, *, what: str = "reminder", unit: str = "timer"
) -> None:
    """What an install (of a `what` that does `doing`, by its `unit`) or an uninstall
    (`doing` None) did, and what is left for the person to run when systemctl could not do
    its part."""
    names = " and ".join(path.name for path in change.files)
    if doing is None and not change.files:
        line = f"No dailylist {what} is installed in {change.folder}: nothing to remove."
    elif doing is None:
        line = f"Removed {names} from {change.folder}."
    else:
        line = f"Wrote {names} in {change.folder}: {doing}. " + (
            f"The {unit} is enabled and started."
            if change.started
            else f"The {unit} is enabled: it starts at your next login."
            if change.enabled
            else f"The {unit} is not enabled yet."
        )
    click.echo(safe(line))
    if change.trouble is not None:
        said = f"dailylist: {change.trouble}; to finish, run: {change.by_hand}"
        click.echo(safe(said), err=True)


@remind.command(name="notify")
@list_option
@click.pass_context
def remind_notify(ctx: click.Context, list_name: str | None) -> None:
    """Show a desktop notice (notify-send) naming each list whose item waits; else nothing.

    Without notify-send the notice is printed instead.

    \b
    Example:
      dailylist remind notify
    """
    from dailylist.home import list_ids
    from dailylist.remind import notify, waiting

    data = _data()
    if not list_ids(str(data.root)):
        return
    lines = waiting(data, list_name, _now(ctx))
    if not lines:
        return
    verb = "is" if len(lines) == 1 else "are"
    message = f"{' and '.join(lines)} {verb} waiting: run `dailylist today`"
    if not notify(message):
        click.echo(safe(message))


@cli.command()
@click.argument("shell", type=click.Choice(["bash", "zsh", "fish"]))
def completion(shell: str) -> None:
    """Print the shell completion script for bash, zsh or fish (list names included).

    \b
    Examples:
      eval "$(dailylist completion bash)"                      # in ~/.bashrc
      eval "$(dailylist completion zsh)"                       # in ~/.zshrc
      dailylist completion fish > ~/.config/fish/completions/dailylist.fish
    """
    from click.shell_completion import get_completion_class

    completer = get_completion_class(shell)
    assert completer is not None
    click.echo(completer(cli, {}, "dailylist", "_DAILYLIST_COMPLETE").source())


def _stdin_is_terminal() -> bool:
    return sys.stdin.isatty()


def _read_stdin() -> str:
    """A reflection given on standard input (`--note -`): UTF-8 text, or `BadInput`."""
    from dailylist.limits import REFLECTION, size_text

    stream = sys.stdin.buffer if hasattr(sys.stdin, "buffer") else None
    most = 2 * REFLECTION  # room for blank lines around it, which are left out
    raw = stream.read(most + 1) if stream is not None else sys.stdin.read(most + 1).encode()
    if len(raw) > most:
        raise BadInput(
            f"the reflection on standard input is longer than {size_text(REFLECTION)}; "
            "nothing was written"
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadInput("the reflection on standard input is not UTF-8 text") from exc


def _code_source(code: str | None) -> Callable[[], str] | None:
    """Where a check-in code comes from: --code, else a prompt on a terminal, else nowhere."""
    if code is not None:
        return lambda: code
    if not _stdin_is_terminal():
        return None

    def ask() -> str:
        typed: str = click.prompt("Today is a check-in. The code the author gave you")
        return typed

    return ask


def _reflection(pending: PendingCompletion, note: str | None) -> str | None:
    """The reflection from --note, stdin, $EDITOR or a prompt (None: none given)."""
    if note == "-":
        return _read_stdin()
    if note is not None or pending.requirements.reflection == "off":
        return note
    if not _stdin_is_terminal():
        if pending.requirements.reflection == "required":
            raise BadInput(
                "a reflection is required: pass --note TEXT (or --note - to read stdin); "
                "there is no terminal to ask on"
            )
        return None
    return _ask_reflection(pending, "")


def _ask_reflection(pending: PendingCompletion, current: str) -> str:
    """Ask on the terminal: in $VISUAL/$EDITOR with the item shown, else at a prompt."""
    from dailylist.recipient import reflection_template, strip_template

    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if editor:
        import shlex
        import shutil

        try:
            words = shlex.split(editor)
        except ValueError:  # unbalanced quotes: click runs it as it is
            words = [editor]
        if not words or shutil.which(words[0]) is None:
            variable = "VISUAL" if os.environ.get("VISUAL") else "EDITOR"
            raise BadInput(
                f"the editor {editor!r} (from ${variable}) is not installed or not on PATH; "
                "nothing was written. Give the reflection with --note TEXT, or set "
                f"{variable} to an editor you have"
            )
        try:
            edited = click.edit(current + reflection_template(pending), extension=".md")
        except click.ClickException as exc:
            raise BadInput(
                f"the editor {editor!r} failed ({exc.message.rsplit(': ', 1)[-1]}); nothing "
                "was written. Give the reflection with --note TEXT, or set EDITOR to one "
                "that works"
            ) from exc
        return strip_template(edited or "")
    prompt_text = pending.info.settings.reflection_prompt
    typed: str = click.prompt(prompt_text, default=current, show_default=False)
    return typed


@cli.command()
@click.option("--photos", "previews", is_flag=True, help="Show small previews of the photos.")
@list_option
@json_option
@click.pass_context
def journal(ctx: click.Context, previews: bool, list_name: str | None, as_json: bool) -> None:
    """Look back: every completed day with its item, reflection and photos.

    \b
    Examples:
      dailylist journal --photos
      dailylist journal --json | jq '.entries[].reflection'
    """
    from dailylist.lookback import history

    data = _data()
    found = history(data, _pick(data, list_name), _now(ctx))
    if as_json:
        from dailylist import jsonout

        jsonout.print_json(jsonout.journal_json(found))
    else:
        from dailylist import render

        render.journal(_out(), found, previews=previews)


@cli.command()
@click.argument("number", type=click.IntRange(min=1), metavar="DAY")
@list_option
@json_option
@click.pass_context
def show(ctx: click.Context, number: int, list_name: str | None, as_json: bool) -> None:
    """Show one completed day in full: item, reflection and its photos.

    On a terminal the photos are drawn in small; otherwise their files are listed.

    \b
    Example:
      dailylist show 3
    """
    from dailylist.lookback import completed_day

    data = _data()
    found, entry = completed_day(data, _pick(data, list_name), number, _now(ctx))
    if as_json:
        from dailylist import jsonout

        jsonout.print_json(jsonout.show_json(found, entry))
    else:
        from dailylist import render

        render.day(_out(), found, entry)


@cli.command()
@list_option
@click.option("--all", "everything", is_flag=True, help="Show closed lists too.")
@json_option
@click.pass_context
def status(ctx: click.Context, list_name: str | None, everything: bool, as_json: bool) -> None:
    """Every open list: progress, streak, missed days and the next unlock.

    \b
    Examples:
      dailylist status --json
      dailylist status --all         # closed lists too
    """
    from dailylist.status import statuses
    from dailylist.sync.config import sync_state

    now = _now(ctx)
    data = _data()
    sync = sync_state(data, now)
    views, errors = statuses(data, now, list_name, closed=everything, sync=sync)
    if views or not errors:
        if as_json:
            from dailylist import jsonout

            jsonout.print_json(jsonout.status_json(views))
        else:
            from dailylist import render

            data = _data()
            closed = 0 if views or everything else len(data.archived_list_ids())
            render.status(_out(), views, now, closed=closed)
    if errors:
        raise (
            errors[0]
            if len(errors) == 1
            else DamagedData(
                f"{len(errors)} lists could not be read; `dailylist doctor` tells more"
            )
        )


@cli.command()
@click.option(
    "-o",
    "--output",
    type=FilePath(path_type=Path, allow_dash=True),
    help="The report file (.zip, .html, .md or .json), or - for standard output.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["zip", "html", "md", "json"]),
    help="Report format [default: from the file name; md for -].",
)
@click.option("--force", is_flag=True, help="Replace the report file if it exists.")
@click.option("--schema", is_flag=True, help="Print the JSON report's schema and exit.")
@list_option
@click.pass_context
@quiet_option
def export(
    ctx: click.Context,
    output: Path | None,
    fmt: str | None,
    force: bool,
    schema: bool,
    list_name: str | None,
    quiet: bool,
) -> None:
    """Write a report of the journal for the author: one zip, HTML, Markdown or JSON.

    A zip is the one file to send: the page to read, the JSON report `dailylist verify`
    checks, and the photos. HTML is one self-contained page with the photos inside;
    Markdown and JSON put the photos in a folder beside the report (NAME-photos/). With
    several lists open, say which with --list. An existing file is replaced only with
    --force, and never one in the data dir.

    \b
    Examples:
      dailylist export -o for-tom.zip      # the page, the report and the photos
      dailylist export -o journal.html
      dailylist export -o report.json      # then send report.json and report-photos/
      dailylist export -o - | less         # Markdown on standard output
      dailylist export --schema            # the JSON report's schema
    """
    from dailylist import jsonout, render

    if schema:
        from dailylist.report.document import report_schema

        jsonout.print_json(report_schema())
        return
    if output is None:
        raise BadInput("give the report file with -o FILE (.zip, .html, .md or .json), or -o -")
    from dailylist.picking import pick
    from dailylist.report.export import STDOUT, format_for
    from dailylist.report.export import export as write_report

    data = _data()
    list_id = pick(str(data.root), list_name, guess=False)  # a report goes to someone else
    chosen = format_for(output, fmt)
    with render.progress_bar(render.console(stderr=True), "Preparing photos") as (total, step):
        result = write_report(
            data, list_id, output, _now(ctx), chosen, force=force, progress=step, on_total=total
        )
    for warning in result.warnings:
        render.warn(render.console(stderr=True), warning)
    if output == STDOUT:
        assert result.text is not None
        text = safe(result.text) if sys.stdout.isatty() else result.text
        click.echo(text, nl=False)
        if chosen != "html" and result.photos:
            render.warn(
                render.console(stderr=True),
                "the photos stay in the data dir; export to a file to send them with it",
            )
        return
    render.exported(_out(quiet), result)


@cli.command()
@click.argument("report", type=FilePath(path_type=Path))
@click.option(
    "--list",
    "sealed_path",
    type=FilePath(path_type=Path),
    required=True,
    help="The sealed .dlist file the report is about.",
)
@click.option(
    "--photos",
    "photos_dir",
    type=FilePath(path_type=Path),
    help="The folder with the report's photos [default: NAME-photos/ beside NAME.json].",
)
@passphrase_file_option
@json_option
@click.pass_context
def verify(
    ctx: click.Context,
    report: Path,
    sealed_path: Path,
    photos_dir: Path | None,
    passphrase_file: Path | None,
    as_json: bool,
) -> None:
    """Check that a report is genuine, complete, in order and one a day, and say what it holds.

    For the author, with the sealed list they sent. REPORT is the zip they sent (read as
    it is: its report, its photos and its page), or a JSON report with its photos beside
    it. Exits 0 only when every check holds, 1 when one fails (each failure names the day
    and why) or the report is of another list, 2 when a file can't be read.

    \b
    Examples:
      dailylist verify for-tom.zip --list my-list.dlist
      dailylist verify report.json --list my-list.dlist
    """
    from dailylist import jsonout, render
    from dailylist.report.verify import verify_path

    def sealed() -> tuple[UnsealedList, str]:
        from dailylist.home import digest
        from dailylist.limits import SEALED_LIST
        from dailylist.sealing import open_sealed
        from dailylist.store import read_input_file

        raw = read_input_file(sealed_path, what="sealed list", cap=SEALED_LIST)
        passphrase = _passphrase_source(passphrase_file)
        return open_sealed(raw, source=str(sealed_path), passphrase=passphrase), digest(raw)

    verdict = verify_path(report, sealed, photos_dir, _now(ctx))
    if as_json:
        jsonout.print_json(jsonout.verdict_json(verdict))
    else:
        render.verdict(_out(), verdict)
    if not verdict.genuine:
        raise click.exceptions.Exit(1)


@cli.command()
@list_option
@click.option(
    "--restore-backup",
    is_flag=True,
    help="Put journal.json.bak back as the journal (after showing what would change).",
)
@click.option("--yes", is_flag=True, help="Restore without asking.")
@json_option
@click.pass_context
def doctor(
    ctx: click.Context, list_name: str | None, restore_backup: bool, yes: bool, as_json: bool
) -> None:
    """Check the data dir: sealed copies, journals, backups, photos and permissions.

    Each journal is replayed through the rules, as `verify` does a report. Exits 0 when
    all is well and 2 when something is damaged. With --restore-backup it shows what
    restoring journal.json.bak would change and, once you agree, restores it, keeping the
    replaced journal beside it.

    \b
    Examples:
      dailylist doctor
      dailylist doctor --list find-yourself --restore-backup
    """
    from dailylist import jsonout, render
    from dailylist.doctor import examine, examine_data_dir, plan_restore
    from dailylist.doctor import restore_backup as restore
    from dailylist.store import DataDir

    now = _now(ctx)
    if restore_backup:
        data = _data()
        list_id = _pick(data, list_name)
        render.restore_plan(_out(), plan_restore(data, list_id))
        if not yes:
            if not _stdin_is_terminal():
                raise BadInput("pass --yes to restore without a terminal to ask on")
            click.confirm("Restore the backup?", abort=True)
        render.restored(_out(), restore(data, list_id, now))
        return
    data = DataDir.resolve(check=False)  # what is wrong with it is reported, not refused
    home = examine_data_dir(data)
    ids = [_pick(data, list_name)] if list_name else data.opened_list_ids()
    from functools import partial

    from dailylist.sync.health import sync_checks

    more = partial(sync_checks, data)
    results = [examine(data, list_id, now, more) for list_id in ids]
    if as_json:
        jsonout.print_json(jsonout.examinations_json(home, results))
    else:
        render.examinations(_out(), home, results)
    if not home.ok or not all(result.healthy for result in results):
        raise click.exceptions.Exit(2)


def main() -> None:
    """Entry point of the `dailylist` script."""
    cli(prog_name="dailylist")
