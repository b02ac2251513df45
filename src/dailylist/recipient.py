"""What the recipient does each day, as whole use cases that every front end (the command
line, the phone's page) calls: see today's item (`reveal_today`), complete it
(`complete_today`), amend it (`amend_today`). Opening a list is in `opening`, where lists
stand in `status`, looking back in `lookback`.

A read (an item already shown, `status`) is answered from the list's snapshot. A write (the
day's first reveal, `done`, `amend`) takes the list's lock, reads the journal under it and
asks the rules, replaying it, whether the new event may be written (see `opened.append`).
Item texts are decrypted here, and only for items the rules allow to be shown. A refusal
carries a reason code (see `errors`); the words for it are each front end's.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from dailylist import limits, rules
from dailylist.clock import zone_name
from dailylist.domain import Item, ListInfo, Requirements, day_number
from dailylist.errors import BadInput, NotNow
from dailylist.opened import OpenedList, keep_snapshot, load, snapshot_of
from dailylist.opened import append as append_event
from dailylist.snapshot import Snapshot
from dailylist.store import ListFiles

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

    from dailylist import fold, photo_flags
    from dailylist.clock import Clock
    from dailylist.events import Completed, Event, PhotoRecord
    from dailylist.photo_flags import PhotoFlag
    from dailylist.photos import CheckedPhoto
    from dailylist.sharing import Postcard

E = TypeVar("E", bound="Event")


def _event(opened: OpenedList, cls: type[E], now: datetime, **fields: Any) -> E:
    """A new event of `cls` at `now`, to follow the journal `opened` was read from: after
    its last event, and after the last of any other device's line a sync brought in."""
    from dailylist.device import device_id
    from dailylist.journal import new_event

    return new_event(
        cls,
        prev=opened.journal.head,
        merges=opened.journal.other_tips,
        at=now,
        zone=zone_name(now),
        device=device_id(opened.files.data_root),
        **fields,
    )


# --- today ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TodayView:
    info: ListInfo
    decision: rules.TodayDecision
    item: Item | None = None
    revealed_at: datetime | None = None
    #: Today's item is a check-in, waiting for the author's code.
    needs_code: bool = False
    #: The picture enclosed with today's item, kept in the data dir once revealed.
    enclosure: Path | None = None
    #: How today's check-in item was opened without a code typed in ("postcard",
    #: "fallback"), if it was.
    opened_by: str | None = None
    #: For a check-in waiting for its code: since when, and when it opens without it.
    waiting_since: datetime | None = None
    opens_without_code_at: datetime | None = None
    #: The author's postcards to show today: for today's day, or for no day.
    postcards: tuple[Postcard, ...] = ()
    #: Where the pictures of postcards are kept (the list's photo store).
    photo_dir: Path | None = None

    @property
    def index(self) -> int | None:
        """The index of the item shown (or waiting for its code)."""
        return self.decision.index if isinstance(self.decision, rules.Available) else None


def _postcards(files: ListFiles, number: int | None) -> tuple[Postcard, ...]:
    """The author's postcards to show with day `number`: a list with none (most lists) does
    not load `sharing` on the way to today's item."""
    if not files.postcards.exists() and not files.postcards.is_symlink():
        return ()
    from dailylist.sharing import postcards_for

    return postcards_for(files, number)


def _shown(files: ListFiles, snapshot: Snapshot, decision: rules.TodayDecision) -> TodayView:
    """What `today` shows of a snapshot whose item, if any, is revealed already."""
    reveal = snapshot.standing.current
    if not isinstance(decision, rules.Available) or reveal is None or snapshot.current is None:
        number = day_number(decision.index) if isinstance(decision, rules.Available) else None
        return TodayView(
            snapshot.info,
            decision,
            postcards=_postcards(files, number),
            photo_dir=files.photos,
        )
    item = snapshot.current
    picture = None
    if item.enclosure is not None:
        picture = _picture(files, item.enclosure, reveal.index, reveal.item_key)
    return TodayView(
        snapshot.info,
        decision,
        item,
        reveal.at,
        enclosure=picture,
        postcards=_postcards(files, day_number(reveal.index)),
        photo_dir=files.photos,
    )


