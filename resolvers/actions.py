"""One use case per workflow action; the shared mechanics live in resolvers.workflow.act."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select

from models import tables
from models.enums import AttachmentPurpose, ReportStatus, Satisfaction, Visibility
from models.errors import DomainError, UserErrorCode
from models.media import MediaStore
from models.workflow import Action
from resolvers import ratelimits
from resolvers.attachments import attachment_rows, discard, save_uploads
from resolvers.places import suggested_agency_id, work_calendar
from resolvers.workflow import Apply, Step, act, note_text
from schema.context import Context

MAX_RESPONSE = 10_000
RATING_CHANGE_WINDOW = timedelta(days=7)


def _future(due_at: datetime, now: datetime, field: str = "dueAt") -> datetime:
    if due_at.tzinfo is None:
        raise DomainError(UserErrorCode.INVALID_INPUT, "Give a time with its UTC offset.", field)
    if due_at <= now:
        raise DomainError(UserErrorCode.INVALID_INPUT, "The due date must be in the future.", field)
    return due_at


async def assign_report(
    ctx: Context,
    report_id: int,
    agency_id: int | None,
    due_at: datetime | None,
    note: str | None,
    expected_version: int | None,
) -> tables.Report:
    """Forward (or re-route) to an agency: the suggested one by default, due in working days."""

    async def apply(step: Step) -> None:
        session, report = step.session, step.report
        chosen = agency_id or await suggested_agency_id(session, report.category_id, report.area_id)
        if chosen is None:
            raise DomainError(
                UserErrorCode.INVALID_INPUT, "No routing rule here: choose an agency.", "agencyId"
            )
        agency = await session.get(tables.Agency, chosen)
        if agency is None or not agency.is_active:
            raise DomainError(UserErrorCode.NOT_FOUND, "No such agency.", "agencyId")
        if due_at is not None:
            report.due_at = _future(due_at, step.now)
        else:
            category = await session.get_one(tables.Category, report.category_id)
            calendar = await work_calendar(session)
            report.due_at = calendar.add_working_days(step.now, category.default_due_days)
        report.assigned_agency_id = agency.id
        report.overdue_notified_at = None
        report.deadline_warned_at = None
        step.note = note_text(note) or f"Chuyển {agency.name} xử lý."

    return await act(ctx, report_id, Action.ASSIGN, apply, expected_version=expected_version)


async def reject_report(
    ctx: Context,
    report_id: int,
    reason: str | None,
    duplicate_of_id: int | None,
    expected_version: int | None,
) -> tables.Report:
    """Refuse at triage with a reason, or as a duplicate: its author then follows the original."""

    async def apply(step: Step) -> None:
        text = note_text(reason, "reason", required=duplicate_of_id is None)
        if duplicate_of_id is not None:
            if duplicate_of_id == step.report.id:
                raise DomainError(
                    UserErrorCode.INVALID_INPUT, "Not a duplicate of itself.", "duplicateOfId"
                )
            original = await step.session.get(tables.Report, duplicate_of_id)
            if original is None:
                raise DomainError(UserErrorCode.NOT_FOUND, "No such report.", "duplicateOfId")
            step.report.duplicate_of_id = original.id
            text = text or f"Trùng với phản ánh {original.code}."
        step.note = text

    return await act(ctx, report_id, Action.REJECT, apply, expected_version=expected_version)


async def acknowledge_report(
    ctx: Context, report_id: int, note: str | None, expected_version: int | None
) -> tables.Report:
    async def apply(step: Step) -> None:
        step.note = note_text(note)
        if step.report.first_response_at is None:
            step.report.first_response_at = step.now

    return await act(ctx, report_id, Action.ACKNOWLEDGE, apply, expected_version=expected_version)


async def return_report(
    ctx: Context, report_id: int, note: str | None, expected_version: int | None
) -> tables.Report:
    """Not within the agency's competence: back to triage, off the agency's desk."""

    async def apply(step: Step) -> None:
        step.note = note_text(note, required=True)
        step.report.assigned_agency_id = None
        step.report.due_at = None

    return await act(ctx, report_id, Action.RETURN, apply, expected_version=expected_version)


async def resolve_report(
    ctx: Context,
    report_id: int,
    response: str,
    uploads: Sequence[bytes],
    expected_version: int | None,
) -> tables.Report:
    """The agency's answer, with photos; public like the report."""
    text = note_text(response, "response", required=True)
    if text and len(text) > MAX_RESPONSE:
        raise DomainError(UserErrorCode.INVALID_INPUT, "The answer is too long.", "response")
    store = MediaStore(ctx.settings.media_dir)
    saved = await save_uploads(store, uploads)

    async def apply(step: Step) -> None:
        step.note = text
        step.report.resolved_at = step.now
        if step.report.first_response_at is None:
            step.report.first_response_at = step.now
        step.session.add_all(
            attachment_rows(saved, step.report.id, AttachmentPurpose.RESOLUTION, Visibility.PUBLIC)
        )

    try:
        return await act(ctx, report_id, Action.RESOLVE, apply, expected_version=expected_version)
    except BaseException:
        discard(store, saved)
        raise


