"""What an API is made of: the draft the control plane edits, and what a deployment freezes.

Every piece is kept in AWS's own wire shape (the dicts the control plane's Get* operations
return, camelCase keys), so the control plane serves them nearly as stored, OpenAPI import and
export translate them, and the execute-api pipeline reads them without a second vocabulary:

- `api`: the RestApi as GetRestApi returns it (id, name, description, createdDate, version,
  binaryMediaTypes, minimumCompressionSize, apiKeySource, endpointConfiguration, policy,
  disableExecuteApiEndpoint, rootResourceId, tags).
- `resources`: resource id -> Resource as GetResource(embed=["methods"]) returns it:
  {"id", "parentId" (absent on the root), "pathPart" (absent on the root), "path",
   "resourceMethods": {"GET": Method, ...}}.
  Method = GetMethod's output: httpMethod, authorizationType, authorizerId, apiKeyRequired,
  operationName, requestParameters {"method.request.querystring.q": required bool},
  requestModels {"application/json": model name}, requestValidatorId, authorizationScopes,
  methodResponses {"200": MethodResponse}, methodIntegration: Integration.
  MethodResponse = {statusCode, responseParameters {"method.response.header.X": bool}, responseModels}.
  Integration = GetIntegration's output: type, httpMethod, uri, connectionType, connectionId,
  credentials, requestParameters {"integration.request.header.X": "method.request.path.id"},
  requestTemplates {"application/json": "<VTL>"}, passthroughBehavior, contentHandling,
  timeoutInMillis, cacheNamespace, cacheKeyParameters, tlsConfig,
  integrationResponses {"200": IntegrationResponse}.
  IntegrationResponse = {statusCode, selectionPattern, responseParameters, responseTemplates, contentHandling}.
- `models`: model name -> Model {id, name, description, schema (a JSON string), contentType}.
- `request_validators`: id -> RequestValidator {id, name, validateRequestBody, validateRequestParameters}.
- `gateway_responses`: responseType -> GatewayResponse the user put {responseType, statusCode,
  responseParameters, responseTemplates, defaultResponse: False}; AWS's defaults are not stored.
- `authorizers`: id -> Authorizer (GetAuthorizer's output).

A Stage is kept as GetStage returns it (stageName, deploymentId, description, variables,
methodSettings {"*/*": MethodSetting}, accessLogSettings {format, destinationArn},
tracingEnabled, cacheClusterEnabled, cacheClusterSize, cacheClusterStatus, createdDate,
lastUpdatedDate, tags).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

Doc = dict[str, Any]


@dataclass
class ApiDefinition:
    api: Doc
    resources: dict[str, Doc] = field(default_factory=dict)
    models: dict[str, Doc] = field(default_factory=dict)
    request_validators: dict[str, Doc] = field(default_factory=dict)
    gateway_responses: dict[str, Doc] = field(default_factory=dict)
    authorizers: dict[str, Doc] = field(default_factory=dict)

    def frozen(self) -> ApiDefinition:
        """A deep copy: what CreateDeployment keeps (later draft edits do not reach it)."""
        return copy.deepcopy(self)

    def to_doc(self) -> Doc:
        return {
            "api": self.api,
            "resources": self.resources,
            "models": self.models,
            "request_validators": self.request_validators,
            "gateway_responses": self.gateway_responses,
            "authorizers": self.authorizers,
        }

    @classmethod
    def from_doc(cls, d: Doc) -> ApiDefinition:
        return cls(d["api"], d.get("resources", {}), d.get("models", {}), d.get("request_validators", {}),
                   d.get("gateway_responses", {}), d.get("authorizers", {}))

    def root_id(self) -> str:
        return self.api["rootResourceId"]


@dataclass
class Deployed:
    """What the execute-api plane serves for one (API, stage): the stage and its deployment's definition."""

    api_id: str
    account: str
    region: str
    stage: Doc
    deployment_id: str
    definition: ApiDefinition
    # The pipeline's compiled form of `definition` (routes, cached templates); set on first use.
    compiled: Any = None
