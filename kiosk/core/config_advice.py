"""What `kiosk config check` warns an operator about: settings that are valid but look wrong for a kiosk in a
hall. Each says in Chinese and English what to change; none stops the kiosk (the refusals are the models' own
checks)."""

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
    code = settings.site.division_code
    if not code.startswith(JILIN_PREFIX):
        found.append(Problem(shown, "site.division_code",
                             f"{code} is not in 吉林省 (22xxxx); it starts every 办件编号 this kiosk hands out: "
                             "check it",
                             f"{code} 不是吉林省的区划代码（应以 22 开头）；本机发出的每个办件编号都以它开头：请核对"))
    if real_backend and settings.kiosk_id == SHIPPED_KIOSK_ID:
        found.append(Problem(shown, "kiosk_id",
                             f"{SHIPPED_KIOSK_ID} is the shipped example: give this kiosk the id it was enrolled with "
                             "(`kiosk-backend enroll`)",
                             f"{SHIPPED_KIOSK_ID} 是随软件提供的示例编号：请改为本机登记时的编号"
                             "（kiosk-backend enroll）"))
    if real_backend and profile.reader.driver == "simulated":
        found.append(Problem(shown, "device_profile",
                             f"{settings.device_profile!r} uses the simulated reader and its test identities: a kiosk "
                             "in a hall needs the profile of its real reader",
                             f"{settings.device_profile!r} 用的是模拟读卡器和测试身份：大厅里的自助机须用其真实读卡器"
                             "的设备配置（devices/ 下的文件名）"))
    if real_backend and settings.maintenance_pin_scrypt:
        found.append(Problem(shown, "maintenance_pin_scrypt",
                             "a shared PIN: the audit can only say 'PIN' for whoever used it; give each attendant "
                             "their own (`kiosk maintenance add-staff NAME`) and remove this line",
                             "这是共用PIN：审计记录只能写“PIN”，说不出是谁；请为每位工作人员单独设置"
                             "（kiosk maintenance add-staff 姓名），然后删掉这一行"))
    return found
