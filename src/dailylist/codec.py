"""One codec for every file dailylist reads and writes: the domain's frozen dataclasses to
JSON values and back, driven by their fields' types.

The journal, the snapshot, the sealed list, the report and the sync's files are each a
document of these types; what a field holds is said once, by its type, and read and
written here. Reading checks the shape (no unknown field, none missing, each value of its
type) and then the type's own invariants (each domain type checks itself when it is made),
and names the place of the first problem: `entries.3.photos.0.sha256: ...`.

How values are written: text, whole numbers and true/false as JSON has them; `datetime` as
ISO 8601 with its UTC offset, `date` as `YYYY-MM-DD`, a time of day as `HH:MM`; `bytes` as
base64 (read only in its canonical spelling, so that no two texts mean the same bytes);
a nested dataclass as an object, a tuple as an array, a mapping as an object, `Any` as the
JSON value itself. A class with a `kind` class variable is written with its kind, so that
one of several (`A | B`) is read back by it. Fields that are None are left out unless
`nulls` is asked for (a field whose metadata says `omit_none` is left out even then):
events leave them out, so that fields added later keep old events' ids valid. A field whose
metadata says `transient` is never written nor read.

Standard library only; each type's reader is worked out once.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable, Mapping
from datetime import date, datetime, time
from typing import Any, TypeVar

T = TypeVar("T")

Reader = Callable[[Any], Any]
Writer = Callable[[Any, bool], Any]


class CodecError(ValueError):
    """A value that is not what its field holds; the message names the field's place."""


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError("expected text")
    return value


