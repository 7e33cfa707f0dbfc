//! Business hours per tenant: weekly opening hours in a fixed UTC offset, with holidays.
//!
//! Pure functions over civil date-times the caller gives: no clock, no time-zone database. The
//! server (or an IVR flow's calendar branch) converts its clock to a UTC [`DateTime`] and asks
//! [`Calendar::is_open`]; [`Calendar::next_change`] says when to look again (to announce "we
//! open at 9:00", or to arm a timer). Resolution is the minute. The offset is fixed: a tenant in
//! a zone with daylight saving time swaps calendars (or offsets) at the change, which the
//! server knows from its zone data.
//!
//! Days are counted with the proleptic Gregorian calendar (Howard Hinnant's `days_from_civil`
//! arithmetic), so no date library is needed.

use std::collections::BTreeSet;

/// A calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Year (e.g. 2026).
    pub year: i32,
    /// Month, 1–12.
    pub month: u8,
    /// Day of the month, 1–31.
    pub day: u8,
}

/// A date and a time of day, to the minute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateTime {
    /// The date.
    pub date: Date,
    /// Hour, 0–23.
    pub hour: u8,
    /// Minute, 0–59.
    pub minute: u8,
}

/// Days of the week, Monday first (ISO 8601).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Weekday {
    /// Monday.
    Monday,
    /// Tuesday.
    Tuesday,
    /// Wednesday.
    Wednesday,
    /// Thursday.
    Thursday,
    /// Friday.
    Friday,
    /// Saturday.
    Saturday,
    /// Sunday.
    Sunday,
}

impl Weekday {
    const ALL: [Weekday; 7] = [
        Weekday::Monday,
        Weekday::Tuesday,
        Weekday::Wednesday,
        Weekday::Thursday,
        Weekday::Friday,
        Weekday::Saturday,
        Weekday::Sunday,
    ];
}

/// One opening span on a weekday, in local minutes since midnight: `from` included, `until`
/// excluded; `until` may be 1440 (midnight at the end of the day).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Opening {
    /// The weekday.
    pub weekday: Weekday,
    /// Opens at this minute of the day (9:00 → 540).
    pub from: u16,
    /// Closes at this minute of the day (17:30 → 1050).
    pub until: u16,
}

/// A calendar the engine cannot work with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// An opening that closes before it opens or runs past midnight.
    #[error("an opening must have 0 <= from < until <= 1440")]
    InvalidOpening,
    /// A UTC offset of a day or more.
    #[error("the UTC offset must be under 24 hours")]
    InvalidOffset,
    /// A date or time that does not exist.
    #[error("invalid date or time")]
    InvalidDateTime,
}

const MINUTES_PER_DAY: i64 = 24 * 60;
/// How far [`Calendar::next_change`] looks ahead: a year and a bit, beyond any holiday run.
const LOOKAHEAD_DAYS: i64 = 400;

/// A tenant's business hours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    /// Local time minus UTC, in minutes (Paris in winter: 60).
    pub utc_offset_minutes: i32,
    /// Weekly opening spans.
    pub openings: Vec<Opening>,
    /// Local dates closed all day.
    pub holidays: BTreeSet<Date>,
}

impl Calendar {
    /// A calendar after checking its openings and offset.
    pub fn new(
        utc_offset_minutes: i32,
        openings: Vec<Opening>,
        holidays: BTreeSet<Date>,
    ) -> Result<Self, CalendarError> {
        if i64::from(utc_offset_minutes).abs() >= MINUTES_PER_DAY {
            return Err(CalendarError::InvalidOffset);
        }
        let valid = |o: &Opening| o.from < o.until && i64::from(o.until) <= MINUTES_PER_DAY;
        if !openings.iter().all(valid) {
            return Err(CalendarError::InvalidOpening);
        }
        Ok(Self {
            utc_offset_minutes,
            openings,
            holidays,
        })
    }

    /// Whether the tenant is open at `at` (UTC).
    pub fn is_open(&self, at: DateTime) -> Result<bool, CalendarError> {
        let local = minutes_of(at)? + i64::from(self.utc_offset_minutes);
        Ok(self.open_at_local(local))
    }

