"""The rules as one fold: the one-a-day gate, time that can't be gamed by zones or clock
steps, streaks and missed days, and a replay that accepts exactly what the app writes."""

from __future__ import annotations

import contextlib
import itertools
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dailylist import rules
from dailylist.days import day_of
from dailylist.errors import BadInput, DailylistError, NotNow
from dailylist.events import Amended, Completed, Revealed
from tests.conftest import at, examples
from tests.journals import PHOTO, Log

NEW_YORK = ZoneInfo("America/New_York")
PAGO_PAGO = ZoneInfo("Pacific/Pago_Pago")  # UTC-11
LONDON = ZoneInfo("Europe/London")
KIRITIMATI = ZoneInfo("Pacific/Kiritimati")  # UTC+14


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# --- the gate -------------------------------------------------------------------------------


def test_item_one_is_available_as_soon_as_the_list_is_opened() -> None:
    log = Log()
    log.open(at("2026-05-10 22:00"))
    assert log.today(at("2026-05-10 22:01")) == rules.Available(index=0, newly=True)
    assert log.today(at("2026-05-10 22:02")) == rules.Available(index=0, newly=False)


def test_second_completion_on_same_day_is_refused() -> None:
    log = Log()
    log.today(at("2026-05-10 09:00"))
    assert log.done(at("2026-05-10 10:00")) == 0
    decision = log.today(at("2026-05-11 03:59"))
    assert isinstance(decision, rules.Waiting)
    assert decision.unlocks_at == at("2026-05-11 04:00")
    with pytest.raises(NotNow, match="already done"):
        log.done(at("2026-05-11 03:59"))


def test_done_needs_a_reveal_first() -> None:
    """The rule says why, and gives the reason a front end words ("run `dailylist today`
    first" on the command line, "open the page again" on the phone's)."""
    log = Log()
    log.open(at("2026-05-10 09:00"))
    with pytest.raises(NotNow, match="not been revealed") as refused:
        log.done(at("2026-05-10 10:00"))
    assert refused.value.reason == "reveal"
    assert "dailylist" not in refused.value.message


def test_missed_days_pause_the_list_and_never_unlock_two_items() -> None:
    log = Log()
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


def test_a_finished_list_keeps_its_final_figures() -> None:
    log = Log(items=2)
    for day in (10, 11):
        log.today(at(f"2026-05-{day} 09:00"))
        log.done(at(f"2026-05-{day} 10:00"))
    assert log.today(at("2026-05-12 09:00")) == rules.Finished()
    stats = log.stats(at("2026-06-20 09:00"))
    assert stats.state == "finished"
    assert stats.missed_days == ()
    assert stats.streak == 2  # the streak it finished with, not 0 a month later
    assert stats.finished_on == date(2026, 5, 11)
    assert stats.unlocks_at is None


def test_a_finished_list_keeps_its_longest_streak() -> None:
    """Days 1-3 in a row, a day missed, days 4-5: finished, its streak is 3, not the 2 it
    ended on."""
    log = Log(items=5)
    for day in (10, 11, 12, 14, 15):
        log.today(at(f"2026-05-{day} 09:00"))
        log.done(at(f"2026-05-{day} 10:00"))
    stats = log.stats(at("2026-05-20 09:00"))
    assert (stats.state, stats.streak) == ("finished", 3)
    assert stats.missed_days == (date(2026, 5, 13),)
    assert log.stats(at("2026-05-15 11:00")).streak == 3  # finished that day already


def test_streak_counts_back_from_today_or_yesterday() -> None:
    log = Log()
    for day in (10, 11, 12):
        log.today(at(f"2026-05-{day} 09:00"))
        log.done(at(f"2026-05-{day} 10:00"))
    assert log.stats(at("2026-05-12 20:00")).streak == 3
    assert log.stats(at("2026-05-13 20:00")).streak == 3
    assert log.stats(at("2026-05-14 20:00")).streak == 0


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
    log = Log()
    log.today(at(done_at))
    log.done(at(done_at) + timedelta(seconds=1))
    decision = log.today(at(done_at) + timedelta(minutes=1))
    assert isinstance(decision, rules.Waiting)
    assert decision.unlocks_at == datetime.fromisoformat(unlocks.replace(" ", "T"))


# --- the clock ------------------------------------------------------------------------------


