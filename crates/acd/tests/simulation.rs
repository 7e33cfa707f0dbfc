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

/// A team's day: 20 equal agents in one queue, 10,000 calls over 10 hours, 50 s mean talk,
/// about 87% occupancy, so every agent answers some 475 calls.
fn team_day(strategy: StrategyKind, seed: u64) -> Traffic {
    Traffic {
        strategy,
        seed,
        calls: 10_000,
        span: Duration::from_secs(10 * 3600),
        agents: 20,
        queues: 1,
        mean_talk: Duration::from_secs(50),
        ..Traffic::day()
    }
}

/// The largest relative gap between an agent's answered calls and the mean.
fn worst_deviation(answered_by_agent: &[u64]) -> f64 {
    let mean = answered_by_agent.iter().sum::<u64>() as f64 / answered_by_agent.len() as f64;
    answered_by_agent
        .iter()
        .map(|c| (*c as f64 - mean).abs() / mean)
        .fold(0.0, f64::max)
}

/// Longest idle equalises idle time, not call counts: with exponential talk times an agent's
/// count varies like a renewal process (σ ≈ √475 / 475 ≈ 4.6%), so the worst of 20 agents is
/// about 2 σ. Measured over seeds 1–10: worst 8.7% (random routing: 10.1%). Bound: ±12%.
#[test]
fn longest_idle_keeps_every_agent_within_twelve_percent_of_the_mean() {
    for seed in 1..=3 {
        let report = simulate(origin(), &team_day(StrategyKind::LongestIdle, seed)).unwrap();
        let worst = worst_deviation(&report.answered_by_agent);
        assert!(worst <= 0.12, "seed {seed}: {:.1}%", worst * 100.0);
    }
}

/// Fewest calls evens out counts directly. Measured over seeds 1–10: worst 2.1%. Bound: ±4%.
#[test]
fn fewest_calls_keeps_every_agent_within_four_percent_of_the_mean() {
    for seed in 1..=3 {
        let report = simulate(origin(), &team_day(StrategyKind::FewestCalls, seed)).unwrap();
        let worst = worst_deviation(&report.answered_by_agent);
        assert!(worst <= 0.04, "seed {seed}: {:.1}%", worst * 100.0);
    }
}

/// Linear is unfair by design: the first agents in hunt order take more than the last.
#[test]
fn linear_gives_the_first_agents_more_calls_than_the_last() {
    let report = simulate(origin(), &team_day(StrategyKind::Linear, 1)).unwrap();
    let calls = &report.answered_by_agent;
    let first: u64 = calls[..5].iter().sum();
    let last: u64 = calls[15..].iter().sum();
    assert!(first > last, "first five {first}, last five {last}");
}
