"""Every table in one namespace: `from models import tables` then `tables.Report`."""

from models.accounts import PhoneVerification, RefreshToken
from models.audit import AuditEntry
from models.base import Base
from models.directory import Agency, Category, Holiday, Routing, agency_categories
from models.follows import Follow
from models.geo import Area
from models.partners import ApiKey
from models.reports import (
    Attachment,
    Message,
    Rating,
    Report,
    ReportCodeCounter,
    ReportEvent,
)
from models.tallies import ReportDurationTally, ReportRatingTally, ReportTally
from models.users import User

__all__ = [
    "Agency",
    "ApiKey",
    "Area",
    "Attachment",
    "AuditEntry",
    "Base",
    "Category",
    "Follow",
    "Holiday",
    "Message",
    "PhoneVerification",
    "Rating",
    "RefreshToken",
    "Report",
    "ReportCodeCounter",
    "ReportDurationTally",
    "ReportEvent",
    "ReportRatingTally",
    "ReportTally",
    "Routing",
    "User",
    "agency_categories",
]
