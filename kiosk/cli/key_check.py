"""`kiosk config check`'s look at the key files: a kiosk whose keys are missing, unreadable or open to others
must be stopped by the check (and shown as out of service), not crash-loop after it passed."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from backend.contract import crypto
from backend.contract.keys import KIOSK_CREDENTIAL_FILE
from kiosk.core.problems import ConfigError, Problem
from kiosk.core.settings import LoadedConfig
from kiosk.remote.client import OUTBOX_FILE, OUTBOX_KEY_FILE, load_credential
from kiosk.storage.credentials import key_file, sealed_copy


def _open_to_others(path: Path) -> bool:
    return bool(stat.S_IMODE(path.stat().st_mode) & (stat.S_IRWXG | stat.S_IRWXO))


def key_problems(config: LoadedConfig) -> list[Problem]:
    """Every problem with the key folder, the kiosk key (backend.key) and the outbox key, as the user running
    the check sees them (the unit runs it as the kiosk user, with sealed keys decrypted by systemd). A key that
    is sealed (kiosk.storage.credentials) but not handed to this process cannot be read here, and passes."""
    folder = config.key_dir
    problems: list[Problem] = []
    local = config.settings.backend.url == "local"  # the embedded backend enrols the kiosk itself
    backend_key = key_file(folder, KIOSK_CREDENTIAL_FILE)
    outbox_key = key_file(folder, OUTBOX_KEY_FILE)
    backend_sealed = backend_key.parent == folder and sealed_copy(KIOSK_CREDENTIAL_FILE) is not None
    outbox_sealed = outbox_key.parent == folder and sealed_copy(OUTBOX_KEY_FILE) is not None
    if folder.is_dir():
        if _open_to_others(folder):
            mode = f"{stat.S_IMODE(folder.stat().st_mode):o}"
            problems.append(Problem(str(folder), "(folder)", f"open to others (mode {mode}); chmod 700 it",
                                    f"其他用户也能访问（权限 {mode}）：请执行 chmod 700"))
        if not os.access(folder, os.R_OK | os.X_OK):
            problems.append(Problem(str(folder), "(folder)", f"not readable by the user running the check (uid "
                                    f"{os.getuid()}); chown it to the kiosk user",
                                    f"运行检查的用户（uid {os.getuid()}）读不了：请 chown 给 kiosk 用户"))
            return problems
    elif not local and backend_key.parent == folder and not backend_sealed:
        enroll = f"kiosk-backend enroll {config.settings.kiosk_id}"
        problems.append(Problem(str(folder), "(folder)", f"no key folder: run `{enroll}` on the server and copy "
                                "the key file here",
                                f"没有密钥文件夹：请在后台服务器上运行 {enroll}，再把密钥文件复制到这里"))
        return problems
    if not local and not backend_sealed:
        try:
            load_credential(config)
        except ConfigError as exc:
            problems.extend(exc.problems)
        except OSError as exc:
            problems.append(Problem(str(backend_key), "(file)", f"cannot be read: {exc.strerror}",
                                    f"无法读取：{exc.strerror}"))
    if outbox_sealed:
        return problems
    if outbox_key.exists():
        try:
            crypto.load_or_create_data_key(outbox_key, config.settings.backend.crypto_profile)
        except crypto.CryptoError as exc:
            problems.append(Problem(str(outbox_key), "(file)", str(exc)))
        except OSError as exc:
            problems.append(Problem(str(outbox_key), "(file)", f"cannot be read: {exc.strerror}",
                                    f"无法读取：{exc.strerror}"))
    elif (config.data_dir / OUTBOX_FILE).exists():
        problems.append(Problem(str(outbox_key), "(file)", "missing, but the outbox holds data sealed with it: "
                                "restore the key from the backup (a new key could not read the pending items)",
                                "缺少此密钥，而待上传的申请是用它加密的：请从备份中恢复（新密钥读不了这些申请）"))
    elif folder.is_dir() and not os.access(folder, os.W_OK):
        problems.append(Problem(str(folder), "(folder)", "no outbox key yet and the folder is not writable, "
                                "so the kiosk cannot make one at its first start",
                                "还没有待上传申请的密钥，而此文件夹不可写，首次启动时无法生成：请 chown 给 kiosk 用户"))
    return problems
