"""Administration mutations: staff accounts, agencies, categories and routing."""

from __future__ import annotations

import strawberry

from models.enums import Role
from models.errors import DomainError
from resolvers import admin
from schema.context import Info
from schema.directory import Agency, Category
from schema.errors import UserError, user_errors
from schema.node import decode_int_id
from schema.users import User


@strawberry.input(description="A new staff account.")
class CreateStaffAccountInput:
    username: str = strawberry.field(description="a-z, 0-9, '.', '_', '-' (3-64 characters).")
    password: str = strawberry.field(description="8 to 128 characters.")
    display_name: str = strawberry.field(description="The person's name (staff only see it).")
    role: Role = strawberry.field(description="COORDINATOR, AGENCY_OFFICER or ADMIN.")
    agency_id: strawberry.ID | None = strawberry.field(
        default=None, description="Required for agency officers, and only for them."
    )


@strawberry.input(description="Enable or disable an account.")
class SetUserActiveInput:
    user_id: strawberry.ID = strawberry.field(description="The account.")
    active: bool = strawberry.field(description="False ends all its sessions at once.")


@strawberry.type(description="The changed account.")
class UserPayload:
    user: User | None = strawberry.field(description="The account.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing changed.")


@strawberry.input(description="A new agency.")
class CreateAgencyInput:
    code: str = strawberry.field(description="A stable code (a-z, 0-9, '_', '.', '-').")
    name: str = strawberry.field(description="The public name.")
    description: str = strawberry.field(default="", description="What it handles.")
    area_id: strawberry.ID | None = strawberry.field(default=None, description="Area it serves.")
    category_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="Categories it handles."
    )


@strawberry.type(description="The created agency.")
class AgencyPayload:
    agency: Agency | None = strawberry.field(description="The agency.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing changed.")


@strawberry.input(description="A new category of reports.")
class CreateCategoryInput:
    code: str = strawberry.field(description="A stable code; Open311's service_code.")
    name: str = strawberry.field(description="The Vietnamese name.")
    description: str = strawberry.field(default="", description="What belongs here.")
    default_due_days: int = strawberry.field(default=10, description="Working days, 1-90.")
    notice: str | None = strawberry.field(default=None, description="Shown before submitting.")


@strawberry.type(description="The created category.")
class CategoryPayload:
    category: Category | None = strawberry.field(description="The category.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing changed.")


@strawberry.input(description="Route a category in an area (and below) to an agency.")
class SetRoutingInput:
    category_id: strawberry.ID = strawberry.field(description="The category.")
    area_id: strawberry.ID = strawberry.field(description="The area; rules apply below it too.")
    agency_id: strawberry.ID | None = strawberry.field(
        default=None, description="The agency; null removes the rule."
    )


@strawberry.type(description="The routing rule as it now stands.")
class RoutingPayload:
    agency: Agency | None = strawberry.field(description="The agency now suggested.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing changed.")


@strawberry.type
class AdminMutations:
    @strawberry.mutation(description="Administrators: create a coordinator, officer or admin.")
    async def create_staff_account(self, info: Info, input: CreateStaffAccountInput) -> UserPayload:
        agency = decode_int_id(input.agency_id, "Agency", "agencyId") if input.agency_id else None
        try:
            user = await admin.create_staff_account(
                info.context, input.username, input.password, input.display_name, input.role, agency
            )
        except DomainError as error:
            return UserPayload(user=None, user_errors=user_errors(error))
        return UserPayload(user=User.from_model(user), user_errors=[])

    @strawberry.mutation(description="Administrators: disable (ending its sessions) or enable.")
    async def set_user_active(self, info: Info, input: SetUserActiveInput) -> UserPayload:
        user_id = decode_int_id(input.user_id, "User", "userId")
        try:
            user = await admin.set_user_active(info.context, user_id, input.active)
        except DomainError as error:
            return UserPayload(user=None, user_errors=user_errors(error))
        return UserPayload(user=User.from_model(user), user_errors=[])

    @strawberry.mutation(description="Administrators: add an agency.")
    async def create_agency(self, info: Info, input: CreateAgencyInput) -> AgencyPayload:
        area = decode_int_id(input.area_id, "Area", "areaId") if input.area_id else None
        categories = [decode_int_id(c, "Category", "categoryIds") for c in input.category_ids]
        try:
            agency = await admin.create_agency(
                info.context, input.code, input.name, input.description, area, categories
            )
        except DomainError as error:
            return AgencyPayload(agency=None, user_errors=user_errors(error))
        return AgencyPayload(agency=Agency.from_model(agency), user_errors=[])

    @strawberry.mutation(description="Administrators: add a category.")
    async def create_category(self, info: Info, input: CreateCategoryInput) -> CategoryPayload:
        try:
            category = await admin.create_category(
                info.context,
                input.code,
                input.name,
                input.description,
                input.default_due_days,
                input.notice,
            )
        except DomainError as error:
            return CategoryPayload(category=None, user_errors=user_errors(error))
        return CategoryPayload(category=Category.from_model(category), user_errors=[])

    @strawberry.mutation(description="Administrators: set or remove a routing rule.")
    async def set_routing(self, info: Info, input: SetRoutingInput) -> RoutingPayload:
        category = decode_int_id(input.category_id, "Category", "categoryId")
        area = decode_int_id(input.area_id, "Area", "areaId")
        agency = decode_int_id(input.agency_id, "Agency", "agencyId") if input.agency_id else None
        try:
            await admin.set_routing(info.context, category, area, agency)
        except DomainError as error:
            return RoutingPayload(agency=None, user_errors=user_errors(error))
        row = await info.context.loaders.agency.load(agency) if agency else None
        return RoutingPayload(agency=Agency.from_model(row) if row else None, user_errors=[])
