//! `hours`: branch on business hours and holidays, from the local time the server gives the
//! session ([`crate::Session::set_local_time`]).
//!
//! ```yaml
//! office:
//!   hours:
//!     when:
//!       - { days: mon-fri, from: "08:30", to: "18:00" }
//!       - { days: sat, from: "09:00", to: "12:00" }
//!     holidays: [2026-12-25, 2027-01-01]
//!     open: main
//!     closed: closed_message
//!     holiday: holiday_message        # optional; default: closed
//! ```
//!
//! `days` is a day (`mon`...`sun`), a range (`mon-fri`, `fri-mon` wraps), or several joined
//! with commas. `from` is inclusive, `to` exclusive (`24:00` ends the day). A call without a
//! local time takes `closed`: it is safer to say "we are closed" than to queue for nobody.

use crate::action::FlowEvent;
use crate::civil_time::{self, Date, Weekday};
use crate::error::FlowError;
use crate::fields::Fields;
use crate::flow::Target;
use crate::loader::Loader;
use crate::nodes::{Behaviour, Step};
use crate::session::Cx;
use crate::yaml::{Value, Yaml};

pub(crate) const KIND: &str = "hours";

/// Settings of an `hours` node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hours {
    /// When the center is open.
    pub when: Vec<OpenHours>,
    /// Days closed whatever the weekday.
    pub holidays: Vec<Date>,
    /// Where callers go during opening hours.
    pub open: Target,
    /// Where callers go outside them.
    pub closed: Target,
    /// Where callers go on a holiday.
    pub holiday: Target,
}

/// One opening range: some weekdays, from a time to a time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenHours {
    /// The days it applies to.
    pub days: Vec<Weekday>,
    /// Opening, in minutes since midnight (inclusive).
    pub from: u16,
    /// Closing, in minutes since midnight (exclusive).
    pub to: u16,
}

impl Hours {
    pub(crate) fn parse(
        loader: &mut Loader<'_>,
        _node: &mut Fields<'_>,
        body: &Yaml,
    ) -> Option<Self> {
        let mut fields = loader.body(KIND, body)?;
        let when = fields.require("when", loader.errors()).and_then(|y| {
            let ranges: Vec<_> = list(y).into_iter().map(|r| open_hours(loader, r)).collect();
            every(ranges)
        });
        let holidays = match fields.take("holidays") {
            Some(y) => {
                let dates: Vec<_> = list(y).into_iter().map(|d| holiday(loader, d)).collect();
                every(dates)
            }
            None => Some(Vec::new()),
        };
        let open = fields.require("open", loader.errors());
        let open = loader.target(open, "goes when open to", false);
        let closed = fields.require("closed", loader.errors());
        let closed = loader.target(closed, "goes when closed to", false);
        let holiday = match fields.take("holiday") {
            Some(y) => loader.target(Some(y), "goes on holidays to", false),
            None => closed.clone(),
        };
        fields.finish(loader.errors());
        Some(Hours {
            when: when?,
            holidays: holidays?,
            open: open?,
            closed: closed?,
            holiday: holiday?,
        })
    }
}

/// All the values if every one was read; each item is read (and its errors reported) first.
fn every<T>(items: Vec<Option<T>>) -> Option<Vec<T>> {
    items.into_iter().collect()
}

/// The items of a list, or the value alone.
fn list(y: &Yaml) -> Vec<&Yaml> {
    match &y.value {
        Value::Sequence(items) => items.iter().collect(),
        _ => vec![y],
    }
}

fn holiday(loader: &mut Loader<'_>, y: &Yaml) -> Option<Date> {
    let date = y.scalar().and_then(Date::parse);
    if date.is_none() {
        let message = format!(
            "{} must list dates written YYYY-MM-DD",
            loader.what("holidays")
        );
        loader.errors().push(FlowError::at(y.pos, message));
    }
    date
}

fn open_hours(loader: &mut Loader<'_>, y: &Yaml) -> Option<OpenHours> {
    let what = loader.what("when");
    let mut fields = Fields::read(y, format!("each range of {what}"), y.pos, loader.errors())?;
    let days = fields.require("days", loader.errors()).and_then(|d| {
        let parsed = d.scalar().and_then(weekdays);
        if parsed.is_none() {
            let message = format!("\"days\" in {what} must be days such as mon-fri or sat,sun");
            loader.errors().push(FlowError::at(d.pos, message));
        }
        parsed
    });
    let mut clock = |field| {
        let y = fields.require(field, loader.errors())?;
        let minutes = y.scalar().and_then(civil_time::clock);
        if minutes.is_none() {
            let message = format!("\"{field}\" in {what} must be a time such as 09:00");
            loader.errors().push(FlowError::at(y.pos, message));
        }
        minutes.map(|m| (m, y.pos))
    };
    let from = clock("from");
    let to = clock("to");
    fields.finish(loader.errors());
    let ((from, _), (to, to_at)) = (from?, to?);
    if from >= to {
        let message = format!("in {what}, \"to\" must come after \"from\"");
        loader.errors().push(FlowError::at(to_at, message));
        return None;
    }
    Some(OpenHours {
        days: days?,
        from,
        to,
    })
}

/// `mon-fri`, `sat`, `mon,wed,fri`, `fri-mon`.
fn weekdays(text: &str) -> Option<Vec<Weekday>> {
    let mut days = Vec::new();
    for part in text.split(',') {
        match part.split_once('-') {
            Some((a, b)) => {
                let (a, b) = (Weekday::from_name(a)?, Weekday::from_name(b)?);
                let start = Weekday::ALL.iter().position(|d| *d == a)?;
                for i in 0..7 {
                    let day = *Weekday::ALL.get((start + i) % 7)?;
                    days.push(day);
                    if day == b {
                        break;
                    }
                }
            }
            None => days.push(Weekday::from_name(part)?),
        }
    }
    days.sort_unstable();
    days.dedup();
    Some(days)
}

impl Hours {
    fn branch(&self, cx: &Cx<'_>) -> (&'static str, &Target) {
        let Some(now) = cx.local_time() else {
            return ("closed", &self.closed);
        };
        if self.holidays.contains(&now.date()) {
            return ("holiday", &self.holiday);
        }
        let weekday = now.date().weekday();
        let minute = now.minute_of_day();
        let open = self
            .when
            .iter()
            .any(|r| r.days.contains(&weekday) && (r.from..r.to).contains(&minute));
        if open {
            ("open", &self.open)
        } else {
            ("closed", &self.closed)
        }
    }
}

impl Behaviour for Hours {
    fn kind(&self) -> &'static str {
        KIND
    }

    fn enter(&self, cx: &mut Cx<'_>) -> Step {
        let (branch, target) = self.branch(cx);
        let dest = target.dest;
        cx.log(FlowEvent::Branch {
            node: cx.node_name(),
            branch,
        });
        Step::Go(dest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekday_ranges_expand_and_wrap() {
        use Weekday::*;
        assert_eq!(weekdays("mon-fri"), Some(vec![Mon, Tue, Wed, Thu, Fri]));
        assert_eq!(weekdays("fri-mon"), Some(vec![Mon, Fri, Sat, Sun]));
        assert_eq!(weekdays("sat,sun"), Some(vec![Sat, Sun]));
        assert_eq!(weekdays("funday"), None);
    }
}
