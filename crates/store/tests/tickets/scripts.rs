//! Scripts: versions kept, one active, linked to queues and campaigns, and stored runs.

use serde_json::json;
use store::{Entity, Error, NewScriptRun, NewTicket, Priority, QueueSettings, Scope, ScriptId};

use crate::call;
use crate::support::{Fixture, T0, agent};

contract!(
    saving_a_script_adds_versions_and_keeps_old_ones,
    activating_a_missing_script_version_is_not_found,
    a_queue_or_campaign_follows_its_linked_scripts_active_version,
    runs_keep_the_version_they_followed,
    runs_must_name_an_existing_version,
);

async fn saving_a_script_adds_versions_and_keeps_old_ones(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let v1 = t
        .save_script("welcome", "pages: [1]", T0, true)
        .await
        .unwrap();
    let v2 = t
        .save_script("welcome", "pages: [2]", T0 + 1, false)
        .await
        .unwrap();
    assert_eq!((v1.version, v2.version, v1.script_id), (1, 2, v2.script_id));
    let versions = t.script_versions(v1.script_id).await.unwrap();
    let seen: Vec<_> = versions
        .iter()
        .map(|v| (v.body.as_str(), v.active))
        .collect();
    assert_eq!(seen, [("pages: [1]", true), ("pages: [2]", false)]);
    let script = t.script(v1.script_id).await.unwrap().unwrap();
    assert_eq!(
        (script.name.as_str(), script.active_version),
        ("welcome", Some(1))
    );
    t.activate_script_version(v1.script_id, 2).await.unwrap();
    let active = t.script_version(v1.script_id, 2).await.unwrap().unwrap();
    assert!(active.active);
    assert_eq!(t.scripts().await.unwrap().len(), 1);
}

async fn activating_a_missing_script_version_is_not_found(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let v1 = t.save_script("s", "a", T0, true).await.unwrap();
    for (id, version) in [(v1.script_id, 2), (ScriptId(999), 1)] {
        let err = t.activate_script_version(id, version).await.unwrap_err();
        assert!(matches!(err, Error::NotFound(Entity::Script)), "{err:?}");
    }
    assert_eq!(t.script_version(v1.script_id, 2).await.unwrap(), None);
}

async fn a_queue_or_campaign_follows_its_linked_scripts_active_version(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let q = t
        .create_queue("sales", &QueueSettings::default(), T0)
        .await
        .unwrap();
    let queue = Scope::Queue(q.id);
    let campaign = Scope::Campaign("promo".to_owned());
    let sales = t.save_script("sales", "s1", T0, true).await.unwrap();
    let promo = t.save_script("promo", "p1", T0, true).await.unwrap();
    assert_eq!(t.script_for(&queue).await.unwrap(), None);
    t.link_script(&queue, sales.script_id).await.unwrap();
    t.link_script(&campaign, promo.script_id).await.unwrap();
    assert_eq!(t.script_for(&queue).await.unwrap().unwrap().body, "s1");
    assert_eq!(t.script_for(&campaign).await.unwrap().unwrap().body, "p1");
    t.save_script("sales", "s2", T0 + 1, true).await.unwrap();
    assert_eq!(t.script_for(&queue).await.unwrap().unwrap().body, "s2");
    t.link_script(&queue, promo.script_id).await.unwrap();
    assert_eq!(t.script_for(&queue).await.unwrap().unwrap().body, "p1");
    assert!(t.unlink_script(&queue).await.unwrap());
    assert!(!t.unlink_script(&queue).await.unwrap());
    assert_eq!(t.script_for(&queue).await.unwrap(), None);
    assert_eq!(t.script_for(&campaign).await.unwrap().unwrap().body, "p1");
}

async fn runs_keep_the_version_they_followed(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let alice = agent(&t, "alice", "1001").await;
    let v1 = t.save_script("sales", "v1", T0, true).await.unwrap();
    let contact = call(&t, 1, T0).await;
    let ticket = t
        .create_ticket(&NewTicket::new("Offer", Priority::Normal, T0))
        .await
        .unwrap();
    let run = t
        .save_script_run(&NewScriptRun {
            script_id: v1.script_id,
            version: 1,
            interaction_id: Some(contact),
            ticket_id: Some(ticket.id),
            user_id: Some(alice.id),
            path: json!(["intro", "offer", "close"]),
            answers: json!({"interested": "yes"}),
            at_ms: T0 + 5,
        })
        .await
        .unwrap();
    t.save_script("sales", "v2", T0 + 6, true).await.unwrap();
    let runs = t.script_runs(v1.script_id, None).await.unwrap();
    assert_eq!(runs, std::slice::from_ref(&run));
    assert_eq!(t.script_runs(v1.script_id, Some(1)).await.unwrap(), [run]);
    assert!(
        t.script_runs(v1.script_id, Some(2))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        t.script_version(v1.script_id, 1)
            .await
            .unwrap()
            .unwrap()
            .body,
        "v1"
    );
}

async fn runs_must_name_an_existing_version(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let v1 = t.save_script("sales", "v1", T0, true).await.unwrap();
    let err = t
        .save_script_run(&NewScriptRun {
            script_id: v1.script_id,
            version: 2,
            interaction_id: None,
            ticket_id: None,
            user_id: None,
            path: json!([]),
            answers: json!({}),
            at_ms: T0,
        })
        .await
        .unwrap_err();
    assert!(matches!(err, Error::MissingReference), "{err:?}");
}
