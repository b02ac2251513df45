"""What the phone's page does: the day's commands, through the same core as the CLI, and the
companion pages a person reads each day.

Opening the page is `dailylist today` (it reveals the day's item when the rules allow);
sending the form is `dailylist done`, and changing the entry `dailylist amend`, with the
same photo checks, the same rules decided again under the list's lock, the same journal.
The letter and the rules are `open`'s, the journal page is `journal`, one day is `show N`,
where the list stands is `status`. A refusal becomes a message on the page, with what the
person wrote kept in the form.

A form carries the day it was shown for: sent after the list moved on (a page left open
overnight), it completes nothing and says so, keeping what was typed. It also carries which
showing it came from: sent twice (a double tap, a resend after a dropped answer), the
second send is answered as the first was, the day done. After a send the page redirects to
the day's page (POST, redirect, GET), so a reload sends nothing again. Nothing here knows
about sockets (see `server`), so the page's behaviour is tested without one.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from dailylist import rules
from dailylist.days import spoken_time
from dailylist.domain import ListInfo, Requirements, counted, day_number
from dailylist.errors import BadInput, DailylistError, NotNow
from dailylist.phone import pages
from dailylist.phone.form import Form
from dailylist.photos import PAGE_PIXELS
from dailylist.sharing import postcard_line
from dailylist.store import DataDir, ListFiles

if TYPE_CHECKING:
    from dailylist.clock import Clock
    from dailylist.events import PhotoRecord
    from dailylist.lookback import Day
    from dailylist.recipient import PendingAmendment
    from dailylist.status import ListStatus

#: Said on the page that answers a send from a page that did not show today's item yet.
SHOWN_NOW = (
    "Today's item was not on the page you sent from; here it is now. What you wrote is kept "
    "below: read the item, then send again (with the photos)."
)

#: What a redirect after a write may ask the page to say (`?said=done`): fixed texts only.
SAID = {
    "done": "Sent. The day is done, and kept in your journal.",
    "amended": "Changed. What you sent first stays in the journal too.",
    "opened": "The code was right: here is today's item.",
}

#: How many sends the page remembers, to answer a second tap as the first.
REMEMBERED_SENDS = 64
#: The journal page's photos: small, many to a page.
THUMBNAIL_PIXELS = 480


@dataclass(frozen=True)
class Reply:
    """An answer for the server: a page (status and body), or a redirect to `location`."""

    status: int
    body: bytes = b""
    location: str | None = None
    #: The day was done with this request (`--once` stops after answering it).
    day_done: bool = False
    content_type: str = "text/html; charset=utf-8"


def _status(exc: DailylistError) -> int:
    if isinstance(exc, NotNow):
        return 409
    if isinstance(exc, BadInput):
        return 400
    return 500  # damaged data: not the person's doing, and not to be hidden


def sentence(message: str) -> str:
    """A message as the page says it: 'a photo is required' -> 'A photo is required.'"""
    message = message.strip()
    return message[:1].upper() + message[1:] + ("" if message.endswith((".", "!", "?")) else ".")


#: What a person does about a refusal, on the page, by its reason (see `errors`); a proof
#: refused needs no words more (the form is right there).
_HINTS = {
    "reveal": "open the page again",
    "again": "open the page again",
    "done": "send the day's form first",
}
#: Refusals the page words otherwise altogether.
_SAID = {"nothing": "Nothing changed: write something new, or add photos."}


def _words(exc: DailylistError) -> str:
    """What the page says of a refusal, in its own words."""
    from dailylist.recipient import StaleForm

    if isinstance(exc, StaleForm):
        return (
            f"That form was for day {exc.shown_for}, and the list has moved on since: nothing "
            f"was sent. What you wrote is kept below; today's page is day {exc.now_day}."
        )
    if exc.reason in _SAID:
        return _SAID[exc.reason]
    hint = _HINTS.get(exc.reason or "")
    return sentence(f"{exc.message}: {hint}" if hint else exc.message)


def _day_of(form: Form) -> int | None:
    """The day a form was shown for (None for a form of an older page, which says none)."""
    text = (form.text("day") or "").strip()
    return int(text) if text.isdigit() and len(text) < 7 else None


class Phone:
    """The page for one list, as its commands would answer at `clock`'s time.

    `log` hears one line about each thing done (for the terminal `dailylist phone` runs in).
    With `once`, the page after the day is done says the server has stopped, and offers no
    more forms.
    """

    def __init__(
        self,
        data: DataDir,
        list_id: str,
        clock: Clock,
        *,
        once: bool = False,
        log: Callable[[str], None] = lambda line: None,
    ) -> None:
        self.data = data
        self.list_id = list_id
        self.clock = clock
        self.once = once
        self.log = log
        self.closing = False
        #: What each form's showing was answered (its nonce): a second send gets the same.
        self._sent: OrderedDict[str, Reply] = OrderedDict()
        self._sent_lock = threading.Lock()

    def files(self) -> ListFiles:
        """The list's files, for one request (each read once in it)."""
        return self.data.list_files(self.list_id)

    # --- today -------------------------------------------------------------------------

    def page(
        self,
        *,
        said: str | None = None,
        said_day: int | None = None,
        refusal: str | None = None,
        reflection: str = "",
        code: str = "",
        status: int = 200,
    ) -> Reply:
        """Today's page, as `today` would show it (revealing the day's item if the rules
        allow): where the list stands, the item and its form, or the day's entry and its
        amend form, or when the next item unlocks. `said` is shown only on the page of day
        `said_day` (a reload on a later day does not say again what was said then).
        `reflection` and `code` are what was typed in the forms, kept."""
        from dailylist.recipient import reveal_today

        try:
            view = reveal_today(self.files(), self.clock)
            now = self.clock.now()
        except DailylistError as exc:
            return self._problem(exc)
        info, decision = view.info, view.decision
        target = None if isinstance(decision, rules.Available) else self._amendable(now)
        shown = (
            decision.index if isinstance(decision, rules.Available) else
            target.entry.index if target is not None else None
        )  # fmt: skip
        if said_day is not None and (shown is None or day_number(shown) != said_day):
            said = None
        notes = [pages.said(said) if said else "", pages.refused(refusal) if refusal else ""]
        for card in view.postcards:  # the author's, for today (or for no day in particular)
            notes += [
                pages.paragraph(postcard_line(info.author, card.written_at, card.note)),
                self._picture(card.photo, f"With the postcard, a picture from {info.author}"),
            ]
        where = self._standing(now)
        if view.needs_code:
            assert isinstance(decision, rules.Available)
            parts = [*notes, where, pages.code_form(info.author, code)]
            return self._reply(info, decision.index, parts, status)
        if isinstance(decision, rules.Available):
            assert view.item is not None
            ask = _ask(view.item.requirements(info.settings), info)
            number = day_number(decision.index)
            parts = [*notes, where, pages.item(view.item.title, view.item.text)]
            parts.append(self._picture(view.item.enclosure, f"A picture from {info.author}"))
            parts.append(pages.done_form(ask, number, secrets.token_urlsafe(12), reflection))
            return self._reply(info, decision.index, parts, status)
        parts = [*notes, where]
        if target is not None:
            parts += self._entry(target, reflection=reflection)
        if isinstance(decision, rules.Waiting):
            if target is None:
                parts.append(pages.paragraph(f"Day {day_number(decision.done_index)} is done."))
            unlocks = spoken_time(decision.unlocks_at, now)
            parts.append(pages.paragraph(f"The next item unlocks {unlocks}."))
            index = decision.done_index
        else:
            parts.append(
                pages.paragraph(f"Every one of the {info.item_count} days is done. Well done.")
            )
            index = info.item_count - 1
        if self.closing:
            parts.append(_stopped())
        return self._reply(info, index, parts, status, done=True)

    def _standing(self, now: datetime) -> str:
        """Where the list stands: day n of N, the streak, missed days, the next unlock."""
        from dailylist.status import list_status

        try:
            found: ListStatus = list_status(self.files(), now)
        except DailylistError:
            return ""
        stats = found.stats
        facts = [f"{stats.done_count} of {stats.item_count} done"]
        facts.append(f"streak {counted(stats.streak, 'day')}")
        if stats.missed_days:
            facts.append(f"{counted(len(stats.missed_days), 'missed day')}")
        return pages.standing(facts)

    def _amendable(self, now: datetime) -> PendingAmendment | None:
        """The day done today, while it may still be changed."""
        from dailylist.recipient import prepare_amendment

        try:
            return prepare_amendment(self.files(), now)
        except NotNow:
            return None

    def _entry(self, target: PendingAmendment, *, reflection: str) -> list[str]:
        pending, entry = target.pending, target.entry
        photos = self._photos(entry.photos, PAGE_PIXELS)
        note = None
        if entry.photo_taken_before_reveal:
            note = "A photo was taken before the item was revealed; the journal says so."
        day = f"day {entry.number}"
        author = pending.info.author
        parts = [
            pages.item(pending.item.title, pending.item.text),
            self._picture(pending.item.enclosure, f"A picture from {author}"),
            pages.entry(entry.reflection, photos, day, note),
        ]
        if not self.closing:
            ask = _ask(pending.requirements, pending.info)
            current = reflection or entry.reflection or ""
            parts.append(pages.amend_form(ask, entry.number, secrets.token_urlsafe(12), current))
        return parts

    def _photos(self, records: tuple[PhotoRecord, ...], size: int) -> list[str | None]:
        """The page's copies of `records` as data: URIs (None for one gone or damaged)."""
        from dailylist.photos import data_uri, page_copy

        files = self.files()
        shown: list[str | None] = []
        for record in records:
            try:
                shown.append(data_uri(page_copy(files, record, size)))
            except Exception:  # a photo gone or damaged since: the page still works
                shown.append(None)
        return shown

    def _picture(self, sha256: str | None, alt: str) -> str:
        """A picture the author sent, as the list's photo store keeps it once it may be
        shown (see `enclosures`); nothing when there is none kept."""
        from dailylist.enclosures import path_of
        from dailylist.photos import cached_copy, data_uri

        if sha256 is None:
            return ""
        files = self.files()
        path = path_of(files, sha256)
        if not path.is_file():
            return ""
        try:
            return pages.picture(data_uri(cached_copy(files, path, sha256, PAGE_PIXELS)), alt)
        except Exception:  # a picture damaged since: the page still works
            return ""

    def _reply(
        self,
        info: ListInfo,
        index: int,
        parts: list[str],
        status: int,
        *,
        done: bool = False,
    ) -> Reply:
        day = f"Day {day_number(index)} of {info.item_count}" + (": done" if done else "")
        head = [pages.nav("today"), pages.heading(info.title, day)]
        body = pages.document(f"{day} · {info.title}", [*head, *parts], lang=_lang(info))
        return Reply(status, body)

    def _problem(self, exc: DailylistError) -> Reply:
        body = pages.document("dailylist", [pages.nav("today"), pages.refused(_words(exc))])
        return Reply(_status(exc), body)

    # --- the companion pages ------------------------------------------------------------

    def letter(self) -> Reply:
        """The author's letter and the rules, as `open` showed them."""
        from dailylist.opened import snapshot_of

        try:
            snapshot, _ = snapshot_of(self.files())
        except DailylistError as exc:
            return self._problem(exc)
        info = snapshot.info
        parts = [
            pages.nav("letter"),
            pages.heading(info.title, f"From {info.author}"),
            self._picture(info.letter_photo, f"With the letter, a picture from {info.author}"),
            pages.letter(info.author, info.letter, info.rules, info.fingerprint),
        ]
        return Reply(200, pages.document(f"Letter · {info.title}", parts, lang=_lang(info)))

    def journal(self) -> Reply:
        """Every day done, newest first, each with a photo and its reflection's start."""
        from dailylist.lookback import history

        now = self.clock.now()
        try:
            found = history(self.data, self.list_id, now)
        except DailylistError as exc:
            return self._problem(exc)
        looked = [
            pages.Looked(
                number=day.number,
                when=spoken_time(day.at, now),
                title=day.item.title or _first_line(day.item.text),
                reflection=day.reflection,
                photo=next(iter(self._photos(day.photos[:1], THUMBNAIL_PIXELS)), None),
            )
            for day in reversed(found.entries)
        ]
        info = found.info
        facts = self._standing(now)
        parts = [pages.nav("journal"), pages.heading(info.title, "Your journal"), facts]
        parts.append(pages.journal(looked))
        return Reply(200, pages.document(f"Journal · {info.title}", parts, lang=_lang(info)))

    def day(self, number: int) -> Reply:
        """One day in full, as `show N` shows it."""
        from dailylist.lookback import completed_day

        now = self.clock.now()
        try:
            found, day = completed_day(self.data, self.list_id, number, now)
        except DailylistError as exc:
            parts = [pages.nav("journal", depth=1), pages.refused(_words(exc))]
            return Reply(_status(exc), pages.document("dailylist", parts, up="../"))
        info = found.info
        parts = [
            pages.nav("journal", depth=1),
            pages.heading(info.title, f"Day {day.number}: {spoken_time(day.at, now)}"),
            *self._day_parts(day, info.author),
        ]
        title = f"Day {day.number} · {info.title}"
        return Reply(200, pages.document(title, parts, lang=_lang(info), up="../"))

    def _day_parts(self, day: Day, author: str) -> list[str]:
        note = None
        if day.photo_taken_before_reveal:
            note = "A photo was taken before the item was revealed; the journal says so."
        if day.amended:
            changed = "Changed on its day; the first words are kept in the journal."
            note = f"{note} {changed}" if note else changed
        photos = self._photos(day.photos, PAGE_PIXELS)
        parts = [
            pages.item(day.item.title, day.item.text),
            self._picture(day.item.enclosure, f"A picture from {author}"),
            pages.entry(day.reflection, photos, f"day {day.number}", note),
        ]
        for card in day.postcards:
            said = postcard_line(author, card.written_at, card.note)
            parts.append(pages.paragraph(said, small=True))
            parts.append(self._picture(card.photo, f"With the postcard, a picture from {author}"))
        return parts

    def manifest(self) -> Reply:
        """The web app manifest: the page kept on a phone's home screen."""
        from dailylist.opened import snapshot_of

        try:
            info = snapshot_of(self.files())[0].info
        except DailylistError:
            return Reply(404, b"{}", content_type="application/manifest+json")
        body = pages.manifest(info.title, info.name[:12] or "dailylist", _lang(info))
        return Reply(200, body, content_type="application/manifest+json")

    def icon(self) -> Reply:
        return Reply(200, pages.icon(), content_type="image/png")

    # --- the forms ------------------------------------------------------------------------

    def code(self, form: Form) -> Reply:
        """The check-in code typed on the page: `today --code`."""
        from dailylist.recipient import reveal_today

        form.remove_files()
        typed = (form.text("code") or "").strip()
        try:
            if not reveal_today(self.files(), self.clock).needs_code:
                return Reply(303, location="./")  # no code wanted (now): the page, as it is
            view = reveal_today(self.files(), self.clock, code=lambda: typed)
        except DailylistError as exc:
            return self.page(refusal=_words(exc), code=typed, status=_status(exc))
        if view.needs_code:
            return self.page(refusal="Type the code the author gave you.", code=typed, status=400)
        number = day_number(view.index or 0)
        self.log(f"day {number} opened with its code")
        return Reply(303, location=f"./?said=opened&day={number}")

    def done(self, form: Form) -> Reply:
        """The day's form sent: `done`, through the same use case as the command line."""
        from dailylist.recipient import complete_today

        reflection = form.text("reflection")
        again = self._answered(form)
        if again is not None:
            form.remove_files()
            return again
        try:
            result = complete_today(
                self.files(),
                self.clock,
                [upload.path for upload in form.files],
                names=[upload.name for upload in form.files],
                reflection=lambda pending: reflection,
                day=_day_of(form),
            )
        except rules.NotRevealed as exc:
            # Sent from a page that did not show today's item: the answer shows it now.
            refusal = SHOWN_NOW if self._reveals_item() else _words(exc)
            return self.page(refusal=refusal, reflection=reflection or "", status=_status(exc))
        except DailylistError as exc:
            return self.page(refusal=_words(exc), reflection=reflection or "", status=_status(exc))
        finally:
            form.remove_files()
        kept = counted(len(result.event.photos), "photo")
        number = day_number(result.event.index)
        self.log(f"day {number} done from the page ({kept} kept)")
        reply = Reply(303, location=f"./?said=done&day={number}", day_done=True)
        return self._remember(form, reply)

    def _reveals_item(self) -> bool:
        """Reveal today's item if the rules allow (as the page does); whether it is shown."""
        from dailylist.recipient import reveal_today

        try:
            return reveal_today(self.files(), self.clock).item is not None
        except DailylistError:
            return False

    def amend(self, form: Form) -> Reply:
        """The entry changed: `amend`, through the same use case as the command line; an
        unchanged reflection is not a change."""
        from dailylist.recipient import amend_today

        typed = form.text("reflection")
        again = self._answered(form)
        if again is not None:
            form.remove_files()
            return again

        def reflection(target: PendingAmendment) -> str | None:
            if typed is not None and typed.strip() == (target.entry.reflection or ""):
                return None
            return typed

        try:
            entry, _ = amend_today(
                self.files(),
                self.clock,
                [upload.path for upload in form.files],
                names=[upload.name for upload in form.files],
                reflection=reflection,
                day=_day_of(form),
            )
        except DailylistError as exc:
            return self.page(refusal=_words(exc), reflection=typed or "", status=_status(exc))
        finally:
            form.remove_files()
        self.log(f"day {entry.number} amended from the page")
        reply = Reply(303, location=f"./?said=amended&day={entry.number}", day_done=self.once)
        return self._remember(form, reply)

    def _answered(self, form: Form) -> Reply | None:
        """How this form's showing was answered already (a second tap), if it was."""
        nonce = (form.text("nonce") or "").strip()
        with self._sent_lock:
            return self._sent.get(nonce) if nonce else None

    def _remember(self, form: Form, reply: Reply) -> Reply:
        nonce = (form.text("nonce") or "").strip()
        if nonce:
            with self._sent_lock:
                self._sent[nonce] = reply
                while len(self._sent) > REMEMBERED_SENDS:
                    self._sent.popitem(last=False)
        return reply


def _ask(needs: Requirements, info: ListInfo) -> pages.Ask:
    return pages.Ask(needs.photo, needs.reflection, info.settings.reflection_prompt)


def _lang(info: ListInfo) -> str:
    return info.settings.language


def _first_line(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= 60 else line[:57].rstrip() + "..."


def _stopped() -> str:
    return pages.paragraph(
        "dailylist phone has stopped. To change the entry today, run `dailylist amend` "
        "on the computer, or start `dailylist phone` again.",
        small=True,
    )
