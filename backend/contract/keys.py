"""Key files of the reference backend and of an enrolled kiosk. Both live outside the repository, mode 0600.

- The server's keys (`server.key` in the server's key folder): the data-at-rest key, the blind-index key
  and the catalog signing key pair, made on first start.
- A kiosk's credential (written by `kiosk-backend enroll`): its id, its MAC key for signing requests, and
  the server's public key for checking signed catalogs. The operator copies it to the kiosk's key_dir as
  `backend.key`.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

from backend.contract import crypto

SERVER_KEY_FILE = "server.key"
KIOSK_CREDENTIAL_FILE = "backend.key"


@dataclass(frozen=True)
class ServerKeys:
    profile: crypto.Profile
    data_key: bytes
    index_key: bytes
    signing: crypto.SigningKey

    @property
    def key_id(self) -> str:
        """Names the signing key in signed documents, so a kiosk notices a key it does not know."""
        return crypto.digest(self.profile, self.signing.public).hex()[:16]


def load_or_create_server_keys(key_dir: Path, profile: crypto.Profile) -> ServerKeys:
    path = key_dir / SERVER_KEY_FILE
    if not path.exists():
        signing = crypto.new_signing_key(profile)
        with contextlib.suppress(FileExistsError):  # another process made them first: use theirs
            crypto.write_key_file(path, {
                "kind": "server-keys", "profile": profile,
                "data_key": crypto.new_data_key(profile).hex(), "index_key": crypto.new_mac_key().hex(),
                "signing_private": signing.private.hex(), "signing_public": signing.public.hex()}, replace=False)
    content = crypto.read_key_file(path)
    if content.get("kind") != "server-keys":
        raise crypto.CryptoError(f"{path} is not a server key file")
    if content.get("profile") != profile:
        raise crypto.CryptoError(f"{path} holds {content.get('profile')} keys, the server runs {profile}")
    return ServerKeys(profile, bytes.fromhex(content["data_key"]), bytes.fromhex(content["index_key"]),
                      crypto.SigningKey(profile, bytes.fromhex(content["signing_private"]),
                                        bytes.fromhex(content["signing_public"])))


@dataclass(frozen=True)
class KioskCredential:
    kiosk_id: str
    profile: crypto.Profile
    mac_key: bytes = b""
    server_public_key: bytes = b""
    server_key_id: str = ""

    def __repr__(self) -> str:  # keep the secret out of tracebacks
        return f"KioskCredential(kiosk_id={self.kiosk_id!r}, profile={self.profile!r}, <secret>)"

    def save(self, path: Path) -> None:
        crypto.write_key_file(path, {
            "kind": "kiosk-credential", "kiosk_id": self.kiosk_id, "profile": self.profile,
            "mac_key": self.mac_key.hex(), "server_public_key": self.server_public_key.hex(),
            "server_key_id": self.server_key_id,
            "signature_algorithm": crypto.SIGNATURE_ALGORITHM[self.profile],
            "mac_algorithm": crypto.MAC_ALGORITHM[self.profile]})

    @classmethod
    def load(cls, path: Path) -> KioskCredential:
        content = crypto.read_key_file(path)
        profile = content.get("profile", "")
        if content.get("kind") != "kiosk-credential" or profile not in crypto.PROFILES:
            raise crypto.CryptoError(f"{path} is not a kiosk credential")
        return cls(content["kiosk_id"], profile,
                   bytes.fromhex(content["mac_key"]), bytes.fromhex(content["server_public_key"]),
                   content.get("server_key_id", ""))
