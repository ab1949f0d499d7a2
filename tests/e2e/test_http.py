"""HTTP/1.1 behaviour of the server (RFC 9112): keep-alive, pipelining, chunked bodies,
100-continue, HEAD, malformed requests, body limits, and the ASGI alternative."""

from __future__ import annotations

import json
import socket

import boto3
import pytest

from conftest import BOTO_CONFIG
from server import start

LIST = b'{}'
TARGET = b"X-Amz-Target: DynamoDB_20120810.ListTables\r\nContent-Type: application/x-amz-json-1.0\r\n"


def connect(endpoint: str) -> socket.socket:
    host, port = endpoint.split("//")[1].split(":")
    s = socket.create_connection((host, int(port)), timeout=10)
    return s


def read_response(s: socket.socket, buf: bytearray) -> tuple[int, dict[str, str], bytes]:
    while b"\r\n\r\n" not in buf:
        chunk = s.recv(65536)
        if not chunk:
            raise ConnectionError("closed")
        buf += chunk
    head, _, rest = bytes(buf).partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
    n = int(headers.get("content-length", "0"))
    while len(rest) < n:
        chunk = s.recv(65536)
        if not chunk:
            raise ConnectionError("closed")
        rest += chunk
    del buf[:]
    buf += rest[n:]
    return status, headers, rest[:n]


def post(body: bytes, extra: bytes = b"") -> bytes:
    return b"POST / HTTP/1.1\r\nHost: x\r\n" + TARGET + extra + b"Content-Length: %d\r\n\r\n" % len(body) + body


def test_keep_alive_and_pipelining(endpoint: str) -> None:
    s = connect(endpoint)
    buf = bytearray()
    s.sendall(post(LIST) * 5)  # five requests in one write: five answers, in order
    for _ in range(5):
        status, headers, body = read_response(s, buf)
        assert status == 200 and "TableNames" in json.loads(body)
        assert "date" in headers
    s.sendall(post(LIST))
    assert read_response(s, buf)[0] == 200
    s.close()


def test_many_pipelined_requests_are_all_answered_in_order(endpoint: str) -> None:
    # More than the server serves at once per connection: it pauses reading, then goes on.
    s = connect(endpoint)
    buf = bytearray()
    describe = TARGET.replace(b"ListTables", b"DescribeTable")
    reqs = [
        b"POST / HTTP/1.1\r\nHost: x\r\n" + describe + b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
        for body in (b'{"TableName":"missing-%03d"}' % i for i in range(200))
    ]
    s.sendall(b"".join(reqs))
    for i in range(200):
        status, _, body = read_response(s, buf)
        assert status == 400
        assert json.loads(body)["message"] == f"Requested resource not found: Table: missing-{i:03d} not found"
    s.close()


def test_chunked_request_body(endpoint: str) -> None:
    s = connect(endpoint)
    req = (b"POST / HTTP/1.1\r\nHost: x\r\n" + TARGET + b"Transfer-Encoding: chunked\r\n\r\n"
           b"1\r\n{\r\n1\r\n}\r\n0\r\n\r\n")
    s.sendall(req)
    status, _, body = read_response(s, bytearray())
    assert status == 200 and "TableNames" in json.loads(body)
    s.close()


def test_expect_100_continue(endpoint: str) -> None:
    s = connect(endpoint)
    s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\n" + TARGET + b"Expect: 100-continue\r\nContent-Length: 2\r\n\r\n")
    buf = bytearray()
    while b"\r\n\r\n" not in buf:
        buf += s.recv(1024)
    assert buf.startswith(b"HTTP/1.1 100 Continue\r\n\r\n")
    del buf[: len(b"HTTP/1.1 100 Continue\r\n\r\n")]
    s.sendall(LIST)
    assert read_response(s, buf)[0] == 200
    s.close()


def test_head_has_no_body(endpoint: str) -> None:
    s = connect(endpoint)
    s.sendall(b"HEAD /_cloudlet/health HTTP/1.1\r\nHost: x\r\n\r\nGET /_cloudlet/health HTTP/1.1\r\nHost: x\r\n\r\n")
    data = b""
    while data.count(b"HTTP/1.1 200") < 2 or not data.rstrip().endswith(b"}"):
        data += s.recv(65536)
    first, _, second = data.partition(b"HTTP/1.1 200 OK", )[2].partition(b"HTTP/1.1 200 OK")
    assert first.endswith(b"\r\n\r\n")  # HEAD: headers only, then the next response
    assert b"services" in second
    s.close()


def test_connection_close_is_honoured(endpoint: str) -> None:
    s = connect(endpoint)
    s.sendall(post(LIST, b"Connection: close\r\n"))
    status, headers, _ = read_response(s, bytearray())
    assert status == 200 and headers.get("connection") == "close"
    assert s.recv(10) == b""  # server closed
    s.close()


def test_malformed_request_gets_400_and_close(endpoint: str) -> None:
    s = connect(endpoint)
    s.sendall(b"THIS IS NOT HTTP\r\n\r\n")
    status, headers, _ = read_response(s, bytearray())
    assert status == 400 and headers.get("connection") == "close"
    s.close()


def test_oversized_body_is_refused(endpoint: str) -> None:
    s = connect(endpoint)
    size = 73 * 1024 * 1024  # over the server's 72 MiB request limit (http11.MAX_BODY)
    s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\n" + TARGET + b"Content-Length: %d\r\n\r\n" % size)
    chunk = b" " * 65536
    try:
        for _ in range(size // len(chunk)):
            s.sendall(chunk)
    except OSError:
        pass
    status, _, _ = read_response(s, bytearray())
    assert status == 413
    s.close()


def test_percent_encoded_path(endpoint: str) -> None:
    s = connect(endpoint)
    s.sendall(b"GET /_cloudlet/%68ealth HTTP/1.1\r\nHost: x\r\n\r\n")
    status, _, body = read_response(s, bytearray())
    assert status == 200 and b"services" in body
    s.close()


@pytest.mark.parametrize("http", ["asgi"])
def test_asgi_server_serves_the_same_app(tmp_path, http: str) -> None:  # type: ignore[no-untyped-def]
    srv = start(str(tmp_path), extra=("--http", http))
    try:
        ddb = boto3.client("dynamodb", endpoint_url=srv.url, region_name="us-east-1", config=BOTO_CONFIG)
        ddb.create_table(TableName="asgi-t", BillingMode="PAY_PER_REQUEST",
                         KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
        ddb.put_item(TableName="asgi-t", Item={"pk": {"S": "a"}})
        assert ddb.get_item(TableName="asgi-t", Key={"pk": {"S": "a"}})["Item"] == {"pk": {"S": "a"}}
    finally:
        assert srv.stop() == 0


def test_second_server_on_same_data_dir_is_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    first = start(str(tmp_path))
    try:
        with pytest.raises(RuntimeError, match="exited"):
            start(str(tmp_path), timeout=10)
        log = "".join(p.read_text() for p in tmp_path.glob("server-*.log"))
        assert "in use by another cloudlet server" in log
    finally:
        first.stop()
