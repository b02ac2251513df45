"""The phone's pages: plain HTML with one inline style sheet and one small inline script.

Everything shown is escaped here, once: the item and the list's words come from the
author's file, the reflection and the photos' names from the person, and none of it may
become markup. Sizes are in `rem`, so the phone's large-text setting makes everything
larger; the layout is one column that fits a small screen, and every control is at least
44 CSS pixels tall, as a finger needs.

The script only makes sending feel like sending: a preview of the chosen photos, a bar that
fills as the form goes up, and, when the connection drops, a message that keeps what was
typed. Every page works without it: the forms are plain forms.

`CONTENT_SECURITY_POLICY` allows exactly this: the style sheet and the script below (by
their hashes), images inlined as `data:` URIs (and the script's previews, `blob:`), the
forms and the script's sends back to the page, its web app manifest; nothing from
elsewhere.
"""

from __future__ import annotations

import hashlib
import json
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
nav { display: flex; gap: .5rem; margin: 0 0 1rem; }
nav a { flex: 1; min-height: 2.75rem; display: flex; align-items: center;
  justify-content: center; border-radius: .75rem; background: var(--soft);
  color: inherit; text-decoration: none; font-weight: 600; }
nav a[aria-current] { background: var(--accent); color: #fff; }
h1 { font-size: 1.1rem; margin: 0 0 .25rem; opacity: .8; }
h2 { font-size: 1.4rem; margin: 1rem 0 .5rem; }
.item, .letter { white-space: pre-line; padding: 1rem; border-radius: .75rem;
  background: var(--soft); overflow-wrap: anywhere; }
.item { font-size: 1.25rem; }
.said, .refused { padding: .75rem 1rem; border-radius: .75rem; margin: 1rem 0;
  overflow-wrap: anywhere; }
.said { background: #2f6f4e33; border: 2px solid var(--accent); }
.refused { background: #b0303033; border: 2px solid #b03030; }
.standing { display: flex; flex-wrap: wrap; gap: .5rem 1rem; margin: .5rem 0; }
.standing span { white-space: nowrap; }
form { margin: 1rem 0; }
label { display: block; font-weight: 600; margin: 1rem 0 .35rem; }
.pick { display: flex; align-items: center; justify-content: center; min-height: 2.75rem;
  margin: .75rem 0 .25rem; padding: .6rem; border-radius: .75rem; border: 2px solid
  var(--accent); font-weight: 600; text-align: center; }
.hidden { position: absolute; width: 1px; height: 1px; opacity: 0; overflow: hidden; }
.hidden:focus + .pick, .pick:focus-within { outline: 3px solid var(--accent); }
input[type=text], textarea { width: 100%; min-height: 2.75rem; font: inherit;
  padding: .6rem; border-radius: .5rem; border: 1px solid #888; }
button { font: inherit; font-weight: 600; width: 100%; min-height: 2.75rem;
  margin-top: 1.25rem; padding: .9rem; border: 0; border-radius: .75rem;
  background: var(--accent); color: #fff; }
.chosen { font-size: .9rem; opacity: .8; overflow-wrap: anywhere; }
.preview img { max-width: 48%; height: auto; margin: .25rem 1% 0 0; border-radius: .5rem; }
progress { width: 100%; height: 1.25rem; margin-top: 1rem; }
.reflection { white-space: pre-line; overflow-wrap: anywhere; }
.photos img { display: block; max-width: 100%; height: auto; margin: .5rem 0;
  border-radius: .5rem; }
.days { list-style: none; padding: 0; }
.days li { margin: 0 0 1rem; padding: .75rem; border-radius: .75rem; background: var(--soft); }
.days a { color: inherit; font-weight: 600; display: block; min-height: 2.75rem; }
.days img { max-width: 100%; height: auto; border-radius: .5rem; }
.small { font-size: .9rem; opacity: .8; }
"""

#: What makes a send feel like one, where scripts run: photo previews, a progress bar, and
#: a message that keeps the text when the connection drops (the form works without it).
SCRIPT = """
(function () {
  function show(input) {
    var box = document.getElementById(input.id + "-chosen");
    if (!box) { return; }
    box.textContent = "";
    Array.prototype.forEach.call(input.files, function (file) {
      var line = document.createElement("div");
      line.textContent = file.name;
      box.appendChild(line);
      if (file.type.indexOf("image/") === 0 && window.URL) {
        var image = document.createElement("img");
        image.alt = "preview of " + file.name;
        image.src = URL.createObjectURL(file);
        box.appendChild(image);
      }
    });
  }
  Array.prototype.forEach.call(document.querySelectorAll("input[type=file]"), function (i) {
    i.addEventListener("change", function () { show(i); });
  });
  Array.prototype.forEach.call(document.querySelectorAll("form[data-send]"), function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.FormData || !window.XMLHttpRequest) { return; }
      event.preventDefault();
      var button = form.querySelector("button[type=submit]");
      var bar = form.querySelector("progress");
      var state = form.querySelector(".sending");
      var request = new XMLHttpRequest();
      request.open("POST", form.getAttribute("action"));
      request.upload.onprogress = function (e) {
        if (e.lengthComputable) { bar.max = e.total; bar.value = e.loaded; }
      };
      request.onload = function () {
        if (request.responseURL && request.responseURL !== location.href &&
            request.status < 400) {
          location.replace(request.responseURL);
          return;
        }
        document.open(); document.write(request.responseText); document.close();
      };
      request.onerror = request.ontimeout = function () {
        bar.hidden = true; button.disabled = false;
        state.hidden = false;
        state.textContent = "The connection dropped before it was sent. Nothing was lost: " +
          "what you wrote is still here. Send again when the phone is back on the Wi-Fi.";
      };
      button.disabled = true; bar.hidden = false; bar.removeAttribute("value");
      state.hidden = false; state.textContent = "Sending...";
      request.send(new FormData(form));
    });
  });
})();
"""


def _hash(text: str) -> str:
    return b64(hashlib.sha256(text.encode()).digest())


CONTENT_SECURITY_POLICY = (
    f"default-src 'none'; style-src 'sha256-{_hash(STYLE)}'; "
    f"script-src 'sha256-{_hash(SCRIPT)}'; img-src data: blob: 'self'; connect-src 'self'; "
    "manifest-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


@dataclass(frozen=True)
class Ask:
    """What a form asks for: the item's photo and reflection rules, and the question."""

    photo: str  # "required" or "optional"
    reflection: str  # "required", "optional" or "off"
    question: str


def document(title: str, parts: Iterable[str], *, lang: str = "en", up: str = "") -> bytes:
    """A whole page: `parts` are HTML made by the functions below (`up`: the way back to
    the page's top, for a page further down)."""
    return (
        "<!doctype html>\n"
        f'<html lang="{escape(lang)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer">'
        '<meta name="theme-color" content="#2f6f4e">'
        f'<link rel="manifest" href="{up}manifest.webmanifest">'
        f'<link rel="icon" href="{up}icon.png"><link rel="apple-touch-icon" href="{up}icon.png">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head>\n"
        f"<body>{''.join(parts)}<script>{SCRIPT}</script></body></html>\n"
    ).encode()


#: The pages the person moves between, and where each is.
PLACES = (
    ("today", "./", "Today"),
    ("letter", "letter", "Letter"),
    ("journal", "journal", "Journal"),
)


def nav(current: str, *, depth: int = 0) -> str:
    """The page's three places, one tap away each (`depth`: how deep this page is)."""
    up = "../" * depth
    links = "".join(
        f'<a href="{up}{href}"{" aria-current=page" if name == current else ""}>{label}</a>'
        for name, href, label in PLACES
    )
    return f"<nav>{links}</nav>"


def heading(list_title: str, day: str) -> str:
    return f"<h1>{escape(list_title)}</h1><h2>{escape(day)}</h2>"


def said(text: str) -> str:
    return f'<p class="said" role="status">{escape(text)}</p>'


def refused(text: str) -> str:
    return f'<p class="refused" role="alert">{escape(text)}</p>'


def paragraph(text: str, *, small: bool = False) -> str:
    return f"<p{' class=small' if small else ''}>{escape(text)}</p>"


def standing(facts: Sequence[str]) -> str:
    """Where the list stands, a few short facts in a row."""
    shown = "".join(f"<span>{escape(fact)}</span>" for fact in facts)
    return f'<p class="standing" id="standing">{shown}</p>'


def item(title: str | None, text: str) -> str:
    """Today's item as `today` shows it: the author's hand-wrapping undone, so the phone's
    screen wraps it; paragraphs and short lines kept."""
    shown = f"<strong>{escape(title)}</strong>\n" if title else ""
    return f'<div class="item" id="item">{shown}{escape(reflow(text))}</div>'


def picture(uri: str, alt: str) -> str:
    """A picture from the author (an item's, the letter's, a postcard's), as a data: URI."""
    return f'<div class="photos"><img src="{uri}" alt="{escape(alt)}"></div>'


def letter(author: str, text: str, rules: Sequence[str], fingerprint: str) -> str:
    """The author's letter and rules, as `open` shows them."""
    parts = [f'<div class="letter" id="letter">{escape(reflow(text))}</div>']
    if rules:
        listed = "".join(f"<li>{escape(rule)}</li>" for rule in rules)
        parts.append(f'<h2>The rules</h2><ol id="rules">{listed}</ol>')
    parts.append(
        paragraph(f"From {author}, whose key's fingerprint is {fingerprint}.", small=True)
    )
    return "".join(parts)


def _photo_inputs(required: bool, *, replacing: bool) -> str:
    what = "New photos" if replacing else "Your photo"
    need = "" if required else " (optional)"
    return (
        f"<label>{what}{need}</label>"
        '<input id="camera" class="hidden" type="file" name="photo" accept="image/*" '
        'capture="environment">'
        '<label class="pick" for="camera">Take a photo</label>'
        '<input id="gallery" class="hidden" type="file" name="photo" accept="image/*" multiple>'
        '<label class="pick" for="gallery">Choose from your photos</label>'
        '<div class="chosen preview" id="camera-chosen"></div>'
        '<div class="chosen preview" id="gallery-chosen"></div>'
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


def _sending(button: str, day: int, nonce: str) -> str:
    """The end of a form that sends a day: which day it was shown for, which showing of
    it (a second tap is then told apart), the button, and the script's progress."""
    return (
        f'<input type="hidden" name="day" value="{day}">'
        f'<input type="hidden" name="nonce" value="{escape(nonce)}">'
        f'<button type="submit">{escape(button)}</button>'
        '<progress hidden></progress><p class="small sending" role="status" hidden></p>'
    )


def done_form(ask: Ask, day: int, nonce: str, reflection: str = "") -> str:
    """The day's form: photos (camera or gallery), the reflection, send."""
    return (
        '<form method="post" action="done" enctype="multipart/form-data" data-send>'
        f"{_photo_inputs(ask.photo == 'required', replacing=False)}"
        f"{_reflection_input(ask, reflection, required=ask.reflection == 'required')}"
        f"{_sending('Send: the day is done', day, nonce)}</form>"
    )


def amend_form(ask: Ask, day: int, nonce: str, reflection: str) -> str:
    """Change the day's entry: new photos replace the old, the reflection is rewritten."""
    return (
        "<h2>Change it</h2>"
        '<form method="post" action="amend" enctype="multipart/form-data" data-send>'
        f"{_photo_inputs(False, replacing=True)}"
        f"{_reflection_input(ask, reflection, required=False)}"
        f"{_sending('Save the changes', day, nonce)}"
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


def _images(photos: Sequence[str | None], day: str) -> str:
    return "".join(
        f'<img src="{uri}" alt="photo {number} of {escape(day)}">'
        if uri is not None
        else paragraph(f"Photo {number} cannot be shown: `dailylist doctor` says why.", small=True)
        for number, uri in enumerate(photos, 1)
    )


def entry(reflection: str | None, photos: Sequence[str | None], day: str, note: str | None) -> str:
    """A completed day: its photos (as data: URIs; None for one that cannot be shown) and
    its reflection."""
    images = _images(photos, day)
    parts = [f'<div class="photos">{images}</div>' if images else ""]
    if reflection:
        parts.append(f'<p class="reflection" id="reflection-text">{escape(reflection)}</p>')
    if note:
        parts.append(paragraph(note, small=True))
    return "".join(parts)


@dataclass(frozen=True)
class Looked:
    """A day done, as the journal page lists it."""

    number: int
    when: str
    title: str
    reflection: str | None
    photo: str | None


def journal(days: Sequence[Looked]) -> str:
    """Every day done, newest first: its date, its item's title, a photo, the reflection's
    start; each opens the day in full."""
    if not days:
        return paragraph("Nothing is done yet: today's item is on the Today page.")
    listed = []
    for day in days:
        image = f'<img src="{day.photo}" alt="photo of day {day.number}">' if day.photo else ""
        words = (day.reflection or "").strip()
        start = words if len(words) <= 160 else words[:157].rstrip() + "..."
        listed.append(
            f'<li id="day-{day.number}"><a href="day/{day.number}">Day {day.number}: '
            f"{escape(day.title)}</a><span class=small>{escape(day.when)}</span>{image}"
            f"{f'<p class=reflection>{escape(start)}</p>' if start else ''}</li>"
        )
    return f'<ul class="days">{"".join(listed)}</ul>'


def manifest(name: str, short: str, lang: str) -> bytes:
    """The web app manifest: what a phone's home screen keeps of the page."""
    return json.dumps(
        {
            "name": name,
            "short_name": short,
            "lang": lang,
            "start_url": "./",
            "scope": "./",
            "display": "standalone",
            "background_color": "#ffffff",
            "theme_color": "#2f6f4e",
            "icons": [{"src": "icon.png", "sizes": "192x192", "type": "image/png"}],
        },
        ensure_ascii=False,
    ).encode()


def icon() -> bytes:
    """The page's icon: a green square with a white tick, 192 pixels (drawn once)."""
    global _ICON
    if _ICON is None:
        import io

        from PIL import Image, ImageDraw

        image = Image.new("RGB", (192, 192), (47, 111, 78))
        ImageDraw.Draw(image).line([(48, 100), (84, 136), (148, 60)], fill="white", width=18)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        _ICON = buffer.getvalue()
    return _ICON


_ICON: bytes | None = None
