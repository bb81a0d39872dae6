//! NT time: a signed count of 100-nanosecond intervals since 1601-01-01 00:00:00 UTC,
//! in the proleptic Gregorian calendar (1601 starts a 400-year leap cycle).

use ntdef::types::TIME_FIELDS;

/// Ticks (100 ns) per second.
pub const TICKS_PER_SECOND: i64 = 10_000_000;
const TICKS_PER_MILLISECOND: i64 = 10_000;
const MS_PER_DAY: i64 = 86_400_000;
const DAYS_PER_400_YEARS: i64 = 146_097;
const DAYS_PER_100_YEARS: i64 = 36_524;
const DAYS_PER_4_YEARS: i64 = 1_461;

/// 1970-01-01 00:00:00 as NT time.
pub const UNIX_EPOCH: NtTime = NtTime(116_444_736_000_000_000);
/// 1980-01-01 00:00:00 as NT time.
pub const EPOCH_1980: NtTime = NtTime(119_600_064_000_000_000);

/// An NT system time (`LARGE_INTEGER` of 100 ns ticks since 1601).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NtTime(pub i64);

/// A broken-down time, as `TIME_FIELDS` holds it. `weekday` is 0 for Sunday.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TimeFields {
    pub year: i16,
    pub month: i16,
    pub day: i16,
    pub hour: i16,
    pub minute: i16,
    pub second: i16,
    pub milliseconds: i16,
    pub weekday: i16,
}

impl From<TimeFields> for TIME_FIELDS {
    fn from(f: TimeFields) -> Self {
        TIME_FIELDS {
            Year: f.year,
            Month: f.month,
            Day: f.day,
            Hour: f.hour,
            Minute: f.minute,
            Second: f.second,
            Milliseconds: f.milliseconds,
            Weekday: f.weekday,
        }
    }
}

impl From<TIME_FIELDS> for TimeFields {
    fn from(f: TIME_FIELDS) -> Self {
        TimeFields {
            year: f.Year,
            month: f.Month,
            day: f.Day,
            hour: f.Hour,
            minute: f.Minute,
            second: f.Second,
            milliseconds: f.Milliseconds,
            weekday: f.Weekday,
        }
    }
}

const fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

/// Days before the first of each month (index 0 = January), plus the year's length.
const fn month_starts(leap: bool) -> [i64; 13] {
    let l = leap as i64;
    [
        0,
        31,
        59 + l,
        90 + l,
        120 + l,
        151 + l,
        181 + l,
        212 + l,
        243 + l,
        273 + l,
        304 + l,
        334 + l,
        365 + l,
    ]
}

/// Whole days from 1601-01-01 to January 1st of `year` (`year` ≥ 1601).
const fn days_before_year(year: i64) -> i64 {
    let y = year - 1601;
    y * 365 + y / 4 - y / 100 + y / 400
}

/// `RtlTimeToTimeFields`. Defined for every value; times before 1601 come out in the
/// proleptic calendar (negative `year`s stop at -27627, the i64 range ends in 30828).
pub fn time_to_fields(time: NtTime) -> TimeFields {
    let total_ms = time.0.div_euclid(TICKS_PER_MILLISECOND);
    let days = total_ms.div_euclid(MS_PER_DAY);
    let ms_of_day = total_ms.rem_euclid(MS_PER_DAY);

    let cycles = days.div_euclid(DAYS_PER_400_YEARS);
    let mut d = days.rem_euclid(DAYS_PER_400_YEARS);
    // The last century of a cycle and the last year of a 4-year group are a day longer,
    // which caps each quotient.
    let centuries = (d / DAYS_PER_100_YEARS).min(3);
    d -= centuries * DAYS_PER_100_YEARS;
    let quads = d / DAYS_PER_4_YEARS;
    d -= quads * DAYS_PER_4_YEARS;
    let years = (d / 365).min(3);
    d -= years * 365;
    let year = 1601 + cycles * 400 + centuries * 100 + quads * 4 + years;

    let starts = month_starts(is_leap(year));
    let month = (1..12).rev().find(|&m| d >= starts[m]).unwrap_or(0);

    TimeFields {
        year: year as i16,
        month: month as i16 + 1,
        day: (d - starts[month]) as i16 + 1,
        hour: (ms_of_day / 3_600_000) as i16,
        minute: (ms_of_day / 60_000 % 60) as i16,
        second: (ms_of_day / 1000 % 60) as i16,
        milliseconds: (ms_of_day % 1000) as i16,
        // 1601-01-01 was a Monday.
        weekday: (days + 1).rem_euclid(7) as i16,
    }
}

