"""`dailylist phone` as a person meets it: a real browser in a phone-sized window, and the
real command in a terminal (its address, its QR code read back, Ctrl-C).

The browser is Debian's `chromium` driven by `chromium-driver` through selenium; the QR code
is read by `zbarimg` (zbar-tools). `.ci/run` installs them; elsewhere the tests that need
them skip, saying why (under `CI=true` they fail instead).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from dailylist.clock import SystemClock
from tests.conftest import Cli, item_text, make_photo
from tests.phone_helpers import Served, journal_entries, jpeg, leftovers

PHONE = {"width": 390, "height": 844, "pixelRatio": 3.0}


def need(program: str) -> str:
    """The path of a system program the test needs: skipped without it, failed in CI."""
    path = shutil.which(program)
    if path is None:
        message = f"{program} is not installed (apt install chromium chromium-driver zbar-tools)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    """Headless Chromium emulating a phone: 390 x 844 CSS pixels, touch, a phone's agent."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = need("chromium")
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        f"--user-data-dir={tmp_path / 'chromium'}",
    ):
        options.add_argument(argument)
    options.add_experimental_option(
        "mobileEmulation",
        {"deviceMetrics": PHONE, "userAgent": "Mozilla/5.0 (Linux; Android 14) Mobile"},
    )
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(need("chromedriver")))
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def send(
    browser: Any, form: str, *, photos: Sequence[Path] = (), reflection: str | None = None
) -> None:
    """Fill a form of the page as a person does (the gallery's input, the text), send it,
    and wait for the page that answers."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.expected_conditions import staleness_of
    from selenium.webdriver.support.wait import WebDriverWait

    if photos:
        gallery = browser.find_element(By.CSS_SELECTOR, f'form[action="{form}"] #gallery')
        gallery.send_keys("\n".join(str(p) for p in photos))
    if reflection is not None:
        box = browser.find_element(By.CSS_SELECTOR, f'form[action="{form}"] textarea')
        box.clear()
        box.send_keys(reflection)
    button = browser.find_element(By.CSS_SELECTOR, f'form[action="{form}"] button')
    button.click()
    # While the answer replaces the page, chromium may call the button "not in the
    # document" (an unknown error) before it calls it stale: ask again until it is stale.
    WebDriverWait(browser, 30, ignored_exceptions=(WebDriverException,)).until(
        staleness_of(button)
    )
    WebDriverWait(browser, 30).until(
        lambda driver: driver.execute_script("return document.readyState") == "complete"
    )


def text_of(browser: Any) -> str:
    from selenium.webdriver.common.by import By

    return str(browser.find_element(By.TAG_NAME, "body").text)


def policy_errors(browser: Any) -> list[str]:
    return [e["message"] for e in browser.get_log("browser") if "Content Security" in e["message"]]


# --- the page in a browser --------------------------------------------------------------------


@pytest.mark.system
def test_the_day_done_from_a_phone_sized_browser(
    page: Served, browser: Any, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    browser.get(page.url)
    assert browser.execute_script("return innerWidth") == PHONE["width"]
    assert item_text(1) in text_of(browser)
    assert item_text(2) not in browser.page_source
    fits = "return document.documentElement.scrollWidth <= innerWidth"
    assert browser.execute_script(fits)  # nothing to scroll sideways
    button = browser.find_element(By.CSS_SELECTOR, "button")
    assert button.value_of_css_property("color") == "rgba(255, 255, 255, 1)"  # styled: CSP ok
    camera = browser.find_element(By.ID, "camera")
    assert camera.get_attribute("capture") == "environment"

    page.clock.move(hours=1)
    photo = make_photo(tmp_path / "IMG_0001.jpg", size=(640, 480))
    send(browser, "done", photos=[photo], reflection="Found a green door.\nKnocked!")
    shown = text_of(browser)
    assert "The day is done" in shown
    assert "Found a green door." in shown
    image = browser.find_element(By.CSS_SELECTOR, ".photos img")
    assert browser.execute_script("return arguments[0].naturalWidth", image) > 0
    (entry,) = journal_entries(page.clock)
    assert entry["reflection"] == "Found a green door.\nKnocked!"
    assert len(entry["photos"]) == 1
    assert policy_errors(browser) == []


@pytest.mark.system
def test_an_iphone_photo_through_the_camera_input(
    page: Served, browser: Any, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    browser.get(page.url)
    page.clock.move(hours=1)
    heic = make_photo(tmp_path / "IMG_0002.HEIC", "HEIF", size=(320, 240))
    browser.find_element(By.ID, "camera").send_keys(str(heic))
    send(browser, "done", reflection="From the camera.")
    assert "The day is done" in text_of(browser)
    (entry,) = journal_entries(page.clock)
    assert entry["photos"][0]["format"] == "HEIF"


@pytest.mark.system
def test_refusals_show_on_the_page_and_keep_the_text(
    page: Served, browser: Any, tmp_path: Path
) -> None:
    browser.get(page.url)
    page.clock.move(hours=1)
    notes = tmp_path / "notes.txt"
    notes.write_text("not a photo\n", encoding="utf-8")
    send(browser, "done", photos=[notes], reflection="Typed with care.")
    shown = text_of(browser)
    assert "Photo notes.txt is not an image" in shown
    assert "Typed with care." in browser.page_source  # still in the form
    assert journal_entries(page.clock) == []

    # Sent meanwhile from elsewhere (another phone, the command line): a second send is refused.
    assert page.post("done", {"reflection": "first"}, [("a.jpg", jpeg())]).status == 303
    send(browser, "done", photos=[make_photo(tmp_path / "b.jpg")], reflection="second")
    assert "already done" in text_of(browser)
    assert [e["reflection"] for e in journal_entries(page.clock)] == ["first"]
    assert leftovers(page.server.phone.data.root) == []


@pytest.mark.system
def test_amend_on_the_page(page: Served, browser: Any, tmp_path: Path) -> None:
    browser.get(page.url)
    page.clock.move(hours=1)
    send(browser, "done", photos=[make_photo(tmp_path / "a.jpg")], reflection="first")
    send(browser, "amend", photos=[make_photo(tmp_path / "b.png", "PNG")], reflection="better")
    assert "Changed." in text_of(browser)
    (entry,) = journal_entries(page.clock)
    assert entry["reflection"] == "better"
    assert entry["photos"][0]["format"] == "PNG"


@pytest.mark.system
def test_without_the_token_the_browser_gets_404(page: Served, browser: Any) -> None:
    base = page.url.rsplit("/", 2)[0]
    browser.get(base + "/")
    assert "Not found." in text_of(browser)
    browser.get(page.url)
    assert item_text(1) in text_of(browser)


@pytest.mark.system
def test_large_text_still_fits_a_phone(page: Served, browser: Any) -> None:
    """The phone's large-text setting: the page in rem scales, and still fits the width."""
    browser.get(page.url)
    browser.execute_script("document.documentElement.style.fontSize = '200%'")
    assert browser.execute_script("return document.documentElement.scrollWidth <= innerWidth")
    size = browser.execute_script(
        "return parseFloat(getComputedStyle(document.querySelector('.item')).fontSize)"
    )
    assert size >= 40  # 1.25rem at twice the size


