//! A tenant's business hours: opening intervals per weekday in the tenant's time zone, minus
//! holidays. SLA targets ("first response within 4 business hours") are counted on it.
//!
//! Intervals are wall-clock times, so "09:00–17:00" stays 09:00–17:00 across daylight saving
//! changes; the time between two instants is measured on the real (UTC) time line, so a night
//! shift spanning the autumn change really lasts an hour longer. An interval ending at `00:00`
//! runs to midnight at the end of its day.

use std::collections::BTreeSet;
use std::time::Duration;

use jiff::civil::{Date, DateTime, Time};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

/// The longest business duration [`BusinessCalendar::add_business`] accepts: bounds the walk
/// over days, and no service target is longer.
pub const MAX_BUSINESS_DURATION: Duration = Duration::from_secs(10 * 366 * 24 * 3600);

/// Weekday names for errors, Monday first like the `weekly` array.
const DAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// Problems building or using a calendar.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// Not an IANA time zone name known to the bundled database.
    #[error("unknown time zone {0:?}")]
    UnknownTimeZone(String),
    /// An interval that ends before it starts or overlaps the previous one.
    #[error("{day}: {reason}")]
    BadHours {
        /// The weekday.
        day: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// No opening hours on any weekday: no deadline could ever be reached.
    #[error("the calendar has no opening hours")]
    NoHours,
    /// A date or duration beyond what the calendar can count.
    #[error("date or duration out of range")]
    OutOfRange,
}

/// Business hours in a time zone; see the module doc.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(try_from = "CalendarSpec", into = "CalendarSpec")]
pub struct BusinessCalendar {
    time_zone: TimeZone,
    spec: CalendarSpec,
}

/// The stored form of a calendar: the time zone by IANA name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarSpec {
    /// IANA name, like `Europe/Paris`.
    pub time_zone: String,
    /// Opening intervals `[start, end)` per weekday, Monday first; `end` `00:00` is midnight.
    pub weekly: [Vec<(Time, Time)>; 7],
    /// Days closed all day.
    #[serde(default)]
    pub holidays: BTreeSet<Date>,
}

impl BusinessCalendar {
    /// Checks the spec: a known time zone, each day's intervals in order without overlap, and
    /// at least one opening somewhere in the week.
    pub fn new(spec: CalendarSpec) -> Result<BusinessCalendar, CalendarError> {
        let time_zone = TimeZone::get(&spec.time_zone)
            .map_err(|_| CalendarError::UnknownTimeZone(spec.time_zone.clone()))?;
        for (day, intervals) in DAYS.iter().zip(&spec.weekly) {
            let bad = |reason: String| CalendarError::BadHours { day, reason };
            let mut previous_end: Option<Time> = None;
            for &(start, end) in intervals {
                let runs_to_midnight = end == Time::midnight();
                if !runs_to_midnight && end <= start {
                    return Err(bad(format!("{start}–{end} ends before it starts")));
                }
                if let Some(prev) = previous_end
                    && (prev == Time::midnight() || start < prev)
                {
                    return Err(bad(format!("{start}–{end} overlaps the interval before")));
                }
                previous_end = Some(end);
            }
        }
        if spec.weekly.iter().all(Vec::is_empty) {
            return Err(CalendarError::NoHours);
        }
        Ok(BusinessCalendar { time_zone, spec })
    }

    /// Open around the clock, every day, in UTC.
    pub fn always_open() -> BusinessCalendar {
        let all_day = vec![(Time::midnight(), Time::midnight())];
        BusinessCalendar {
            time_zone: TimeZone::UTC,
            spec: CalendarSpec {
                time_zone: "UTC".into(),
                weekly: std::array::from_fn(|_| all_day.clone()),
                holidays: BTreeSet::new(),
            },
        }
    }

    /// The calendar's time zone.
    pub fn time_zone(&self) -> &TimeZone {
        &self.time_zone
    }

    /// The stored form.
    pub fn spec(&self) -> &CalendarSpec {
        &self.spec
    }

    /// Whether `at` falls in business hours.
    pub fn is_open(&self, at: Timestamp) -> Result<bool, CalendarError> {
        let date = self.local_date(at)?;
        Ok(self
            .openings(date)?
            .any(|(start, end)| start <= at && at < end))
    }

