"""Reports that people read: one Markdown file, or one HTML page (inline CSS, photos
embedded, no scripts, no network) that reads like a photo diary and prints well."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING

from dailylist.domain import counted, paragraphs
from dailylist.lookback import Day, Diary, earlier_reflections
from dailylist.photo_flags import sentence
from dailylist.sharing import postcard_line
from dailylist.terminal import safe

if TYPE_CHECKING:
    from dailylist.report.document import ReportPostcard


def _timeline(found: Diary) -> list[Day | date]:
    """Entries and missed days, in date order: what the diary shows, day after day."""
    things: list[tuple[date, int, Day | date]] = [(e.day, 1, e) for e in found.entries]
    things += [(day, 0, day) for day in found.stats.missed_days]
    return [thing for _, _, thing in sorted(things, key=lambda t: (t[0], t[1]))]


def summary_line(found: Diary) -> str:
    stats = found.stats
    missed = len(stats.missed_days)
    parts = [f"{stats.done_count} of {counted(stats.item_count, 'day')} done"]
    if found.entries:
        parts.append(f"from {found.entries[0].day} to {found.entries[-1].day}")
    parts.append(f"{counted(missed, 'missed day')}")
    if stats.finished_on is not None:
        parts.append(f"finished on {stats.finished_on}, with a longest streak of {stats.streak}")
    else:
        parts.append(f"current streak {stats.streak}")
    return ", ".join(parts)


#: What a Markdown renderer acts on, inline: each is written with a backslash.
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_\[\]{}()#!|~])")
#: What it acts on at the start of a line: a list, a heading underline, a numbered item.
_LINE_START = re.compile(r"^(\s*)([-+=]|\d+[.)])")


def md(text: str) -> str:
    """Untrusted text as Markdown that shows it as it is: no HTML (a `<script>`, an
    `<img onerror>`), no link or image (a remote `![]()`), no heading or list it opens."""
    text = safe(text)  # the file may well be `cat`: no raw control character in it
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MARKDOWN_PUNCTUATION.sub(r"\\\1", text)
    return "\n".join(_LINE_START.sub(r"\1\\\2", line) for line in text.split("\n"))


def render_markdown(found: Diary, photos: dict[str, str], exported_at: datetime) -> str:
    """The report as Markdown; `photos` names each photo's file by its sha256."""
    info = found.info
    lines = [
        f"# {md(info.title)}",
        "",
        f"A list from {md(info.author)}. {md(summary_line(found))}.",
        f"Exported {exported_at:%Y-%m-%d %H:%M}.",
        "",
    ]
    if info.letter_photo is not None and info.letter_photo in photos:
        lines += [
            f"![With the letter, a picture from {md(info.author)}]({photos[info.letter_photo]})",
            "",
        ]
    letter = paragraphs(info.letter)
    if letter:
        lines += ["## The letter", ""]
        for paragraph in letter:
            # A list's lines keep their breaks: a backslash at a line's end is a hard break.
            lines += ["\\\n".join(md(line) for line in paragraph.split("\n")), ""]
    if info.rules:
        lines += ["## The rules", ""]
        lines += [f"{number}. {md(rule)}" for number, rule in enumerate(info.rules, start=1)]
        lines.append("")
    undated = found.postcards_of_no_day()
    if undated:
        lines += [f"## Postcards from {md(info.author)}", ""]
        lines += _postcards_markdown(found, undated, photos)
    for thing in _timeline(found):
        if isinstance(thing, date):
            lines += [f"*{thing.isoformat()}: missed.*", ""]
            continue
        heading = f"## Day {thing.number} · {thing.day.isoformat()}"
        if thing.item.title:
            heading += f" · {md(thing.item.title)}"
        if thing.item.checkin:
            heading += " · check-in day"
        if thing.amended:
            heading += " · amended the same day"
        lines += [heading, ""]
        lines += [f"> {line}" if line else ">" for line in md(thing.item.text).splitlines()]
        lines.append("")
        if thing.reflection:
            lines += [md(thing.reflection), ""]
        for earlier in earlier_reflections(thing):
            # In italics, each line on its own: emphasis ends where a paragraph does.
            lines += [f"*{line}*" if line else "" for line in md(earlier).split("\n")]
            lines.append("")
        for number, photo in enumerate(thing.photos, start=1):
            lines.append(f"![Day {thing.number}, photo {number}]({photos[photo.sha256]})")
        if thing.photos:
            lines.append("")
        enclosed = thing.item.enclosure
        if enclosed is not None and enclosed in photos:
            lines += [
                f"![Day {thing.number}: a picture from {md(info.author)}]({photos[enclosed]})",
                "",
            ]
        for flag in found.flags_of(thing):
            lines += [f"**Flagged:** *{md(sentence(flag, len(thing.photos)))}*", ""]
        for aside in _set_aside(found, thing.index):
            lines += [f"*{md(aside)}*", ""]
        for line in _opened(found, thing):
            lines += [f"*{md(line)}*", ""]
        lines += _postcards_markdown(found, found.postcards_of(thing.number), photos)
    return "\n".join(lines).rstrip() + "\n"


