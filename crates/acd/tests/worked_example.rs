//! The worked example of `docs/routing.md`, step by step: a French caller in a tiered queue,
//! the ring widening, a callback keeping its place, and the overflow. Keep the two in step.

mod common;

use acd::{
    AgentId, ContactId, Input, LeaveReason, Output, Overflow, QueueId, Relaxation, StrategyKind,
};
use common::{Harness, agent, queue, secs};

const SUPPORT_FR: u64 = 1;
const SUPPORT: u64 = 2;
const ADA: u64 = 1;
const BRUNO: u64 = 2;
const CHLOE: u64 = 3;

fn floor() -> Harness {
    let mut fr = queue(SUPPORT_FR);
    fr.strategy = StrategyKind::BestSkillMatch;
    fr.required_skills.insert("language:fr".into(), 5);
    fr.required_skills.insert("tier".into(), 2);
    fr.relaxations = vec![
        Relaxation::skill(secs(30), "tier", 1),
        Relaxation::any_agent(secs(90)),
    ];
    fr.aging_step = Some(secs(60));
    fr.overflow = Some(Overflow {
        after: secs(120),
        to: QueueId(SUPPORT),
    });
    fr.wrap_up = secs(0);
    let support = queue(SUPPORT);
    Harness::new(
        vec![fr, support],
        vec![
            agent(ADA, &[SUPPORT_FR])
                .with_skill("language:fr", 9)
                .with_skill("tier", 3),
            agent(BRUNO, &[SUPPORT_FR])
                .with_skill("language:fr", 6)
                .with_skill("tier", 1),
            agent(CHLOE, &[SUPPORT]).with_skill("tier", 2),
        ],
    )
}

#[test]
fn the_worked_example_of_the_routing_guide() {
    let mut h = floor();
    // 0 s: Ada is busy with a caller; Bruno and Chloé are available.
    h.login(ADA);
    h.arrive(100, SUPPORT_FR);
    h.answer(100, ADA);
    h.login(BRUNO);
    h.login(CHLOE);
    h.take();

    // 0 s: caller 101 needs French 5 and tier 2. Bruno is tier 1, Chloé is not a member.
    h.arrive(101, SUPPORT_FR);
    assert!(h.take_offers().is_empty());

    // 10 s: caller 102, VIP (priority 1), same needs. With aging every 60 s it ranks as if it
    // had arrived 60 s earlier: ahead of 101.
    h.advance(10);
    h.arrive_with_priority(102, SUPPORT_FR, 1);
    assert_eq!(
        h.acd.waiting_contacts(QueueId(SUPPORT_FR)),
        Ok(vec![ContactId(102), ContactId(101)])
    );

    // 20 s: caller 101 chooses a callback and hangs up; they keep their place.
    h.advance(10);
    h.send(Input::ConvertToCallback {
        contact: ContactId(101),
        number: "+33 1 23 45 67 89".into(),
    })
    .expect("callback");

    // 30 s: 101's tier requirement relaxes to 1: Bruno qualifies. The engine reserves him and
    // asks for the customer to be dialled.
    h.run_to(30);
    let dial: Vec<_> = h
        .take()
        .into_iter()
        .filter_map(|o| match o {
            Output::DialCallback {
                contact,
                agent,
                attempt,
                ..
            } => Some((contact.0, agent.0, attempt)),
            _ => None,
        })
        .collect();
    assert_eq!(dial, [(101, BRUNO, 1)]);
    h.send(Input::CallbackAnswered {
        contact: ContactId(101),
    })
    .expect("callback answered");

    // 40 s: 102's tier requirement relaxes too, but Bruno is on a call; Ada still is.
    h.run_to(40);
    assert!(h.take_offers().is_empty());

    // 130 s: 102 has waited 120 s in support-fr and overflows to support, keeping its
    // arrival time; requirements now come from support (none): Chloé takes it.
    h.run_to(130);
    let outputs = h.take();
    assert!(outputs.iter().any(|o| matches!(
        o,
        Output::ContactOverflowed {
            contact: ContactId(102),
            to: QueueId(SUPPORT),
            ..
        }
    )));
    assert!(outputs.iter().any(|o| matches!(
        o,
        Output::Offer {
            contact: ContactId(102),
            agent: AgentId(CHLOE),
            ..
        }
    )));
    assert!(!outputs.iter().any(|o| matches!(
        o,
        Output::ContactLeft {
            reason: LeaveReason::MaxWait,
            ..
        }
    )));
}
