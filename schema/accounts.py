"""Sign-up, sign-in and session mutations."""

from __future__ import annotations

from datetime import datetime

import strawberry

from models.errors import DomainError
from resolvers import accounts
from schema.context import Info
from schema.errors import UserError, user_errors
from schema.users import User


@strawberry.input(description="A citizen signs up with a Vietnamese phone number.")
class RegisterInput:
    phone: str = strawberry.field(description="e.g. `0912 345 678` or `+84912345678`.")
    password: str = strawberry.field(description="8 to 128 characters.")
    display_name: str = strawberry.field(description="The name shown to staff (1-100 characters).")


@strawberry.type(description="A one-time code was sent to the phone (if it could take one).")
class RegisterPayload:
    phone: str | None = strawberry.field(description="The number in E.164, as it will be used.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing was sent.")


@strawberry.input(description="The one-time code received by SMS.")
class VerifyPhoneInput:
    phone: str = strawberry.field(description="The phone number given at sign-up.")
    code: str = strawberry.field(description="The 6-digit code.")


@strawberry.input(description="Sign in: citizens with their phone number, staff with a username.")
class LoginInput:
    username: str = strawberry.field(description="Phone number or staff username.")
    password: str = strawberry.field(description="The password.")


@strawberry.input(description="Trade a refresh token for a new pair of tokens.")
class RefreshSessionInput:
    refresh_token: str = strawberry.field(description="The latest refresh token received.")


@strawberry.input(description="End a session, or every session of the viewer.")
class LogoutInput:
    refresh_token: str | None = strawberry.field(
        default=None, description="The session's refresh token."
    )
    everywhere: bool = strawberry.field(
        default=False, description="End all of the viewer's sessions (requires signing in)."
    )


@strawberry.type(description="Tokens for a signed-in session.")
class LoginPayload:
    access_token: str | None = strawberry.field(
        description="Send as `Authorization: Bearer …`; valid about 15 minutes."
    )
    access_token_expires_at: datetime | None = strawberry.field(description="When it expires.")
    refresh_token: str | None = strawberry.field(
        description="Single use: `refreshSession` returns a new one. Reusing an old one ends "
        "the session everywhere."
    )
    refresh_token_expires_at: datetime | None = strawberry.field(description="When it expires.")
    viewer: User | None = strawberry.field(description="The signed-in user.")
    user_errors: list[UserError] = strawberry.field(description="Why signing in failed.")


@strawberry.type(description="The outcome of logging out.")
class LogoutPayload:
    ok: bool = strawberry.field(description="True when the session(s) ended.")
    user_errors: list[UserError] = strawberry.field(description="Why it failed.")


def _login_payload(signed_in: accounts.SignedIn) -> LoginPayload:
    return LoginPayload(
        access_token=signed_in.access_token,
        access_token_expires_at=signed_in.access_expires_at,
        refresh_token=signed_in.refresh_token,
        refresh_token_expires_at=signed_in.refresh_expires_at,
        viewer=User.from_model(signed_in.user),
        user_errors=[],
    )


def _login_failed(error: DomainError) -> LoginPayload:
    return LoginPayload(
        access_token=None,
        access_token_expires_at=None,
        refresh_token=None,
        refresh_token_expires_at=None,
        viewer=None,
        user_errors=user_errors(error),
    )


@strawberry.type
class AccountMutations:
    @strawberry.mutation(description="Sign up as a citizen; a one-time code is sent by SMS.")
    async def register(self, info: Info, input: RegisterInput) -> RegisterPayload:
        try:
            phone = await accounts.register(
                info.context, input.phone, input.password, input.display_name
            )
        except DomainError as error:
            return RegisterPayload(phone=None, user_errors=user_errors(error))
        return RegisterPayload(phone=phone, user_errors=[])

    @strawberry.mutation(description="Confirm the phone with its code; signs the citizen in.")
    async def verify_phone(self, info: Info, input: VerifyPhoneInput) -> LoginPayload:
        try:
            return _login_payload(
                await accounts.verify_phone(info.context, input.phone, input.code)
            )
        except DomainError as error:
            return _login_failed(error)

    @strawberry.mutation(description="Sign in with phone number (citizens) or username (staff).")
    async def login(self, info: Info, input: LoginInput) -> LoginPayload:
        try:
            return _login_payload(
                await accounts.login(info.context, input.username, input.password)
            )
        except DomainError as error:
            return _login_failed(error)

    @strawberry.mutation(
        description="Rotate the refresh token; call it without an Authorization header."
    )
    async def refresh_session(self, info: Info, input: RefreshSessionInput) -> LoginPayload:
        try:
            return _login_payload(await accounts.refresh_session(info.context, input.refresh_token))
        except DomainError as error:
            return _login_failed(error)

    @strawberry.mutation(description="End a session (or all of the viewer's sessions).")
    async def logout(self, info: Info, input: LogoutInput) -> LogoutPayload:
        await accounts.logout(info.context, input.refresh_token, input.everywhere)
        return LogoutPayload(ok=True, user_errors=[])
