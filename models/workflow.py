"""The report workflow: every (status, action) step, who may take it and the event it writes."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from models import tables
from models.enums import ReportEventType, ReportStatus
from models.policy import Actor, handles_report, is_reporter


class Action(enum.StrEnum):
    """What can be done to an existing report (submission creates it, so it is not an action)."""

    ASSIGN = "ASSIGN"
    REJECT = "REJECT"
    ACKNOWLEDGE = "ACKNOWLEDGE"
    RETURN = "RETURN"
    RESOLVE = "RESOLVE"
    SEND_BACK = "SEND_BACK"
    REOPEN = "REOPEN"
    EXTEND_DEADLINE = "EXTEND_DEADLINE"
    CLOSE = "CLOSE"
    RATE = "RATE"
    POST_MESSAGE = "POST_MESSAGE"


class Performer(enum.StrEnum):
    """Who may take a step, relative to the report."""

    REPORTER = "REPORTER"
    COORDINATOR = "COORDINATOR"
    ASSIGNED_OFFICER = "ASSIGNED_OFFICER"
    SYSTEM = "SYSTEM"
    PARTICIPANT = "PARTICIPANT"


@dataclass(frozen=True)
class Transition:
    to_status: ReportStatus
    performers: frozenset[Performer]
    event_type: ReportEventType


# Background tasks act as this exact object; it equals an anonymous Actor by value, so it is only
# ever recognised by identity and an anonymous request can never pass for the system.
SYSTEM_ACTOR: Final = Actor(user_id=None, role=None)

_REPORTER = frozenset({Performer.REPORTER})
_COORDINATOR = frozenset({Performer.COORDINATOR})
_OFFICER = frozenset({Performer.ASSIGNED_OFFICER})
_COORDINATOR_OR_OFFICER = frozenset({Performer.COORDINATOR, Performer.ASSIGNED_OFFICER})
_PARTICIPANT = frozenset({Performer.PARTICIPANT})

_S = ReportStatus
_A = Action
_E = ReportEventType

TRANSITIONS: Mapping[tuple[ReportStatus, Action], Transition] = MappingProxyType(
    {
        # --- Triage ---------------------------------------------------------------------------
        (_S.SUBMITTED, _A.ASSIGN): Transition(_S.ASSIGNED, _COORDINATOR, _E.ASSIGNED),
        (_S.SUBMITTED, _A.REJECT): Transition(_S.REJECTED, _COORDINATOR, _E.REJECTED),
        (_S.SUBMITTED, _A.POST_MESSAGE): Transition(_S.SUBMITTED, _PARTICIPANT, _E.MESSAGE_POSTED),
        # --- With an agency, not yet acknowledged ---------------------------------------------
        (_S.ASSIGNED, _A.ACKNOWLEDGE): Transition(_S.IN_PROGRESS, _OFFICER, _E.ACKNOWLEDGED),
        # Not within the agency's competence: back to triage, never back to the citizen.
        (_S.ASSIGNED, _A.RETURN): Transition(_S.SUBMITTED, _OFFICER, _E.RETURNED),
        # Re-routing keeps the same report, so the citizen never files again.
        (_S.ASSIGNED, _A.ASSIGN): Transition(_S.ASSIGNED, _COORDINATOR, _E.ASSIGNED),
        # The officer knows best when more time is needed; the use case insists on a reason.
        (_S.ASSIGNED, _A.EXTEND_DEADLINE): Transition(
            _S.ASSIGNED, _COORDINATOR_OR_OFFICER, _E.DEADLINE_EXTENDED
        ),
        # A simple report can be answered at once; making the agency acknowledge first adds nothing.
        (_S.ASSIGNED, _A.RESOLVE): Transition(_S.RESOLVED, _OFFICER, _E.RESOLVED),
        (_S.ASSIGNED, _A.POST_MESSAGE): Transition(_S.ASSIGNED, _PARTICIPANT, _E.MESSAGE_POSTED),
        # --- Being handled --------------------------------------------------------------------
        (_S.IN_PROGRESS, _A.RESOLVE): Transition(_S.RESOLVED, _OFFICER, _E.RESOLVED),
        (_S.IN_PROGRESS, _A.RETURN): Transition(_S.SUBMITTED, _OFFICER, _E.RETURNED),
        (_S.IN_PROGRESS, _A.ASSIGN): Transition(_S.ASSIGNED, _COORDINATOR, _E.ASSIGNED),
        (_S.IN_PROGRESS, _A.EXTEND_DEADLINE): Transition(
            _S.IN_PROGRESS, _COORDINATOR_OR_OFFICER, _E.DEADLINE_EXTENDED
        ),
        (_S.IN_PROGRESS, _A.POST_MESSAGE): Transition(
            _S.IN_PROGRESS, _PARTICIPANT, _E.MESSAGE_POSTED
        ),
        # --- Answered -------------------------------------------------------------------------
        # An unfit answer goes back to the same agency's desk, already acknowledged.
        (_S.RESOLVED, _A.SEND_BACK): Transition(_S.IN_PROGRESS, _COORDINATOR, _E.ANSWER_SENT_BACK),
        # Rating and closing are separate steps: a DISSATISFIED rating must not close the report,
        # and only the use case knows the satisfaction, so it plans CLOSE after RATE when it may.
        (_S.RESOLVED, _A.RATE): Transition(_S.RESOLVED, _REPORTER, _E.RATED),
        (_S.RESOLVED, _A.CLOSE): Transition(
            _S.CLOSED,
            frozenset({Performer.REPORTER, Performer.SYSTEM, Performer.COORDINATOR}),
            _E.CLOSED,
        ),
        # Reopening starts a new round with a (possibly new) agency and a new deadline.
        (_S.RESOLVED, _A.REOPEN): Transition(_S.ASSIGNED, _COORDINATOR, _E.REOPENED),
        (_S.RESOLVED, _A.POST_MESSAGE): Transition(_S.RESOLVED, _PARTICIPANT, _E.MESSAGE_POSTED),
        # --- Closed ---------------------------------------------------------------------------
        (_S.CLOSED, _A.REOPEN): Transition(_S.ASSIGNED, _COORDINATOR, _E.REOPENED),
        # The reporter may change the rating for a while; the 7-day limit is in the use case.
        (_S.CLOSED, _A.RATE): Transition(_S.CLOSED, _REPORTER, _E.RATED),
        # "It is not fixed" after closing must still reach someone, not a dead end.
        (_S.CLOSED, _A.POST_MESSAGE): Transition(_S.CLOSED, _PARTICIPANT, _E.MESSAGE_POSTED),
        # --- Rejected -------------------------------------------------------------------------
        # A wrong rejection goes back to triage: who handles it is decided there, not here.
        (_S.REJECTED, _A.REOPEN): Transition(_S.SUBMITTED, _COORDINATOR, _E.REOPENED),
        # Only the coordinator explains a rejection, so the thread cannot become a dispute channel.
        (_S.REJECTED, _A.POST_MESSAGE): Transition(_S.REJECTED, _COORDINATOR, _E.MESSAGE_POSTED),
    }
)

# A report becomes public when the coordinator forwards it, so triage keeps spam and private
# data off the public map; `is_public` is never unset, so later forwards change nothing.
PUBLISHING_ACTIONS: frozenset[Action] = frozenset({Action.ASSIGN})


class TransitionError(Exception):
    """A workflow step that cannot be taken; `code` is the stable code for `userErrors`."""

    code: str = "TRANSITION_ERROR"

    def __init__(self, status: ReportStatus, action: Action, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.action = action


class InvalidTransitionError(TransitionError):
    code = "INVALID_TRANSITION"


class NotPermittedError(TransitionError):
    code = "FORBIDDEN"


def performers_of(actor: Actor, report: tables.Report) -> frozenset[Performer]:
    """Every performer this actor counts as on this report."""
    found: set[Performer] = set()
    if actor is SYSTEM_ACTOR:
        found.add(Performer.SYSTEM)
    if is_reporter(actor, report):
        found.add(Performer.REPORTER)
    if actor.is_coordinator:
        found.add(Performer.COORDINATOR)
    if actor.is_officer and actor.agency_id == report.assigned_agency_id:
        found.add(Performer.ASSIGNED_OFFICER)
    if is_reporter(actor, report) or handles_report(actor, report):
        found.add(Performer.PARTICIPANT)
    return frozenset(found)


def plan(report: tables.Report, action: Action, actor: Actor) -> Transition:
    """The step `actor` may take with `action` on `report`; the report itself is not changed."""
    transition = TRANSITIONS.get((report.status, action))
    if transition is None:
        raise InvalidTransitionError(
            report.status, action, f"{action} is not possible on a {report.status} report."
        )
    if not transition.performers & performers_of(actor, report):
        raise NotPermittedError(
            report.status, action, f"You may not {action} this {report.status} report."
        )
    return transition


def allowed_actions(report: tables.Report, actor: Actor) -> list[Action]:
    """What this actor may do to this report now, in `Action` order, for buttons in a UI."""
    performers = performers_of(actor, report)
    return [
        action
        for action in Action
        if (transition := TRANSITIONS.get((report.status, action))) is not None
        and transition.performers & performers
    ]