def _picture(files: ListFiles, sha256: str, index: int, key: bytes | None) -> Path | None:
    """The revealed item's picture, kept (decrypted from the sealed copy the first time)."""
    from dailylist import enclosures

    path = enclosures.path_of(files, sha256)
    if path.is_file():
        return path
    return enclosures.item_picture(files, load(files).unsealed, index, key)


def _checkin_key(
    opened: OpenedList, index: int, now: datetime, code: Callable[[], str] | None
) -> tuple[bytes | None, str | None]:
    """The key of check-in item `index` and how it came: the author's code sent by
    postcard, the list's fallback once it has waited its days, or the code typed in
    (`code`, asked last). (None, None) when none is at hand yet."""
    from dailylist.sharing import code_for

    unsealed = opened.unsealed
    card = code_for(opened.files, day_number(index))
    if card is not None and card.code is not None:
        with contextlib.suppress(BadInput):
            return unsealed.checkin_key(index, card.code), "postcard"
    opens = rules.fallback_opens_at(opened.standing)
    if opens is not None and now >= opens:
        return unsealed.fallback_key(index), "fallback"
    if code is None:
        return None, None
    return unsealed.checkin_key(index, code()), None


def reveal_today(
    files: ListFiles,
    clock: Clock,
    *,
    code: Callable[[], str] | None = None,
) -> TodayView:
    """Show today's item when the rules allow it, recording its first reveal.

    A check-in item is revealed only with the author's code: `code` is asked for it. The
    clock is read again once the lock is held, so the event is never older than one a
    racing command wrote meanwhile.
    """
    now = clock.now()
    snapshot, fresh = snapshot_of(files)
    decision = rules.decide_today(snapshot.standing, now)
    if not _newly(decision):
        view = _shown(files, snapshot, decision)
        if not fresh and not isinstance(decision, rules.Waiting):
            keep_snapshot(files, snapshot, now)
        return view
    # A first reveal is a write: from here on the journal decides, not the snapshot.
    opened = load(files)
    decision = rules.decide_today(opened.standing, now)
    if not isinstance(decision, rules.Available) or not decision.newly:
        return _shown(files, opened.snapshot(), decision)
    # A check-in code is asked for before the lock is taken: a person may take a while.
    # Under the lock the rules check again that the key it gives opens the item.
    item_key, opened_by = None, None
    if opened.unsealed.sealed.is_checkin(decision.index):
        item_key, opened_by = _checkin_key(opened, decision.index, now, code)
        if item_key is None:
            return TodayView(
                opened.unsealed.info,
                decision,
                needs_code=True,
                waiting_since=rules.checkin_waiting_since(opened.standing),
                opens_without_code_at=rules.fallback_opens_at(opened.standing),
                postcards=_postcards(files, day_number(decision.index)),
                photo_dir=files.photos,
            )
    with files.locked():
        opened = load(files)
        now = rules.write_moment(opened.standing, clock.now())
        again = rules.decide_today(opened.standing, now)
        if not isinstance(again, rules.Available) or not again.newly:
            return _shown(files, opened.snapshot(), again)  # revealed by another command
        if again.index != decision.index:
            raise NotNow("the list moved on meanwhile", reason="again")
        from dailylist import enclosures
        from dailylist.events import Revealed

        event = _event(
            opened, Revealed, now, index=again.index, item_key=item_key, opened_by=opened_by
        )
        moved = append_event(opened, event, now)
        enclosures.item_picture(files, opened.unsealed, again.index, item_key)
    view = _shown(files, moved, rules.Available(again.index, newly=False))
    return replace(view, opened_by=opened_by)


def _newly(decision: rules.TodayDecision) -> bool:
    return isinstance(decision, rules.Available) and decision.newly


# --- done and amend -------------------------------------------------------------------------


@dataclass(frozen=True)
class PendingCompletion:
    """Today's revealed item, ready to be completed (or amended), and what that requires."""

    info: ListInfo
    index: int
    item: Item
    revealed_at: datetime

    @property
    def requirements(self) -> Requirements:
        return self.item.requirements(self.info.settings)

    @property
    def number(self) -> int:
        return day_number(self.index)


class StaleForm(NotNow):
    """A form shown for another day than the one it would now complete or amend (sent
    late, after the list moved on): nothing was written."""

    def __init__(self, shown_for: int, now_day: int) -> None:
        super().__init__(
            f"the form was for day {shown_for}; the day to do now is day {now_day}",
            reason="stale",
        )
        self.shown_for = shown_for
        self.now_day = now_day


