"""The assembled schema: root types, limits, and error masking."""

from __future__ import annotations

import logging
from datetime import datetime

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaskErrors,
    MaxTokensLimiter,
    ParserCache,
    ValidationCache,
    max_aliases,
    query_depth_limiter,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from models.db import is_unavailable
from schema.accounts import AccountMutations
from schema.admin import AdminMutations
from schema.audit import AuditQueries
from schema.errors import ClientError, ErrorCode
from schema.follows import FollowMutations
from schema.limits import MAX_TOKENS, NodeBudgetRule, NulCharacterRule, QueryLengthLimiter
from schema.observability import OperationMetrics
from schema.partners import PartnerMutations
from schema.query import Query
from schema.report_mutations import ReportMutations
from schema.scalars import DATETIME
from schema.subscription import EventExecutor, Subscription
from web.request_id import current_request_id
from web.unavailable import UNAVAILABLE_CODE, UNAVAILABLE_MESSAGE

logger = logging.getLogger("phananh.graphql")
# A logger of its own, so that operators can silence clients' mistakes without hiding bugs.
client_logger = logging.getLogger("phananh.graphql.client")

MAX_DEPTH = 10
MAX_ALIASES = 15

# Built once: ValidationCache keys on the rule classes, and strawberry's QueryDepthLimiter and
# MaxAliasesLimiter make new ones per operation, so nothing would ever hit the cache.
VALIDATION_RULES = [
    query_depth_limiter.create_validator(MAX_DEPTH, None),
    max_aliases.create_validator(MAX_ALIASES),
    NodeBudgetRule,
    NulCharacterRule,
]


def _is_client_error(error: GraphQLError) -> bool:
    """Errors the client caused: syntax, validation, ClientError."""
    original = error.original_error
    if original is None or isinstance(original, ClientError):
        return True
    # A ClientError raised in a resolver arrives wrapped: the wrapper's original is itself.
    return isinstance(original, GraphQLError) and bool((original.extensions or {}).get("code"))


def _should_mask(error: GraphQLError) -> bool:
    """Mask everything but client errors (PhanAnhSchema.process_errors logs them all)."""
    return not _is_client_error(error)


def _log_error(error: GraphQLError) -> None:
    """Client errors in one line at INFO; an outage at WARNING; anything else, a bug, at ERROR
    with its traceback. The formatter adds the request id that the masked error carries."""
    path = ".".join(str(key) for key in error.path or ()) or None
    original = error.original_error
    if _is_client_error(error):
        code = str((error.extensions or {}).get("code", "GRAPHQL_VALIDATION_FAILED"))
        extra = {"code": code, "path": path}
        client_logger.info("client error %s at %s: %s", code, path, error.message, extra=extra)
    elif original is not None and is_unavailable(original):
        extra = {"code": UNAVAILABLE_CODE, "path": path}
        logger.warning("database unavailable at %s: %r", path, original, extra=extra)
    else:
        extra = {
            "code": ErrorCode.INTERNAL_SERVER_ERROR.value,
            "path": path,
            "request_id": current_request_id.get(),  # as in the masked error's extensions
        }
        logger.error("unexpected error at %s", path, exc_info=original, extra=extra)


class PhanAnhSchema(strawberry.Schema):
    """strawberry's Schema, whose `process_errors` logs every error (before masking) at ERROR
    with a traceback, a client's mistakes included: here each kind gets its own level."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        for error in errors:
            _log_error(error)


class MaskUnexpectedErrors(MaskErrors):
    """strawberry's MaskErrors, plus the `INTERNAL_SERVER_ERROR` code API.md promises."""

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        original = error.original_error
        if original is not None and is_unavailable(original):
            # Not a bug: the client should retry (503, see web.graphql_view.PhanAnhGraphQL).
            return GraphQLError(
                message=UNAVAILABLE_MESSAGE,
                nodes=error.nodes,
                source=error.source,
                positions=error.positions,
                path=error.path,
                original_error=None,
                extensions={"code": UNAVAILABLE_CODE, "requestId": current_request_id.get()},
            )
        return GraphQLError(
            message=self.error_message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            original_error=None,
            # The same id is in the server's log line for this error (web.logs).
            extensions={
                "code": ErrorCode.INTERNAL_SERVER_ERROR.value,
                "requestId": current_request_id.get(),
            },
        )


@strawberry.type(name="Query", description="Reading PhanAnh.")
class RootQuery(Query, AuditQueries):
    pass


@strawberry.type(
    description="Changing PhanAnh: each mutation takes one `input` and returns a payload with "
    "the changed object and `userErrors`."
)
class Mutation(
    ReportMutations, AccountMutations, AdminMutations, PartnerMutations, FollowMutations
):
    pass


def create_schema(*, introspection: bool = True) -> strawberry.Schema:
    """The schema, with introspection switchable (off in production unless asked for)."""
    return PhanAnhSchema(
        query=RootQuery,
        mutation=Mutation,
        subscription=Subscription,
        # Gives every subscription event its own loaders (see schema.subscription).
        execution_context_class=EventExecutor,
        # Instants near the ends of Python's calendar are refused as input (schema.scalars).
        scalar_overrides={datetime: DATETIME},
        config=StrawberryConfig(disable_field_suggestions=True),
        extensions=[
            QueryLengthLimiter,
            lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
            lambda: AddValidationRules(VALIDATION_RULES),
            lambda: ParserCache(maxsize=512),
            lambda: ValidationCache(maxsize=512),
            OperationMetrics,
            *([] if introspection else [DisableIntrospection]),
            lambda: MaskUnexpectedErrors(
                should_mask_error=_should_mask, error_message="Internal server error."
            ),
        ],
    )


schema = create_schema()
