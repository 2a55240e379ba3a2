"""GraphQL enums, registered on the domain's own Python enums so the two cannot drift apart."""

from __future__ import annotations

import strawberry

from models.enums import ReportEventType, ReportStatus, Role, Satisfaction, Visibility
from models.workflow import Action

strawberry.enum(
    ReportStatus,
    description="Where a report stands: SUBMITTED (awaiting triage), ASSIGNED (forwarded to an "
    "agency), IN_PROGRESS (acknowledged), RESOLVED (answered), CLOSED, REJECTED.",
)
strawberry.enum(Role, description="What an account may do.")
strawberry.enum(
    Visibility,
    description="Who may read a message: PUBLIC (everyone), PARTICIPANTS (the reporter and the "
    "staff handling the report), INTERNAL (staff only).",
)
strawberry.enum(Satisfaction, description="A citizen's rating of a result.")
strawberry.enum(ReportEventType, description="A step on a report's timeline.")
strawberry.enum(
    Action,
    name="WorkflowAction",
    description="What the viewer may do to a report now (for buttons in a console).",
)

__all__ = ["Action", "ReportEventType", "ReportStatus", "Role", "Satisfaction", "Visibility"]
