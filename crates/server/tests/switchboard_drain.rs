//! Draining: new calls are refused with 503 while calls in progress may finish; at the
//! deadline the calls still up are ended on both legs and logged `ended{cause: drained}`.

mod sip_support;

use std::time::Duration;

use sip::{HeaderName, Method, StatusCode};
use sip_support::{Outgoing, Phone, Rtp, SALES_NUMBER, Setup, TestServer, unique};
use store::{EventKind, InteractionId, Store};

/// A caller connected to the only agent; the agent's phone, the call and its interaction.
async fn connected_call(server: &TestServer) -> (Phone, Phone, Outgoing, InteractionId, Vec<Rtp>) {
    let agent = server.agents[0].clone();
    let agent_phone = Phone::udp(server.sip()).await;
    agent_phone
        .register(&agent.extension, &agent.password, None)
        .await;
    server.ready(&agent).await;
    let caller = Phone::udp(server.sip()).await;
    let rtp = Rtp::new().await;
    let call = caller.call(SALES_NUMBER, "+33610000020", rtp.local).await;
    let invite = agent_phone.request(Method::Invite).await;
    let agent_rtp = Rtp::new().await;
    agent_phone.answer(&invite, agent_rtp.local).await;
    let interaction = server.next_interaction(0).await;
    server.wait_event(interaction, EventKind::Answered).await;
    (caller, agent_phone, call, interaction, vec![rtp, agent_rtp])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_drain_refuses_new_calls_and_lets_the_running_one_finish() {
    let server = TestServer::start(Setup {
        agents: 1,
        ..Setup::default()
    })
    .await;
    let (caller, agent_phone, call, interaction, _rtp) = connected_call(&server).await;

    let control = server.running().control().clone();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let drain = tokio::spawn(async move { control.drain(deadline, Duration::from_secs(5)).await });

    // A new call is refused while draining. (One sent before the drain command reached the
    // switchboard is answered: it is hung up at once and ends by itself too.)
    let newcomer = Phone::udp(server.sip()).await;
    let rtp = Rtp::new().await;
    let refused = sip_support::wait_for(|| async {
        let call_id = unique("late");
        let invite = newcomer.invite_request(
            SALES_NUMBER,
            "+33610000021",
            &call_id,
            &sip_support::sdp(rtp.local),
        );
        newcomer.send(invite.clone()).await;
        let response = newcomer.final_response(&call_id, Method::Invite).await;
        if response.status == StatusCode::OK {
            let early = Outgoing {
                call_id: call_id.clone(),
                from: invite.headers.get(&HeaderName::From)?.to_str()?.to_owned(),
                to: response.headers.get(&HeaderName::To)?.to_str()?.to_owned(),
                cseq: 1,
                remote_rtp: sip_support::sdp_address(&response.body),
                response: response.clone(),
            };
            newcomer.send(newcomer.in_dialog(&early, "ACK", 1)).await;
            newcomer.hang_up(&early).await;
        }
        (response.status == StatusCode::SERVICE_UNAVAILABLE).then_some(response)
    })
    .await
    .expect("503 while draining");
    assert!(refused.headers.get(&HeaderName::RetryAfter).is_some());

    // The call in progress ends by itself, and the drain reports it finished.
    let bye = caller.hang_up(&call).await;
    assert_eq!(bye.status, StatusCode::OK);
    let agent_bye = agent_phone.request(Method::Bye).await;
    agent_phone.reply(&agent_bye, StatusCode::OK, None).await;
    let report = drain.await.unwrap().expect("drain report");
    assert!(report.finished.contains(&interaction), "{report:?}");
    assert!(report.cut.is_empty(), "{report:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_still_up_at_the_deadline_are_ended_as_drained() {
    let mut server = TestServer::start(Setup {
        agents: 1,
        drain_timeout: Duration::from_millis(500),
        ..Setup::default()
    })
    .await;
    let (caller, agent_phone, _call, interaction, _rtp) = connected_call(&server).await;

    let answer_byes = async {
        let caller_bye = caller.request(Method::Bye).await;
        caller.reply(&caller_bye, StatusCode::OK, None).await;
        let agent_bye = agent_phone.request(Method::Bye).await;
        agent_phone.reply(&agent_bye, StatusCode::OK, None).await;
    };
    let (report, ()) = tokio::join!(server.stop(), answer_byes);
    let drain = report.drain.expect("the switchboard reported its drain");
    assert_eq!(drain.cut, vec![interaction]);

    let config = sip_support::test_config(server.dir.path(), &server.setup);
    let store = Store::open(&config.database_url()).await.unwrap();
    let events = store
        .tenant(server.tenant)
        .await
        .unwrap()
        .events(interaction)
        .await
        .unwrap();
    let ended = events
        .iter()
        .find(|e| e.kind == EventKind::Ended)
        .expect("ended logged");
    assert_eq!(ended.data["cause"], "drained");
    store.close().await;
}
