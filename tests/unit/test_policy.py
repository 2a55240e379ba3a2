"""Every row of the visibility policy, without I/O."""

from __future__ import annotations

import pytest

from models import tables
from models.enums import ReportStatus, Role, Visibility
from models.policy import (
    ANONYMOUS,
    ANONYMOUS_REPORTER_LABEL,
    Actor,
    can_see_report,
    may_see_reporter_phone,
    reporter_label,
    visible_scopes,
)

REPORTER = Actor(user_id=1, role=Role.CITIZEN)
OTHER_CITIZEN = Actor(user_id=2, role=Role.CITIZEN)
COORDINATOR = Actor(user_id=3, role=Role.COORDINATOR)
ADMIN = Actor(user_id=4, role=Role.ADMIN)
OFFICER = Actor(user_id=5, role=Role.AGENCY_OFFICER, agency_id=10)
OTHER_OFFICER = Actor(user_id=6, role=Role.AGENCY_OFFICER, agency_id=11)
ALL = frozenset(Visibility)
PARTICIPANTS = frozenset({Visibility.PUBLIC, Visibility.PARTICIPANTS})
PUBLIC = frozenset({Visibility.PUBLIC})


def _report(*, public: bool, anonymous: bool = False) -> tables.Report:
    return tables.Report(
        id=1,
        reporter_id=1,
        status=ReportStatus.ASSIGNED if public else ReportStatus.SUBMITTED,
        is_public=public,
        is_anonymous=anonymous,
        assigned_agency_id=10 if public else None,
    )


@pytest.mark.parametrize(
    ("actor", "public", "sees"),
    [
        (ANONYMOUS, True, True),
        (ANONYMOUS, False, False),
        (REPORTER, False, True),
        (OTHER_CITIZEN, False, False),
        (COORDINATOR, False, True),
        (ADMIN, False, True),
        (OFFICER, True, True),
        (OFFICER, False, False),
        (OTHER_OFFICER, True, True),
        (OTHER_OFFICER, False, False),
    ],
)
def test_who_sees_a_report(actor: Actor, public: bool, sees: bool) -> None:
    assert can_see_report(actor, _report(public=public)) is sees


@pytest.mark.parametrize(
    ("actor", "scopes"),
    [
        (ANONYMOUS, PUBLIC),
        (REPORTER, PARTICIPANTS),
        (OTHER_CITIZEN, PUBLIC),
        (COORDINATOR, ALL),
        (ADMIN, ALL),
        (OFFICER, ALL),
        (OTHER_OFFICER, PUBLIC),
    ],
)
def test_which_message_scopes_each_actor_reads(actor: Actor, scopes: frozenset[Visibility]) -> None:
    assert visible_scopes(actor, _report(public=True)) == scopes


@pytest.mark.parametrize(
    ("actor", "sees"),
    [
        (ANONYMOUS, False),
        (REPORTER, True),
        (OTHER_CITIZEN, False),
        (COORDINATOR, True),
        (OFFICER, True),
        (OTHER_OFFICER, False),
    ],
)
def test_who_sees_the_reporters_phone(actor: Actor, sees: bool) -> None:
    assert may_see_reporter_phone(actor, _report(public=True)) is sees


@pytest.mark.parametrize(
    ("actor", "sees_name"),
    [
        (ANONYMOUS, False),
        (REPORTER, True),
        (OTHER_CITIZEN, False),
        (COORDINATOR, True),
        (OFFICER, True),
        (OTHER_OFFICER, False),
    ],
)
def test_anonymous_reporters_name_only_for_handling_staff(actor: Actor, sees_name: bool) -> None:
    label = reporter_label(actor, _report(public=True, anonymous=True), "Lê Văn Hùng")
    assert (label == "Lê Văn Hùng") is sees_name
    if not sees_name:
        assert label == ANONYMOUS_REPORTER_LABEL
