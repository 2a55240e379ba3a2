"""Live events: the durable event log, the per-process pump, the broker and subscription feeds.

How an event travels: a use case writes its ReportEvent row in its own transaction and, after
the commit, calls `EventPublisher.committed(report_id)` (publisher). That wakes this process's
`EventPump` (pump) and tells the other processes through the `Broker` (broker), which carries
no data. Each pump reads the new events from the database in commit order (log), decides
once per event and subscriber what may be sent (topics, models.policy) and hands events to
bounded per-subscriber queues; a feed replays what a client missed after its cursor, then goes
on live (feeds). The database is the record: a lost broker message only delays delivery
until the next message or the pump's poll.
"""
