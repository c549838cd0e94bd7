"""What mutation testing found unguarded in kiosk.crypto (issue #21): the exact refusals, the shortest blob,
derived keys that must never change, the SM2 ranges of GB/T 32918 and the key file's exact content.

Each test names the mistake it is there to catch; scripts/mutation.sh checks that it does.
"""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import pytest

from backend.contract import crypto

PROFILES = list(crypto.PROFILES)
N = crypto._SM2_N


@pytest.mark.parametrize("profile", PROFILES)
def test_the_empty_message_is_the_shortest_blob_and_opens(profile: crypto.Profile) -> None:
    key = crypto.new_data_key(profile)
    blob = crypto.seal(profile, key, b"")
    assert len(blob) == 2 + 12 + 16
    assert crypto.open_sealed(profile, key, blob) == b""
    assert crypto.open_sealed(profile, key, blob, b"") == b""  # no aad is the empty aad
    assert crypto.open_sealed(profile, key, crypto.seal(profile, key, b"x", b"")) == b"x"
    with pytest.raises(crypto.CryptoError, match=r"^not a sealed blob$"):
        crypto.open_sealed(profile, key, blob[:-1])


@pytest.mark.parametrize("profile", PROFILES)
def test_each_refusal_says_why(profile: crypto.Profile) -> None:
    key = crypto.new_data_key(profile)
    blob = crypto.seal(profile, key, b"x")
    with pytest.raises(crypto.CryptoError, match=r"^not a sealed blob$"):
        crypto.open_sealed(profile, key, bytes([2]) + blob[1:])
    with pytest.raises(crypto.CryptoError, match=r"^sealed blob does not authenticate$"):
        crypto.open_sealed(profile, key, blob, b"other row")
    size = 16 if profile == "national" else 32
    with pytest.raises(crypto.CryptoError, match=rf"^a {profile} data key has {size} bytes$"):
        crypto.open_sealed(profile, key[:-1], blob)
    with pytest.raises(crypto.CryptoError, match=rf"^a {profile} data key has {size} bytes$"):
        crypto.seal(profile, key[:-1], b"x")
    with pytest.raises(crypto.CryptoError, match=r"^empty MAC key$"):
        crypto.mac(profile, b"", b"x")


def test_other_profile_and_unknown_profile_are_named() -> None:
    blob = crypto.seal("international", crypto.new_data_key("international"), b"x")
    with pytest.raises(crypto.CryptoError, match=r"^sealed under the other crypto profile$"):
        crypto.open_sealed("national", crypto.new_data_key("national"), blob)
    with pytest.raises(crypto.CryptoError, match=r"^unknown crypto profile 'sm9'$"):
        crypto.new_data_key("sm9")  # type: ignore[arg-type]


def test_derived_keys_never_change() -> None:
    """Blind indexes stored in the outbox are made with derived keys: a new derivation would orphan them."""
    key = bytes(range(32))
    assert crypto.derive_key("national", key, "blind-index").hex() == (
        "bd4c20e67470f7b720b096204caf4947747b27dd50f429e22c5fa8c545ba5c78")
    assert crypto.derive_key("international", key, "blind-index").hex() == (
        "5f001cec7783ddf778659379278eaed3a48694c3d8eed8b0d96287689d26ef4d")
    assert len(crypto.derive_key("national", key, "blind-index", 16)) == 16


def test_a_mac_key_has_256_bits() -> None:
    assert len(crypto.new_mac_key()) == 32


def test_sm2_private_keys_lie_in_1_to_n_minus_2(monkeypatch: pytest.MonkeyPatch) -> None:
    """GB/T 32918.1: d in [1, n-2]. The random draw is pinned to both ends of its range."""
    bounds: list[int] = []

    def lowest(bound: int) -> int:
        bounds.append(bound)
        return 0

    def highest(bound: int) -> int:
        bounds.append(bound)
        return bound - 1

    for draw, d in ((lowest, 1), (highest, N - 2)):
        monkeypatch.setattr(crypto.secrets, "randbelow", draw)
        key = crypto.new_signing_key("national")
        assert key.profile == "national" and key.private == d.to_bytes(32, "big")
        assert key.public == crypto._sm2_public(d)
    assert bounds == [N - 2, N - 2]


def test_sm2_nonce_is_the_draw_plus_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """k in [1, n-1]; with the draw pinned to 0, k = 1 and r = (e + x(G)) mod n (GB/T 32918.2)."""
    key = crypto.new_signing_key("national")
    bounds: list[int] = []

    def lowest(bound: int) -> int:
        bounds.append(bound)
        return 0

    monkeypatch.setattr(crypto.secrets, "randbelow", lowest)
    signature = crypto.sign(key, b"catalog v7")
    e = int.from_bytes(crypto._sm2_e(key.public, b"catalog v7"), "big")
    gx = int("32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7", 16)
    assert int.from_bytes(signature[:32], "big") == (e + gx) % N
    assert bounds == [N - 1]
    assert crypto.verify("national", key.public, b"catalog v7", signature)


