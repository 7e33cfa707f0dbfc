//! A day of synthetic traffic pushed through the real engine on a simulated clock.
//!
//! Workforce planning's what-if and the benchmarks use it: callers arrive at random over the
//! day, some hang up when their patience runs out, agents answer after a short ring (or let a
//! small share of offers ring out), talk for a random time and wrap up. Everything random comes
//! from one seed, so a run is reproducible. It is also the drive loop written out in full: the
//! simulator's own events and the engine's deadlines are interleaved in time order.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use crate::agent_state::AgentState;
use crate::config::{AcdConfig, AgentConfig, MAX_SETTING, QueueConfig};
use crate::contact::LeaveReason;
use crate::engine::Acd;
use crate::error::AcdError;
use crate::ids::{AgentId, ContactId, QueueId};
use crate::input::Input;
use crate::output::Output;
use crate::rng::Rng;
use crate::strategy::StrategyKind;

/// The traffic and the floor to simulate.
#[derive(Debug, Clone, PartialEq)]
pub struct Traffic {
    /// Calls offered over the day.
    pub calls: u32,
    /// Arrivals are spread at random (a Poisson process of this many calls) over this span.
    pub span: Duration,
    /// Agents, all logged in and available at the start.
    pub agents: u32,
    /// Queues; calls pick one at random, each agent serves two neighbouring ones.
    pub queues: u32,
    /// Mean talk time (exponentially distributed).
    pub mean_talk: Duration,
    /// Mean caller patience (exponential); `None`: nobody hangs up while waiting.
    pub mean_patience: Option<Duration>,
    /// How long a phone rings before the agent answers.
    pub answer_delay: Duration,
    /// Share of offers an agent lets ring out, in 1/1000.
    pub no_answer_per_mille: u32,
    /// Wrap-up after each call.
    pub wrap_up: Duration,
    /// An agent set not ready for missed offers is back this long after.
    pub missed_offer_pause: Duration,
    /// Every queue's strategy.
    pub strategy: StrategyKind,
    /// Seed of the traffic and of the engine.
    pub seed: u64,
}

impl Traffic {
    /// 50,000 calls over 14 hours to 300 agents in 5 queues: 3 min mean talk, 10 s wrap-up,
    /// 2 min mean patience, 3 s to answer, 1% of offers missed (the agent is back a minute
    /// later). About 63% occupancy.
    pub fn day() -> Self {
        Self {
            calls: 50_000,
            span: Duration::from_secs(14 * 3600),
            agents: 300,
            queues: 5,
            mean_talk: Duration::from_secs(180),
            mean_patience: Some(Duration::from_secs(120)),
            answer_delay: Duration::from_secs(3),
            no_answer_per_mille: 10,
            wrap_up: Duration::from_secs(10),
            missed_offer_pause: Duration::from_secs(60),
            strategy: StrategyKind::LongestIdle,
            seed: 1,
        }
    }
}

/// What happened over the simulated day.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DayReport {
    /// Contacts that entered a queue.
    pub offered: u64,
    /// Contacts answered by an agent.
    pub answered: u64,
    /// Contacts whose caller hung up first.
    pub abandoned: u64,
    /// Contacts turned away (queue full, maximum wait, no agents, callback failed).
    pub turned_away: u64,
    /// Offers made to agents (an answered contact may have had several).
    pub offers: u64,
    /// Offers that rang out.
    pub offers_timed_out: u64,
    /// Answered within 20 s of entering the queue.
    pub answered_within_20s: u64,
    /// Sum of the waits of answered contacts (for the ASA).
    pub total_answer_wait: Duration,
    /// Longest wait of an answered contact.
    pub longest_answer_wait: Duration,
    /// Every output the engine produced.
    pub outputs: u64,
    /// Calls answered by each agent, by agent number (fairness of the strategy).
    pub answered_by_agent: Vec<u64>,
    /// Simulated time from the first arrival to the last contact leaving the queues.
    pub duration: Duration,
}

/// The simulator's own events.
#[derive(Debug, Clone, Copy)]
enum Event {
    Arrive(ContactId, QueueId),
    Abandon(ContactId),
    Answer(ContactId, AgentId),
    HangUp(AgentId),
    Ready(AgentId),
}

/// The longest span a simulation may cover.
pub const MAX_SPAN: Duration = Duration::from_secs(31 * 24 * 3600);

