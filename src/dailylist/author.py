"""What the author does: start a list from a template, check it, seal it."""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, fields
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dailylist.domain import MIN_PASSPHRASE, Item, Settings, counted
from dailylist.errors import BadInput, DamagedData, ProblemsFound
from dailylist.formats import ListSource
from dailylist.limits import LIST_SOURCE
from dailylist.store import DataDir, check_out, read_input_file, write_out

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

#: The shortest passphrase `seal` takes: the file can be tried offline, as often as one likes.

TEMPLATE = '''\
# A dailylist list. Write it, check it, seal it, give the sealed file away:
#
#   dailylist check my-list.toml
#   dailylist seal my-list.toml -o my-list.dlist
#
# Only the title, author, letter and rules can be read without opening the list;
# every item is encrypted, and the recipient sees one a day.

title = "A month for you"
author = "Your name"

# The letter is shown when the list is opened. Write it like a letter.
letter = """
Dear you,

Here is one small thing for every day. Take them in order, one a day.
"""

# Shown with the letter. Write your own; these are the ones dailylist enforces.
rules = [
  "One a day, in order.",
  "No reading ahead, no skipping.",
  "A photo each day, as proof.",
  "Really live each one, then write how it felt.",
]

[settings]
photo = "required"          # "required" or "optional"
reflection = "required"     # "required", "optional" or "off"
day_starts_at = "04:00"     # a day runs from this time to the same time next day
# reflection_prompt = "What did you do, and how did it feel?"
# language = "en"           # the language the list is written in ("de", "pt-BR"...)

# One [[items]] block per day, in order. `title` is optional; so are per-item
# `photo` and `reflection`, which override the settings above for that day.
# `checkin = true` makes a day a check-in: its item opens only with a code that
# `dailylist seal` gives you (in my-list.codes.txt), for you to tell on the day.

[[items]]
title = "A night off"
text = "Take tonight off. No chores, no screens after nine."

[[items]]
text = "Call someone you have lost touch with."

[[items]]
text = "Walk somewhere you have never been, and photograph what surprised you."
reflection = "optional"

# [[items]]
# text = "Meet me at the bench where we first talked. I will bring the coffee."
# checkin = true
'''

#: What the template says until the author changes it.
_PLACEHOLDER_AUTHOR = "Your name"


def warnings(source: ListSource) -> list[str]:
    """What in a valid source is likely a slip: the template's placeholder still there."""
    if source.author == _PLACEHOLDER_AUTHOR:
        return [
            f'author is still "{_PLACEHOLDER_AUTHOR}": put your own name, so the recipient '
            "knows who the list is from"
        ]
    return []


def write_template(path: Path, home: Path, *, force: bool = False) -> None:
    """Write a commented template list to `path` (refuses to overwrite unless `force`, and
    anything but a regular file outside the data dir at `home`)."""
    check_out(path, home, what="list source", force=force)
    write_out(path, TEMPLATE.encode("utf-8"), what="list source")


@dataclass(frozen=True)
class Problem:
    """One problem in a list source and where it is (`place` is "line 4" or a field path)."""

    place: str
    message: str

    def __str__(self) -> str:
        return f"{self.place}: {self.message}"


def _friendly(error: dict[str, Any]) -> str:
    kind = error["type"]
    loc = error["loc"]
    if kind == "missing":
        return f"{loc[-1]} is missing"
    if kind in ("extra_forbidden", "unexpected_keyword_argument"):
        section = "setting" if loc[:1] == ("settings",) else "field"
        return f"unknown {section} {loc[-1]!r}"
    if kind.startswith("time_") and loc[-1] == "day_starts_at":
        return 'must be a time of day as "HH:MM", for example "04:00"'
    if kind == "too_short" and loc == ("items",):
        return "the list has no items: add [[items]] blocks with text = ..."
    if kind == "literal_error":
        return f"{loc[-1]} must be one of {error['ctx']['expected']}"
    message = str(error["msg"])
    return message.removeprefix("Value error, ")


