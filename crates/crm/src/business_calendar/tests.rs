use super::*;
use jiff::civil::{date, time};
use proptest::prelude::*;

const H: u64 = 3600;

fn hours(h: u64) -> Duration {
    Duration::from_secs(h * H)
}

/// Paris, weekdays 09:00–12:00 and 13:00–18:00, Christmas 2026 (a Friday) off.
fn paris_office() -> BusinessCalendar {
    let day = vec![
        (time(9, 0, 0, 0), time(12, 0, 0, 0)),
        (time(13, 0, 0, 0), time(18, 0, 0, 0)),
    ];
    BusinessCalendar::new(CalendarSpec {
        time_zone: "Europe/Paris".into(),
        weekly: [
            day.clone(),
            day.clone(),
            day.clone(),
            day.clone(),
            day,
            vec![],
            vec![],
        ],
        holidays: BTreeSet::from([date(2026, 12, 25)]),
    })
    .unwrap()
}

/// Paris, open every day from 00:00 to 06:00 (a night shift across the DST changes).
fn paris_nights() -> BusinessCalendar {
    BusinessCalendar::new(CalendarSpec {
        time_zone: "Europe/Paris".into(),
        weekly: std::array::from_fn(|_| vec![(time(0, 0, 0, 0), time(6, 0, 0, 0))]),
        holidays: BTreeSet::new(),
    })
    .unwrap()
}

fn paris(y: i16, mo: i8, d: i8, h: i8, mi: i8) -> Timestamp {
    date(y, mo, d)
        .at(h, mi, 0, 0)
        .in_tz("Europe/Paris")
        .unwrap()
        .timestamp()
}

#[test]
fn time_runs_over_a_holiday_and_a_weekend() {
    // Thursday 24 Dec 16:00: 2 h that day, Friday is Christmas, then Monday from 09:00.
    let due = paris_office()
        .add_business(paris(2026, 12, 24, 16, 0), hours(4))
        .unwrap();
    assert_eq!(due, paris(2026, 12, 28, 11, 0));
}

#[test]
fn time_started_at_night_begins_at_opening() {
    let due = paris_office()
        .add_business(paris(2026, 12, 1, 20, 30), hours(1))
        .unwrap();
    assert_eq!(due, paris(2026, 12, 2, 10, 0));
}

#[test]
fn the_lunch_break_does_not_count() {
    let cal = paris_office();
    let due = cal
        .add_business(paris(2026, 12, 1, 11, 30), hours(1))
        .unwrap();
    assert_eq!(due, paris(2026, 12, 1, 13, 30));
    let between = cal.business_between(paris(2026, 12, 1, 11, 0), paris(2026, 12, 1, 14, 0));
    assert_eq!(between, Ok(hours(2)));
}

#[test]
fn a_deadline_at_closing_time_stays_on_that_day() {
    let due = paris_office()
        .add_business(paris(2026, 12, 1, 17, 0), hours(1))
        .unwrap();
    assert_eq!(due, paris(2026, 12, 1, 18, 0));
}

#[test]
fn the_autumn_change_makes_the_night_shift_an_hour_longer() {
    let nights = paris_nights();
    let sunday = |h| paris(2026, 10, 25, h, 0);
    assert_eq!(nights.business_between(sunday(0), sunday(12)), Ok(hours(7)));
    assert_eq!(
        nights.business_between(paris(2026, 10, 24, 0, 0), paris(2026, 10, 24, 12, 0)),
        Ok(hours(6))
    );
    // 6 h from Sunday 00:00 ends at 05:00 wall clock, since 02:00–03:00 happened twice.
    assert_eq!(nights.add_business(sunday(0), hours(6)), Ok(sunday(5)));
}

#[test]
fn the_spring_change_makes_the_night_shift_an_hour_shorter() {
    let nights = paris_nights();
    let sunday = |h| paris(2026, 3, 29, h, 0);
    assert_eq!(nights.business_between(sunday(0), sunday(12)), Ok(hours(5)));
    assert_eq!(nights.add_business(sunday(1), hours(2)), Ok(sunday(4)));
}

