"""CloudWatch Logs through boto3 against a real server.

https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_Operations.html
"""

from __future__ import annotations

import time

import boto3
import pytest
from botocore.exceptions import ClientError

from conftest import BOTO_CONFIG, unique
from server import start


@pytest.fixture(scope="session")
def logs(endpoint: str):  # type: ignore[no-untyped-def]
    return boto3.client("logs", endpoint_url=endpoint, region_name="us-east-1", config=BOTO_CONFIG)


def err(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    e = exc.value.response["Error"]
    return e["Code"], e["Message"]


def now_ms() -> int:
    return int(time.time() * 1000)


def test_groups_and_streams(logs) -> None:  # type: ignore[no-untyped-def]
    g = unique("/aws/lambda/fn")
    logs.create_log_group(logGroupName=g, tags={"team": "a"})
    with pytest.raises(ClientError) as exc:
        logs.create_log_group(logGroupName=g)
    assert err(exc) == ("ResourceAlreadyExistsException", "The specified log group already exists")
    groups = logs.describe_log_groups(logGroupNamePrefix=g)["logGroups"]
    assert [x["logGroupName"] for x in groups] == [g]
    assert groups[0]["arn"] == f"arn:aws:logs:us-east-1:000000000000:log-group:{g}:*"
    logs.create_log_stream(logGroupName=g, logStreamName="2026/11/21/[$LATEST]abc")
    with pytest.raises(ClientError) as exc:
        logs.create_log_stream(logGroupName=g, logStreamName="2026/11/21/[$LATEST]abc")
    assert err(exc) == ("ResourceAlreadyExistsException", "The specified log stream already exists")
    streams = logs.describe_log_streams(logGroupName=g)["logStreams"]
    assert streams[0]["logStreamName"] == "2026/11/21/[$LATEST]abc"
    logs.delete_log_stream(logGroupName=g, logStreamName="2026/11/21/[$LATEST]abc")
    assert logs.describe_log_streams(logGroupName=g)["logStreams"] == []
    logs.delete_log_group(logGroupName=g)
    with pytest.raises(ClientError) as exc:
        logs.describe_log_streams(logGroupName=g)
    assert err(exc) == ("ResourceNotFoundException", "The specified log group does not exist.")


def test_describe_pagination(logs) -> None:  # type: ignore[no-untyped-def]
    prefix = unique("pg")
    for i in range(7):
        logs.create_log_group(logGroupName=f"{prefix}-{i}")
    pages = logs.get_paginator("describe_log_groups").paginate(logGroupNamePrefix=prefix,
                                                               PaginationConfig={"PageSize": 3})
    assert [g["logGroupName"] for p in pages for g in p["logGroups"]] == [f"{prefix}-{i}" for i in range(7)]
    g = f"{prefix}-0"
    for i in range(5):
        logs.create_log_stream(logGroupName=g, logStreamName=f"s{i}")
    pages = logs.get_paginator("describe_log_streams").paginate(logGroupName=g, descending=True,
                                                                PaginationConfig={"PageSize": 2})
    assert [s["logStreamName"] for p in pages for s in p["logStreams"]] == ["s4", "s3", "s2", "s1", "s0"]
    with pytest.raises(ClientError) as exc:
        logs.describe_log_streams(logGroupName=g, orderBy="LastEventTime", logStreamNamePrefix="s")
    assert err(exc) == ("InvalidParameterException", "Cannot order by LastEventTime with a logStreamNamePrefix.")


def test_put_and_get_events_with_tokens(logs) -> None:  # type: ignore[no-untyped-def]
    g, s = unique("ev"), "stream"
    logs.create_log_group(logGroupName=g)
    logs.create_log_stream(logGroupName=g, logStreamName=s)
    t0 = now_ms() - 60_000
    out = logs.put_log_events(logGroupName=g, logStreamName=s,
                              logEvents=[{"timestamp": t0 + i, "message": f"line {i}"} for i in range(25)])
    assert "nextSequenceToken" in out and "rejectedLogEventsInfo" not in out
    # Default: the newest events, oldest first.
    page = logs.get_log_events(logGroupName=g, logStreamName=s, limit=10)
    assert [e["message"] for e in page["events"]] == [f"line {i}" for i in range(15, 25)]
    back = logs.get_log_events(logGroupName=g, logStreamName=s, limit=10, nextToken=page["nextBackwardToken"])
    assert [e["message"] for e in back["events"]] == [f"line {i}" for i in range(5, 15)]
    head = logs.get_log_events(logGroupName=g, logStreamName=s, limit=10, startFromHead=True)
    assert [e["message"] for e in head["events"]] == [f"line {i}" for i in range(10)]
    fwd = logs.get_log_events(logGroupName=g, logStreamName=s, limit=100, nextToken=head["nextForwardToken"])
    assert [e["message"] for e in fwd["events"]] == [f"line {i}" for i in range(10, 25)]
    # At the end the same forward token comes back: that is how readers know to stop.
    end = logs.get_log_events(logGroupName=g, logStreamName=s, nextToken=fwd["nextForwardToken"])
    assert end["events"] == [] and end["nextForwardToken"] == fwd["nextForwardToken"]
    ranged = logs.get_log_events(logGroupName=g, logStreamName=s, startTime=t0 + 3, endTime=t0 + 6,
                                 startFromHead=True)
    assert [e["message"] for e in ranged["events"]] == ["line 3", "line 4", "line 5"]  # endTime exclusive
    stream = logs.describe_log_streams(logGroupName=g)["logStreams"][0]
    assert stream["firstEventTimestamp"] == t0 and stream["lastEventTimestamp"] == t0 + 24


def test_put_log_events_rules(logs) -> None:  # type: ignore[no-untyped-def]
    g, s = unique("rules"), "s"
    logs.create_log_group(logGroupName=g)
    logs.create_log_stream(logGroupName=g, logStreamName=s)
    t = now_ms()
    with pytest.raises(ClientError) as exc:
        logs.put_log_events(logGroupName=g, logStreamName=s,
                            logEvents=[{"timestamp": t, "message": "b"}, {"timestamp": t - 1, "message": "a"}])
    assert err(exc) == ("InvalidParameterException",
                        "Log events in a single PutLogEvents request must be in chronological order.")
    # Older than 14 days / newer than 2 hours: rejected, reported by index, the rest stored.
    out = logs.put_log_events(logGroupName=g, logStreamName=s, logEvents=[
        {"timestamp": t - 15 * 86_400_000, "message": "old"}])
    assert out["rejectedLogEventsInfo"] == {"tooOldLogEventEndIndex": 1}
    logs.put_log_events(logGroupName=g, logStreamName=s, logEvents=[{"timestamp": t, "message": "ok"}])
    with pytest.raises(ClientError) as exc:  # a batch may not span more than 24 hours
        logs.put_log_events(logGroupName=g, logStreamName=s, logEvents=[
            {"timestamp": t - 2 * 86_400_000, "message": "a"}, {"timestamp": t, "message": "b"}])
    assert err(exc) == ("InvalidParameterException",
                        "The batch of log events in a single PutLogEvents request cannot span more than 24 hours.")
    out = logs.put_log_events(logGroupName=g, logStreamName=s,
                              logEvents=[{"timestamp": t + 1, "message": "ok2"},
                                         {"timestamp": t + 3 * 3_600_000, "message": "future"}])
    assert out["rejectedLogEventsInfo"] == {"tooNewLogEventStartIndex": 1}
    got = logs.get_log_events(logGroupName=g, logStreamName=s, startFromHead=True)["events"]
    assert [e["message"] for e in got] == ["ok", "ok2"]
    with pytest.raises(ClientError) as exc:
        logs.put_log_events(logGroupName=g, logStreamName="missing", logEvents=[{"timestamp": t, "message": "x"}])
    assert err(exc) == ("ResourceNotFoundException", "The specified log stream does not exist.")


def test_filter_log_events(logs) -> None:  # type: ignore[no-untyped-def]
    g = unique("filter")
    logs.create_log_group(logGroupName=g)
    t = now_ms() - 10_000
    for s, msgs in {"a": ["ERROR one", "INFO two", "ERROR three"], "b": ["INFO four", "ERROR five"]}.items():
        logs.create_log_stream(logGroupName=g, logStreamName=s)
        logs.put_log_events(logGroupName=g, logStreamName=s, logEvents=[
            {"timestamp": t + (i * 2 if s == "a" else i * 2 + 1), "message": m} for i, m in enumerate(msgs)])
    out = logs.filter_log_events(logGroupName=g, filterPattern="ERROR")
    assert [(e["logStreamName"], e["message"]) for e in out["events"]] == [
        ("a", "ERROR one"), ("b", "ERROR five"), ("a", "ERROR three")]  # interleaved by timestamp
    assert len({e["eventId"] for e in out["events"]}) == 3
    everything = logs.get_paginator("filter_log_events").paginate(logGroupName=g, PaginationConfig={"PageSize": 2})
    assert [e["message"] for p in everything for e in p["events"]] == [
        "ERROR one", "INFO four", "INFO two", "ERROR five", "ERROR three"]
    only_b = logs.filter_log_events(logGroupName=g, logStreamNames=["b"])
    assert [e["message"] for e in only_b["events"]] == ["INFO four", "ERROR five"]


def test_retention_and_tags(logs) -> None:  # type: ignore[no-untyped-def]
    g = unique("ret")
    logs.create_log_group(logGroupName=g)
    logs.create_log_stream(logGroupName=g, logStreamName="s")
    t = now_ms()
    logs.put_log_events(logGroupName=g, logStreamName="s", logEvents=[
        {"timestamp": t - 3 * 86_400_000, "message": "three days old"}])
    logs.put_log_events(logGroupName=g, logStreamName="s", logEvents=[{"timestamp": t, "message": "new"}])
    logs.put_retention_policy(logGroupName=g, retentionInDays=1)
    assert logs.describe_log_groups(logGroupNamePrefix=g)["logGroups"][0]["retentionInDays"] == 1
    got = logs.get_log_events(logGroupName=g, logStreamName="s", startFromHead=True)["events"]
    assert [e["message"] for e in got] == ["new"]  # expired events are gone
    with pytest.raises(ClientError) as exc:
        logs.put_retention_policy(logGroupName=g, retentionInDays=2)
    assert err(exc)[0] == "InvalidParameterException"
    logs.delete_retention_policy(logGroupName=g)
    assert "retentionInDays" not in logs.describe_log_groups(logGroupNamePrefix=g)["logGroups"][0]
    arn = logs.describe_log_groups(logGroupNamePrefix=g)["logGroups"][0]["logGroupArn"]
    logs.tag_resource(resourceArn=arn, tags={"a": "1", "b": "2"})
    logs.untag_resource(resourceArn=arn, tagKeys=["a"])
    assert logs.list_tags_for_resource(resourceArn=arn)["tags"] == {"b": "2"}
    assert logs.list_tags_log_group(logGroupName=g)["tags"] == {"b": "2"}


def test_bad_names_are_invalid_parameter(logs) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ClientError) as exc:
        logs.create_log_group(logGroupName="bad name!")
    code, msg = err(exc)
    assert code == "InvalidParameterException" and "failed to satisfy constraint" in msg


