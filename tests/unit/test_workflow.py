"""Every (status, action) pair of the report workflow, for every kind of actor, without I/O."""

from __future__ import annotations

import itertools

import pytest

from models import tables
from models.enums import ReportEventType, ReportStatus, Role
from models.policy import ANONYMOUS, Actor
from models.workflow import (
    PUBLISHING_ACTIONS,
    SYSTEM_ACTOR,
    Action,
    InvalidTransitionError,
    NotPermittedError,
    Performer,
    TransitionError,
    allowed_actions,
    performers_of,
    plan,
)

S = ReportStatus
A = Action
E = ReportEventType

ACTORS: dict[str, Actor] = {
    "anonymous": ANONYMOUS,
    "reporter": Actor(user_id=1, role=Role.CITIZEN),
    "other_citizen": Actor(user_id=2, role=Role.CITIZEN),
    "coordinator": Actor(user_id=3, role=Role.COORDINATOR),
    "admin": Actor(user_id=4, role=Role.ADMIN),
    "officer": Actor(user_id=5, role=Role.AGENCY_OFFICER, agency_id=10),
    "other_officer": Actor(user_id=6, role=Role.AGENCY_OFFICER, agency_id=11),
    "system": SYSTEM_ACTOR,
}

# Written from PRODUCT.md independently of models.workflow.TRANSITIONS, so that a slip in one
# shows up as a failure here instead of being copied into the expectation.
COORDINATORS = frozenset({"coordinator", "admin"})
OFFICER = frozenset({"officer"})
COORDINATORS_OR_OFFICER = COORDINATORS | OFFICER
REPORTER = frozenset({"reporter"})
PARTICIPANTS = frozenset({"reporter", "coordinator", "admin", "officer"})

EXPECTED: dict[
    tuple[ReportStatus, Action], tuple[ReportStatus, ReportEventType, frozenset[str]]
] = {
    (S.SUBMITTED, A.ASSIGN): (S.ASSIGNED, E.ASSIGNED, COORDINATORS),
    (S.SUBMITTED, A.REJECT): (S.REJECTED, E.REJECTED, COORDINATORS),
    (S.SUBMITTED, A.POST_MESSAGE): (S.SUBMITTED, E.MESSAGE_POSTED, PARTICIPANTS),
    (S.ASSIGNED, A.ACKNOWLEDGE): (S.IN_PROGRESS, E.ACKNOWLEDGED, OFFICER),
    (S.ASSIGNED, A.RETURN): (S.SUBMITTED, E.RETURNED, OFFICER),
    (S.ASSIGNED, A.ASSIGN): (S.ASSIGNED, E.ASSIGNED, COORDINATORS),
    (S.ASSIGNED, A.EXTEND_DEADLINE): (S.ASSIGNED, E.DEADLINE_EXTENDED, COORDINATORS_OR_OFFICER),
    (S.ASSIGNED, A.RESOLVE): (S.RESOLVED, E.RESOLVED, OFFICER),
    (S.ASSIGNED, A.POST_MESSAGE): (S.ASSIGNED, E.MESSAGE_POSTED, PARTICIPANTS),
    (S.IN_PROGRESS, A.RESOLVE): (S.RESOLVED, E.RESOLVED, OFFICER),
    (S.IN_PROGRESS, A.RETURN): (S.SUBMITTED, E.RETURNED, OFFICER),
    (S.IN_PROGRESS, A.ASSIGN): (S.ASSIGNED, E.ASSIGNED, COORDINATORS),
    (S.IN_PROGRESS, A.EXTEND_DEADLINE): (
        S.IN_PROGRESS,
        E.DEADLINE_EXTENDED,
        COORDINATORS_OR_OFFICER,
    ),
    (S.IN_PROGRESS, A.POST_MESSAGE): (S.IN_PROGRESS, E.MESSAGE_POSTED, PARTICIPANTS),
    (S.RESOLVED, A.SEND_BACK): (S.IN_PROGRESS, E.ANSWER_SENT_BACK, COORDINATORS),
    (S.RESOLVED, A.RATE): (S.RESOLVED, E.RATED, REPORTER),
    (S.RESOLVED, A.CLOSE): (S.CLOSED, E.CLOSED, REPORTER | COORDINATORS | {"system"}),
    (S.RESOLVED, A.REOPEN): (S.ASSIGNED, E.REOPENED, COORDINATORS),
    (S.RESOLVED, A.POST_MESSAGE): (S.RESOLVED, E.MESSAGE_POSTED, PARTICIPANTS),
    (S.CLOSED, A.REOPEN): (S.ASSIGNED, E.REOPENED, COORDINATORS),
    (S.CLOSED, A.RATE): (S.CLOSED, E.RATED, REPORTER),
    (S.CLOSED, A.POST_MESSAGE): (S.CLOSED, E.MESSAGE_POSTED, PARTICIPANTS),
    (S.REJECTED, A.REOPEN): (S.SUBMITTED, E.REOPENED, COORDINATORS),
    (S.REJECTED, A.POST_MESSAGE): (S.REJECTED, E.MESSAGE_POSTED, COORDINATORS),
}

ALL_PAIRS = list(itertools.product(ReportStatus, Action))
ALLOWED_PAIRS = [pair for pair in ALL_PAIRS if pair in EXPECTED]
DISALLOWED_PAIRS = [pair for pair in ALL_PAIRS if pair not in EXPECTED]
PERMITTED = [
    (status, action, name)
    for (status, action), (_, _, names) in EXPECTED.items()
    for name in ACTORS
    if name in names
]
NOT_PERMITTED = [
    (status, action, name)
    for (status, action), (_, _, names) in EXPECTED.items()
    for name in ACTORS
    if name not in names
]


