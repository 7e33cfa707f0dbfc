//! Date (RFC 3261 §20.17): an RFC 1123 date, and only in GMT.

use std::fmt;

use crate::error::SyntaxError;

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `Sat, 13 Nov 2010 23:29:00 GMT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SipDate {
    /// Day of the week, 0 for Monday (as written; not checked against the date).
    pub weekday: u8,
    /// Day of the month, 1 to 31.
    pub day: u8,
    /// Month, 1 to 12.
    pub month: u8,
    /// Year.
    pub year: u16,
    /// Hour, 0 to 23.
    pub hour: u8,
    /// Minute, 0 to 59.
    pub minute: u8,
    /// Second, 0 to 60 (leap second).
    pub second: u8,
}

fn two_digits(s: &str) -> Option<u8> {
    (s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok())?
}

impl SipDate {
    /// Parses `wkday "," SP 2DIGIT SP month SP 4DIGIT SP time SP "GMT"`.
    pub fn parse(s: &str) -> Result<SipDate, SyntaxError> {
        let bad = SyntaxError("not an RFC 1123 date");
        let mut parts = crate::scan::trim_ws(s).split(' ');
        let mut next = || parts.next().ok_or(bad);
        let weekday = next()?
            .strip_suffix(',')
            .and_then(|w| WEEKDAYS.iter().position(|d| *d == w))
            .ok_or(bad)?;
        let day = two_digits(next()?)
            .filter(|d| (1..=31).contains(d))
            .ok_or(bad)?;
        let month_name = next()?;
        let month = MONTHS.iter().position(|m| *m == month_name).ok_or(bad)?;
        let year = next()?;
        if year.len() != 4 {
            return Err(bad);
        }
        let year = year.parse::<u16>().map_err(|_| bad)?;
        let time: Vec<&str> = next()?.split(':').collect();
        let [h, m, sec] = time.as_slice() else {
            return Err(bad);
        };
        let hour = two_digits(h).filter(|h| *h < 24).ok_or(bad)?;
        let minute = two_digits(m).filter(|m| *m < 60).ok_or(bad)?;
        let second = two_digits(sec).filter(|s| *s <= 60).ok_or(bad)?;
        if next()? != "GMT" {
            return Err(SyntaxError("time zone is not GMT"));
        }
        if next().is_ok() {
            return Err(bad);
        }
        Ok(SipDate {
            weekday: u8::try_from(weekday).map_err(|_| bad)?,
            day,
            month: u8::try_from(month + 1).map_err(|_| bad)?,
            year,
            hour,
            minute,
            second,
        })
    }
}

impl fmt::Display for SipDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let weekday = WEEKDAYS.get(usize::from(self.weekday)).unwrap_or(&"Mon");
        let month = MONTHS
            .get(usize::from(self.month.saturating_sub(1)))
            .unwrap_or(&"Jan");
        write!(
            f,
            "{weekday}, {:02} {month} {:04} {:02}:{:02}:{:02} GMT",
            self.day, self.year, self.hour, self.minute, self.second
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gmt_dates_parse_and_print() {
        let d = SipDate::parse("Sat, 15 Oct 2005 04:44:56 GMT").unwrap();
        assert_eq!((d.day, d.month, d.year), (15, 10, 2005));
        assert_eq!(d.to_string(), "Sat, 15 Oct 2005 04:44:56 GMT");
    }

    #[test]
    fn other_time_zones_are_rejected() {
        assert_eq!(
            SipDate::parse("Fri, 01 Jan 2010 16:00:00 EST"),
            Err(SyntaxError("time zone is not GMT"))
        );
        assert!(SipDate::parse("Fri, 01 Jan 2010 16:00:00 UTC").is_err());
        assert!(SipDate::parse("Fri, 1 Jan 2010 16:00:00 GMT").is_err());
    }
}
