//! The location service: upsert by (aor, contact), expiry, purge, removal, persistence.

use store::{NewRegistration, TenantStore, Transport, UserId};

use crate::support::{Fixture, T0, agent};

contract!(
    bindings_are_upserted_by_aor_and_contact,
    a_batch_holding_one_binding_twice_keeps_the_last,
    expired_bindings_are_not_listed,
    purging_removes_only_expired_bindings,
    bindings_are_removed_one_or_all,
    bindings_survive_reopening,
    large_batches_are_written_whole,
);

fn binding(user: UserId, ext: &str, contact: &str, expires_at_ms: i64) -> NewRegistration {
    NewRegistration {
        user_id: user,
        aor: format!("sip:{ext}@plateau.test"),
        contact: contact.to_owned(),
        expires_at_ms,
        source: "192.0.2.10:5062".parse().unwrap(),
        transport: Transport::Udp,
        call_id: format!("{contact}-call"),
        cseq: 1,
        instance: None,
        reg_id: None,
        user_agent: Some("baresip".to_owned()),
    }
}

async fn alice(fx: &Fixture) -> (TenantStore, UserId) {
    let t = fx.tenant("acme").await;
    let user = agent(&t, "alice", "1001").await;
    (t, user.id)
}

async fn bindings_are_upserted_by_aor_and_contact(fx: &Fixture) {
    let (t, alice) = alice(fx).await;
    let first = binding(alice, "1001", "sip:1001@10.0.0.5:5060", T0 + 3_600_000);
    t.upsert_registration(&first, T0).await.unwrap();
    let mut refreshed = first.clone();
    refreshed.expires_at_ms = T0 + 7_200_000;
    refreshed.cseq = 2;
    refreshed.source = "198.51.100.7:40000".parse().unwrap();
    refreshed.transport = Transport::Tcp;
    refreshed.instance = Some("<urn:uuid:00000000-0000-0000-0000-000000000001>".to_owned());
    refreshed.reg_id = Some(1);
    t.upsert_registration(&refreshed, T0 + 10).await.unwrap();
    let second = binding(alice, "1001", "sip:1001@10.0.0.6:5060", T0 + 3_600_000);
    t.upsert_registration(&second, T0 + 20).await.unwrap();

    let live = t
        .registrations("sip:1001@plateau.test", T0 + 30)
        .await
        .unwrap();
    assert_eq!(live.len(), 2);
    assert_eq!(live[0].binding, refreshed);
    assert_eq!(live[0].updated_at_ms, T0 + 10);
    assert_eq!(live[1].binding, second);
    assert_eq!(t.user_registrations(alice, T0).await.unwrap().len(), 2);
}

async fn a_batch_holding_one_binding_twice_keeps_the_last(fx: &Fixture) {
    let (t, alice) = alice(fx).await;
    let early = binding(alice, "1001", "sip:a@h", T0 + 1_000);
    let mut late = early.clone();
    late.cseq = 7;
    t.upsert_registrations(&[early, late.clone()], T0)
        .await
        .unwrap();
    let live = t.live_registrations(T0).await.unwrap();
    assert_eq!(live.len(), 1);
    assert_eq!(live[0].binding, late);
}

async fn expired_bindings_are_not_listed(fx: &Fixture) {
    let (t, alice) = alice(fx).await;
    t.upsert_registrations(
        &[
            binding(alice, "1001", "sip:old@h", T0 + 1_000),
            binding(alice, "1001", "sip:new@h", T0 + 5_000),
        ],
        T0,
    )
    .await
    .unwrap();
    let contacts = |regs: Vec<store::Registration>| -> Vec<String> {
        regs.into_iter().map(|r| r.binding.contact).collect()
    };
    assert_eq!(
        contacts(t.live_registrations(T0 + 999).await.unwrap()).len(),
        2
    );
    assert_eq!(
        contacts(t.live_registrations(T0 + 1_000).await.unwrap()),
        ["sip:new@h"]
    );
    assert_eq!(
        contacts(
            t.registrations("sip:1001@plateau.test", T0 + 4_000)
                .await
                .unwrap()
        ),
        ["sip:new@h"]
    );
    assert!(
        t.user_registrations(alice, T0 + 5_000)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn purging_removes_only_expired_bindings(fx: &Fixture) {
    let (t, alice) = alice(fx).await;
    t.upsert_registrations(
        &[
            binding(alice, "1001", "sip:old@h", T0 + 1_000),
            binding(alice, "1001", "sip:new@h", T0 + 5_000),
        ],
        T0,
    )
    .await
    .unwrap();
    assert_eq!(
        fx.store
            .purge_expired_registrations(T0 + 2_000)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        fx.store
            .purge_expired_registrations(T0 + 2_000)
            .await
            .unwrap(),
        0
    );
    let live = t.live_registrations(T0).await.unwrap();
    assert_eq!(live.len(), 1);
    assert_eq!(live[0].binding.contact, "sip:new@h");
}

async fn bindings_are_removed_one_or_all(fx: &Fixture) {
    let (t, alice) = alice(fx).await;
    let aor = "sip:1001@plateau.test";
    t.upsert_registrations(
        &[
            binding(alice, "1001", "sip:a@h", T0 + 9_000),
            binding(alice, "1001", "sip:b@h", T0 + 9_000),
            binding(alice, "1001", "sip:c@h", T0 + 9_000),
        ],
        T0,
    )
    .await
    .unwrap();
    assert!(t.remove_registration(aor, "sip:a@h").await.unwrap());
    assert!(!t.remove_registration(aor, "sip:a@h").await.unwrap());
    assert_eq!(t.registrations(aor, T0).await.unwrap().len(), 2);
    assert_eq!(t.remove_registrations(aor).await.unwrap(), 2);
    assert!(t.registrations(aor, T0).await.unwrap().is_empty());
}

async fn bindings_survive_reopening(fx: &Fixture) {
    let (t, alice) = alice(fx).await;
    let b = binding(alice, "1001", "sip:a@h", T0 + 9_000);
    t.upsert_registration(&b, T0).await.unwrap();
    let again = fx.reopen().await;
    let t2 = again.tenant(t.id()).await.unwrap();
    let live = t2.live_registrations(T0).await.unwrap();
    assert_eq!(live.len(), 1);
    assert_eq!(live[0].binding, b);
}

async fn large_batches_are_written_whole(fx: &Fixture) {
    let (t, alice) = alice(fx).await;
    let batch: Vec<_> = (0..1_000)
        .map(|i| {
            binding(
                alice,
                &format!("{}", 5000 + i % 300),
                &format!("sip:{i}@h"),
                T0 + 9_000,
            )
        })
        .collect();
    t.upsert_registrations(&batch, T0).await.unwrap();
    assert_eq!(t.live_registrations(T0).await.unwrap().len(), 1_000);
    t.upsert_registrations(&batch, T0 + 1).await.unwrap();
    let live = t.live_registrations(T0).await.unwrap();
    assert_eq!(live.len(), 1_000);
    assert!(live.iter().all(|r| r.updated_at_ms == T0 + 1));
}
