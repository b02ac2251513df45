"""The rules as pure functions: days, the one-a-day gate, streaks, missed days, the clock."""

from __future__ import annotations

import contextlib
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dailylist import rules
from dailylist.clock import zone_name
from dailylist.errors import NotNow
from dailylist.models import (
    CompletedEvent,
    Journal,
    ListSettings,
    OpenedEvent,
    RevealedEvent,
    SealedHeader,
    new_event,
)
from tests.conftest import BERLIN, at

NEW_YORK = ZoneInfo("America/New_York")


def header(items: int = 5, day_starts_at: str = "04:00") -> SealedHeader:
    return SealedHeader(
        id="0" * 32,
        title="t",
        author="a",
        letter="",
        rules=[],
        settings=ListSettings.model_validate({"day_starts_at": day_starts_at}),
        item_count=items,
        created=at("2026-01-01 00:00"),
    )


class Log:
    """A journal built event by event, as the recipient commands would build it."""

    def __init__(self, list_header: SealedHeader) -> None:
        self.header = list_header
        self.journal = Journal(format=1, list_id=list_header.id, events=[])

    def _add(self, cls: Any, now: datetime, **fields: Any) -> None:
        prev = self.journal.events[-1].id if self.journal.events else None
        event = new_event(cls, prev=prev, at=now, zone=zone_name(now), device="test", **fields)
        self.journal = self.journal.model_copy(update={"events": [*self.journal.events, event]})

    def open(self, now: datetime) -> None:
        self._add(OpenedEvent, now)

    @property
    def standing(self) -> rules.Standing:
        return rules.progress(self.journal, self.header.item_count).standing

    @property
    def day_starts_at(self) -> time:
        return self.header.settings.day_starts_at

    def stats(self, now: datetime) -> rules.Stats:
        return rules.stats(self.standing, self.day_starts_at, now)

    def today(self, now: datetime) -> rules.TodayDecision:
        decision = rules.decide_today(self.standing, self.day_starts_at, now)
        if isinstance(decision, rules.Available) and decision.newly:
            self._add(RevealedEvent, now, index=decision.index)
        return decision

    def done(self, now: datetime) -> int:
        index = rules.completable_index(self.standing, self.day_starts_at, now)
        day = rules.day_of(now, self.header.settings.day_starts_at)
        self._add(CompletedEvent, now, index=index, day=day, reflection="ok", photos=[])
        return index


# --- days -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        ("2026-05-10 03:59", "2026-05-09"),
        ("2026-05-10 04:00", "2026-05-10"),
        ("2026-05-10 23:59", "2026-05-10"),
        ("2026-05-11 00:30", "2026-05-10"),
    ],
)
def test_a_day_starts_at_day_starts_at(moment: str, expected: str) -> None:
    assert rules.day_of(at(moment), time(4, 0)) == date.fromisoformat(expected)


def test_midnight_lists_change_day_at_midnight() -> None:
    assert rules.day_of(at("2026-05-10 23:59"), time(0, 0)) == date(2026, 5, 10)
    assert rules.day_of(at("2026-05-11 00:00"), time(0, 0)) == date(2026, 5, 11)


def test_spring_forward_day_still_starts_at_local_four() -> None:
    # Berlin skips 02:00-03:00 on 2026-03-29; the day is 23 hours long.
    start = rules.day_start(date(2026, 3, 29), time(4, 0), BERLIN)
    assert start.strftime("%Y-%m-%d %H:%M %z") == "2026-03-29 04:00 +0200"
    before = rules.day_start(date(2026, 3, 28), time(4, 0), BERLIN)
    assert start.astimezone(UTC) - before.astimezone(UTC) == timedelta(hours=23)


def test_fall_back_day_is_25_hours_long() -> None:
    # Berlin repeats 02:00-03:00 on 2026-10-25, inside the list day of the 24th.
    start = rules.day_start(date(2026, 10, 24), time(4, 0), BERLIN)
    end = rules.day_start(date(2026, 10, 25), time(4, 0), BERLIN)
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=25)