# --- the real command ---------------------------------------------------------------------------


@pytest.fixture
def opened_now(make_sealed: Callable[..., Path], run: Cli) -> None:
    """A list opened by the real clock (its day starts 12 h away, so the command, reading the
    same clock, sees the same list day)."""
    now = SystemClock().now()
    sealed = make_sealed(
        3, settings={"day_starts_at": (now + timedelta(hours=12)).strftime("%H:%M")}
    )
    assert run("open", str(sealed), now=now - timedelta(seconds=2)).exit_code == 0


class Command:
    """`dailylist phone ARGS` running as its own process, its output read line by line."""

    def __init__(self, home: Path, *args: str, background: bool = False) -> None:
        """`background`: started as a shell starts a background job, with SIGINT ignored."""
        env = {**os.environ, "DAILYLIST_HOME": str(home), "PYTHONUNBUFFERED": "1"}
        ignore = (lambda: signal.signal(signal.SIGINT, signal.SIG_IGN)) if background else None
        self.process = subprocess.Popen(
            [sys.executable, "-m", "dailylist", "phone", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            preexec_fn=ignore,
        )
        self.lines: list[str] = []

    def address(self) -> str:
        """Read the output up to the line that is the page's address."""
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))
            if line.startswith("http://"):
                return line.strip()
        raise AssertionError(f"no address printed: {self.finish()}")

    def qr_lines(self) -> list[str]:
        """The QR code's lines, read on from the address."""
        assert self.process.stdout is not None
        drawn: list[str] = []
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))
            if line.strip() and set(line.rstrip("\n")) <= set("█▀▄ "):
                drawn.append(line.rstrip("\n"))
            elif drawn or line.startswith("Serving"):
                return drawn
        return drawn

    def finish(self, timeout: float = 20) -> tuple[int, str, str]:
        out, err = self.process.communicate(timeout=timeout)
        return self.process.returncode, "\n".join(self.lines) + out, err


def read_back(drawn: list[str], tmp_path: Path) -> str:
    """Draw the terminal's QR code as an image (a full block is two light modules, as
    segno's compact drawing has it) and read it with zbarimg."""
    scale = 8
    width = max(len(line) for line in drawn)
    image = Image.new("L", (width * scale, len(drawn) * 2 * scale), 0)
    for row, line in enumerate(drawn):
        for column, char in enumerate(line):
            top, bottom = char in "█▀", char in "█▄"
            for half, light in ((0, top), (1, bottom)):
                if light:
                    box = (column * scale, (row * 2 + half) * scale)
                    image.paste(255, (*box, box[0] + scale, box[1] + scale))
    path = tmp_path / "qr.png"
    image.save(path)
    done = subprocess.run(
        [need("zbarimg"), "--raw", "-q", str(path)], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=20) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


