"""The coverage gate holds a run of the whole suite only.

With `--cov` (the README's command and CI), pytest-cov measures branch coverage and fails a
run whose total is under `[tool.coverage.report] fail_under`. Only the whole suite
can reach that floor, so a run of part of it (a file or test named, `-k`, `-m` other than
the default, `--lf`, `--deselect`) is not held to it and says so; the tests still decide
its exit code. Without `--cov` nothing is measured, for a quicker run.
"""

from __future__ import annotations

from typing import Any

import pytest

_PART = pytest.StashKey[bool]()


def pytest_deselected(items: list[pytest.Item]) -> None:
    """Leaving out a test the default run keeps (any but `slow`) makes the run partial."""
    for item in items:
        if item.get_closest_marker("slow") is None:
            item.config.stash[_PART] = True
            return


def _named_part(config: pytest.Config) -> bool:
    """Whether the command line named files or tests other than the suite's testpaths."""
    if config.args_source is pytest.Config.ArgsSource.TESTPATHS:
        return False
    here = config.invocation_params.dir
    named = {(here / arg).resolve() for arg in config.args if "::" not in arg}
    suite = {(config.rootpath / path).resolve() for path in config.getini("testpaths")}
    return any("::" in arg for arg in config.args) or named != suite


def _gate(config: pytest.Config) -> Any:
    """pytest-cov's plugin while it measures this run, else None."""
    plugin = config.pluginmanager.get_plugin("_cov")
    return plugin if getattr(plugin, "cov_controller", None) is not None else None


def _lift(config: pytest.Config) -> None:
    config.stash[_PART] = True
    plugin = _gate(config)
    if plugin is not None:
        plugin.options.cov_fail_under = None


def pytest_collection_finish(session: pytest.Session) -> None:
    """In a run of one process, or in each of pytest-xdist's workers (which collect, and
    tell the process that holds the gate through their `workeroutput`)."""
    config = session.config
    if config.stash.get(_PART, False) or _named_part(config):
        _lift(config)
        output = getattr(config, "workeroutput", None)
        if output is not None:
            output["dailylist_partial"] = True


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """With pytest-xdist: a worker that ran part of the suite makes the whole run partial
    (this comes before pytest-cov weighs the total against its floor)."""
    if getattr(node, "workeroutput", {}).get("dailylist_partial"):
        _lift(node.config)


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    if config.stash.get(_PART, False) and _gate(config) is not None:
        terminalreporter.write_line(
            "coverage: part of the suite ran, so its floor was not applied (leave out --cov "
            "to skip measuring); the whole suite is held to it"
        )
