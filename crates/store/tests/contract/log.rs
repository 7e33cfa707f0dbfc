//! The interaction log: append-only events numbered in append order, batches written whole,
//! open interactions after a restart, CDRs from stored events.

use serde_json::json;
use store::{
    EndCause, Error, EventKind, InteractionId, InteractionQuery, LogBatch, NewAgentEvent, NewEvent,
    NewInteraction, TenantStore, Unique, UserId,
};

use crate::support::{Fixture, T0, agent};

contract!(
    events_are_numbered_in_append_order_across_batches,
    each_interaction_of_a_batch_is_numbered_on_its_own,
    a_failing_batch_writes_nothing,
    duplicate_interaction_ids_are_refused,
    event_data_round_trips,
    open_interactions_are_those_without_an_ended_event,
    open_interactions_are_seen_by_a_store_opened_after_a_crash,
    closing_open_interactions_appends_server_stopped,
    interactions_are_listed_newest_first_with_a_cursor,
    a_customers_calls_are_found_by_their_numbers,
    interactions_with_events_follow_the_requested_order,
    agent_events_are_appended_and_listed_per_agent,
    agent_events_since_a_time_are_listed_in_log_order,
    cdrs_are_derived_from_stored_events,
    large_batches_are_written_whole,
);

fn id(n: u128) -> InteractionId {
    InteractionId::from_parts(T0 + n as i64, n)
}

fn call(n: u128) -> NewInteraction {
    NewInteraction::inbound_call(id(n), "+33612345678", "+33100000000", T0 + n as i64)
}

async fn create(t: &TenantStore, ns: &[u128]) {
    t.append_log(&LogBatch {
        interactions: ns.iter().map(|&n| call(n)).collect(),
        ..LogBatch::default()
    })
    .await
    .unwrap();
}

fn seqs_and_kinds(events: &[store::Event]) -> Vec<(i64, EventKind)> {
    events.iter().map(|e| (e.seq, e.kind)).collect()
}

async fn events_are_numbered_in_append_order_across_batches(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    t.append_log(&LogBatch {
        interactions: vec![call(1)],
        events: vec![
            NewEvent::arrived(id(1), T0),
            NewEvent::queued(id(1), T0 + 5, "sales"),
        ],
        ..LogBatch::default()
    })
    .await
    .unwrap();
    // A later event with an earlier timestamp still comes after: order is append order.
    t.append_events(&[NewEvent::abandoned(id(1), T0 + 1)])
        .await
        .unwrap();
    let events = t.events(id(1)).await.unwrap();
    assert_eq!(
        seqs_and_kinds(&events),
        [
            (1, EventKind::Arrived),
            (2, EventKind::Queued),
            (3, EventKind::Abandoned)
        ]
    );
    assert!(events.iter().all(|e| e.interaction_id == id(1)));
}

async fn each_interaction_of_a_batch_is_numbered_on_its_own(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    create(&t, &[1, 2]).await;
    t.append_events(&[
        NewEvent::arrived(id(1), T0),
        NewEvent::arrived(id(2), T0),
        NewEvent::digit(id(2), T0 + 1, '4'),
        NewEvent::digit(id(1), T0 + 1, '2'),
    ])
    .await
    .unwrap();
    assert_eq!(
        seqs_and_kinds(&t.events(id(1)).await.unwrap()),
        [(1, EventKind::Arrived), (2, EventKind::Digit)]
    );
    let two = t.events(id(2)).await.unwrap();
    assert_eq!(two.len(), 2);
    assert_eq!(two[1].data, json!({"digit": "4"}));
}

async fn a_failing_batch_writes_nothing(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let err = t
        .append_log(&LogBatch {
            interactions: vec![call(1)],
            events: vec![NewEvent::arrived(id(1), T0), NewEvent::arrived(id(99), T0)],
            ..LogBatch::default()
        })
        .await
        .unwrap_err();
    assert!(matches!(err, Error::MissingReference), "{err:?}");
    assert_eq!(t.interaction(id(1)).await.unwrap(), None);
    assert!(t.events(id(1)).await.unwrap().is_empty());
}