/// Runs `traffic` through a fresh engine from `start`.
///
/// Fails if a duration is out of range (span over [`MAX_SPAN`], others over [`MAX_SETTING`]).
pub fn simulate(start: Instant, traffic: &Traffic) -> Result<DayReport, AcdError> {
    let durations = [
        Some(traffic.mean_talk),
        traffic.mean_patience,
        Some(traffic.answer_delay),
        Some(traffic.wrap_up),
        Some(traffic.missed_offer_pause),
    ];
    if traffic.span > MAX_SPAN || durations.into_iter().flatten().any(|d| d > MAX_SETTING) {
        return Err(AcdError::InvalidTraffic("a duration is out of range"));
    }
    let mut rng = Rng::new(traffic.seed ^ 0x5EED);
    let queues = traffic.queues.max(1);
    let queue_ids: Vec<QueueId> = (0..queues).map(|q| QueueId(u64::from(q))).collect();
    let config = AcdConfig {
        queues: queue_ids
            .iter()
            .map(|id| {
                let mut q = QueueConfig::new(*id, format!("queue {}", id.0));
                q.strategy = traffic.strategy;
                q.wrap_up = traffic.wrap_up;
                q
            })
            .collect(),
        agents: (0..traffic.agents)
            .map(|a| {
                let first = QueueId(u64::from(a % queues));
                let second = QueueId(u64::from((a + 1) % queues));
                AgentConfig::new(
                    AgentId(u64::from(a)),
                    format!("agent {a}"),
                    &[first, second],
                )
            })
            .collect(),
        seed: traffic.seed,
    };
    let mut acd = Acd::new(config)?;
    for a in 0..traffic.agents {
        let agent = AgentId(u64::from(a));
        acd.handle_input(
            start,
            Input::Login {
                agent,
                not_ready: None,
            },
        )?;
    }

    let mut events = BTreeMap::new();
    let mut seq = 0u64;
    let mut schedule = |events: &mut BTreeMap<(Instant, u64), Event>, at: Instant, e: Event| {
        events.insert((at, seq), e);
        seq += 1;
    };
    for c in 0..traffic.calls {
        let at = start + traffic.span.mul_f64(rng.unit());
        let queue = queue_ids[rng.below(u64::from(queues)) as usize];
        schedule(
            &mut events,
            at,
            Event::Arrive(ContactId(u64::from(c)), queue),
        );
    }

    let mut report = DayReport {
        answered_by_agent: vec![0; traffic.agents as usize],
        ..DayReport::default()
    };
    let give_up = start + traffic.span + MAX_SETTING;
    let mut now = start;
    loop {
        let next_event = events.first_key_value().map(|((at, _), _)| *at);
        let next_timer = acd.poll_timeout();
        if next_event.is_none() && acd.contact_count() == 0 {
            break;
        }
        let timer_first = match (next_event, next_timer) {
            (_, None) => false,
            (None, Some(_)) => true,
            (Some(event), Some(timer)) => timer <= event,
        };
        if let Some(timer) = next_timer.filter(|_| timer_first) {
            if timer > give_up {
                break;
            }
            now = timer;
            acd.handle_timeout(now);
        } else if let Some(((at, _), event)) = events.pop_first() {
            now = at;
            if let Event::Arrive(contact, _) = event {
                report.offered += 1;
                if let Some(patience) = traffic.mean_patience {
                    let at = now + exponential(&mut rng, patience);
                    schedule(&mut events, at, Event::Abandon(contact));
                }
            }
            match acd.handle_input(now, to_input(event)) {
                // An answer after the caller hung up, or a hangup after the answer: races the
                // engine refuses by design, as a real server would see them.
                Err(AcdError::UnknownContact(_) | AcdError::NotOffered { .. })
                    if matches!(event, Event::Answer(..) | Event::Abandon(_)) => {}
                other => other?,
            }
        } else {
            break;
        }
        while let Some(output) = acd.poll_output() {
            report.outputs += 1;
            match output {
                Output::Offer { contact, agent, .. } => {
                    report.offers += 1;
                    if rng.below(1000) >= u64::from(traffic.no_answer_per_mille) {
                        let at = now + traffic.answer_delay;
                        schedule(&mut events, at, Event::Answer(contact, agent));
                    }
                }
                Output::OfferTimedOut { .. } => report.offers_timed_out += 1,
                Output::ContactAnswered { agent, waited, .. } => {
                    report.answered += 1;
                    if let Some(count) = usize::try_from(agent.0)
                        .ok()
                        .and_then(|a| report.answered_by_agent.get_mut(a))
                    {
                        *count += 1;
                    }
                    report.total_answer_wait += waited;
                    report.longest_answer_wait = report.longest_answer_wait.max(waited);
                    if waited <= Duration::from_secs(20) {
                        report.answered_within_20s += 1;
                    }
                    let talk = exponential(&mut rng, traffic.mean_talk);
                    schedule(&mut events, now + talk, Event::HangUp(agent));
                }
                Output::AgentStateChanged {
                    agent,
                    to: AgentState::NotReady { .. },
                    ..
                } => {
                    let at = now + traffic.missed_offer_pause;
                    schedule(&mut events, at, Event::Ready(agent));
                }
                Output::ContactLeft { reason, .. } => match reason {
                    LeaveReason::Abandoned => report.abandoned += 1,
                    LeaveReason::QueueFull
                    | LeaveReason::MaxWait
                    | LeaveReason::NoAgents
                    | LeaveReason::CallbackFailed => report.turned_away += 1,
                },
                _ => {}
            }
        }
    }
    report.duration = now.saturating_duration_since(start);
    Ok(report)
}

fn to_input(event: Event) -> Input {
    match event {
        Event::Arrive(contact, queue) => Input::ContactArrived {
            contact,
            queue,
            priority: 0,
        },
        Event::Abandon(contact) => Input::ContactAbandoned { contact },
        Event::Answer(contact, agent) => Input::OfferAnswered { contact, agent },
        Event::HangUp(agent) => Input::CallEnded { agent },
        Event::Ready(agent) => Input::Ready { agent },
    }
}

/// An exponentially distributed duration with this mean.
fn exponential(rng: &mut Rng, mean: Duration) -> Duration {
    mean.mul_f64(-(1.0 - rng.unit()).ln())
}
