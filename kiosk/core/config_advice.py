"""What `kiosk config check` warns an operator about: settings that are valid but look wrong for a kiosk in a
hall. Each says what to change; none stops the kiosk (the refusals are the models' own checks)."""

from __future__ import annotations

from kiosk.core.problems import Problem
from kiosk.core.settings import LoadedConfig

JILIN_PREFIX = "22"  # GB/T 2260: 吉林省
SHIPPED_KIOSK_ID = "JL-220102-001"  # the example in the shipped kiosk.toml


def config_advice(config: LoadedConfig) -> list[Problem]:
    settings, profile = config.settings, config.profile
    shown = str(config.path)
    found: list[Problem] = []
    real_backend = settings.backend.url != "local"
    if not settings.site.division_code.startswith(JILIN_PREFIX):
        found.append(Problem(shown, "site.division_code", f"{settings.site.division_code} is not in 吉林省 (22xxxx); "
                             "it starts every 办件编号 this kiosk hands out: check it"))
    if real_backend and settings.kiosk_id == SHIPPED_KIOSK_ID:
        found.append(Problem(shown, "kiosk_id", f"{SHIPPED_KIOSK_ID} is the shipped example: give this kiosk the id "
                             "it was enrolled with (`kiosk-backend enroll`)"))
    if real_backend and profile.reader.driver == "simulated":
        found.append(Problem(shown, "device_profile", f"{settings.device_profile!r} uses the simulated reader and "
                             "its test identities: a kiosk in a hall needs the profile of its real reader"))
    return found
