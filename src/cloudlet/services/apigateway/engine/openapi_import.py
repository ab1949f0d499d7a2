"""ImportRestApi / PutRestApi: an OpenAPI 3.0 or Swagger 2.0 document -> an ApiDefinition.

Pure: no storage, no HTTP. Follows AWS's "Import a REST API into API Gateway" (ImportRestApi,
PutRestApi mode=overwrite|merge, failonwarnings, parameters basepath=ignore|prepend|split and
endpointConfigurationTypes), "Set the OpenAPI basePath property", "Errors and warnings from importing
your API" and "API Gateway extensions to OpenAPI".
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from .definition import ApiDefinition
from .openapi_common import (
    HTTP_METHODS,
    X_ANY_METHOD,
    X_API_KEY_SOURCE,
    X_BINARY_MEDIA_TYPES,
    X_ENDPOINT_CONFIGURATION,
    X_GATEWAY_RESPONSES,
    X_IGNORED,
    X_MINIMUM_COMPRESSION_SIZE,
    X_POLICY,
    X_REQUEST_VALIDATOR,
    X_REQUEST_VALIDATORS,
    Doc,
    arr,
    aws_model_url,
    bad_request,
    bind_api_id,
    invalid_input,
    is_extension,
    map_refs,
    model_name_of,
    obj,
    parse_document,
)
from .openapi_import_method import OperationScope, deref, read_method
from .openapi_import_security import read_security_schemes

__all__ = ["bind_api_id", "import_definition"]

_TOP_LEVEL_EXTENSIONS = frozenset({
    X_BINARY_MEDIA_TYPES, X_API_KEY_SOURCE, X_POLICY, X_ENDPOINT_CONFIGURATION, X_MINIMUM_COMPRESSION_SIZE,
    X_GATEWAY_RESPONSES, X_REQUEST_VALIDATORS, X_REQUEST_VALIDATOR,
})
_SEGMENT_RE = re.compile(r"[A-Za-z0-9._-]+|\{[A-Za-z0-9._-]+\+?\}")
_SEGMENT_RULE = ("Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end "
                 "and an optional plus sign before the closing brace.")
_MODEL_NAME_RE = re.compile(r"[A-Za-z0-9]+")
_ENDPOINT_TYPES = frozenset({"EDGE", "REGIONAL", "PRIVATE"})
_GATEWAY_RESPONSE_TYPES = frozenset({
    "DEFAULT_4XX", "DEFAULT_5XX", "RESOURCE_NOT_FOUND", "UNAUTHORIZED", "INVALID_API_KEY", "ACCESS_DENIED",
    "AUTHORIZER_FAILURE", "AUTHORIZER_CONFIGURATION_ERROR", "INVALID_SIGNATURE", "EXPIRED_TOKEN",
    "MISSING_AUTHENTICATION_TOKEN", "INTEGRATION_FAILURE", "INTEGRATION_TIMEOUT", "API_CONFIGURATION_ERROR",
    "UNSUPPORTED_MEDIA_TYPE", "BAD_REQUEST_PARAMETERS", "BAD_REQUEST_BODY", "REQUEST_TOO_LARGE", "THROTTLED",
    "QUOTA_EXCEEDED", "WAF_FILTERED",
})


def import_definition(body: bytes, *, definition: ApiDefinition | None, mode: str, fail_on_warnings: bool,
                      parameters: dict[str, str], new_id: Callable[[int], str]) -> tuple[ApiDefinition, list[str]]:
    """The document in `body` as a new API (definition None) or applied to `definition` (PutRestApi).

    The returned definition is a new object; `definition` is not changed. For a new API the caller
    fills api id/createdDate/tags and then calls `bind_api_id` (model `$ref`s name the API's id).
    """
    doc = parse_document(body)
    oas3 = _is_oas3(doc)
    if definition is None:
        mode = "import"
    elif (mode or "merge") not in ("merge", "overwrite"):
        raise bad_request(f"Invalid mode: {mode}. Valid values are merge, overwrite.")
    importer = _Importer(doc, oas3, definition, mode or "merge", parameters or {}, new_id)
    result = importer.run()
    if fail_on_warnings and importer.warnings:
        raise bad_request("Warnings found during import:\n\t" + "\n\t".join(importer.warnings))
    return result, importer.warnings


def _is_oas3(doc: Doc) -> bool:
    """OpenAPI 3.0.x or Swagger 2.0; AWS answers anything else (3.1 included) with Invalid OpenAPI input."""
    if "openapi" in doc:
        if str(doc["openapi"]).startswith("3.0"):
            return True
        raise invalid_input()
    if str(doc.get("swagger", "")) == "2.0":
        return False
    raise invalid_input()


class _Importer:
    def __init__(self, doc: Doc, oas3: bool, existing: ApiDefinition | None, mode: str,
                 parameters: dict[str, str], new_id: Callable[[int], str]) -> None:
        self.doc, self.oas3, self.existing, self.mode, self.new_id = doc, oas3, existing, mode, new_id
        self.warnings: list[str] = []
        self.errors: list[str] = []
        self.basepath = parameters.get("basepath", "ignore") or "ignore"
        if self.basepath not in ("ignore", "prepend", "split"):
            raise bad_request(f"Invalid basepath parameter: {self.basepath}. Valid values are ignore, prepend, split.")
        self.endpoint_type = parameters.get("endpointConfigurationTypes")
        if self.endpoint_type is not None and self.endpoint_type not in _ENDPOINT_TYPES:
            raise bad_request(f"Invalid endpointConfigurationTypes parameter: {self.endpoint_type}. "
                              "Valid values are EDGE, REGIONAL, PRIVATE.")
        self.result = self._start()
        self.children: dict[tuple[str | None, str | None], str] = {}  # (parent id, path part) -> resource id
        self.model_url = aws_model_url(existing.api.get("id") if existing else None)
        self.scope = OperationScope(doc, oas3, self.warnings, self._model_for)

    # --- the skeleton each mode starts from -------------------------------------------------------

    def _start(self) -> ApiDefinition:
        if self.existing is None:
            root = self.new_id(10)
            return ApiDefinition({"rootResourceId": root}, {root: {"id": root, "path": "/", "resourceMethods": {}}})
        if self.mode == "merge":
            return self.existing.frozen()
        root = self.existing.root_id()  # overwrite: the API and its root stay, everything under it goes
        return ApiDefinition(copy.deepcopy(self.existing.api), {root: {"id": root, "path": "/", "resourceMethods": {}}})

    def run(self) -> ApiDefinition:
        if not isinstance(self.doc.get("info") or {}, dict) or not isinstance(self.doc.get("paths") or {}, dict):
            raise invalid_input()
        self._api_properties()
        self._models()
        self._validators()
        self._security_schemes()
        self._gateway_responses()
        for key in self.doc:
            if is_extension(key) and key not in _TOP_LEVEL_EXTENSIONS and key not in X_IGNORED:
                self.warnings.append(f"Parse issue: attribute {key} is not supported. Ignoring.")
        self._paths()
        if self.errors:
            raise bad_request("Errors found during import:\n\t" + "\n\t".join(self.errors))
        for resource in self.result.resources.values():  # GetResource shows no resourceMethods when none
            if not resource.get("resourceMethods"):
                resource.pop("resourceMethods", None)
        return self.result

    # --- the RestApi -------------------------------------------------------------------------------

    def _api_properties(self) -> None:
        api, doc, info = self.result.api, self.doc, self.doc.get("info") or {}
        if info.get("title"):
            api["name"] = str(info["title"])
        elif self.existing is None:
            raise bad_request("Errors found during import:\n\tParse issue: attribute info.title is missing")
        self._put("description", _text(info.get("description")))
        self._put("version", _text(info.get("version")))
        types = doc.get(X_BINARY_MEDIA_TYPES)
        if types is not None and not isinstance(types, list):
            self.warnings.append(f"Parse issue: attribute {X_BINARY_MEDIA_TYPES} must be a list. Ignoring.")
            types = None
        if types is not None and self.mode == "merge":
            types = list(dict.fromkeys([*api.get("binaryMediaTypes", []), *map(str, types)]))
        self._put("binaryMediaTypes", [str(t) for t in types] if types else None)
        source = doc.get(X_API_KEY_SOURCE)
        if source is not None and str(source).upper() not in ("HEADER", "AUTHORIZER"):
            self.warnings.append(f"Parse issue: attribute {X_API_KEY_SOURCE} '{source}' is not HEADER or AUTHORIZER")
            source = None
        self._put("apiKeySource", str(source).upper() if source is not None else None, "HEADER")
        policy = doc.get(X_POLICY)
        self._put("policy", policy if isinstance(policy, str) or policy is None
                  else json.dumps(policy, separators=(",", ":")))
        size = doc.get(X_MINIMUM_COMPRESSION_SIZE)
        if size is not None and (isinstance(size, bool) or not isinstance(size, int) or not 0 <= size <= 10485760):
            self.warnings.append(f"Parse issue: attribute {X_MINIMUM_COMPRESSION_SIZE} must be an integer "
                                 "between 0 and 10485760. Ignoring.")
            size = None
        self._put("minimumCompressionSize", size)
        self._endpoint_configuration()

    def _put(self, key: str, value: Any, default: Any = None) -> None:
        """The document's value; where it has none, overwrite/import drop (or default) it and merge keeps it."""
        if value is not None:
            self.result.api[key] = value
        elif self.mode != "merge":
            if default is None:
                self.result.api.pop(key, None)
            else:
                self.result.api[key] = default

    def _endpoint_configuration(self) -> None:
        api = self.result.api
        config = dict(api.get("endpointConfiguration") or {"types": ["EDGE"], "ipAddressType": "ipv4"})
        if self.endpoint_type:
            config["types"] = [self.endpoint_type]
        # Swagger 2 keeps the extension at the top level, OpenAPI 3 on a Server object.
        ext = self.doc.get(X_ENDPOINT_CONFIGURATION)
        for server in arr(self.doc.get("servers")) if self.oas3 else []:
            if ext is None and isinstance(server, dict):
                ext = server.get(X_ENDPOINT_CONFIGURATION)
        if isinstance(ext, dict):
            if isinstance(ext.get("types"), list) and not self.endpoint_type:
                config["types"] = [str(t).upper() for t in ext["types"]]
            if isinstance(ext.get("vpcEndpointIds"), list):
                config["vpcEndpointIds"] = [str(v) for v in ext["vpcEndpointIds"]]
            if "disableExecuteApiEndpoint" in ext:
                api["disableExecuteApiEndpoint"] = bool(ext["disableExecuteApiEndpoint"])
        api["endpointConfiguration"] = config
        api.setdefault("disableExecuteApiEndpoint", False)

    # --- models, validators, authorizers, gateway responses ----------------------------------------

    def _models(self) -> None:
        schemas = obj(self.doc.get("components")).get("schemas") if self.oas3 else self.doc.get("definitions")
        if not isinstance(schemas, dict):
            return
        models = self.result.models
        accepted = {}
        for name, schema in schemas.items():
            if not _MODEL_NAME_RE.fullmatch(name):
                self.warnings.append(f"Unable to create model '{name}': Model name must be alphanumeric. Ignoring.")
            elif not isinstance(schema, dict):
                self.warnings.append(f"Parse issue: attribute schemas.{name} is not a schema. Ignoring.")
            else:
                accepted[name] = schema
        known = set(models) | set(accepted)
        for name, schema in accepted.items():
            old = models.get(name, {})
            models[name] = {"id": old.get("id") or self.new_id(6), "name": name, "contentType": "application/json",
                            "schema": json.dumps(self._aws_refs(schema, known, f"schemas.{name}"))}
            if old.get("description"):
                models[name]["description"] = old["description"]

    def _aws_refs(self, schema: Any, known: set[str], where: str) -> Any:
        def to(name: str) -> str | None:
            if name in known:
                return self.model_url(name)
            self.warnings.append(f"Parse issue: attribute {where} refers to the undefined model {name}")
            return None
        return map_refs(schema, to)

    def _model_for(self, schema: Any, where: str) -> str | None:
        """A method's request or response schema -> a model name; an inline schema becomes a model."""
        if not isinstance(schema, dict) or not schema:
            return None
        if "$ref" in schema:
            name = model_name_of(schema["$ref"])
            if name is not None and name in self.result.models:
                return name
            self.warnings.append(f"Parse issue: attribute {where}.{schema['$ref']} is missing")
            return None
        name = "Model" + self.new_id(6)
        self.result.models[name] = {"id": self.new_id(6), "name": name, "contentType": "application/json",
                                    "schema": json.dumps(self._aws_refs(schema, set(self.result.models), where))}
        return name

    def _validators(self) -> None:
        validators = self.result.request_validators
        by_name = {v["name"]: v for v in validators.values()}
        defs = self.doc.get(X_REQUEST_VALIDATORS)
        for name, v in (defs.items() if isinstance(defs, dict) else ()):
            v = v if isinstance(v, dict) else {}
            vid = by_name[name]["id"] if name in by_name else self.new_id(6)
            validators[vid] = by_name[name] = {
                "id": vid, "name": name, "validateRequestBody": bool(v.get("validateRequestBody", False)),
                "validateRequestParameters": bool(v.get("validateRequestParameters", False))}
        self.scope.validator_ids = {name: v["id"] for name, v in by_name.items()}
        default = self.doc.get(X_REQUEST_VALIDATOR)
        self.scope.default_validator = str(default) if default else None

    def _security_schemes(self) -> None:
        self.scope.schemes = read_security_schemes(self.doc, self.oas3, self.result.authorizers, self.new_id,
                                                   self.warnings)
        security = self.doc.get("security")
        self.scope.default_security = security if isinstance(security, list) else None

    def _gateway_responses(self) -> None:
        defs = self.doc.get(X_GATEWAY_RESPONSES)
        for rtype, gr in (defs.items() if isinstance(defs, dict) else ()):
            if rtype not in _GATEWAY_RESPONSE_TYPES or not isinstance(gr, dict):
                self.warnings.append(f"Parse issue: attribute {X_GATEWAY_RESPONSES}.{rtype} is not a valid "
                                     "gateway response type. Ignoring.")
                continue
            out: Doc = {"responseType": rtype, "defaultResponse": False}
            if gr.get("statusCode") not in (None, ""):
                out["statusCode"] = str(gr["statusCode"])
            for key in ("responseParameters", "responseTemplates"):
                if isinstance(gr.get(key), dict):
                    out[key] = {str(k): str(v) for k, v in gr[key].items()}
            self.result.gateway_responses[rtype] = out

    # --- paths -> resources and methods ------------------------------------------------------------

    def _paths(self) -> None:
        prefix = self._base_path_segments()
        resources = self.result.resources
        self.children.update({(r.get("parentId"), r.get("pathPart")): rid for rid, r in resources.items()})
        for path, item in (self.doc.get("paths") or {}).items():
            if is_extension(path):
                continue
            item = deref(self.doc, item)
            if not isinstance(item, dict):
                continue
            if not path.startswith("/"):
                self.warnings.append(f"Parse issue: attribute paths.Resource {path} should start with /")
                continue
            segments = [s for s in path.split("/") if s]
            if any(not _SEGMENT_RE.fullmatch(s) for s in segments):
                self.warnings.append(f"Unable to create resource at path '{path}': {_SEGMENT_RULE} Ignoring.")
                continue
            rid = self._ensure(prefix + segments, path)
            if rid is None:
                continue
            shared = item.get("parameters") if isinstance(item.get("parameters"), list) else []
            for key, op in item.items():
                verb = "ANY" if key == X_ANY_METHOD else key.upper() if key in HTTP_METHODS else None
                if verb is None:
                    if key == "trace" or (is_extension(key) and key not in X_IGNORED):
                        self.warnings.append(f"Parse issue: attribute paths.'{path}'.{key} is not supported. Ignoring.")
                    continue
                if isinstance(op, dict):
                    methods = resources[rid].setdefault("resourceMethods", {})
                    methods[verb] = read_method(self.scope, verb, op, shared, path, rid)

    def _ensure(self, segments: list[str], path: str) -> str | None:
        """The resource at `segments`, created with its missing ancestors."""
        resources = self.result.resources
        current = self.result.root_id()
        for seg in segments:
            parent = resources[current]
            if parent.get("pathPart", "").endswith("+}"):
                self.errors.append(f"Unable to create resource at path '{path}': Cannot create a child of a resource "
                                   f"with a greedy path variable: {parent['pathPart']}")
                return None
            rid = self.children.get((current, seg))
            if rid is None:
                if seg.startswith("{"):
                    sibling = next((part for (pid, part), _ in self.children.items()
                                    if pid == current and part and part.startswith("{")), None)
                    if sibling is not None:
                        self.errors.append(f"Unable to create resource at path '{path}': A sibling ({sibling}) of this "
                                           "resource already has a variable path part -- only one is allowed")
                        return None
                rid = self.new_id(6)
                resources[rid] = {"id": rid, "parentId": current, "pathPart": seg,
                                  "path": parent["path"].rstrip("/") + "/" + seg, "resourceMethods": {}}
                self.children[(current, seg)] = rid
            resources[rid].setdefault("resourceMethods", {})
            current = rid
        return current

    def _base_path_segments(self) -> list[str]:
        if self.basepath == "ignore":
            return []
        segments = [s for s in self._doc_base_path().split("/") if s]
        if any(not _SEGMENT_RE.fullmatch(s) for s in segments):
            self.warnings.append(f"Unable to use the base path: {_SEGMENT_RULE} Ignoring.")
            return []
        # split: the first part is what a base path mapping (or the stage) serves; the rest are resources.
        return segments[1:] if self.basepath == "split" else segments

    def _doc_base_path(self) -> str:
        if not self.oas3:
            return str(self.doc.get("basePath") or "")
        servers = [s for s in arr(self.doc.get("servers")) if isinstance(s, dict)]
        for server in servers:
            variables = server.get("variables")
            if isinstance(variables, dict) and isinstance(variables.get("basePath"), dict):
                return str(variables["basePath"].get("default") or "")
        if not servers:
            return ""
        url = str(servers[0].get("url") or "")
        variables = servers[0].get("variables") if isinstance(servers[0].get("variables"), dict) else {}
        for var, spec in variables.items():
            url = url.replace("{" + var + "}", str(spec.get("default", "")) if isinstance(spec, dict) else "")
        return urlsplit(url).path if "://" in url else url if url.startswith("/") else ""


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
