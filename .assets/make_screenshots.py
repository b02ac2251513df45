"""Make the README's pictures from the tool's own output.

Lives a few days of the bundled city-walk list in a throwaway data dir (with drawn
"photos"; day 1 rewritten later that evening, day 2's photo dated by its EXIF before the
day's item was revealed), saves the terminal output of a few commands as SVG (rich's own
export), then exports the HTML report and screenshots it in headless Chromium (the letter,
the rules, the amended day and the flagged photo), and does the next day on the phone's
page in Chromium at phone size.

    .venv/bin/python .assets/make_screenshots.py     # needs Debian's chromium, chromium-driver
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from click.testing import CliRunner
from PIL import Image, ImageDraw

from dailylist.cli import cli
from dailylist.clock import FixedClock

HERE = Path(__file__).resolve().parent
ZONE = ZoneInfo("Europe/Lisbon")
DAYS = [
    (
        "2026-05-04",
        "A blue door on Rua da Rosa, paint peeling like a map. I want to know who lives there.",
    ),
    ("2026-05-05", "A stone face above a bakery, four floors up. Walked past it for years."),
    (
        "2026-05-06",
        "The cobbler on my corner let me take this. He has been fixing shoes for 41 years.",
    ),
    ("2026-05-08", "A red tram, of course. Waited twenty minutes for the light to be right."),
]


#: Day 1's reflection, as rewritten that evening (`amend --note`).
LATER = "The blue door on Rua da Rosa. Went back at dusk: it was open, and a cat sat on the step."
#: Day 2's photo says (EXIF) it was taken a week before: from the library, against the rules.
OLD_PHOTO = "2026:04:28 17:12:00"


def drawn_photo(path: Path, seed: int, taken: str | None = None) -> None:
    """A small picture: a sky gradient, a sun and a skyline, different for each day;
    `taken` ('YYYY:MM:DD HH:MM:SS') goes in its EXIF."""
    width, height = 900, 600
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    top = [(242, 166, 90), (126, 178, 221), (250, 214, 165), (214, 120, 120)][seed % 4]
    bottom = (40 + seed * 20, 60, 110)
    for y in range(height):
        t = y / height
        draw.line(
            [(0, y), (width, y)],
            fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)),
        )
    draw.ellipse((600 - seed * 90, 120, 720 - seed * 90, 240), fill=(255, 236, 180))
    x = 0
    heights = [220, 300, 180, 260, 340, 200, 280, 240]
    while x < width:
        h = heights[(x // 110 + seed) % len(heights)]
        draw.rectangle((x, height - h, x + 100, height), fill=(35, 32, 48))
        for wy in range(height - h + 20, height - 20, 40):
            for wx in (x + 20, x + 60):
                draw.rectangle((wx, wy, wx + 14, wy + 20), fill=(255, 214, 120))
        x += 110
    if taken is None:
        image.save(path, "JPEG", quality=88)
        return
    exif = Image.Exif()
    exif.get_ifd(0x8769)[36867] = taken  # DateTimeOriginal
    image.save(path, "JPEG", quality=88, exif=exif)


def terminal_svg(runner: CliRunner, when: str, args: list[str], name: str) -> None:
    """Run a command as on an 80-column colour terminal and save what it shows as SVG."""
    from rich.console import Console
    from rich.text import Text

    moment = datetime.fromisoformat(when).replace(tzinfo=ZONE)
    # A real terminal's TERM: under TERM=dumb, output is plain text (no colour, no boxes).
    env = {
        "FORCE_COLOR": "1",
        "COLUMNS": "80",
        "NO_COLOR": None,
        "COLORTERM": "truecolor",
        "TERM": "xterm-256color",
    }
    result = runner.invoke(cli, args, obj={"clock": FixedClock(moment)}, env=env)
    recorder = Console(record=True, width=80, force_terminal=True, file=io.StringIO())
    recorder.print(Text.from_ansi(result.stdout.rstrip()))
    recorder.save_svg(str(HERE / name), title=f"dailylist {' '.join(args)}")
    print(f"wrote {HERE / name}")


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        os.environ["DAILYLIST_HOME"] = str(work / "home")
        runner = CliRunner()

        def run(when: str, *args: str) -> None:
            moment = datetime.fromisoformat(when).replace(tzinfo=ZONE)
            result = runner.invoke(cli, list(args), obj={"clock": FixedClock(moment)})
            if result.exit_code not in (0, 1):
                raise SystemExit(result.output)

        run("2026-05-04 07:30", "open", "--example", "city-walk")
        for number, (day, note) in enumerate(DAYS):
            photo = work / f"day{number}.jpg"
            drawn_photo(photo, number, OLD_PHOTO if number == 1 else None)
            run(f"{day} 09:00", "today")
            run(f"{day} 18:30", "done", "--photo", str(photo), "--note", note)
            if number == 0:
                run(f"{day} 21:05", "amend", "--note", LATER)
        terminal_svg(runner, "2026-05-09 08:00", ["today"], "today.svg")
        terminal_svg(runner, "2026-05-09 08:05", ["show", "4"], "show.svg")
        terminal_svg(runner, "2026-05-09 08:10", ["status"], "status.svg")
        report = work / "journal.html"
        run("2026-05-09 08:20", "export", "-o", str(report))
        target = HERE / "report.png"
        subprocess.run(
            [
                "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", f"--user-data-dir={work / 'chromium'}", "--hide-scrollbars",
                f"--screenshot={target}", "--window-size=900,2250", report.as_uri(),
            ],
            check=True,
            capture_output=True,
        )  # fmt: skip
        print(f"wrote {target}")
        phone_screenshots(work)
        follow_screenshot(work)
    return 0


FOLLOWED = """
title = "While I am away"
author = "Sam"
letter = "Three weeks. One small thing a day, and a picture so I know."
photo = "us.jpg"

