"""Report mutations: submission, triage, the agency's work, messages and ratings."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

import strawberry
from strawberry.file_uploads import Upload

from models.enums import Satisfaction, Visibility
from models.errors import DomainError, UserErrorCode
from models.media import DEFAULT_LIMITS, MediaError, check_count
from resolvers import actions, messages, submission
from schema.context import Context, Info
from schema.errors import UserError, bad_input, user_errors
from schema.node import decode_int_id
from schema.reports import Report
from schema.timeline import Message

ReportCall = Callable[[], Awaitable[object]]
# A workflow step that takes only a note: acknowledge, return, send back, reopen, close.
NotedStep = Callable[[Context, int, str | None, int | None], Awaitable[object]]


async def read_uploads(files: list[Upload] | None) -> list[bytes]:
    """The bytes of uploaded files, refusing an oversize file before reading it all."""
    files = files or []
    try:
        check_count(len(files))
        contents: list[bytes] = []
        for index, upload in enumerate(files):
            if not hasattr(upload, "read"):
                # A plain string where a file belongs: the client skipped the multipart form.
                raise bad_input(
                    "Attachments are files sent as a GraphQL multipart request.",
                    field="attachments",
                )
            limit = DEFAULT_LIMITS.max_file_bytes
            data = await upload.read(limit + 1)
            if len(data) > limit:
                raise MediaError(
                    UserErrorCode.FILE_TOO_LARGE, f"File {index + 1} is larger than allowed.", index
                )
            contents.append(data)
        return contents
    finally:
        # Starlette spools uploads to temporary files that are ours to close.
        for upload in files:
            if hasattr(upload, "close"):
                await upload.close()


def _report_id(global_id: strawberry.ID) -> int:
    return decode_int_id(global_id, "Report", "reportId")


@strawberry.type(description="The report as it is after the mutation.")
class ReportPayload:
    report: Report | None = strawberry.field(description="The report; null when nothing changed.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing changed.")


@strawberry.type(description="The message as posted.")
class MessagePayload:
    message: Message | None = strawberry.field(description="The message; null when not posted.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing was posted.")


async def _report_payload(call: Callable[[], Awaitable[object]]) -> ReportPayload:
    try:
        row = await call()
    except DomainError as error:
        return ReportPayload(report=None, user_errors=user_errors(error))
    return ReportPayload(report=Report.from_model(row), user_errors=[])  # type: ignore[arg-type]


async def _noted_step(info: Info, input: ReportActionInput, step: NotedStep) -> ReportPayload:
    return await _report_payload(
        lambda: step(info.context, _report_id(input.report_id), input.note, input.expected_version)
    )


@strawberry.input(description="A citizen's new report.")
class SubmitReportInput:
    category_id: strawberry.ID = strawberry.field(description="The category.")
    title: str = strawberry.field(description="A short title (at most 200 characters).")
    description: str = strawberry.field(description="What is wrong (at most 5,000 characters).")
    latitude: float = strawberry.field(description="WGS 84 latitude of the problem.")
    longitude: float = strawberry.field(description="WGS 84 longitude of the problem.")
    address: str = strawberry.field(default="", description="The address, as the citizen says it.")
    attachments: list[Upload] | None = strawberry.field(
        default=None, description="Up to 5 photos (JPEG, PNG, WebP) or MP4 videos."
    )
    anonymous: bool = strawberry.field(
        default=False, description="Hide the reporter's name from the public and other citizens."
    )
    idempotency_key: str | None = strawberry.field(
        default=None,
        description="Sending the same key again returns the first report and creates nothing.",
    )
    area_id: strawberry.ID | None = strawberry.field(
        default=None, description="The area, when areas have no boundaries to find it from."
    )


@strawberry.input(description="Forward a report to an agency (or re-route it).")
class AssignReportInput:
    report_id: strawberry.ID = strawberry.field(description="The report.")
    agency_id: strawberry.ID | None = strawberry.field(
        default=None, description="The agency; the routing rule's suggestion when omitted."
    )
    due_at: datetime | None = strawberry.field(
        default=None, description="The deadline; the category's working days when omitted."
    )
    note: str | None = strawberry.field(default=None, description="A public note.")
    expected_version: int | None = strawberry.field(
        default=None, description="Fail with STALE unless the report is still at this version."
    )


@strawberry.input(description="Refuse a report at triage, with a reason or as a duplicate.")
class RejectReportInput:
    report_id: strawberry.ID = strawberry.field(description="The report.")
    reason: str | None = strawberry.field(
        default=None, description="Why (required unless it is a duplicate)."
    )
    duplicate_of_id: strawberry.ID | None = strawberry.field(
        default=None, description="The original report this one duplicates."
    )
    expected_version: int | None = strawberry.field(default=None, description="See assign.")


@strawberry.input(description="A workflow step with an optional (sometimes required) note.")
class ReportActionInput:
    report_id: strawberry.ID = strawberry.field(description="The report.")
    note: str | None = strawberry.field(
        default=None, description="Public note; required to return, reopen or send back."
    )
    expected_version: int | None = strawberry.field(default=None, description="See assign.")


@strawberry.input(description="The agency's answer.")
class ResolveReportInput:
    report_id: strawberry.ID = strawberry.field(description="The report.")
    response: str = strawberry.field(description="The answer, public (at most 10,000 characters).")
    attachments: list[Upload] | None = strawberry.field(
        default=None, description="Up to 5 photos of the result."
    )
    expected_version: int | None = strawberry.field(default=None, description="See assign.")


@strawberry.input(description="Move a deadline later, with a reason.")
class ExtendDeadlineInput:
    report_id: strawberry.ID = strawberry.field(description="The report.")
    due_at: datetime = strawberry.field(description="The new deadline (later than the current).")
    reason: str = strawberry.field(description="Why more time is needed (public).")
    expected_version: int | None = strawberry.field(default=None, description="See assign.")


@strawberry.input(description="A message on a report.")
class PostMessageInput:
    report_id: strawberry.ID = strawberry.field(description="The report.")
    body: str = strawberry.field(description="The text (1 to 5,000 characters).")
    visibility: Visibility = strawberry.field(
        default=Visibility.PUBLIC, description="PUBLIC, PARTICIPANTS or INTERNAL (staff only)."
    )
    attachments: list[Upload] | None = strawberry.field(default=None, description="Up to 5 photos.")


@strawberry.input(description="The reporter's rating of the result.")
class RateReportInput:
    report_id: strawberry.ID = strawberry.field(description="The report.")
    satisfaction: Satisfaction = strawberry.field(description="How satisfied.")
    comment: str | None = strawberry.field(default=None, description="In the citizen's words.")


@strawberry.type
class ReportMutations:
    @strawberry.mutation(description="Citizens: submit a report with photos and a map point.")
    async def submit_report(self, info: Info, input: SubmitReportInput) -> ReportPayload:
        async def call() -> object:
            new = submission.NewReport(
                category_id=decode_int_id(input.category_id, "Category", "categoryId"),
                title=input.title,
                description=input.description,
                latitude=input.latitude,
                longitude=input.longitude,
                address=input.address,
                anonymous=input.anonymous,
                idempotency_key=input.idempotency_key,
                area_id=decode_int_id(input.area_id, "Area", "areaId") if input.area_id else None,
                uploads=await read_uploads(input.attachments),
            )
            return await submission.submit_report(info.context, new)

        return await _report_payload(call)

    @strawberry.mutation(description="Coordinators: forward (or re-route) to an agency.")
    async def assign_report(self, info: Info, input: AssignReportInput) -> ReportPayload:
        agency = decode_int_id(input.agency_id, "Agency", "agencyId") if input.agency_id else None
        return await _report_payload(
            lambda: actions.assign_report(
                info.context,
                _report_id(input.report_id),
                agency,
                input.due_at,
                input.note,
                input.expected_version,
            )
        )

    @strawberry.mutation(description="Coordinators: reject at triage (reason or duplicate).")
    async def reject_report(self, info: Info, input: RejectReportInput) -> ReportPayload:
        original = (
            decode_int_id(input.duplicate_of_id, "Report", "duplicateOfId")
            if input.duplicate_of_id
            else None
        )
        return await _report_payload(
            lambda: actions.reject_report(
                info.context,
                _report_id(input.report_id),
                input.reason,
                original,
                input.expected_version,
            )
        )

    @strawberry.mutation(description="Agency officers: take the report in hand.")
    async def acknowledge_report(self, info: Info, input: ReportActionInput) -> ReportPayload:
        return await _noted_step(info, input, actions.acknowledge_report)

    @strawberry.mutation(description="Agency officers: not ours — back to triage with the reason.")
    async def return_report(self, info: Info, input: ReportActionInput) -> ReportPayload:
        return await _noted_step(info, input, actions.return_report)

    @strawberry.mutation(description="Agency officers: answer, with photos.")
    async def resolve_report(self, info: Info, input: ResolveReportInput) -> ReportPayload:
        async def call() -> object:
            return await actions.resolve_report(
                info.context,
                _report_id(input.report_id),
                input.response,
                await read_uploads(input.attachments),
                input.expected_version,
            )

        return await _report_payload(call)

    @strawberry.mutation(description="Coordinators: send an unfit answer back to the agency.")
    async def send_back_answer(self, info: Info, input: ReportActionInput) -> ReportPayload:
        return await _noted_step(info, input, actions.send_back_answer)

    @strawberry.mutation(description="Coordinators: reopen a resolved, closed or rejected report.")
    async def reopen_report(self, info: Info, input: ReportActionInput) -> ReportPayload:
        return await _noted_step(info, input, actions.reopen_report)

    @strawberry.mutation(description="Coordinators: close a resolved report without a rating.")
    async def close_report(self, info: Info, input: ReportActionInput) -> ReportPayload:
        return await _noted_step(info, input, actions.close_report)

    @strawberry.mutation(description="Coordinators or the agency: extend the deadline.")
    async def extend_deadline(self, info: Info, input: ExtendDeadlineInput) -> ReportPayload:
        return await _report_payload(
            lambda: actions.extend_deadline(
                info.context,
                _report_id(input.report_id),
                input.due_at,
                input.reason,
                input.expected_version,
            )
        )

    @strawberry.mutation(description="The reporter: rate the result (dissatisfied reopens triage).")
    async def rate_report(self, info: Info, input: RateReportInput) -> ReportPayload:
        return await _report_payload(
            lambda: actions.rate_report(
                info.context, _report_id(input.report_id), input.satisfaction, input.comment
            )
        )

    @strawberry.mutation(description="The reporter or handling staff: post a message.")
    async def post_message(self, info: Info, input: PostMessageInput) -> MessagePayload:
        try:
            uploads = await read_uploads(input.attachments)
            message = await messages.post_message(
                info.context, _report_id(input.report_id), input.body, input.visibility, uploads
            )
        except DomainError as error:
            return MessagePayload(message=None, user_errors=user_errors(error))
        return MessagePayload(message=Message.from_model(message), user_errors=[])
