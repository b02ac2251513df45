"""How fast dailylist answers, as ratios to a bare interpreter start in the same run.

    .venv/bin/python bench/run.py            # about a minute
    .venv/bin/python bench/run.py --runs 30  # steadier medians

It builds a data dir with a small list (one day done) and a large one (10,000 items, a
3,650-day journal), then times each command in a fresh process. Each figure is the median
of --runs, and its ratio to `python -c pass` run by the same interpreter in the same loop,
because the machines we share are noisy. It also times the refusal of hostile photos.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

PYTHON = sys.executable


def _median_seconds(command: Sequence[str], env: dict[str, str], runs: int) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def _source(items: int) -> str:
    lines = ['title = "Bench"', 'author = "Bench"', "[settings]", 'photo = "optional"']
    for number in range(items):
        lines += ["[[items]]", f'text = "Challenge number {number}"']
    return "\n".join(lines) + "\n"


def build(home: Path, work: Path) -> dict[str, str]:
    """Two opened lists: 'small' (3 items, day 1 done) and 'large' (10,000 items, 3,650 days)."""
    from dailylist.author import load_source
    from dailylist.clock import zone_name
    from dailylist.models import CompletedEvent, Journal, RevealedEvent, new_event
    from dailylist.recipient import commit_journal, open_list
    from dailylist.sealing import load_or_create_author_key, seal
    from dailylist.store import DataDir

    data = DataDir(home)
    key, _ = load_or_create_author_key(work / "author.pem")
    start = datetime(2016, 1, 1, 9, 0, tzinfo=UTC)
    ids = {}
    for name, items, days in (("small", 3, 1), ("large", 10_000, 3_650)):
        path = work / f"{name}.toml"
        path.write_text(_source(items).replace("Bench", name), encoding="utf-8")
        raw = seal(load_source(path), key, start).raw
        list_id = open_list(data, raw, start, source=name).sealed.header.id
        journal = data.load_journal(list_id)
        events = list(journal.events)
        for day in range(days):
            moment = start + timedelta(days=day)
            for cls, extra in (
                (RevealedEvent, {}),
                (CompletedEvent, {"day": date(2016, 1, 1) + timedelta(days=day), "photos": []}),
            ):
                events.append(
                    new_event(
                        cls,
                        prev=events[-1].id,
                        at=moment,
                        zone=zone_name(moment),
                        device="bench",
                        index=day,
                        **extra,
                    )
                )
        journal = Journal(format=1, list_id=list_id, events=events)
        unsealed, sealed_raw = data.load_list_bytes(list_id)
        commit_journal(data, unsealed, journal, sealed_raw)
        ids[name] = list_id
    return ids


def bad_photos(work: Path) -> list[tuple[str, Path]]:
    import struct
    import zlib

    from PIL import Image

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + body))
        return struct.pack(">I", len(body)) + kind + body + crc

    good = work / "good.jpg"
    Image.new("RGB", (4000, 3000), (90, 120, 200)).save(good, quality=90)
    cases = {
        "a 12-megapixel JPEG (accepted)": good,
        "0 bytes": work / "empty.jpg",
        "truncated JPEG": work / "truncated.jpg",
        "40000x40000 PNG (bomb)": work / "bomb.png",
        "200 MB file": work / "huge.jpg",
        "FIFO": work / "fifo.jpg",
    }
    cases["0 bytes"].write_bytes(b"")
    cases["truncated JPEG"].write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    header = struct.pack(">IIBBBBB", 40000, 40000, 8, 2, 0, 0, 0)
    cases["40000x40000 PNG (bomb)"].write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 4096))
        + chunk(b"IEND", b"")
    )
    with cases["200 MB file"].open("wb") as handle:
        handle.truncate(200 * 2**20)
    os.mkfifo(cases["FIFO"])
    return list(cases.items())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs per command (median)")
    runs = parser.parse_args().runs

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        home = work / "home"
        build_started = time.perf_counter()
        build(home, work)
        print(f"built the data dir in {time.perf_counter() - build_started:.1f} s")
        env = {**os.environ, "DAILYLIST_HOME": str(home), "NO_COLOR": "1"}
        dailylist = [PYTHON, "-m", "dailylist"]
        commands = {
            "python -c pass (baseline)": [PYTHON, "-c", "pass"],
            "dailylist --help": [*dailylist, "--help"],
            "prompt (10,000 items, 3,650 days)": [*dailylist, "prompt", "--list", "large"],
            "today (3 items, 1 day)": [*dailylist, "today", "--list", "small"],
            "status (3 items, 1 day)": [*dailylist, "status", "--list", "small"],
            "today (10,000 items, 3,650 days)": [*dailylist, "today", "--list", "large"],
            "status (10,000 items, 3,650 days)": [*dailylist, "status", "--list", "large"],
            "status, both lists": [*dailylist, "status"],
        }
        baseline = _median_seconds(commands["python -c pass (baseline)"], env, runs)
        print(f"\nmedian of {runs} runs, as a ratio to python -c pass ({baseline * 1000:.0f} ms)")
        print(f"{'command':<40} {'median':>9} {'ratio':>7}")
        for label, command in commands.items():
            seconds = _median_seconds(command, env, runs)
            print(f"{label:<40} {seconds * 1000:7.0f} ms {seconds / baseline:6.1f}x")

        from dailylist.errors import BadInput
        from dailylist.photos import check_photo

        print("\nchecking a photo, in process (median of 5)")
        for label, path in bad_photos(work):
            timings, verdict = [], "accepted"
            for _ in range(5):
                started = time.perf_counter()
                try:
                    check_photo(path, UTC)
                except BadInput as exc:
                    verdict = exc.message.split(" ", 2)[-1]
                timings.append(time.perf_counter() - started)
            print(f"{label:<32} {statistics.median(timings) * 1000:7.1f} ms  {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