async fn duplicate_interaction_ids_are_refused(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    t.create_interaction(&call(1)).await.unwrap();
    let err = t.create_interaction(&call(1)).await.unwrap_err();
    assert!(
        matches!(err, Error::Duplicate(Unique::Interaction)),
        "{err:?}"
    );
}

async fn event_data_round_trips(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    create(&t, &[1]).await;
    let data = json!({"nested": {"list": [1, 2.5, "é", null]}, "flag": true});
    t.append_events(&[NewEvent::new(
        id(1),
        T0,
        EventKind::Transferred,
        data.clone(),
    )])
    .await
    .unwrap();
    let events = t.events(id(1)).await.unwrap();
    assert_eq!(events[0].data, data);
    assert_eq!(events[0].at_ms, T0);
}

async fn open_interactions_are_those_without_an_ended_event(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    create(&t, &[1, 2, 3]).await;
    t.append_events(&[
        NewEvent::arrived(id(1), T0),
        NewEvent::ended(id(2), T0 + 50, EndCause::CallerHangup),
        NewEvent::ended(id(2), T0 + 90, EndCause::Error),
    ])
    .await
    .unwrap();
    let open: Vec<_> = t
        .open_interactions()
        .await
        .unwrap()
        .iter()
        .map(|i| i.id)
        .collect();
    assert_eq!(open, [id(1), id(3)]);
    let two = t.interaction(id(2)).await.unwrap().unwrap();
    assert_eq!(two.ended_at_ms, Some(T0 + 50));
}

async fn open_interactions_are_seen_by_a_store_opened_after_a_crash(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    t.append_log(&LogBatch {
        interactions: vec![call(1), call(2)],
        events: vec![
            NewEvent::arrived(id(1), T0),
            NewEvent::arrived(id(2), T0),
            NewEvent::ended(id(2), T0 + 5, EndCause::CallerHangup),
        ],
        ..LogBatch::default()
    })
    .await
    .unwrap();
    // No close: the first store is abandoned as a killed process would leave it.
    let restarted = fx.reopen().await;
    let t2 = restarted.tenant(t.id()).await.unwrap();
    let open: Vec<_> = t2
        .open_interactions()
        .await
        .unwrap()
        .iter()
        .map(|i| i.id)
        .collect();
    assert_eq!(open, [id(1)]);
}