[settings]
follow = "photos"
checkin_fallback_days = 3

[[items]]
text = "Watch the sunrise from the roof."

[[items]]
text = "Sit on our bench for ten minutes."
photo = "us.jpg"

[[items]]
text = "Cook the soup my mother makes."

[[items]]
text = "I will call you today."
checkin = true
"""


def follow_screenshot(work: Path) -> None:
    """The author's `follow`: her three days, their photos, one reflection she released."""
    author, her, remote = work / "author", work / "her", work / "share"
    remote.mkdir()
    drawn_photo(work / "us.jpg", 3)
    (work / "away.toml").write_text(FOLLOWED, encoding="utf-8")
    runner = CliRunner()

    def run(home: Path, when: str, *args: str) -> None:
        moment = datetime.fromisoformat(when).replace(tzinfo=ZONE)
        result = runner.invoke(
            cli, list(args), obj={"clock": FixedClock(moment)}, env={"DAILYLIST_HOME": str(home)}
        )
        if result.exit_code not in (0, 1):
            raise SystemExit(result.output)

    sealed = str(work / "away.dlist")
    run(author, "2027-03-01 07:00", "seal", str(work / "away.toml"), "-o", sealed)
    run(her, "2027-03-01 08:00", "open", sealed, "--share")
    run(her, "2027-03-01 08:01", "share", "setup", "--folder", str(remote))
    notes = [
        "Cold, pink, worth it.",
        "The bench had a new plank. I sat on the old side.",
        "Too salty.",
    ]
    for number, note in enumerate(notes, start=1):
        photo = work / f"followed{number}.jpg"
        drawn_photo(photo, number)
        run(her, f"2027-03-0{number} 09:00", "today")
        extra = ["--share-reflection"] if number == 2 else []
        run(her, f"2027-03-0{number} 19:00", "done", "--photo", str(photo), "--note", note, *extra)
    run(her, "2027-03-03 20:00", "share")
    run(author, "2027-03-04 08:00", "follow", "--folder", str(remote), "--list", sealed)
    os.environ["DAILYLIST_HOME"] = str(author)
    terminal_svg(runner, "2027-03-04 12:00", ["follow"], "follow.svg")


def phone_screenshots(work: Path) -> None:
    """Day 5 on the phone's page, before and after sending, then the journal and the
    letter, in a 390 x 844 window."""
    import threading

    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.expected_conditions import staleness_of
    from selenium.webdriver.support.wait import WebDriverWait

    from dailylist.phone.app import Phone
    from dailylist.phone.server import PhoneServer
    from dailylist.picking import pick
    from dailylist.store import DataDir

    class Clock:
        instant = datetime.fromisoformat("2026-05-09 18:40").replace(tzinfo=ZONE)

        def now(self) -> datetime:
            return self.instant

    data = DataDir(work / "home")
    server = PhoneServer(Phone(data, pick(str(data.root), None), Clock()), "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"):
        options.add_argument(argument)
    metrics = {"width": 390, "height": 844, "pixelRatio": 2.0}
    options.add_experimental_option("mobileEmulation", {"deviceMetrics": metrics})
    driver = webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))
    try:
        driver.get(server.url)
        driver.save_screenshot(str(HERE / "phone-today.png"))
        print(f"wrote {HERE / 'phone-today.png'}")
        photo = work / "day5.jpg"
        drawn_photo(photo, 2)
        driver.find_element(By.ID, "gallery").send_keys(str(photo))
        driver.find_element(By.ID, "reflection").send_keys(
            "The market at closing time: the fish man singing to nobody."
        )
        button = driver.find_element(By.CSS_SELECTOR, "button")
        button.click()
        WebDriverWait(driver, 30).until(staleness_of(button))
        WebDriverWait(driver, 30).until(
            lambda d: d.execute_script("return document.readyState") == "complete"
        )
        driver.save_screenshot(str(HERE / "phone-done.png"))
        print(f"wrote {HERE / 'phone-done.png'}")
        for link, name in (("Journal", "phone-journal.png"), ("Letter", "phone-letter.png")):
            driver.find_element(By.LINK_TEXT, link).click()
            WebDriverWait(driver, 30).until(
                lambda d: d.execute_script("return document.readyState") == "complete"
            )
            driver.save_screenshot(str(HERE / name))
            print(f"wrote {HERE / name}")
    finally:
        driver.quit()
        server.shutdown()
        server.close()


if __name__ == "__main__":
    sys.exit(main())
