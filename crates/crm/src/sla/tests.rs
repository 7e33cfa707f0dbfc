use super::*;
use jiff::SignedDuration;
use jiff::civil::{date, time};
use std::collections::BTreeSet;

use crate::business_calendar::CalendarSpec;

const H: u64 = 3600;

fn hours(h: u64) -> Duration {
    Duration::from_secs(h * H)
}

/// Paris, weekdays 09:00–12:00 and 13:00–18:00, Christmas 2026 (a Friday) off.
fn office() -> BusinessCalendar {
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

fn policies() -> SlaPolicies {
    let normal = SlaPolicy {
        first_response: hours(4),
        resolution: hours(16),
    };
    let urgent = SlaPolicy {
        first_response: hours(1),
        resolution: hours(4),
    };
    SlaPolicies {
        low: normal,
        normal,
        high: normal,
        urgent,
    }
}

fn paris(mo: i8, d: i8, h: i8, mi: i8) -> Timestamp {
    date(2026, mo, d)
        .at(h, mi, 0, 0)
        .in_tz("Europe/Paris")
        .unwrap()
        .timestamp()
}

fn read(timeline: &SlaTimeline, now: Timestamp) -> SlaReading {
    let (calendar, policies) = (office(), policies());
    SlaClock {
        calendar: &calendar,
        policies: &policies,
    }
    .read(timeline, now)
    .unwrap()
}

#[test]
fn first_response_is_due_after_the_night_and_the_weekend() {
    // Friday 4 Dec 17:00: one hour that day, three on Monday morning.
    let t = SlaTimeline::new(paris(12, 4, 17, 0), Priority::Normal);
    let r = read(&t, paris(12, 7, 11, 0)).first_response;
    assert_eq!(r.due, Some(paris(12, 7, 12, 0)));
    assert_eq!(r.elapsed, hours(3));
    assert_eq!(r.remaining, hours(1));
    assert!(!r.is_breached());
}

#[test]
fn a_late_first_response_is_breached_at_the_due_time() {
    let mut t = SlaTimeline::new(paris(12, 4, 17, 0), Priority::Normal);
    t.first_response = Some(paris(12, 7, 13, 30));
    let r = read(&t, paris(12, 8, 9, 0)).first_response;
    assert_eq!(r.breached_at, Some(paris(12, 7, 12, 0)));
    assert!(r.stopped);
    assert_eq!(r.due, None);
}

#[test]
fn a_first_response_exactly_at_the_due_time_is_on_time() {
    let mut t = SlaTimeline::new(paris(12, 4, 17, 0), Priority::Normal);
    t.first_response = Some(paris(12, 7, 12, 0));
    assert!(!read(&t, paris(12, 9, 9, 0)).first_response.is_breached());
}

#[test]
fn a_holiday_does_not_count() {
    let t = SlaTimeline::new(paris(12, 24, 16, 0), Priority::Normal);
    assert_eq!(
        read(&t, paris(12, 24, 16, 0)).first_response.due,
        Some(paris(12, 28, 11, 0))
    );
}

#[test]
fn due_times_keep_to_wall_clock_hours_across_the_autumn_change() {
    // Friday 23 Oct 17:00; clocks go back on Sunday 25 Oct; Monday opens at 09:00 local.
    let t = SlaTimeline::new(paris(10, 23, 17, 0), Priority::Normal);
    let due = read(&t, paris(10, 23, 17, 0)).first_response.due.unwrap();
    assert_eq!(due, paris(10, 26, 12, 0));
    assert_eq!(due, "2026-10-26T11:00:00Z".parse().unwrap());
}

#[test]
fn waiting_for_the_customer_pauses_the_resolution_clock() {
    let mut t = SlaTimeline::new(paris(12, 1, 9, 0), Priority::Urgent);
    t.states
        .push((paris(12, 1, 10, 0), TicketState::PendingCustomer));
    let paused = read(&t, paris(12, 2, 9, 30)).resolution;
    assert!(paused.paused);
    assert_eq!(paused.due, None);
    assert_eq!(paused.remaining, hours(3));
    t.states.push((paris(12, 2, 10, 0), TicketState::Open));
    let running = read(&t, paris(12, 2, 10, 0)).resolution;
    // Three hours left from Wednesday 10:00: 10–12, then 13–14.
    assert_eq!(running.due, Some(paris(12, 2, 14, 0)));
    assert!(!running.paused);
}

#[test]
fn waiting_for_the_customer_does_not_pause_the_first_response_clock() {
    let mut t = SlaTimeline::new(paris(12, 1, 9, 0), Priority::Urgent);
    t.states
        .push((paris(12, 1, 9, 30), TicketState::PendingCustomer));
    assert_eq!(
        read(&t, paris(12, 1, 11, 0)).first_response.breached_at,
        Some(paris(12, 1, 10, 0))
    );
}

#[test]
fn resolution_stops_the_clock_and_reopening_resumes_it() {
    let mut t = SlaTimeline::new(paris(12, 1, 9, 0), Priority::Urgent);
    t.first_response = Some(paris(12, 1, 9, 10));
    t.states.push((paris(12, 1, 10, 0), TicketState::Resolved));
    let resolved = read(&t, paris(12, 3, 9, 0)).resolution;
    assert!(resolved.stopped);
    assert_eq!(resolved.elapsed, hours(1));
    t.states.push((paris(12, 3, 9, 0), TicketState::Reopened));
    let reopened = read(&t, paris(12, 3, 9, 0)).resolution;
    assert!(!reopened.stopped);
    assert_eq!(
        reopened.due,
        Some(paris(12, 3, 12, 0)),
        "3 h left from Thursday 09:00"
    );
}

#[test]
fn resolving_without_a_reply_counts_as_the_response() {
    let mut t = SlaTimeline::new(paris(12, 1, 9, 0), Priority::Urgent);
    t.states.push((paris(12, 1, 9, 30), TicketState::Resolved));
    let r = read(&t, paris(12, 2, 9, 0)).first_response;
    assert!(r.stopped && !r.is_breached());
}

#[test]
fn history_after_now_is_ignored() {
    let mut t = SlaTimeline::new(paris(12, 1, 9, 0), Priority::Urgent);
    t.first_response = Some(paris(12, 1, 9, 30));
    t.states.push((paris(12, 1, 9, 45), TicketState::Resolved));
    let r = read(&t, paris(12, 1, 9, 15));
    assert!(!r.resolution.stopped);
    assert_eq!(r.resolution.elapsed, Duration::from_secs(15 * 60));
}

/// Steps the monitor to `until` the way the server's timer would, collecting events.
fn run_until(monitor: &mut SlaMonitor, until: Timestamp) -> Vec<SlaEvent> {
    let mut events = Vec::new();
    while let Some(deadline) = monitor.poll_timeout().filter(|d| *d <= until) {
        monitor.handle_timeout(deadline).unwrap();
        events.extend(std::iter::from_fn(|| monitor.poll_event()));
    }
    monitor.handle_timeout(until).unwrap();
    events.extend(std::iter::from_fn(|| monitor.poll_event()));
    events
}

fn breached(ticket: i64, which: SlaTarget, at: Timestamp) -> SlaEvent {
    SlaEvent::Breached {
        ticket: TicketId(ticket),
        which,
        at,
    }
}

#[test]
fn the_monitor_reports_each_breach_once_at_its_due_time() {
    let mut m = SlaMonitor::new(office(), policies());
    m.handle_created(paris(12, 4, 17, 0), TicketId(1), Priority::Normal)
        .unwrap();
    m.handle_created(paris(12, 4, 17, 0), TicketId(2), Priority::Normal)
        .unwrap();
    m.handle_created(paris(12, 4, 17, 30), TicketId(3), Priority::Urgent)
        .unwrap();
    assert_eq!(
        m.poll_timeout(),
        Some(paris(12, 7, 9, 30)),
        "urgent: 30 min Friday, 30 Monday"
    );
    let events = run_until(&mut m, paris(12, 7, 11, 0));
    assert_eq!(
        events,
        [breached(3, SlaTarget::FirstResponse, paris(12, 7, 9, 30))]
    );
    m.handle_first_response(paris(12, 7, 11, 0), TicketId(1))
        .unwrap();
    let events = run_until(&mut m, paris(12, 7, 18, 0));
    assert_eq!(
        events,
        [
            breached(2, SlaTarget::FirstResponse, paris(12, 7, 12, 0)),
            breached(3, SlaTarget::Resolution, paris(12, 7, 13, 30)),
        ]
    );
    assert!(run_until(&mut m, paris(12, 7, 18, 0)).is_empty());
}

#[test]
fn the_monitor_sleeps_through_a_pause_and_wakes_on_the_customers_reply() {
    let mut m = SlaMonitor::new(office(), policies());
    let ticket = TicketId(9);
    m.handle_created(paris(12, 1, 9, 0), ticket, Priority::Urgent)
        .unwrap();
    m.handle_first_response(paris(12, 1, 9, 5), ticket).unwrap();
    m.handle_state(paris(12, 1, 10, 0), ticket, TicketState::PendingCustomer)
        .unwrap();
    assert_eq!(m.poll_timeout(), None);
    assert!(run_until(&mut m, paris(12, 8, 9, 0)).is_empty());
    m.handle_state(paris(12, 8, 9, 0), ticket, TicketState::Open)
        .unwrap();
    assert_eq!(
        m.poll_timeout(),
        Some(paris(12, 8, 12, 0)),
        "3 h left from Tuesday 09:00"
    );
    let events = run_until(&mut m, paris(12, 9, 0, 0));
    assert_eq!(
        events,
        [breached(9, SlaTarget::Resolution, paris(12, 8, 12, 0))]
    );
}

#[test]
fn raising_the_priority_can_breach_at_once() {
    let mut m = SlaMonitor::new(office(), policies());
    m.handle_created(paris(12, 1, 9, 0), TicketId(4), Priority::Normal)
        .unwrap();
    m.handle_priority(paris(12, 1, 11, 0), TicketId(4), Priority::Urgent)
        .unwrap();
    assert_eq!(
        m.poll_event(),
        Some(breached(4, SlaTarget::FirstResponse, paris(12, 1, 10, 0)))
    );
    assert_eq!(m.poll_timeout(), Some(paris(12, 1, 14, 0)));
}

#[test]
fn closed_tickets_are_forgotten_and_unknown_ones_refused() {
    let mut m = SlaMonitor::new(office(), policies());
    let t = TicketId(5);
    m.handle_created(paris(12, 1, 9, 0), t, Priority::Normal)
        .unwrap();
    m.handle_state(paris(12, 1, 9, 30), t, TicketState::Resolved)
        .unwrap();
    m.handle_state(paris(12, 1, 9, 40), t, TicketState::Closed)
        .unwrap();
    assert!(m.is_empty());
    assert_eq!(m.poll_timeout(), None);
    assert_eq!(
        m.handle_first_response(paris(12, 1, 10, 0), t),
        Err(SlaError::UnknownTicket(t))
    );
}

#[test]
fn watching_an_old_ticket_reports_its_past_breaches() {
    let mut m = SlaMonitor::new(office(), policies());
    let mut timeline = SlaTimeline::new(paris(12, 1, 9, 0), Priority::Urgent);
    timeline.first_response = Some(paris(12, 1, 9, 30));
    m.handle_watch(paris(12, 2, 9, 0), TicketId(6), timeline)
        .unwrap();
    assert_eq!(
        m.poll_event(),
        Some(breached(6, SlaTarget::Resolution, paris(12, 1, 14, 0)))
    );
    assert_eq!(m.poll_event(), None);
    let reading = m.reading(TicketId(6), paris(12, 2, 9, 0)).unwrap();
    assert!(reading.resolution.is_breached() && !reading.first_response.is_breached());
}

#[test]
fn a_week_of_tickets_on_a_simulated_clock_breaches_exactly_the_unanswered_ones() {
    let mut m = SlaMonitor::new(office(), policies());
    let start = paris(12, 21, 8, 0);
    // One ticket every 90 minutes over the Christmas week, night and day; even ones answered
    // within 30 minutes of creation.
    let mut answered = Vec::new();
    let mut events = Vec::new();
    for i in 0..(5 * 16) {
        let at = start + SignedDuration::from_mins(90 * i);
        events.extend(run_until(&mut m, at));
        m.handle_created(at, TicketId(i), Priority::Normal).unwrap();
        if i % 2 == 0 {
            answered.push((at + SignedDuration::from_mins(30), TicketId(i)));
        }
        while let Some(&(when, ticket)) = answered.first().filter(|(w, _)| *w <= at) {
            events.extend(run_until(&mut m, when));
            m.handle_first_response(when, ticket).unwrap();
            answered.remove(0);
        }
    }
    events.extend(run_until(&mut m, paris(12, 31, 0, 0)));
    let first_response: BTreeSet<i64> = events
        .iter()
        .filter_map(|SlaEvent::Breached { ticket, which, .. }| {
            (*which == SlaTarget::FirstResponse).then_some(ticket.0)
        })
        .collect();
    let odd_before_cutoff: BTreeSet<i64> = (0..80)
        .filter(|i| i % 2 == 1)
        .filter(|i| {
            let created = start + SignedDuration::from_mins(90 * i);
            office().add_business(created, hours(4)).unwrap() <= paris(12, 31, 0, 0)
        })
        .collect();
    assert_eq!(first_response, odd_before_cutoff);
}
