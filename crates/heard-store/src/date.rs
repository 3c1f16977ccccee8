//! Calendar dates and instants as the product shows them: ISO in storage, "18 December 2024" on pages.
//!
//! Hand-written (about a hundred lines) rather than a date crate: heard needs whole days, UTC instants,
//! two formats and month arithmetic, nothing more.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A calendar day (proleptic Gregorian), valid by construction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
}

/// Why a date was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{input:?} is not a date in the form YYYY-MM-DD")]
pub struct DateError {
    pub input: String,
}

impl Date {
    /// The day, if it exists on the calendar.
    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        let valid = (1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month);
        valid.then_some(Date { year, month, day })
    }

    /// Parses `YYYY-MM-DD`.
    pub fn parse_iso(input: &str) -> Result<Date, DateError> {
        let err = || DateError { input: input.to_owned() };
        let mut parts = input.trim().splitn(3, '-');
        let (y, m, d) = (parts.next(), parts.next(), parts.next());
        let (Some(y), Some(m), Some(d)) = (y, m, d) else { return Err(err()) };
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return Err(err());
        }
        let year = y.parse().map_err(|_| err())?;
        let month = m.parse().map_err(|_| err())?;
        let day = d.parse().map_err(|_| err())?;
        Date::new(year, month, day).ok_or_else(err)
    }

    /// Today in UTC.
    pub fn today() -> Date {
        Timestamp::now().date()
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn month(self) -> u8 {
        self.month
    }

    pub fn day(self) -> u8 {
        self.day
    }

    /// "18 December 2024".
    pub fn long(self) -> String {
        format!("{} {} {}", self.day, MONTHS[usize::from(self.month - 1)], self.year)
    }

    /// Days since 1970-01-01 (negative before).
    pub fn days_since_epoch(self) -> i64 {
        // Howard Hinnant's days_from_civil.
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The day `days` after 1970-01-01.
    pub fn from_days_since_epoch(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }

    pub fn add_days(self, days: i64) -> Date {
        Date::from_days_since_epoch(self.days_since_epoch() + days)
    }

    /// The same day `months` later (earlier if negative), clamped to the month's last day.
    pub fn add_months(self, months: i32) -> Date {
        let index = self.year * 12 + i32::from(self.month) - 1 + months;
        let (year, month) = (index.div_euclid(12), (index.rem_euclid(12) + 1) as u8);
        Date { year, month, day: self.day.min(days_in_month(year, month)) }
    }

    /// Midnight UTC at the start of this day.
    pub fn start(self) -> Timestamp {
        Timestamp(self.days_since_epoch() * 86_400)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// An instant, in whole seconds since the Unix epoch (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub fn now() -> Timestamp {
        let secs = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
        Timestamp(secs)
    }

    pub fn date(self) -> Date {
        Date::from_days_since_epoch(self.0.div_euclid(86_400))
    }

    /// "2025-01-18T10:30:00Z", for `<time datetime>` and exports.
    pub fn rfc3339(self) -> String {
        let secs = self.0.rem_euclid(86_400);
        format!("{}T{:02}:{:02}:{:02}Z", self.date(), secs / 3600, secs / 60 % 60, secs % 60)
    }

    /// How long before `now` this was, as a person says it: "just now", "3 days ago", "a year ago".
    pub fn ago(self, now: Timestamp) -> String {
        let secs = (now.0 - self.0).max(0);
        let (minute, hour, day) = (60, 3600, 86_400);
        let (n, unit) = match secs {
            s if s < minute => return "just now".to_owned(),
            s if s < hour => (s / minute, "minute"),
            s if s < day => (s / hour, "hour"),
            s if s < 7 * day => (s / day, "day"),
            s if s < 30 * day => (s / (7 * day), "week"),
            s if s < 365 * day => ((s / (30 * day)).min(11), "month"),
            s => (s / (365 * day), "year"),
        };
        match (n, unit) {
            (1, "hour") => "an hour ago".to_owned(),
            (1, unit) => format!("a {unit} ago"),
            (n, unit) => format!("{n} {unit}s ago"),
        }
    }
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_days_across_eras_and_leap_years() {
        for days in [-800_000, -1, 0, 59, 11_016, 20_075, 2_000_000] {
            assert_eq!(Date::from_days_since_epoch(days).days_since_epoch(), days);
        }
        assert_eq!(Date::parse_iso("2024-12-18").unwrap().days_since_epoch(), 20_075);
        assert_eq!(Date::parse_iso("2024-02-29").unwrap().add_months(12).to_string(), "2025-02-28");
    }

    #[test]
    fn refuses_impossible_days() {
        assert!(Date::parse_iso("2025-02-29").is_err());
        assert!(Date::parse_iso("2025-13-01").is_err());
        assert!(Date::parse_iso("18/12/2024").is_err());
        assert_eq!(Date::parse_iso("2025-02-12").unwrap().long(), "12 February 2025");
    }

    #[test]
    fn says_how_long_ago_like_a_person() {
        let now = Timestamp(1_000_000_000);
        assert_eq!(Timestamp(now.0 - 5).ago(now), "just now");
        assert_eq!(Timestamp(now.0 - 3600).ago(now), "an hour ago");
        assert_eq!(Timestamp(now.0 - 3 * 86_400).ago(now), "3 days ago");
        assert_eq!(Timestamp(now.0 - 190 * 86_400).ago(now), "6 months ago");
        assert_eq!(Timestamp(now.0 - 400 * 86_400).ago(now), "a year ago");
        assert_eq!(Timestamp(86_400 + 3723).rfc3339(), "1970-01-02T01:02:03Z");
    }
}
