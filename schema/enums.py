"""GraphQL enums, generated from the domain's Python enums so the two cannot drift apart."""

from __future__ import annotations

import strawberry

from models import enums

ReportStatus = strawberry.enum(
    enums.ReportStatus,
    description="Where a report stands: SUBMITTED (awaiting triage), ASSIGNED (forwarded to an "
    "agency), IN_PROGRESS (acknowledged), RESOLVED (answered), CLOSED, REJECTED.",
)
Role = strawberry.enum(enums.Role, description="What an account may do.")
Visibility = strawberry.enum(
    enums.Visibility,
    description="Who may read a message: PUBLIC (everyone), PARTICIPANTS (the reporter and the "
    "staff handling the report), INTERNAL (staff only).",
)
Satisfaction = strawberry.enum(enums.Satisfaction, description="A citizen's rating of a result.")
ReportEventType = strawberry.enum(enums.ReportEventType, description="A step on the timeline.")