def test_a_day_start_lost_to_dst_moves_forward_and_agrees_with_day_of() -> None:
    # 02:30 does not exist in Berlin on 2026-03-29.
    start = rules.day_start(date(2026, 3, 29), time(2, 30), BERLIN)
    assert start.strftime("%H:%M %z") == "03:30 +0200"
    just_before = (start.astimezone(UTC) - timedelta(minutes=1)).astimezone(BERLIN)
    assert rules.day_of(just_before, time(2, 30)) == date(2026, 3, 28)
    assert rules.day_of(start, time(2, 30)) == date(2026, 3, 29)


def test_day_of_only_moves_forward_through_a_repeated_hour() -> None:
    moment = datetime(2026, 10, 24, 12, 0, tzinfo=UTC)
    days = []
    while moment < datetime(2026, 10, 26, 12, 0, tzinfo=UTC):
        days.append(rules.day_of(moment.astimezone(BERLIN), time(2, 30)))
        moment += timedelta(minutes=5)
    assert days == sorted(days)
    assert set(days) == {date(2026, 10, 24), date(2026, 10, 25), date(2026, 10, 26)}


# --- the gate -------------------------------------------------------------------------------


def test_item_one_is_available_as_soon_as_the_list_is_opened() -> None:
    log = Log(header())
    log.open(at("2026-05-10 22:00"))
    assert log.today(at("2026-05-10 22:01")) == rules.Available(index=0, newly=True)
    assert log.today(at("2026-05-10 22:02")) == rules.Available(index=0, newly=False)


def test_second_completion_on_same_day_is_refused() -> None:
    log = Log(header())
    log.today(at("2026-05-10 09:00"))
    assert log.done(at("2026-05-10 10:00")) == 0
    decision = log.today(at("2026-05-11 03:59"))
    assert isinstance(decision, rules.Waiting)
    assert decision.unlocks_at == at("2026-05-11 04:00")
    with pytest.raises(NotNow, match="already done"):
        log.done(at("2026-05-11 03:59"))


def test_done_needs_a_reveal_first() -> None:
    log = Log(header())
    with pytest.raises(NotNow, match="dailylist today"):
        log.done(at("2026-05-10 10:00"))


def test_missed_days_pause_the_list_and_never_unlock_two_items() -> None:
    log = Log(header())
    log.today(at("2026-05-10 09:00"))
    log.done(at("2026-05-10 10:00"))
    # A week later only item 2 is there, and once done, the day is used.
    assert log.today(at("2026-05-17 09:00")) == rules.Available(index=1, newly=True)
    log.done(at("2026-05-17 09:30"))
    assert isinstance(log.today(at("2026-05-17 10:00")), rules.Waiting)
    stats = log.stats(at("2026-05-17 10:00"))
    assert stats.missed_days == tuple(date(2026, 5, d) for d in range(11, 17))
    assert stats.streak == 1
    assert stats.done_count == 2


def test_a_finished_list_says_so() -> None:
    log = Log(header(items=2))
    for day in (10, 11):
        log.today(at(f"2026-05-{day} 09:00"))
        log.done(at(f"2026-05-{day} 10:00"))
    assert log.today(at("2026-05-12 09:00")) == rules.Finished()
    stats = log.stats(at("2026-05-20 09:00"))
    assert stats.state == "finished"
    assert stats.missed_days == ()


def test_streak_counts_back_from_today_or_yesterday() -> None:
    log = Log(header())
    for day in (10, 11, 12):
        log.today(at(f"2026-05-{day} 09:00"))
        log.done(at(f"2026-05-{day} 10:00"))
    assert log.stats(at("2026-05-12 20:00")).streak == 3
    assert log.stats(at("2026-05-13 20:00")).streak == 3
    assert log.stats(at("2026-05-14 20:00")).streak == 0


def test_the_clock_going_back_is_refused() -> None:
    log = Log(header())
    log.today(at("2026-05-10 09:00"))
    with pytest.raises(NotNow, match="clock reads"):
        log.today(at("2026-05-09 09:00"))
    # A few minutes of drift are fine.
    assert isinstance(log.today(at("2026-05-10 08:57")), rules.Available)


