"""Access tokens (short-lived JWTs) and opaque secrets (refresh tokens, one-time codes)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt

from models.enums import Role

ACCESS_TOKEN_LIFETIME = timedelta(minutes=15)
REFRESH_TOKEN_LIFETIME = timedelta(days=30)
ALGORITHM = "HS256"
ISSUER = "phananh"


class TokenError(Exception):
    """The token is malformed, forged, expired or of the wrong kind."""


@dataclass(frozen=True)
class AccessClaims:
    user_id: int
    role: Role
    agency_id: int | None
    expires_at: datetime


def issue_access_token(
    secret: str, user_id: int, role: Role, agency_id: int | None, now: datetime
) -> tuple[str, datetime]:
    expires_at = now + ACCESS_TOKEN_LIFETIME
    claims = {
        "iss": ISSUER,
        "sub": str(user_id),
        "role": role.value,
        "agency": agency_id,
        "iat": int(now.timestamp()),
        "exp": int(expires_at.timestamp()),
        "typ": "access",
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM), expires_at


def read_access_token(secret: str, token: str, now: datetime) -> AccessClaims:
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            options={"require": ["exp", "sub", "iss", "iat"], "verify_exp": False},
        )
    except jwt.PyJWTError as exc:
        raise TokenError("invalid access token") from exc
    # Expiry is checked against the caller's clock so that tests and replays agree.
    if claims.get("typ") != "access" or int(claims["exp"]) <= int(now.timestamp()):
        raise TokenError("expired access token")
    try:
        role = Role(claims["role"])
        user_id = int(claims["sub"])
        agency = claims.get("agency")
        agency_id = int(agency) if agency is not None else None
    except (KeyError, TypeError, ValueError) as exc:
        raise TokenError("invalid access token") from exc
    return AccessClaims(user_id, role, agency_id, datetime.fromtimestamp(claims["exp"], now.tzinfo))


def new_secret() -> str:
    """An unguessable opaque token (256 bits), for refresh tokens."""
    return secrets.token_urlsafe(32)


def new_code(digits: int = 6) -> str:
    return f"{secrets.randbelow(10**digits):0{digits}d}"


def digest(secret_key: str, value: str) -> str:
    """Keyed hash for storing secrets: a leaked table is useless without SECRET_KEY."""
    return hmac.new(secret_key.encode(), value.encode(), hashlib.sha256).hexdigest()


def same_digest(a: str, b: str) -> bool:
    return hmac.compare_digest(a, b)
