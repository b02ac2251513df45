"""The list source (TOML, written by the author), checked with pydantic where it comes in,
so that every problem is named with its place for the person who wrote it.

It holds the `domain` types directly (settings, items), which check themselves; every
other file (journal, snapshot, sealed list, report, sync) is read and written by the one
codec (`codec`), driven by the same types.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from dailylist.domain import Item, Settings


def _non_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value.strip()


NonBlank = Annotated[str, AfterValidator(_non_blank)]


class _Checked(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


#: The file names a picture enclosed in a source may have (checked as photos are).
PICTURE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".heic", ".heif")


def is_picture_name(value: object) -> bool:
    """Whether an item's `photo` names a picture to enclose rather than a photo rule."""
    return isinstance(value, str) and value.lower().endswith(PICTURE_SUFFIXES)


class ListSource(_Checked):
    title: NonBlank
    author: NonBlank
    letter: str = ""
    #: A picture shown with the letter: its path, relative to the source.
    photo: NonBlank | None = None
    rules: list[NonBlank] = Field(default_factory=list)
    settings: Settings = Field(default_factory=Settings)
    items: list[Item] = Field(min_length=1, max_length=100_000)

    @model_validator(mode="before")
    @classmethod
    def _enclosures(cls, data: Any) -> Any:
        """An item's `photo = "bench.jpg"` encloses that picture (its rule stays the
        list's); `photo = "optional"` is a rule, as ever."""
        if not isinstance(data, dict) or not isinstance(data.get("items"), list):
            return data
        items = [
            {**{k: v for k, v in item.items() if k != "photo"}, "enclosure": item["photo"]}
            if isinstance(item, dict) and is_picture_name(item.get("photo"))
            else item
            for item in data["items"]
        ]
        return {**data, "items": items}