def _postcards_markdown(
    found: Diary, cards: Sequence[ReportPostcard], photos: dict[str, str]
) -> list[str]:
    lines = []
    for card in cards:
        lines += [f"*{md(_postcard_line(found, card))}*", ""]
        if card.photo is not None and card.photo in photos:
            alt = f"With the postcard, a picture from {md(found.info.author)}"
            lines += [f"![{alt}]({photos[card.photo]})", ""]
    return lines


def _set_aside(found: Diary, index: int) -> list[str]:
    """A line for each completion of a day set aside (done on another device too)."""
    return [
        f"Also done on another device ({aside.completion.at:%Y-%m-%d %H:%M}), set aside: "
        f"this one came first."
        + (f" Its reflection: {aside.reflection}" if aside.reflection else "")
        for aside in found.set_aside
        if aside.index == index
    ]


def _opened(found: Diary, thing: Day) -> list[str]:
    """How a check-in opened without a code typed in, if it did."""
    from dailylist.lookback import opened_note

    note = opened_note(thing.reveal, found.info.settings.checkin_fallback_days)
    return [] if note is None else [f"Check-in: {note}."]


def _postcard_line(found: Diary, card: ReportPostcard) -> str:
    code = f" It carried the code of day {card.checkin}." if card.checkin else ""
    return postcard_line(found.info.author, card.written_at, card.note) + code


def _postcards_html(
    found: Diary, cards: Sequence[ReportPostcard], photos: dict[str, str]
) -> list[str]:
    parts = []
    for card in cards:
        parts.append(f'<p class="flag">{_esc(_postcard_line(found, card))}</p>')
        if card.photo is not None and card.photo in photos:
            alt = _esc(f"With the postcard, a picture from {found.info.author}")
            parts.append(
                f'<div class="photos"><img src="{_esc(photos[card.photo])}" alt="{alt}"></div>'
            )
    return parts


def _esc(text: str) -> str:
    """Text for the page: escaped, with no raw control character (it may be `cat`)."""
    return html.escape(safe(text))


def _picture(found: Diary, sha256: str | None) -> str | None:
    """An enclosed picture of the author's, as a data: URI (None when there is none)."""
    from dailylist.photos import data_uri

    raw = None if sha256 is None else found.pictures.get(sha256)
    return None if raw is None else data_uri(raw)


_CSS = """
:root { --ink: #2b2620; --muted: #7a6f63; --paper: #fbf8f3; --line: #e6dfd3; --accent: #b0563c; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--paper); color: var(--ink);
       font: 17px/1.6 Georgia, 'Iowan Old Style', 'Palatino Linotype', serif; }
main { max-width: 46rem; margin: 0 auto; padding: 3rem 1.5rem 4rem; }
h1 { font-size: 2.2rem; line-height: 1.2; margin: 0 0 .3rem; }
.byline, .summary, .meta, .missed, footer { color: var(--muted); }
.summary { margin: 1rem 0 2rem; padding: .8rem 1rem; border: 1px solid var(--line);
           border-radius: .5rem; background: #fff; }
.letter { font-style: italic; border-left: 3px solid var(--accent);
          padding: .2rem 0 .2rem 1rem; margin: 0 0 2rem; }
.letter p { margin: 0 0 .8rem; white-space: pre-line; }
.rules { margin: 0 0 2.5rem; }
.rules h2 { font-size: 1.1rem; margin: 0 0 .3rem; }
.rules ol { margin: 0; padding-left: 1.4rem; }
.checkin { color: var(--accent); font-weight: bold; }
.earlier { color: var(--muted); font-size: .95rem; border-left: 2px solid var(--line);
           padding-left: .8rem; margin: -.4rem 0 1rem; }
.earlier p { white-space: pre-wrap; margin: 0 0 .3rem; }
article { border-top: 1px solid var(--line); padding: 1.6rem 0; break-inside: avoid; }
article h2 { font-size: 1.3rem; margin: 0; }
.meta { font-size: .9rem; margin: .1rem 0 .8rem; }
.item { font-weight: bold; margin: 0 0 .8rem; }
.reflection { white-space: pre-wrap; margin: 0 0 1rem; }
.photos { display: grid; gap: .6rem;
          grid-template-columns: repeat(auto-fill, minmax(14rem, 1fr)); }
.photos img { width: 100%; height: auto; border-radius: .3rem; display: block; }
.flag { color: var(--accent); font-size: .9rem; }
.cover { margin: 0 0 2rem; }
.cover img { width: 100%; height: auto; border-radius: .5rem; display: block; }
.missed { font-style: italic; border-top: 1px dashed var(--line); padding: .6rem 0; }
footer { font-size: .8rem; margin-top: 2rem; }
@media print {
  body { background: #fff; font-size: 12pt; }
  main { max-width: none; padding: 0; }
  .photos { grid-template-columns: repeat(3, 1fr); }
}
"""


