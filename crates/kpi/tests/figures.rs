//! Hand-built days with the figures worked out by hand in the comments.

use kpi::{
    AgentEvent, AgentId, AgentState, Config, ContactEvent, ContactId, ContactWhat, Day, Input,
    IntervalLength, Thresholds,
};
use std::time::Duration;

const MIDNIGHT: i64 = 1_764_028_800_000;
const DAY: i64 = 86_400_000;

/// 09:00 plus `secs`.
fn at(secs: i64) -> i64 {
    MIDNIGHT + 9 * 3_600_000 + secs * 1000
}

fn contact(id: u128, secs: i64, what: ContactWhat) -> Input {
    Input::Contact(ContactEvent {
        contact: ContactId(id),
        at_ms: at(secs),
        what,
    })
}

fn queued(id: u128, secs: i64, queue: &str) -> Input {
    contact(
        id,
        secs,
        ContactWhat::Queued {
            queue: queue.to_owned(),
        },
    )
}

fn answered(id: u128, secs: i64, agent: i64) -> Input {
    contact(
        id,
        secs,
        ContactWhat::Answered {
            agent: AgentId(agent),
        },
    )
}

fn agent(id: i64, secs: i64, from: AgentState, to: AgentState) -> Input {
    Input::Agent(AgentEvent {
        agent: AgentId(id),
        at_ms: at(secs),
        from: Some(from),
        to,
    })
}

fn day() -> Day {
    Day::new(Config::new(MIDNIGHT, MIDNIGHT + DAY))
}

fn feed(day: &mut Day, inputs: impl IntoIterator<Item = Input>) {
    for input in inputs {
        day.handle(input);
    }
}

/// Four sales calls:
/// 1. queued 0 s, answered 10 s (wait 10 ≤ 20: within), ended 70 s (talk 60 s);
/// 2. queued 5 s, answered 35 s (wait 30 > 20), ended 95 s (talk 60 s);
/// 3. queued 10 s, abandoned 13 s (wait 3 < 5: short abandon);
/// 4. queued 20 s, abandoned 60 s (wait 40: abandon).
///
/// offered 4, short 1 → SL = 1 ÷ (4 − 1) = 1/3; abandonment = (2 − 1) ÷ 3 = 1/3;
/// ASA = (10 + 30) ÷ 2 = 20 s; longest answered wait 30 s; AHT = (60 + 60) ÷ 2 = 60 s.
fn four_calls() -> Vec<Input> {
    use ContactWhat::{Abandoned, Ended};
    vec![
        queued(1, 0, "sales"),
        queued(2, 5, "sales"),
        answered(1, 10, 1001),
        queued(3, 10, "sales"),
        contact(3, 13, Abandoned),
        queued(4, 20, "sales"),
        answered(2, 35, 1002),
        contact(4, 60, Abandoned),
        contact(1, 70, Ended),
        contact(2, 95, Ended),
    ]
}

#[test]
fn service_level_excludes_short_abandons_from_its_denominator() {
    let mut d = day();
    feed(&mut d, four_calls());
    let f = d.figures(at(100));
    let sales = &f.queues[0];
    assert_eq!(sales.queue.as_deref(), Some("sales"));
    assert_eq!((sales.offered, sales.answered), (4, 2));
    assert_eq!(sales.answered_within_threshold, 1);
    assert_eq!((sales.abandoned, sales.short_abandoned), (2, 1));
    assert_eq!(sales.service_level, Some(1.0 / 3.0));
}

#[test]
fn abandonment_rate_counts_only_long_abandons() {
    let mut d = day();
    feed(&mut d, four_calls());
    assert_eq!(
        d.figures(at(100)).queues[0].abandonment_rate,
        Some(1.0 / 3.0)
    );
}

#[test]
fn asa_is_the_mean_wait_of_answered_contacts() {
    let mut d = day();
    feed(&mut d, four_calls());
    let sales = &d.figures(at(100)).queues[0];
    assert_eq!(sales.asa_secs, Some(20.0));
    assert_eq!(sales.longest_answered_wait_secs, Some(30.0));
}

#[test]
fn aht_is_talk_hold_and_wrap_up_over_handled() {
    let mut d = day();
    feed(&mut d, four_calls());
    let sales = &d.figures(at(100)).queues[0];
    assert_eq!(sales.handling.handled, 2);
    assert_eq!(sales.aht_secs, Some(60.0));
}

#[test]
fn service_level_is_null_when_only_short_abandons_were_offered() {
    // One call, abandoned after 2 s: offered − short = 0, so SL and abandonment are unknown.
    let mut d = day();
    feed(
        &mut d,
        [queued(1, 0, "sales"), contact(1, 2, ContactWhat::Abandoned)],
    );
    let f = d.figures(at(10));
    assert_eq!(f.queues[0].service_level, None);
    assert_eq!(f.queues[0].abandonment_rate, None);
    assert_eq!(f.total.service_level, None);
}