async fn closing_open_interactions_appends_server_stopped(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    create(&t, &[1, 2]).await;
    t.append_events(&[NewEvent::arrived(id(1), T0), NewEvent::arrived(id(2), T0)])
        .await
        .unwrap();
    let closed = t
        .close_open_interactions(T0 + 1_000, EndCause::ServerStopped)
        .await
        .unwrap();
    assert_eq!(closed, [id(1), id(2)]);
    assert!(t.open_interactions().await.unwrap().is_empty());
    let events = t.events(id(1)).await.unwrap();
    assert_eq!(
        seqs_and_kinds(&events),
        [(1, EventKind::Arrived), (2, EventKind::Ended)]
    );
    assert_eq!(events[1].data, json!({"cause": "server_stopped"}));
    let cdr = t.cdr(id(2)).await.unwrap().unwrap();
    assert_eq!(cdr.end_cause, Some(EndCause::ServerStopped));
    assert!(
        t.close_open_interactions(T0 + 2_000, EndCause::ServerStopped)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn a_customers_calls_are_found_by_their_numbers(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let from = |n: u128, caller: &str| {
        NewInteraction::inbound_call(id(n), caller, "+33100000000", T0 + n as i64)
    };
    t.append_log(&LogBatch {
        interactions: vec![
            from(1, "+33611111111"),
            from(2, "+33622222222"),
            from(3, "+33611111111"),
            from(4, "+33633333333"),
        ],
        ..LogBatch::default()
    })
    .await
    .unwrap();
    let found = |callers: Vec<&str>, limit| {
        let t = t.clone();
        let callers: Vec<String> = callers.into_iter().map(str::to_owned).collect();
        async move {
            t.interactions_from(&callers, limit)
                .await
                .unwrap()
                .iter()
                .map(|i| i.id)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        found(vec!["+33611111111", "+33622222222"], 10).await,
        [id(3), id(2), id(1)]
    );
    assert_eq!(found(vec!["+33611111111"], 1).await, [id(3)]);
    assert!(found(vec![], 10).await.is_empty());
    let other = fx.tenant("globex").await;
    assert!(
        other
            .interactions_from(&["+33611111111".to_owned()], 10)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn interactions_are_listed_newest_first_with_a_cursor(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    create(&t, &[1, 2, 3, 4, 5]).await;
    let page = |q: InteractionQuery| {
        let t = t.clone();
        async move {
            t.interactions(&q)
                .await
                .unwrap()
                .iter()
                .map(|i| i.id)
                .collect::<Vec<_>>()
        }
    };
    let first = page(InteractionQuery {
        limit: 2,
        ..InteractionQuery::default()
    })
    .await;
    assert_eq!(first, [id(5), id(4)]);
    let next = page(InteractionQuery {
        limit: 2,
        before: Some(id(4)),
        ..InteractionQuery::default()
    })
    .await;
    assert_eq!(next, [id(3), id(2)]);
    let window = page(InteractionQuery {
        since_ms: Some(T0 + 2),
        until_ms: Some(T0 + 4),
        ..InteractionQuery::default()
    })
    .await;
    assert_eq!(window, [id(3), id(2)]);
}

async fn interactions_with_events_follow_the_requested_order(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    create(&t, &[1, 2]).await;
    t.append_events(&[NewEvent::arrived(id(2), T0), NewEvent::hold(id(2), T0 + 1)])
        .await
        .unwrap();
    let got = t
        .interactions_with_events(&[id(2), id(77), id(1)])
        .await
        .unwrap();
    let ids: Vec<_> = got.iter().map(|(i, _)| i.id).collect();
    assert_eq!(ids, [id(2), id(1)]);
    assert_eq!(got[0].1.len(), 2);
    assert!(got[1].1.is_empty());
}

async fn agent_events_are_appended_and_listed_per_agent(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let alice = agent(&t, "alice", "1001").await;
    let bob = agent(&t, "bob", "1002").await;
    create(&t, &[1]).await;
    t.append_agent_events(&[
        NewAgentEvent::state_changed(alice.id, T0, "logged_out", "available", None),
        NewAgentEvent::state_changed(bob.id, T0 + 1, "logged_out", "available", None),
        NewAgentEvent::state_changed(alice.id, T0 + 2, "on_call", "wrap_up", None)
            .for_interaction(id(1)),
        NewAgentEvent::state_changed(alice.id, T0 + 3, "wrap_up", "not_ready", Some("break")),
    ])
    .await
    .unwrap();
    let all = t.agent_events(None, None, 100).await.unwrap();
    assert_eq!(all.len(), 4);
    let alices = t.agent_events(Some(alice.id), None, 100).await.unwrap();
    assert_eq!(alices.len(), 3);
    assert_eq!(alices[1].interaction_id, Some(id(1)));
    assert_eq!(
        alices[2].data,
        json!({"from": "wrap_up", "to": "not_ready", "reason": "break"})
    );
    assert_eq!(alices[2].kind, EventKind::AgentStateChanged);
    let after = t
        .agent_events(Some(alice.id), Some(alices[0].id), 1)
        .await
        .unwrap();
    assert_eq!(after.len(), 1);
    assert_eq!(after[0].id, alices[1].id);
    let err = t
        .append_agent_events(&[NewAgentEvent::state_changed(
            UserId(999),
            T0,
            "a",
            "b",
            None,
        )])
        .await
        .unwrap_err();
    assert!(matches!(err, Error::MissingReference), "{err:?}");
}

async fn agent_events_since_a_time_are_listed_in_log_order(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let alice = agent(&t, "alice", "1001").await;
    let bob = agent(&t, "bob", "1002").await;
    t.append_agent_events(&[
        NewAgentEvent::state_changed(alice.id, T0 - 10, "logged_out", "available", None),
        NewAgentEvent::state_changed(bob.id, T0, "logged_out", "available", None),
        NewAgentEvent::state_changed(alice.id, T0 + 5, "available", "on_call", None),
        NewAgentEvent::state_changed(bob.id, T0 + 6, "available", "not_ready", Some("break")),
    ])
    .await
    .unwrap();
    let since = t.agent_events_since(T0, None, 100).await.unwrap();
    let times: Vec<i64> = since.iter().map(|e| e.at_ms).collect();
    assert_eq!(times, [T0, T0 + 5, T0 + 6]);
    let page = t
        .agent_events_since(T0, Some(since[0].id), 1)
        .await
        .unwrap();
    assert_eq!(page.len(), 1);
    assert_eq!(page[0].id, since[1].id);
    let other = fx.tenant("other").await;
    assert!(
        other
            .agent_events_since(T0, None, 100)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn cdrs_are_derived_from_stored_events(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let alice = agent(&t, "alice", "1001").await;
    create(&t, &[1, 2]).await;
    t.append_events(&[
        NewEvent::arrived(id(1), T0),
        NewEvent::digit(id(1), T0 + 3_000, '1'),
        NewEvent::queued(id(1), T0 + 3_100, "sales"),
        NewEvent::offered(id(1), T0 + 4_000, "alice", alice.id),
        NewEvent::answered(id(1), T0 + 6_100, "alice", alice.id),
        NewEvent::recording_started(id(1), T0 + 6_100, "recordings/1.wav"),
        NewEvent::ended(id(1), T0 + 66_100, EndCause::AgentHangup),
        NewEvent::arrived(id(2), T0),
        NewEvent::queued(id(2), T0 + 100, "support"),
        NewEvent::abandoned(id(2), T0 + 20_100),
        NewEvent::ended(id(2), T0 + 20_100, EndCause::Abandoned),
    ])
    .await
    .unwrap();
    let cdrs = t.cdrs(&[id(1), id(2)]).await.unwrap();
    assert_eq!(cdrs.len(), 2);
    let (one, two) = (&cdrs[0], &cdrs[1]);
    assert_eq!(one.agent.as_deref(), Some("alice"));
    assert_eq!(one.wait_ms, Some(3_000));
    assert_eq!(one.talk_ms, Some(60_000));
    assert_eq!(one.digits, "1");
    assert_eq!(one.recording.as_deref(), Some("recordings/1.wav"));
    assert_eq!(one.caller, "+33612345678");
    assert!(two.abandoned);
    assert_eq!(two.wait_ms, Some(20_000));
    assert_eq!(two.queue.as_deref(), Some("support"));
}

async fn large_batches_are_written_whole(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let ns: Vec<u128> = (1..=300).collect();
    let mut batch = LogBatch {
        interactions: ns.iter().map(|&n| call(n)).collect(),
        ..LogBatch::default()
    };
    for step in 0..8 {
        for &n in &ns {
            batch.events.push(NewEvent::digit(id(n), T0 + step, '7'));
        }
    }
    assert_eq!(batch.len(), 300 + 2_400);
    t.append_log(&batch).await.unwrap();
    let events = t.events(id(150)).await.unwrap();
    let seqs: Vec<_> = events.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (1..=8).collect::<Vec<_>>());
    let page = t
        .interactions(&InteractionQuery {
            limit: 1_000,
            ..InteractionQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(page.len(), 300);
}
