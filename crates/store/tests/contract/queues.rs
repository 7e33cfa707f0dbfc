//! Queues and membership.

use store::{Entity, Error, QueueId, QueueSettings, Unique};

use crate::support::{Fixture, T0, agent};

contract!(
    queues_are_created_updated_and_listed,
    duplicate_queue_names_are_refused,
    members_are_added_reprioritised_and_removed,
    removing_a_missing_member_is_not_found,
);

async fn queues_are_created_updated_and_listed(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let support = t
        .create_queue("support", &QueueSettings::default(), T0)
        .await
        .unwrap();
    let sales = t
        .create_queue("sales", &QueueSettings::default(), T0)
        .await
        .unwrap();
    assert_eq!(sales.settings, QueueSettings::default());
    let settings = QueueSettings {
        strategy: "round_robin".to_owned(),
        wrap_up_secs: 0,
        ring_timeout_secs: 15,
        max_missed_offers: 0,
        announce_period_secs: 45,
        moh_playlist: "jazz".to_owned(),
    };
    t.update_queue(sales.id, &settings).await.unwrap();
    let read = t.queue(sales.id).await.unwrap().unwrap();
    assert_eq!(read.settings, settings);
    assert_eq!(
        t.queue_by_name("support").await.unwrap(),
        Some(support.clone())
    );
    let names: Vec<String> = t
        .queues()
        .await
        .unwrap()
        .into_iter()
        .map(|q| q.name)
        .collect();
    assert_eq!(names, ["sales", "support"]);
    let err = t.update_queue(QueueId(999), &settings).await.unwrap_err();
    assert!(matches!(err, Error::NotFound(Entity::Queue)), "{err:?}");
}

async fn duplicate_queue_names_are_refused(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    t.create_queue("sales", &QueueSettings::default(), T0)
        .await
        .unwrap();
    let err = t
        .create_queue("sales", &QueueSettings::default(), T0)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Duplicate(Unique::QueueName)),
        "{err:?}"
    );
}

async fn members_are_added_reprioritised_and_removed(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let q = t
        .create_queue("sales", &QueueSettings::default(), T0)
        .await
        .unwrap();
    let alice = agent(&t, "alice", "1001").await;
    let bob = agent(&t, "bob", "1002").await;
    t.set_queue_member(q.id, alice.id, 1).await.unwrap();
    t.set_queue_member(q.id, bob.id, 5).await.unwrap();
    let order: Vec<_> = t
        .queue_members(q.id)
        .await
        .unwrap()
        .iter()
        .map(|m| m.user_id)
        .collect();
    assert_eq!(order, [bob.id, alice.id]);
    t.set_queue_member(q.id, alice.id, 9).await.unwrap();
    let members = t.queue_members(q.id).await.unwrap();
    assert_eq!((members[0].user_id, members[0].priority), (alice.id, 9));
    assert_eq!(members.len(), 2);
    assert_eq!(t.user_queues(bob.id).await.unwrap()[0].queue_id, q.id);
    t.remove_queue_member(q.id, bob.id).await.unwrap();
    assert_eq!(t.queue_members(q.id).await.unwrap().len(), 1);
    assert!(t.user_queues(bob.id).await.unwrap().is_empty());
}

async fn removing_a_missing_member_is_not_found(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let q = t
        .create_queue("sales", &QueueSettings::default(), T0)
        .await
        .unwrap();
    let alice = agent(&t, "alice", "1001").await;
    let err = t.remove_queue_member(q.id, alice.id).await.unwrap_err();
    assert!(
        matches!(err, Error::NotFound(Entity::QueueMember)),
        "{err:?}"
    );
}
