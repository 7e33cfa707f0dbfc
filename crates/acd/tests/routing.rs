//! Skills, priority aging, routing profiles, estimated wait and reason codes, on a simulated
//! clock.

mod common;

use std::time::Duration;

use acd::{
    AcdError, AgentId, AgentStateKind, ContactId, Input, Membership, Output, QueueId, Relaxation,
    StrategyKind,
};
use common::{Harness, agent, queue, secs};

fn french(h: &mut Harness, contact: u64, queue: u64, level: u8) {
    h.send(Input::ContactArrivedWithSkills {
        contact: ContactId(contact),
        queue: QueueId(queue),
        priority: 0,
        skills: [("language:fr".to_owned(), level)].into(),
    })
    .expect("arrival");
}

/// Queue 1 requires `tier` 3, relaxed to 1 after 30 s and to anyone after 60 s.
fn tiered_queue() -> acd::QueueConfig {
    let mut q = queue(1);
    q.required_skills.insert("tier".into(), 3);
    q.relaxations = vec![
        Relaxation::skill(secs(30), "tier", 1),
        Relaxation::any_agent(secs(60)),
    ];
    q
}

#[test]
fn a_french_caller_skips_the_idle_agent_who_does_not_speak_french() {
    let mut h = Harness::new(
        vec![queue(1)],
        vec![agent(1, &[1]), agent(2, &[1]).with_skill("language:fr", 7)],
    );
    h.login(1);
    h.advance(5);
    h.login(2);
    h.take();
    french(&mut h, 10, 1, 5);
    assert_eq!(h.take_offers(), [(10, 2)]);
}

#[test]
fn a_french_caller_waits_until_a_french_speaker_is_free() {
    let mut h = Harness::new(
        vec![queue(1)],
        vec![agent(1, &[1]), agent(2, &[1]).with_skill("language:fr", 7)],
    );
    h.login(1);
    h.take();
    french(&mut h, 10, 1, 5);
    assert!(h.take_offers().is_empty());
    h.advance(3);
    h.login(2);
    assert_eq!(h.take_offers(), [(10, 2)]);
}

#[test]
fn a_proficiency_below_the_minimum_does_not_qualify() {
    let mut h = Harness::new(
        vec![queue(1)],
        vec![agent(1, &[1]).with_skill("language:fr", 4)],
    );
    h.login(1);
    h.take();
    french(&mut h, 10, 1, 5);
    assert!(h.take_offers().is_empty());
    assert_eq!(h.acd.position(ContactId(10)), Some(1));
}

#[test]
fn the_requirement_relaxes_to_a_lower_tier_after_thirty_seconds() {
    let mut h = Harness::new(
        vec![tiered_queue()],
        vec![agent(1, &[1]).with_skill("tier", 1), agent(2, &[1])],
    );
    h.login(1);
    h.login(2);
    h.arrive(10, 1);
    h.advance(29);
    assert!(h.take_offers().is_empty());
    h.advance(1);
    assert_eq!(h.take_offers(), [(10, 1)]);
}

#[test]
fn after_sixty_seconds_any_member_takes_the_contact() {
    let mut h = Harness::new(vec![tiered_queue()], vec![agent(2, &[1])]);
    h.login(2);
    h.arrive(10, 1);
    h.advance(59);
    assert!(h.take_offers().is_empty());
    h.advance(1);
    assert_eq!(h.take_offers(), [(10, 2)]);
}

#[test]
fn the_requirement_in_force_is_visible() {
    let mut h = Harness::new(vec![tiered_queue()], vec![]);
    french(&mut h, 10, 1, 5);
    let required = |h: &Harness| h.acd.required_skills(ContactId(10)).cloned();
    assert_eq!(
        required(&h),
        Some([("language:fr".to_owned(), 5), ("tier".to_owned(), 3)].into())
    );
    h.advance(30);
    assert_eq!(
        required(&h),
        Some([("language:fr".to_owned(), 5), ("tier".to_owned(), 1)].into())
    );
    h.advance(30);
    assert_eq!(required(&h), Some(Default::default()));
}

#[test]
fn a_freed_agent_takes_the_first_contact_they_qualify_for() {
    let mut h = Harness::new(
        vec![queue(1)],
        vec![agent(1, &[1]).with_skill("language:fr", 9)],
    );
    french(&mut h, 10, 1, 5);
    h.send(Input::ContactArrivedWithSkills {
        contact: ContactId(11),
        queue: QueueId(1),
        priority: 0,
        skills: [("language:de".to_owned(), 5)].into(),
    })
    .expect("arrival");
    h.arrive(12, 1);
    h.advance(1);
    // 11 (German) is ahead of 12 but agent 1 cannot take it.
    h.send(Input::ContactAbandoned {
        contact: ContactId(10),
    })
    .expect("abandon");
    h.login(1);
    assert_eq!(h.take_offers(), [(12, 1)]);
}