def render_html(found: Diary, photos: dict[str, str], exported_at: datetime) -> str:
    """One page: inline CSS, no scripts, no network. `photos` gives each photo's source by
    its sha256: a data: URI (the page on its own), or a file's name beside it (in a zip)."""

    esc = _esc
    info = found.info
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(info.title)}: a dailylist journal</title>",
        f"<style>{_CSS}</style></head><body><main>",
        f"<h1>{esc(info.title)}</h1>",
        f'<p class="byline">A list from {esc(info.author)}</p>',
        f'<p class="summary">{esc(summary_line(found))}.</p>',
    ]
    cover = _picture(found, info.letter_photo)
    if cover is not None:
        alt = f"With the letter, a picture from {info.author}"
        parts.append(f'<figure class="cover"><img src="{cover}" alt="{esc(alt)}"></figure>')
    letter = paragraphs(info.letter)
    if letter:
        parts.append('<div class="letter">')
        parts += [f"<p>{esc(paragraph)}</p>" for paragraph in letter]
        parts.append("</div>")
    if info.rules:
        parts.append('<section class="rules"><h2>The rules</h2><ol>')
        parts += [f"<li>{esc(rule)}</li>" for rule in info.rules]
        parts.append("</ol></section>")
    undated = found.postcards_of_no_day()
    if undated:
        parts.append(f'<section class="postcards"><h2>Postcards from {esc(info.author)}</h2>')
        parts += _postcards_html(found, undated, photos)
        parts.append("</section>")
    for thing in _timeline(found):
        if isinstance(thing, date):
            parts.append(f'<p class="missed">{thing.isoformat()}: missed</p>')
            continue
        title = f"Day {thing.number}" + (f": {thing.item.title}" if thing.item.title else "")
        parts.append(f'<article id="day-{thing.number}"><h2>{esc(title)}</h2>')
        checkin = (
            f', <span class="checkin">a check-in day</span>, opened with '
            f"{esc(info.author)}'s code"
            if thing.item.checkin
            else ""
        )
        amended = ", amended the same day" if thing.amended else ""
        parts.append(
            f'<p class="meta">{thing.day.isoformat()}, done at {thing.at:%H:%M}'
            f"{checkin}{amended}</p>"
        )
        parts.append(f'<p class="item">{esc(thing.item.text)}</p>')
        if thing.reflection:
            parts.append(f'<p class="reflection">{esc(thing.reflection)}</p>')
        earlier = earlier_reflections(thing)
        if earlier:
            parts.append('<div class="earlier">')
            parts += [f"<p>{esc(line)}</p>" for line in earlier]
            parts.append("</div>")
        if thing.photos:
            parts.append('<div class="photos">')
            for number, photo in enumerate(thing.photos, start=1):
                alt = f"Day {thing.number}, photo {number}"
                parts.append(
                    f'<img src="{esc(photos[photo.sha256])}" alt="{esc(alt)}" '
                    f'data-sha256="{photo.sha256}">'
                )
            parts.append("</div>")
        for flag in found.flags_of(thing):
            said = sentence(flag, len(thing.photos))
            parts.append(f'<p class="flag">Flagged: {esc(said)}</p>')
        for aside in _set_aside(found, thing.index):
            parts.append(f'<p class="flag">{esc(aside)}</p>')
        picture = _picture(found, thing.item.enclosure)
        if picture is not None:
            alt = f"Day {thing.number}: a picture from {info.author}"
            parts.append(f'<div class="photos"><img src="{picture}" alt="{esc(alt)}"></div>')
        for line in _opened(found, thing):
            parts.append(f'<p class="flag">{esc(line)}</p>')
        parts += _postcards_html(found, found.postcards_of(thing.number), photos)
        parts.append("</article>")
    parts.append(
        f"<footer>Exported {exported_at:%Y-%m-%d %H:%M} by dailylist. "
        f"List {esc(info.id)}, author key {esc(info.fingerprint)}.</footer>"
    )
    parts.append("</main></body></html>")
    return "\n".join(parts) + "\n"