    /// The instant at which `business` time has passed after `start`, counting only business
    /// hours. Zero gives `start` itself, even outside business hours.
    pub fn add_business(
        &self,
        start: Timestamp,
        business: Duration,
    ) -> Result<Timestamp, CalendarError> {
        if business > MAX_BUSINESS_DURATION {
            return Err(CalendarError::OutOfRange);
        }
        let mut left = SignedDuration::try_from(business).map_err(|_| CalendarError::OutOfRange)?;
        if left.is_zero() {
            return Ok(start);
        }
        let mut date = self.local_date(start)?;
        loop {
            for (open, close) in self.openings(date)? {
                let from = open.max(start);
                if close <= from {
                    continue;
                }
                let here = close.duration_since(from);
                if here >= left {
                    return from
                        .checked_add(left)
                        .map_err(|_| CalendarError::OutOfRange);
                }
                left -= here;
            }
            date = date.tomorrow().map_err(|_| CalendarError::OutOfRange)?;
        }
    }

    /// Business time between `from` and `to`; zero when `to` is not after `from`.
    pub fn business_between(
        &self,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Duration, CalendarError> {
        if to <= from {
            return Ok(Duration::ZERO);
        }
        let last = self.local_date(to)?;
        let mut date = self.local_date(from)?;
        let mut total = SignedDuration::ZERO;
        while date <= last {
            for (open, close) in self.openings(date)? {
                let (a, b) = (open.max(from), close.min(to));
                if a < b {
                    total += b.duration_since(a);
                }
            }
            date = date.tomorrow().map_err(|_| CalendarError::OutOfRange)?;
        }
        Duration::try_from(total).map_err(|_| CalendarError::OutOfRange)
    }

    fn local_date(&self, at: Timestamp) -> Result<Date, CalendarError> {
        Ok(self.time_zone.to_datetime(at).date())
    }

    /// The day's opening intervals as instants, in order; none on a holiday.
    fn openings(
        &self,
        date: Date,
    ) -> Result<impl Iterator<Item = (Timestamp, Timestamp)> + '_, CalendarError> {
        let weekday = usize::try_from(date.weekday().to_monday_zero_offset()).unwrap_or(0);
        let intervals: &[(Time, Time)] = if self.spec.holidays.contains(&date) {
            &[]
        } else {
            self.spec.weekly.get(weekday).map_or(&[], Vec::as_slice)
        };
        let next_day = date.tomorrow().map_err(|_| CalendarError::OutOfRange)?;
        let mut out = Vec::with_capacity(intervals.len());
        for &(start, end) in intervals {
            let open = self.instant(date.to_datetime(start))?;
            let close = if end == Time::midnight() {
                self.instant(next_day.to_datetime(Time::midnight()))?
            } else {
                self.instant(date.to_datetime(end))?
            };
            // Both ends inside a spring-forward gap can land in the wrong order: nothing open.
            if open < close {
                out.push((open, close));
            }
        }
        Ok(out.into_iter())
    }

    /// A wall-clock time as an instant; in a spring-forward gap, the time after the gap, and in
    /// an autumn fold, the earlier occurrence (RFC 5545 "compatible").
    fn instant(&self, local: DateTime) -> Result<Timestamp, CalendarError> {
        self.time_zone
            .to_ambiguous_timestamp(local)
            .compatible()
            .map_err(|_| CalendarError::OutOfRange)
    }
}

impl PartialEq for BusinessCalendar {
    /// Same spec, hence the same zone: the zone is looked up from the spec's name.
    fn eq(&self, other: &Self) -> bool {
        self.spec == other.spec
    }
}

impl TryFrom<CalendarSpec> for BusinessCalendar {
    type Error = CalendarError;
    fn try_from(spec: CalendarSpec) -> Result<Self, Self::Error> {
        BusinessCalendar::new(spec)
    }
}

impl From<BusinessCalendar> for CalendarSpec {
    fn from(c: BusinessCalendar) -> CalendarSpec {
        c.spec
    }
}

#[cfg(test)]
mod tests;
