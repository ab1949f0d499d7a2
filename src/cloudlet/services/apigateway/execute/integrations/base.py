"""What an integration is given and what it answers, whatever its type."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class EndpointRequest:
    """The integration request after parameter mapping and the request template."""

    uri: str  # with stage variables and `{path}` parameters filled in
    method: str  # the integration's httpMethod
    headers: dict[str, str] = field(default_factory=dict)
    query: dict[str, list[str]] = field(default_factory=dict)
    body: bytes = b""
    credentials: str | None = None  # the role API Gateway assumes (AWS integrations)


@dataclass(slots=True)
class EndpointResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    # A Lambda function's errorMessage, which integration responses' selectionPattern is matched
    # against (AWS integrations to Lambda); None for a success and for other integrations.
    error_message: str | None = None
    function_error: bool = False


class IntegrationFailure(Exception):
    """The integration could not be called (missing function, unreachable host, no permission):
    the method answers a 5xx gateway response and the execution log says `log_line`."""

    def __init__(self, log_line: str, response_type: str = "API_CONFIGURATION_ERROR", status: int = 500) -> None:
        super().__init__(log_line)
        self.log_line = log_line
        self.response_type = response_type
        self.status = status
