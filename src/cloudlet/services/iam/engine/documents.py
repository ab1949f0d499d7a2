"""Policy documents: checked as IAM checks their grammar, stored as sent, returned URL-encoded.

IAM returns documents URL-encoded (RFC 3986) in its XML answers; SDKs decode them.
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetRolePolicy.html
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from cloudlet.services.iam.engine import errors

MAX_ROLE_TRUST = 2048  # characters of an assume-role policy (default quota)
MAX_INLINE = 10240  # aggregate inline policy size of a role
MAX_MANAGED = 6144  # characters of a managed policy version
_STATEMENT_KEYS = frozenset(("Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource",
                             "NotResource", "Condition"))


def check(text: str, *, trust: bool = False) -> dict[str, Any]:
    """Parse and check a policy document; MalformedPolicyDocument if IAM would refuse it."""
    try:
        doc = json.loads(text)
    except ValueError:
        raise errors.malformed("This policy contains invalid Json") from None
    if not isinstance(doc, dict):
        raise errors.malformed("Syntax errors in policy.")
    version = doc.get("Version")
    if version is not None and version not in ("2012-10-17", "2008-10-17"):
        raise errors.malformed("The policy must contain a valid version string")
    statements = doc.get("Statement")
    if statements is None:
        raise errors.malformed("Syntax errors in policy.")
    for st in statements if isinstance(statements, list) else [statements]:
        if not isinstance(st, dict) or not _STATEMENT_KEYS.issuperset(st):
            raise errors.malformed("Syntax errors in policy.")
        if st.get("Effect") not in ("Allow", "Deny"):
            raise errors.malformed("Syntax errors in policy.")
        if "Action" not in st and "NotAction" not in st:
            raise errors.malformed("Policy statement must contain actions.")
        if trust:
            if "Principal" not in st and "NotPrincipal" not in st:
                raise errors.malformed("AssumeRolepolicy contained an invalid principal: Principal missing.")
        elif "Principal" in st or "NotPrincipal" in st:
            raise errors.malformed("Policy document should not specify a principal.")
        elif "Resource" not in st and "NotResource" not in st:
            raise errors.malformed("Policy statement must contain resources.")
    return doc


def encoded(text: str) -> str:
    """A document as IAM's XML answers carry it."""
    return quote(text, safe="")
