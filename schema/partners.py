"""Partner-app mutations: administrators issue and revoke the API keys Open311 clients use."""

from __future__ import annotations

from datetime import datetime

import strawberry

from models.errors import DomainError
from resolvers import partners
from schema.context import Info
from schema.errors import UserError, user_errors


@strawberry.input(description="A partner app (an Open311 client) that may submit reports.")
class IssueApiKeyInput:
    name: str = strawberry.field(
        description='The app\'s name, e.g. "FixMyStreet Đồng Hới"; its reports show this name '
        "as the reporter. Keys issued under the same name share one account."
    )


@strawberry.type(description="A new API key: the only time the key itself is ever shown.")
class IssueApiKeyPayload:
    api_key: str | None = strawberry.field(
        description="The secret for Open311's `api_key` parameter. Store it now: PhanAnh keeps "
        "only a hash and cannot show it again."
    )
    key_prefix: str | None = strawberry.field(
        description="The key's first 8 characters: how to tell keys apart and revoke one."
    )
    user_errors: list[UserError] = strawberry.field(description="Why no key was issued.")


@strawberry.input(description="The API key to revoke.")
class RevokeApiKeyInput:
    key_prefix: str = strawberry.field(description="The key's first 8 characters.")


@strawberry.type(description="The revoked API key.")
class RevokeApiKeyPayload:
    key_prefix: str | None = strawberry.field(description="The key's first 8 characters.")
    name: str | None = strawberry.field(description="The partner app it was issued to.")
    revoked_at: datetime | None = strawberry.field(
        description="When it stopped working (the first revocation, if revoked twice)."
    )
    user_errors: list[UserError] = strawberry.field(description="Why nothing changed.")


@strawberry.type
class PartnerMutations:
    @strawberry.mutation(description="Administrators: issue an Open311 API key to a partner app.")
    async def issue_api_key(self, info: Info, input: IssueApiKeyInput) -> IssueApiKeyPayload:
        try:
            issued = await partners.issue_api_key(info.context, input.name)
        except DomainError as error:
            return IssueApiKeyPayload(api_key=None, key_prefix=None, user_errors=user_errors(error))
        return IssueApiKeyPayload(
            api_key=issued.api_key, key_prefix=issued.key_prefix, user_errors=[]
        )

    @strawberry.mutation(description="Administrators: revoke an API key; it stops working at once.")
    async def revoke_api_key(self, info: Info, input: RevokeApiKeyInput) -> RevokeApiKeyPayload:
        try:
            row = await partners.revoke_api_key(info.context, input.key_prefix)
        except DomainError as error:
            return RevokeApiKeyPayload(
                key_prefix=None, name=None, revoked_at=None, user_errors=user_errors(error)
            )
        return RevokeApiKeyPayload(
            key_prefix=row.key_prefix, name=row.name, revoked_at=row.revoked_at, user_errors=[]
        )