def prepare_completion(files: ListFiles, now: datetime) -> PendingCompletion:
    """What `done` would complete at `now`, or `NotNow` saying why nothing can be.

    Nothing is written: call this before asking the user for a reflection, so nobody types
    one only to be told no. `record_completion` decides again, from the journal.
    """
    snapshot, _ = snapshot_of(files)
    standing = snapshot.standing
    if standing.current is None and not standing.finished:
        try:
            rules.completable(standing, now)
        except NotNow:
            if rules.unlocks_at(standing, now) is None and _is_checkin(files, standing):
                raise NotNow(
                    f"today's item (day {day_number(standing.current_index)}) is a check-in: "
                    f"{snapshot.info.author} will give you its code; then run "
                    "`dailylist today --code CODE`, and `dailylist done` after"
                ) from None
            raise
    index, _ = rules.completable(standing, now)
    view = _shown(files, snapshot, rules.Available(index, newly=False))
    assert view.item is not None
    assert view.revealed_at is not None
    return PendingCompletion(snapshot.info, index, view.item, view.revealed_at)


def _is_checkin(files: ListFiles, standing: rules.Standing) -> bool:
    """Whether the list's next item is a check-in (read from its sealed copy)."""
    return load(files).unsealed.is_checkin(standing.current_index)


def check_proof(
    pending: PendingCompletion,
    photos: Sequence[object] | None,
    reflection: str | None,
    *,
    completing: bool,
) -> str | None:
    """The reflection to record (None for none), once the photos and reflection given keep
    the item's rules (`BadInput` saying how to mend them otherwise). For an amendment
    (`completing` False), None means "not changed"."""
    # Browsers send a text area's lines ending in CRLF, Windows editors too: kept as LF.
    text = None if reflection is None else _lines(reflection).strip()
    if text is not None and len(text.encode("utf-8", "surrogatepass")) > limits.REFLECTION:
        raise BadInput(
            f"the reflection is longer than {limits.size_text(limits.REFLECTION)} (some 5,000 "
            "words); shorten it. Nothing was written"
        )
    if text is not None and not text.isprintable():
        _check_utf8(text)
    if completing:
        text = text or None
    rules.check_no_reflection(pending.requirements, text)
    rules.check_proof(lambda: pending.requirements, photos, text, completing=completing)
    return text


def _lines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _check_utf8(text: str) -> None:
    """`BadInput` for a reflection that holds bytes that were not UTF-8 (from argv)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise BadInput("the reflection is not UTF-8 text; nothing was written") from exc


def require_photos(pending: PendingCompletion, photos: Sequence[object]) -> None:
    """`BadInput` when the item needs a photo and none was given (asked before the
    reflection, so nobody writes one only to be told no)."""
    rules.check_proof(lambda: pending.requirements, photos, None, completing=False)


_TEMPLATE_MARK = "#"


def reflection_template(pending: PendingCompletion) -> str:
    """The text an editor opens with: the item and the list's prompt, as comment lines."""
    title = f"Day {day_number(pending.index)}" + (
        f": {pending.item.title}" if pending.item.title else ""
    )
    lines = [
        "",
        f"{_TEMPLATE_MARK} {title}",
        *(f"{_TEMPLATE_MARK}   {line}" for line in pending.item.text.splitlines()),
        f"{_TEMPLATE_MARK}",
        f"{_TEMPLATE_MARK} {pending.info.settings.reflection_prompt}",
        f"{_TEMPLATE_MARK} Lines starting with '#' are left out.",
        f"{_TEMPLATE_MARK} An empty reflection saves nothing.",
    ]
    return "\n".join(lines) + "\n"


def strip_template(text: str) -> str:
    """The reflection written in the editor, without the template's comment lines."""
    kept = [line for line in text.splitlines() if not line.startswith(_TEMPLATE_MARK)]
    return "\n".join(kept).strip()


@dataclass(frozen=True)
class CompletionResult:
    event: Completed
    item: Item
    info: ListInfo
    photos_before_reveal: tuple[str, ...]
    #: What the day's photos are flagged for (see `photo_flags`), those before the reveal too.
    flags: tuple[PhotoFlag, ...] = ()