def test_a_few_minutes_of_drift_is_forgiven_and_events_still_move_forward() -> None:
    log = Log()
    log.today(at("2026-05-10 09:00"))
    with pytest.raises(NotNow, match="clock reads"):
        log.today(at("2026-05-09 09:00"))
    with pytest.raises(NotNow, match="earlier than the journal's last entry"):
        log.done(at("2026-05-10 08:54"))  # more than five minutes behind
    # Showing what is already revealed forgives a few minutes ...
    assert log.today(at("2026-05-10 08:57")) == rules.Available(0, newly=False)
    # ... and a write a few minutes behind is made just after the last event, never before.
    log.done(at("2026-05-10 08:57"))
    revealed, done = log.events[-2:]
    assert done.at == revealed.at + timedelta(microseconds=1)
    assert rules.write_moment(log.standing, at("2026-05-10 10:00")) == at("2026-05-10 10:00")


def test_done_at_the_instant_of_the_reveal_is_refused() -> None:
    """The same moment is not later: what the clock reads is taken as it is when it is not
    behind the journal."""
    log = Log()
    log.today(at("2026-05-10 09:00"))
    with pytest.raises(NotNow, match="not later than day 1 was revealed"):
        rules.completable(log.standing, at("2026-05-10 09:00"))


def test_a_clock_stepped_back_a_few_minutes_gains_no_day() -> None:
    """Item 3 revealed at 04:01, `done` with the clock at 03:57 (the day before, by the
    list): it counts as done just after the reveal, on item 3's list day, so item 4 still
    waits for the next one."""
    log = Log()
    for day in (1, 2):
        log.today(at(f"2026-05-0{day} 09:00"))
        log.done(at(f"2026-05-0{day} 10:00"))
    log.today(at("2026-05-03 04:01"))
    log.done(at("2026-05-03 03:57"))
    assert log.events[-1].day == date(2026, 5, 3)  # type: ignore[attr-defined]
    decision = log.today(at("2026-05-03 04:04"))
    assert isinstance(decision, rules.Waiting)
    assert decision.unlocks_at == at("2026-05-04 04:00")


# --- zones ----------------------------------------------------------------------------------


def test_three_zones_in_two_minutes_open_no_second_item() -> None:
    """Revealed and done in Pago Pago, then `TZ` moved to London and to Kiritimati within two
    minutes of real time: the next item waits, in every zone."""
    log = Log()
    start = utc("2026-11-10 20:00")  # 09:00 in Pago Pago
    log.today(start.astimezone(PAGO_PAGO))
    log.done((start + timedelta(seconds=30)).astimezone(PAGO_PAGO))
    for minutes, zone in ((1, LONDON), (2, KIRITIMATI)):
        now = (start + timedelta(minutes=minutes)).astimezone(zone)
        decision = log.today(now)
        assert isinstance(decision, rules.Waiting), zone
        # It unlocks when the next list day starts where the item was done, or later.
        assert decision.unlocks_at >= utc("2026-11-11 15:00")
    assert log.standing.done_count == 1
    assert log.standing.current is None


def test_a_zone_change_cannot_stretch_the_day_to_amend() -> None:
    """Done in the evening in Kiritimati; the next morning, with `TZ` set to Pago Pago (where
    it is still the evening before), the day is over all the same."""
    log = Log()
    log.today(utc("2026-11-10 06:00").astimezone(KIRITIMATI))  # 20:00 in Kiritimati
    log.done(utc("2026-11-10 07:00").astimezone(KIRITIMATI))
    assert log.amend(utc("2026-11-10 13:00").astimezone(KIRITIMATI)) == 0  # still that day
    next_morning = utc("2026-11-11 04:00")  # 18:00 on the 10th in Kiritimati's day terms +21 h
    with pytest.raises(NotNow, match="could be amended until"):
        log.amend(next_morning.astimezone(PAGO_PAGO))
    assert log.standing.last_done is not None
    assert log.standing.last_done.amend_until == utc("2026-11-10 14:00")


def test_a_flight_west_between_reveal_and_done_keeps_days_in_local_time() -> None:
    """Revealed in Berlin, done after landing in New York the same local evening."""
    log = Log()
    log.today(at("2026-05-10 09:00"))
    landed = at("2026-05-10 20:00", NEW_YORK)  # 02:00 next morning in Berlin
    assert log.done(landed) == 0
    assert log.done_days == (date(2026, 5, 10),)
    assert isinstance(log.today(at("2026-05-10 23:00", NEW_YORK)), rules.Waiting)
    assert log.today(at("2026-05-11 04:00", NEW_YORK)) == rules.Available(index=1, newly=True)


