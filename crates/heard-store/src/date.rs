//! Calendar dates, instants and the install's time zone, as the product shows them: ISO in
//! storage, "18 December 2024" on pages, times in the install's local time.
//!
//! Calendar arithmetic and time zones come from `jiff`, with the IANA time zone database built into
//! the binary: a consultation closes at the end of its closing day in the install's time zone
//! ([`TimeZone`], Europe/London unless the operator sets another), summer time included, on any
//! machine, with or without /usr/share/zoneinfo. [`Date`] is a day on the calendar (no zone);
//! [`Timestamp`] an instant (Unix seconds); [`TimeZone`] turns one into the other.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use jiff::civil;

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
pub struct Date(civil::Date);

/// Why a date was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{input:?} is not a date in the form YYYY-MM-DD")]
pub struct DateError {
    pub input: String,
}

/// The first day [`Date`] arithmetic uses as its origin.
const EPOCH: civil::Date = civil::date(1970, 1, 1);

impl Date {
    /// The day, if it exists on the calendar.
    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        let year = i16::try_from(year).ok()?;
        civil::Date::new(year, i8::try_from(month).ok()?, i8::try_from(day).ok()?).ok().map(Date)
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

    pub fn year(self) -> i32 {
        i32::from(self.0.year())
    }

    pub fn month(self) -> u8 {
        self.0.month() as u8
    }

    pub fn day(self) -> u8 {
        self.0.day() as u8
    }

    /// "18 December 2024".
    pub fn long(self) -> String {
        format!("{} {} {}", self.day(), MONTHS[usize::from(self.month() - 1)], self.year())
    }

    /// Days since 1970-01-01 (negative before).
    pub fn days_since_epoch(self) -> i64 {
        i64::from(EPOCH.until(self.0).map_or(0, |span| span.get_days()))
    }

    /// The day `days` after 1970-01-01.
    pub fn from_days_since_epoch(days: i64) -> Date {
        Date::epoch_plus(days)
    }

    pub fn add_days(self, days: i64) -> Date {
        Date::epoch_plus(self.days_since_epoch() + days)
    }

    /// The same day `months` later (earlier if negative), clamped to the month's last day.
    pub fn add_months(self, months: i32) -> Date {
        let span = jiff::Span::new().try_months(months).unwrap_or_default();
        Date(self.0.checked_add(span).unwrap_or(self.0))
    }

    /// Midnight UTC at the start of this day: for synthetic and test instants. What the install
    /// means by a day's start is [`TimeZone::day_start`].
    pub fn start(self) -> Timestamp {
        Timestamp(self.days_since_epoch() * 86_400)
    }

    fn epoch_plus(days: i64) -> Date {
        // Days outside jiff's range (years -9999 to 9999) are clamped to its ends.
        let span = jiff::Span::new().try_days(days).unwrap_or_default();
        Date(EPOCH.checked_add(span).unwrap_or(if days < 0 { civil::Date::MIN } else { civil::Date::MAX }))
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year(), self.month(), self.day())
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

    /// The day in UTC. Pages and rules use [`TimeZone::date`], the install's local day.
    pub fn utc_date(self) -> Date {
        Date::from_days_since_epoch(self.0.div_euclid(86_400))
    }