def _report(status: ReportStatus, *, assigned_agency_id: int | None = 10) -> tables.Report:
    return tables.Report(
        id=1,
        reporter_id=1,
        status=status,
        assigned_agency_id=assigned_agency_id,
        is_public=True,
    )


def _pair_id(pair: tuple[ReportStatus, Action]) -> str:
    return f"{pair[0]}-{pair[1]}"


@pytest.mark.parametrize(("status", "action"), ALLOWED_PAIRS, ids=map(_pair_id, ALLOWED_PAIRS))
def test_allowed_step_leads_to_the_expected_status_and_event(
    status: ReportStatus, action: Action
) -> None:
    to_status, event_type, names = EXPECTED[status, action]
    actor = ACTORS[sorted(names)[0]]

    transition = plan(_report(status), action, actor)

    assert (transition.to_status, transition.event_type) == (to_status, event_type)


@pytest.mark.parametrize(
    ("status", "action", "actor_name"),
    [(status, action, name) for (status, action) in DISALLOWED_PAIRS for name in ACTORS],
)
def test_impossible_step_is_an_invalid_transition_for_everyone(
    status: ReportStatus, action: Action, actor_name: str
) -> None:
    with pytest.raises(InvalidTransitionError):
        plan(_report(status), action, ACTORS[actor_name])


@pytest.mark.parametrize(("status", "action", "actor_name"), PERMITTED)
def test_permitted_actor_may_take_the_step(
    status: ReportStatus, action: Action, actor_name: str
) -> None:
    transition = plan(_report(status), action, ACTORS[actor_name])

    assert transition.to_status == EXPECTED[status, action][0]


@pytest.mark.parametrize(("status", "action", "actor_name"), NOT_PERMITTED)
def test_other_actor_is_not_permitted(
    status: ReportStatus, action: Action, actor_name: str
) -> None:
    with pytest.raises(NotPermittedError):
        plan(_report(status), action, ACTORS[actor_name])


@pytest.mark.parametrize(("status", "actor_name"), list(itertools.product(ReportStatus, ACTORS)))
def test_allowed_actions_lists_exactly_the_permitted_steps(
    status: ReportStatus, actor_name: str
) -> None:
    expected = [
        action
        for action in Action
        if (status, action) in EXPECTED and actor_name in EXPECTED[status, action][2]
    ]

    assert allowed_actions(_report(status), ACTORS[actor_name]) == expected


def test_planning_does_not_change_the_report() -> None:
    report = _report(ReportStatus.SUBMITTED)

    plan(report, Action.ASSIGN, ACTORS["coordinator"])

    assert report.status is ReportStatus.SUBMITTED


def test_only_forwarding_publishes_a_report() -> None:
    assert frozenset({Action.ASSIGN}) == PUBLISHING_ACTIONS


def test_invalid_transition_has_a_stable_code() -> None:
    error = InvalidTransitionError(ReportStatus.CLOSED, Action.RESOLVE, "no")

    assert isinstance(error, TransitionError)
    assert error.code == "INVALID_TRANSITION"


def test_not_permitted_has_the_forbidden_code() -> None:
    error = NotPermittedError(ReportStatus.RESOLVED, Action.RATE, "no")

    assert isinstance(error, TransitionError)
    assert error.code == "FORBIDDEN"


def test_invalid_transition_is_reported_before_permission() -> None:
    with pytest.raises(InvalidTransitionError) as raised:
        plan(_report(ReportStatus.CLOSED), Action.RESOLVE, ANONYMOUS)

    assert (raised.value.status, raised.value.action) == (ReportStatus.CLOSED, Action.RESOLVE)


def test_an_anonymous_actor_equal_to_the_system_actor_is_not_the_system() -> None:
    lookalike = Actor(user_id=None, role=None)

    assert lookalike == SYSTEM_ACTOR
    assert performers_of(lookalike, _report(ReportStatus.RESOLVED)) == frozenset()


def test_system_actor_counts_only_as_the_system() -> None:
    performers = performers_of(SYSTEM_ACTOR, _report(ReportStatus.RESOLVED))

    assert performers == frozenset({Performer.SYSTEM})


def test_admin_counts_as_coordinator_and_participant() -> None:
    performers = performers_of(ACTORS["admin"], _report(ReportStatus.ASSIGNED))

    assert performers == frozenset({Performer.COORDINATOR, Performer.PARTICIPANT})


def test_officer_of_the_assigned_agency_is_assigned_officer_and_participant() -> None:
    performers = performers_of(ACTORS["officer"], _report(ReportStatus.ASSIGNED))

    assert performers == frozenset({Performer.ASSIGNED_OFFICER, Performer.PARTICIPANT})


def test_officer_is_nobody_on_an_unassigned_report() -> None:
    report = _report(ReportStatus.SUBMITTED, assigned_agency_id=None)

    assert performers_of(ACTORS["officer"], report) == frozenset()


def test_reporter_is_reporter_and_participant() -> None:
    performers = performers_of(ACTORS["reporter"], _report(ReportStatus.RESOLVED))

    assert performers == frozenset({Performer.REPORTER, Performer.PARTICIPANT})
