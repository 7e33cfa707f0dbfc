//! Routing through real phones: the longest-idle agent gets each call, an agent who refuses
//! or lets it ring is skipped (and set not ready) and the next one gets it, and a caller who
//! hangs up while queued or ringing is logged as abandoned.

mod sip_support;

use std::time::Duration;

use plateau::control::AgentStateKind;
use sip::{Method, Request, StatusCode};
use sip_support::{Agent, Phone, Rtp, SALES_NUMBER, Setup, TestServer, WAIT, event_agent, kinds};
use store::{EndCause, EventKind};

/// Registers a phone for each agent and makes them ready, in order (so the first is the one
/// idle longest).
async fn phones(server: &TestServer, agents: &[Agent]) -> Vec<Phone> {
    let mut phones = Vec::new();
    for agent in agents {
        let phone = Phone::udp(server.sip()).await;
        let ok = phone
            .register(&agent.extension, &agent.password, None)
            .await;
        assert_eq!(ok.status, StatusCode::OK);
        server.ready(agent).await;
        // Distinct instants of becoming idle.
        tokio::time::sleep(Duration::from_millis(20)).await;
        phones.push(phone);
    }
    phones
}

/// The first INVITE any of `phones` receives: which phone, and the request.
async fn ringing(phones: &[Phone]) -> (usize, Request) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while tokio::time::Instant::now() < deadline {
        for (i, phone) in phones.iter().enumerate() {
            if let Some(invite) = phone
                .try_request(Method::Invite, Duration::from_millis(20))
                .await
            {
                return (i, invite);
            }
        }
    }
    panic!("no agent phone rang");
}