#[test]
fn relaxing_a_queue_at_runtime_routes_its_waiting_contacts() {
    let mut q = queue(1);
    q.required_skills.insert("tier".into(), 2);
    let mut h = Harness::new(vec![q.clone()], vec![agent(1, &[1])]);
    h.login(1);
    h.arrive(10, 1);
    assert!(h.take_offers().is_empty());
    q.required_skills.clear();
    h.send(Input::UpdateQueue(q)).expect("update");
    assert_eq!(h.take_offers(), [(10, 1)]);
}

#[test]
fn best_skill_match_gives_the_caller_the_most_fluent_speaker() {
    let mut q = queue(1);
    q.strategy = StrategyKind::BestSkillMatch;
    let mut h = Harness::new(
        vec![q],
        vec![
            agent(1, &[1]).with_skill("language:fr", 6),
            agent(2, &[1]).with_skill("language:fr", 9),
            agent(3, &[1]),
        ],
    );
    for a in [1, 2, 3] {
        h.login(a);
    }
    h.take();
    french(&mut h, 10, 1, 5);
    assert_eq!(h.take_offers(), [(10, 2)]);
}

#[test]
fn agent_skill_levels_outside_one_to_ten_are_refused() {
    let mut h = Harness::new(vec![queue(1)], vec![]);
    let result = h.send(Input::AddAgent(agent(1, &[1]).with_skill("tier", 0)));
    assert_eq!(result, Err(AcdError::InvalidAgentSkill(AgentId(1))));
}

#[test]
fn contact_skill_levels_outside_one_to_ten_are_refused() {
    let mut h = Harness::new(vec![queue(1)], vec![]);
    let result = h.send(Input::ContactArrivedWithSkills {
        contact: ContactId(1),
        queue: QueueId(1),
        priority: 0,
        skills: [("tier".to_owned(), 11)].into(),
    });
    assert_eq!(result, Err(AcdError::InvalidSkillLevel(ContactId(1))));
    assert_eq!(h.acd.contact_count(), 0);
}

fn aging_queue(step: Option<u64>) -> acd::QueueConfig {
    let mut q = queue(1);
    q.aging_step = step.map(secs);
    q
}

#[test]
fn with_aging_a_long_wait_overtakes_a_higher_priority() {
    let mut h = Harness::new(vec![aging_queue(Some(20))], vec![agent(1, &[1])]);
    h.arrive(10, 1);
    h.advance(25);
    // Priority 1 is worth 20 s of waiting; contact 10 has waited 25 s.
    h.arrive_with_priority(11, 1, 1);
    h.login(1);
    assert_eq!(h.take_offers(), [(10, 1)]);
}

#[test]
fn with_aging_a_short_wait_stays_behind_a_higher_priority() {
    let mut h = Harness::new(vec![aging_queue(Some(20))], vec![agent(1, &[1])]);
    h.arrive(10, 1);
    h.advance(15);
    h.arrive_with_priority(11, 1, 1);
    h.login(1);
    assert_eq!(h.take_offers(), [(11, 1)]);
}

#[test]
fn equal_effective_priority_goes_to_the_longest_waiting() {
    let mut h = Harness::new(vec![aging_queue(Some(20))], vec![agent(1, &[1])]);
    h.arrive(10, 1);
    h.advance(20);
    h.arrive_with_priority(11, 1, 1);
    h.login(1);
    assert_eq!(h.take_offers(), [(10, 1)]);
}

#[test]
fn without_aging_priority_always_comes_first() {
    let mut h = Harness::new(vec![aging_queue(None)], vec![agent(1, &[1])]);
    h.arrive(10, 1);
    h.advance(3_600);
    h.arrive_with_priority(11, 1, 1);
    h.login(1);
    assert_eq!(h.take_offers(), [(11, 1)]);
}

#[test]
fn aging_compares_across_queues_with_different_steps() {
    let mut q2 = queue(2);
    q2.aging_step = Some(secs(60));
    let mut h = Harness::new(vec![aging_queue(Some(10)), q2], vec![agent(1, &[1, 2])]);
    // At the login (t = 30): contact 10 is 0 + 30/10 = 3, contact 11 is 2 + 30/60 = 2.5.
    h.arrive(10, 1);
    h.arrive_with_priority(11, 2, 2);
    h.advance(30);
    h.login(1);
    assert_eq!(h.take_offers(), [(10, 1)]);
}

#[test]
fn the_routing_profile_serves_the_primary_queue_first() {
    let mut h = Harness::new(
        vec![queue(1), queue(2)],
        vec![agent(1, &[1]).with_priority(QueueId(2), 2)],
    );
    h.arrive_with_priority(20, 2, 5);
    h.advance(60);
    h.arrive(10, 1);
    h.login(1);
    assert_eq!(h.take_offers(), [(10, 1)]);
}

