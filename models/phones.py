"""Vietnamese phone numbers: normalised to E.164 (+84…) and masked for logs."""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\s.\-()]")
# After the country code: 9 digits, first 3/5/7/8/9 (mobile) or 2 (landline area codes).
_NATIONAL = re.compile(r"^[235789]\d{8}$")


class PhoneError(ValueError):
    """Not a Vietnamese phone number."""


def normalize_phone(raw: str) -> str:
    """`0912 345 678`, `84912345678` and `+84 912-345-678` all become `+84912345678`."""
    compact = _SEPARATORS.sub("", raw.strip())
    if compact.startswith("+84"):
        national = compact[3:]
    elif compact.startswith("0084"):
        national = compact[4:]
    elif compact.startswith("84") and len(compact) == 11:
        national = compact[2:]
    elif compact.startswith("0"):
        national = compact[1:]
    else:
        raise PhoneError("a Vietnamese phone number starts with 0 or +84")
    if not _NATIONAL.match(national):
        raise PhoneError("a Vietnamese phone number has 10 digits, e.g. 0912 345 678")
    return f"+84{national}"


def looks_like_phone(text: str) -> bool:
    try:
        normalize_phone(text)
    except PhoneError:
        return False
    return True


def mask_phone(phone: str | None) -> str:
    """For logs: `+84912345678` becomes `+8491*****78`."""
    if not phone:
        return ""
    if len(phone) <= 6:
        return "*" * len(phone)
    return f"{phone[:5]}{'*' * (len(phone) - 7)}{phone[-2:]}"
