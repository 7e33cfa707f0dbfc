//! Routing decision latency on a large floor, and a simulated day through the engine.
//!
//! Floor: 10,000 agents, 1,000 queues (30 members each, every agent in 3 queues), 5,000
//! contacts waiting. Queues 0–499 are saturated: their agents are all on calls and 10 contacts
//! wait in each. Queues 500–999 have their agents available and nobody waiting. Skills are in
//! play: every agent speaks one of four languages (level 5–10) and has a `tier` 1–3; every
//! queue requires `tier` 1 and ages priorities every 30 s; half the waiting contacts require a
//! language, and every arriving contact does, so each decision checks eligibility.
//! - `agent_available`: an agent of the saturated half ends a call (no wrap-up) and takes the
//!   best waiting contact they qualify for among their three queues.
//! - `contact_arrives`: a contact requiring a language enters a queue of the idle half and is
//!   offered to the qualified agent idle longest.
//!
//! Each decision is timed from the input to the last output drained; the set-up that restores
//! the floor afterwards (answer + a new arrival, or an abandon) is not timed. Besides criterion's
//! means, the bench prints p50/p99 from its own loop, and the time of one simulated day.
#![allow(clippy::disallowed_methods)] // a benchmark reads the real clock to time the engine
#![allow(clippy::print_stdout)] // and prints what it measured

use std::hint::black_box;
use std::time::{Duration, Instant};

use acd::simulation::{Traffic, simulate};
use acd::{
    Acd, AcdConfig, AgentConfig, AgentId, ContactId, Input, Output, QueueConfig, QueueId, Skills,
};
use criterion::Criterion;

const AGENTS: u64 = 10_000;
const QUEUES: u64 = 1_000;
const WAITING_PER_BUSY_QUEUE: u64 = 10;

struct Floor {
    acd: Acd,
    now: Instant,
    next_contact: u64,
    /// Agents of the saturated half, in rotation.
    busy_agents: Vec<AgentId>,
    next_busy: usize,
}

fn drain(acd: &mut Acd) -> Option<(ContactId, AgentId)> {
    let mut offer = None;
    while let Some(output) = acd.poll_output() {
        if let Output::Offer { contact, agent, .. } = output {
            offer = Some((contact, agent));
        }
        black_box(&offer);
    }
    offer
}

/// A contact arriving, priority 0–2, requiring one of the four languages at level 5 or not.
fn arrival(contact: ContactId, queue: QueueId, language: bool) -> Input {
    let skills: Skills = match language {
        true => [(format!("language:{}", contact.0 / 2 % 4), 5)].into(),
        false => Skills::new(),
    };
    Input::ContactArrivedWithSkills {
        contact,
        queue,
        priority: (contact.0 % 3) as i32,
        skills,
    }
}

fn build_floor() -> Floor {
    let half_agents = AGENTS / 2;
    let half_queues = QUEUES / 2;
    let queues = (0..QUEUES)
        .map(|q| {
            let mut c = QueueConfig::new(QueueId(q), format!("q{q}"));
            c.wrap_up = Duration::ZERO;
            c.required_skills.insert("tier".into(), 1);
            c.aging_step = Some(Duration::from_secs(30));
            c
        })
        .collect();
    let agents = (0..AGENTS)
        .map(|i| {
            let half = i / half_agents;
            let j = i % half_agents;
            let qs: Vec<QueueId> = [0, 167, 333]
                .iter()
                .map(|off| QueueId(half * half_queues + (j + off) % half_queues))
                .collect();
            // Mixing in i / 500 gives each queue's 30 members all four languages.
            let language = (i + i / 500) % 4;
            AgentConfig::new(AgentId(i), format!("a{i}"), &qs)
                .with_skill(format!("language:{language}"), 5 + (i % 6) as u8)
                .with_skill("tier", 1 + (i % 3) as u8)
        })
        .collect();
    let mut acd = Acd::new(AcdConfig {
        queues,
        agents,
        seed: 1,
    })
    .expect("valid floor");
    let mut now = Instant::now();
    let mut next_contact = 0;
    // Saturated half: every agent takes a call; then 10 contacts wait per queue.
    for i in 0..half_agents {
        now += Duration::from_millis(1);
        acd.handle_input(
            now,
            Input::Login {
                agent: AgentId(i),
                not_ready: None,
            },
        )
        .expect("login");
        let queue = QueueId(i % half_queues);
        let contact = ContactId(next_contact);
        next_contact += 1;
        acd.handle_input(
            now,
            Input::ContactArrived {
                contact,
                queue,
                priority: 0,
            },
        )
        .expect("arrival");
        let (contact, agent) = drain(&mut acd).expect("an idle agent takes it");
        acd.handle_input(now, Input::OfferAnswered { contact, agent })
            .expect("answer");
        drain(&mut acd);
    }
    for q in 0..half_queues {
        for _ in 0..WAITING_PER_BUSY_QUEUE {
            now += Duration::from_millis(1);
            let contact = ContactId(next_contact);
            next_contact += 1;
            acd.handle_input(
                now,
                arrival(contact, QueueId(q), contact.0.is_multiple_of(2)),
            )
            .expect("arrival");
        }
    }
    // Idle half: logged in one after the other, so idle times differ.
    for i in half_agents..AGENTS {
        now += Duration::from_millis(1);
        acd.handle_input(
            now,
            Input::Login {
                agent: AgentId(i),
                not_ready: None,
            },
        )
        .expect("login");
    }
    drain(&mut acd);
    assert_eq!(
        acd.contact_count() as u64,
        half_queues * WAITING_PER_BUSY_QUEUE
    );
    Floor {
        acd,
        now,
        next_contact,
        busy_agents: (0..half_agents).map(AgentId).collect(),
        next_busy: 0,
    }
}

