from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from grade_oracle import next_period_start, period_start
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import InvalidInput
from domain.periods import ALL_TIME, DateWindow, GroupBy, bucket_start, format_period

PLUS_5_30 = timezone(timedelta(hours=5, minutes=30))
MINUS_8 = timezone(timedelta(hours=-8))


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


class TestBucketStart:
    @pytest.mark.parametrize(
        ("moment", "group_by", "expected"),
        [
            (utc(2025, 5, 14, 23, 59, 59), GroupBy.DAY, utc(2025, 5, 14)),
            (utc(2025, 5, 14), GroupBy.DAY, utc(2025, 5, 14)),
            # ISO weeks start on Monday
            (utc(2025, 5, 14, 8), GroupBy.WEEK, utc(2025, 5, 12)),
            (utc(2025, 5, 12), GroupBy.WEEK, utc(2025, 5, 12)),
            (utc(2025, 5, 18, 23, 59), GroupBy.WEEK, utc(2025, 5, 12)),
            (utc(2025, 5, 19), GroupBy.WEEK, utc(2025, 5, 19)),
            # ... across year boundaries: the week holding 1 Jan may start in December
            (utc(2021, 1, 3, 12), GroupBy.WEEK, utc(2020, 12, 28)),  # 2020-W53
            (utc(2023, 1, 1), GroupBy.WEEK, utc(2022, 12, 26)),  # Sunday: 2022-W52
            (utc(2024, 12, 31), GroupBy.WEEK, utc(2024, 12, 30)),  # 2025-W01 starts in 2024
            (utc(2026, 1, 1), GroupBy.WEEK, utc(2025, 12, 29)),
            (utc(2025, 5, 31, 23, 59), GroupBy.MONTH, utc(2025, 5, 1)),
            (utc(2024, 2, 29), GroupBy.MONTH, utc(2024, 2, 1)),
            # quarter edges
            (utc(2025, 3, 31, 23, 59, 59), GroupBy.QUARTER, utc(2025, 1, 1)),
            (utc(2025, 4, 1), GroupBy.QUARTER, utc(2025, 4, 1)),
            (utc(2025, 6, 30, 23, 59), GroupBy.QUARTER, utc(2025, 4, 1)),
            (utc(2025, 7, 1), GroupBy.QUARTER, utc(2025, 7, 1)),
            (utc(2025, 9, 30), GroupBy.QUARTER, utc(2025, 7, 1)),
            (utc(2025, 10, 1), GroupBy.QUARTER, utc(2025, 10, 1)),
            (utc(2025, 12, 31, 23, 59), GroupBy.QUARTER, utc(2025, 10, 1)),
            (utc(2025, 12, 31, 23, 59), GroupBy.YEAR, utc(2025, 1, 1)),
            (utc(2026, 1, 1), GroupBy.YEAR, utc(2026, 1, 1)),
        ],
    )
    def test_utc_moments(self, moment: datetime, group_by: GroupBy, expected: datetime) -> None:
        start = bucket_start(moment, group_by)
        assert start == expected
        assert start.utcoffset() == timedelta(0)

    @pytest.mark.parametrize(
        ("moment", "group_by", "expected"),
        [
            # 01:00 on 1 Apr at +05:30 is still 31 Mar in UTC: first quarter
            (datetime(2025, 4, 1, 1, 0, tzinfo=PLUS_5_30), GroupBy.QUARTER, utc(2025, 1, 1)),
            (datetime(2025, 4, 1, 1, 0, tzinfo=PLUS_5_30), GroupBy.DAY, utc(2025, 3, 31)),
            # 20:00 on 31 Dec at -08:00 is already 1 Jan in UTC
            (datetime(2024, 12, 31, 20, 0, tzinfo=MINUS_8), GroupBy.YEAR, utc(2025, 1, 1)),
            (datetime(2024, 12, 31, 20, 0, tzinfo=MINUS_8), GroupBy.MONTH, utc(2025, 1, 1)),
            # 22:00 on Sunday at -08:00 is Monday in UTC: the next week
            (datetime(2025, 5, 18, 22, 0, tzinfo=MINUS_8), GroupBy.WEEK, utc(2025, 5, 19)),
            # 03:00 on Monday at +05:30 is Sunday in UTC: the previous week
            (datetime(2025, 5, 19, 3, 0, tzinfo=PLUS_5_30), GroupBy.WEEK, utc(2025, 5, 12)),
        ],
    )
    def test_other_offsets_bucket_by_their_utc_date(
        self, moment: datetime, group_by: GroupBy, expected: datetime
    ) -> None:
        assert bucket_start(moment, group_by) == expected

    @given(
        st.datetimes(
            min_value=datetime(1, 1, 2),
            max_value=datetime(9999, 12, 30),
            timezones=st.sampled_from([UTC, PLUS_5_30, MINUS_8, timezone(timedelta(hours=14))]),
        ),
        st.sampled_from(list(GroupBy)),
    )
    def test_the_bucket_holds_the_moment_and_matches_the_calendar(
        self, moment: datetime, group_by: GroupBy
    ) -> None:
        start = bucket_start(moment, group_by)
        assert start == period_start(moment, group_by.value)
        assert start <= moment
        if start.year < 9999 or group_by is GroupBy.DAY:
            assert moment < next_period_start(start, group_by.value)
        assert (start.hour, start.minute, start.second, start.microsecond) == (0, 0, 0, 0)


