"""Reading a Lambda proxy integration's result.

https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html#api-gateway-simple-proxy-for-lambda-output-format
"""

from __future__ import annotations

import pytest

from cloudlet.services.apigateway.execute.proxy import MalformedResult, parse_result


def test_full_result() -> None:
    r = parse_result(b'{"statusCode": 201, "headers": {"A": "1", "B": 2}, "multiValueHeaders": {"A": ["x", "y"]},'
                     b' "body": "hi", "isBase64Encoded": false}')
    assert r.status == 201 and r.body == b"hi" and not r.is_base64
    # multiValueHeaders win for a name both carry
    assert r.headers == [("A", "x"), ("A", "y"), ("B", "2")]


def test_minimal_result() -> None:
    r = parse_result(b'{"statusCode": 200}')
    assert r.status == 200 and r.body == b"" and r.headers == []


@pytest.mark.parametrize("payload", [
    b'"just a string"', b"not json", b'{"body": "no status"}', b'{"statusCode": 200, "body": {"a": 1}}',
    b'{"statusCode": 200, "extra": 1}', b'{"statusCode": "abc"}', b'{"statusCode": 200, "headers": []}',
    b'{"statusCode": 200, "multiValueHeaders": {"A": "x"}}',
])
def test_malformed(payload: bytes) -> None:
    with pytest.raises(MalformedResult):
        parse_result(payload)
