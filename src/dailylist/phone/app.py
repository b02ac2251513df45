"""What the phone's page does: the day's commands, through the same core as the CLI.

Opening the page is `dailylist today` (it reveals the day's item when the rules allow);
sending the form is `dailylist done`, and changing the entry `dailylist amend`, with the
same photo checks, the same rules decided again under the list's lock, the same journal.
A refusal becomes a message on the page, with what the person wrote kept in the form.
Nothing here knows about sockets (see `server`), so the page's behaviour is tested without
one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from dailylist import rules
from dailylist.days import when
from dailylist.domain import ListInfo, Requirements, counted, day_number
from dailylist.errors import BadInput, DailylistError, NotNow
from dailylist.phone import pages
from dailylist.phone.form import Form
from dailylist.store import DataDir, ListFiles

if TYPE_CHECKING:
    from dailylist.clock import Clock
    from dailylist.recipient import PendingAmendment

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


@dataclass(frozen=True)
class Reply:
    """An answer for the server: a page (status and body), or a redirect to `location`."""

    status: int
    body: bytes = b""
    location: str | None = None
    #: The day was done with this request (`--once` stops after answering it).
    day_done: bool = False


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
    if exc.reason in _SAID:
        return _SAID[exc.reason]
    hint = _HINTS.get(exc.reason or "")
    return sentence(f"{exc.message}: {hint}" if hint else exc.message)


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

    # --- the page -----------------------------------------------------------------------

    def page(
        self,
        *,
        said: str | None = None,
        said_day: int | None = None,
        refusal: str | None = None,
        reflection: str = "",
        code: str = "",
        status: int = 200,
        closing: bool = False,
    ) -> Reply:
        """Today's page, as `today` would show it (revealing the day's item if the rules
        allow): the item and its form, or the day's entry and its amend form, or when the
        next item unlocks. `said` is shown only on the page of day `said_day` (a reload on a
        later day does not say again what was said then). `reflection` and `code` are what
        was typed in the forms, kept."""
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
        notes += [  # the author's postcards for today (or for no day in particular)
            pages.paragraph(
                f"A postcard from {info.author} ({card.written_at:%Y-%m-%d}): {card.note}"
            )
            for card in view.postcards
        ]
        if view.needs_code:
            assert isinstance(decision, rules.Available)
            return self._reply(
                info, decision.index, [*notes, pages.code_form(info.author, code)], status
            )
        if isinstance(decision, rules.Available):
            assert view.item is not None
            ask = _ask(view.item.requirements(info.settings), info)
            parts = [*notes, pages.item(view.item.title, view.item.text)]
            parts.append(pages.done_form(ask, reflection))
            return self._reply(info, decision.index, parts, status)
        parts = list(notes)
        if target is not None:
            parts += self._entry(target, closing=closing, reflection=reflection)
        if isinstance(decision, rules.Waiting):
            if target is None:
                parts.append(pages.paragraph(f"Day {day_number(decision.done_index)} is done."))
            parts.append(
                pages.paragraph(f"The next item unlocks {when(decision.unlocks_at, now)}.")
            )
            index = decision.done_index
        else:
            parts.append(
                pages.paragraph(f"Every one of the {info.item_count} days is done. Well done.")
            )
            index = info.item_count - 1
        if closing:
            parts.append(_stopped())
        return self._reply(info, index, parts, status, done=True)

    def _amendable(self, now: datetime) -> PendingAmendment | None:
        """The day done today, while it may still be changed."""
        from dailylist.recipient import prepare_amendment

        try:
            return prepare_amendment(self.files(), now)
        except NotNow:
            return None

    def _entry(self, target: PendingAmendment, *, closing: bool, reflection: str) -> list[str]:
        from dailylist.photos import data_uri, page_copy

        pending, entry = target.pending, target.entry
        files = self.files()
        photos: list[str | None] = []
        for record in entry.photos:
            try:
                photos.append(data_uri(page_copy(files, record)))
            except Exception:  # a photo gone or damaged since: the page still works
                photos.append(None)
        note = None
        if entry.photo_taken_before_reveal:
            note = "A photo was taken before the item was revealed; the journal says so."
        day = f"day {entry.number}"
        parts = [
            pages.item(pending.item.title, pending.item.text),
            pages.entry(entry.reflection, photos, day, note),
        ]
        if not closing:
            ask = _ask(pending.requirements, pending.info)
            parts.append(pages.amend_form(ask, reflection or entry.reflection or ""))
        return parts

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
        body = pages.document(f"{day} · {info.title}", [pages.heading(info.title, day), *parts])
        return Reply(status, body)

    def _problem(self, exc: DailylistError) -> Reply:
        body = pages.document("dailylist", [pages.refused(_words(exc))])
        return Reply(_status(exc), body)

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
        try:
            result = complete_today(
                self.files(),
                self.clock,
                [upload.path for upload in form.files],
                names=[upload.name for upload in form.files],
                reflection=lambda pending: reflection,
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
        if self.once:
            reply = self.page(said=SAID["done"], said_day=number, closing=True)
            return Reply(reply.status, reply.body, day_done=True)
        return Reply(303, location=f"./?said=done&day={number}", day_done=True)

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
            )
        except DailylistError as exc:
            return self.page(refusal=_words(exc), reflection=typed or "", status=_status(exc))
        finally:
            form.remove_files()
        self.log(f"day {entry.number} amended from the page")
        if self.once:  # the day was done before the page started: changing it ends it
            reply = self.page(said=SAID["amended"], said_day=entry.number, closing=True)
            return Reply(reply.status, reply.body, day_done=True)
        return Reply(303, location=f"./?said=amended&day={entry.number}")

    def files(self) -> ListFiles:
        """The list's files, for one request (each read once in it)."""
        return self.data.list_files(self.list_id)


def _ask(needs: Requirements, info: ListInfo) -> pages.Ask:
    return pages.Ask(needs.photo, needs.reflection, info.settings.reflection_prompt)


def _stopped() -> str:
    return pages.paragraph(
        "dailylist phone has stopped. To change the entry today, run `dailylist amend` "
        "on the computer, or start `dailylist phone` again.",
        small=True,
    )
