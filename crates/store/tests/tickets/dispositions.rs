//! Dispositions per queue and campaign, the "required" flag, and interactions' dispositions.

use store::{Entity, Error, QueueSettings, Scope, Unique};

use crate::call;
use crate::support::{Fixture, T0, agent};

contract!(
    codes_are_kept_per_queue_and_per_campaign,
    a_code_is_unique_in_its_scope_only,
    inactive_codes_are_hidden_but_kept,
    a_disposition_can_be_required_per_queue,
    an_agent_gives_one_disposition_per_interaction,
    inactive_or_missing_codes_cannot_be_given,
);

async fn codes_are_kept_per_queue_and_per_campaign(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let sales = t
        .create_queue("sales", &QueueSettings::default(), T0)
        .await
        .unwrap();
    let queue = Scope::Queue(sales.id);
    let campaign = Scope::Campaign("winter-promo".to_owned());
    let sale = t
        .create_disposition(&queue, "sale", "Sale", T0)
        .await
        .unwrap();
    let no = t
        .create_disposition(&queue, "no_sale", "No sale", T0)
        .await
        .unwrap();
    let callback = t
        .create_disposition(&campaign, "callback", "Call back", T0)
        .await
        .unwrap();
    assert_eq!(
        t.dispositions(&queue, false).await.unwrap(),
        [no, sale.clone()]
    );
    assert_eq!(
        t.dispositions(&campaign, false).await.unwrap(),
        std::slice::from_ref(&callback)
    );
    assert_eq!(callback.scope, campaign);
    assert_eq!(t.disposition(sale.id).await.unwrap(), Some(sale));
    assert!(
        t.dispositions(&Scope::Campaign("other".to_owned()), true)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn a_code_is_unique_in_its_scope_only(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let a = t
        .create_queue("a", &QueueSettings::default(), T0)
        .await
        .unwrap();
    let b = t
        .create_queue("b", &QueueSettings::default(), T0)
        .await
        .unwrap();
    for scope in [
        Scope::Queue(a.id),
        Scope::Queue(b.id),
        Scope::Campaign("a".to_owned()),
    ] {
        t.create_disposition(&scope, "sale", "Sale", T0)
            .await
            .unwrap();
        let err = t
            .create_disposition(&scope, "sale", "Again", T0)
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::Duplicate(Unique::DispositionCode)),
            "{err:?}"
        );
    }
}

async fn inactive_codes_are_hidden_but_kept(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let scope = Scope::Campaign("c".to_owned());
    let old = t
        .create_disposition(&scope, "old", "Old", T0)
        .await
        .unwrap();
    t.update_disposition(old.id, "Old (retired)", false)
        .await
        .unwrap();
    assert!(t.dispositions(&scope, false).await.unwrap().is_empty());
    let kept = t.dispositions(&scope, true).await.unwrap();
    assert_eq!(
        (kept[0].label.as_str(), kept[0].active),
        ("Old (retired)", false)
    );
    let err = t
        .update_disposition(store::DispositionId(999), "x", true)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::NotFound(Entity::Disposition)),
        "{err:?}"
    );
}

async fn a_disposition_can_be_required_per_queue(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let q = t
        .create_queue("q", &QueueSettings::default(), T0)
        .await
        .unwrap();
    assert!(!t.disposition_required(q.id).await.unwrap());
    t.set_disposition_required(q.id, true).await.unwrap();
    t.set_disposition_required(q.id, true).await.unwrap();
    assert!(t.disposition_required(q.id).await.unwrap());
    t.set_disposition_required(q.id, false).await.unwrap();
    assert!(!t.disposition_required(q.id).await.unwrap());
}

async fn an_agent_gives_one_disposition_per_interaction(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let alice = agent(&t, "alice", "1001").await;
    let bob = agent(&t, "bob", "1002").await;
    let scope = Scope::Campaign("c".to_owned());
    let sale = t
        .create_disposition(&scope, "sale", "Sale", T0)
        .await
        .unwrap();
    let callback = t
        .create_disposition(&scope, "callback", "Call back", T0)
        .await
        .unwrap();
    let contact = call(&t, 1, T0).await;
    t.set_interaction_disposition(contact, alice.id, callback.id, "first", T0 + 1)
        .await
        .unwrap();
    t.set_interaction_disposition(contact, alice.id, sale.id, "changed mind", T0 + 2)
        .await
        .unwrap();
    t.set_interaction_disposition(contact, bob.id, callback.id, "", T0 + 3)
        .await
        .unwrap();
    let given: Vec<_> = t
        .interaction_dispositions(contact)
        .await
        .unwrap()
        .into_iter()
        .map(|d| (d.user_id, d.code, d.notes, d.at_ms))
        .collect();
    assert_eq!(
        given,
        [
            (
                alice.id,
                "sale".to_owned(),
                "changed mind".to_owned(),
                T0 + 2
            ),
            (bob.id, "callback".to_owned(), String::new(), T0 + 3),
        ]
    );
}

async fn inactive_or_missing_codes_cannot_be_given(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let alice = agent(&t, "alice", "1001").await;
    let scope = Scope::Campaign("c".to_owned());
    let old = t
        .create_disposition(&scope, "old", "Old", T0)
        .await
        .unwrap();
    t.update_disposition(old.id, "Old", false).await.unwrap();
    let contact = call(&t, 1, T0).await;
    for id in [old.id, store::DispositionId(999)] {
        let err = t
            .set_interaction_disposition(contact, alice.id, id, "", T0)
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::NotFound(Entity::Disposition)),
            "{err:?}"
        );
    }
    assert!(
        t.interaction_dispositions(contact)
            .await
            .unwrap()
            .is_empty()
    );
}
