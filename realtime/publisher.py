"""Telling every process that new report events were committed (the database holds the events)."""

from __future__ import annotations

import logging

from realtime.broker import Broker

logger = logging.getLogger("phananh.realtime")

EVENTS_CHANNEL = "phananh:events"


class EventPublisher:
    """Called by use cases after their commit; never raises, since the commit already stands.

    The message carries no event data: subscribers read the events from the database, so a
    lost message delays delivery (until the next message or poll) but never loses an event.
    """

    def __init__(self, broker: Broker) -> None:
        self.broker = broker

    async def committed(self, report_id: int) -> None:
        try:
            await self.broker.broadcast.publish(channel=EVENTS_CHANNEL, message=str(report_id))
        except Exception:  # the broker being down must not fail a committed mutation
            logger.warning("could not announce events of report %s", report_id, exc_info=True)
