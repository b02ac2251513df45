"""What `dailylist sync` costs: a year of daily use on two devices, through a bare git repository.

    .venv/bin/python bench/sync.py                  # about a minute; writes bench/SYNC.md
    .venv/bin/python bench/sync.py --runs 21 --out /tmp/sync.md

It builds, in a temporary folder, a list of 400 items with a year of days done (a reveal
and a completion each day, every day's photo a different small JPEG, done on the first
device: a device sends the events it wrote), starts syncing it on the first device through
a bare repository and joins the second. Then, as fresh processes (the `dailylist` script
beside this interpreter): a sync with nothing new, timed against `git fetch` alone in the
same clone and against a bare `python -c pass` in the same loop; whether that sync changed
any file; a sync that sends one new day and one that takes it; and what the remote holds.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

PYTHON = sys.executable
HERE = Path(__file__).resolve().parent
DAYS = 365
PASSPHRASE = "a bench passphrase, long enough"


def dailylist(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    script = Path(PYTHON).with_name("dailylist")
    command = [str(script)] if script.is_file() else [PYTHON, "-m", "dailylist"]
    env = {**os.environ, "DAILYLIST_HOME": str(home), "NO_COLOR": "1"}
    done = subprocess.run([*command, *args], env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"dailylist {' '.join(args)} failed: {done.stderr}")
    return done


def build_year(work: Path) -> Path:
    """Device one's data dir: a list with a year of days done on it."""
    from PIL import Image

    from dailylist.author import load_or_create_author_key, load_source
    from dailylist.clock import SystemClock, zone_name
    from dailylist.days import day_of, day_start, zone_of
    from dailylist.device import identity
    from dailylist.domain import Settings
    from dailylist.events import Completed, PhotoRecord, Revealed
    from dailylist.journal import encode, journal_text, new_event
    from dailylist.opened import journal_of, keep_snapshot, load
    from dailylist.opening import open_list
    from dailylist.sealing import seal
    from dailylist.store import DataDir, file_sha256

    now = SystemClock().now()
    key, _ = load_or_create_author_key(work / "author.pem")
    source = work / "list.toml"
    items = "\n".join(f'[[items]]\ntext = "Challenge {n}: something small."\n' for n in range(400))
    source.write_text(f'title = "A year"\nauthor = "Bench"\n{items}', encoding="utf-8")
    raw = seal(load_source(source), key, now - timedelta(days=DAYS + 2)).raw
    home = work / "one"
    data = DataDir(home)
    starts = Settings().day_starts_at
    first = day_of(now, starts) - timedelta(days=DAYS)
    opened_at = day_start(first, starts, zone_of(now)) - timedelta(hours=1)
    list_id = open_list(data, raw, opened_at, source="bench").info.id
    files = data.list_files(list_id)
    journal = journal_of(data.list_files(list_id))
    documents, prev = list(journal.documents), journal.head
    devices = (identity(home).id,) * 2  # what a device sends is what it wrote itself
    for number in range(DAYS):
        picture = work / "day.jpg"
        noise = random.Random(number).randbytes(64 * 48 * 3)  # a photo unlike any other
        Image.frombytes("RGB", (64, 48), noise).save(picture, quality=85)
        digest = file_sha256(picture)
        record = PhotoRecord(
            sha256=digest,
            size=picture.stat().st_size,
            stored_name=f"{digest}.jpg",
            format="JPEG",
            width=64,
            height=48,
        )
        picture.replace(files.photo(record.stored_name))
        day = first + timedelta(days=number)
        morning = day_start(day, starts, zone_of(now))
        for cls, hours, extra in (
            (Revealed, 5, {}),
            (Completed, 6, {"day": day, "photos": (record,), "reflection": f"Day {number}."}),
        ):
            moment = morning + timedelta(hours=hours)
            event = new_event(
                cls, prev=prev, at=moment, zone=zone_name(moment), device=devices[number % 2],
                index=number, **extra,
            )  # fmt: skip
            documents.append(encode(event))
            prev = event.id
    files.write_journal(journal.raw, journal_text(list_id, documents))
    keep_snapshot(data.list_files(list_id), load(data.list_files(list_id)).snapshot(), now)
    return home


def timed(command: Sequence[str], env: dict[str, str] | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=env, capture_output=True, check=False)
    return time.perf_counter() - started


