//! Local civil time as the server gives it to a session: a calendar date and a wall-clock time in
//! the tenant's time zone.
//!
//! The engine never reads a clock or a time-zone database: the server converts "now" to the
//! tenant's local time and passes it in ([`crate::Session::set_local_time`]). Business-hours
//! branches and `now.*` in conditions read it. Calendar arithmetic (valid dates, weekdays) is
//! `jiff`'s civil dates; this module adds the flow file's spellings (`mon`, `YYYY-MM-DD`,
//! `HH:MM`) and the minute resolution flows work in.

use std::fmt;

/// A day of the week.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Weekday {
    /// Monday.
    Mon,
    /// Tuesday.
    Tue,
    /// Wednesday.
    Wed,
    /// Thursday.
    Thu,
    /// Friday.
    Fri,
    /// Saturday.
    Sat,
    /// Sunday.
    Sun,
}

impl Weekday {
    /// Monday first, as ranges such as `mon-fri` count.
    pub const ALL: [Weekday; 7] = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Weekday::Sun,
    ];

    /// The three-letter name used in flow files (`mon`...`sun`).
    pub fn name(self) -> &'static str {
        match self {
            Weekday::Mon => "mon",
            Weekday::Tue => "tue",
            Weekday::Wed => "wed",
            Weekday::Thu => "thu",
            Weekday::Fri => "fri",
            Weekday::Sat => "sat",
            Weekday::Sun => "sun",
        }
    }

    /// The day written `name` (three letters, any case).
    pub fn from_name(name: &str) -> Option<Weekday> {
        let name = name.trim().to_ascii_lowercase();
        Weekday::ALL.into_iter().find(|d| d.name() == name)
    }
}

/// A calendar date (proleptic Gregorian).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
    civil: jiff::civil::Date,
}

impl Date {
    /// The date, if it exists (years 1 to 9999).
    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        (1..=9999).contains(&year).then_some(())?;
        let civil = jiff::civil::Date::new(
            i16::try_from(year).ok()?,
            i8::try_from(month).ok()?,
            i8::try_from(day).ok()?,
        )
        .ok()?;
        Some(Date {
            year,
            month,
            day,
            civil,
        })
    }

    /// Reads `YYYY-MM-DD`.
    pub fn parse(text: &str) -> Option<Date> {
        let mut parts = text.trim().splitn(3, '-');
        let year = number(parts.next()?, 4)?;
        let month = number(parts.next()?, 2)?;
        let day = number(parts.next()?, 2)?;
        Date::new(
            i32::try_from(year).ok()?,
            u8::try_from(month).ok()?,
            u8::try_from(day).ok()?,
        )
    }

    /// The year.
    pub fn year(self) -> i32 {
        self.year
    }

    /// The month, 1 to 12.
    pub fn month(self) -> u8 {
        self.month
    }

    /// The day of the month, from 1.
    pub fn day(self) -> u8 {
        self.day
    }

    /// The day of the week.
    pub fn weekday(self) -> Weekday {
        let from_monday = usize::from(self.civil.weekday().to_monday_zero_offset().unsigned_abs());
        Weekday::ALL
            .get(from_monday)
            .copied()
            .unwrap_or(Weekday::Mon)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// A date and a wall-clock time to the minute, in the tenant's time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LocalTime {
    date: Date,
    /// Minutes since midnight.
    minute_of_day: u16,
}

impl LocalTime {
    /// The time `hour:minute` on `date`, if valid.
    pub fn new(date: Date, hour: u8, minute: u8) -> Option<LocalTime> {
        (hour < 24 && minute < 60).then(|| LocalTime {
            date,
            minute_of_day: u16::from(hour) * 60 + u16::from(minute),
        })
    }

    /// Reads `YYYY-MM-DDTHH:MM` (a space also separates date and time).
    pub fn parse(text: &str) -> Option<LocalTime> {
        let text = text.trim();
        let (date, time) = text.split_once(['T', ' '])?;
        let minute_of_day = clock(time).filter(|m| *m < 24 * 60)?;
        Some(LocalTime {
            date: Date::parse(date)?,
            minute_of_day,
        })
    }

    /// The date.
    pub fn date(self) -> Date {
        self.date
    }

    /// The hour, 0 to 23.
    pub fn hour(self) -> u8 {
        u8::try_from(self.minute_of_day / 60).unwrap_or(0)
    }

    /// The minute, 0 to 59.
    pub fn minute(self) -> u8 {
        u8::try_from(self.minute_of_day % 60).unwrap_or(0)
    }

    /// Minutes since midnight.
    pub fn minute_of_day(self) -> u16 {
        self.minute_of_day
    }
}

impl fmt::Display for LocalTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}T{:02}:{:02}", self.date, self.hour(), self.minute())
    }
}

/// Minutes since midnight from `HH:MM`; `24:00` is accepted as the end of the day.
pub(crate) fn clock(text: &str) -> Option<u16> {
    let (hour, minute) = text.trim().split_once(':')?;
    let hour = u16::try_from(number(hour, 2)?).ok()?;
    let minute = u16::try_from(number(minute, 2)?).ok()?;
    let valid = (hour < 24 && minute < 60) || (hour == 24 && minute == 0);
    valid.then_some(hour * 60 + minute)
}

/// A number written with exactly `width` digits.
fn number(text: &str, width: usize) -> Option<u32> {
    (text.len() == width && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekdays_match_the_calendar() {
        let day = |s: &str| Date::parse(s).unwrap().weekday();
        assert_eq!(day("1970-01-01"), Weekday::Thu);
        assert_eq!(day("2026-11-25"), Weekday::Wed);
        assert_eq!(day("2000-02-29"), Weekday::Tue);
        assert_eq!(day("2024-12-25"), Weekday::Wed);
    }

    #[test]
    fn impossible_dates_are_refused() {
        for text in [
            "2026-02-29",
            "2026-13-01",
            "2026-1-01",
            "26-01-01",
            "2026-04-31",
            "x",
        ] {
            assert_eq!(Date::parse(text), None, "{text}");
        }
        assert!(Date::parse("2024-02-29").is_some());
    }

    #[test]
    fn local_time_reads_date_and_clock() {
        let t = LocalTime::parse("2026-11-25T10:05").unwrap();
        assert_eq!((t.hour(), t.minute()), (10, 5));
        assert_eq!(t.to_string(), "2026-11-25T10:05");
        assert_eq!(LocalTime::parse("2026-11-25T24:00"), None);
        assert_eq!(clock("24:00"), Some(1440));
    }
}