def test_logs_survive_restart(tmp_path) -> None:  # type: ignore[no-untyped-def]
    srv = start(str(tmp_path))
    try:
        c = boto3.client("logs", endpoint_url=srv.url, region_name="us-east-1", config=BOTO_CONFIG)
        c.create_log_group(logGroupName="/keep")
        c.create_log_stream(logGroupName="/keep", logStreamName="s")
        c.put_log_events(logGroupName="/keep", logStreamName="s", logEvents=[{"timestamp": now_ms(), "message": "hi"}])
    finally:
        srv.stop()
    srv = start(str(tmp_path))
    try:
        c = boto3.client("logs", endpoint_url=srv.url, region_name="us-east-1", config=BOTO_CONFIG)
        got = c.get_log_events(logGroupName="/keep", logStreamName="s")["events"]
        assert [e["message"] for e in got] == ["hi"]
        c.put_log_events(logGroupName="/keep", logStreamName="s", logEvents=[{"timestamp": now_ms(), "message": "2"}])
        got = c.get_log_events(logGroupName="/keep", logStreamName="s", startFromHead=True)["events"]
        assert [e["message"] for e in got] == ["hi", "2"]
    finally:
        srv.stop()


def test_cli_logs_tail(logs, endpoint: str) -> None:  # type: ignore[no-untyped-def]
    import subprocess
    import sys

    g = unique("/aws/lambda/tail")
    logs.create_log_group(logGroupName=g)
    logs.create_log_stream(logGroupName=g, logStreamName="2026/11/21/[$LATEST]0a1b")
    t = now_ms() - 1000
    logs.put_log_events(logGroupName=g, logStreamName="2026/11/21/[$LATEST]0a1b", logEvents=[
        {"timestamp": t, "message": "START RequestId: 1\n"}, {"timestamp": t + 1, "message": "hello"}])
    out = subprocess.run([sys.executable, "-m", "cloudlet", "logs", "tail", g, "--endpoint", endpoint],
                         capture_output=True, text=True, timeout=30, check=True).stdout.splitlines()
    assert [line.split(" ", 2)[1:] for line in out] == [
        ["2026/11/21/[$LATEST]0a1b", "START RequestId: 1"], ["2026/11/21/[$LATEST]0a1b", "hello"]]
    assert out[0].startswith(time.strftime("%Y-", time.gmtime()))  # ISO-8601 timestamps first


