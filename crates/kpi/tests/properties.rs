//! Properties over random days: ratios stay in range, counts stay consistent, and the order
//! events are fed in (batch replay or one by one) does not change the figures.

use kpi::{
    AgentEvent, AgentId, AgentState, Config, ContactEvent, ContactId, ContactWhat, Day, Input,
    IntervalLength,
};
use proptest::prelude::*;

const MIDNIGHT: i64 = 1_764_028_800_000;
const DAY: i64 = 86_400_000;

fn what() -> impl Strategy<Value = ContactWhat> {
    prop_oneof![
        3 => prop::sample::select(vec!["sales", "support"])
            .prop_map(|q| ContactWhat::Queued { queue: q.to_owned() }),
        1 => Just(ContactWhat::Overflowed { to: "support".to_owned() }),
        3 => (1001i64..1004).prop_map(|a| ContactWhat::Answered { agent: AgentId(a) }),
        1 => Just(ContactWhat::Hold),
        1 => Just(ContactWhat::Unhold),
        1 => Just(ContactWhat::Transferred),
        2 => Just(ContactWhat::Abandoned),
        2 => Just(ContactWhat::Ended),
    ]
}

fn state() -> impl Strategy<Value = AgentState> {
    prop::sample::select(AgentState::ALL.to_vec())
}

fn input() -> impl Strategy<Value = Input> {
    // Mostly within the day, some before and after it.
    let at = -3_600_000i64..DAY + 3_600_000;
    prop_oneof![
        4 => (0u128..8, at.clone(), what()).prop_map(|(c, t, what)| Input::Contact(ContactEvent {
            contact: ContactId(c),
            at_ms: MIDNIGHT + t,
            what,
        })),
        1 => (1001i64..1004, at, state(), state()).prop_map(|(a, t, from, to)| Input::Agent(AgentEvent {
            agent: AgentId(a),
            at_ms: MIDNIGHT + t,
            from: Some(from),
            to,
        })),
    ]
}

fn day_of(mut inputs: Vec<Input>) -> Day {
    inputs.sort_by_key(Input::at_ms);
    let mut day = Day::new(Config::new(MIDNIGHT, MIDNIGHT + DAY));
    for input in inputs {
        day.handle(input);
    }
    day
}

proptest! {
    #[test]
    fn ratios_stay_between_zero_and_one(inputs in prop::collection::vec(input(), 0..80)) {
        let f = day_of(inputs).figures(MIDNIGHT + DAY);
        let in_range = |r: Option<f64>| r.is_none_or(|r| (0.0..=1.0).contains(&r));
        for q in f.queues.iter().chain([&f.total]) {
            prop_assert!(in_range(q.service_level), "{q:?}");
            prop_assert!(in_range(q.abandonment_rate), "{q:?}");
        }
        for i in f.intervals.total.iter().chain(f.intervals.queues.values().flatten()) {
            prop_assert!(in_range(i.service_level), "{i:?}");
        }
    }

    #[test]
    fn outcomes_never_exceed_the_offers(inputs in prop::collection::vec(input(), 0..80)) {
        let f = day_of(inputs).figures(MIDNIGHT + DAY);
        for q in f.queues.iter().chain([&f.total]) {
            prop_assert!(q.answered_within_threshold <= q.answered, "{q:?}");
            prop_assert!(q.short_abandoned <= q.abandoned, "{q:?}");
            prop_assert!(q.answered + q.abandoned + q.overflowed <= q.offered, "{q:?}");
        }
    }

    #[test]
    fn the_intervals_add_up_to_the_day(inputs in prop::collection::vec(input(), 0..80)) {
        let day = day_of(inputs);
        let f = day.figures(MIDNIGHT + DAY);
        for length in [IntervalLength::Minutes15, IntervalLength::Minutes30, IntervalLength::Minutes60] {
            let series = day.intervals(length);
            let offered: u64 = series.total.iter().map(|i| i.offered).sum();
            let answered: u64 = series.total.iter().map(|i| i.answered).sum();
            prop_assert_eq!(offered, f.total.offered);
            prop_assert_eq!(answered, f.total.answered);
        }
    }

    #[test]
    fn feeding_one_by_one_equals_the_batch_replay(
        inputs in prop::collection::vec(input(), 0..80),
        seed in any::<u64>(),
    ) {
        let one_by_one = day_of(inputs.clone());
        // The batch gets the same events in another order (as the store returns them, grouped
        // by interaction); replay sorts them by time.
        let mut shuffled = inputs;
        let n = shuffled.len();
        if n > 1 {
            let mut s = seed;
            for i in (1..n).rev() {
                s = s.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                shuffled.swap(i, (s >> 33) as usize % (i + 1));
            }
        }
        // Inputs of one instant keep their relative order under a stable sort; shuffling
        // may reorder those, so compare only days without ties.
        let mut times: Vec<i64> = shuffled.iter().map(Input::at_ms).collect();
        times.sort_unstable();
        times.dedup();
        prop_assume!(times.len() == n);
        let batch = Day::replay(Config::new(MIDNIGHT, MIDNIGHT + DAY), shuffled);
        prop_assert_eq!(batch.figures(MIDNIGHT + DAY), one_by_one.figures(MIDNIGHT + DAY));
    }

    #[test]
    fn asking_for_figures_changes_nothing(
        inputs in prop::collection::vec(input(), 0..80),
        cut in 0usize..80,
    ) {
        let mut sorted = inputs;
        sorted.sort_by_key(Input::at_ms);
        let mut day = Day::new(Config::new(MIDNIGHT, MIDNIGHT + DAY));
        for (i, input) in sorted.iter().cloned().enumerate() {
            if i == cut {
                let _ = day.figures(input.at_ms());
            }
            day.handle(input);
        }
        prop_assert_eq!(day.figures(MIDNIGHT + DAY), day_of(sorted).figures(MIDNIGHT + DAY));
    }
}
