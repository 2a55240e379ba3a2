"""Expected failures of use cases, with the stable codes clients see in `userErrors`."""

from __future__ import annotations

import enum


class UserErrorCode(enum.StrEnum):
    """Every `UserError.code` PhanAnh returns, with what it means."""

    INVALID_INPUT = "INVALID_INPUT"  # a field is missing, too long or malformed; see `field`
    INVALID_PHONE = "INVALID_PHONE"  # not a Vietnamese phone number
    WEAK_PASSWORD = "WEAK_PASSWORD"  # shorter than 8 characters or too common
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"  # wrong login or password (never says which)
    PHONE_NOT_VERIFIED = "PHONE_NOT_VERIFIED"  # the account's phone is not verified yet
    INVALID_CODE = "INVALID_CODE"  # wrong, expired or already used verification code
    INVALID_TOKEN = "INVALID_TOKEN"  # unknown, expired, revoked or reused refresh token
    RATE_LIMITED = "RATE_LIMITED"  # too many attempts; the message says when to retry
    ACCOUNT_DISABLED = "ACCOUNT_DISABLED"  # the account was disabled by an administrator
    ALREADY_EXISTS = "ALREADY_EXISTS"  # a code, username or rule with that key exists
    NOT_FOUND = "NOT_FOUND"  # the object does not exist or is not visible to the viewer
    INVALID_TRANSITION = "INVALID_TRANSITION"  # not possible from the report's current status
    STALE = "STALE"  # `expectedVersion` is not the report's current version: reload, retry
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"  # same key, different content
    OUTSIDE_SERVICE_AREA = "OUTSIDE_SERVICE_AREA"  # the point is outside every known area
    FILE_TOO_LARGE = "FILE_TOO_LARGE"  # an attachment is over the size limit
    TOO_MANY_FILES = "TOO_MANY_FILES"  # more attachments than allowed
    UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"  # not JPEG, PNG, WebP or MP4
    IMAGE_TOO_LARGE = "IMAGE_TOO_LARGE"  # too many pixels (decompression bomb guard)
    CORRUPT_MEDIA = "CORRUPT_MEDIA"  # the file could not be read
    RATING_CLOSED = "RATING_CLOSED"  # the time to change a rating is over


class DomainError(Exception):
    """An expected failure: becomes a `UserError` in the mutation's payload."""

    def __init__(self, code: UserErrorCode, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