    /// "2025-01-18T10:30:00Z": the instant in UTC, for exports and the API.
    pub fn rfc3339(self) -> String {
        let secs = self.0.rem_euclid(86_400);
        format!("{}T{:02}:{:02}:{:02}Z", self.utc_date(), secs / 3600, secs / 60 % 60, secs % 60)
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

/// The install's time zone: which day an instant falls on, where a day starts and ends, and the
/// clock time people are shown. An IANA name ("Europe/London"), looked up in the database built
/// into the binary.
#[derive(Debug, Clone, PartialEq)]
pub struct TimeZone {
    name: String,
    zone: jiff::tz::TimeZone,
}

/// Why a time zone was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{name:?} is not a time zone heard knows: use an IANA name such as Europe/London or Europe/Paris")]
pub struct TimeZoneError {
    pub name: String,
}

impl TimeZone {
    /// The default: the United Kingdom's (GMT in winter, BST in summer).
    pub const DEFAULT: &'static str = "Europe/London";

    /// The zone of this IANA name.
    pub fn named(name: &str) -> Result<TimeZone, TimeZoneError> {
        let name = name.trim();
        jiff::tz::db()
            .get(name)
            .map(|zone| TimeZone { name: name.to_owned(), zone })
            .map_err(|_| TimeZoneError { name: name.to_owned() })
    }

    /// Europe/London.
    pub fn london() -> TimeZone {
        TimeZone::named(TimeZone::DEFAULT).expect("the built-in time zone database has Europe/London")
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The local day `at` falls on.
    pub fn date(&self, at: Timestamp) -> Date {
        Date(self.local(at).date())
    }

    /// The instant the local day `day` begins (midnight, or whenever the day starts where a change
    /// of clocks skips midnight).
    pub fn day_start(&self, day: Date) -> Timestamp {
        day.0
            .to_zoned(self.zone.clone())
            .and_then(|z| z.start_of_day())
            .map_or_else(|_| day.start(), |z| Timestamp(z.timestamp().as_second()))
    }

    /// The last second of the local day `day`: a consultation closing on `day` takes what arrives
    /// up to then.
    pub fn day_end(&self, day: Date) -> Timestamp {
        Timestamp(self.day_start(day.add_days(1)).0 - 1)
    }

    /// "18:30": the local clock time of `at`.
    pub fn clock(&self, at: Timestamp) -> String {
        let t = self.local(at);
        format!("{:02}:{:02}", t.hour(), t.minute())
    }

    /// "2025-03-30T10:00:00+01:00": `at` in local time with its offset, for `<time datetime>`.
    pub fn rfc3339(&self, at: Timestamp) -> String {
        let local = self.local(at);
        let offset = self.zone.to_offset(jiff::Timestamp::from_second(at.0).unwrap_or_default()).seconds();
        let sign = if offset < 0 { '-' } else { '+' };
        let offset = offset.abs();
        format!(
            "{}T{:02}:{:02}:{:02}{sign}{:02}:{:02}",
            Date(local.date()),
            local.hour(),
            local.minute(),
            local.second(),
            offset / 3600,
            offset / 60 % 60
        )
    }

    fn local(&self, at: Timestamp) -> civil::DateTime {
        let instant = jiff::Timestamp::from_second(at.0).unwrap_or_default();
        self.zone.to_datetime(instant)
    }
}

impl Default for TimeZone {
    fn default() -> TimeZone {
        TimeZone::london()
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

    /// The clocks went forward at 01:00 UTC on 30 March 2025 and back at 01:00 UTC on 26 October.
    #[test]
    fn london_days_and_clocks_follow_summer_time() {
        let london = TimeZone::london();
        let day = |iso| Date::parse_iso(iso).unwrap();
        // 23:30 UTC on 29 June is already 30 June in London (BST, UTC+1).
        let late_june = Timestamp(day("2025-06-29").start().0 + 23 * 3600 + 1800);
        assert_eq!(late_june.utc_date(), day("2025-06-29"));
        assert_eq!(london.date(late_june), day("2025-06-30"));
        assert_eq!(london.clock(late_june), "00:30");
        assert_eq!(london.rfc3339(late_june), "2025-06-30T00:30:00+01:00");
        // In winter London is on UTC.
        let january = Timestamp(day("2025-01-10").start().0 + 23 * 3600 + 1800);
        assert_eq!((london.date(january), london.clock(january)), (day("2025-01-10"), "23:30".into()));
        assert_eq!(london.rfc3339(january), "2025-01-10T23:30:00+00:00");
        // The day the clocks go forward is 23 hours long, the day they go back 25.
        let (spring, autumn) = (day("2025-03-30"), day("2025-10-26"));
        assert_eq!(london.day_start(spring.add_days(1)).0 - london.day_start(spring).0, 23 * 3600);
        assert_eq!(london.day_start(autumn.add_days(1)).0 - london.day_start(autumn).0, 25 * 3600);
        // A day in summer ends at 23:59:59 BST, 22:59:59 UTC.
        assert_eq!(london.day_end(day("2025-06-30")).0, day("2025-06-30").start().0 + 23 * 3600 - 1);
        assert_eq!(
            london.clock(Timestamp(day("2025-03-30").start().0 + 3600)),
            "02:00",
            "01:00 UTC is 02:00 BST"
        );
        assert!(TimeZone::named("Mars/Olympus_Mons").is_err());
        assert_eq!(TimeZone::named("Europe/Paris").unwrap().clock(late_june), "01:30");
    }
}
