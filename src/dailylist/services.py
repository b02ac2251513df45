"""User services: systemd user units that dailylist writes for a person, enables, and
removes again (the daily reminder's timer, the phone's page kept up).

Every unit file dailylist writes starts with a mark line of its own: what it may replace or
remove is what carries it, never a person's own unit of the same name.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from dailylist.errors import BadInput
from dailylist.store import write_out


def systemd_command(command: str) -> str:
    """A command line as systemd reads one: `%` starts a specifier and `$` a variable, so
    each is doubled."""
    return command.replace("%", "%%").replace("$", "$$")


def user_unit_dir() -> Path:
    """Where systemd looks for a user's own units: `$XDG_CONFIG_HOME/systemd/user`, else
    `~/.config/systemd/user` (a relative XDG_CONFIG_HOME counts as unset, as systemd and
    the XDG spec say)."""
    base = os.environ.get("XDG_CONFIG_HOME", "")
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / ".config"
    return root / "systemd" / "user"


@dataclass(frozen=True)
class UnitChange:
    """What `install_units` or `uninstall_units` did: the unit files written or removed,
    and, when systemctl could not do its part, why and what to run by hand."""

    folder: Path
    files: tuple[Path, ...]
    trouble: str | None = None
    by_hand: str | None = None
    #: For an install: whether the unit is enabled (it then starts at the next login at
    #: the latest) and whether it is started now.
    enabled: bool = False
    started: bool = False


def _ours(folder: Path, names: tuple[str, ...], mark: str) -> list[Path]:
    """The unit files of ours in `folder`; `BadInput` when one of their names holds
    something dailylist did not write (a person's own unit, a link, a folder)."""
    found = []
    for name in names:
        path = folder / name
        if not (path.exists() or path.is_symlink()):
            continue
        if path.is_symlink() or not path.is_file():
            raise BadInput(f"{path} is not a unit file dailylist wrote; nothing was changed")
        try:
            head = path.read_text(encoding="utf-8", errors="replace")[: len(mark)]
        except OSError as exc:
            raise BadInput(f"cannot read {path}: {exc.strerror or exc}") from exc
        if head != mark:
            raise BadInput(f"{path} was not written by dailylist; nothing was changed")
        found.append(path)
    return found


def install_units(units: dict[str, str], *, mark: str, enable: str) -> UnitChange:
    """Write the units (each starting with `mark`) into the user's systemd folder,
    replacing only ours, and enable unit `enable`, started now. Enabling works without a
    running user manager (systemctl then makes its link itself); starting needs one:
    without it the unit starts at the next login, and `by_hand` says how to start it now."""
    folder = user_unit_dir()
    _ours(folder, tuple(units), mark)  # refuses before anything is written
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BadInput(f"cannot make {folder}: {exc.strerror or exc}") from exc
    written = []
    for name, text in units.items():
        write_out(folder / name, text.encode(), what="systemd unit")
        written.append(folder / name)
    files = tuple(written)
    trouble = _systemctl("enable", enable)
    if trouble is not None:
        by_hand = f"systemctl --user daemon-reload && systemctl --user enable --now {enable}"
        return UnitChange(folder, files, trouble, by_hand)
    trouble = _systemctl("daemon-reload") or _systemctl("start", enable)
    if trouble is not None:
        by_hand = f"systemctl --user daemon-reload && systemctl --user start {enable}"
        return UnitChange(folder, files, trouble, by_hand, enabled=True)
    return UnitChange(folder, files, enabled=True, started=True)


def uninstall_units(names: tuple[str, ...], *, mark: str, enable: str) -> UnitChange:
    """Stop and disable unit `enable`, remove the unit files dailylist wrote (those of
    `names` that carry `mark`), and have systemd read its folder again. What needs a
    running user manager (stopping, reloading) and fails is said, with what to run by
    hand; the files go all the same."""
    folder = user_unit_dir()
    ours = _ours(folder, names, mark)
    if not ours:
        return UnitChange(folder, ())
    failed: list[tuple[str, str]] = []  # (the command, what it said)

    def systemctl(*args: str) -> None:
        said = _systemctl(*args)
        if said is not None:
            failed.append((f"systemctl --user {' '.join(args)}", said))

    systemctl("stop", enable)
    systemctl("disable", enable)
    for path in ours:
        try:
            path.unlink()
        except OSError as exc:
            raise BadInput(f"cannot remove {path}: {exc.strerror or exc}") from exc
    systemctl("daemon-reload")
    if not failed:
        return UnitChange(folder, tuple(ours))
    by_hand = "; ".join(command for command, _ in failed)
    return UnitChange(folder, tuple(ours), failed[0][1], by_hand)


def _systemctl(*args: str) -> str | None:
    """Run `systemctl --user ARGS`; None when it worked, else what went wrong, in a line."""
    program = shutil.which("systemctl")
    if program is None:
        return "systemctl is not installed"
    try:
        done = subprocess.run(
            [program, "--user", *args], capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"systemctl --user {' '.join(args)} could not run ({exc})"
    if done.returncode == 0:
        return None
    said = done.stderr.strip().splitlines() or [f"exit status {done.returncode}"]
    return f"systemctl --user {' '.join(args)} failed: {said[-1]}"