impl Floor {
    /// Times one agent-becomes-available decision, then restores the floor.
    fn agent_available(&mut self) -> Duration {
        self.now += Duration::from_millis(1);
        let agent = self.busy_agents[self.next_busy % self.busy_agents.len()];
        self.next_busy += 1;
        let start = Instant::now();
        self.acd
            .handle_input(self.now, Input::CallEnded { agent })
            .expect("call end");
        let offer = drain(&mut self.acd);
        let took = start.elapsed();
        let (contact, agent) = offer.expect("a waiting contact is offered");
        self.acd
            .handle_input(self.now, Input::OfferAnswered { contact, agent })
            .expect("answer");
        drain(&mut self.acd);
        let contact = ContactId(self.next_contact);
        self.next_contact += 1;
        let queue = QueueId(agent.0 % (QUEUES / 2));
        self.acd
            .handle_input(
                self.now,
                arrival(contact, queue, contact.0.is_multiple_of(2)),
            )
            .expect("arrival");
        drain(&mut self.acd);
        took
    }

    /// Times one contact-arrives decision, then restores the floor.
    fn contact_arrives(&mut self) -> Duration {
        self.now += Duration::from_millis(1);
        let contact = ContactId(self.next_contact);
        self.next_contact += 1;
        let queue = QueueId(QUEUES / 2 + self.next_contact % (QUEUES / 2));
        let input = arrival(contact, queue, true);
        let start = Instant::now();
        self.acd.handle_input(self.now, input).expect("arrival");
        let offer = drain(&mut self.acd);
        let took = start.elapsed();
        offer.expect("an idle agent is offered the contact");
        self.acd
            .handle_input(self.now, Input::ContactAbandoned { contact })
            .expect("abandon");
        drain(&mut self.acd);
        took
    }
}

fn percentiles(name: &str, floor: &mut Floor, decide: fn(&mut Floor) -> Duration) {
    const RUNS: usize = 20_000;
    for _ in 0..2_000 {
        decide(floor);
    }
    let mut times: Vec<Duration> = (0..RUNS).map(|_| decide(floor)).collect();
    times.sort_unstable();
    let at = |p: f64| times[((RUNS as f64 * p) as usize).min(RUNS - 1)];
    println!(
        "{name:<16} p50 {:>7.2?}  p99 {:>7.2?}  p99.9 {:>7.2?}  max {:>7.2?}  ({RUNS} decisions)",
        at(0.50),
        at(0.99),
        at(0.999),
        times[RUNS - 1]
    );
}

fn simulated_day() {
    let traffic = Traffic::day();
    let start = Instant::now();
    let report = simulate(start, &traffic).expect("valid traffic");
    let took = start.elapsed();
    let asa = report.total_answer_wait.as_secs_f64() / report.answered.max(1) as f64;
    println!(
        "simulated day    {} calls, {} agents: {:.0?} wall time; answered {}, abandoned {}, \
         SL20 {:.1}%, ASA {:.1} s, {} offers ({} rang out), {} outputs",
        traffic.calls,
        traffic.agents,
        took,
        report.answered,
        report.abandoned,
        100.0 * report.answered_within_20s as f64 / report.offered.max(1) as f64,
        asa,
        report.offers,
        report.offers_timed_out,
        report.outputs,
    );
}

fn main() {
    let mut floor = build_floor();
    let mut c = Criterion::default().configure_from_args();
    c.bench_function("agent_available", |b| {
        b.iter_custom(|iters| (0..iters).map(|_| floor.agent_available()).sum())
    });
    c.bench_function("contact_arrives", |b| {
        b.iter_custom(|iters| (0..iters).map(|_| floor.contact_arrives()).sum())
    });
    percentiles("agent_available", &mut floor, Floor::agent_available);
    percentiles("contact_arrives", &mut floor, Floor::contact_arrives);
    simulated_day();
    c.final_summary();
}
