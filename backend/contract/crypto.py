"""The kiosk's cryptography behind one small API: sealing data at rest, digests, MACs, signatures, keys.

Two profiles, chosen in config (kiosk.core.settings.Backend.crypto_profile):

- national (商用密码, the default): SM4-GCM for data at rest, SM3 digests, HMAC-SM3 request MACs, SM2
  signatures (SM3withSM2, GB/T 32918 / GM/T 0009 with the default user id).
- international: AES-256-GCM, SHA-256, HMAC-SHA-256, Ed25519.

SM4, SM3 and everything international come from `cryptography` (OpenSSL). SM2 comes from `gmssl`, a pure
Python implementation: fine for signatures checked now and then (catalogs), too slow for every request,
which is why requests carry a MAC. Neither library is a certified module (GM/T 0028); production behind a
密评 swaps these functions for the vendor SDK of one.

Pure: no network, no files except the key-file helpers at the end.
"""

from __future__ import annotations

import json
import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

Profile = Literal["national", "international"]
PROFILES: tuple[Profile, ...] = ("national", "international")

_BLOB_VERSION = 1
_BLOB_ALGORITHM = {"national": 1, "international": 2}  # 1 = SM4-GCM, 2 = AES-256-GCM
_KEY_BYTES = {"national": 16, "international": 32}
_NONCE_BYTES = 12
_TAG_BYTES = 16

SIGNATURE_ALGORITHM = {"national": "SM2-SM3", "international": "Ed25519"}
MAC_ALGORITHM = {"national": "HMAC-SM3", "international": "HMAC-SHA-256"}


class CryptoError(Exception):
    """A blob that does not open (wrong key, tampered, other profile) or a malformed key."""


def _check_profile(profile: str) -> Profile:
    if profile not in PROFILES:
        raise CryptoError(f"unknown crypto profile {profile!r}")
    return profile


# ---- data at rest ----

def new_data_key(profile: Profile) -> bytes:
    """A fresh random key for `seal`: 128 bits for SM4, 256 bits for AES."""
    return secrets.token_bytes(_KEY_BYTES[_check_profile(profile)])


def seal(profile: Profile, key: bytes, plaintext: bytes, aad: bytes = b"") -> bytes:
    """Encrypt and authenticate: version, algorithm, nonce, ciphertext and tag in one blob.

    `aad` binds the blob to where it is stored (a row's key), so a blob copied to another row does not open.
    """
    profile = _check_profile(profile)
    if len(key) != _KEY_BYTES[profile]:
        raise CryptoError(f"a {profile} data key has {_KEY_BYTES[profile]} bytes")
    nonce = secrets.token_bytes(_NONCE_BYTES)
    header = bytes((_BLOB_VERSION, _BLOB_ALGORITHM[profile]))
    if profile == "international":
        body = AESGCM(key).encrypt(nonce, plaintext, header + aad)
    else:
        encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
        encryptor.authenticate_additional_data(header + aad)
        body = encryptor.update(plaintext) + encryptor.finalize() + encryptor.tag
    return header + nonce + body


def open_sealed(profile: Profile, key: bytes, blob: bytes, aad: bytes = b"") -> bytes:
    """The plaintext of a `seal` blob; raises CryptoError when it was tampered with or the key is wrong."""
    profile = _check_profile(profile)
    if len(blob) < 2 + _NONCE_BYTES + _TAG_BYTES or blob[0] != _BLOB_VERSION:
        raise CryptoError("not a sealed blob")
    if blob[1] != _BLOB_ALGORITHM[profile]:
        raise CryptoError("sealed under the other crypto profile")
    if len(key) != _KEY_BYTES[profile]:
        raise CryptoError(f"a {profile} data key has {_KEY_BYTES[profile]} bytes")
    header, nonce, body = blob[:2], blob[2:2 + _NONCE_BYTES], blob[2 + _NONCE_BYTES:]
    try:
        if profile == "international":
            return AESGCM(key).decrypt(nonce, body, header + aad)
        decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, body[-_TAG_BYTES:])).decryptor()
        decryptor.authenticate_additional_data(header + aad)
        return decryptor.update(body[:-_TAG_BYTES]) + decryptor.finalize()
    except InvalidTag:
        raise CryptoError("sealed blob does not authenticate") from None


# ---- digests and MACs ----

def _hash(profile: Profile) -> hashes.HashAlgorithm:
    return hashes.SM3() if _check_profile(profile) == "national" else hashes.SHA256()


def digest(profile: Profile, data: bytes) -> bytes:
    """SM3 or SHA-256 of `data` (32 bytes either way)."""
    h = hashes.Hash(_hash(profile))
    h.update(data)
    return h.finalize()


def mac(profile: Profile, key: bytes, data: bytes) -> bytes:
    """HMAC-SM3 or HMAC-SHA-256."""
    if not key:
        raise CryptoError("empty MAC key")
    h = hmac.HMAC(key, _hash(profile))
    h.update(data)
    return h.finalize()


def mac_matches(profile: Profile, key: bytes, data: bytes, tag: bytes) -> bool:
    """Constant-time check of a MAC."""
    return secrets.compare_digest(mac(profile, key, data), tag)


def derive_key(profile: Profile, key: bytes, purpose: str, length: int = 32) -> bytes:
    """A subkey for one purpose (e.g. a blind index), so one stored secret serves several uses safely."""
    return mac(profile, key, b"kiosk-derive-v1:" + purpose.encode())[:length]


def new_mac_key() -> bytes:
    return secrets.token_bytes(32)


# ---- signatures ----

