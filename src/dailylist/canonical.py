"""JSON as dailylist hashes, signs and parses it. Standard library only."""

from __future__ import annotations

import json
from typing import Any


def canonical_json(value: Any) -> bytes:
    """One byte string per value: sorted keys, no spaces, UTF-8. Used for hashes and signatures."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def parse_json(raw: bytes) -> Any:
    """Parse untrusted JSON bytes; any failure (bad UTF-8, bad JSON, absurd nesting) is a
    `ValueError` with a short reason.

    Strict where Python's parser is lenient, so that whatever it returns can be hashed and
    written again: no `NaN` or `Infinity`, and no half of a character (a `\\ud800` escape
    without its pair, which no UTF-8 text can hold).
    """
    try:
        value = json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
    except RecursionError as exc:
        raise ValueError("nested too deeply") from exc
    except json.JSONDecodeError as exc:
        text = exc.doc.strip()
        # JSON that starts as one but stops before its end was cut short; anything else
        # (TOML, Markdown, a photo) is simply not JSON.
        cut_short = text.startswith(("{", "[")) and not text.endswith(("}", "]"))
        cut = "; the file seems cut short" if cut_short else ""
        raise ValueError(f"{exc.msg} (line {exc.lineno}, column {exc.colno}){cut}") from exc
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8 text (byte {exc.start + 1})") from exc
    if b"\\ud" in raw or b"\\uD" in raw:  # a surrogate escape: pairs are fine, halves not
        try:
            canonical_json(value)
        except UnicodeEncodeError as exc:
            raise ValueError("it holds half of a character (a lone \\u surrogate)") from exc
    return value


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")