class TestFormatPeriod:
    def test_bucket_starts_are_rfc3339_utc(self) -> None:
        assert format_period(utc(2025, 3, 1)) == "2025-03-01T00:00:00Z"

    def test_a_non_utc_start_is_shown_in_utc(self) -> None:
        assert format_period(datetime(2025, 3, 1, 5, 30, tzinfo=PLUS_5_30)) == "2025-03-01T00:00:00Z"

    def test_years_before_1000_have_four_digits(self) -> None:
        assert format_period(utc(1, 1, 1)) == "0001-01-01T00:00:00Z"
        assert format_period(utc(999, 12, 27)) == "0999-12-27T00:00:00Z"

    def test_ungrouped_is_all_time(self) -> None:
        assert format_period(None) == ALL_TIME == "all_time"


class TestDateWindow:
    def test_open_window_contains_everything(self) -> None:
        window = DateWindow()
        assert (window.start, window.end) == (None, None)
        assert window.contains(utc(1970, 1, 1)) and window.contains(utc(2999, 1, 1))

    def test_dates_are_inclusive_as_utc_instants(self) -> None:
        window = DateWindow(date(2025, 1, 1), date(2025, 1, 31))
        assert window.start == utc(2025, 1, 1)
        assert window.end == utc(2025, 2, 1)
        assert window.contains(utc(2025, 1, 1))
        assert window.contains(utc(2025, 1, 31, 23, 59, 59, 999999))
        assert not window.contains(utc(2025, 2, 1))
        assert not window.contains(utc(2024, 12, 31, 23, 59, 59, 999999))

    def test_a_single_day(self) -> None:
        window = DateWindow(date(2025, 1, 1), date(2025, 1, 1))
        assert window.contains(utc(2025, 1, 1, 12))
        assert not window.contains(utc(2025, 1, 2))

    def test_offsets_are_compared_as_instants(self) -> None:
        window = DateWindow(date(2025, 1, 1), date(2025, 1, 1))
        # 23:00 on 31 Dec at -08:00 is 07:00 on 1 Jan UTC: inside
        assert window.contains(datetime(2024, 12, 31, 23, 0, tzinfo=MINUS_8))
        # 04:00 on 2 Jan at +05:30 is 22:30 on 1 Jan UTC: inside
        assert window.contains(datetime(2025, 1, 2, 4, 0, tzinfo=PLUS_5_30))
        # 06:00 on 2 Jan at +05:30 is 00:30 on 2 Jan UTC: outside
        assert not window.contains(datetime(2025, 1, 2, 6, 0, tzinfo=PLUS_5_30))

    def test_half_open_windows(self) -> None:
        since = DateWindow(start_date=date(2025, 1, 1))
        until = DateWindow(end_date=date(2025, 1, 1))
        assert since.end is None and until.start is None
        assert since.contains(utc(3000, 1, 1)) and not since.contains(utc(2024, 12, 31))
        assert until.contains(utc(1900, 1, 1)) and not until.contains(utc(2025, 1, 2))

    def test_start_after_end_is_rejected(self) -> None:
        with pytest.raises(InvalidInput) as error:
            DateWindow(date(2025, 2, 1), date(2025, 1, 31))
        assert [e.field for e in error.value.errors] == ["start_date"]

    def test_the_last_representable_date_cannot_end_a_window(self) -> None:
        with pytest.raises(InvalidInput) as error:
            DateWindow(end_date=date.max)
        assert [e.field for e in error.value.errors] == ["end_date"]

    def test_the_earliest_date_can_start_one(self) -> None:
        assert DateWindow(start_date=date.min).start == utc(1, 1, 1)