    /// The first minute after `at` (UTC) when opening turns to closing or back, in UTC; `None`
    /// if nothing changes within a year (always open, or never).
    pub fn next_change(&self, at: DateTime) -> Result<Option<DateTime>, CalendarError> {
        let offset = i64::from(self.utc_offset_minutes);
        let local = minutes_of(at)? + offset;
        let open_now = self.open_at_local(local);
        let first_day = local.div_euclid(MINUTES_PER_DAY);
        // Every state change happens at the start or end of some opening; walk them in order.
        for day in first_day..first_day + LOOKAHEAD_DAYS {
            let mut edges: Vec<i64> = self
                .openings_on(day)
                .flat_map(|o| [i64::from(o.from), i64::from(o.until)])
                .map(|m| day * MINUTES_PER_DAY + m)
                .collect();
            // A holiday begins and ends at midnight.
            edges.extend([day * MINUTES_PER_DAY, (day + 1) * MINUTES_PER_DAY]);
            edges.sort_unstable();
            let change = edges
                .into_iter()
                .filter(|edge| *edge > local)
                .find(|edge| self.open_at_local(*edge) != open_now);
            if let Some(edge) = change {
                return Ok(Some(from_minutes(edge - offset)));
            }
        }
        Ok(None)
    }

    /// The openings that apply on a local day (none on a holiday).
    fn openings_on(&self, day: i64) -> impl Iterator<Item = &Opening> {
        let holiday = self.holidays.contains(&date_of(day));
        let weekday = weekday_of(day);
        self.openings
            .iter()
            .filter(move |o| !holiday && o.weekday == weekday)
    }

    fn open_at_local(&self, local: i64) -> bool {
        let day = local.div_euclid(MINUTES_PER_DAY);
        let minute = local.rem_euclid(MINUTES_PER_DAY);
        self.openings_on(day)
            .any(|o| i64::from(o.from) <= minute && minute < i64::from(o.until))
    }
}

/// The weekday of a date.
pub fn weekday(date: Date) -> Result<Weekday, CalendarError> {
    Ok(weekday_of(days_of(date)?))
}

/// Minutes since 1970-01-01 00:00.
fn minutes_of(at: DateTime) -> Result<i64, CalendarError> {
    if at.hour > 23 || at.minute > 59 {
        return Err(CalendarError::InvalidDateTime);
    }
    Ok(days_of(at.date)? * MINUTES_PER_DAY + i64::from(at.hour) * 60 + i64::from(at.minute))
}

fn from_minutes(minutes: i64) -> DateTime {
    let minute_of_day = minutes.rem_euclid(MINUTES_PER_DAY);
    DateTime {
        date: date_of(minutes.div_euclid(MINUTES_PER_DAY)),
        hour: (minute_of_day / 60) as u8,
        minute: (minute_of_day % 60) as u8,
    }
}

/// Days since 1970-01-01 (`days_from_civil`), after checking the date exists.
fn days_of(date: Date) -> Result<i64, CalendarError> {
    let days_in_month = match date.month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(date.year) => 29,
        2 => 28,
        _ => return Err(CalendarError::InvalidDateTime),
    };
    if date.day == 0 || date.day > days_in_month {
        return Err(CalendarError::InvalidDateTime);
    }
    let month = i64::from(date.month);
    let year = i64::from(date.year) - i64::from(month <= 2);
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + i64::from(date.day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    Ok(era * 146_097 + day_of_era - 719_468)
}

/// The date `days` after 1970-01-01 (`civil_from_days`).
fn date_of(days: i64) -> Date {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    Date {
        year: year.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32,
        month,
        day,
    }
}

