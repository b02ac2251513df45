"""`--json` for scripts: every command's documented keys, the same in every state."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from tests.conftest import DAY, Cli, at, make_photo

JSON_KEYS = {
    ("today", "--json"): {"list", "item_count", "state", "day", "item", "unlocks_at"},
    ("journal", "--json"): {"list", "entries", "missed_days"},
    ("status", "--json"): {"lists"},
    ("show", "1", "--json"): {"day", "date", "text", "title", "reflection", "photos", "amended"},
    ("doctor", "--json"): {"healthy", "lists"},
}


@pytest.mark.parametrize("command", list(JSON_KEYS))
def test_json_outputs_carry_their_documented_keys(
    command: tuple[str, ...], one_day_done: Path, run: Cli
) -> None:
    result = run(*command, now=at(f"{DAY} 12:00"))
    assert JSON_KEYS[command] <= set(json.loads(result.stdout))


def test_status_json_keys(one_day_done: Path, run: Cli) -> None:
    (entry,) = json.loads(run("status", "--json", now=at(f"{DAY} 12:00")).stdout)["lists"]
    assert set(entry) == {
        "id", "name", "title", "author", "fingerprint", "done", "item_count", "streak",
        "missed", "missed_days", "today", "state", "unlocks_at", "finished_on", "closed",
        "set_aside", "sharing",
    }  # fmt: skip


def test_today_json_has_the_same_keys_in_every_state(
    make_sealed: Callable[..., Path], run: Cli, tmp_path: Path
) -> None:
    """Revealed, a check-in waiting for its code, waiting for tomorrow, finished."""
    sealed = make_sealed(2, extra_items={2: {"checkin": True}})
    assert run("open", str(sealed), now=at("2026-06-01 08:00")).exit_code == 0
    photo = make_photo(tmp_path / "p.jpg")
    states = {}
    for when, then in (
        ("2026-06-01 09:00", ["done", "--photo", str(photo), "--note", "x"]),
        ("2026-06-01 11:00", []),
        ("2026-06-02 09:00", []),
    ):
        result = run("today", "--json", now=at(when))
        document = json.loads(result.stdout)
        states[document["state"]] = (set(document), result.exit_code)
        if then:
            assert run(*then, now=at(when) + timedelta(minutes=30)).exit_code == 0
    keys = {
        "list", "item_count", "state", "day", "item", "unlocks_at", "revealed_at", "photo",
        "reflection", "enclosure", "opened_by", "postcards",
    }  # fmt: skip
    one = make_sealed(1, title="Just one")
    assert run("open", str(one), now=at("2026-06-03 08:00")).exit_code == 0
    assert run("today", "--list", "just-one", now=at("2026-06-03 09:00")).exit_code == 0
    done = ["done", "--list", "just-one", "--photo", str(photo), "--note", "x"]
    assert run(*done, now=at("2026-06-03 10:00")).exit_code == 0
    finished = run("today", "--json", "--list", "just-one", now=at("2026-06-04 09:00"))
    document = json.loads(finished.stdout)
    states[document["state"]] = (set(document), finished.exit_code)
    assert states == {
        "revealed": (keys, 0),
        "waiting": (keys, 1),
        "checkin": (keys, 1),
        "finished": (keys, 0),
    }