#[test]
fn the_secondary_queue_is_served_when_the_primary_is_empty() {
    let mut h = Harness::new(
        vec![queue(1), queue(2)],
        vec![agent(1, &[1]).with_priority(QueueId(2), 2)],
    );
    h.arrive(20, 2);
    h.login(1);
    assert_eq!(h.take_offers(), [(20, 1)]);
}

#[test]
fn joining_with_a_new_priority_changes_the_profile() {
    let mut h = Harness::new(
        vec![queue(1), queue(2)],
        vec![agent(1, &[1]).with_priority(QueueId(2), 2)],
    );
    h.send(Input::JoinQueue {
        agent: AgentId(1),
        queue: QueueId(2),
        membership: Membership { priority: 0 },
    })
    .expect("join");
    h.arrive(10, 1);
    h.arrive(20, 2);
    h.login(1);
    assert_eq!(h.take_offers(), [(20, 1)]);
}

#[test]
fn linear_hunts_the_primary_members_first() {
    let mut q = queue(1);
    q.strategy = StrategyKind::Linear;
    let mut h = Harness::new(
        vec![q],
        vec![
            agent(1, &[]).with_priority(QueueId(1), 2),
            agent(2, &[]).with_priority(QueueId(1), 1),
        ],
    );
    h.login(1);
    h.advance(10);
    h.login(2);
    h.arrive(10, 1);
    assert_eq!(h.take_offers(), [(10, 2)]);
}

/// One agent in queue 1 with 10 s wrap-up, one call of 50 s handled: 60 s handle time.
fn after_one_call() -> Harness {
    let mut h = Harness::new(vec![queue(1)], vec![agent(1, &[1]), agent(2, &[1])]);
    h.login(1);
    h.arrive(10, 1);
    h.answer(10, 1);
    h.advance(50);
    h.end_call(1);
    h
}

#[test]
fn estimated_wait_is_unknown_before_any_call_ends() {
    let mut h = Harness::new(vec![queue(1)], vec![agent(1, &[1])]);
    h.login(1);
    assert_eq!(h.acd.estimated_wait(QueueId(1)), Ok(None));
}

#[test]
fn estimated_wait_is_position_times_handle_time_over_staffed_agents() {
    let mut h = after_one_call();
    h.login(2);
    h.arrive(11, 1); // to agent 2
    h.arrive(12, 1);
    h.arrive(13, 1);
    // Two staffed (one wrapping up, one ringing), 60 s handle time.
    assert_eq!(h.acd.contact_estimated_wait(ContactId(12)), Some(secs(30)));
    assert_eq!(h.acd.contact_estimated_wait(ContactId(13)), Some(secs(60)));
    assert_eq!(h.acd.estimated_wait(QueueId(1)), Ok(Some(secs(90))));
}

#[test]
fn agents_not_ready_do_not_staff_the_queue() {
    let mut h = after_one_call();
    h.send(Input::NotReady {
        agent: AgentId(1),
        reason: "break".into(),
    })
    .expect("not ready");
    assert_eq!(h.acd.estimated_wait(QueueId(1)), Ok(None));
}

#[test]
fn position_announcements_carry_the_estimated_wait() {
    let mut h = after_one_call();
    // Agent 1 stays in wrap-up (staffing the queue) past the announcement.
    h.send(Input::ExtendWrapUp {
        agent: AgentId(1),
        by: secs(60),
    })
    .expect("extend");
    h.arrive(11, 1);
    h.take();
    h.advance(30);
    let announced: Vec<_> = h
        .take()
        .into_iter()
        .filter_map(|o| match o {
            Output::AnnouncePosition { estimated_wait, .. } => Some(estimated_wait),
            _ => None,
        })
        .collect();
    assert_eq!(announced, [Some(Duration::from_secs(60))]);
}

fn with_reasons(h: &mut Harness) {
    h.send(Input::SetNotReadyReasons {
        reasons: vec!["break".into(), "lunch".into(), "training".into()],
    })
    .expect("reasons");
}

#[test]
fn a_not_ready_reason_outside_the_list_is_refused() {
    let mut h = Harness::new(vec![queue(1)], vec![agent(1, &[1])]);
    with_reasons(&mut h);
    h.login(1);
    let result = h.send(Input::NotReady {
        agent: AgentId(1),
        reason: "nap".into(),
    });
    assert_eq!(result, Err(AcdError::UnknownReason("nap".into())));
    assert_eq!(h.state(1).kind(), AgentStateKind::Available);
}

#[test]
fn a_listed_not_ready_reason_is_accepted_at_login_too() {
    let mut h = Harness::new(vec![queue(1)], vec![agent(1, &[1])]);
    with_reasons(&mut h);
    h.send(Input::Login {
        agent: AgentId(1),
        not_ready: Some("training".into()),
    })
    .expect("login");
    assert_eq!(h.state(1).kind(), AgentStateKind::NotReady);
}

