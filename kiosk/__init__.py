"""The kiosk application: core, storage, remote adapter, shell, composition root and commands (docs/architecture.md)."""

__all__ = ["__version__"]

try:  # written by setuptools-scm at build and install time from the git tag: the version's one place
    from kiosk._version import version as __version__
except ImportError:  # a source tree that was never built or installed
    __version__ = "0.0.0+unknown"
