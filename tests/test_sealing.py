"""The seal: no item text in the file, and any change to it is detected."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from dailylist.author import load_source
from dailylist.cipher import fingerprint
from dailylist.errors import BadInput, DailylistError, DamagedData
from dailylist.sealing import open_sealed, parse_sealed
from dailylist.store import example_names, example_path
from tests.conftest import Cli, at, item_text, snapshot

NOW = at("2026-03-02 10:00")
REPO = Path(__file__).resolve().parents[1]


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def test_sealed_file_holds_no_item_text(make_sealed: Callable[..., Path]) -> None:
    raw = make_sealed(5).read_bytes()
    document = json.loads(raw)
    decoded = [raw]
    for name in ("public_key", "signature"):
        decoded.append(base64.b64decode(document[name]))
    decoded.append(base64.b64decode(document["content_key"]["key"]))
    decoded += [base64.b64decode(item["nonce"]) for item in document["items"]]
    for number in range(1, 6):
        for needle in (item_text(number), f"Day title {number}", f"{number * 7919:x}"):
            for blob in decoded:
                assert needle.encode() not in blob
    # The header holds only what the recipient may read before day one.
    header_text = " ".join(_strings(document["header"]))
    assert "Secret challenge" not in header_text


def test_items_decrypt_to_the_source(make_sealed: Callable[..., Path]) -> None:
    unsealed = open_sealed(make_sealed(5).read_bytes())
    assert [unsealed.item(i).text for i in range(5)] == [item_text(n) for n in range(1, 6)]


def test_every_single_byte_flip_is_refused(make_sealed: Callable[..., Path]) -> None:
    """Flip each byte of a sealed file in turn (two ways): not one variant opens."""
    raw = make_sealed(3).read_bytes()
    for position in range(len(raw)):
        for mask in (0x01, 0x20):
            tampered = bytearray(raw)
            tampered[position] ^= mask
            with pytest.raises(DailylistError):
                open_sealed(bytes(tampered))


@pytest.mark.parametrize("part", ["ciphertext", "header", "signature"])
def test_open_refuses_a_tampered_file_and_stores_nothing(
    part: str, make_sealed: Callable[..., Path], run: Cli, tmp_path: Path
) -> None:
    path = make_sealed(3)
    document = json.loads(path.read_bytes())
    if part == "ciphertext":
        blob = bytearray(base64.b64decode(document["items"][1]["ciphertext"]))
        blob[5] ^= 0x01
        document["items"][1]["ciphertext"] = base64.b64encode(bytes(blob)).decode()
    elif part == "header":
        document["header"]["letter"] = "Dear you, skip ahead whenever you like."
    else:
        blob = bytearray(base64.b64decode(document["signature"]))
        blob[0] ^= 0x80
        document["signature"] = base64.b64encode(bytes(blob)).decode()
    path.write_text(json.dumps(document), encoding="utf-8")
    before = snapshot(tmp_path)
    result = run("open", str(path), now=NOW)
    assert result.exit_code == 2
    assert "damaged" in result.stderr or "changed after sealing" in result.stderr
    assert "Traceback" not in result.output
    assert snapshot(tmp_path) == before


def test_swapping_two_items_is_detected_even_with_a_fresh_signature(
    make_sealed: Callable[..., Path], tmp_path: Path
) -> None:
    """Re-signing with another key can't help: each item is bound to its place."""
    import base64

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    from dailylist.canonical import canonical_json

    document = json.loads(make_sealed(3).read_bytes())
    items = document["items"]
    document["items"] = [items[1], items[0], items[2]]
    with pytest.raises(DamagedData, match="signature"):
        parse_sealed(json.dumps(document).encode())
    other = Ed25519PrivateKey.generate()
    public = other.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    document["public_key"] = base64.b64encode(public).decode()
    del document["signature"]
    signature = other.sign(canonical_json(document))
    document["signature"] = base64.b64encode(signature).decode()
    with pytest.raises(DamagedData, match="item 1 does not decrypt"):
        open_sealed(json.dumps(document).encode())


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "not valid JSON"),
        (b"\x89PNG\r\n\x1a\n", "not valid JSON"),
        (b"[1, 2]", "no format version"),
        (b'{"format": 99, "header": {}}', "newer dailylist"),
        (b'{"format": 1, "header": {}}', "damaged"),
    ],
)
def test_open_rejects_what_is_not_a_sealed_list(
    content: bytes, message: str, run: Cli, tmp_path: Path
) -> None:
    path = tmp_path / "gift.dlist"
    path.write_bytes(content)
    before = snapshot(tmp_path)
    result = run("open", str(path), now=NOW)
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert snapshot(tmp_path) == before


def test_open_of_a_missing_file_says_so(run: Cli, tmp_path: Path) -> None:
    result = run("open", str(tmp_path / "nope.dlist"), now=NOW)
    assert result.exit_code == 2
    assert "does not exist" in result.stderr
    assert not (tmp_path / "home").exists()


def test_opening_the_same_list_twice_is_harmless(
    make_sealed: Callable[..., Path], run: Cli, data: object
) -> None:
    path = make_sealed(3)
    assert run("open", str(path), now=NOW).exit_code == 0
    again = run("open", str(path), now=NOW)
    assert again.exit_code == 0
    assert "Already open" in again.stdout


def test_fingerprint_is_stable_and_readable() -> None:
    assert fingerprint(b"\x00" * 32) == fingerprint(b"\x00" * 32)
    assert fingerprint(b"\x00" * 32) != fingerprint(b"\x01" + b"\x00" * 31)
    groups = fingerprint(b"\x00" * 32).split(" ")
    assert [len(g) for g in groups] == [4, 4, 4, 4]


@pytest.mark.parametrize("name", ["find-yourself", "city-walk"])
def test_bundled_examples_open_and_match_their_sources(name: str) -> None:
    assert name in example_names()
    unsealed = open_sealed(example_path(name).read_bytes())
    sealed = unsealed.sealed
    source = load_source(REPO / "lists" / f"{name}.toml")
    assert sealed.info.title == source.title
    assert sealed.info.letter == source.letter
    assert list(sealed.info.rules) == source.rules
    assert sealed.info.settings == source.settings
    assert [unsealed.item(i) for i in range(len(sealed.items))] == list(source.items)


def test_unknown_example_names_the_choices() -> None:
    with pytest.raises(BadInput, match="find-yourself"):
        example_path("no-such-list")


def test_find_yourself_is_the_thirty_day_list() -> None:
    unsealed = open_sealed(example_path("find-yourself").read_bytes())
    assert unsealed.info.item_count == 30
    assert len(unsealed.info.rules) == 5
    first = unsealed.item(0).text.lower()
    assert all(word in first for word in ("night off", "bath", "film", "cry"))