#[test]
fn an_empty_list_accepts_any_reason_again() {
    let mut h = Harness::new(vec![queue(1)], vec![agent(1, &[1])]);
    with_reasons(&mut h);
    h.send(Input::SetNotReadyReasons { reasons: vec![] })
        .expect("reasons");
    h.login(1);
    let result = h.send(Input::NotReady {
        agent: AgentId(1),
        reason: "nap".into(),
    });
    assert_eq!(result, Ok(()));
}

fn ring_all_floor() -> Harness {
    let mut q = queue(1);
    q.strategy = StrategyKind::RingAll;
    let mut h = Harness::new(
        vec![q],
        vec![
            agent(1, &[1]),
            agent(2, &[1]).with_skill("language:fr", 6),
            agent(3, &[1]).with_skill("language:fr", 8),
        ],
    );
    for a in [1, 2, 3] {
        h.login(a);
        h.advance(1);
    }
    h.take();
    h
}

fn withdrawn(outputs: &[Output]) -> Vec<u64> {
    outputs
        .iter()
        .filter_map(|o| match o {
            Output::OfferWithdrawn { agent, .. } => Some(agent.0),
            _ => None,
        })
        .collect()
}

#[test]
fn ring_all_rings_every_available_qualified_agent() {
    let mut h = ring_all_floor();
    french(&mut h, 10, 1, 5);
    assert_eq!(h.take_offers(), [(10, 2), (10, 3)]);
    assert_eq!(h.state(1).kind(), AgentStateKind::Available);
}

#[test]
fn ring_all_gives_the_contact_to_the_first_to_answer_and_stops_the_others() {
    let mut h = ring_all_floor();
    h.arrive(10, 1);
    h.take();
    h.answer(10, 2);
    let outputs = h.take();
    assert_eq!(withdrawn(&outputs), [1, 3]);
    assert_eq!(h.state(2).kind(), AgentStateKind::OnCall);
    assert_eq!(h.state(1).kind(), AgentStateKind::Available);
    assert_eq!(h.state(3).kind(), AgentStateKind::Available);
}

#[test]
fn ring_all_keeps_ringing_the_others_when_one_declines() {
    let mut h = ring_all_floor();
    h.arrive(10, 1);
    h.take();
    h.send(Input::OfferFailed {
        contact: ContactId(10),
        agent: AgentId(1),
        reason: acd::OfferFailure::Rejected,
    })
    .expect("declined");
    // Agent 1 is charged the miss; the contact still rings agents 2 and 3.
    assert_eq!(h.state(1).kind(), AgentStateKind::NotReady);
    assert_eq!(h.state(2).kind(), AgentStateKind::Ringing);
    assert_eq!(h.state(3).kind(), AgentStateKind::Ringing);
    h.answer(10, 3);
    assert_eq!(withdrawn(&h.take()), [2]);
}

#[test]
fn ring_all_times_out_every_ringing_agent_at_once() {
    let mut h = ring_all_floor();
    h.arrive(10, 1);
    h.take();
    h.advance(15);
    let timed_out = h
        .take()
        .iter()
        .filter(|o| matches!(o, Output::OfferTimedOut { .. }))
        .count();
    assert_eq!(timed_out, 3);
}

#[test]
fn an_abandon_withdraws_every_ringing_offer() {
    let mut h = ring_all_floor();
    h.arrive(10, 1);
    h.take();
    h.send(Input::ContactAbandoned {
        contact: ContactId(10),
    })
    .expect("abandon");
    assert_eq!(withdrawn(&h.take()), [1, 2, 3]);
}

#[test]
fn a_ringing_agent_is_not_rung_for_a_second_contact() {
    let mut h = ring_all_floor();
    h.arrive(10, 1);
    h.arrive(11, 1);
    assert_eq!(h.take_offers(), [(10, 1), (10, 2), (10, 3)]);
    assert_eq!(h.acd.position(ContactId(11)), Some(1));
}

#[test]
fn a_callback_in_a_ring_all_queue_reserves_one_agent() {
    let mut q = queue(1);
    q.strategy = StrategyKind::RingAll;
    let mut h = Harness::new(vec![q], vec![agent(1, &[1]), agent(2, &[1])]);
    h.arrive(10, 1);
    h.send(Input::ConvertToCallback {
        contact: ContactId(10),
        number: "+33100000000".into(),
    })
    .expect("callback");
    h.login(1);
    h.login(2);
    let dials = h
        .take()
        .iter()
        .filter(|o| matches!(o, Output::DialCallback { .. }))
        .count();
    assert_eq!(dials, 1);
    assert_eq!(h.state(2).kind(), AgentStateKind::Available);
}