@dataclass(frozen=True)
class _GivenDay:
    """A day about to be done or amended, as `photo_flags` looks at it."""

    number: int
    photos: tuple[PhotoRecord, ...]
    photos_given_at: datetime
    revealed_at: datetime


def _flags(entries: Sequence[photo_flags.Proved], day: _GivenDay) -> tuple[PhotoFlag, ...]:
    """The flags of the photos of `day`, given after the days `entries`."""
    from dailylist import photo_flags

    return photo_flags.of_day(photo_flags.photo_flags([*entries, day]), day.number)


def record_completion(
    files: ListFiles,
    pending: PendingCompletion,
    photos: list[CheckedPhoto],
    reflection: str | None,
    clock: Clock,
) -> CompletionResult:
    """Complete the pending item: keep the photos, append the completion to the journal.

    The rules decide again under the lock, from the journal, so two `done` racing each
    other can't both win. If anything fails, photos copied by this call are removed and the
    journal is as it was.
    """
    from dailylist.events import Completed

    text = check_proof(pending, photos, reflection, completing=True)
    with _writing(files, photos) as (opened, records):
        # Read under the lock: never before an event a racer wrote.
        now = rules.write_moment(opened.standing, clock.now())
        index, day = rules.completable(opened.standing, now)
        if index != pending.index:
            raise NotNow("the list moved on while you were writing", reason="again")
        revealed_at = opened.standing.current.at if opened.standing.current else now
        early = rules.taken_before(photos, revealed_at)
        event = _event(
            opened,
            Completed,
            now,
            index=index,
            day=day,
            reflection=text,
            photos=records,
            photo_taken_before_reveal=bool(early),
            salt=_salt(opened, text),
        )
        append_event(opened, event, now)
        given = _GivenDay(day_number(index), records, now, revealed_at)
        flags = _flags(opened.replay.entries, given)
    early_names = tuple(p.shown for p in early)
    return CompletionResult(event, pending.item, pending.info, early_names, flags)


@dataclass(frozen=True)
class PendingAmendment:
    """Today's completed day, which may still be changed, as it stands now."""

    pending: PendingCompletion
    entry: fold.Entry


def prepare_amendment(files: ListFiles, now: datetime) -> PendingAmendment:
    """What `amend` would change at `now`, or `NotNow` once the day is over. Writes nothing."""
    opened = load(files)
    rules.amendable(opened.standing, now)
    entry = opened.replay.entries[-1]
    item = opened.unsealed.item(entry.index, entry.reveal.item_key)
    pending = PendingCompletion(opened.unsealed.info, entry.index, item, entry.revealed_at)
    return PendingAmendment(pending, entry)


def appended(target: PendingAmendment, addition: str) -> str:
    """The day's reflection with `addition` after it, a blank line between (`amend
    --append`): what was written stays as it was, and reports say what was added when."""
    current = target.entry.reflection
    addition = _lines(addition).strip()
    if not addition:
        raise BadInput("there is nothing to add: the text to append is empty", reason="nothing")
    return addition if not current else f"{current}\n\n{addition}"


def record_amendment(
    files: ListFiles,
    target: PendingAmendment,
    photos: list[CheckedPhoto],
    reflection: str | None,
    clock: Clock,
    flagged: Callable[[tuple[PhotoFlag, ...]], None] | None = None,
) -> tuple[fold.Entry, tuple[str, ...]]:
    """Replace today's reflection and/or photos; the original stays in the journal.

    Returns the day as it now stands, and the new photos taken before the reveal; new
    photos' flags (see `photo_flags`) go to `flagged`.
    """
    if not photos and reflection is None:
        raise BadInput("nothing to amend", reason="nothing")
    from dailylist.events import Amended

    text = check_proof(target.pending, photos or None, reflection, completing=False)
    with _writing(files, photos) as (opened, records):
        now = rules.write_moment(opened.standing, clock.now())
        last = rules.amendable(opened.standing, now)
        if last.index != target.pending.index:
            raise NotNow("the list moved on while you were writing", reason="again")
        if len(opened.replay.entries[-1].amendments) >= limits.AMENDMENTS_A_DAY:
            raise NotNow(
                f"day {day_number(last.index)} was changed {limits.AMENDMENTS_A_DAY} times "
                "already, the most a day may be; it stays as it is"
            )
        early = rules.taken_before(photos, last.revealed_at)
        event = _event(
            opened,
            Amended,
            now,
            index=last.index,
            day=last.day,
            reflection=text,
            photos=records if photos else None,
            photo_taken_before_reveal=bool(early) if photos else None,
            salt=_salt(opened, text),
        )
        append_event(opened, event, now)
        entry = replace(target.entry, amendments=(*target.entry.amendments, event))
        if photos and flagged is not None:
            given = _GivenDay(entry.number, entry.photos, now, entry.revealed_at)
            flagged(_flags(opened.replay.entries[:-1], given))
    return entry, tuple(p.shown for p in early)


