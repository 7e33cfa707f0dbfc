//! Tenant isolation: through the API, tenant A can neither read nor change tenant B's rows.

use store::{
    EndCause, Entity, Error, InteractionId, InteractionQuery, LogBatch, NewAuditEntry, NewEvent,
    NewInteraction, NewRecording, NewRegistration, PasswordHash, QueueSettings, TenantStore,
    Transport, User,
};

use crate::support::{Fixture, T0, agent};

contract!(
    a_tenant_cannot_read_another_tenants_rows,
    a_tenant_cannot_change_another_tenants_rows,
);

/// Tenant B's rows: a user with a token, a queue with a member, a flow, a number, a binding,
/// an ended interaction with a recording, an audit entry.
struct Other {
    t: TenantStore,
    bob: User,
    queue: store::Queue,
    flow: store::FlowVersion,
    call: InteractionId,
    recording: store::Recording,
    token: store::ApiToken,
}

async fn populate(fx: &Fixture) -> Other {
    let t = fx.tenant("globex").await;
    let bob = agent(&t, "bob", "1001").await;
    let queue = t
        .create_queue("sales", &QueueSettings::default(), T0)
        .await
        .unwrap();
    t.set_queue_member(queue.id, bob.id, 1).await.unwrap();
    let flow = t.save_flow("main", "b", T0, true).await.unwrap();
    t.set_number("+33200000000", flow.flow_id, T0)
        .await
        .unwrap();
    t.upsert_registration(
        &NewRegistration {
            user_id: bob.id,
            aor: "sip:1001@globex".to_owned(),
            contact: "sip:1001@10.0.0.9".to_owned(),
            expires_at_ms: T0 + 60_000,
            source: "10.0.0.9:5060".parse().unwrap(),
            transport: Transport::Udp,
            call_id: "c".to_owned(),
            cseq: 1,
            instance: None,
            reg_id: None,
            user_agent: None,
        },
        T0,
    )
    .await
    .unwrap();
    let call = InteractionId::from_parts(T0, 42);
    t.append_log(&LogBatch {
        interactions: vec![NewInteraction::inbound_call(
            call,
            "+331",
            "+33200000000",
            T0,
        )],
        events: vec![NewEvent::arrived(call, T0)],
        ..LogBatch::default()
    })
    .await
    .unwrap();
    let recording = t
        .add_recording(&NewRecording {
            interaction_id: call,
            path: "r/b.wav".to_owned(),
            duration_ms: None,
            created_at_ms: T0,
        })
        .await
        .unwrap();
    t.audit(&NewAuditEntry {
        user_id: Some(bob.id),
        action: "recording.download".to_owned(),
        target: "r".to_owned(),
        at_ms: T0,
        details: serde_json::json!({}),
    })
    .await
    .unwrap();
    let (token, _) = t.create_api_token(bob.id, "b", T0).await.unwrap();
    Other {
        t,
        bob,
        queue,
        flow,
        call,
        recording,
        token,
    }
}

