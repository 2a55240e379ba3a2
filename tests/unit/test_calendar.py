"""Vietnamese working days: weekends, holidays, make-up days and end-of-local-day deadlines."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from models.calendar import VIETNAM_TZ, WorkCalendar

# Tết 2026 for public servants: Saturday 14 to Sunday 22 February, the weekdays being holidays.
TET_2026 = frozenset(date(2026, 2, day) for day in range(16, 21))
CALENDAR = WorkCalendar(holidays=TET_2026)
PLAIN = WorkCalendar(holidays=frozenset())


def _local(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=VIETNAM_TZ)


def test_saturday_and_sunday_are_days_off() -> None:
    assert not PLAIN.is_working_day(date(2026, 3, 7))
    assert not PLAIN.is_working_day(date(2026, 3, 8))


def test_weekday_is_a_working_day() -> None:
    assert PLAIN.is_working_day(date(2026, 3, 6))


def test_holiday_is_a_day_off() -> None:
    assert not CALENDAR.is_working_day(date(2026, 2, 18))


def test_make_up_saturday_is_a_working_day() -> None:
    calendar = WorkCalendar(holidays=frozenset(), extra_working_days=frozenset({date(2026, 3, 7)}))

    assert calendar.is_working_day(date(2026, 3, 7))


def test_holiday_wins_over_a_make_up_day() -> None:
    day = date(2026, 3, 7)
    calendar = WorkCalendar(holidays=frozenset({day}), extra_working_days=frozenset({day}))

    assert not calendar.is_working_day(day)


def test_deadline_is_the_end_of_the_local_day_in_utc() -> None:
    due = PLAIN.add_working_days(_local(2026, 3, 2, 9, 0), 1)

    assert due == datetime(2026, 3, 3, 16, 59, 59, 999999, tzinfo=UTC)
    assert due.tzinfo is UTC


def test_weekend_is_skipped() -> None:
    due = PLAIN.add_working_days(_local(2026, 3, 5, 10, 0), 2)

    assert due == datetime(2026, 3, 9, 16, 59, 59, 999999, tzinfo=UTC)


def test_friday_evening_with_one_day_is_due_monday() -> None:
    due = PLAIN.add_working_days(_local(2026, 3, 6, 21, 30), 1)

    assert due == datetime(2026, 3, 9, 16, 59, 59, 999999, tzinfo=UTC)


def test_start_counts_from_its_local_date_not_its_utc_date() -> None:
    # 20:00 UTC on Thursday is already 03:00 on Friday in Vietnam.
    due = PLAIN.add_working_days(datetime(2026, 3, 5, 20, 0, tzinfo=UTC), 1)

    assert due == datetime(2026, 3, 9, 16, 59, 59, 999999, tzinfo=UTC)


def test_tet_holidays_and_the_weekends_around_them_are_skipped() -> None:
    due = CALENDAR.add_working_days(_local(2026, 2, 13, 18, 0), 1)

    assert due == datetime(2026, 2, 23, 16, 59, 59, 999999, tzinfo=UTC)


def test_make_up_saturday_counts_towards_a_deadline() -> None:
    calendar = WorkCalendar(holidays=frozenset(), extra_working_days=frozenset({date(2026, 3, 7)}))

    due = calendar.add_working_days(_local(2026, 3, 6, 9, 0), 1)

    assert due == datetime(2026, 3, 7, 16, 59, 59, 999999, tzinfo=UTC)


def test_naive_start_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        PLAIN.add_working_days(datetime(2026, 3, 2, 9, 0), 1)  # noqa: DTZ001


@pytest.mark.parametrize("days", [0, -1])
def test_fewer_than_one_day_is_refused(days: int) -> None:
    with pytest.raises(ValueError, match="days"):
        PLAIN.add_working_days(_local(2026, 3, 2, 9, 0), days)


def test_more_than_a_year_of_days_is_refused() -> None:
    with pytest.raises(ValueError, match="days"):
        PLAIN.add_working_days(_local(2026, 3, 2, 9, 0), 366)


def test_a_year_of_days_is_accepted() -> None:
    due = PLAIN.add_working_days(_local(2026, 3, 2, 9, 0), 365)

    assert PLAIN.working_days_between(_local(2026, 3, 2, 9, 0), due) == 365


def test_working_days_between_skips_weekends() -> None:
    assert PLAIN.working_days_between(_local(2026, 3, 6, 9, 0), _local(2026, 3, 10, 9, 0)) == 2


def test_working_days_between_skips_holidays() -> None:
    assert CALENDAR.working_days_between(_local(2026, 2, 13, 9, 0), _local(2026, 2, 24, 9, 0)) == 2


def test_working_days_between_the_same_day_is_zero() -> None:
    assert PLAIN.working_days_between(_local(2026, 3, 2, 8, 0), _local(2026, 3, 2, 17, 0)) == 0


def test_working_days_between_is_negative_backwards() -> None:
    assert PLAIN.working_days_between(_local(2026, 3, 10, 9, 0), _local(2026, 3, 6, 9, 0)) == -2


def test_working_days_between_undoes_add_working_days() -> None:
    start = _local(2026, 2, 10, 15, 0)

    for days in range(1, 40):
        assert CALENDAR.working_days_between(start, CALENDAR.add_working_days(start, days)) == days


def test_working_days_between_agrees_with_counting_day_by_day() -> None:
    calendar = WorkCalendar(
        holidays=TET_2026 | {date(2026, 2, 14), date(2026, 4, 30), date(2026, 5, 1)},
        extra_working_days=frozenset({date(2026, 2, 7), date(2026, 2, 18), date(2026, 3, 4)}),
    )
    first = date(2026, 1, 1)

    for span in range(0, 150):
        last = first + timedelta(days=span)
        by_walking = sum(
            calendar.is_working_day(first + timedelta(days=offset)) for offset in range(1, span + 1)
        )
        between = calendar.working_days_between(
            datetime.combine(first, datetime.min.time(), tzinfo=VIETNAM_TZ),
            datetime.combine(last, datetime.min.time(), tzinfo=VIETNAM_TZ),
        )
        assert between == by_walking


def test_naive_input_to_working_days_between_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        PLAIN.working_days_between(_local(2026, 3, 2, 9, 0), datetime(2026, 3, 5))  # noqa: DTZ001