def test_tail_follow_prints_new_events(logs, endpoint: str) -> None:  # type: ignore[no-untyped-def]
    import io
    import threading

    from cloudlet import tail

    g = unique("follow")
    logs.create_log_group(logGroupName=g)
    logs.create_log_stream(logGroupName=g, logStreamName="s")
    out = io.StringIO()
    client = tail.LogsClient(endpoint, "us-east-1")
    th = threading.Thread(target=tail.tail, args=(client, g, now_ms() - 60_000, True, None, out, 0.2, 15))
    th.start()
    time.sleep(0.5)
    logs.put_log_events(logGroupName=g, logStreamName="s", logEvents=[{"timestamp": now_ms(), "message": "late"}])
    th.join(10)
    assert out.getvalue().rstrip().endswith(" s late")


LOG_OPS = ["CreateLogGroup", "DeleteLogGroup", "DescribeLogGroups", "CreateLogStream", "DeleteLogStream",
           "DescribeLogStreams", "PutLogEvents", "GetLogEvents", "FilterLogEvents", "PutRetentionPolicy",
           "DeleteRetentionPolicy", "TagResource", "UntagResource", "ListTagsForResource"]


def test_random_logs_requests_never_500(endpoint: str, logs) -> None:  # type: ignore[no-untyped-def]
    import json

    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
    from test_server import raw

    g = unique("fz")
    logs.create_log_group(logGroupName=g)
    logs.create_log_stream(logGroupName=g, logStreamName="s")
    logs.put_log_events(logGroupName=g, logStreamName="s", logEvents=[{"timestamp": now_ms(), "message": "x"}])
    scalars = st.none() | st.booleans() | st.integers(-2**40, 2**40) | st.text(max_size=12)
    values = st.recursive(scalars, lambda k: st.lists(k, max_size=3) | st.dictionaries(st.text(max_size=5), k,
                                                                                       max_size=3), max_leaves=10)
    members = st.fixed_dictionaries({}, optional={
        "logGroupName": st.sampled_from([g, "nope", "", "a b"]) | st.text(max_size=5),
        "logStreamName": st.sampled_from(["s", "missing"]) | values,
        "logEvents": st.lists(st.fixed_dictionaries({"timestamp": st.integers(-2**40, 2**45),
                                                     "message": st.text(max_size=5)}), max_size=3) | values,
        "filterPattern": st.text(max_size=12) | st.sampled_from(["{ $.a = 1 }", "[a, b]", "%x%", "?A ?B"]),
        "nextToken": st.text(max_size=10) | st.sampled_from(["f/00", "b/" + "0" * 32]),
        "limit": st.integers(-5, 20000) | values,
        "startTime": st.integers(-2**40, 2**45) | values,
        "retentionInDays": st.integers(-1, 4000) | values,
        "resourceArn": st.text(max_size=20),
        "tags": values,
    })

    @settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
    @given(op=st.sampled_from(LOG_OPS), body=members)
    def check(op: str, body: dict) -> None:  # type: ignore[type-arg]
        status, _, out = raw(endpoint, f"Logs_20140328.{op}", json.dumps(body).encode())
        assert status < 500, out

    check()