async fn a_tenant_cannot_read_another_tenants_rows(fx: &Fixture) {
    let b = populate(fx).await;
    let a = fx.tenant("acme").await;
    assert_eq!(a.user(b.bob.id).await.unwrap(), None);
    assert_eq!(a.user_by_username("bob").await.unwrap(), None);
    assert_eq!(a.user_by_extension("1001").await.unwrap(), None);
    assert!(a.users().await.unwrap().is_empty());
    assert_eq!(a.sip_credentials("1001").await.unwrap(), None);
    assert!(a.api_tokens(b.bob.id).await.unwrap().is_empty());
    assert_eq!(a.queue(b.queue.id).await.unwrap(), None);
    assert_eq!(a.queue_by_name("sales").await.unwrap(), None);
    assert!(a.queues().await.unwrap().is_empty());
    assert!(a.queue_members(b.queue.id).await.unwrap().is_empty());
    assert!(a.user_queues(b.bob.id).await.unwrap().is_empty());
    assert_eq!(a.flow(b.flow.flow_id).await.unwrap(), None);
    assert_eq!(a.flow_by_name("main").await.unwrap(), None);
    assert!(a.flows().await.unwrap().is_empty());
    assert!(a.flow_versions(b.flow.flow_id).await.unwrap().is_empty());
    assert_eq!(a.active_flow_version(b.flow.flow_id).await.unwrap(), None);
    assert!(a.numbers().await.unwrap().is_empty());
    assert!(a.live_registrations(T0).await.unwrap().is_empty());
    assert!(
        a.registrations("sip:1001@globex", T0)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(a.user_registrations(b.bob.id, T0).await.unwrap().is_empty());
    assert_eq!(a.interaction(b.call).await.unwrap(), None);
    assert!(
        a.interactions(&InteractionQuery::default())
            .await
            .unwrap()
            .is_empty()
    );
    assert!(a.events(b.call).await.unwrap().is_empty());
    assert!(
        a.interactions_with_events(&[b.call])
            .await
            .unwrap()
            .is_empty()
    );
    assert!(a.cdrs(&[b.call]).await.unwrap().is_empty());
    assert!(a.open_interactions().await.unwrap().is_empty());
    assert!(a.agent_events(None, None, 10).await.unwrap().is_empty());
    assert_eq!(a.recording(b.recording.id).await.unwrap(), None);
    assert!(a.recordings(b.call).await.unwrap().is_empty());
    assert!(a.audit_log(0, 10).await.unwrap().is_empty());
    assert_eq!(a.verify_password("bob", "x").await.unwrap(), None);
}

async fn a_tenant_cannot_change_another_tenants_rows(fx: &Fixture) {
    let b = populate(fx).await;
    let a = fx.tenant("acme").await;
    let not_found = |r: store::Result<()>, entity: Entity| {
        assert!(matches!(r, Err(Error::NotFound(e)) if e == entity), "{r:?}");
    };
    let missing = |r: store::Result<()>| {
        assert!(matches!(r, Err(Error::MissingReference)), "{r:?}");
    };
    let hash = PasswordHash::hash("taken over").unwrap();
    not_found(a.set_password(b.bob.id, Some(&hash)).await, Entity::User);
    not_found(a.set_enabled(b.bob.id, false).await, Entity::User);
    not_found(a.set_sip_secret(b.bob.id, None).await, Entity::User);
    not_found(a.set_extension(b.bob.id, None).await, Entity::User);
    not_found(
        a.set_profile(b.bob.id, "x", store::Role::Admin).await,
        Entity::User,
    );
    not_found(a.revoke_api_token(b.token.id, T0).await, Entity::ApiToken);
    not_found(
        a.update_queue(b.queue.id, &QueueSettings::default()).await,
        Entity::Queue,
    );
    not_found(
        a.remove_queue_member(b.queue.id, b.bob.id).await,
        Entity::QueueMember,
    );
    not_found(
        a.activate_flow_version(b.flow.flow_id, 1).await,
        Entity::Flow,
    );
    not_found(a.remove_number("+33200000000").await, Entity::Number);
    not_found(
        a.finish_recording(b.recording.id, 1).await,
        Entity::Recording,
    );
    missing(a.set_queue_member(b.queue.id, b.bob.id, 9).await);
    let own_queue = a
        .create_queue("q", &QueueSettings::default(), T0)
        .await
        .unwrap();
    missing(a.set_queue_member(own_queue.id, b.bob.id, 1).await);
    missing(
        a.set_number("+33300000000", b.flow.flow_id, T0)
            .await
            .map(drop),
    );
    missing(a.create_api_token(b.bob.id, "steal", T0).await.map(drop));
    missing(
        a.append_events(&[NewEvent::ended(b.call, T0, EndCause::Error)])
            .await,
    );
    missing(
        a.add_recording(&NewRecording {
            interaction_id: b.call,
            path: "x.wav".to_owned(),
            duration_ms: None,
            created_at_ms: T0,
        })
        .await
        .map(drop),
    );
    assert!(
        !a.remove_registration("sip:1001@globex", "sip:1001@10.0.0.9")
            .await
            .unwrap()
    );
    assert_eq!(a.remove_registrations("sip:1001@globex").await.unwrap(), 0);
    assert!(
        a.close_open_interactions(T0, EndCause::Error)
            .await
            .unwrap()
            .is_empty()
    );

    // Everything of B is as it was.
    let bob = b.t.user(b.bob.id).await.unwrap().unwrap();
    assert_eq!(bob, b.bob);
    assert_eq!(b.t.queue_members(b.queue.id).await.unwrap()[0].priority, 1);
    assert_eq!(b.t.events(b.call).await.unwrap().len(), 1);
    assert_eq!(b.t.open_interactions().await.unwrap().len(), 1);
    assert_eq!(b.t.live_registrations(T0).await.unwrap().len(), 1);
    assert_eq!(
        b.t.recording(b.recording.id)
            .await
            .unwrap()
            .unwrap()
            .duration_ms,
        None
    );
    let route = fx
        .store
        .route_number("+33200000000")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(route.tenant_id, b.t.id());
}