/// `RtlTimeFieldsToTime`: `None` (FALSE) when a field is out of range (year before
/// 1601, month 1–12, day within the month, hour < 24, minute and second < 60,
/// milliseconds < 1000) or the time does not fit in 64 bits. `weekday` is ignored.
pub fn fields_to_time(f: &TimeFields) -> Option<NtTime> {
    let (year, month, day) = (i64::from(f.year), i64::from(f.month), i64::from(f.day));
    if year < 1601
        || !(1..=12).contains(&month)
        || !(0..24).contains(&f.hour)
        || !(0..60).contains(&f.minute)
        || !(0..60).contains(&f.second)
        || !(0..1000).contains(&f.milliseconds)
    {
        return None;
    }
    let starts = month_starts(is_leap(year));
    let month_index = (month - 1) as usize;
    if day < 1 || day > starts[month_index + 1] - starts[month_index] {
        return None;
    }
    let days = days_before_year(year) + starts[month_index] + day - 1;
    let ms_of_day = ((i64::from(f.hour) * 60 + i64::from(f.minute)) * 60 + i64::from(f.second))
        * 1000
        + i64::from(f.milliseconds);
    days.checked_mul(MS_PER_DAY)?
        .checked_add(ms_of_day)?
        .checked_mul(TICKS_PER_MILLISECOND)
        .map(NtTime)
}

fn seconds_since(time: NtTime, epoch: NtTime) -> Option<u32> {
    let ticks = time.0.checked_sub(epoch.0).filter(|t| *t >= 0)?;
    u32::try_from(ticks / TICKS_PER_SECOND).ok()
}

/// `RtlTimeToSecondsSince1970`: whole seconds (rounded down), `None` (FALSE) before
/// 1970 or past 2106-02-07 06:28:15 where a `ULONG` ends.
pub fn time_to_seconds_since_1970(time: NtTime) -> Option<u32> {
    seconds_since(time, UNIX_EPOCH)
}

/// `RtlSecondsSince1970ToTime`.
pub fn seconds_since_1970_to_time(seconds: u32) -> NtTime {
    NtTime(UNIX_EPOCH.0 + i64::from(seconds) * TICKS_PER_SECOND)
}

/// `RtlTimeToSecondsSince1980`: as the 1970 variant, from 1980-01-01.
pub fn time_to_seconds_since_1980(time: NtTime) -> Option<u32> {
    seconds_since(time, EPOCH_1980)
}