def snapshot(root: Path, skip: str) -> list[tuple[str, int, int]]:
    return [
        (str(path), path.stat().st_size, path.stat().st_mtime_ns)
        for path in sorted(root.rglob("*"))
        if path.is_file() and skip not in path.parts
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="timed runs of each command")
    parser.add_argument("--out", type=Path, default=HERE / "SYNC.md", help="Markdown file")
    args = parser.parse_args()
    rows: list[str] = []
    with tempfile.TemporaryDirectory(prefix="dailylist-sync-bench-") as tmp:
        work = Path(tmp)
        one = build_year(work)
        two = work / "two"
        remote = work / "remote.git"
        subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
        secret = work / "passphrase.txt"
        secret.write_text(PASSPHRASE + "\n", encoding="utf-8")
        started = time.perf_counter()
        dailylist(one, "sync", "setup", str(remote), "--passphrase-file", str(secret))
        setup = time.perf_counter() - started
        started = time.perf_counter()
        dailylist(two, "sync", "join", str(remote), "--passphrase-file", str(secret))
        join = time.perf_counter() - started
        dailylist(one, "sync")

        clone = two / "sync" / "repository"
        env = {**os.environ, "DAILYLIST_HOME": str(two), "NO_COLOR": "1"}
        script = Path(PYTHON).with_name("dailylist")
        sync = [str(script), "sync"] if script.is_file() else [PYTHON, "-m", "dailylist", "sync"]
        fetch = ["git", "-C", str(clone), "fetch", "-q", "origin"]
        floor = [PYTHON, "-c", "pass"]
        before = snapshot(two, ".git"), snapshot(remote, "__none__")
        times: dict[str, list[float]] = {"floor": [], "fetch": [], "sync": []}
        for _ in range(args.runs):
            times["floor"].append(timed(floor))
            times["fetch"].append(timed(fetch))
            times["sync"].append(timed(sync, env))
        untouched = (snapshot(two, ".git"), snapshot(remote, "__none__")) == before
        medians = {name: statistics.median(values) * 1000 for name, values in times.items()}

        from dailylist.store import DataDir

        (list_id,) = DataDir(one).opened_list_ids()
        journal = (one / "lists" / list_id / "journal.json").stat().st_size
        photos = sum(p.stat().st_size for p in (one / "lists" / list_id / "photos").iterdir())
        remote_files = list(clone.rglob("*.age"))
        events = [p for p in remote_files if p.parent.name == "events"]
        stored = [p for p in remote_files if p.parent.name == "photos"]
        git_size = sum(p.stat().st_size for p in remote.rglob("*") if p.is_file())

        git_version = subprocess.run(["git", "--version"], capture_output=True, text=True)
        rows += [
            f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} with "
            f"`bench/sync.py --runs {args.runs}`; {platform.processor() or platform.machine()}, "
            f"{os.cpu_count()} cores, Python {platform.python_version()}, "
            f"{git_version.stdout.strip()}.",
            "",
            f"A list with {DAYS} days done on one device (a reveal and a completion a day, each "
            "day's photo a different 64x48 JPEG of noise), taken by a second through a bare "
            "git repository.",
            "",
            "| what | figure |",
            "| --- | ---: |",
            f"| `sync setup` (the year sent; includes the passphrase's scrypt) | {setup:.1f} s |",
            f"| `sync join` (the year taken; includes the passphrase's scrypt) | {join:.1f} s |",
            f"| `python -c pass` (the floor), median | {medians['floor']:.1f} ms |",
            f"| `git fetch` alone in the clone, median | {medians['fetch']:.1f} ms |",
            f"| `dailylist sync` with nothing new, median | {medians['sync']:.1f} ms |",
            f"| that sync over `git fetch` alone | {medians['sync'] / medians['fetch']:.1f}x |",
            f"| that sync over the floor | {medians['sync'] / medians['floor']:.1f}x |",
            f"| files changed by {args.runs} syncs with nothing new (data dir and remote) | "
            f"{'none' if untouched else 'SOME'} |",
            f"| event files in the remote | {len(events)} |",
            f"| photo files in the remote (each photo once) | {len(stored)} |",
            f"| bytes of event files in the remote, a day | "
            f"{sum(p.stat().st_size for p in events) / DAYS:,.0f} B |",
            f"| the local journal, a day | {journal / DAYS:,.0f} B |",
            f"| photos: in the remote / on the device | "
            f"{sum(p.stat().st_size for p in stored):,} B / {photos:,} B |",
            f"| the bare repository on disk | {git_size / 1024:,.0f} KB |",
        ]
    args.out.write_text("# Sync costs\n\n" + "\n".join(rows) + "\n", encoding="utf-8")
    print("\n".join(rows))
    print(f"\nwritten to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
