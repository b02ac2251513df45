"""What `dailylist phone` prints: where the page is, and its QR code.

A terminal draws a block in its own text colour and a space in its own background, and a
phone reads a QR code only dark on light. With colours allowed, the code is drawn in black
on white whatever the terminal's own colours. Without (`NO_COLOR`, or output that is not a
terminal), nothing says which of its colours is the dark one, so the code is drawn twice,
side by side (or one above the other where the width is short): once with blocks for the
dark modules, read on a light terminal, and once with blocks for the light ones and its
border, read on a dark terminal. Each has its quiet border of four modules.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from rich.console import Console
from rich.text import Text

if TYPE_CHECKING:
    from segno import QRCode

#: The quiet border around a code, in modules, as QR readers expect it.
BORDER = 4
#: Black on white, whatever the terminal's own colours are.
_INKED = "#000000 on #ffffff"


def phone_started(
    out: Console, url: str, *, once: bool, here_only: bool = False, qr_file: str | None = None
) -> None:
    """Where the phone's page is: the address on a line of its own, and its QR code (also
    written to `qr_file`, if given)."""
    colour = not out.no_color and out.color_system is not None
    drawn = qr_lines(url, colour=colour, width=out.width)
    if here_only:
        out.print(
            "Only this computer can open this address (a phone needs the network's: leave "
            "out --host); open it in a browser here:"
        )
    elif len(drawn) > 1:
        out.print(
            "Scan a code with your phone's camera (on the same Wi-Fi): both hold the address, "
            "one drawn for a light terminal and one for a dark. Or open:"
        )
    else:
        out.print("Scan the code with your phone's camera (on the same Wi-Fi), or open:")
    out.print(url, soft_wrap=True, markup=False)
    for code in drawn:
        for line in code:
            out.print(line, soft_wrap=True, no_wrap=True)
    if qr_file is not None:
        out.print(f"The QR code is in {qr_file} too (only you can read it).", markup=False)
    until = "until the day is done (or Ctrl-C)" if once else "until Ctrl-C"
    out.print(f"Serving today's page {until}. Only someone with this address can use it.")


def qr_lines(text: str, *, colour: bool, width: int) -> list[list[Text]]:
    """`text` as QR codes to print, each a list of lines (two rows of modules to a line):
    one code in black on white with `colour`, else two (see the module's docstring), side
    by side when `width` columns hold them, which makes them one list of lines."""
    code = _make(text)
    rows = [[bool(module) for module in row] for row in code.matrix_iter(border=BORDER)]
    if colour:
        return [[Text(line, style=_INKED) for line in _drawn(rows, ink=True)]]
    for_light, for_dark = list(_drawn(rows, ink=True)), list(_drawn(rows, ink=False))
    if 2 * len(for_light[0]) <= width:
        return [[Text(a + b) for a, b in zip(for_light, for_dark, strict=True)]]
    return [[Text(line) for line in for_light], [Text(line) for line in for_dark]]


def qr_png(text: str) -> bytes:
    """`text` as a QR code in a PNG image: black on white, eight pixels a module."""
    import io

    buffer = io.BytesIO()
    _make(text).save(buffer, kind="png", scale=8, border=BORDER)
    return buffer.getvalue()


def _make(text: str) -> QRCode:
    import segno

    return segno.make(text, error="m", micro=False)


def _drawn(rows: list[list[bool]], *, ink: bool) -> Iterator[str]:
    """The modules `rows` (True: dark) as lines of half blocks, a block where a module is
    `ink` (dark or light); two rows to a line, the last one alone when they are odd."""
    for top, bottom in _pairs(rows, filler=[not ink] * len(rows[0])):
        yield "".join(_HALVES[(a == ink, b == ink)] for a, b in zip(top, bottom, strict=True))


_HALVES = {(True, True): "█", (True, False): "▀", (False, True): "▄", (False, False): " "}


def _pairs(rows: list[list[bool]], filler: list[bool]) -> Iterable[tuple[list[bool], list[bool]]]:
    for index in range(0, len(rows), 2):
        yield rows[index], rows[index + 1] if index + 1 < len(rows) else filler
