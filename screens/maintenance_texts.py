"""Constants of maintenance mode's out-of-service presets. The texts of maintenance mode and of unavailable
tiles are in the gettext catalogs (config/locales/*/LC_MESSAGES/kiosk.po, `maint.*` and `tile.*` keys)."""

from __future__ import annotations

OOS_PRESETS = ("paper", "repair", "network", "closed")
PRESET_PREFIX = "preset:"
