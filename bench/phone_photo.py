"""What a huge photo costs the phone's page: its first load, and every load after.

    .venv/bin/python bench/phone_photo.py              # about a minute; writes bench/PHONE.md
    .venv/bin/python bench/phone_photo.py --runs 3 --out /tmp/phone.md

A data dir of its own (in a temporary folder): the bundled example list opened, day 1 done
with a PNG of 14,000 x 14,000 pixels (under the 200-megapixel cap; a few hundred KB, as
such a file of few colours is). Each load of the day's page is a fresh process that builds
the page once, as `dailylist phone` answers a GET: the time of `Phone.page()` inside it,
and the process's peak memory (`wait4`). The first load makes the page's copy of the photo
and keeps it; the next ones read that copy. "Before" is the work every load did before the
copy was kept (`jpeg_copy` of the stored photo at 1,024 pixels).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PYTHON = sys.executable
HERE = Path(__file__).resolve().parent
SIDE = 14_000

LOAD = """
import sys, time
from dailylist.clock import SystemClock
from dailylist.phone.app import Phone
from dailylist.picking import pick
from dailylist.store import DataDir
data = DataDir.resolve()
phone = Phone(data, pick(str(data.root), None), SystemClock())
started = time.perf_counter()
reply = phone.page()
took = time.perf_counter() - started
assert reply.status == 200 and b"data:image/jpeg" in reply.body, reply.body[-400:]
print(took)
"""

BEFORE = """
import sys, time
from pathlib import Path
from dailylist.photos import jpeg_copy
started = time.perf_counter()
jpeg_copy(Path(sys.argv[1]), 1024)
print(time.perf_counter() - started)
"""


def run(code: str, env: dict[str, str], *args: str) -> tuple[float, float]:
    """Seconds the child reports, and its peak memory in MB."""
    child = subprocess.Popen(
        [PYTHON, "-c", code, *args], env=env, stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    out = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    if status != 0:
        raise SystemExit(f"a load failed: {out}")
    return float(out.strip()), usage.ru_maxrss / 1024


MAKE = f"""
import sys
from PIL import Image, ImageDraw
Image.MAX_IMAGE_PIXELS = None
image = Image.new("RGB", ({SIDE}, {SIDE}), (40, 90, 160))
draw = ImageDraw.Draw(image)
for step in range(0, {SIDE}, 350):
    draw.line((0, step, {SIDE}, {SIDE} - step), fill=(240, 200, 60), width=40)
image.save(sys.argv[1], optimize=True)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", type=Path, default=HERE / "PHONE.md")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        home = Path(work) / "home"
        env = {**os.environ, "DAILYLIST_HOME": str(home), "NO_COLOR": "1"}
        photo = Path(work) / "huge.png"
        # In a process of its own: a child started from a large parent would count the
        # parent's memory as its own peak.
        subprocess.run([PYTHON, "-c", MAKE, str(photo)], check=True)
        size = photo.stat().st_size
        dailylist = [PYTHON, "-m", "dailylist"]
        for args in (
            ["open", "--example", "find-yourself", "-q"],
            ["today"],
            ["done", "--photo", str(photo), "--note", "A wall, whole.", "-q"],
        ):
            subprocess.run([*dailylist, *args], env=env, check=True, capture_output=True)
        (stored,) = (home / "lists").glob("*/photos/*.png")
        before = [run(BEFORE, env, str(stored)) for _ in range(options.runs)]
        first = run(LOAD, env)
        later = [run(LOAD, env) for _ in range(options.runs)]
    rows = [
        ("before: every load re-encoded the photo", before),
        ("now: the first load (makes and keeps the copy)", [first]),
        ("now: every later load", later),
    ]
    lines = [
        "# The phone's page and a huge photo",
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} with "
        f"`bench/phone_photo.py --runs {options.runs}`.",
        f"Machine: {platform.system()} {platform.release()}, {os.cpu_count()} cores; "
        f"Python {platform.python_version()}.",
        f"Photo: a PNG of {SIDE:,} x {SIDE:,} pixels, {size / 1024:,.0f} KB.",
        "",
        "| load of the day's page | median | min-max | peak memory |",
        "| --- | ---: | ---: | ---: |",
    ]
    for label, figures in rows:
        seconds = [s for s, _ in figures]
        memory = max(m for _, m in figures)
        lines.append(
            f"| {label} | {statistics.median(seconds) * 1000:,.0f} ms | "
            f"{min(seconds) * 1000:,.0f}-{max(seconds) * 1000:,.0f} ms | {memory:,.0f} MB |"
        )
    options.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
