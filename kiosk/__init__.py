"""The kiosk core: session state machine, identity, configuration and ports. Never imports Kivy or drivers."""

__version__ = "0.1.0"
