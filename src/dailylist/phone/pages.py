"""The phone's page: plain HTML with one inline style sheet and no script.

Everything shown is escaped here, once: the item and the list's words come from the
author's file, the reflection and the photos' names from the person, and none of it may
become markup. Sizes are in `rem`, so the phone's large-text setting makes everything
larger; the layout is one column that fits a small screen.

`CONTENT_SECURITY_POLICY` allows exactly this: the style sheet below (by its hash), images
inlined as `data:` URIs, forms sent back to the page; no script, nothing from elsewhere.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape

from dailylist.codec import b64
from dailylist.domain import reflow

STYLE = """
:root { color-scheme: light dark; --accent: #2f6f4e; --soft: #8883; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body { margin: 0 auto; max-width: 40rem; padding: 1rem; font: 1.05rem/1.5 system-ui,
  -apple-system, "Segoe UI", sans-serif; }
h1 { font-size: 1.1rem; margin: 0 0 .25rem; opacity: .8; }
h2 { font-size: 1.4rem; margin: 1rem 0 .5rem; }
.item { white-space: pre-line; font-size: 1.25rem; padding: 1rem; border-radius: .75rem;
  background: var(--soft); overflow-wrap: anywhere; }
.said, .refused { padding: .75rem 1rem; border-radius: .75rem; margin: 1rem 0;
  overflow-wrap: anywhere; }
.said { background: #2f6f4e33; border: 2px solid var(--accent); }
.refused { background: #b0303033; border: 2px solid #b03030; }
form { margin: 1rem 0; }
label { display: block; font-weight: 600; margin: 1rem 0 .35rem; }
input[type=file], input[type=text], textarea { width: 100%; font: inherit; }
input[type=text], textarea { padding: .6rem; border-radius: .5rem; border: 1px solid #888; }
button { font: inherit; font-weight: 600; width: 100%; margin-top: 1.25rem; padding: .9rem;
  border: 0; border-radius: .75rem; background: var(--accent); color: #fff; }
.reflection { white-space: pre-line; overflow-wrap: anywhere; }
.photos img { display: block; max-width: 100%; height: auto; margin: .5rem 0;
  border-radius: .5rem; }
.small { font-size: .9rem; opacity: .8; }
"""

_STYLE_HASH = b64(hashlib.sha256(STYLE.encode()).digest())
CONTENT_SECURITY_POLICY = (
    f"default-src 'none'; style-src 'sha256-{_STYLE_HASH}'; img-src data:; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


@dataclass(frozen=True)
class Ask:
    """What a form asks for: the item's photo and reflection rules, and the question."""

    photo: str  # "required" or "optional"
    reflection: str  # "required", "optional" or "off"
    question: str


def document(title: str, parts: Iterable[str]) -> bytes:
    """A whole page: `parts` are HTML made by the functions below."""
    return (
        "<!doctype html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer">'
        '<link rel="icon" href="data:,">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head>\n"
        f"<body>{''.join(parts)}</body></html>\n"
    ).encode()


def heading(list_title: str, day: str) -> str:
    return f"<h1>{escape(list_title)}</h1><h2>{escape(day)}</h2>"


def said(text: str) -> str:
    return f'<p class="said" role="status">{escape(text)}</p>'


def refused(text: str) -> str:
    return f'<p class="refused" role="alert">{escape(text)}</p>'


def paragraph(text: str, *, small: bool = False) -> str:
    return f"<p{' class=small' if small else ''}>{escape(text)}</p>"


def item(title: str | None, text: str) -> str:
    """Today's item as `today` shows it: the author's hand-wrapping undone, so the phone's
    screen wraps it; paragraphs and short lines kept."""
    shown = f"<strong>{escape(title)}</strong>\n" if title else ""
    return f'<div class="item" id="item">{shown}{escape(reflow(text))}</div>'


def _photo_inputs(required: bool, *, replacing: bool) -> str:
    what = "Photos to replace today's" if replacing else "Your photo"
    need = "" if required else " (optional)"
    return (
        f'<label for="camera">{what}{need}: take one</label>'
        '<input id="camera" type="file" name="photo" accept="image/*" capture="environment">'
        '<label for="gallery">or choose from your photos</label>'
        '<input id="gallery" type="file" name="photo" accept="image/*" multiple>'
    )


def _reflection_input(ask: Ask, text: str, *, required: bool) -> str:
    if ask.reflection == "off":
        return ""
    need = "" if ask.reflection == "required" else " (optional)"
    return (
        f'<label for="reflection">{escape(ask.question)}{need}</label>'
        f'<textarea id="reflection" name="reflection" rows="6"{" required" if required else ""}>'
        f"{escape(text)}</textarea>"
    )


def done_form(ask: Ask, reflection: str = "") -> str:
    """The day's form: photos (camera or gallery), the reflection, send."""
    return (
        '<form method="post" action="done" enctype="multipart/form-data">'
        f"{_photo_inputs(ask.photo == 'required', replacing=False)}"
        f"{_reflection_input(ask, reflection, required=ask.reflection == 'required')}"
        '<button type="submit">Send: the day is done</button></form>'
    )


def amend_form(ask: Ask, reflection: str) -> str:
    """Change the day's entry: new photos replace the old, the reflection is rewritten."""
    return (
        "<h2>Change it</h2>"
        '<form method="post" action="amend" enctype="multipart/form-data">'
        f"{_photo_inputs(False, replacing=True)}"
        f"{_reflection_input(ask, reflection, required=False)}"
        '<button type="submit">Save the changes</button>'
        '<p class="small">What you sent first stays in the journal too.</p></form>'
    )


def code_form(author: str, typed: str = "") -> str:
    """The check-in's form, with the code `typed` before (when it was refused) kept."""
    return (
        f"<p>Today is a check-in: {escape(author)} will give you its code.</p>"
        '<form method="post" action="code" enctype="multipart/form-data">'
        '<label for="code">The code</label>'
        f'<input id="code" type="text" name="code" value="{escape(typed)}" autocomplete="off" '
        'autocapitalize="none" spellcheck="false" required>'
        '<button type="submit">Open today\'s item</button></form>'
    )


def entry(reflection: str | None, photos: Sequence[str | None], day: str, note: str | None) -> str:
    """A completed day: its photos (as data: URIs; None for one that cannot be shown) and
    its reflection."""
    images = "".join(
        f'<img src="{uri}" alt="photo {number} of {escape(day)}">'
        if uri is not None
        else paragraph(f"Photo {number} cannot be shown: `dailylist doctor` says why.", small=True)
        for number, uri in enumerate(photos, 1)
    )
    parts = [f'<div class="photos">{images}</div>' if images else ""]
    if reflection:
        parts.append(f'<p class="reflection" id="reflection-text">{escape(reflection)}</p>')
    if note:
        parts.append(paragraph(note, small=True))
    return "".join(parts)
