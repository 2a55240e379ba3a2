"""The long-lived services use cases call: rate-limit counters and the code sender."""

from __future__ import annotations

from dataclasses import dataclass

from realtime.publisher import EventPublisher
from resolvers.sms import CodeSender
from resolvers.throttle import Throttle


@dataclass
class Services:
    throttle: Throttle
    sms: CodeSender
    events: EventPublisher