/// `RtlSecondsSince1980ToTime`.
pub fn seconds_since_1980_to_time(seconds: u32) -> NtTime {
    NtTime(EPOCH_1980.0 + i64::from(seconds) * TICKS_PER_SECOND)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(
        year: i16,
        month: i16,
        day: i16,
        hour: i16,
        minute: i16,
        second: i16,
        ms: i16,
    ) -> TimeFields {
        TimeFields {
            year,
            month,
            day,
            hour,
            minute,
            second,
            milliseconds: ms,
            weekday: 0,
        }
    }

    #[test]
    fn time_zero_is_1601() {
        let f = time_to_fields(NtTime(0));
        assert_eq!(
            f,
            TimeFields {
                weekday: 1,
                ..fields(1601, 1, 1, 0, 0, 0, 0)
            }
        );
        assert_eq!(fields_to_time(&f), Some(NtTime(0)));
    }

    #[test]
    fn epochs_agree_with_the_calendar() {
        assert_eq!(
            fields_to_time(&fields(1970, 1, 1, 0, 0, 0, 0)),
            Some(UNIX_EPOCH)
        );
        assert_eq!(
            fields_to_time(&fields(1980, 1, 1, 0, 0, 0, 0)),
            Some(EPOCH_1980)
        );
        // 1970-01-01 was a Thursday, 1980-01-01 a Tuesday.
        assert_eq!(time_to_fields(UNIX_EPOCH).weekday, 4);
        assert_eq!(time_to_fields(EPOCH_1980).weekday, 2);
    }

    #[test]
    fn known_instant() {
        // 2000-02-29 13:45:30.123 UTC = Unix 951831930.123, a Tuesday.
        let t = NtTime(UNIX_EPOCH.0 + 951_831_930 * TICKS_PER_SECOND + 1_234_567);
        assert_eq!(
            time_to_fields(t),
            TimeFields {
                weekday: 2,
                ..fields(2000, 2, 29, 13, 45, 30, 123)
            }
        );
        // Sub-millisecond ticks are dropped by the round trip.
        assert_eq!(
            fields_to_time(&time_to_fields(t)),
            Some(NtTime(t.0 - 4_567))
        );
    }

    #[test]
    fn leap_rules() {
        assert!(fields_to_time(&fields(2000, 2, 29, 0, 0, 0, 0)).is_some());
        assert!(fields_to_time(&fields(2004, 2, 29, 0, 0, 0, 0)).is_some());
        assert!(fields_to_time(&fields(1900, 2, 29, 0, 0, 0, 0)).is_none());
        assert!(fields_to_time(&fields(2001, 2, 29, 0, 0, 0, 0)).is_none());
        assert_eq!(
            time_to_fields(fields_to_time(&fields(2000, 12, 31, 0, 0, 0, 0)).unwrap()).day,
            31
        );
        assert_eq!(
            time_to_fields(fields_to_time(&fields(1700, 3, 1, 0, 0, 0, 0)).unwrap()).month,
            3
        );
    }

    #[test]
    fn invalid_fields_are_rejected() {
        for bad in [
            fields(1600, 12, 31, 23, 59, 59, 999),
            fields(2020, 0, 1, 0, 0, 0, 0),
            fields(2020, 13, 1, 0, 0, 0, 0),
            fields(2020, 4, 31, 0, 0, 0, 0),
            fields(2020, 4, 0, 0, 0, 0, 0),
            fields(2020, 4, 1, 24, 0, 0, 0),
            fields(2020, 4, 1, 0, 60, 0, 0),
            fields(2020, 4, 1, 0, 0, 60, 0),
            fields(2020, 4, 1, 0, 0, 0, 1000),
            fields(2020, 4, 1, -1, 0, 0, 0),
            fields(30829, 1, 1, 0, 0, 0, 0),
        ] {
            assert_eq!(fields_to_time(&bad), None, "{bad:?}");
        }
        assert!(fields_to_time(&fields(30827, 12, 31, 23, 59, 59, 999)).is_some());
    }

    #[test]
    fn every_day_round_trips_across_four_centuries() {
        let mut previous: Option<TimeFields> = None;
        for day in 0..(DAYS_PER_400_YEARS + 800) {
            let t = NtTime(day * MS_PER_DAY * TICKS_PER_MILLISECOND + 37_000_000_000);
            let f = time_to_fields(t);
            assert_eq!(fields_to_time(&f), Some(t), "{f:?}");
            assert_eq!((f.hour, f.minute, f.second), (1, 1, 40));
            if let Some(p) = previous {
                assert_eq!(f.weekday, (p.weekday + 1) % 7);
                let next_day = f.day == p.day + 1 && f.month == p.month;
                let next_month = f.day == 1
                    && (f.month == p.month + 1 || (f.month == 1 && f.year == p.year + 1));
                assert!(next_day || next_month, "{p:?} -> {f:?}");
            }
            previous = Some(f);
        }
    }

    #[test]
    fn extremes_do_not_overflow() {
        let max = time_to_fields(NtTime(i64::MAX));
        assert_eq!((max.year, max.month, max.day), (30828, 9, 14));
        let min = time_to_fields(NtTime(i64::MIN));
        assert!(min.year < 0 && (1..=12).contains(&min.month));
        let before = time_to_fields(NtTime(-1));
        assert_eq!(
            before,
            TimeFields {
                weekday: 0,
                ..fields(1600, 12, 31, 23, 59, 59, 999)
            }
        );
    }

    #[test]
    fn seconds_since_1970() {
        assert_eq!(time_to_seconds_since_1970(UNIX_EPOCH), Some(0));
        assert_eq!(time_to_seconds_since_1970(NtTime(UNIX_EPOCH.0 - 1)), None);
        assert_eq!(
            time_to_seconds_since_1970(NtTime(UNIX_EPOCH.0 + 19_999_999)),
            Some(1)
        );
        assert_eq!(
            time_to_seconds_since_1970(seconds_since_1970_to_time(u32::MAX)),
            Some(u32::MAX)
        );
        let past = NtTime(seconds_since_1970_to_time(u32::MAX).0 + TICKS_PER_SECOND);
        assert_eq!(time_to_seconds_since_1970(past), None);
        assert_eq!(time_to_seconds_since_1970(NtTime(i64::MIN)), None);
        assert_eq!(
            seconds_since_1970_to_time(86_400),
            NtTime(UNIX_EPOCH.0 + 864_000_000_000)
        );
        let f = time_to_fields(seconds_since_1970_to_time(u32::MAX));
        assert_eq!(
            (f.year, f.month, f.day, f.hour, f.minute, f.second),
            (2106, 2, 7, 6, 28, 15)
        );
    }

    #[test]
    fn seconds_since_1980() {
        assert_eq!(time_to_seconds_since_1980(EPOCH_1980), Some(0));
        assert_eq!(time_to_seconds_since_1980(UNIX_EPOCH), None);
        assert_eq!(
            seconds_since_1980_to_time(60),
            NtTime(EPOCH_1980.0 + 600_000_000)
        );
        assert_eq!(
            time_to_seconds_since_1980(seconds_since_1980_to_time(123_456)),
            Some(123_456)
        );
    }

    #[test]
    fn abi_struct_conversion_keeps_every_field() {
        let f = TimeFields {
            weekday: 6,
            ..fields(2024, 7, 13, 8, 9, 10, 11)
        };
        let abi: TIME_FIELDS = f.into();
        assert_eq!(
            (abi.Year, abi.Month, abi.Day, abi.Weekday, abi.Milliseconds),
            (2024, 7, 13, 6, 11)
        );
        assert_eq!(TimeFields::from(abi), f);
    }
}
