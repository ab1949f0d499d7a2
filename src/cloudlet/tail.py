"""`cloudlet logs tail <group> [--follow]`: print a log group's events like `aws logs tail`.

A client of a running cloudlet (FilterLogEvents over HTTP, stdlib only). Lines look like
`aws logs tail`'s: `<ISO-8601 timestamp> <log stream> <message>`.
https://awscli.amazonaws.com/v2/documentation/api/latest/reference/logs/tail.html
"""

from __future__ import annotations

import http.client
import json
import re
import sys
import time
import urllib.parse
from datetime import UTC, datetime
from typing import Any, TextIO

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_since(text: str, now: float) -> int:
    """`10m`, `2h`, `1d` ... ago, or an ISO-8601 time; returns epoch milliseconds."""
    m = re.fullmatch(r"(\d+)([smhdw])", text.strip())
    if m:
        return int((now - int(m.group(1)) * _UNITS[m.group(2)]) * 1000)
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        raise SystemExit(f"cloudlet: cannot read --since {text!r} (use e.g. 10m, 2h, 1d or an ISO time)") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return int(dt.timestamp() * 1000)


def format_event(event: dict[str, Any]) -> str:
    ts = datetime.fromtimestamp(event["timestamp"] / 1000, UTC).isoformat(timespec="microseconds")
    return f"{ts} {event['logStreamName']} {event['message'].rstrip(chr(10))}"


class LogsClient:
    def __init__(self, endpoint: str, region: str) -> None:
        u = urllib.parse.urlsplit(endpoint)
        self._host, self._port = u.hostname or "127.0.0.1", u.port or 80
        self._auth = (f"AWS4-HMAC-SHA256 Credential=cloudlet/20260101/{region}/logs/aws4_request, "
                      "SignedHeaders=host, Signature=0")

    def call(self, op: str, params: dict[str, Any]) -> dict[str, Any]:
        conn = http.client.HTTPConnection(self._host, self._port, timeout=30)
        try:
            conn.request("POST", "/", body=json.dumps(params), headers={
                "Content-Type": "application/x-amz-json-1.1",
                "X-Amz-Target": f"Logs_20140328.{op}",
                "Authorization": self._auth,
            })
            r = conn.getresponse()
            body = json.loads(r.read() or b"{}")
        finally:
            conn.close()
        if r.status != 200:
            raise SystemExit(f"cloudlet: {body.get('__type', r.status)}: {body.get('message', '')}")
        return body


def tail(
    client: LogsClient, group: str, since_ms: int, follow: bool, pattern: str | None,
    out: TextIO = sys.stdout, poll_s: float = 1.0, max_polls: int | None = None,
) -> None:
    seen: set[str] = set()
    start = since_ms
    polls = 0
    while True:
        params: dict[str, Any] = {"logGroupName": group, "startTime": start}
        if pattern:
            params["filterPattern"] = pattern
        while True:
            page = client.call("FilterLogEvents", params)
            for ev in page.get("events", []):
                if ev["eventId"] not in seen:
                    seen.add(ev["eventId"])
                    out.write(format_event(ev) + "\n")
                    start = max(start, ev["timestamp"])
            out.flush()
            if not page.get("nextToken"):
                break
            params["nextToken"] = page["nextToken"]
        polls += 1
        if not follow or (max_polls is not None and polls >= max_polls):
            return
        time.sleep(poll_s)
