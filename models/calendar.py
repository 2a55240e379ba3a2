"""Vietnamese working days: the calendar that report deadlines and their statistics count on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

VIETNAM_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
MAX_DEADLINE_DAYS = 365

_SATURDAY = 5
_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class WorkCalendar:
    """Saturdays and Sundays off, plus `holidays`; `extra_working_days` are make-up Saturdays.

    A day in both sets is a holiday: a make-up day only ever overrides the weekend rule.
    """

    holidays: frozenset[date] = frozenset()
    extra_working_days: frozenset[date] = frozenset()
    tz: ZoneInfo = VIETNAM_TZ

    def is_working_day(self, day: date) -> bool:
        if day in self.holidays:
            return False
        return day in self.extra_working_days or day.weekday() < _SATURDAY

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """The end of the `days`-th working day after `start`'s local date, as an aware UTC time.

        The day of `start` itself never counts, as for any period counted in days under Vietnamese
        civil law (Bộ luật Dân sự 2015, art. 147): a report filed on Friday evening with one day
        is due at the end of Monday.
        """
        _require_aware(start, "start")
        if not 1 <= days <= MAX_DEADLINE_DAYS:
            raise ValueError(f"days must be between 1 and {MAX_DEADLINE_DAYS}, not {days}")
        day = self.local_date(start)
        counted = 0
        while counted < days:
            day += _ONE_DAY
            if self.is_working_day(day):
                counted += 1
        return datetime.combine(day, time.max, tzinfo=self.tz).astimezone(UTC)

    def working_days_between(self, a: datetime, b: datetime) -> int:
        """Working days after `a`'s local date up to and including `b`'s; negative if `b` < `a`.

        It is the inverse of `add_working_days`, so "answered within N working days" and
        "due after N working days" agree.
        """
        _require_aware(a, "a")
        _require_aware(b, "b")
        first, last = self.local_date(a), self.local_date(b)
        if last < first:
            return -self._working_days_after_through(last, first)
        return self._working_days_after_through(first, last)

    def local_date(self, moment: datetime) -> date:
        _require_aware(moment, "moment")
        return moment.astimezone(self.tz).date()

    def _working_days_after_through(self, first: date, last: date) -> int:
        # Arithmetic rather than a day-by-day walk: statistics run this over years of reports.
        count = _weekdays_through(last) - _weekdays_through(first)
        count += sum(
            1
            for day in self.extra_working_days
            if first < day <= last and day.weekday() >= _SATURDAY and day not in self.holidays
        )
        count -= sum(
            1 for day in self.holidays if first < day <= last and day.weekday() < _SATURDAY
        )
        return count


def _weekdays_through(day: date) -> int:
    """Monday-to-Friday days from 0001-01-01 (a Monday) up to and including `day`."""
    weeks, rest = divmod(day.toordinal(), 7)
    return weeks * 5 + min(rest, 5)


def _require_aware(moment: datetime, name: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")
