"""The list source (TOML, written by the author), checked with pydantic where it comes in,
so that every problem is named with its place for the person who wrote it.

It holds the `domain` types directly (settings, items), which check themselves; every
other file (journal, snapshot, sealed list, report, sync) is read and written by the one
codec (`codec`), driven by the same types.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from dailylist.domain import Item, Settings


def _non_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value.strip()


NonBlank = Annotated[str, AfterValidator(_non_blank)]


class _Checked(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class ListSource(_Checked):
    title: NonBlank
    author: NonBlank
    letter: str = ""
    rules: list[NonBlank] = Field(default_factory=list)
    settings: Settings = Field(default_factory=Settings)
    items: list[Item] = Field(min_length=1, max_length=100_000)
