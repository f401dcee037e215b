"""Errors the user can fix, raised by domain code and shown to them as a short message."""


class UserError(Exception):
    """Something the user must fix; the message is shown to them verbatim (ephemeral)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ConfigError(Exception):
    """A missing or malformed setting; the message names the variable and what is expected."""