def test_flying_east_never_opens_a_second_item_on_one_list_day_there() -> None:
    """Done late in the evening in Berlin, then in Tokyo it is already the next morning:
    the next item waits for a Tokyo list day later than the one the last was done on."""
    tokyo = ZoneInfo("Asia/Tokyo")
    log = Log()
    log.today(at("2026-05-10 23:00"))
    log.done(at("2026-05-10 23:30"))  # 06:30 on the 11th in Tokyo: its list day the 11th
    landed = at("2026-05-11 09:00", tokyo)
    decision = log.today(landed)
    assert isinstance(decision, rules.Waiting)
    assert decision.unlocks_at == at("2026-05-12 04:00", tokyo)


def test_the_next_unlock_keeps_three_reveals_23_hours_apart() -> None:
    log = Log()
    log.today(at("2026-05-10 09:00"))
    log.done(at("2026-05-10 09:30"))
    standing = log.standing
    assert standing.last_done is not None
    # As if day 1 had been revealed an hour ago: day 3 may not follow within 23 hours.
    recent = replace(standing.last_done, revealed_at=at("2026-05-11 05:00"))
    standing = replace(standing, last_done=recent)
    standing = rules.apply(standing, _revealed(at("2026-05-11 06:00"), 1))
    completed = _completed(at("2026-05-11 06:30"), 1, date(2026, 5, 11))
    after = rules.apply(standing, completed)
    assert after.last_done is not None
    assert after.last_done.next_unlocks_at == at("2026-05-12 04:00")  # the day rule binds
    late = replace(recent, revealed_at=at("2026-05-11 06:00"))
    after = rules.apply(replace(standing, last_done=late), completed)
    assert after.last_done is not None
    assert after.last_done.next_unlocks_at == at("2026-05-12 05:00")  # 23 h after day 2


def _revealed(now: datetime, index: int) -> Revealed:
    return Revealed(id="0" * 64, at=now, zone="Europe/Berlin", device="t", index=index)


def _completed(now: datetime, index: int, day: date) -> Completed:
    return Completed(id="0" * 64, at=now, zone="Europe/Berlin", device="t", index=index, day=day)


@pytest.mark.parametrize(
    ("zone", "at_text", "reason"),
    [
        ("Mars/Olympus_Mons", "2026-05-10T09:00:00+01:00", "is not a time zone"),
        ("Europe/Berlin", "2026-05-10T09:00:00+05:00", "does not exist in Europe/Berlin"),
        ("Europe/Berlin", "2026-01-10T09:00:00+02:00", "does not exist in Europe/Berlin"),
    ],
)
def test_an_event_needs_a_real_zone_with_its_real_offset(
    zone: str, at_text: str, reason: str
) -> None:
    Log()
    event = Revealed(
        id="0" * 64, at=datetime.fromisoformat(at_text), zone=zone, device="t", index=0
    )
    with pytest.raises(BadInput, match=reason):
        rules.event_moment(event)


# --- the replay judges every event as the app would -------------------------------------------


def lived(days: int = 3) -> Log:
    log = Log()
    for day in range(1, days + 1):
        log.today(at(f"2026-05-0{day} 09:00"))
        log.done(at(f"2026-05-0{day} 10:00"))
    return log


def test_the_replay_of_what_the_app_wrote_refuses_nothing() -> None:
    log = lived()
    log.amend(at("2026-05-03 11:00"))
    replayed = log.replay()
    assert replayed.refused == ()
    assert replayed.standing == log.standing
    assert [entry.number for entry in replayed.entries] == [1, 2, 3]
    assert replayed.entries[-1].amended


@pytest.mark.parametrize(
    ("forge", "reason"),
    [
        (lambda log: log.force(Revealed, at("2026-05-03 12:00"), index=3), "day 3 is done"),
        (lambda log: log.force(Revealed, at("2026-05-04 09:00"), index=4), "day 4 was the one"),
        (
            lambda log: log.force(
                Completed, at("2026-05-04 09:00"), index=3, day=date(2026, 5, 4), photos=(PHOTO,)
            ),
            "not been revealed",
        ),
        (
            lambda log: log.force(Amended, at("2026-05-04 09:00"), index=2, day=date(2026, 5, 3)),
            "could be amended until",
        ),
        (lambda log: log.force(Revealed, at("2026-05-03 09:30"), index=3), "clock reads"),
    ],
    ids=["reveal-ahead-same-day", "skip-an-item", "done-unrevealed", "late-amend", "back-in-time"],
)
def test_an_event_the_app_would_not_write_is_refused(forge, reason: str) -> None:  # type: ignore[no-untyped-def]
    log = lived()
    forge(log)
    replayed = log.replay()
    assert len(replayed.refused) == 1
    assert reason in replayed.refused[0].reason
    assert replayed.standing.done_count == 3


