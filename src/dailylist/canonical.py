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
    `ValueError` with a short reason."""
    try:
        return json.loads(raw.decode("utf-8"))
    except RecursionError as exc:
        raise ValueError("nested too deeply") from exc
    except ValueError as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise ValueError(str(exc).split(":")[0]) from exc
