"""Error types raised by the core and turned into a message and an exit code at the CLI edge.

Exit codes (SPEC section 5): 0 success, 1 a rule says "not now", 2 bad input or damaged data,
70 an internal error (a bug; sysexits' EX_SOFTWARE). Messages never contain an unrevealed
item's text nor a reflection. Standard library only, and nothing imported: the prompt's
quick path raises these too.
"""

from __future__ import annotations

#: The exit code of an unexpected exception: a bug, never an answer to bad input.
INTERNAL_ERROR = 70


class DailylistError(Exception):
    """An expected failure: shown as one line, never as a traceback (unless --debug).

    `reason`, when set, is a code that says what the person can do about it (`photo`: add
    a photo; `reveal`: show today's item first...): each front end turns it into its own
    words, a flag on the command line, a sentence on the phone's page (see `cli` and
    `phone.app`). The message itself names no command or flag."""

    exit_code = 2

    def __init__(self, message: str, *, reason: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason


class NotNow(DailylistError):
    """A rule says not now: the message says why and when."""

    exit_code = 1


class BadInput(DailylistError):
    """The user gave something we cannot use: a missing file, an invalid list, a bad photo."""


class DamagedData(DailylistError):
    """A file we rely on is damaged or was tampered with; it is reported, never overwritten."""


class ProblemsFound(BadInput):
    """A list source has problems; each one names its place."""

    def __init__(self, message: str, problems: list[tuple[str, str]]) -> None:
        super().__init__(message)
        self.problems = problems
