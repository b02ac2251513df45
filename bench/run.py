"""How fast dailylist answers: whole processes, as ratios to a bare interpreter start.

    .venv/bin/python bench/run.py             # about two minutes; writes bench/RESULTS.md
    .venv/bin/python bench/run.py --runs 41   # steadier medians
    .venv/bin/python bench/run.py --runs 5 --out /tmp/quick.md

Run it with the interpreter dailylist is installed in (the README's install). It builds its
own data in a temporary folder: lists of 1, 365 and 10,000 items (sealed, opened), journals
of 0, 365 and 3,650 completed days, each list with today's item revealed, and a
12-megapixel JPEG. Each command then runs as a fresh process, as a user would run it: the
`dailylist` script beside this interpreter, output piped, `NO_COLOR=1`, the data dir moved
with `DAILYLIST_HOME`. Commands that write (the first reveal of a day, `done`) get their
list put back as it was before each run, outside the timing.

The floor is `python -c pass` with this same interpreter, timed in the same loop (one run of
every command per round, so a noisy neighbour slows them all alike). Every figure is a
median with its min-max; ratios are medians over the floor's median. Peak memory is the
largest resident set of the process itself (`wait4`). With `pip install -e '.[bench]'`,
jrnl (a journal of 3,650 entries) is timed too, for comparison.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

PYTHON = sys.executable
HERE = Path(__file__).resolve().parent


def dailylist_command() -> list[str]:
    script = Path(PYTHON).with_name("dailylist")
    return [str(script)] if script.is_file() else [PYTHON, "-m", "dailylist"]


# --- fixtures ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fixture:
    """One data dir holding one opened list, with its list folder saved in two states."""

    label: str
    home: Path
    before_reveal: Path  # the list folder before today's reveal
    revealed: Path  # ... and after it

    @classmethod
    def at(cls, work: Path, label: str) -> Fixture:
        name = label.replace(" ", "-").replace(",", "")
        return cls(label, work / name, work / f"{name}-before", work / f"{name}-revealed")

    @property
    def report(self) -> Path:
        """A JSON report of the list as revealed (photos beside it), for `verify`."""
        return self.home.with_name(f"{self.home.name}-report.json")

    @property
    def folder(self) -> Path:
        (folder,) = (self.home / "lists").iterdir()
        return folder

    def restore(self, state: Path) -> None:
        folder = self.folder
        for name in ("journal.json", "journal.json.bak", "snapshot.json"):
            saved = state / name
            if saved.exists():
                shutil.copy2(saved, folder / name)
            else:
                (folder / name).unlink(missing_ok=True)
        shutil.rmtree(folder / "photos", ignore_errors=True)
        shutil.copytree(state / "photos", folder / "photos")


def _source(items: int) -> str:
    lines = ['title = "Bench"', 'author = "Bench"', 'letter = "For the bench."']
    for number in range(items):
        lines += ["[[items]]", f'text = "Challenge number {number}: walk somewhere new."']
    return "\n".join(lines) + "\n"


#: (label, items, completed days) of each data dir the bench builds.
FIXTURES = {
    "small": ("1 item, 0 days", 1, 0),
    "mid": ("365 items, 0 days", 365, 0),
    "wide": ("10,000 items, 0 days", 10_000, 0),
    "year": ("10,000 items, 365 days", 10_000, 365),
    "large": ("10,000 items, 3,650 days", 10_000, 3_650),
}


def build_all(work: Path) -> None:
    """Every fixture and the photo. Run in its own process (`--build`), so that the timing
    process stays small: a child's peak memory counts its parent's from before `exec`."""
    sealed: dict[int, bytes] = {}
    for label, items, days in FIXTURES.values():
        build(work, label, items, days, sealed)
    twelve_megapixels(work / "photo.jpg")


def build(work: Path, label: str, items: int, days: int, sealed: dict[int, bytes]) -> Fixture:
    """A data dir with a list of `items` items, `days` of them completed (each with a photo
    and a reflection) on the days before today, and today's item revealed; and a JSON
    report of it, for `verify`."""
    from PIL import Image

    from dailylist.author import load_or_create_author_key, load_source
    from dailylist.clock import SystemClock, zone_name
    from dailylist.days import day_of, day_start, zone_of
    from dailylist.domain import Settings
    from dailylist.events import Completed, PhotoRecord, Revealed
    from dailylist.journal import encode, journal_text, new_event
    from dailylist.opened import journal_of, keep_snapshot, load
    from dailylist.opening import open_list
    from dailylist.sealing import seal
    from dailylist.store import DataDir, file_sha256

    now = SystemClock().now()
    if items not in sealed:
        key, _ = load_or_create_author_key(work / "author.pem")
        source = work / f"list-{items}.toml"
        source.write_text(_source(items), encoding="utf-8")
        sealed[items] = seal(load_source(source), key, now - timedelta(days=days + 2)).raw
        (work / f"list-{items}.dlist").write_bytes(sealed[items])
    fixture = Fixture.at(work, label)
    home = fixture.home
    data = DataDir(home)
    day_starts_at = Settings().day_starts_at
    today = day_of(now, day_starts_at)
    first = today - timedelta(days=days)
    opened_at = day_start(first, day_starts_at, zone_of(now)) - timedelta(hours=1)
    list_id = open_list(data, sealed[items], opened_at, source=label).info.id
    files = data.list_files(list_id)
    picture = work / "small.jpg"
    Image.new("RGB", (64, 48), (30, 120, 200)).save(picture)
    digest = file_sha256(picture)
    record = PhotoRecord(
        sha256=digest,
        size=picture.stat().st_size,
        stored_name=f"{digest}.jpg",
        format="JPEG",
        width=64,
        height=48,
    )
    journal = journal_of(data.list_files(list_id))
    documents, prev = list(journal.documents), journal.head
    for number in range(days):
        day = first + timedelta(days=number)
        morning = day_start(day, day_starts_at, zone_of(now))
        for cls, offset, extra in (
            (Revealed, 5, {}),
            (Completed, 6, {"day": day, "photos": (record,), "reflection": f"Day {number}."}),
        ):
            moment = morning + timedelta(hours=offset)
            event = new_event(
                cls, prev=prev, at=moment, zone=zone_name(moment), device="bench",
                index=number, **extra,
            )  # fmt: skip
            documents.append(encode(event))
            prev = event.id
    if days:
        shutil.copy(picture, files.photo(record.stored_name))
    files.write_journal(journal.raw, journal_text(list_id, documents))
    keep_snapshot(data.list_files(list_id), load(data.list_files(list_id)).snapshot(), now)
    shutil.copytree(fixture.folder, fixture.before_reveal)
    for args in (["today"], ["export", "-o", str(fixture.report)]):
        done = subprocess.run(
            [*dailylist_command(), *args], env=child_env(home), capture_output=True, check=False
        )
        if done.returncode != 0:
            raise SystemExit(f"could not {args[0]} for {label}: {done.stderr!r}")
    shutil.copytree(fixture.folder, fixture.revealed)
    return fixture


def twelve_megapixels(path: Path) -> Path:
    """A 4000x3000 JPEG of about 4.3 MB, as a phone camera writes them, not a flat colour
    that compresses to nothing."""
    from PIL import Image

    size = (4000, 3000)
    noise = Image.effect_noise(size, 28)
    gradient = Image.linear_gradient("L").resize(size)
    Image.merge("RGB", (noise, gradient, Image.blend(noise, gradient, 0.5))).save(path, quality=88)
    return path


def jrnl_command(work: Path) -> tuple[list[str], dict[str, str]] | None:
    """jrnl with a config and a journal of 3,650 entries, if jrnl is installed."""
    found = Path(PYTHON).with_name("jrnl")
    program = str(found) if found.is_file() else shutil.which("jrnl")
    if program is None:
        return None
    journal = work / "jrnl" / "journal.txt"
    config = work / "jrnl" / "config" / "jrnl" / "jrnl.yaml"
    config.parent.mkdir(parents=True)
    start = datetime(2016, 1, 1, 9, 0, tzinfo=UTC)
    entries = [
        f"[{start + timedelta(days=n):%Y-%m-%d %H:%M}] Entry {n}.\nWhat I did, how it felt.\n"
        for n in range(3650)
    ]
    journal.write_text("\n".join(entries), encoding="utf-8")
    config.write_text(
        "colors: {body: none, date: none, tags: none, title: none}\n"
        "default_hour: 9\ndefault_minute: 0\neditor: ''\nencrypt: false\nhighlight: true\n"
        f"indent_character: '|'\njournals:\n  default:\n    journal: {journal}\n"
        "linewrap: 79\ntagsymbols: '#@'\ntemplate: false\ntimeformat: '%F %r'\n",
        encoding="utf-8",
    )
    env = {**child_env(work), "XDG_CONFIG_HOME": str(config.parent.parent)}
    return [program], env


# --- timing -----------------------------------------------------------------------------------


def child_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, "DAILYLIST_HOME": str(home), "NO_COLOR": "1", "COLUMNS": "100"}


@dataclass
class Case:
    label: str
    command: list[str]
    env: dict[str, str]
    setup: Callable[[], None] = lambda: None
    #: Something the output must say (checked once, on the warm-up run).
    expect: str = ""
    seconds: list[float] = field(default_factory=list)
    peak_kib: list[int] = field(default_factory=list)

    def check(self) -> None:
        """Run once, untimed, and make sure the command does what it is timed doing."""
        self.setup()
        done = subprocess.run(self.command, env=self.env, capture_output=True, text=True)
        if done.returncode != 0 or self.expect not in done.stdout:
            raise SystemExit(f"{self.label} did not do what it is timed doing:\n{done.stdout}")

    def run_once(self) -> None:
        self.setup()
        started = time.perf_counter()
        child = subprocess.Popen(
            self.command, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        assert child.stderr is not None
        error = child.stderr.read()
        child.stderr.close()
        if child.returncode not in (0, 1):
            raise SystemExit(f"{self.label} failed ({child.returncode}): {error.decode()}")
        self.seconds.append(elapsed)
        self.peak_kib.append(usage.ru_maxrss)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


def measure(cases: Sequence[Case], runs: int) -> None:
    for case in cases:  # warm-up: byte-code caches written, files in the page cache
        case.check()
    for _ in range(runs):
        for case in cases:
            case.run_once()


# --- the report -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    label: str
    value: float
    must: float
    aim: float
    unit: str = "x"

    def verdict(self) -> str:
        if self.value <= self.aim:
            return "holds (aim met)"
        return "holds" if self.value <= self.must else "MISSED"


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        names = [
            line for line in cpuinfo.read_text().splitlines() if line.startswith("model name")
        ]
        cpu = names[0].split(":", 1)[1].strip() if names else cpu
    return (
        f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} cores; "
        f"Python {platform.python_version()} ({PYTHON})"
    )


def versions() -> str:
    from importlib.metadata import version

    names = ("dailylist", "click", "rich", "pydantic", "cryptography", "pillow")
    return ", ".join(f"{name} {version(name)}" for name in names)


def table(cases: Sequence[Case], floor: float) -> list[str]:
    rows = [
        "| command | median | min-max | ratio to floor | peak memory |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for case in cases:
        low, high = min(case.seconds) * 1000, max(case.seconds) * 1000
        peak = statistics.median(case.peak_kib) / 1024
        rows.append(
            f"| {case.label} | {case.median * 1000:.1f} ms | {low:.0f}-{high:.0f} ms "
            f"| {case.median / floor:.1f}x | {peak:.0f} MB |"
        )
    return rows


def photo_checks(work: Path, good: Path) -> list[str]:
    """How long checking a photo takes in process, for one good and several bad ones."""
    import struct
    import zlib

    from dailylist.errors import BadInput
    from dailylist.photos import check_photo

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + body))
        return struct.pack(">I", len(body)) + kind + body + crc

    cases = {
        "12-megapixel JPEG": good,
        "truncated 12-megapixel JPEG": work / "truncated.jpg",
        "0 bytes": work / "empty.jpg",
        "40000x40000 PNG (bomb)": work / "bomb.png",
        "200 MB file": work / "huge.jpg",
        "FIFO": work / "fifo.jpg",
    }
    cases["0 bytes"].write_bytes(b"")
    cases["truncated 12-megapixel JPEG"].write_bytes(good.read_bytes()[: good.stat().st_size // 2])
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
    rows = ["| photo | median of 5 | verdict |", "| --- | ---: | --- |"]
    for label, path in cases.items():
        timings, verdict = [], "accepted"
        for _ in range(5):
            started = time.perf_counter()
            try:
                check_photo(path, UTC, work / "staging").staged.unlink()
            except BadInput as exc:
                verdict = "refused: " + exc.message.split(" ", 2)[-1]
            timings.append(time.perf_counter() - started)
        rows.append(f"| {label} | {statistics.median(timings) * 1000:.1f} ms | {verdict} |")
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21, help="timed runs per command")
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md", help="Markdown file")
    parser.add_argument("--build", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build is not None:
        build_all(args.build)
        return 0

    with tempfile.TemporaryDirectory(prefix="dailylist-bench-") as tmp:
        work = Path(tmp)
        started = time.perf_counter()
        subprocess.run([PYTHON, __file__, "--build", str(work)], check=True)
        small, mid, wide, year, large = (Fixture.at(work, f[0]) for f in FIXTURES.values())
        photo = work / "photo.jpg"
        print(f"built the fixtures in {time.perf_counter() - started:.0f} s", file=sys.stderr)

        dl = dailylist_command()

        def on(
            fixture: Fixture,
            label: str,
            args: Sequence[str],
            expect: str,
            *,
            state: str = "revealed",
            env: dict[str, str] | None = None,
        ) -> Case:
            """A command on a fixture, put back in `state` before every run (outside the
            timing), since other commands in the loop change it."""

            def setup() -> None:
                fixture.restore(getattr(fixture, state))
                (work / "report.html").unlink(missing_ok=True)

            return Case(
                f"`{label}`, {fixture.label}",
                [*dl, *args],
                env or child_env(fixture.home),
                setup=setup,
                expect=expect,
            )

        floor = Case("`python -c pass` (the floor)", [PYTHON, "-c", "pass"], child_env(work))
        cases = [floor, Case("`dailylist --help`", [*dl, "--help"], child_env(small.home))]
        for fixture in (small, mid, wide, year, large):
            cases.append(on(fixture, "today", ["today"], "When it is done"))
        for fixture in (small, large):
            revealing = on(fixture, "today", ["today"], "When it is done", state="before_reveal")
            revealing.label = revealing.label.replace("`today`", "`today` revealing")
            cases += [revealing, on(fixture, "status", ["status"], "waiting")]
        for fixture in (small, year, large):
            cases.append(on(fixture, "status --json", ["status", "--json"], '"lists"'))
        for fixture in (small, large):
            cases.append(on(fixture, "prompt", ["prompt"], "waiting"))
        platform_env = {k: v for k, v in child_env(work).items() if k != "DAILYLIST_HOME"}
        xdg = work / "xdg"
        xdg.mkdir()
        (xdg / "dailylist").symlink_to(large.home)
        in_platform_dir = on(
            large, "prompt", ["prompt"], "waiting", env={**platform_env, "XDG_DATA_HOME": str(xdg)}
        )
        in_platform_dir.label += ", platform data dir"
        cases.append(in_platform_dir)
        for fixture in (year, large):
            cases.append(on(fixture, "journal --json", ["journal", "--json"], '"entries"'))
        size = f"{photo.stat().st_size / 1e6:.1f} MB"
        for fixture in (small, year, large):
            done = ["done", "--photo", str(photo), "--note", "I went."]
            case = on(fixture, "done --photo", done, "done")
            case.label = case.label.replace(
                "`done --photo`", f"`done --photo` (12 MP, {size} JPEG)"
            )
            cases.append(case)
        cases.append(
            on(year, "export -o report.html", ["export", "-o", str(work / "report.html")], "")
        )
        for fixture, items in ((year, 10_000), (large, 10_000)):
            sealed_file = str(work / f"list-{items}.dlist")
            command = ["verify", str(fixture.report), "--list", sealed_file]
            cases.append(on(fixture, "verify report.json", command, "genuine"))
        jrnl = jrnl_command(work)
        if jrnl is not None:
            program, env = jrnl
            cases.append(Case("`jrnl --version`", [*program, "--version"], env))
            cases.append(Case("`jrnl -n 1`, 3,650 entries", [*program, "-n", "1"], env))

        print(f"timing {len(cases)} commands, {args.runs} runs each ...", file=sys.stderr)
        measure(cases, args.runs)
        base = floor.median
        by_label = {case.label: case for case in cases}

        def ratio(label: str) -> float:
            return by_label[label].median / base

        def done_on(fixture: Fixture) -> Case:
            (found,) = [
                c for c in cases if c.label.startswith("`done") and c.label.endswith(fixture.label)
            ]
            return found

        done_small, done_year, done_large = done_on(small), done_on(year), done_on(large)
        targets = [
            Target(f"`today` (revealed), {large.label}", ratio(f"`today`, {large.label}"), 12, 5),
            Target(
                f"`status --json`, {large.label}",
                ratio(f"`status --json`, {large.label}"),
                12,
                5,
            ),
            Target("`prompt`", ratio(f"`prompt`, {large.label}"), 4, 2.5),
            Target(
                f"`today`, {large.label} vs {small.label}",
                by_label[f"`today`, {large.label}"].median
                / by_label[f"`today`, {small.label}"].median,
                1.5,
                1.1,
            ),
            Target(f"`done --photo` (12 MP), {small.label}", done_small.median / base, 30, 15),
            Target(f"`done --photo` (12 MP), {year.label}", done_year.median / base, 30, 15),
            # done decides from the journal, read whole under the lock: it pays for the
            # reading, and should pay linearly (ten times the days, at most ~12 times the cost).
            Target(
                f"`done`: what reading {large.label} costs over what {year.label} costs",
                (done_large.median - done_small.median)
                / max(done_year.median - done_small.median, 1e-3),
                12,
                10,
            ),
            Target(
                f"`verify`, {large.label} vs {year.label}",
                by_label[f"`verify report.json`, {large.label}"].median
                / by_label[f"`verify report.json`, {year.label}"].median,
                10,
                5,
            ),
            Target(
                "peak memory of `done --photo` (12 MP)",
                max(done_large.peak_kib) / 1024,
                150,
                80,
                " MB",
            ),
        ]
        photos = photo_checks(work, photo)

    from dailylist.clock import SystemClock

    stamp = SystemClock().now().strftime("%Y-%m-%d %H:%M %Z")
    lines = [
        "# Benchmark results",
        "",
        f"Measured {stamp} with `bench/run.py --runs {args.runs}`, run by the interpreter below.",
        f"Machine: {machine()}.",
        f"Versions: {versions()}.",
        f"Floor: `python -c pass` = {base * 1000:.1f} ms (median of {args.runs}).",
        "",
        *table(cases, base),
        "",
        "## Targets (issues 6 and 14)",
        "",
        "| target | measured | must reach | aim | verdict |",
        "| --- | ---: | ---: | ---: | --- |",
        *(
            f"| {t.label} | {t.value:.1f}{t.unit} | <= {t.must:g}{t.unit} "
            f"| <= {t.aim:g}{t.unit} | {t.verdict()} |"
            for t in targets
        ),
        "",
        "## Checking a photo (in process)",
        "",
        *photos,
        "",
    ]
    text = "\n".join(lines)
    print(text)
    args.out.write_text(text, encoding="utf-8")
    print(f"\nwritten to {args.out}", file=sys.stderr)
    return 0 if all(t.verdict() != "MISSED" for t in targets) else 1


if __name__ == "__main__":
    sys.exit(main())