def test_a_completion_needs_its_proof_and_a_true_flag() -> None:
    log = Log()
    log.today(at("2026-05-01 09:00"))
    day = date(2026, 5, 1)
    log.force(Completed, at("2026-05-01 10:00"), index=0, day=day, reflection="ok")
    assert "photo is required" in log.replay().refused[0].reason
    log.events.pop()
    log.force(Completed, at("2026-05-01 10:00"), index=0, day=day, photos=(PHOTO,))
    assert "reflection is required" in log.replay().refused[0].reason
    log.events.pop()
    early = replace(PHOTO, taken_at=at("2026-05-01 08:00"))
    log.force(Completed, at("2026-05-01 10:00"), index=0, day=day, reflection="x", photos=(early,))
    assert "photo_taken_before_reveal" in log.replay().refused[0].reason


# --- whatever a person does, wherever and whenever ------------------------------------------

ZONES = [
    "UTC",
    "Europe/Berlin",
    "Europe/London",
    "America/New_York",
    "America/St_Johns",  # -03:30 / -02:30
    "Australia/Lord_Howe",  # a 30-minute DST shift
    "Asia/Kathmandu",  # +05:45
    "Pacific/Pago_Pago",
    "Pacific/Kiritimati",
    "Pacific/Apia",
    "America/Santiago",
]
steps = st.lists(
    st.tuples(
        st.sampled_from(["today", "done", "amend", "status"]),
        st.sampled_from(ZONES),
        # Mostly forward, by minutes to days; sometimes back, by up to 10 minutes.
        st.one_of(
            st.integers(min_value=1, max_value=3 * 24 * 60),
            st.integers(min_value=-10, max_value=0),
        ),
    ),
    min_size=1,
    max_size=50,
)


@settings(max_examples=examples(200), deadline=None)
@given(
    steps=steps,
    start=st.datetimes(
        min_value=datetime(2025, 1, 1),  # noqa: DTZ001 - hypothesis wants naive bounds
        max_value=datetime(2027, 12, 31),  # noqa: DTZ001
    ),
    starts_at=st.sampled_from(["00:00", "04:00", "02:30", "23:30"]),
)
def test_no_zone_or_clock_step_gets_ahead(
    steps: list[tuple[str, str, int]], start: datetime, starts_at: str
) -> None:
    log = Log(items=8, day_starts_at=starts_at)
    instant = start.replace(tzinfo=UTC)
    for action, zone, minutes in steps:
        instant += timedelta(minutes=minutes)
        now = instant.astimezone(ZoneInfo(zone))
        with contextlib.suppress(DailylistError):
            if action == "today":
                log.today(now)
            elif action == "done":
                log.done(now)
            elif action == "amend":
                log.amend(now)
            else:
                log.stats(now)

    reveals = [e for e in log.events if isinstance(e, Revealed)]
    completions = {e.index: e for e in log.events if isinstance(e, Completed)}
    for first, third in zip(reveals, reveals[2:], strict=False):
        assert third.at - first.at >= timedelta(hours=23), "three reveals in 23 hours"
    for before, after in itertools.pairwise(reveals):
        zone = ZoneInfo(after.zone)  # the zone in force at the later reveal
        earlier = day_of(before.at.astimezone(zone), log.day_starts_at)
        assert earlier < day_of(after.at.astimezone(zone), log.day_starts_at), "one list day"
    for reveal in reveals:
        done = completions.get(reveal.index)
        assert done is None or done.at > reveal.at, "done before its reveal"
    days = [e.day for e in completions.values()]
    assert days == sorted(set(days)), "two completions on one list day"
    replayed = log.replay()
    assert replayed.refused == (), "the replay refuses what the app wrote"
    assert replayed.standing == log.standing
    for entry in replayed.entries:
        ends = log_day_end(log, entry.completion)
        assert all(a.at < ends for a in entry.amendments), "amended after its day"


def log_day_end(log: Log, done: Completed) -> datetime:
    """When the list day of a completion ended, in the zone it was done in."""
    from dailylist.days import day_start

    return day_start(done.day + timedelta(days=1), log.day_starts_at, ZoneInfo(done.zone))
