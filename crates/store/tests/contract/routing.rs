//! Agents' skills, queues' required skills and overflow.

use store::{Error, QueueOverflow, QueueRouting, QueueSettings, SkillLevels};

use crate::support::{Fixture, T0, agent};

contract!(
    user_skills_are_replaced_as_a_whole,
    every_users_skills_are_read_at_once,
    skill_levels_outside_one_to_ten_are_refused,
    skills_of_a_user_of_another_tenant_are_refused,
    queue_routing_is_replaced_as_a_whole,
    a_queue_without_routing_settings_reads_as_the_default,
    overflow_into_itself_or_after_zero_seconds_is_refused,
    overflow_to_a_queue_of_another_tenant_is_refused,
);

fn skills(pairs: &[(&str, u8)]) -> SkillLevels {
    pairs.iter().map(|(s, l)| ((*s).to_owned(), *l)).collect()
}

async fn user_skills_are_replaced_as_a_whole(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let alice = agent(&t, "alice", "1001").await;
    let first = skills(&[("language:fr", 8), ("product:billing", 3)]);
    t.set_user_skills(alice.id, &first).await.unwrap();
    assert_eq!(t.user_skills(alice.id).await.unwrap(), first);
    let second = skills(&[("language:en", 10)]);
    t.set_user_skills(alice.id, &second).await.unwrap();
    assert_eq!(t.user_skills(alice.id).await.unwrap(), second);
    t.set_user_skills(alice.id, &SkillLevels::new())
        .await
        .unwrap();
    assert!(t.user_skills(alice.id).await.unwrap().is_empty());
}

async fn every_users_skills_are_read_at_once(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let alice = agent(&t, "alice", "1001").await;
    let bob = agent(&t, "bob", "1002").await;
    let carol = agent(&t, "carol", "1003").await;
    t.set_user_skills(alice.id, &skills(&[("language:fr", 8)]))
        .await
        .unwrap();
    t.set_user_skills(bob.id, &skills(&[("language:en", 5), ("tier", 2)]))
        .await
        .unwrap();
    let all = t.all_user_skills().await.unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[&alice.id], skills(&[("language:fr", 8)]));
    assert_eq!(all[&bob.id], skills(&[("language:en", 5), ("tier", 2)]));
    assert!(!all.contains_key(&carol.id));
}

async fn skill_levels_outside_one_to_ten_are_refused(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let alice = agent(&t, "alice", "1001").await;
    for level in [0, 11] {
        let err = t
            .set_user_skills(alice.id, &skills(&[("language:fr", level)]))
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Invalid { .. }), "{err:?}");
    }
    let err = t
        .set_user_skills(alice.id, &skills(&[(" ", 3)]))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Invalid { .. }), "{err:?}");
    assert!(t.user_skills(alice.id).await.unwrap().is_empty());
}

async fn skills_of_a_user_of_another_tenant_are_refused(fx: &Fixture) {
    let acme = fx.tenant("acme").await;
    let globex = fx.tenant("globex").await;
    let alice = agent(&acme, "alice", "1001").await;
    let err = globex
        .set_user_skills(alice.id, &skills(&[("language:fr", 8)]))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::MissingReference), "{err:?}");
    assert!(acme.user_skills(alice.id).await.unwrap().is_empty());
}

async fn queue_routing_is_replaced_as_a_whole(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let sales = t
        .create_queue("sales", &QueueSettings::default(), T0)
        .await
        .unwrap();
    let leaders = t
        .create_queue("leaders", &QueueSettings::default(), T0)
        .await
        .unwrap();
    let routing = QueueRouting {
        required_skills: skills(&[("language:fr", 2)]),
        overflow: Some(QueueOverflow {
            to: leaders.id,
            after_secs: 30,
        }),
    };
    t.set_queue_routing(sales.id, &routing).await.unwrap();
    assert_eq!(t.queue_routing(sales.id).await.unwrap(), routing);
    let narrower = QueueRouting {
        required_skills: skills(&[("tier", 1)]),
        overflow: None,
    };
    t.set_queue_routing(sales.id, &narrower).await.unwrap();
    assert_eq!(t.queue_routing(sales.id).await.unwrap(), narrower);
}

async fn a_queue_without_routing_settings_reads_as_the_default(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let sales = t
        .create_queue("sales", &QueueSettings::default(), T0)
        .await
        .unwrap();
    assert_eq!(
        t.queue_routing(sales.id).await.unwrap(),
        QueueRouting::default()
    );
}

async fn overflow_into_itself_or_after_zero_seconds_is_refused(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let sales = t
        .create_queue("sales", &QueueSettings::default(), T0)
        .await
        .unwrap();
    let support = t
        .create_queue("support", &QueueSettings::default(), T0)
        .await
        .unwrap();
    for (to, after_secs) in [(sales.id, 30), (support.id, 0)] {
        let routing = QueueRouting {
            required_skills: SkillLevels::new(),
            overflow: Some(QueueOverflow { to, after_secs }),
        };
        let err = t.set_queue_routing(sales.id, &routing).await.unwrap_err();
        assert!(matches!(err, Error::Invalid { .. }), "{err:?}");
    }
    assert_eq!(t.queue_routing(sales.id).await.unwrap().overflow, None);
}

async fn overflow_to_a_queue_of_another_tenant_is_refused(fx: &Fixture) {
    let acme = fx.tenant("acme").await;
    let globex = fx.tenant("globex").await;
    let sales = acme
        .create_queue("sales", &QueueSettings::default(), T0)
        .await
        .unwrap();
    let theirs = globex
        .create_queue("support", &QueueSettings::default(), T0)
        .await
        .unwrap();
    let routing = QueueRouting {
        required_skills: SkillLevels::new(),
        overflow: Some(QueueOverflow {
            to: theirs.id,
            after_secs: 30,
        }),
    };
    let err = acme
        .set_queue_routing(sales.id, &routing)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::MissingReference), "{err:?}");
    assert_eq!(
        acme.queue_routing(sales.id).await.unwrap(),
        QueueRouting::default()
    );
}
