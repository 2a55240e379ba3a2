"""The fuzz's oracle flags each kind of unsafe answer, and only those: no I/O, no server."""

from __future__ import annotations

import json

from tests.fuzz.operations import TYPE_NAMES
from tests.fuzz.oracle import Exchange, problems
from tests.fuzz.world import CANARY_NAME, CANARY_PHONE, SECRETS

CLEAN = {"data": {"reports": {"totalCount": 2}}}


def _answer(body: object, status: int = 200) -> Exchange:
    return Exchange(status, json.dumps(body))


def _error(message: str, code: str = "BAD_USER_INPUT") -> Exchange:
    return _answer({"data": None, "errors": [{"message": message, "extensions": {"code": code}}]})


def _problems(exchange: Exchange, role: str = "anonymous") -> list[str]:
    return problems(role, exchange, SECRETS[role], TYPE_NAMES)


def test_a_clean_answer_has_no_problem() -> None:
    assert _problems(_answer(CLEAN)) == []


def test_a_client_error_has_no_problem() -> None:
    assert _problems(_error("Expected the id of a Report.")) == []


def test_a_5xx_is_a_problem() -> None:
    assert _problems(Exchange(502, "Bad gateway")) == ["HTTP 502"]


def test_a_dropped_connection_is_a_problem() -> None:
    exchange = Exchange(0, "", dropped="ReadError('Connection reset by peer')")
    assert _problems(exchange) == [
        "the server dropped the connection (ReadError('Connection reset by peer'))"
    ]


def test_an_exception_in_the_app_after_the_answer_is_a_problem() -> None:
    exchange = Exchange(200, json.dumps(CLEAN), server_failure="the app raised KeyError: 'x'")
    assert _problems(exchange) == ["the app raised KeyError: 'x'"]


def test_a_masked_internal_error_is_a_problem() -> None:
    assert _problems(_error("Internal server error.", "INTERNAL_SERVER_ERROR")) == [
        "an INTERNAL_SERVER_ERROR at None"
    ]


def test_a_stack_trace_in_an_error_is_a_problem() -> None:
    found = _problems(_error('Traceback (most recent call last):\n  File "x.py", line 1'))
    assert "error shows internals ('Traceback')" in found


def test_sql_in_a_user_error_is_a_problem() -> None:
    payload = {"userErrors": [{"code": "X", "message": "SELECT reports.id FROM reports"}]}
    found = _problems(_answer({"data": {"submitReport": payload}}))
    assert "userError shows internals ('SELECT ')" in found


def test_a_driver_name_in_an_error_is_a_problem() -> None:
    assert "error shows internals ('asyncpg')" in _problems(_error("asyncpg: connection lost"))


def test_a_python_class_name_in_an_error_is_a_problem() -> None:
    found = _problems(_error("'NoneType' object has no attribute 'id' (AttributeError)"))
    assert "error names the Python class 'AttributeError'" in found


def test_a_graphql_type_name_in_an_error_is_not_a_problem() -> None:
    assert _problems(_error("Cannot query field 'nope' on type 'UserError'.")) == []


def test_the_canary_phone_is_a_problem_for_an_anonymous_visitor() -> None:
    body = {"data": {"report": {"reporter": {"phone": CANARY_PHONE}}}}
    assert _problems(_answer(body)) == [
        f"anonymous received the secret {CANARY_PHONE!r}",
        "anonymous received the secret '900000077'",
    ]


def test_the_canary_name_is_found_even_when_json_escapes_it() -> None:
    text = json.dumps({"data": {"report": {"reporter": {"displayName": CANARY_NAME}}}})
    assert "\\u" in text
    assert _problems(Exchange(200, text), "citizen") == [
        f"citizen received the secret {CANARY_NAME!r}"
    ]


def test_the_canary_is_no_problem_for_a_coordinator() -> None:
    body = {"data": {"report": {"reporter": {"displayName": CANARY_NAME, "phone": CANARY_PHONE}}}}
    assert _problems(_answer(body), "coordinator") == []
