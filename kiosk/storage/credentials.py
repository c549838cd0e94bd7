"""Where the kiosk's key files are read: sealed with systemd-creds (TPM2 where present) or plain.

A sealed key lives encrypted in /etc/credstore.encrypted/kiosk-<name> (deploy/bin/kiosk-seal-keys puts it there);
kiosk.service's LoadCredentialEncrypted= hands it decrypted to the service in $CREDENTIALS_DIRECTORY/<name>,
readable by the kiosk user only and never on disk. Without that, the plain 0600 file in key_dir is read."""

from __future__ import annotations

import os
from pathlib import Path


def credstore() -> Path:
    return Path(os.environ.get("KIOSK_CREDSTORE", "/etc/credstore.encrypted"))


def key_file(key_dir: Path, name: str) -> Path:
    """The key `name` as the service sees it: systemd's decrypted credential first, then the plain file."""
    handed = os.environ.get("CREDENTIALS_DIRECTORY")
    if handed and (Path(handed) / name).is_file():
        return Path(handed) / name
    return key_dir / name


def sealed_copy(name: str) -> Path | None:
    """The sealed (encrypted) copy of the key, if it has been sealed: outside the unit it cannot be read."""
    path = credstore() / f"kiosk-{name}"
    return path if path.is_file() else None