class _Accepting:
    """Stands in for gmssl: accepts every signature, so only crypto's own range checks can refuse."""

    def __init__(self, outcome: Any = True) -> None:
        self.outcome = outcome

    def verify(self, signature: str, e: bytes) -> bool:
        if isinstance(self.outcome, Exception):
            raise self.outcome
        return bool(self.outcome)


def _rs(r: int, s: int) -> bytes:
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


@pytest.mark.parametrize(("r", "s", "accepted"), [
    (1, 1, True), (N - 1, N - 1, True), (0, 1, False), (1, 0, False), (N, 1, False), (1, N, False),
])
def test_sm2_r_and_s_must_lie_in_1_to_n_minus_1(monkeypatch: pytest.MonkeyPatch, r: int, s: int,
                                                 accepted: bool) -> None:
    public = crypto.new_signing_key("national").public
    monkeypatch.setattr(crypto, "_sm2", lambda private, public: _Accepting())
    assert crypto.verify("national", public, b"x", _rs(r, s)) is accepted
    assert crypto.verify("national", public[:-1], b"x", _rs(1, 1)) is False  # a public key is x || y


@pytest.mark.parametrize("error", [ValueError("bad point"), TypeError("bad hex"), ZeroDivisionError()])
def test_sm2_verify_that_breaks_is_a_refusal(monkeypatch: pytest.MonkeyPatch, error: Exception) -> None:
    public = crypto.new_signing_key("national").public
    monkeypatch.setattr(crypto, "_sm2", lambda private, public: _Accepting(error))
    assert crypto.verify("national", public, b"x", _rs(1, 1)) is False


def test_the_data_key_file_says_what_it_holds(tmp_path: Path) -> None:
    path = tmp_path / "new" / "folders" / "outbox.key"
    key = crypto.load_or_create_data_key(path, "national")
    text = path.read_text(encoding="utf-8")
    assert json.loads(text) == {"kind": "data-key", "profile": "national", "key": key.hex()}
    assert text == json.dumps({"key": key.hex(), "kind": "data-key", "profile": "national"}, indent=2)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["outbox.key"]  # no temporary file left


def test_writing_a_key_file_replaces_by_default(tmp_path: Path) -> None:
    path = tmp_path / "k.json"
    crypto.write_key_file(path, {"a": "1"})
    crypto.write_key_file(path, {"a": "2"})
    assert crypto.read_key_file(path) == {"a": "2"}


@pytest.mark.parametrize(("content", "message"), [
    ("not json", r"is not a key file: "),
    ('["a"]', r"is not a key file$"),
    ('{"a": 1}', r"is not a key file$"),
])
def test_a_malformed_key_file_is_refused(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "k.json"
    path.write_text(content, encoding="utf-8")
    path.chmod(0o600)
    with pytest.raises(crypto.CryptoError, match=message):
        crypto.read_key_file(path)


def test_a_data_key_file_without_a_key_or_of_the_wrong_length_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "k.json"
    for content in ({"profile": "national"}, {"profile": "national", "key": "00" * 15}):
        crypto.write_key_file(path, content)
        with pytest.raises(crypto.CryptoError, match=r"holds a key of the wrong length$"):
            crypto.load_or_create_data_key(path, "national")
    crypto.write_key_file(path, {"profile": "international", "key": "00" * 32})
    with pytest.raises(crypto.CryptoError, match=r"holds a international key, the config asks for national$"):
        crypto.load_or_create_data_key(path, "national")


def test_a_creator_that_loses_the_race_uses_the_winners_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "data.key"
    real = crypto.write_key_file

    def race(target: Path, content: dict[str, str], replace: bool = True) -> None:
        assert replace is False  # never overwrite a key another process may already use
        real(target, {"kind": "data-key", "profile": "national", "key": "11" * 16}, replace=False)  # the winner
        real(target, content, replace=replace)

    monkeypatch.setattr(crypto, "write_key_file", race)
    assert crypto.load_or_create_data_key(path, "national") == b"\x11" * 16


def test_a_folder_made_meanwhile_by_another_process_is_no_error(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Two processes creating the same key at once: the folder the other one made between this one's look and
    its mkdir must not stop it."""
    target = tmp_path / "keys" / "server.key"
    target.parent.mkdir(mode=0o700)
    real_exists = Path.exists
    monkeypatch.setattr(Path, "exists", lambda self: False if self == target.parent else real_exists(self))
    crypto.write_key_file(target, {"kind": "made meanwhile"})
    monkeypatch.undo()
    assert crypto.read_key_file(target) == {"kind": "made meanwhile"}
