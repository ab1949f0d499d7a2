"""Security schemes -> authorizers, and what each scheme means to a method that lists it.

"x-amazon-apigateway-authorizer object" and "x-amazon-apigateway-authtype property" (API Gateway
extensions to OpenAPI): a scheme carrying the authorizer extension is a Lambda (TOKEN / REQUEST) or
Cognito authorizer; `x-amazon-apigateway-authtype: awsSigv4` is IAM authorization; an apiKey scheme
on the `x-api-key` header is API Gateway's API key.
"""

from __future__ import annotations

from collections.abc import Callable

from .openapi_common import API_KEY_HEADER, SIGV4_AUTHTYPE, X_AUTHORIZER, X_AUTHTYPE, Doc, obj
from .openapi_import_method import SecurityScheme, deref

_AUTHORIZER_TYPES = frozenset({"TOKEN", "REQUEST", "COGNITO_USER_POOLS"})
DEFAULT_TTL = 300  # Authorizer.authorizerResultTtlInSeconds when not given


def read_security_schemes(doc: Doc, oas3: bool, authorizers: dict[str, Doc], new_id: Callable[[int], str],
                          warnings: list[str]) -> dict[str, SecurityScheme]:
    """Adds the document's authorizers to `authorizers` (same name keeps its id); returns scheme name -> meaning."""
    raw = obj(doc.get("components")).get("securitySchemes") if oas3 else doc.get("securityDefinitions")
    by_name = {a["name"]: a for a in authorizers.values()}
    # PutRestApi merge: a method may name an authorizer the document itself does not define.
    schemes = {name: SecurityScheme("authorizer", a["id"], a.get("type")) for name, a in by_name.items()}
    for name, s in (raw.items() if isinstance(raw, dict) else ()):
        s = deref(doc, s)
        s = s if isinstance(s, dict) else {}
        if isinstance(ext := s.get(X_AUTHORIZER), dict):
            authorizer = _authorizer(name, s, ext, by_name.get(name, {}).get("id") or new_id(6), warnings)
            if authorizer is not None:
                old = by_name.get(name)
                if old is not None:
                    authorizers.pop(old["id"], None)
                authorizers[authorizer["id"]] = by_name[name] = authorizer
                schemes[name] = SecurityScheme("authorizer", authorizer["id"], authorizer["type"])
        elif str(s.get(X_AUTHTYPE) or "").lower() == SIGV4_AUTHTYPE.lower():
            schemes[name] = SecurityScheme("sigv4")
        elif _is_api_key_scheme(s):
            schemes[name] = SecurityScheme("api_key")
        else:
            warnings.append(f"Unsupported security definition type '{s.get('type')}' for '{name}'. Ignoring.")
    return schemes


def _is_api_key_scheme(scheme: Doc) -> bool:
    return (scheme.get("type") == "apiKey" and scheme.get("in") == "header"
            and str(scheme.get("name", "")).lower() == API_KEY_HEADER)


def _authorizer(name: str, scheme: Doc, ext: Doc, aid: str, warnings: list[str]) -> Doc | None:
    atype = str(ext.get("type", "")).upper()
    if atype not in _AUTHORIZER_TYPES:
        warnings.append(f"Unsupported authorizer type '{ext.get('type')}' for '{name}'. Ignoring.")
        return None
    cognito = atype == "COGNITO_USER_POOLS"
    authorizer: Doc = {"id": aid, "name": name, "type": atype,
                       "authType": str(scheme.get(X_AUTHTYPE) or ("cognito_user_pools" if cognito else "custom"))}
    for key in ("authorizerUri", "authorizerCredentials", "identityValidationExpression"):
        if ext.get(key):
            authorizer[key] = str(ext[key])
    if isinstance(ext.get("providerARNs"), list):
        authorizer["providerARNs"] = [str(a) for a in ext["providerARNs"]]
    if ext.get("identitySource"):
        authorizer["identitySource"] = str(ext["identitySource"])
    elif atype != "REQUEST":  # the token comes in the header the security scheme names
        authorizer["identitySource"] = f"method.request.header.{scheme.get('name') or 'Authorization'}"
    ttl = ext.get("authorizerResultTtlInSeconds")
    authorizer["authorizerResultTtlInSeconds"] = ttl if isinstance(ttl, int) and not isinstance(ttl, bool) \
        else DEFAULT_TTL
    return authorizer
