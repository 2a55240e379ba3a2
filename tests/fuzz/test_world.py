"""The fuzzed world is what the leak check assumes: its secrets are there to leak.

A coordinator reads every canary secret, so a role that may not would see them if the
policy let it; anonymous visitors and citizens can reach the public canary report, so the
fuzz exercises the report itself and not only "not found".
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.fuzz.conftest import Caller
from tests.fuzz.live import LiveServer
from tests.fuzz.operations import TYPE_NAMES
from tests.fuzz.oracle import problems
from tests.fuzz.world import (
    CANARY_NAME,
    CANARY_PHONE,
    INTERNAL_BODY,
    PARTICIPANTS_BODY,
    SECRETS,
)

READ = """
query {
  report(id: "%s") {
    reporter { displayName phone }
    messages(first: 20) { edges { node { body } } }
  }
}
"""


def _read(caller: Caller, role: str, report_id: str) -> tuple[Any, list[str]]:
    """The report as `role` reads it, and what the oracle finds wrong with the answer."""
    exchange = caller.post(role, READ % report_id)
    found = problems(role, exchange, SECRETS[role], TYPE_NAMES)
    return json.loads(exchange.text)["data"]["report"], found


@pytest.mark.parametrize("report", ["public", "submitted"])
def test_a_coordinator_reads_every_canary_secret(
    caller: Caller, live_server: LiveServer, report: str
) -> None:
    seeded = live_server.seeded
    report_id = (
        seeded.public_canary_report if report == "public" else seeded.submitted_canary_report
    )
    read, _ = _read(caller, "coordinator", report_id)
    text = json.dumps(read, ensure_ascii=False)
    for secret in (CANARY_PHONE, CANARY_NAME, PARTICIPANTS_BODY, INTERNAL_BODY):
        assert secret in text, (secret, read)


@pytest.mark.parametrize("role", ["anonymous", "citizen"])
def test_the_public_canary_report_reaches_others_without_its_secrets(
    caller: Caller, live_server: LiveServer, role: str
) -> None:
    read, found = _read(caller, role, live_server.seeded.public_canary_report)
    assert read is not None
    assert read["messages"]["edges"], read
    assert found == []