#[test]
fn always_open_counts_every_second() {
    let cal = BusinessCalendar::always_open();
    let t = paris(2026, 12, 25, 23, 30);
    assert_eq!(
        cal.add_business(t, Duration::from_secs(5400)),
        Ok(t + SignedDuration::from_secs(5400))
    );
    assert_eq!(
        cal.business_between(t, t + SignedDuration::from_hours(49)),
        Ok(hours(49))
    );
    assert_eq!(cal.is_open(t), Ok(true));
}

#[test]
fn is_open_follows_the_intervals_and_holidays() {
    let cal = paris_office();
    assert_eq!(cal.is_open(paris(2026, 12, 1, 9, 0)), Ok(true));
    assert_eq!(cal.is_open(paris(2026, 12, 1, 12, 0)), Ok(false));
    assert_eq!(cal.is_open(paris(2026, 12, 25, 10, 0)), Ok(false));
    assert_eq!(cal.is_open(paris(2026, 12, 26, 10, 0)), Ok(false));
}

#[test]
fn reversed_or_empty_spans_have_no_business_time() {
    let cal = paris_office();
    let t = paris(2026, 12, 1, 10, 0);
    assert_eq!(cal.business_between(t, t), Ok(Duration::ZERO));
    assert_eq!(
        cal.business_between(t + SignedDuration::from_hours(1), t),
        Ok(Duration::ZERO)
    );
    assert_eq!(
        cal.add_business(paris(2026, 12, 5, 3, 0), Duration::ZERO),
        Ok(paris(2026, 12, 5, 3, 0))
    );
}

#[test]
fn bad_specs_are_refused() {
    let base = paris_office().spec().clone();
    let mut reversed = base.clone();
    reversed.weekly[2] = vec![(time(18, 0, 0, 0), time(9, 0, 0, 0))];
    assert!(matches!(
        BusinessCalendar::new(reversed),
        Err(CalendarError::BadHours {
            day: "wednesday",
            ..
        })
    ));
    let mut overlapping = base.clone();
    overlapping.weekly[0] = vec![
        (time(9, 0, 0, 0), time(12, 0, 0, 0)),
        (time(11, 0, 0, 0), time(13, 0, 0, 0)),
    ];
    assert!(matches!(
        BusinessCalendar::new(overlapping),
        Err(CalendarError::BadHours { .. })
    ));
    let mut closed = base.clone();
    closed.weekly = Default::default();
    assert_eq!(BusinessCalendar::new(closed), Err(CalendarError::NoHours));
    let mut nowhere = base;
    nowhere.time_zone = "Mars/Olympus".into();
    assert!(matches!(
        BusinessCalendar::new(nowhere),
        Err(CalendarError::UnknownTimeZone(_))
    ));
}

#[test]
fn a_calendar_round_trips_through_json_with_its_zone_name() {
    let cal = paris_office();
    let json = serde_json::to_string(&cal).unwrap();
    assert!(json.contains("\"Europe/Paris\""), "{json}");
    assert!(json.contains("\"2026-12-25\""), "{json}");
    assert_eq!(
        serde_json::from_str::<BusinessCalendar>(&json).unwrap(),
        cal
    );
    let short = r#"{"time_zone":"UTC","weekly":[[["09:00","17:00"]],[],[],[],[],[],[]]}"#;
    assert!(serde_json::from_str::<BusinessCalendar>(short).is_ok());
}

#[test]
fn absurd_durations_are_out_of_range() {
    let cal = paris_office();
    let t = paris(2026, 12, 1, 10, 0);
    assert_eq!(
        cal.add_business(t, MAX_BUSINESS_DURATION + Duration::from_secs(1)),
        Err(CalendarError::OutOfRange)
    );
}

proptest! {
    #[test]
    fn adding_then_measuring_gives_back_the_duration(
        start_secs in 0i64..(2 * 366 * 86_400),
        business_secs in 0u64..(300 * H),
        nights in any::<bool>(),
    ) {
        let cal = if nights { paris_nights() } else { paris_office() };
        let a = paris(2026, 1, 1, 0, 0) + SignedDuration::from_secs(start_secs);
        let d = Duration::from_secs(business_secs);
        let b = cal.add_business(a, d).unwrap();
        prop_assert!(b >= a);
        prop_assert_eq!(cal.business_between(a, b).unwrap(), d);
    }
}
