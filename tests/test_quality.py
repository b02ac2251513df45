"""The suite also holds the code to our habits: ruff (lint and format), mypy --strict, and
the house's layers as `import-linter` checks them (the contract is in pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    "command",
    [
        ["ruff", "check", "."],
        ["ruff", "format", "--check", "."],
        ["mypy", "src"],
    ],
    ids=["ruff-check", "ruff-format", "mypy-strict"],
)
def test_code_quality(command: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", *command], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_layers_of_the_house_hold() -> None:
    """Each layer imports only from those below it, with no exception (see pyproject.toml)."""
    script = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run(
        [str(script), "--no-cache"], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 kept, 0 broken" in done.stdout
    config = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert "ignore_imports" not in config  # no exception named: none is needed


def test_the_readme_layout_table_names_every_module() -> None:
    """The README's layout table, checked against the code: every module of src/dailylist
    is named in it, and it names none that is not there."""
    import re

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("| module | its job |") :]
    table = table[: table.index("\n\n")]
    named: set[str] = set()
    for cell in re.findall(r"^\| ([^|]+) \|", table, flags=re.MULTILINE):
        for name in re.findall(r"`([\w/.]+)`", cell):
            named.add(name.removesuffix(".py").rstrip("/"))
    package = REPO / "src" / "dailylist"
    modules = {
        path.relative_to(package).with_suffix("").as_posix()
        for path in package.rglob("*.py")
        if path.name != "__init__.py" and path.name != "__main__.py"
    }
    folders = {name.split("/")[0] for name in modules if "/" in name}
    top = {name for name in modules if "/" not in name}
    inside = {name.split("/")[1] for name in modules if "/" in name}
    assert top <= named, sorted(top - named)
    assert folders <= named, sorted(folders - named)
    for folder in folders:
        row = next(line for line in table.splitlines() if line.startswith(f"| `{folder}/`"))
        wanted = {name.split("/")[1] for name in modules if name.startswith(f"{folder}/")}
        assert all(f"`{name}`" in row for name in wanted), (folder, sorted(wanted))
    assert named - {"module"} <= top | folders | inside, sorted(named - top - folders - inside)
