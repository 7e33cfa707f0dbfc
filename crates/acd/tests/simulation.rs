//! The simulated day: every call is accounted for, and a seed gives one exact result.

mod common;

use std::time::Duration;

use acd::StrategyKind;
use acd::simulation::{Traffic, simulate};
use common::origin;

fn small_day() -> Traffic {
    Traffic {
        calls: 2_000,
        span: Duration::from_secs(4 * 3600),
        agents: 12,
        queues: 3,
        mean_talk: Duration::from_secs(60), // about 80% occupancy
        ..Traffic::day()
    }
}

#[test]
fn every_call_is_answered_abandoned_or_turned_away() {
    for strategy in StrategyKind::ALL {
        let traffic = Traffic {
            strategy,
            ..small_day()
        };
        let report = simulate(origin(), &traffic).unwrap();
        assert_eq!(report.offered, 2_000, "{strategy}");
        assert_eq!(
            report.answered + report.abandoned + report.turned_away,
            report.offered,
            "{strategy}"
        );
        assert!(report.answered > 0 && report.offers >= report.answered);
    }
}

#[test]
fn the_same_seed_gives_the_same_day() {
    let a = simulate(origin(), &small_day()).unwrap();
    let b = simulate(origin(), &small_day()).unwrap();
    assert_eq!(a, b);
    let c = simulate(
        origin(),
        &Traffic {
            seed: 2,
            ..small_day()
        },
    )
    .unwrap();
    assert_ne!(a, c);
}

#[test]
fn missed_offers_ring_out_and_are_offered_again() {
    let traffic = Traffic {
        no_answer_per_mille: 200,
        mean_patience: None,
        ..small_day()
    };
    let report = simulate(origin(), &traffic).unwrap();
    assert!(report.offers_timed_out > 0);
    assert_eq!(
        report.answered, report.offered,
        "nobody hangs up, so all are answered"
    );
}

#[test]
fn out_of_range_traffic_is_refused() {
    let traffic = Traffic {
        mean_talk: Duration::from_secs(2 * 24 * 3600),
        ..small_day()
    };
    assert!(simulate(origin(), &traffic).is_err());
}