fn weekday_of(days: i64) -> Weekday {
    // 1970-01-01 was a Thursday (index 3, Monday first).
    Weekday::ALL[(days + 3).rem_euclid(7) as usize]
}

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(year: i32, month: u8, day: u8) -> Date {
        Date { year, month, day }
    }

    fn at(year: i32, month: u8, day: u8, hour: u8, minute: u8) -> DateTime {
        DateTime {
            date: date(year, month, day),
            hour,
            minute,
        }
    }

    /// Paris in winter (UTC+1): weekdays 9:00–17:30, Saturday 10:00–12:00, Christmas closed.
    fn paris() -> Calendar {
        let mut openings: Vec<Opening> = Weekday::ALL[..5]
            .iter()
            .map(|weekday| Opening {
                weekday: *weekday,
                from: 9 * 60,
                until: 17 * 60 + 30,
            })
            .collect();
        openings.push(Opening {
            weekday: Weekday::Saturday,
            from: 10 * 60,
            until: 12 * 60,
        });
        Calendar::new(60, openings, [date(2026, 12, 25)].into()).unwrap()
    }

    #[test]
    fn weekdays_are_counted_from_a_known_thursday() {
        assert_eq!(weekday(date(1970, 1, 1)), Ok(Weekday::Thursday));
        assert_eq!(weekday(date(2026, 11, 25)), Ok(Weekday::Wednesday));
        assert_eq!(weekday(date(2000, 2, 29)), Ok(Weekday::Tuesday));
    }

    #[test]
    fn dates_round_trip_through_day_numbers() {
        for d in [
            date(1970, 1, 1),
            date(2024, 2, 29),
            date(1900, 3, 1),
            date(2100, 12, 31),
        ] {
            assert_eq!(date_of(days_of(d).unwrap()), d);
        }
    }

    #[test]
    fn dates_that_do_not_exist_are_refused() {
        assert!(days_of(date(2026, 2, 29)).is_err());
        assert!(days_of(date(2026, 13, 1)).is_err());
        assert!(paris().is_open(at(2026, 1, 5, 24, 0)).is_err());
    }

    #[test]
    fn open_within_the_local_hours_only() {
        let cal = paris();
        // Wednesday 2026-11-25: 8:00 UTC is 9:00 in Paris.
        assert_eq!(cal.is_open(at(2026, 11, 25, 7, 59)), Ok(false));
        assert_eq!(cal.is_open(at(2026, 11, 25, 8, 0)), Ok(true));
        assert_eq!(cal.is_open(at(2026, 11, 25, 16, 29)), Ok(true));
        assert_eq!(cal.is_open(at(2026, 11, 25, 16, 30)), Ok(false));
    }

    #[test]
    fn a_holiday_is_closed_all_day() {
        // Friday 2026-12-25, 11:00 in Paris.
        assert_eq!(paris().is_open(at(2026, 12, 25, 10, 0)), Ok(false));
    }

    #[test]
    fn the_offset_can_move_the_local_day() {
        // Saturday 23:30 UTC is Sunday 00:30 in UTC+1, but Saturday 18:30 in UTC-5.
        let mut cal = paris();
        cal.openings.push(Opening {
            weekday: Weekday::Sunday,
            from: 0,
            until: 60,
        });
        assert_eq!(cal.is_open(at(2026, 11, 28, 23, 30)), Ok(true));
        cal.utc_offset_minutes = -300;
        assert_eq!(cal.is_open(at(2026, 11, 28, 23, 30)), Ok(false));
    }

    #[test]
    fn next_change_is_the_closing_time_while_open() {
        let change = paris().next_change(at(2026, 11, 25, 10, 0));
        assert_eq!(change, Ok(Some(at(2026, 11, 25, 16, 30))));
    }

    #[test]
    fn next_change_skips_the_weekend_and_holidays() {
        // Thursday 2026-12-24 after closing: Friday is Christmas, Saturday opens at 10:00.
        let change = paris().next_change(at(2026, 12, 24, 17, 0));
        assert_eq!(change, Ok(Some(at(2026, 12, 26, 9, 0))));
    }

    #[test]
    fn adjacent_openings_do_not_count_as_a_change() {
        let cal = Calendar::new(
            0,
            vec![
                Opening {
                    weekday: Weekday::Monday,
                    from: 20 * 60,
                    until: 1440,
                },
                Opening {
                    weekday: Weekday::Tuesday,
                    from: 0,
                    until: 6 * 60,
                },
            ],
            BTreeSet::new(),
        )
        .unwrap();
        // Monday 2026-11-23 21:00 → closes Tuesday 06:00, not at midnight.
        let change = cal.next_change(at(2026, 11, 23, 21, 0));
        assert_eq!(change, Ok(Some(at(2026, 11, 24, 6, 0))));
    }

    #[test]
    fn a_calendar_never_open_never_changes() {
        let cal = Calendar::new(0, vec![], BTreeSet::new()).unwrap();
        assert_eq!(cal.next_change(at(2026, 1, 1, 0, 0)), Ok(None));
    }

    #[test]
    fn invalid_openings_and_offsets_are_refused() {
        let backwards = Opening {
            weekday: Weekday::Monday,
            from: 600,
            until: 500,
        };
        assert_eq!(
            Calendar::new(0, vec![backwards], BTreeSet::new()),
            Err(CalendarError::InvalidOpening)
        );
        assert_eq!(
            Calendar::new(24 * 60, vec![], BTreeSet::new()),
            Err(CalendarError::InvalidOffset)
        );
    }
}