#[test]
fn an_empty_day_reports_null_ratios() {
    let f = day().figures(at(0));
    assert!(f.queues.is_empty());
    assert_eq!(f.total.offered, 0);
    assert_eq!(f.total.service_level, None);
    assert_eq!(f.total.asa_secs, None);
    assert_eq!(f.total.aht_secs, None);
}

#[test]
fn an_answer_exactly_at_the_threshold_is_within_it() {
    // Waits of 20 s and 20.001 s against T = 20 s: 1 within of 2.
    let mut d = day();
    feed(
        &mut d,
        [
            queued(1, 0, "sales"),
            answered(1, 20, 1001),
            queued(2, 0, "sales"),
        ],
    );
    d.handle(Input::Contact(ContactEvent {
        contact: ContactId(2),
        at_ms: at(20) + 1,
        what: ContactWhat::Answered {
            agent: AgentId(1002),
        },
    }));
    assert_eq!(d.figures(at(30)).queues[0].service_level, Some(0.5));
}

#[test]
fn queue_thresholds_come_from_the_config() {
    // T = 2 s for sales: the 10 s and 30 s answers are both late; short abandon under 1 s, so
    // call 3's 3 s wait is a real abandon. SL = 0 ÷ 4 = 0; abandonment = 2 ÷ 4.
    let mut config = Config::new(MIDNIGHT, MIDNIGHT + DAY);
    config.queues.insert(
        "sales".to_owned(),
        Thresholds {
            service_level: Duration::from_secs(2),
            short_abandon: Duration::from_secs(1),
        },
    );
    let mut d = Day::new(config);
    feed(&mut d, four_calls());
    let sales = &d.figures(at(100)).queues[0];
    assert_eq!(sales.service_level, Some(0.0));
    assert_eq!(sales.abandonment_rate, Some(0.5));
    assert_eq!(sales.service_level_threshold_secs, Some(2.0));
}

#[test]
fn hold_time_is_counted_apart_from_talk() {
    // Answered 0 s, hold 30–50 s, ended 100 s: talk 80 s, hold 20 s; wrap-up 100–110 s.
    // AHT = (80 + 20 + 10) ÷ 1 = 110 s.
    use AgentState::{Available, OnCall, WrapUp};
    let mut d = day();
    feed(
        &mut d,
        [
            queued(1, 0, "sales"),
            agent(1001, 0, Available, OnCall),
            answered(1, 0, 1001),
            contact(1, 30, ContactWhat::Hold),
            contact(1, 50, ContactWhat::Unhold),
            contact(1, 100, ContactWhat::Ended),
            agent(1001, 100, OnCall, WrapUp),
            agent(1001, 110, WrapUp, Available),
        ],
    );
    let f = d.figures(at(120));
    let h = f.queues[0].handling;
    assert_eq!(
        (h.talk_ms, h.hold_ms, h.wrap_up_ms),
        (80_000, 20_000, 10_000)
    );
    assert_eq!(f.queues[0].aht_secs, Some(110.0));
    assert_eq!(f.agents[0].aht_secs, Some(110.0));
}

#[test]
fn wrap_up_counts_only_once_it_ends() {
    use AgentState::{OnCall, WrapUp};
    let mut d = day();
    feed(
        &mut d,
        [
            queued(1, 0, "sales"),
            answered(1, 0, 1001),
            contact(1, 60, ContactWhat::Ended),
            agent(1001, 60, OnCall, WrapUp),
        ],
    );
    let f = d.figures(at(65));
    assert_eq!(f.queues[0].aht_secs, Some(60.0));
    assert_eq!(f.agents[0].state_ms.get("wrap_up"), Some(&5_000));
}

#[test]
fn agent_state_time_runs_from_the_day_start_and_up_to_now() {
    // First event of the day at 09:00 from not ready: not ready since midnight (9 h), then
    // available for the 60 s up to now.
    use AgentState::{Available, NotReady};
    let mut d = day();
    d.handle(agent(1001, 0, NotReady, Available));
    let f = d.figures(at(60));
    assert_eq!(
        f.agents[0].state_ms.get("not_ready"),
        Some(&(9 * 3_600_000))
    );
    assert_eq!(f.agents[0].state_ms.get("available"), Some(&60_000));
}

