"""Domain exceptions. Each carries a message key of the catalog (lib/i18n/i18n.py) and its
parameters, so that a page can show the refusal in the user's language."""

from __future__ import annotations


class PortalError(Exception):
    """Base of every refusal the portal shows to a user."""

    def __init__(self, key: str, **params):
        super().__init__(key)
        self.key = key
        self.params = params

    def __str__(self) -> str:
        extra = ", ".join(f"{k}={v}" for k, v in self.params.items())
        return f"{self.key} ({extra})" if extra else self.key


class ScopeError(PortalError):
    """The acting user may not see or change this row."""

    def __init__(self, key: str = "error.scope", **params):
        super().__init__(key, **params)


class NotFoundError(PortalError):
    """The row does not exist (or is outside the user's scope, which reads the same)."""

    def __init__(self, key: str = "error.not_found", **params):
        super().__init__(key, **params)


class ValidationError(PortalError):
    """Input was refused; ``field`` names the offending field when there is one."""

    def __init__(self, key: str, field: str | None = None, **params):
        super().__init__(key, **params)
        self.field = field


class FieldErrors(ValidationError):
    """Several fields of a form refused at once: ``errors`` maps field → (message key, params), so a
    form can show each message under its field and keep what was typed. ``key`` is the summary."""

    def __init__(self, key: str = "error.fields"):
        super().__init__(key)
        self.errors: dict[str, tuple[str, dict]] = {}

    def add(self, name: str, key: str, **params) -> None:
        self.errors.setdefault(name, (key, params))

    def raise_if_any(self) -> None:
        if self.errors:
            raise self


class InvalidState(PortalError):
    """The row is not in a state that allows this action."""


class DatabaseError(PortalError):
    """The database file cannot be opened, written or migrated."""
