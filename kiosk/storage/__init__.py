"""Reading and keeping the kiosk's local files: the configuration and catalog it loads (shared with the reference
server), the parsed-TOML cache, the print journal, the usage counts and the monthly report file. The models and
their checks are the core's (kiosk.core.settings, .catalog, .report)."""