def _field_of(
    loc: tuple[Any, ...], error: dict[str, Any]
) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """A problem a settings or item type found in itself names its field first ("text must
    not be empty"): place it at that field, as pydantic places its own."""
    message = str(error["msg"]).removeprefix("Value error, ")
    field, _, rest = message.partition(" ")
    if error["type"] == "value_error" and field in _OWN_FIELDS and rest:
        return (*loc, field), {**error, "msg": rest}
    return loc, error


_OWN_FIELDS = {f.name for cls in (Item, Settings) for f in fields(cls)}


def _field_path(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for part in loc:
        if isinstance(part, int):
            parts[-1] = f"{parts[-1]}[{part + 1}]" if parts else f"[{part + 1}]"
        else:
            parts.append(str(part))
    return ".".join(parts)


_TABLE = re.compile(r"^\s*\[\[?\s*([A-Za-z0-9_.-]+)\s*\]?\]\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_-]+)\s*=")


def _line_of(lines: list[str], loc: tuple[Any, ...]) -> int | None:
    """Best-effort line number (1-based) of a pydantic location in a TOML source."""
    table = ""
    item_count = -1
    best: int | None = None
    for number, line in enumerate(lines, start=1):
        if m := _TABLE.match(line):
            table = m.group(1)
            if line.lstrip().startswith("[[") and table == "items":
                item_count += 1
            if (table,) == tuple(loc[:1]) and table != "items":
                best = best or number
            if table == "items" and len(loc) >= 2 and loc[0] == "items" and loc[1] == item_count:
                best = number
            continue
        key = m.group(1) if (m := _KEY.match(line)) else None
        if key is None:
            continue
        if table == "" and loc[:1] == (key,):
            return number
        if table == "settings" and tuple(loc[:2]) == ("settings", key):
            return number
        if table == "items" and tuple(loc) == ("items", item_count, key):
            return number
    return best


def check_source_text(text: str) -> tuple[ListSource | None, list[Problem]]:
    """Validate a list source; every problem is reported, each with its place."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        if _is_sealed(text):
            return None, [
                Problem(
                    "list",
                    "this is a sealed list (.dlist), not a source: it was checked when it "
                    "was sealed; `dailylist open` opens it",
                )
            ]
        message = str(exc)
        place = "TOML syntax"
        if m := re.search(r"\(at line (\d+), column (\d+)\)", message):
            place = f"line {m.group(1)}, column {m.group(2)}"
            message = message[: m.start()].strip()
        return None, [Problem(place, f"TOML syntax error: {message}")]

    from pydantic import ValidationError

    try:
        return ListSource.model_validate(data), []
    except ValidationError as exc:
        lines = text.splitlines()
        located = []
        for error in exc.errors():
            loc, details = _field_of(tuple(error["loc"]), dict(error))
            line = _line_of(lines, loc)
            place = _field_path(loc) or "list"
            if line is not None:
                place = f"line {line}, {place}"
            located.append((line or 0, Problem(place, _friendly(details))))
        located.sort(key=lambda pair: pair[0])
        return None, [problem for _, problem in located]


def _is_sealed(text: str) -> bool:
    """Whether `text` is a sealed list's JSON."""
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        return False
    return isinstance(document, dict) and "header" in document and "items" in document


def read_source(path: Path) -> str:
    raw = read_input_file(path, what="list source", cap=LIST_SOURCE)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadInput(f"{path} is not UTF-8 text") from exc


def load_source(path: Path) -> ListSource:
    """The list source at `path`, or `ProblemsFound` listing every problem."""
    source, problems = check_source_text(read_source(path))
    if source is None:
        count = len(problems)
        raise ProblemsFound(
            f"{path} has {counted(count, 'problem')}",
            [(p.place, p.message) for p in problems],
        )
    return source


@dataclass(frozen=True)
class SealResult:
    output: Path
    list_id: str
    item_count: int
    fingerprint: str
    new_key: bool
    key_path: Path
    codes_path: Path | None
    checkin_days: tuple[int, ...]
    passphrase: bool
    #: What in the source is likely a slip (see `warnings`); sealed all the same.
    warnings: tuple[str, ...] = ()


def codes_path_for(output: Path) -> Path:
    """Where the author-only codes of a sealed list go: beside it, `NAME.codes.txt`."""
    return output.with_name(f"{output.stem}.codes.txt")


def codes_text(title: str, list_id: str, codes: dict[int, str]) -> str:
    lines = [
        f"Check-in codes for {title!r} (list {list_id})",
        "Keep this file to yourself. On each day below, give the recipient its code,",
        "by phone or in person; without it that day's item cannot be read.",
        "",
    ]
    lines += [f"Day {index + 1:>3}: {code}" for index, code in sorted(codes.items())]
    return "\n".join(lines) + "\n"


def seal_source(
    data: DataDir,
    path: Path,
    output: Path,
    now: datetime,
    *,
    force: bool = False,
    passphrase: str | None = None,
) -> SealResult:
    """Check and seal the list at `path` into `output`, signed with the author's key.

    Check-in items get codes, written to an author-only file beside `output` and nowhere
    else. With `passphrase`, the list opens only with it.
    """
    from dailylist.sealing import open_sealed, seal

    source = load_source(path)
    codes_path = codes_path_for(output)
    has_checkins = any(item.checkin for item in source.items)
    if output.resolve() == path.resolve():
        raise BadInput("the sealed file would overwrite the source; choose another -o")
    # Before a key is made: a failed seal makes nothing.
    check_out(output, data.root, what="sealed list", force=force)
    if has_checkins:
        check_out(codes_path, data.root, what="codes file", force=force)
    if passphrase is not None and len(passphrase) < MIN_PASSPHRASE:
        raise BadInput(
            f"a passphrase needs at least {MIN_PASSPHRASE} characters (a few words are best): "
            "anyone holding the file can try short ones quickly"
        )
    key, new_key = load_or_create_author_key(data.author_key)
    sealed_output = seal(source, key, now, passphrase=passphrase)
    # Prove it opens before writing it.
    unsealed = open_sealed(
        sealed_output.raw,
        source=str(output),
        passphrase=(lambda: passphrase or "") if passphrase is not None else None,
    )
    for index, code in sealed_output.codes.items():
        unsealed.checkin_key(index, code)
    header = unsealed.info
    if sealed_output.codes:
        text = codes_text(header.title, header.id, sealed_output.codes)
        write_out(codes_path, text.encode("utf-8"), what="codes file", private=True)
    write_out(output, sealed_output.raw, what="sealed list")
    return SealResult(
        output=output,
        list_id=header.id,
        item_count=header.item_count,
        fingerprint=header.fingerprint,
        new_key=new_key,
        key_path=data.author_key,
        codes_path=codes_path if sealed_output.codes else None,
        checkin_days=tuple(index + 1 for index in sorted(sealed_output.codes)),
        passphrase=passphrase is not None,
        warnings=tuple(warnings(source)),
    )


def load_or_create_author_key(path: Path) -> tuple[Ed25519PrivateKey, bool]:
    """The author's signing key at `path`, created (mode 0600) on first use.

    Returns the key and whether it was just created.
    """
    from dailylist.limits import SMALL, read_file
    from dailylist.sealing import author_key_from, new_author_key
    from dailylist.store import write_atomic

    if path.exists():
        try:
            pem = read_file(path, SMALL)
        except OSError as exc:
            raise DamagedData(f"the author key at {path} cannot be read ({exc})") from exc
        return author_key_from(pem, where=str(path)), False
    key, pem = new_author_key()
    write_atomic(path, pem)
    return key, True