@pytest.mark.system
@pytest.mark.usefixtures("opened_now")
def test_the_command_prints_an_address_its_qr_code_reads_back_and_ctrl_c_stops(
    private_home: Path, tmp_path: Path
) -> None:
    from dailylist.phone.server import local_address

    host = local_address()  # a QR code is drawn for an address a phone can reach
    if host is None:
        message = "this machine has no local network address to serve a phone on"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    command = Command(private_home)
    try:
        url = command.address()
        assert re.fullmatch(rf"http://{re.escape(host)}:\d+/[A-Za-z0-9_-]{{27,}}/", url)
        assert read_back(command.qr_lines(), tmp_path) == url
        status, body = fetch(url)
        assert status == 200
        assert item_text(1) in body
        assert fetch(url.rsplit("/", 2)[0] + "/")[0] == 404
    finally:
        command.process.send_signal(signal.SIGINT)
        code, out, err = command.finish()
    assert code == 0, err
    assert "Stopped." in out
    assert "Traceback" not in err
    assert leftovers(private_home) == []
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(url, timeout=5)  # listens only while it runs


@pytest.mark.system
@pytest.mark.usefixtures("opened_now")
def test_an_address_only_this_computer_reaches_says_so_and_ctrl_c_stops_a_background_job(
    private_home: Path, tmp_path: Path
) -> None:
    command = Command(private_home, "--host", "127.0.0.1", background=True)
    url = command.address()
    assert url.startswith("http://127.0.0.1:")
    assert read_back(command.qr_lines(), tmp_path) == url
    command.process.send_signal(signal.SIGINT)  # ignored on start, as `dailylist phone &`
    code, out, _ = command.finish()
    assert code == 0
    assert "Only this computer can open this address" in out
    assert "Stopped." in out


@pytest.mark.system
@pytest.mark.usefixtures("opened_now")
def test_once_stops_when_the_day_is_done_and_sigterm_stops_too(
    private_home: Path, tmp_path: Path
) -> None:
    command = Command(private_home, "--host", "127.0.0.1", "--once")
    url = command.address()
    fetch(url)  # reveals the day
    import urllib3

    body, kind = urllib3.encode_multipart_formdata(
        [("photo", ("a.jpg", jpeg())), ("reflection", "From the phone.")]
    )
    request = urllib.request.Request(url + "done", body, {"Content-Type": kind}, method="POST")
    with urllib.request.urlopen(request, timeout=20) as response:
        page = response.read().decode("utf-8")
    assert "has stopped" in page
    code, out, err = command.finish()
    assert code == 0, err
    assert "The day is done; stopped." in out

    already = Command(private_home, "--host", "127.0.0.1", "--once")
    code, out, err = already.finish()  # nothing to wait for: it stops as it starts
    assert code == 0, err
    assert "Today's item is done already" in out
    assert "http://" not in out

    again = Command(private_home, "--host", "127.0.0.1")
    again.address()
    again.process.send_signal(signal.SIGTERM)
    code, out, err = again.finish()
    assert code == 0, err
    assert "Stopped." in out


@pytest.mark.system
@pytest.mark.usefixtures("opened_now")
def test_once_stops_when_the_day_is_done_on_the_command_line(
    private_home: Path, tmp_path: Path
) -> None:
    command = Command(private_home, "--host", "127.0.0.1", "--once")
    fetch(command.address())  # reveals the day
    photo = tmp_path / "p.jpg"
    photo.write_bytes(jpeg())
    subprocess.run(
        [sys.executable, "-m", "dailylist", "done", "--photo", str(photo), "--note", "Here."],
        env={**os.environ, "DAILYLIST_HOME": str(private_home)},
        check=True,
        capture_output=True,
    )
    code, out, err = command.finish(timeout=15)
    assert code == 0, err
    assert "The day is done; stopped." in out


@pytest.mark.usefixtures("opened_now")
def test_the_command_refuses_what_it_cannot_do(run: Cli, private_home: Path) -> None:
    every = run("phone", "--host", "0.0.0.0", now=SystemClock().now())
    assert every.exit_code == 2
    assert "every address" in every.stderr
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        busy = run("phone", "--host", "127.0.0.1", "--port", str(port), now=SystemClock().now())
    assert busy.exit_code == 2
    assert "cannot listen on 127.0.0.1 port" in busy.stderr
    help_text = run("phone", "--help", now=SystemClock().now()).stdout
    assert "dailylist phone --once" in help_text


def test_the_page_names_no_file_outside_today(page: Served) -> None:
    """Only today's item and today's photos: no path of the file system is reachable."""
    token = page.server.token
    for path in ("../../etc/passwd", "photos/", "journal.json", "%2e%2e/%2e%2e/etc/passwd"):
        assert page.request("GET", f"/{token}/{path}").status == 404
    assert json.dumps(page.get().headers).count("Location") == 0
