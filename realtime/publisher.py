"""Telling every process that new report events were committed (the database holds the events)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from realtime.broker import Broker
from web.metrics import BROKER_FAILURES, EVENTS_PUBLISHED

if TYPE_CHECKING:
    from realtime.pump import EventPump

logger = logging.getLogger("phananh.realtime")


class EventPublisher:
    """Called by use cases after their commit; never raises, since the commit already stands.

    The message carries no event data: subscribers read the events from the database, so a
    lost message delays delivery (until the next message or poll) but never loses an event.
    This process's pump is woken directly, so local subscribers never wait for the broker.
    """

    def __init__(self, broker: Broker, pump: EventPump | None = None) -> None:
        self.broker = broker
        self.pump = pump

    async def committed(self, report_id: int) -> None:
        if self.pump is not None:
            self.pump.wake()
        try:
            await self.broker.publish(str(report_id))
        except Exception:  # the broker being down must not fail a committed mutation
            BROKER_FAILURES.inc()
            logger.warning("could not announce events of report %s", report_id, exc_info=True)
        else:
            EVENTS_PUBLISHED.inc()