/// An agent phone's side of a CANCEL: 200 to the CANCEL, 487 to the INVITE, then its ACK.
async fn take_cancel(phone: &Phone, invite: &Request) {
    let cancel = phone.request(Method::Cancel).await;
    phone.reply(&cancel, StatusCode::OK, None).await;
    phone
        .reply(invite, StatusCode::REQUEST_TERMINATED, None)
        .await;
    phone.request(Method::Ack).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_go_to_the_agent_idle_longest() {
    let server = TestServer::start(Setup::default()).await;
    let agents = server.agents.clone();
    let phones = phones(&server, &agents).await;
    let caller = Phone::udp(server.sip()).await;
    let mut rang = Vec::new();
    for n in 0..6 {
        let rtp = Rtp::new().await;
        let call = caller
            .call(SALES_NUMBER, &format!("+3361000000{n}"), rtp.local)
            .await;
        let (which, invite) = ringing(&phones).await;
        rang.push(which);
        let agent_rtp = Rtp::new().await;
        phones[which].answer(&invite, agent_rtp.local).await;
        let interaction = server.next_interaction(n).await;
        server.wait_event(interaction, EventKind::Answered).await;
        let bye = caller.hang_up(&call).await;
        assert_eq!(bye.status, StatusCode::OK);
        let agent_bye = phones[which].request(Method::Bye).await;
        phones[which].reply(&agent_bye, StatusCode::OK, None).await;
        server.wait_event(interaction, EventKind::Ended).await;
        // The agent is ready again (no wrap-up in this queue) before the next call.
        let agent = &agents[which];
        sip_support::wait_for(|| async {
            (server.agent_state(agent).await.state == AgentStateKind::Available).then_some(())
        })
        .await
        .expect("agent available again");
    }
    assert_eq!(rang, [0, 1, 2, 0, 1, 2], "offers in longest-idle order");

    // The log says the same.
    let mut offered = Vec::new();
    for interaction in server.interactions().await {
        for event in server.events(interaction.id).await {
            if event.kind == EventKind::Offered {
                offered.push(event_agent(&event).expect("user_id"));
            }
        }
    }
    let ids: Vec<i64> = agents.iter().map(|a| a.id.0).collect();
    assert_eq!(
        offered,
        [ids[0], ids[1], ids[2], ids[0], ids[1], ids[2]],
        "offered events in longest-idle order"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_who_refuses_is_skipped_and_set_not_ready() {
    let server = TestServer::start(Setup {
        agents: 2,
        ..Setup::default()
    })
    .await;
    let agents = server.agents.clone();
    let phones = phones(&server, &agents).await;
    let caller = Phone::udp(server.sip()).await;
    let rtp = Rtp::new().await;
    let call = caller.call(SALES_NUMBER, "+33610000001", rtp.local).await;

    let (first, invite) = ringing(&phones).await;
    assert_eq!(first, 0);
    phones[0].reply(&invite, StatusCode::BUSY_HERE, None).await;
    phones[0].request(Method::Ack).await;

    let (second, invite) = ringing(&phones).await;
    assert_eq!(second, 1, "the next agent gets the call");
    let agent_rtp = Rtp::new().await;
    phones[1].answer(&invite, agent_rtp.local).await;

    let interaction = server.next_interaction(0).await;
    let events = server.wait_event(interaction, EventKind::Answered).await;
    let missed = events
        .iter()
        .find(|e| e.kind == EventKind::OfferMissed)
        .expect("offer_missed logged");
    assert_eq!(missed.data["reason"], "busy");
    assert_eq!(event_agent(missed), Some(agents[0].id.0));
    let state = server.agent_state(&agents[0]).await;
    assert_eq!(state.state, AgentStateKind::NotReady);
    assert_eq!(state.reason.as_deref(), Some(acd::MISSED_OFFERS));

    caller.hang_up(&call).await;
    let bye = phones[1].request(Method::Bye).await;
    phones[1].reply(&bye, StatusCode::OK, None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_who_lets_it_ring_is_cancelled_and_the_next_agent_gets_the_call() {
    let mut setup = Setup {
        agents: 2,
        ..Setup::default()
    };
    setup.sales.ring_timeout_secs = 1;
    let server = TestServer::start(setup).await;
    let agents = server.agents.clone();
    let phones = phones(&server, &agents).await;
    let caller = Phone::udp(server.sip()).await;
    let rtp = Rtp::new().await;
    let call = caller.call(SALES_NUMBER, "+33610000002", rtp.local).await;

    let (first, invite) = ringing(&phones).await;
    assert_eq!(first, 0);
    phones[0].reply(&invite, StatusCode::RINGING, None).await;
    take_cancel(&phones[0], &invite).await;

    let (second, invite) = ringing(&phones).await;
    assert_eq!(second, 1);
    let agent_rtp = Rtp::new().await;
    phones[1].answer(&invite, agent_rtp.local).await;

    let interaction = server.next_interaction(0).await;
    let events = server.wait_event(interaction, EventKind::Answered).await;
    let missed = events
        .iter()
        .find(|e| e.kind == EventKind::OfferMissed)
        .expect("offer_missed logged");
    assert_eq!(missed.data["reason"], "no_answer");
    assert_eq!(
        server.agent_state(&agents[0]).await.state,
        AgentStateKind::NotReady
    );

    let bye = phones[1].hang_up_as_agent(&invite).await;
    assert_eq!(bye.status, StatusCode::OK);
    let caller_bye = caller.request(Method::Bye).await;
    caller.reply(&caller_bye, StatusCode::OK, None).await;
    let events = server.wait_event(interaction, EventKind::Ended).await;
    let ended = events.iter().find(|e| e.kind == EventKind::Ended).unwrap();
    assert_eq!(ended.data["cause"], "agent_hangup");
    drop(call);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caller_who_hangs_up_in_queue_is_abandoned_with_the_wait() {
    let server = TestServer::start(Setup::default()).await;
    // Nobody is ready: the call waits.
    let caller = Phone::udp(server.sip()).await;
    let rtp = Rtp::new().await;
    let call = caller.call(SALES_NUMBER, "+33610000003", rtp.local).await;
    let interaction = server.next_interaction(0).await;
    server.wait_event(interaction, EventKind::Queued).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let bye = caller.hang_up(&call).await;
    assert_eq!(bye.status, StatusCode::OK);

    let events = server.wait_event(interaction, EventKind::Ended).await;
    let seen = kinds(&events);
    let abandoned = seen.iter().position(|k| *k == EventKind::Abandoned);
    let ended = seen.iter().position(|k| *k == EventKind::Ended);
    assert!(abandoned.is_some() && abandoned < ended, "{seen:?}");
    let waited = events[abandoned.unwrap()].data["waited_ms"]
        .as_u64()
        .unwrap();
    assert!(waited >= 300, "{waited}");
    let cdr = server
        .store()
        .tenant(server.tenant)
        .await
        .unwrap()
        .cdr(interaction)
        .await
        .unwrap()
        .unwrap();
    assert!(cdr.abandoned);
    assert_eq!(cdr.end_cause, Some(EndCause::Abandoned));
    assert!(cdr.wait_ms.unwrap() >= 300);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caller_who_hangs_up_while_the_agent_rings_cancels_the_agent_leg() {
    let server = TestServer::start(Setup {
        agents: 1,
        ..Setup::default()
    })
    .await;
    let agents = server.agents.clone();
    let phones = phones(&server, &agents).await;
    let caller = Phone::udp(server.sip()).await;
    let rtp = Rtp::new().await;
    let call = caller.call(SALES_NUMBER, "+33610000004", rtp.local).await;
    let (_, invite) = ringing(&phones).await;
    phones[0].reply(&invite, StatusCode::RINGING, None).await;

    let bye = caller.hang_up(&call).await;
    assert_eq!(bye.status, StatusCode::OK);
    take_cancel(&phones[0], &invite).await;

    let interaction = server.next_interaction(0).await;
    let events = server.wait_event(interaction, EventKind::Ended).await;
    let ended = events.iter().find(|e| e.kind == EventKind::Ended).unwrap();
    assert_eq!(ended.data["cause"], "abandoned");
    assert!(kinds(&events).contains(&EventKind::Abandoned));
    assert!(
        !kinds(&events).contains(&EventKind::OfferMissed),
        "a withdrawn offer is not the agent's miss"
    );
    // The agent lost nothing: available again.
    sip_support::wait_for(|| async {
        (server.agent_state(&agents[0]).await.state == AgentStateKind::Available).then_some(())
    })
    .await
    .expect("agent available again");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_registered_over_tcp_is_called_over_its_connection() {
    let server = TestServer::start(Setup {
        agents: 1,
        ..Setup::default()
    })
    .await;
    let agent = server.agents[0].clone();
    let phone = Phone::tcp(server.sip_tcp()).await;
    let ok = phone
        .register(&agent.extension, &agent.password, None)
        .await;
    assert_eq!(ok.status, StatusCode::OK);
    server.ready(&agent).await;

    let caller = Phone::udp(server.sip()).await;
    let rtp = Rtp::new().await;
    let call = caller.call(SALES_NUMBER, "+33610000005", rtp.local).await;
    let invite = phone.request(Method::Invite).await;
    let via = invite.headers.top_via().unwrap();
    assert_eq!(via.transport, sip::header::Transport::Tcp);
    let agent_rtp = Rtp::new().await;
    phone.answer(&invite, agent_rtp.local).await;
    let interaction = server.next_interaction(0).await;
    server.wait_event(interaction, EventKind::Answered).await;

    caller.hang_up(&call).await;
    let bye = phone.request(Method::Bye).await;
    phone.reply(&bye, StatusCode::OK, None).await;
    server.wait_event(interaction, EventKind::Ended).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ready_agent_without_a_phone_is_skipped_for_one_with_a_phone() {
    let server = TestServer::start(Setup {
        agents: 2,
        ..Setup::default()
    })
    .await;
    let agents = server.agents.clone();
    // The first agent is ready (and idle longest) but has no registered phone.
    server.ready(&agents[0]).await;
    tokio::time::sleep(Duration::from_millis(20)).await;
    let phones = phones(&server, &agents[1..]).await;

    let caller = Phone::udp(server.sip()).await;
    let rtp = Rtp::new().await;
    let call = caller.call(SALES_NUMBER, "+33610000006", rtp.local).await;
    let (_, invite) = ringing(&phones).await;
    let agent_rtp = Rtp::new().await;
    phones[0].answer(&invite, agent_rtp.local).await;
    let interaction = server.next_interaction(0).await;
    let events = server.wait_event(interaction, EventKind::Answered).await;
    let missed = events
        .iter()
        .find(|e| e.kind == EventKind::OfferMissed)
        .expect("offer_missed logged");
    assert_eq!(missed.data["reason"], "unreachable");
    assert_eq!(event_agent(missed), Some(agents[0].id.0));
    assert_eq!(
        server.agent_state(&agents[0]).await.state,
        AgentStateKind::NotReady
    );
    caller.hang_up(&call).await;
    let bye = phones[0].request(Method::Bye).await;
    phones[0].reply(&bye, StatusCode::OK, None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_only_agent_without_a_phone_does_not_make_the_server_spin() {
    let mut setup = Setup {
        agents: 1,
        ..Setup::default()
    };
    // Missed offers never make this queue's agents not ready.
    setup.sales.max_missed_offers = 0;
    let server = TestServer::start(setup).await;
    server.ready(&server.agents[0]).await;
    let caller = Phone::udp(server.sip()).await;
    let rtp = Rtp::new().await;
    let call = caller.call(SALES_NUMBER, "+33610000007", rtp.local).await;
    let interaction = server.next_interaction(0).await;
    server.wait_event(interaction, EventKind::OfferMissed).await;
    // The switchboard still serves (a spinning one would answer nothing), and the caller
    // can leave.
    let phone = Phone::udp(server.sip()).await;
    let agent = &server.agents[0];
    let ok = phone
        .register(&agent.extension, &agent.password, None)
        .await;
    assert_eq!(ok.status, StatusCode::OK);
    let bye = caller.hang_up(&call).await;
    assert_eq!(bye.status, StatusCode::OK);
    let events = server.wait_event(interaction, EventKind::Ended).await;
    let offers = events
        .iter()
        .filter(|e| e.kind == EventKind::OfferMissed)
        .count();
    assert!(offers < 20, "a retry a second, not a spin: {offers} misses");
}