#[test]
fn an_overflowed_contact_is_offered_in_both_queues_and_once_in_the_total() {
    // Queued in sales 0 s, overflows to support 30 s, answered 40 s: sales offered 1, answered
    // 0 (SL 0); support offered 1, answered in 10 s (SL 1); total offered 1, answered after
    // 40 s > 20 s (SL 0).
    let mut d = day();
    feed(
        &mut d,
        [
            queued(1, 0, "sales"),
            contact(
                1,
                30,
                ContactWhat::Overflowed {
                    to: "support".to_owned(),
                },
            ),
            answered(1, 40, 1001),
        ],
    );
    let f = d.figures(at(50));
    let (sales, support) = (&f.queues[0], &f.queues[1]);
    assert_eq!(
        (sales.offered, sales.overflowed, sales.service_level),
        (1, 1, Some(0.0))
    );
    assert_eq!(
        (support.offered, support.asa_secs, support.service_level),
        (1, Some(10.0), Some(1.0))
    );
    assert_eq!(
        (f.total.offered, f.total.answered, f.total.service_level),
        (1, 1, Some(0.0))
    );
}

#[test]
fn a_contact_belongs_to_the_interval_it_was_offered_in() {
    // Queued 09:29:50, answered 09:30:05 (15 s): the 09:00 interval has it, 09:30 does not.
    let mut d = day();
    feed(&mut d, [queued(1, 1790, "sales"), answered(1, 1805, 1001)]);
    let series = d.intervals(IntervalLength::Minutes30);
    let nine = &series.total[18];
    assert_eq!(nine.start_ms, at(0));
    assert_eq!(
        (nine.offered, nine.answered, nine.service_level),
        (1, 1, Some(1.0))
    );
    let half_past = &series.total[19];
    assert_eq!(
        (
            half_past.offered,
            half_past.answered,
            half_past.service_level
        ),
        (0, 0, None)
    );
    assert_eq!(series.total.len(), 48);
    assert_eq!(d.intervals(IntervalLength::Minutes60).total.len(), 24);
    assert_eq!(series.queues["sales"][18].offered, 1);
}

#[test]
fn contacts_offered_before_the_day_are_not_counted() {
    let mut d = day();
    d.handle(Input::Contact(ContactEvent {
        contact: ContactId(1),
        at_ms: MIDNIGHT - 10_000,
        what: ContactWhat::Queued {
            queue: "sales".to_owned(),
        },
    }));
    d.handle(answered(1, 0, 1001));
    assert_eq!(d.figures(at(1)).total.offered, 0);
    assert_eq!(d.figures(at(1)).total.answered, 0);
}

#[test]
fn a_transferred_call_is_handled_by_each_agent_who_talked_to_it() {
    // Answered by 1001 at 10 s, transferred at 40 s (30 s talk), answered by 1002 at 45 s,
    // ended at 105 s (60 s talk): handled 2, AHT (30 + 60) ÷ 2 = 45 s; answered once.
    let mut d = day();
    feed(
        &mut d,
        [
            queued(1, 0, "sales"),
            answered(1, 10, 1001),
            contact(1, 40, ContactWhat::Transferred),
            answered(1, 45, 1002),
            contact(1, 105, ContactWhat::Ended),
        ],
    );
    let f = d.figures(at(110));
    assert_eq!((f.queues[0].answered, f.queues[0].handling.handled), (1, 2));
    assert_eq!(f.queues[0].aht_secs, Some(45.0));
    assert_eq!(f.agents.len(), 2);
}

#[test]
fn agents_carry_their_state_into_the_next_day() {
    // Ready since 23:00, midnight passes: the new day counts ready from 00:00 on.
    use AgentState::{Available, NotReady};
    let mut d = day();
    d.handle(Input::Agent(AgentEvent {
        agent: AgentId(1001),
        at_ms: MIDNIGHT + DAY - 3_600_000,
        from: Some(NotReady),
        to: Available,
    }));
    let next = d.carry_over(Config::new(MIDNIGHT + DAY, MIDNIGHT + 2 * DAY));
    let f = next.figures(MIDNIGHT + DAY + 60_000);
    assert_eq!(f.agents[0].state_ms.get("available"), Some(&60_000));
    assert_eq!(f.total.offered, 0);
}

#[test]
fn a_queue_with_no_contacts_has_zero_counts_and_null_ratios() {
    let q = day().queue("support");
    assert_eq!((q.offered, q.service_level, q.asa_secs), (0, None, None));
    assert_eq!(q.service_level_threshold_secs, Some(20.0));
}

#[test]
fn a_change_without_its_previous_state_counts_from_the_change_on() {
    // The live feed does not say the state before: nothing is credited before 09:00.
    let mut d = day();
    d.handle(Input::Agent(AgentEvent {
        agent: AgentId(1001),
        at_ms: at(0),
        from: None,
        to: AgentState::Available,
    }));
    let f = d.figures(at(30));
    assert_eq!(f.agents[0].state_ms.len(), 1);
    assert_eq!(f.agents[0].state_ms.get("available"), Some(&30_000));
}
