"""The domain's closed vocabularies; the GraphQL enums are generated from these."""

from __future__ import annotations

import enum


class ReportStatus(enum.StrEnum):
    SUBMITTED = "SUBMITTED"
    ASSIGNED = "ASSIGNED"
    IN_PROGRESS = "IN_PROGRESS"
    RESOLVED = "RESOLVED"
    CLOSED = "CLOSED"
    REJECTED = "REJECTED"


class Role(enum.StrEnum):
    CITIZEN = "CITIZEN"
    COORDINATOR = "COORDINATOR"
    AGENCY_OFFICER = "AGENCY_OFFICER"
    ADMIN = "ADMIN"


class Visibility(enum.StrEnum):
    PUBLIC = "PUBLIC"
    PARTICIPANTS = "PARTICIPANTS"
    INTERNAL = "INTERNAL"


class Satisfaction(enum.StrEnum):
    VERY_SATISFIED = "VERY_SATISFIED"
    SATISFIED = "SATISFIED"
    DISSATISFIED = "DISSATISFIED"


class ReportEventType(enum.StrEnum):
    SUBMITTED = "SUBMITTED"
    ASSIGNED = "ASSIGNED"
    REJECTED = "REJECTED"
    ACKNOWLEDGED = "ACKNOWLEDGED"
    RETURNED = "RETURNED"
    RESOLVED = "RESOLVED"
    ANSWER_SENT_BACK = "ANSWER_SENT_BACK"
    REOPENED = "REOPENED"
    CLOSED = "CLOSED"
    DEADLINE_EXTENDED = "DEADLINE_EXTENDED"
    DEADLINE_APPROACHING = "DEADLINE_APPROACHING"
    OVERDUE = "OVERDUE"
    MESSAGE_POSTED = "MESSAGE_POSTED"
    RATED = "RATED"


class AttachmentPurpose(enum.StrEnum):
    """Where an attachment was added: with the report, a message, or the agency's answer."""

    REPORT = "REPORT"
    MESSAGE = "MESSAGE"
    RESOLUTION = "RESOLUTION"
