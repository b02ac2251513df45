"""Taking a remote's events into a journal: those whose history is here, of this list's
one opening, in the one order every device computes, and only those the rules would have
let their own device write. Pure: no file is read or written here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dailylist.events import Event
    from dailylist.fold import Replay
    from dailylist.journal import JournalFile
    from dailylist.sync.reading import Arrival

#: The replay of a journal's events (in order) through the rules of its list.
Fold = Callable[[Sequence["Event"]], "Replay"]
#: An event, and its JSON object as written (what its id was computed over).
Pair = tuple["Event", Mapping[str, object]]


@dataclass(frozen=True)
class Merged:
    """What merging the remote's events gave.

    `journal` is the journal with every event that could be added (None for a list
    joining that has none yet), and `replay` its fold: an exchange folds once.
    """

    journal: JournalFile | None
    replay: Replay | None
    added: tuple[str, ...] = ()
    #: Events whose history has not arrived yet: taken when it has.
    waiting: int = 0
    #: Events of another opening of the list (a journal begun apart), by device id.
    foreign: Counter[str] = field(default_factory=Counter)
    #: Events the rules refuse even where their device wrote them, by device id.
    refused: Counter[str] = field(default_factory=Counter)
    #: This device opened the list on its own: its journal and the remote's began apart,
    #: and nothing was merged.
    apart: bool = False


def merge(
    list_id: str,
    journal: JournalFile | None,
    arrivals: Sequence[Arrival],
    fold: Fold,
    *,
    me: str,
    first_exchange: bool,
) -> Merged:
    """`journal` with the `arrivals` added whose history is here (each event after all it
    names, see `chain.in_order`), checked by the fold.

    A list's journal begins with one opening. Events that descend from another (a device
    that opened the same list on its own, or one planted) are left out, by device. When
    this device's own journal began apart from everyone else's, on its first exchange,
    nothing is merged (`apart`). A list joining takes the opening most devices share.
    Events the rules refuse even in their own history (no device of ours would have written
    them) are left out, with every event that follows from them.
    """
    known: dict[str, Pair] = {}
    if journal is not None:
        known = {e.id: (e, d) for e, d in zip(journal.events, journal.documents, strict=True)}
    pending = {a.event.id: (a.event, a.document) for a in arrivals if a.event.id not in known}
    roots = _roots(known, pending)
    here = next((e.id for e, _ in known.values() if e.prev is None), None)
    root = here if here is not None else _chosen(pending, roots)
    foreign: Counter[str] = Counter(
        pending[event_id][0].device
        for event_id, found in roots.items()
        if found is not None and found != root
    )
    if journal is not None and first_exchange and foreign:
        shared = any(
            roots[event_id] == root and pending[event_id][0].device != me for event_id in pending
        )
        mine = all(event.device == me for event, _ in known.values())
        if not shared and mine:
            return Merged(journal, None, foreign=foreign, apart=True)
    taking, waiting = _ready(known, pending, roots, root, foreign)
    refused: Counter[str] = Counter()
    while True:
        everything = [*known.values(), *taking.values()]
        if not everything:
            return Merged(None, None, waiting=waiting, foreign=foreign)
        ordered = _in_order(everything)
        replay = fold([event for event, _ in ordered])
        wrong = {r.event.id for r in replay.refused if r.event.id in taking}
        if not wrong:
            break
        for event_id in _followers(wrong, taking):
            refused[taking.pop(event_id)[0].device] += 1
    added = tuple(event_id for event_id in taking)
    merged = journal
    if added or journal is None:
        merged = _journal(list_id, ordered)
    return Merged(merged, replay, added, waiting, foreign, refused)


def _roots(
    known: Mapping[str, Pair],
    pending: Mapping[str, Pair],
) -> dict[str, str | None]:
    """For each pending event, the opening its line (through `prev`) descends from; None
    while some of it is not here yet."""
    found: dict[str, str | None] = {}

    def root_of(event_id: str) -> str | None:
        if event_id in found:
            return found[event_id]
        trail: list[str] = []
        current: str | None = event_id
        result: str | None = None
        while current is not None:
            if current in found:
                result = found[current]
                break
            pair = known.get(current) or pending.get(current)
            if pair is None:
                result = None  # its history has not arrived
                break
            trail.append(current)
            event = pair[0]
            if event.prev is None:
                result = event.id
                break
            current = event.prev
        for step in trail:
            found[step] = result
        return result

    for event_id in pending:
        root_of(event_id)
    return {event_id: found.get(event_id) for event_id in pending}


def _ready(
    known: Mapping[str, Pair],
    pending: Mapping[str, Pair],
    roots: Mapping[str, str | None],
    root: str | None,
    foreign: Counter[str],
) -> tuple[dict[str, Pair], int]:
    """The pending events of opening `root` whose whole history is here or being taken,
    and how many wait for theirs. One that knew of a line of another opening is of none:
    counted in `foreign`."""
    candidates = {event_id: pair for event_id, pair in pending.items() if roots[event_id] == root}
    others = {event_id for event_id, found in roots.items() if found not in (None, root)}
    taking: dict[str, Pair] = {}
    grew = True
    while grew:
        grew = False
        for event_id, (event, _) in list(candidates.items()):
            if all(parent in known or parent in taking for parent in event.parents):
                taking[event_id] = candidates.pop(event_id)
                grew = True
            elif any(parent in others for parent in event.parents):
                others.add(event_id)
                foreign[event.device] += 1
                del candidates[event_id]
                grew = True
    waiting = len(candidates) + sum(1 for found in roots.values() if found is None)
    return taking, waiting


def _chosen(pending: Mapping[str, Pair], roots: Mapping[str, str | None]) -> str | None:
    """For a list joining: the opening that events of the most devices descend from (then
    the earliest, then by id), the same on every device."""
    devices: dict[str, set[str]] = {}
    for event_id, found in roots.items():
        if found:
            devices.setdefault(found, set()).add(pending[event_id][0].device)
    if not devices:
        return None

    def rank(root: str) -> tuple[int, datetime, str]:
        return (-len(devices[root]), pending[root][0].at.astimezone(UTC), root)

    return min(devices, key=rank)


def _followers(wrong: set[str], taking: Mapping[str, Pair]) -> list[str]:
    """`wrong` and every event being taken that descends from one of them."""
    out = set(wrong)
    grew = True
    while grew:
        grew = False
        for event_id, (event, _) in taking.items():
            if event_id not in out and any(parent in out for parent in event.parents):
                out.add(event_id)
                grew = True
    return sorted(out)


def _in_order(
    pairs: Sequence[Pair],
) -> list[Pair]:
    from dailylist.chain import in_order

    return in_order(pairs, lambda pair: (pair[0].id, pair[0].parents, pair[0].at))


def _journal(list_id: str, ordered: Sequence[Pair]) -> JournalFile:
    """The journal of `ordered` events, as dailylist writes it (each event's id was checked
    when it was read, and the order puts each after all it names)."""
    from dailylist.chain import breaks
    from dailylist.errors import DamagedData
    from dailylist.journal import JournalFile, journal_text

    links = [(event.id, event.parents, event.id) for event, _ in ordered]
    for position, problem in breaks(links):
        raise DamagedData(f"the merged journal would be damaged: event {position + 1} {problem}")
    documents = [document for _, document in ordered]
    return JournalFile(
        list_id,
        tuple(event for event, _ in ordered),
        tuple(documents),
        journal_text(list_id, documents),
    )
