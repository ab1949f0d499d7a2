"""CloudWatch Logs filter patterns: AWS's documented examples, edge cases, errors, and fuzzing.

PAGE is the current filter-pattern page; OLD_PAGE marks examples from its earlier revision (the same
URL before the 2023 rewrite, kept in the awsdocs/amazon-cloudwatch-logs-user-guide repository).
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cloudlet.protocol.errors import AwsError
from cloudlet.services.logs.engine.filter_pattern import compile_pattern

PAGE = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html"
REGEX_PAGE = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/regex-expressions.html"


def hits(pattern: str, events: list[str]) -> list[str]:
    match = compile_pattern(pattern)
    return [e for e in events if match(e)]


def error(pattern: str) -> str:
    with pytest.raises(AwsError) as info:
        compile_pattern(pattern)
    assert info.value.code == "InvalidParameterException"
    assert info.value.status == 400
    return info.value.message


# ============================================================== unstructured
# PAGE#matching-terms-unstructured-log-events
UNSTRUCTURED = [
    "[ERROR 400] BAD REQUEST",
    "[ERROR 401] UNAUTHORIZED REQUEST",
    "[ERROR 419] MISSING ARGUMENTS",
    "[ERROR 420] INVALID ARGUMENTS",
]


def test_doc_single_term() -> None:  # PAGE#matching-terms-unstructured-log-events
    assert hits("ERROR", UNSTRUCTURED) == UNSTRUCTURED


def test_doc_multiple_terms() -> None:  # PAGE#matching-terms-unstructured-log-events
    assert hits("ERROR ARGUMENTS", UNSTRUCTURED) == UNSTRUCTURED[2:]


def test_doc_optional_terms() -> None:  # PAGE#matching-terms-unstructured-log-events
    assert hits("?ERROR ?ARGUMENTS", UNSTRUCTURED) == UNSTRUCTURED


def test_doc_optional_terms_ignored_beside_other_terms() -> None:  # PAGE#matching-terms-unstructured-log-events
    events = ["[INFO] REQUEST FAILED", "[WARN] UNAUTHORIZED REQUEST", "[ERROR] 400 BAD REQUEST", "[ERROR] nothing"]
    assert hits("?ERROR ?ARGUMENTS REQUEST", events) == events[:3]


def test_doc_exact_phrase() -> None:  # PAGE#matching-terms-unstructured-log-events
    events = [*UNSTRUCTURED, "[ERROR 500] INTERNAL SERVER ERROR", "INTERNAL ERROR SERVER"]
    assert hits('"INTERNAL SERVER ERROR"', events) == ["[ERROR 500] INTERNAL SERVER ERROR"]


def test_doc_include_and_exclude() -> None:  # PAGE#matching-terms-unstructured-log-events
    assert hits("ERROR -ARGUMENTS", UNSTRUCTURED) == UNSTRUCTURED[:2]


def test_doc_match_everything() -> None:  # PAGE#matching-terms-unstructured-log-events
    assert hits('" "', [*UNSTRUCTURED, "nospace", ""]) == [*UNSTRUCTURED, "nospace", ""]


def test_old_doc_single_term_is_a_substring() -> None:  # OLD_PAGE "Example 1: Single term"
    events = ["[ERROR] A fatal exception has occurred", "Exiting with ERRORCODE: -1", "all good"]
    assert hits("ERROR", events) == events[:2]
    # Example 2: include a term and exclude a term
    assert hits("ERROR -Exiting", events) == events[:1]
    assert hits('"ERROR" - "Exiting"', events) == events[:1]


def test_old_doc_multiple_terms() -> None:  # OLD_PAGE "Example 3: Multiple terms"
    events = ["[ERROR] Caught IllegalArgumentException", "[ERROR] Unhandled Exception", "[ERROR] other"]
    assert hits("ERROR Exception", events) == events[:2]
    events = ["[WARN] Failed to process the request", "[ERROR] Unable to continue: Failed to process the request"]
    assert hits("Failed to process the request", events) == events


def test_old_doc_or_pattern_matching() -> None:  # OLD_PAGE#log-filters-or-pattern-matching
    events = ["ERROR WARN message", "ERROR message", "WARN message"]
    assert hits("ERROR", events) == events[:2]
    assert hits("?ERROR ?WARN", events) == events
    assert hits("ERROR WARN", events) == events[:1]
    assert hits("ERROR -WARN", events) == events[1:2]


def test_terms_are_case_sensitive() -> None:
    assert hits("error", ["ERROR", "an error", "Error"]) == ["an error"]


def test_empty_and_blank_patterns_match_everything() -> None:
    for pattern in ("", "   ", "\t\n"):
        assert hits(pattern, ["", "x", '{"a": 1}']) == ["", "x", '{"a": 1}']


def test_quoted_terms() -> None:
    assert hits('"user@example.com"', ["login user@example.com", "user@example"]) == ["login user@example.com"]
    assert hits('-"GET /health"', ["GET /health 200", "GET /api 200"]) == ["GET /api 200"]
    assert hits('?"a b" ?"c:d"', ["xa by", "c:d", "c d"]) == ["xa by", "c:d"]
    assert hits(r'"say \"hi\" \\o/"', [r'he said: say "hi" \o/', "say hi"]) == [r'he said: say "hi" \o/']


def test_exclusions_only() -> None:
    assert hits("-DEBUG -TRACE", ["DEBUG x", "INFO y", "TRACE z"]) == ["INFO y"]
    assert hits("?INFO -DEBUG", ["DEBUG x", "INFO y", "WARN z"]) == ["INFO y", "WARN z"]  # the ? is ignored
    assert hits('-" "', ["a b", "ab"]) == []


def test_unstructured_errors() -> None:
    assert error("email@domain.com") == "Invalid character(s) in term '@'"
    assert error("?Status: timeout") == "Invalid character(s) in term ':'"  # seen from AWS
    assert error("PlayerSpawnedInWorld (reason: JoinMultiplayer") == "Invalid character(s) in term '('"
    assert error('""') == "Invalid character(s) in term '\"\"'"  # seen from AWS
    assert error("ERROR *") == "Invalid character(s) in term '*'"
    assert error("ERROR ?") == "Invalid character(s) in term '?'"
    assert error("1.5") == "Invalid character(s) in term '.'"
    assert error('"unterminated') == "Invalid filter pattern"


# ====================================================================== regex
# REGEX_PAGE (also PAGE#regex-expressions and PAGE#matching-terms-regex)
def test_doc_regex_term() -> None:  # PAGE#matching-terms-regex
    events = ["[ERROR 401] UNAUTHORIZED REQUEST", "[SUCCESS 200] AUTHORIZED REQUEST", "[INFO] authorized"]
    assert hits("%AUTHORIZED%", events) == events[:2]


@pytest.mark.parametrize(
    ("pattern", "matching", "not_matching"),
    [
        (r"%\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}%", ["from 10.0.0.1 ok"], ["from 10.0.0 ok"]),
        ("%[Ee]rror|[Ff]ail%", ["Error", "error", "Fail", "fail"], ["ERROR", "FAIL"]),
        ("%^[hc]at%", ["hat", "cat trick"], ["that", "a cat"]),
        ("%[hc]at$%", ["hat", "a cat"], ["cats", "cat\n"]),
        ("%colou?r%", ["color", "colour"], ["colr"]),
        ("%[abc]%", ["a", "b", "c"], ["d"]),
        ("%[a-z]%", ["q"], ["Q", "7"]),
        ("%[abcx-z]%", ["a", "b", "c", "x", "y", "z"], ["d", "w"]),
        ("%a{3,5}%", ["aaa", "aaaa", "aaaaa"], ["aa", "a a a"]),
        ("%gra|ey%", ["gray", "grey"], ["gary"]),
        (
            "%^starting|^initializing|^shutting down%",
            ["starting ...", "initializing ...", "shutting down"],
            ["skipping initializing ..."],
        ),
        ("%abcc|ab[^c]$%", ["abcc ...", "aba"], ["aac ..."]),
        (r"%\[.\]%", ["[a]", "[b]", "[7]", "[@]", "[]]", "[ ]"], ["[]", "[ab]"]),
        (r"%10\.10\.0\.1%", ["10.10.0.1"], ["10010,051"]),
        ("%10.10.0.1%", ["10.10.0.1", "10010,051"], ["10.10.0"]),
        ("%ab*c%", ["ac", "abc", "abbbc"], ["ab"]),
        ("%ab[0-9]*%", ["ab", "ab0", "ab129"], ["a b"]),
        ("%ab+c%", ["abc", "abbc", "abbbc"], ["ac"]),
        ("%.at%", ["hat", "cat", "bat", "4at", "#at", " at"], ["at"]),
        (r"%\d%", ["a1"], ["ab"]),
        (r"%^\D%", ["a1"], ["1a"]),
        (r"%\s%", ["a b", "a\tb", "a\nb"], ["ab"]),
        (r"%^\S+$%", ["ab"], ["a b"]),
        (r"%^\w+$%", ["a_Z9"], ["a-b"]),
        (r"%\W%", ["a-b"], ["a_b"]),
        (r"%\x3A%", [":"], [";"]),
        (r"%\x28%", ["("], [")"]),
    ],
)
def test_doc_regex_operators(pattern: str, matching: list[str], not_matching: list[str]) -> None:  # REGEX_PAGE
    assert hits(pattern, matching + not_matching) == matching


def test_regex_quantifier_forms() -> None:  # REGEX_PAGE: "Either m or n can be omitted"
    assert hits("%^a{2,}$%", ["a", "aa", "aaa"]) == ["aa", "aaa"]
    assert hits("%^a{,2}b%", ["b", "aab", "aaab"]) == ["b", "aab"]
    assert hits("%^a{2}$%", ["a", "aa", "aaa"]) == ["aa"]
    assert hits("%^a{1, 2}$%", ["a", "aa", "aaa"]) == ["a", "aa"]


def test_regex_errors() -> None:  # REGEX_PAGE: only the listed characters; no ( or ); no multi-byte characters
    assert error("%something!%") == "Invalid character(s) in term '!'"
    assert error("%(a)%").startswith("Invalid character(s) in term '('")
    assert error(r"%\(a\)%").startswith("Invalid character(s) in term '('")
    assert error("%é%") == "Invalid character(s) in term 'é'"
    assert error("%a%b%") == "Invalid character(s) in term '%'"
    for pattern in ("%%", "%abc", "%", "%*a%", "%[a%", r"%a\%", r"%\q%", r"%\xZZ%"):
        assert error(pattern) == "Invalid filter pattern", pattern


# ======================================================================= JSON
# PAGE#matching-terms-json-log-events
TRAIL = json.dumps(
    {
        "eventType": "UpdateTrail",
        "sourceIPAddress": "111.111.111.111",
        "arrayKey": ["value", "another value"],
        "objectList": [{"name": "a", "id": 1}, {"name": "b", "id": 2}],
        "SomeObject": None,
        "cluster.name": "c",
    }
)
OTHER = json.dumps({"eventType": "CreateTrail", "sourceIPAddress": "123.123.0.1", "arrayKey": "value"})


@pytest.mark.parametrize(
    "pattern",
    [
        '{ $.eventType = "UpdateTrail" }',
        "{ $.sourceIPAddress != 123.123.* }",
        '{ $.arrayKey[0] = "value" }',
        "{ $.eventType = %Trail% }",
        "{ $.arrayKey[*] = %val.{2}% }",
        r"{ $.* = %111\.111\.111\.1[0-9]{1,2}% }",
        "{ $.['cluster.name'] = \"c\" }",
        "{ $.SomeObject IS NULL }",
        "{ $.SomeOtherObject NOT EXISTS }",
    ],
)
def test_doc_json_examples(pattern: str) -> None:  # PAGE#matching-terms-json-log-events
    assert compile_pattern(pattern)(TRAIL)


def test_doc_json_examples_against_a_different_event() -> None:
    assert hits('{ $.eventType = "UpdateTrail" }', [TRAIL, OTHER]) == [TRAIL]
    assert hits("{ $.sourceIPAddress != 123.123.* }", [TRAIL, OTHER]) == [TRAIL]
    assert hits('{ $.arrayKey[0] = "value" }', [TRAIL, OTHER]) == [TRAIL]  # not an array: false
    assert hits("{ $.eventType = %Trail% }", [TRAIL, OTHER]) == [TRAIL, OTHER]
    assert hits("{ $.eventType = %^Update% }", [TRAIL, OTHER]) == [TRAIL]
    assert hits("{ $.SomeObject IS NULL }", [TRAIL, OTHER]) == [TRAIL]  # absent is not null
    assert hits("{ $.SomeObject NOT EXISTS }", [TRAIL, OTHER]) == [OTHER]


def test_old_doc_json_examples() -> None:  # OLD_PAGE#metric-filter-examples
    event = json.dumps({"objectList": [{"name": "a", "id": 1}, {"name": "b", "id": 2}], "ThisFlag": True})
    assert compile_pattern("{ $.objectList[1].id = 2 }")(event)
    assert not compile_pattern("{ $.objectList[2].id = 2 }")(event)
    assert compile_pattern("{ $.ThisFlag IS TRUE }")(event)
    assert not compile_pattern("{ $.ThisFlag IS FALSE }")(event)
    # "JSON Special Considerations": a selector on an array matches neither = nor !=.
    users = json.dumps({"users": [1, 2, 3]})
    assert hits("{$.users = 1}", [users]) == []
    assert hits("{$.users != 1}", [users]) == []


@pytest.mark.parametrize(
    ("pattern", "event"),
    [
        ("{ $.bandwidth > 75 }", {"bandwidth": 76}),
        ("{ $.latency < 50 }", {"latency": 49.5}),
        ("{ $.refreshRate >= 60 }", {"refreshRate": 60}),
        ("{ $.responseTime <= 5 }", {"responseTime": 5}),
        ("{ $.errorCode = 400}", {"errorCode": 400}),
        ("{ $.errorCode != 500 }", {"errorCode": 400}),
        ("{ $.number[0] = 1e+3 }", {"number": [1000]}),
        ("{ $.number[0] != 1e-3 }", {"number": [0.01]}),
        # OLD_PAGE numeric examples
        ("{ $.latency >= 500 }", {"latency": 500}),
        ("{ $.numbers[0] < 10e3 }", {"numbers": [9999]}),
        ("{ $.numbers[0] < 10e-3 }", {"numbers": [0.001]}),
        ("{ $.processes[4].averageRuntime <= 55.5 }", {"processes": [0, 0, 0, 0, {"averageRuntime": 55.5}]}),
        ("{ $.latency > +1000 }", {"latency": 1001}),
    ],
)
def test_doc_json_numeric(pattern: str, event: dict[str, object]) -> None:  # PAGE#matching-terms-json-log-events
    assert compile_pattern(pattern)(json.dumps(event))


def test_json_numeric_comparisons_fail_on_the_other_side() -> None:
    assert hits("{ $.bandwidth > 75 }", ['{"bandwidth": 75}', '{"bandwidth": 74}', '{"bandwidth": 76}']) == [
        '{"bandwidth": 76}'
    ]
    assert hits("{ $.errorCode != 500 }", ['{"errorCode": 500}', '{"errorCode": 500.0}']) == []
    assert not compile_pattern("{ $.n > 5 }")('{"n": true}')
    assert not compile_pattern("{ $.n > 5 }")('{"n": "abc"}')
    assert compile_pattern("{ $.n > 5 }")('{"n": "6"}')  # a numeric string compares as a number
    assert compile_pattern("{ $.n = 10 }")('{"n": 10.0}')
    assert compile_pattern("{ $.n < 1 }")('{"n": -99999999999999999999999999999}')  # past 64 bits


# OLD_PAGE#compound-conditions and PAGE (same object, same four patterns)
USERS = json.dumps(
    {
        "user": {"id": 1, "email": "John.Stiles@example.com"},
        "users": [{"id": 2, "email": "John.Doe@example.com"}, {"id": 3, "email": "Jane.Doe@example.com"}],
        "actions": ["GET", "PUT", "DELETE"],
        "coordinates": [[0, 1, 2], [4, 5, 6], [7, 8, 9]],
    }
)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ('{ ($.user.id = 1) && ($.users[0].email = "John.Doe@example.com") }', True),
        (
            '{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = "nonmatch"'
            ' && $.actions[2] = "nonmatch" }',
            True,
        ),
        (
            '{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = "nonmatch")'
            ' && $.actions[2] = "nonmatch" }',
            False,
        ),
        ('{ ($.user.id = 2 && $.users[0].email = "nonmatch") || $.actions[2] = "GET" }', False),
        ("{ $.coordinates[0][1] = 1 && $.coordinates[2][2] > 8 }", True),
        ("{ $.users[*].id = 3 }", True),
        ("{ $.users[*].id = 4 }", False),
        ("{ $.users[*].name NOT EXISTS }", True),
        ("{ $.users[*].id NOT EXISTS }", False),
    ],
)
def test_doc_json_compound(pattern: str, expected: bool) -> None:  # PAGE#matching-terms-json-log-events
    assert compile_pattern(pattern)(USERS) is expected


def test_old_doc_json_or() -> None:  # OLD_PAGE#log-filters-or-pattern-matching
    events = ['{"foo": "bar"}', '{"foo": "baz"}']
    assert hits("{$.foo = bar}", events) == events[:1]
    assert hits("{$.foo = baz }", events) == events[1:]
    assert hits("{$.foo = bar || $.foo = baz }", events) == events


def test_json_string_wildcards() -> None:  # OLD_PAGE: "*Event", "Event*"; "Ev*ent will only match ... Ev*ent"
    events = ['{"e": "PutEvent"}', '{"e": "EventId"}', '{"e": "Ev*ent"}', '{"e": "EvXent"}']
    assert hits("{ $.e = *Event }", events) == events[:1]
    assert hits("{ $.e = Event* }", events) == events[1:2]
    assert hits('{ $.e = "Ev*ent" }', events) == events[2:3]
    assert hits('{ $.e = "*ven*" }', events) == events[:2]
    assert hits("{ $.e = * }", [*events, '{"e": 5}', '{"e": null}', '{"f": 1}']) == [*events, '{"e": 5}']


def test_json_messages_that_are_not_objects_never_match() -> None:
    pattern = "{ $.a NOT EXISTS }"
    assert hits(pattern, ["", "a", "[1]", '"a"', "{", "{'a': 1}", '{"a": NaN}', "  {}", "{} x"]) == ["  {}"]


def test_json_values_by_type() -> None:
    assert compile_pattern("{ $.flag = true }")('{"flag": true}')
    assert compile_pattern("{ $.flag != false }")('{"flag": true}')
    assert not compile_pattern("{ $.x = null }")('{"x": null}')
    assert not compile_pattern("{ $.x != 1 }")('{"x": null}')
    assert not compile_pattern("{ $.x != 1 }")('{"y": 1}')  # != needs the property
    assert not compile_pattern("{ $.x = %.% }")('{"x": {"a": 1}}')
    assert compile_pattern("{ $.x = 4* }")('{"x": 404}')
    assert compile_pattern('{ $.x = "404" }')('{"x": 404}')
    assert compile_pattern('{ $.detail-type = "Scheduled Event" }')('{"detail-type": "Scheduled Event"}')
    assert compile_pattern("{ $.a.* = 2 }")('{"a": {"x": 1, "y": 2}}')
    assert compile_pattern("{ $.* = 2 }")('{"a": 1, "b": 2}')
    assert compile_pattern('{ $.msg = "héllo wörld" }')('{"msg": "héllo wörld"}')


def test_json_errors() -> None:
    assert error("{ $.a = 1") == "If a filter pattern starts with '{' it must end with '}'"  # seen from AWS
    assert error('{ $."sc-status" = 5* }') == "Invalid character(s) in term '$.\"'"  # seen from AWS
    # seen from AWS: a comma instead of &&
    assert error('{ $.message = "error-response", $.path = "/authenticate" }') == "Invalid character(s) in term ','"
    assert error("{ $.a = b@c }") == "Invalid character(s) in term '@'"
    assert error("{ $.a & $.b }") == "Invalid character(s) in term '&'"
    for pattern in (
        "{}",
        "{ }",
        "{ $.a }",
        "{ $.a = }",
        "{ = 1 }",
        "{ $.a = 1 $.b = 2 }",
        "{ ($.a = 1 }",
        "{ $.a = 1) }",
        "{ $.a > abc }",
        '{ $.a > "5" }',
        "{ $.a < %x% }",
        "{ $.a EXISTS }",  # "IS NOT and EXISTS currently aren't supported"
        "{ $.a IS NOT NULL }",
        "{ $.a IS MAYBE }",
        "{ $.a = %a% || $.b = %b% || $.c = %c% }",  # at most 2 regexes
        "{ $.a.*.b[*] = 1 }",  # at most one wildcard in a selector
        "{ $.a[*] = 1 || $.b[*] = 1 || $.c[*] = 1 || $.d[*] = 1 }",  # at most three in a pattern
    ):
        assert error(pattern).startswith("Invalid"), pattern
    assert error("{ $ = 1 }").startswith("Invalid character(s) in term '$")
    assert error("{ $.a[x] = 1 }") == "Invalid character(s) in term '$.a['"


# ============================================================ space-delimited
# PAGE#matching-term-space-delimited-log-events
APACHE = '127.0.0.1 Prod frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534'


@pytest.mark.parametrize(
    "pattern",
    [
        r"[ip=%127\.0\.0\.[1-9]%, user, username, timestamp, request =*.html*, status_code = 4*, bytes]",
        "[..., request =*.html*, status_code = 4*, bytes]",
        "[ip, user, username, timestamp, request =*.html*, status_code = 404 || status_code = 410, bytes]",
        # the fields are `ip user username timestamp request status_code bytes`
        '[ip, user = Prod, username = "frank", timestamp = "10/Oct/2000:13:25:15 -0700", request, code, bytes > 1500]',
    ],
)
def test_doc_space_delimited(pattern: str) -> None:  # PAGE#matching-term-space-delimited-log-events
    assert compile_pattern(pattern)(APACHE)


def test_doc_space_delimited_non_matching() -> None:
    other = APACHE.replace("127.0.0.1", "127.0.0.0").replace(" 404 ", " 410 ")
    pattern = r"[ip=%127\.0\.0\.[1-9]%, user, username, timestamp, request, status_code, bytes]"
    assert hits(pattern, [APACHE, other]) == [APACHE]
    assert hits("[..., status_code = 404 || status_code = 410, bytes]", [APACHE, other]) == [APACHE, other]
    assert hits("[..., status_code = 404, bytes]", [APACHE, other]) == [APACHE]


# PAGE#matching-term-space-delimited-log-events (pattern matching with w1, w2)
SERVICE = [
    "INFO 09/25/2014 12:00:00 GET /service/resource/67 1200",
    "INFO 09/25/2014 12:00:01 POST /service/resource/67/part/111 1310",
    "WARNING 09/25/2014 12:00:02 Invalid user request",
    "ERROR 09/25/2014 12:00:02 Failed to process request",
]


def test_doc_space_delimited_terms_in_order() -> None:  # PAGE#matching-term-space-delimited-log-events
    assert hits("[w1=ERROR, w2]", SERVICE) == SERVICE[3:]
    assert hits("[w1=ERROR || w1=WARNING, w2]", SERVICE) == SERVICE[2:]
    assert hits("[w1!=ERROR && w1!=WARNING, w2]", SERVICE) == SERVICE[:2]
    # Without the blank w2, w1 is the whole line: "you must include a blank indicator".
    assert hits("[w1=ERROR]", SERVICE) == []


def test_doc_space_delimited_resource_uri() -> None:  # PAGE#matching-term-space-delimited-log-events
    top = "[logLevel, date, time, method, url=%/service/resource/[0-9]+$%, response_time]"
    child = "[logLevel, date, time, method, url=%/service/resource/[0-9]+/part/[0-9]+$%, response_time]"
    assert hits(top, SERVICE) == SERVICE[:1]
    assert hits(child, SERVICE) == SERVICE[1:2]


def test_old_doc_or_pattern_matching_space_delimited() -> None:  # OLD_PAGE#log-filters-or-pattern-matching
    events = ["ERROR WARN message", "ERROR message", "WARN message"]
    assert hits("[w1=ERROR, w2]", events) == events[:2]
    assert hits("[w1=ERROR || w1=WARN, w2]", events) == events


# OLD_PAGE#extract-log-event-values
OLD_APACHE = [
    '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 200 1534',
    '127.0.0.1 - frank [10/Oct/2000:13:35:22 -0700] "GET /apache_pb.gif HTTP/1.0" 500 5324',
    '127.0.0.1 - frank [10/Oct/2000:13:50:35 -0700] "GET /apache_pb.gif HTTP/1.0" 200 4355',
]


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("[ip, user, username, timestamp, request, status_code, bytes]", [0, 1, 2]),
        ("[..., status_code, bytes]", [0, 1, 2]),
        ("[ip, user, ..., status_code, bytes]", [0, 1, 2]),
        ("[ip, user, ...]", [0, 1, 2]),
        ("[ip, user, username, timestamp, request, status_code, bytes > 1000]", [0, 1, 2]),
        ("[ip, user, username, timestamp, request, status_code, bytes > 4000]", [1, 2]),
        ("[ip, user, username, timestamp, request, status_code = 200, bytes]", [0, 2]),
        ("[ip, user, username, timestamp, request, status_code = 4*, bytes]", []),
        ("[ip, user, username, timestamp, request, status_code = 5*, bytes]", [1]),
        ("[ip, user, username, timestamp, request = *html*, status_code = 4*, bytes]", []),
        ("[ip, user, username, timestamp, request = *gif*, status_code = 2*, bytes]", [0, 2]),
        ("[ip, user, username, timestamp, request, status_code = 2* && status_code != 200, bytes]", []),
        ('[ip, user = -, username, timestamp = "10/Oct/2000:13:35:22 -0700", ...]', [1]),
        ('[ip, user, username, timestamp, request = "GET /apache_pb.gif HTTP/1.0", ...]', [0, 1, 2]),
    ],
)
def test_old_doc_space_delimited(pattern: str, expected: list[int]) -> None:  # OLD_PAGE#extract-log-event-values
    assert hits(pattern, OLD_APACHE) == [OLD_APACHE[i] for i in expected]


def test_old_doc_trailing_comma_is_an_unnamed_field() -> None:  # OLD_PAGE: `[..., request=*.html*, status_code=4*,]`
    event = '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534'
    assert compile_pattern("[..., request=*.html*, status_code=4*,]")(event)


def test_condition_on_an_undeclared_field_is_invalid() -> None:
    # awsdocs/amazon-cloudwatch-logs-user-guide#21: AWS answers "Invalid filter pattern" for this old example.
    assert error("[ip, user, username, timestamp, request, status_code = 4* && bytes > 1000]") == (
        "Invalid filter pattern"
    )
    # ... and accepts conditions on fields it declares.
    assert hits("[a, b = 1 || a = x, c]", ["x 2 3", "y 1 3", "y 2 3"]) == ["x 2 3", "y 1 3"]


def test_space_delimited_field_count() -> None:
    assert hits("[a, b, c]", ["1 2", "1 2 3", "1 2 3 4"]) == ["1 2 3", "1 2 3 4"]
    assert hits("[a, b, c = 3]", ["1 2 3", "1 2 3 4", "1  2   3"]) == ["1 2 3", "1  2   3"]
    assert hits("[a, b, c = '3 4']".replace("'", '"'), ["1 2 3 4", "1 2 3  4"]) == ["1 2 3 4"]
    assert hits("[..., a, b]", ["1", "1 2", "1 2 3"]) == ["1 2", "1 2 3"]
    assert hits("[...]", ["", "x"]) == ["", "x"]
    assert hits("[a = x, ..., b = y]", ["x y", "x 1 2 y", "x", "y x"]) == ["x y", "x 1 2 y"]


def test_space_delimited_several_ellipses() -> None:
    assert hits("[..., a = ERROR, ...]", ["x ERROR y", "ERROR", "x y", "ERRORS"]) == ["x ERROR y", "ERROR"]
    assert hits("[..., a = 1, ..., b = 2, ...]", ["0 1 0 2 0", "2 1", "1 2"]) == ["0 1 0 2 0", "1 2"]


def test_space_delimited_grouping() -> None:
    event = 'a "b c" [d e] "" f'
    assert hits('[w1, w2 = "b c", w3 = "d e", w4 = "", w5 = f]', [event]) == [event]
    assert hits("[w1, w2 = *b*, ...]", [event]) == [event]


def test_space_delimited_numbers() -> None:
    events = ["x 200", "x 200.0", "x 2e2", "x abc", "x 0200", "x -5"]
    assert hits("[a, b = 200]", events) == ["x 200", "x 200.0", "x 2e2", "x 0200"]
    assert hits("[a, b != 200]", events) == ["x abc", "x -5"]
    assert hits("[a, b < 0]", events) == ["x -5"]
    assert hits("[a, b >= 200]", events) == ["x 200", "x 200.0", "x 2e2", "x 0200"]
    assert hits('[a, b = "200"]', events) == ["x 200"]


def test_space_delimited_errors() -> None:
    assert error("[w1=ERROR, w2") == "If a filter pattern starts with '[' it must end with ']'"
    assert error("[a, b = x:y]") == "Invalid character(s) in term ':'"
    for pattern in (
        "[]",
        "[a, a]",
        "[a = ]",
        '["a"]',
        "[4*]",
        "[a && b]",
        "[a = 1 b]",
        "[a > x]",
        "[a = %x%, b = %y%, c = %z%]",  # at most 2 regexes
        "[a, b = 1 && c = 2]",
    ):
        assert error(pattern) == "Invalid filter pattern", pattern


# ========================================================== API and fuzzing
def test_compile_is_cached() -> None:
    assert compile_pattern("ERROR -DEBUG") is compile_pattern("ERROR -DEBUG")


def test_invalid_patterns_stay_invalid() -> None:
    for _ in range(2):
        assert error("a@b") == "Invalid character(s) in term '@'"


FRAGMENTS = [
    "ERROR", "WARN", "a", "b", "1", "4*", "*x*", "1e3", "-1", "+2.5", "...", " ", " ", ",", "?", "-", '"', '"a b"',
    "%", "%a.c%", "%^x$%", "%[a-z]+%", "%a{1,2}%", "\\", "{", "}", "[", "]", "(", ")", "$", "$.", "$.a", "$.a.b",
    "$.a[0]", "$.a[*]", "$.*", "$.['k.j']", "=", "!=", "<", "<=", ">", ">=", "&&", "||", "&", "|", "!", "IS",
    "TRUE", "FALSE", "NULL", "NOT", "EXISTS", "@", ":", "é", "\t", "\n", "'",
]  # fmt: skip
MESSAGES = [
    "", " ", "ERROR a b", '{"a": 1}', '{"a": [1, "x"], "b": {"c": null}}', '{"a": true}', "[", "{",
    '{"a": 1e400}', '{"a": 123456789012345678901234567890}', '{"a": "\\ud800"}', "a\nb", "x 1 2 3",
    '1 "b c" [d e] 4',
]  # fmt: skip


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    pattern=st.one_of(
        st.lists(st.sampled_from(FRAGMENTS), max_size=12).map("".join),
        st.lists(st.sampled_from(FRAGMENTS), max_size=10).map(lambda parts: "{" + " ".join(parts) + "}"),
        st.lists(st.sampled_from(FRAGMENTS), max_size=10).map(lambda parts: "[" + " ".join(parts) + "]"),
        st.text(max_size=30),
    ),
    messages=st.lists(st.one_of(st.sampled_from(MESSAGES), st.text(max_size=40)), max_size=6),
)
def test_fuzz_patterns_raise_only_aws_errors_and_matchers_never_raise(pattern: str, messages: list[str]) -> None:
    try:
        match = compile_pattern(pattern)
    except AwsError as exc:
        assert exc.code == "InvalidParameterException"
        assert exc.message.startswith(("Invalid", "If a filter pattern starts with"))
        return
    for message in [*MESSAGES, *messages]:
        assert match(message) in (True, False)


@settings(max_examples=500, deadline=None)
@given(
    value=st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
        lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=3), children, max_size=3),
        max_leaves=10,
    )
)
def test_fuzz_json_messages_never_raise(value: object) -> None:
    message = json.dumps({"a": value, "b": [value]})
    for pattern in (
        "{ $.a = * }",
        "{ $.a.* > 1 }",
        "{ $.b[0][*] != x* }",
        "{ $.a = %^[a-z]+$% || $.a IS NULL && $.b[0] NOT EXISTS }",
        "{ $.* IS TRUE }",
        "{ $.a <= -1.5e3 }",
    ):
        assert compile_pattern(pattern)(message) in (True, False)
