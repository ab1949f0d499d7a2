"""The one error type clients see. Engines raise it; the protocol layer renders it.

`code` is AWS's error code (the JSON `__type` suffix, the XML `<Code>`), `message` AWS's text.
"""

from __future__ import annotations

from typing import Any


class AwsError(Exception):
    __slots__ = ("code", "extra", "message", "status")

    def __init__(
        self, code: str, message: str, status: int = 400, extra: dict[str, Any] | None = None
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        # Extra members of the error body (e.g. DynamoDB's `Item` on a failed condition).
        self.extra = extra

    @property
    def sender_fault(self) -> bool:
        return self.status < 500


def internal_error(message: str = "Internal server error") -> AwsError:
    return AwsError("InternalServerError", message, 500)