def _whole(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError("expected a whole number")
    return value


def _flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError("expected true or false")
    return value


def moment(value: object) -> datetime:
    """An ISO 8601 time with its UTC offset (which may have seconds, as zones had before
    1972 and EXIF can say), in the years dailylist works with."""
    from dailylist.days import in_range

    found = datetime.fromisoformat(_text(value))
    if found.tzinfo is None or found.utcoffset() is None:
        raise ValueError("a time without its offset")
    if not in_range(found):
        raise ValueError("a time outside the years dailylist works with (1971 to 9000)")
    return found


def _day(value: object) -> date:
    """A date `YYYY-MM-DD`, in the years dailylist works with."""
    from dailylist.days import in_range_day

    found = date.fromisoformat(_text(value))
    if not in_range_day(found):
        raise ValueError("a day outside the years dailylist works with (1971 to 9000)")
    return found


def _time_of_day(value: object) -> time:
    text = _text(value)
    try:
        found = time.fromisoformat(text)
    except ValueError as exc:
        raise ValueError('expected a time of day as "HH:MM", for example "04:00"') from exc
    if len(text) != 5 or found.second or found.microsecond:
        raise ValueError('expected a time of day as "HH:MM", for example "04:00"')
    return found


def unb64(value: object) -> bytes:
    """The bytes of base64 text, only in its canonical spelling; `ValueError` else."""
    import base64
    import binascii

    text = _text(value)
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("not valid base64") from exc
    if base64.b64encode(raw).decode("ascii") != text:
        raise ValueError("base64 not in its canonical form")
    return raw


def b64(raw: bytes) -> str:
    """`raw` as base64 text."""
    import base64

    return base64.b64encode(raw).decode("ascii")


_PLAIN: dict[object, tuple[Reader, Writer]] = {
    str: (_text, lambda value, nulls: value),
    int: (_whole, lambda value, nulls: value),
    bool: (_flag, lambda value, nulls: value),
    datetime: (moment, lambda value, nulls: value.isoformat()),
    date: (_day, lambda value, nulls: value.isoformat()),
    time: (_time_of_day, lambda value, nulls: value.strftime("%H:%M")),
    bytes: (unb64, lambda value, nulls: b64(value)),
    Any: (lambda value: value, lambda value, nulls: value),
}


# Plain classes, not dataclasses: each dataclass costs a millisecond to make at import, and
# `today` imports this.


class _Field:
    """How one field is read and written."""

    __slots__ = ("name", "omit_none", "optional", "read", "required", "write")

    def __init__(
        self,
        name: str,
        read: Reader,
        write: Writer,
        optional: bool,
        required: bool,
        omit_none: bool,
    ) -> None:
        self.name, self.read, self.write = name, read, write
        self.optional, self.required, self.omit_none = optional, required, omit_none


class _Shape:
    """How one dataclass is read and written: its kind (if tagged) and its fields."""

    __slots__ = ("by_name", "cls", "fields", "kind")

    def __init__(self, cls: type, kind: str | None, fields: tuple[_Field, ...]) -> None:
        self.cls, self.kind, self.fields = cls, kind, fields
        self.by_name: Mapping[str, _Field] = {field.name: field for field in fields}


_SHAPES: dict[type, _Shape] = {}


def _shape(cls: type) -> _Shape:
    """How a dataclass is read and written, from its fields' types (worked out once)."""
    known = _SHAPES.get(cls)
    if known is not None:
        return known
    hints = typing.get_type_hints(cls)
    fields = []
    for field in dataclasses.fields(cls):
        if field.metadata.get("transient"):
            continue  # what an object knows while it is used, never written
        kind = hints[field.name]
        optional = _optional(kind)
        base = _without_none(kind) if optional else kind
        read, write = _codec_of(base)
        no_default = field.default is dataclasses.MISSING
        required = no_default and field.default_factory is dataclasses.MISSING
        omit_none = bool(field.metadata.get("omit_none"))
        fields.append(_Field(field.name, read, write, optional, required, omit_none))
    kind_name = getattr(cls, "kind", None)
    shape = _Shape(cls, kind_name if isinstance(kind_name, str) else None, tuple(fields))
    _SHAPES[cls] = shape
    return shape


def _optional(kind: object) -> bool:
    return type(None) in typing.get_args(kind) and _is_union(kind)


def _is_union(kind: object) -> bool:
    return typing.get_origin(kind) in (typing.Union, types.UnionType)


def _without_none(kind: object) -> object:
    rest = tuple(arg for arg in typing.get_args(kind) if arg is not type(None))
    return rest[0] if len(rest) == 1 else typing.Union[rest]  # noqa: UP007


def _codec_of(kind: object) -> tuple[Reader, Writer]:
    """The reader and writer of values of type `kind`."""
    if kind in _PLAIN:
        return _PLAIN[kind]
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin is typing.Literal:
        return _literal(args)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return _sequence(*_codec_of(args[0]))
    if origin in (dict, Mapping) or kind is dict:
        value_codec = _codec_of(args[1]) if args else _PLAIN[Any]
        return _mapping(*value_codec)
    if _is_union(kind):
        return _tagged(args)
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        return (lambda value: decode(kind, value)), (lambda value, nulls: encode(value, nulls))
    raise TypeError(f"no codec for {kind!r}")


def _literal(choices: tuple[object, ...]) -> tuple[Reader, Writer]:
    def read(value: object) -> object:
        if isinstance(value, bool) or value not in choices:
            raise ValueError(f"expected one of {', '.join(repr(c) for c in choices)}")
        return value

    return read, lambda value, nulls: value


def _sequence(read_one: Reader, write_one: Writer) -> tuple[Reader, Writer]:
    def read(value: object) -> tuple[object, ...]:
        if not isinstance(value, list):
            raise ValueError("expected a list")
        out = []
        for number, one in enumerate(value):
            try:
                out.append(read_one(one))
            except CodecError as exc:
                raise CodecError(f"{number}.{exc}") from exc
            except (ValueError, TypeError) as exc:
                raise CodecError(f"{number}: {exc}") from exc
        return tuple(out)

    return read, lambda value, nulls: [write_one(one, nulls) for one in value]


def _mapping(read_one: Reader, write_one: Writer) -> tuple[Reader, Writer]:
    def read(value: object) -> dict[str, object]:
        if not isinstance(value, dict):
            raise ValueError("expected an object")
        return {_text(key): read_one(one) for key, one in value.items()}

    return read, lambda value, nulls: {key: write_one(one, nulls) for key, one in value.items()}


def _tagged(choices: tuple[object, ...]) -> tuple[Reader, Writer]:
    """One of several dataclasses, told apart by their `kind`."""
    by_kind: dict[str, type] = {}
    for choice in choices:
        kind = getattr(choice, "kind", None)
        if not (isinstance(choice, type) and dataclasses.is_dataclass(choice)) or not kind:
            raise TypeError(f"no codec for a union with {choice!r}")
        by_kind[str(kind)] = choice

    def read(value: object) -> object:
        kind = value.get("kind") if isinstance(value, dict) else None
        if not isinstance(kind, str) or kind not in by_kind:
            raise ValueError(f"kind: not one of {', '.join(by_kind)}")
        return decode(by_kind[kind], value)

    return read, lambda value, nulls: encode(value, nulls)


def read(kind: Any, value: object) -> Any:
    """A value of type `kind` (say `tuple[date, ...]`) from its JSON value."""
    return _codec_of(kind)[0](value)


def decode(cls: type[T], document: object) -> T:
    """An object of dataclass `cls` from its JSON object, or `CodecError` (a `ValueError`)
    naming the place of the first problem."""
    if not isinstance(document, dict):
        raise CodecError("expected an object")
    shape = _shape(cls)
    values: dict[str, Any] = {}
    for name, value in document.items():
        field = shape.by_name.get(name)
        if field is None:
            if name == "kind" and shape.kind is not None:
                if value != shape.kind:
                    raise CodecError(f"kind: not {shape.kind}")
                continue
            raise CodecError(f"{name}: not a field of a {cls.__name__}")
        if value is None and field.optional:
            values[name] = None
            continue
        try:
            values[name] = field.read(value)
        except CodecError as exc:
            raise CodecError(f"{name}.{exc}") from exc
        except (ValueError, TypeError, OverflowError) as exc:
            raise CodecError(f"{name}: {exc}") from exc
    for field in shape.fields:
        if field.required and field.name not in values:
            if not field.optional:
                raise CodecError(f"{field.name}: missing")
            values[field.name] = None  # written as left out
    try:
        return cls(**values)
    except (ValueError, TypeError) as exc:
        raise CodecError(str(exc)) from exc


def encode(thing: object, nulls: bool = False) -> dict[str, Any]:
    """The JSON object of a dataclass object. Fields that are None are left out, unless
    `nulls` (and the field's metadata does not say `omit_none`)."""
    shape = _shape(type(thing))
    document: dict[str, Any] = {}
    if shape.kind is not None:
        document["kind"] = shape.kind
    for field in shape.fields:
        value = getattr(thing, field.name)
        if value is None:
            if nulls and not field.omit_none:
                document[field.name] = None
            continue
        document[field.name] = field.write(value, nulls)
    return document
