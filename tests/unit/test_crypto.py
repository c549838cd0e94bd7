"""backend.contract.crypto: standard vectors, sealing, MACs, signatures and key files in both profiles."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from backend.contract import crypto

PROFILES = list(crypto.PROFILES)


def test_sm3_and_sm4_match_the_standard_vectors() -> None:
    # GB/T 32905 example 1 and GB/T 32907 appendix A
    assert crypto.digest("national", b"abc").hex() == (
        "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0")
    key = bytes.fromhex("0123456789abcdeffedcba9876543210")
    encryptor = Cipher(algorithms.SM4(key), modes.ECB()).encryptor()
    assert (encryptor.update(key) + encryptor.finalize()).hex() == "681edf34d206965e86b3e94f536e4246"
    assert crypto.digest("international", b"abc").hex().startswith("ba7816bf")


@pytest.mark.parametrize("profile", PROFILES)
def test_seal_round_trips_and_detects_tampering(profile: crypto.Profile) -> None:
    key = crypto.new_data_key(profile)
    blob = crypto.seal(profile, key, "张三 220102199003071234".encode(), b"row:1")
    assert "张三".encode() not in blob and b"220102199003071234" not in blob
    assert crypto.open_sealed(profile, key, blob, b"row:1").decode() == "张三 220102199003071234"
    assert crypto.seal(profile, key, b"same", b"") != crypto.seal(profile, key, b"same", b"")  # fresh nonces
    tampered = blob[:-1] + bytes([blob[-1] ^ 1])
    for bad_key, bad_blob, aad in ((key, tampered, b"row:1"), (key, blob, b"row:2"),
                                   (crypto.new_data_key(profile), blob, b"row:1")):
        with pytest.raises(crypto.CryptoError):
            crypto.open_sealed(profile, bad_key, bad_blob, aad)


def test_a_blob_of_one_profile_does_not_open_under_the_other() -> None:
    blob = crypto.seal("national", crypto.new_data_key("national"), b"x")
    with pytest.raises(crypto.CryptoError, match="other crypto profile"):
        crypto.open_sealed("international", crypto.new_data_key("international"), blob)
    with pytest.raises(crypto.CryptoError):
        crypto.seal("national", b"short", b"x")


@pytest.mark.parametrize("profile", PROFILES)
def test_macs_and_derived_keys(profile: crypto.Profile) -> None:
    key = crypto.new_mac_key()
    tag = crypto.mac(profile, key, b"message")
    assert len(tag) == 32 and crypto.mac_matches(profile, key, b"message", tag)
    assert not crypto.mac_matches(profile, key, b"messagf", tag)
    assert not crypto.mac_matches(profile, crypto.new_mac_key(), b"message", tag)
    assert crypto.derive_key(profile, key, "a") != crypto.derive_key(profile, key, "b")


@pytest.mark.parametrize("profile", PROFILES)
def test_signatures_verify_and_catch_changes(profile: crypto.Profile) -> None:
    key = crypto.new_signing_key(profile)
    signature = crypto.sign(key, b"catalog v7")
    assert crypto.verify(profile, key.public, b"catalog v7", signature)
    assert not crypto.verify(profile, key.public, b"catalog v8", signature)
    assert not crypto.verify(profile, crypto.new_signing_key(profile).public, b"catalog v7", signature)
    assert not crypto.verify(profile, key.public, b"catalog v7", signature[:-1] + bytes([signature[-1] ^ 1]))
    assert not crypto.verify(profile, key.public, b"catalog v7", b"\x00" * 64)  # r = s = 0 is no signature
    assert not crypto.verify(profile, key.public, b"catalog v7", b"short")


def test_sm2_key_whose_public_key_begins_with_byte_04_signs_and_verifies() -> None:
    # gmssl strips a leading "04" (the uncompressed-point prefix) from the hex it is given; a raw x||y key
    # that happens to begin with 0x04 lost its first byte and never verified (about 1 key in 256).
    private = 11
    public = crypto._sm2_public(private)
    assert public.hex().startswith("04")  # the case under test
    key = crypto.SigningKey("national", private.to_bytes(32, "big"), public)
    signature = crypto.sign(key, b"catalog v7")
    assert crypto.verify("national", public, b"catalog v7", signature)
    assert not crypto.verify("national", public, b"catalog v8", signature)


def test_sm2_signatures_use_fresh_nonces() -> None:
    key = crypto.new_signing_key("national")
    assert crypto.sign(key, b"same") != crypto.sign(key, b"same")


def test_key_files_are_owner_only_and_refused_otherwise(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "outbox.key"
    key = crypto.load_or_create_data_key(path, "national")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert crypto.load_or_create_data_key(path, "national") == key  # made once, then reused
    with pytest.raises(crypto.CryptoError, match="national key"):
        crypto.load_or_create_data_key(path, "international")
    os.chmod(path, 0o644)
    with pytest.raises(crypto.CryptoError, match="readable by others"):
        crypto.read_key_file(path)
    assert list(path.parent.glob(".*tmp")) == []


def test_an_existing_key_file_is_never_overwritten_by_a_racing_creator(tmp_path: Path) -> None:
    path = tmp_path / "data.key"
    crypto.write_key_file(path, {"kind": "data-key", "profile": "national", "key": "00" * 16}, replace=False)
    with pytest.raises(FileExistsError):
        crypto.write_key_file(path, {"kind": "data-key", "profile": "national", "key": "11" * 16}, replace=False)
    assert crypto.load_or_create_data_key(path, "national") == b"\x00" * 16


def test_sm2_interoperates_with_gmssls_own_sm3withsm2() -> None:
    from gmssl import sm2

    key = crypto.new_signing_key("national")
    other = sm2.CryptSM2(private_key=key.private.hex(), public_key="", mode=1)
    other.public_key = key.public.hex()  # not through the constructor, which mangles keys beginning with 0x04
    theirs = bytes.fromhex(other.sign_with_sm3(b"interop", "1" * 64))
    assert crypto.verify("national", key.public, b"interop", theirs)
    assert other.verify_with_sm3(crypto.sign(key, b"interop").hex(), b"interop")