# SM2 recommended curve (GB/T 32918.5), order n; private keys lie in [1, n-2].
_SM2_N = int("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123", 16)


@dataclass(frozen=True, slots=True)
class SigningKey:
    profile: Profile
    private: bytes
    public: bytes


def new_signing_key(profile: Profile) -> SigningKey:
    profile = _check_profile(profile)
    if profile == "international":
        key = Ed25519PrivateKey.generate()
        from cryptography.hazmat.primitives import serialization as s

        return SigningKey(profile, key.private_bytes(s.Encoding.Raw, s.PrivateFormat.Raw, s.NoEncryption()),
                          key.public_key().public_bytes(s.Encoding.Raw, s.PublicFormat.Raw))
    d = secrets.randbelow(_SM2_N - 2) + 1
    return SigningKey(profile, d.to_bytes(32, "big"), _sm2_public(d))


def _sm2_public(d: int) -> bytes:
    from gmssl import sm2

    # gmssl has no public key-generation call; its point multiplication is the documented way round it.
    point = sm2.CryptSM2(private_key=f"{d:064x}", public_key="")._kg(d, sm2.default_ecc_table["g"])
    return bytes.fromhex(str(point))


# GB/T 32918.2 Z_A for the default user id "1234567812345678": SM3(ENTL || ID || a || b || xG || yG || xA || yA).
_SM2_Z_PREFIX = bytes.fromhex(
    "0080" "31323334353637383132333435363738"
    "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC"
    "28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93"
    "32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7"
    "BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0")


def _sm2_e(public: bytes, data: bytes) -> bytes:
    """e = SM3(Z_A || M), hashed with OpenSSL's SM3: gmssl's pure-Python SM3 is slow on a whole catalog."""
    z = digest("national", _SM2_Z_PREFIX + public)
    return digest("national", z + data)


def _sm2(private: bytes, public: bytes) -> object:
    from gmssl import sm2

    signer = sm2.CryptSM2(private_key=private.hex(), public_key="", mode=1)
    # Set after construction: gmssl's constructor runs `public_key.lstrip("04")` on a key whose hex starts with
    # "04", which also eats the first byte of a raw x||y key that merely begins with 0x04 (1 key in 256).
    signer.public_key = public.hex()
    return signer


def sign(key: SigningKey, data: bytes) -> bytes:
    """SM3withSM2 (r||s, 64 bytes) or Ed25519 (64 bytes)."""
    if key.profile == "international":
        return Ed25519PrivateKey.from_private_bytes(key.private).sign(data)
    signer = _sm2(key.private, key.public)
    e = _sm2_e(key.public, data)
    while True:
        k = secrets.randbelow(_SM2_N - 1) + 1  # gmssl's own nonce comes from `random`: never use it
        signature = signer.sign(e, f"{k:064x}")  # type: ignore[attr-defined]
        if signature:  # None in the negligible cases r = 0, r + k = n or s = 0: draw another k
            return bytes.fromhex(str(signature))


def verify(profile: Profile, public: bytes, data: bytes, signature: bytes) -> bool:
    profile = _check_profile(profile)
    if len(signature) != 64:
        return False
    if profile == "international":
        try:
            Ed25519PublicKey.from_public_bytes(public).verify(signature, data)
            return True
        except (InvalidSignature, ValueError):
            return False
    r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    if not (0 < r < _SM2_N and 0 < s < _SM2_N) or len(public) != 64:  # range checks gmssl leaves out
        return False
    try:
        return bool(_sm2(b"\x01" * 32, public).verify(signature.hex(), _sm2_e(public, data)))  # type: ignore[attr-defined]
    except (ValueError, TypeError, ZeroDivisionError):
        return False


# ---- key files: JSON, owner-only, never in the repository ----

def write_key_file(path: Path, content: dict[str, str], replace: bool = True) -> None:
    """Write a secret as JSON with mode 0600 in a 0700 folder, atomically (no half-written key).

    With replace=False an existing file is kept and FileExistsError raised, so two processes creating the
    same key at once end up sharing one.
    """
    for folder in reversed([path.parent, *path.parent.parents]):  # every folder it makes is 0700, not just the last
        if not folder.exists():
            folder.mkdir(mode=0o700, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(content, handle, indent=2, sort_keys=True)
            handle.flush()
            os.fsync(handle.fileno())
        if replace:
            os.replace(temporary, path)
        else:
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def read_key_file(path: Path) -> dict[str, str]:
    """Read a key file; refuses one that others may read, as ssh does."""
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise CryptoError(f"{path} is readable by others (mode {stat.S_IMODE(mode):o}); chmod 600 it")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise CryptoError(f"{path} is not a key file: {exc}") from None
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise CryptoError(f"{path} is not a key file")
    return {str(k): v for k, v in data.items()}


def load_or_create_data_key(path: Path, profile: Profile) -> bytes:
    """The data-at-rest key in `path`, created on first use. A key of the other profile is an error."""
    profile = _check_profile(profile)
    if path.exists():
        content = read_key_file(path)
        if content.get("profile") != profile:
            raise CryptoError(f"{path} holds a {content.get('profile')} key, the config asks for {profile}")
        key = bytes.fromhex(content.get("key", ""))
        if len(key) != _KEY_BYTES[profile]:
            raise CryptoError(f"{path} holds a key of the wrong length")
        return key
    key = new_data_key(profile)
    try:
        write_key_file(path, {"kind": "data-key", "profile": profile, "key": key.hex()}, replace=False)
    except FileExistsError:  # another process made it first: use theirs
        return load_or_create_data_key(path, profile)
    return key