def _salt(opened: OpenedList, reflection: str | None) -> bytes | None:
    """A new salt for a reflection written on a list its author asks to follow: the event
    then commits to the text by hash (see `chain.committed`), so a copy for the author
    can leave it out until she releases it."""
    if reflection is None or opened.unsealed.info.settings.follow is None:
        return None
    import os

    return os.urandom(16)


@contextlib.contextmanager
def _writing(
    files: ListFiles, photos: list[CheckedPhoto]
) -> Iterator[tuple[OpenedList, tuple[PhotoRecord, ...]]]:
    """For the block, hold the list's lock, give the list read under it, and keep the
    photos in its store; if the block fails, the photo files this made are removed and the
    journal is as it was."""
    created: list[Path] = []
    with files.locked():
        opened = load(files)
        try:
            records = []
            for photo in photos:
                if files.keep_photo(photo.staged, photo.stored_name):
                    created.append(files.photo(photo.stored_name))
                records.append(photo.record)
            yield opened, tuple(records)
        except BaseException:
            for path in created:
                path.unlink(missing_ok=True)
            raise


# --- the whole use cases ----------------------------------------------------------------------


def _quiet(line: str) -> None:
    """A warning no one hears."""


def complete_today(
    files: ListFiles,
    clock: Clock,
    photos: Sequence[Path],
    *,
    reflection: Callable[[PendingCompletion], str | None],
    names: Sequence[str] | None = None,
    warn: Callable[[str], None] = _quiet,
    day: int | None = None,
) -> CompletionResult:
    """`done`, whole: today's revealed item completed with `photos` (checked, kept) and
    the reflection `reflection` gives (asked only once the photos passed, so nobody writes
    one only to be told no). `warn` hears what the photo checks note; `day`, when given,
    is the day the form was shown for (`StaleForm` when the list has moved on since).
    `names` are the photos' names as the person knows them (an upload's), for messages."""
    now = clock.now()
    pending = prepare_completion(files, now)
    if day is not None and day != pending.number:
        raise StaleForm(day, pending.number)
    with _checked(files, photos, now, names) as checked:
        for photo in checked:
            for note in photo.notes:
                warn(note)
        require_photos(pending, checked)
        return record_completion(files, pending, checked, reflection(pending), clock)


def amend_today(
    files: ListFiles,
    clock: Clock,
    photos: Sequence[Path],
    *,
    reflection: Callable[[PendingAmendment], str | None],
    names: Sequence[str] | None = None,
    warn: Callable[[str], None] = _quiet,
    day: int | None = None,
    flagged: Callable[[tuple[PhotoFlag, ...]], None] | None = None,
) -> tuple[fold.Entry, tuple[str, ...]]:
    """`amend`, whole: today's completed day's reflection (None: unchanged) and/or photos
    replaced; see `complete_today`. Returns the day as it now stands, and the new photos
    taken before the reveal; the new photos' flags go to `flagged`."""
    now = clock.now()
    target = prepare_amendment(files, now)
    if day is not None and day != target.pending.number:
        raise StaleForm(day, target.pending.number)
    with _checked(files, photos, now, names) as checked:
        for photo in checked:
            for note in photo.notes:
                warn(note)
        text = reflection(target)
        return record_amendment(files, target, checked, text, clock, flagged)


def _checked(
    files: ListFiles, photos: Sequence[Path], now: datetime, names: Sequence[str] | None
) -> contextlib.AbstractContextManager[list[CheckedPhoto]]:
    """Every photo given, checked (EXIF times without a zone are read in `now`'s zone), as
    private copies beside the list's photo store, for as long as the block runs."""
    from dailylist.photos import checked_photos

    assert now.tzinfo is not None
    return checked_photos(list(photos), now.tzinfo, files.photos, names=names)