async def send_back_answer(
    ctx: Context, report_id: int, note: str | None, expected_version: int | None
) -> tables.Report:
    """The coordinator finds the answer unfit: back to the agency, with the reason."""

    async def apply(step: Step) -> None:
        step.note = note_text(note, required=True)
        step.report.resolved_at = None

    return await act(ctx, report_id, Action.SEND_BACK, apply, expected_version=expected_version)


async def reopen_report(
    ctx: Context, report_id: int, note: str | None, expected_version: int | None
) -> tables.Report:
    """Back to the same agency (or to triage, for a wrong rejection), with a new deadline."""

    async def apply(step: Step) -> None:
        report = step.report
        step.note = note_text(note, required=True)
        report.resolved_at = None
        report.closed_at = None
        if report.assigned_agency_id is not None:
            category = await step.session.get_one(tables.Category, report.category_id)
            calendar = await work_calendar(step.session)
            report.due_at = calendar.add_working_days(step.now, category.default_due_days)
            report.overdue_notified_at = None
            report.deadline_warned_at = None
        else:
            report.duplicate_of_id = None

    return await act(ctx, report_id, Action.REOPEN, apply, expected_version=expected_version)


async def extend_deadline(
    ctx: Context, report_id: int, due_at: datetime, reason: str, expected_version: int | None
) -> tables.Report:
    async def apply(step: Step) -> None:
        new_due = _future(due_at, step.now)
        if step.report.due_at is not None and new_due <= step.report.due_at:
            raise DomainError(
                UserErrorCode.INVALID_INPUT, "An extension moves the date later.", "dueAt"
            )
        step.note = note_text(reason, "reason", required=True)
        step.report.due_at = new_due
        step.report.overdue_notified_at = None
        step.report.deadline_warned_at = None

    return await act(
        ctx, report_id, Action.EXTEND_DEADLINE, apply, expected_version=expected_version
    )


async def close_report(
    ctx: Context, report_id: int, note: str | None, expected_version: int | None
) -> tables.Report:
    async def apply(step: Step) -> None:
        step.note = note_text(note)
        step.report.closed_at = step.now

    return await act(ctx, report_id, Action.CLOSE, apply, expected_version=expected_version)


async def rate_report(
    ctx: Context, report_id: int, satisfaction: Satisfaction, comment: str | None
) -> tables.Report:
    """The reporter rates the result; a satisfied rating closes the report, a dissatisfied one
    goes to the coordinator's triage queue (the RATED event) instead of closing it.
    """
    text = note_text(comment, "comment")
    await ratelimits.enforce(ctx, "rating")

    async def apply(step: Step) -> None:
        row = await step.session.scalar(
            select(tables.Rating).where(tables.Rating.report_id == step.report.id)
        )
        if row is None:
            row = tables.Rating(
                report_id=step.report.id,
                satisfaction=satisfaction,
                comment=text,
                agency_id=step.report.assigned_agency_id,
                rated_at=step.now,
                updated_at=step.now,
            )
            step.session.add(row)
        elif step.now - row.rated_at > RATING_CHANGE_WINDOW:
            raise DomainError(
                UserErrorCode.RATING_CLOSED, "A rating can be changed for 7 days only."
            )
        else:
            row.satisfaction, row.comment, row.updated_at = satisfaction, text, step.now
        await step.session.flush()
        step.rating_id = row.id
        step.note = text

    def close_if_satisfied(report: tables.Report) -> tuple[Action, Apply] | None:
        if satisfaction is not Satisfaction.DISSATISFIED and report.status is ReportStatus.RESOLVED:
            return Action.CLOSE, _close_by_rating
        return None

    return await act(ctx, report_id, Action.RATE, apply, then=close_if_satisfied)


async def _close_by_rating(step: Step) -> None:
    step.report.closed_at = step.now
    step.note = "Người phản ánh đã đánh giá kết quả."
