"""What `dailylist phone` prints: where the page is, and its QR code."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text


def phone_started(out: Console, url: str, *, once: bool, here_only: bool = False) -> None:
    """Where the phone's page is: the address on a line of its own, and its QR code."""
    if here_only:
        out.print(
            "Only this computer can open this address (a phone needs the network's: leave "
            "out --host); open it in a browser here:"
        )
    else:
        out.print("Scan the code with your phone's camera (on the same Wi-Fi), or open:")
    out.print(url, soft_wrap=True, markup=False)
    qr_code(out, url)
    until = "until the day is done (or Ctrl-C)" if once else "until Ctrl-C"
    out.print(f"Serving today's page {until}. Only someone with this address can use it.")


def qr_code(out: Console, text: str) -> None:
    """`text` as a QR code in the terminal, two rows of modules to a line (segno's compact
    drawing: a full block is two light modules), drawn white on black so that it reads on
    light and dark terminals alike, with the four modules of quiet border readers expect."""
    import io

    import segno

    drawing = io.StringIO()
    segno.make(text, error="m", micro=False).terminal(out=drawing, compact=True, border=4)
    for line in drawing.getvalue().splitlines():
        out.print(Text(line, style="white on black"), soft_wrap=True, no_wrap=True)
