"""Untrusted text is data, not terminal commands: what reaches a terminal is made safe here.

A list's title, letter or items, a report's fields, a reflection or a file name can hold raw
control characters: `ESC ] 0 ;` retitles a window, `ESC ] 8` hides a link, `ESC [ 2 J`
clears the screen, a carriage return overwrites a line, a bidi override reorders what is
read. Every such character but newline and tab is shown visibly instead (`\\x1b`), at the
output edge, once: `safe` for plain lines, `SafeOutput` for everything rich prints (after
rich has styled it, so its own colours stay), and `safe_json` for `--json`, which stays
exact JSON. Standard library only.
"""

from __future__ import annotations

import json

TYPE_CHECKING = False  # `typing` alone costs the prompt several milliseconds to import
if TYPE_CHECKING:
    from typing import Any

_C0 = [code for code in range(0x20) if code not in (0x09, 0x0A)]
_C1 = list(range(0x7F, 0xA0))
#: Bidirectional embeddings, overrides and isolates ("Trojan Source").
_BIDI = [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]

_VISIBLE = {code: f"\\x{code:02x}" for code in (*_C0, *_C1)} | {
    code: f"\\u{code:04x}" for code in _BIDI
}
#: In JSON, the same characters as JSON escapes (C0 are escaped by `json` already).
_ESCAPED = {code: f"\\u{code:04x}" for code in (*_C1, *_BIDI)}


def safe(text: str) -> str:
    """`text` with every control character but newline and tab shown visibly, and so is a
    lone surrogate (a byte that was not UTF-8, in a file name say: no terminal prints it)."""
    if text.isprintable():
        return text
    shown = text.translate(_VISIBLE)
    if any("\ud800" <= char <= "\udfff" for char in shown):
        shown = "".join(_surrogate(char) for char in shown)
    return shown


def _surrogate(char: str) -> str:
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # how Python keeps a byte that was not UTF-8
        return f"\\x{code - 0xDC00:02x}"
    return f"\\u{code:04x}" if 0xD800 <= code <= 0xDFFF else char


def safe_json(value: Any) -> str:
    """`value` as indented JSON whose text holds no raw control character: the same JSON,
    with the characters a terminal would act on written as escapes."""
    return json.dumps(value, indent=2, ensure_ascii=False).translate(_ESCAPED)
