"""Sending one-time codes: a protocol an SMS gateway implements, and two built-in senders."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Protocol

from models.phones import mask_phone

logger = logging.getLogger("phananh.sms")


class CodeSender(Protocol):
    async def send_code(self, phone: str, code: str) -> None: ...

    async def send_notice(self, phone: str, text: str) -> None: ...


class LogCodeSender:
    """Development: the code goes to the server log (the phone number masked)."""

    async def send_code(self, phone: str, code: str) -> None:
        logger.warning("verification code for %s: %s", mask_phone(phone), code)

    async def send_notice(self, phone: str, text: str) -> None:
        logger.warning("notice for %s: %s", mask_phone(phone), text)


@dataclass
class MemoryCodeSender:
    """Tests: messages are kept in order so a test can read the code a citizen would get."""

    outbox: list[tuple[str, str]] = field(default_factory=list)

    async def send_code(self, phone: str, code: str) -> None:
        self.outbox.append((phone, code))

    async def send_notice(self, phone: str, text: str) -> None:
        self.outbox.append((phone, text))

    def last_code(self, phone: str) -> str | None:
        for to, text in reversed(self.outbox):
            if to == phone and text.isdigit():
                return text
        return None