def test_a_flight_between_reveal_and_done_keeps_days_in_local_time() -> None:
    """Revealed in Berlin, done after landing in New York the same local evening."""
    log = Log(header())
    log.today(at("2026-05-10 09:00"))
    landed = at("2026-05-10 20:00", NEW_YORK)  # 02:00 next morning in Berlin
    assert log.done(landed) == 0
    assert log.journal.events[-1].day == date(2026, 5, 10)  # type: ignore[union-attr]
    assert isinstance(log.today(at("2026-05-10 23:00", NEW_YORK)), rules.Waiting)
    assert log.today(at("2026-05-11 04:00", NEW_YORK)) == rules.Available(index=1, newly=True)


def test_a_completion_that_breaks_the_rules_does_not_count() -> None:
    """A journal edited (or merged) to hold two completions on one day: the second is ignored."""
    log = Log(header())
    log.today(at("2026-05-10 09:00"))
    log.done(at("2026-05-10 10:00"))
    log._add(RevealedEvent, at("2026-05-10 10:01"), index=1)
    log._add(
        CompletedEvent,
        at("2026-05-10 10:02"),
        index=1,
        day=date(2026, 5, 10),
        reflection="x",
        photos=[],
    )
    assert rules.progress(log.journal, 5).done_count == 1


# --- invariants, whatever the user does and whenever ----------------------------------------

actions = st.lists(
    st.tuples(st.sampled_from(["today", "done"]), st.integers(min_value=0, max_value=60 * 60)),
    min_size=1,
    max_size=60,
)


@settings(max_examples=150, deadline=None)
@given(
    steps=actions,
    start_hour=st.integers(min_value=0, max_value=23),
    starts_at=st.sampled_from(["00:00", "04:00", "02:30", "23:30"]),
)
def test_never_two_completions_a_day_never_an_item_ahead(
    steps: list[tuple[str, int]], start_hour: int, starts_at: str
) -> None:
    log = Log(header(items=6, day_starts_at=starts_at))
    now = datetime(2026, 3, 27, start_hour, tzinfo=UTC).astimezone(BERLIN)
    for action, wait_minutes in steps:
        now = (now.astimezone(UTC) + timedelta(minutes=wait_minutes * 3)).astimezone(BERLIN)
        done_before = rules.progress(log.journal, 6).done_count
        if action == "today":
            decision = log.today(now)
            if isinstance(decision, rules.Available):
                assert decision.index == done_before
        else:
            with contextlib.suppress(NotNow):
                assert log.done(now) == done_before
    state = rules.progress(log.journal, 6)
    days = [event.day for event in state.completions]
    assert days == sorted(set(days)), "two completions on one day"
    assert [event.index for event in state.completions] == list(range(len(days)))
    assert all(index <= state.done_count for index in state.reveals)


@pytest.mark.parametrize(
    ("done_at", "unlocks"),
    [
        ("2028-02-28 21:00", "2028-02-29 04:00+01:00"),  # a leap day is a day like any other
        ("2028-02-29 21:00", "2028-03-01 04:00+01:00"),
        ("2026-12-31 23:30", "2027-01-01 04:00+01:00"),  # New Year's Eve, before midnight
        ("2027-01-01 02:00", "2027-01-01 04:00+01:00"),  # still New Year's Eve for the list
        ("2026-10-24 21:00", "2026-10-25 04:00+01:00"),  # the night the clocks go back
        ("2026-03-28 21:00", "2026-03-29 04:00+02:00"),  # the night the clocks go forward
    ],
)
def test_the_next_unlock_across_calendar_edges(done_at: str, unlocks: str) -> None:
    log = Log(header())
    log.today(at(done_at))
    log.done(at(done_at))
    decision = log.today(at(done_at) + timedelta(minutes=1))
    assert isinstance(decision, rules.Waiting)
    assert decision.unlocks_at == datetime.fromisoformat(unlocks.replace(" ", "T"))
    assert decision.unlocks_at.strftime("%H:%M") == "04:00"
