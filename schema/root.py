"""The assembled schema: root types, limits, and error masking."""

from __future__ import annotations

import logging

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

from schema.accounts import AccountMutations
from schema.admin import AdminMutations
from schema.audit import AuditQueries
from schema.errors import ClientError, ErrorCode
from schema.follows import FollowMutations
from schema.limits import NodeBudgetRule, NulCharacterRule, QueryLengthLimiter
from schema.observability import OperationMetrics
from schema.partners import PartnerMutations
from schema.query import Query
from schema.report_mutations import ReportMutations
from schema.subscription import EventExecutor, Subscription
from web.request_id import current_request_id

logger = logging.getLogger("phananh.graphql")

MAX_DEPTH = 10
MAX_ALIASES = 15
MAX_TOKENS = 1000

# Built once: ValidationCache keys on the rule classes, and strawberry's QueryDepthLimiter and
# MaxAliasesLimiter make new ones per operation, so nothing would ever hit the cache.
VALIDATION_RULES = [
    query_depth_limiter.create_validator(MAX_DEPTH, None),
    max_aliases.create_validator(MAX_ALIASES),
    NodeBudgetRule,
    NulCharacterRule,
]


def _should_mask(error: GraphQLError) -> bool:
    """Mask everything but errors the client caused (syntax, validation, ClientError)."""
    original = error.original_error
    if original is None or isinstance(original, ClientError):
        return False
    # A ClientError raised in a resolver arrives wrapped: the wrapper's original is itself.
    if isinstance(original, GraphQLError) and (original.extensions or {}).get("code"):
        return False
    logger.error("unexpected error at %s", error.path, exc_info=original)
    return True


class MaskUnexpectedErrors(MaskErrors):
    """strawberry's MaskErrors, plus the `INTERNAL_SERVER_ERROR` code API.md promises."""

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
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
    return strawberry.Schema(
        query=RootQuery,
        mutation=Mutation,
        subscription=Subscription,
        # Gives every subscription event its own loaders (see schema.subscription).
        execution_context_class=EventExecutor,
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
