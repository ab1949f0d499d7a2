"""Request validation driven by botocore's service models, with AWS's own error texts.

AWS's Coral front end checks a request in two phases before the operation runs:

1. deserialization: a member of the wrong JSON type stops the request with
   `SerializationException` and the JSON reader's text (`NUMBER_VALUE cannot be converted to
   String`, `Unexpected field type`, ...); see `validate_types`.
2. validation: every constraint of the model (required, length, value range, pattern, enum) is
   checked and the failures reported together, `2 validation errors detected: Value ... at
   'tableName' failed to satisfy constraint: ...; Value null at 'key' ...`; see
   `validate_constraints`.

    validator = ModelValidator(service_model, opaque_shapes=frozenset({"AttributeValue"}))
    validator.validate("GetItem", {"TableName": "t", "Key": {"pk": {"S": "x"}}})

Checkers are compiled per operation on first use and cached; a typical DynamoDB GetItem
validates in a few microseconds. `validate` may rewrite, in place, the few values AWS's reader
accepts leniently (`"true"` for a boolean, `2.5` for an integer), so later code sees model types.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from cloudlet.protocol.errors import AwsError
from cloudlet.protocol.models import ServiceModel, Shape
from cloudlet.protocol.validate_constraints import ConstraintCompiler, Overrides
from cloudlet.protocol.validate_types import NESTING_TOO_DEEP, TypeCompiler, serialization

__all__ = ["CLOUDWATCH_LOGS", "CORAL", "LAMBDA", "ModelValidator", "ValidationFlavour"]


@dataclass(frozen=True, slots=True)
class ValidationFlavour:
    """How a service words its constraint errors; the rule texts themselves are shared."""

    # Error code of constraint failures (CloudWatch Logs answers InvalidParameterException).
    error_code: str = "ValidationException"
    # `Value 'x' at 'p'` (classic Coral) or `Value at 'p'` (AWS's newer validation framework).
    echo_values: bool = True
    # AWS lists at most this many violations; the count in the message is capped too.
    max_errors: int = 10
    # Whether `[...]` summaries for collection members end with "Member must not be null"
    # (Lambda, IAM) or not (DynamoDB); with it, a null list element is a violation.
    summary_not_null: bool = False
    # Java package of generated classes in messages; None: com.amazonaws.<prefix>.v<apiVersion>.
    java_package: str | None = None


CORAL = ValidationFlavour()  # DynamoDB
CLOUDWATCH_LOGS = ValidationFlavour(error_code="InvalidParameterException")
LAMBDA = ValidationFlavour(summary_not_null=True)

_Phase = Callable[[Any], None]


class ModelValidator:
    """Validates request parameters (as decoded from JSON) against a botocore service model."""

    def __init__(
        self,
        service_model: ServiceModel,
        *,
        opaque_shapes: frozenset[str] = frozenset(),
        flavour: ValidationFlavour = CORAL,
        constraint_overrides: Overrides | None = None,
    ) -> None:
        """`opaque_shapes`: shapes whose content is left to the caller (e.g. DynamoDB's
        `AttributeValue`); only their JSON kind (object) is checked. `constraint_overrides`:
        corrections where AWS's internal model differs from botocore's, e.g.
        `{"KeySchema": {"max": 2}, "CreateTableInput.KeySchema": {"required": True}}`."""
        self._model = service_model
        self._flavour = flavour
        package = flavour.java_package or _default_package(service_model)
        self._types = TypeCompiler(package, opaque_shapes)
        self._constraints = ConstraintCompiler(
            package,
            opaque_shapes,
            constraint_overrides or {},
            self._violation,
            flavour.summary_not_null,
        )
        self._compiled: dict[str, tuple[_Phase, _Phase]] = {}

    # -- public API --------------------------------------------------------------------------

    def validate(self, operation_name: str, params: object) -> None:
        """Raise AwsError for the first type error, else for the constraint violations."""
        phases = self._compiled.get(operation_name) or self._compile(operation_name)
        try:
            phases[0](params)
            phases[1](params)
        except RecursionError:
            raise serialization(NESTING_TOO_DEEP) from None

    def check_types(self, operation_name: str, params: object) -> None:
        """Phase 1 only: SerializationException for a member of the wrong JSON type."""
        phases = self._compiled.get(operation_name) or self._compile(operation_name)
        try:
            phases[0](params)
        except RecursionError:
            raise serialization(NESTING_TOO_DEEP) from None

    def check_constraints(self, operation_name: str, params: object) -> None:
        """Phase 2 only (params must have passed phase 1): the constraint violations."""
        phases = self._compiled.get(operation_name) or self._compile(operation_name)
        try:
            phases[1](params)
        except RecursionError:
            raise serialization(NESTING_TOO_DEEP) from None

    def violations(self, operation_name: str, params: Mapping[str, Any]) -> list[str]:
        """Phase 2's violation texts, uncapped, for callers that merge in their own checks."""
        shape = self._model.operation_model(operation_name).input_shape
        if shape is None:
            return []
        check = self._constraints.checker(shape)
        errors: list[str] = []
        if check is not None and isinstance(params, dict):
            check(params, "", errors)
        return errors

    def message(self, errors: list[str]) -> AwsError:
        """The AwsError AWS answers for these violation texts (capped, counted, joined)."""
        shown = errors[: self._flavour.max_errors]
        count = len(shown)
        plural = "" if count == 1 else "s"
        text = f"{count} validation error{plural} detected: " + "; ".join(shown)
        return AwsError(self._flavour.error_code, text)

    # -- compilation -------------------------------------------------------------------------

    def _violation(self, echoed: str | None, path: str, rule: str) -> str:
        if not self._flavour.echo_values:
            return f"Value at '{path}' failed to satisfy constraint: {rule}"
        value = "null" if echoed is None else f"'{echoed}'"
        return f"Value {value} at '{path}' failed to satisfy constraint: {rule}"

    def _compile(self, operation_name: str) -> tuple[_Phase, _Phase]:
        shape = self._model.operation_model(operation_name).input_shape
        phases = self._phases(shape)
        self._compiled[operation_name] = phases
        return phases

    def _phases(self, shape: Shape | None) -> tuple[_Phase, _Phase]:
        if shape is None:  # an operation without input: nothing to check
            return _nothing, _nothing
        check_body = self._types.checker(shape, False)
        check_members = self._constraints.checker(shape)
        message = self.message

        def types(params: Any) -> None:
            if params is not None:
                check_body(params)

        def constraints(params: Any) -> None:
            if check_members is None:
                return
            errors: list[str] = []
            check_members({} if params is None else params, "", errors)
            if errors:
                raise message(errors)

        return types, constraints


def _nothing(params: Any) -> None:
    return None


def _default_package(model: ServiceModel) -> str:
    prefix = model.metadata.get("endpointPrefix") or model.service_name
    version = str(model.metadata.get("apiVersion", "")).replace("-", "")
    return f"com.amazonaws.{prefix}.v{version}"
