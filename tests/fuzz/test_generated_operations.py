"""Fuzzing: operations generated from the schema, sent to the real server as each role.

hypothesis-graphql generates queries and mutations (three valid ones for every one with a
single schema violation) from the schema the server runs, and tests.fuzz.live serves the
real app with uvicorn on a loopback port, on the backend the rest of the suite uses. Each
generated operation is sent as an anonymous visitor, then a citizen, then a coordinator, so
the same operation is compared across roles; administrators get operations of their own,
last, because their mutations may disable the other roles' accounts. Tokens are issued
directly. The world and its canary are in tests.fuzz.world.

Every exchange must satisfy tests.fuzz.oracle: no 5xx and no dropped connection, no
exception in the app (even after it answered), no `INTERNAL_SERVER_ERROR` (a bug that
masking hid), no internals in an error (a Python class, a stack trace, a driver's name,
SQL), and none of the canary's personal data or hidden messages for anonymous visitors and
citizens.

How many operations: `FUZZ_EXAMPLES`, the budget of requests in all (default 2,100): half
queries, half mutations; of each half, one eighth goes to the administrator and the rest
is generated operations sent as each of the three other roles (306 operations × 3 roles
plus 131 for the administrator, per kind, by default). The long run:

    FUZZ_EXAMPLES=10000 .venv/bin/python -m pytest tests/fuzz -q

with `TEST_DATABASE_URL` / `TEST_BROADCAST_URL` for PostgreSQL and Redis, as for the suite.
The operations are derandomized (the same on every run), so a failure reproduces: hypothesis
prints the shrunk operation, and the assertion message adds the role and the response.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from tests.fuzz.conftest import Caller
from tests.fuzz.operations import TYPE_NAMES, Kind, OperationStrategies
from tests.fuzz.oracle import problems
from tests.fuzz.world import SECRETS

EVERY_OPERATION_ROLES = ("anonymous", "citizen", "coordinator")
TOTAL_OPERATIONS = int(os.environ.get("FUZZ_EXAMPLES") or 2100)
PER_KIND = TOTAL_OPERATIONS // 2
ADMIN_EXAMPLES = max(1, PER_KIND // 8)
SHARED_EXAMPLES = max(1, (PER_KIND - ADMIN_EXAMPLES) // len(EVERY_OPERATION_ROLES))


def fuzz_settings(max_examples: int) -> settings:
    return settings(
        max_examples=max_examples,
        # A request's time depends on the machine and the backend, not on the operation.
        deadline=None,
        # The same operations on every run, so that a CI failure reproduces anywhere.
        derandomize=True,
        # A derandomized run has no failures of other runs to replay first.
        database=None,
        suppress_health_check=[
            # Each example is an HTTP round trip or several: slower than hypothesis expects.
            HealthCheck.too_slow,
            # The server is per test, not per example, on purpose: the examples share a world
            # that their mutations change, as clients share a real server.
            HealthCheck.function_scoped_fixture,
        ],
    )


def _send(caller: Caller, role: str, operation: str) -> None:
    note(f"operation, as {role}:\n{operation}")
    exchange = caller.post(role, operation)
    note(f"HTTP {exchange.status}: {exchange.text[:2000]}")
    found = problems(role, exchange, SECRETS[role], TYPE_NAMES)
    assert not found, (
        f"as {role}: {found}\noperation:\n{operation}\nresponse: {exchange.text[:2000]}"
    )


def _operation(strategies: OperationStrategies, kind: Kind, data: st.DataObject) -> str:
    return data.draw(strategies.operations(kind), label=kind)


@fuzz_settings(SHARED_EXAMPLES)
@given(data=st.data())
def test_generated_queries_are_answered_safely_to_every_role(
    caller: Caller, operation_strategies: OperationStrategies, data: st.DataObject
) -> None:
    operation = _operation(operation_strategies, "query", data)
    for role in EVERY_OPERATION_ROLES:
        _send(caller, role, operation)


@fuzz_settings(SHARED_EXAMPLES)
@given(data=st.data())
def test_generated_mutations_are_answered_safely_to_every_role(
    caller: Caller, operation_strategies: OperationStrategies, data: st.DataObject
) -> None:
    operation = _operation(operation_strategies, "mutation", data)
    for role in EVERY_OPERATION_ROLES:
        _send(caller, role, operation)


@fuzz_settings(ADMIN_EXAMPLES)
@given(data=st.data())
def test_generated_queries_are_answered_safely_to_an_admin(
    caller: Caller, operation_strategies: OperationStrategies, data: st.DataObject
) -> None:
    _send(caller, "admin", _operation(operation_strategies, "query", data))


@fuzz_settings(ADMIN_EXAMPLES)
@given(data=st.data())
def test_generated_mutations_are_answered_safely_to_an_admin(
    caller: Caller, operation_strategies: OperationStrategies, data: st.DataObject
) -> None:
    _send(caller, "admin", _operation(operation_strategies, "mutation", data))
