"""The product's error types. Every face turns these into one clear message (CLI line, HTTP 4xx, UI notice)."""

from __future__ import annotations


class CoachError(Exception):
    """Base class: a problem the user can understand and fix. `status` is the HTTP status a face should use."""

    status: int = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class BadInput(CoachError):
    """The input is empty, malformed, too large, binary or of the wrong type."""

    status = 422


class NotFound(CoachError):
    """An id, role, credential or file that does not exist."""

    status = 404


class IndexMissing(CoachError):
    """The knowledge-base index has not been built yet."""

    status = 503


class CatalogError(CoachError):
    """A bring-your-own catalogue file has problems (each bad row is listed)."""

    status = 422


class Forbidden(CoachError):
    """The signed-in user may not do this."""

    status = 403


class Conflict(CoachError):
    """The request conflicts with the current state (e.g. reviewing a pathway that is not pending)."""

    status = 409
