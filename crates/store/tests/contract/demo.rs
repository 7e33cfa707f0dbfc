//! Demo seeding: complete, idempotent, and the secrets it was given are the ones that work.

use store::demo::{AgentSecret, DEMO_AGENTS, DEMO_NUMBER, DEMO_QUEUES, DemoSeed};
use store::{Role, SipHa1, seed_demo};

use crate::support::{Fixture, T0};

contract!(
    seeding_creates_the_demo_center,
    seeding_again_duplicates_nothing_and_rotates_the_secrets,
);

fn secrets(round: char, flow_yaml: &str) -> DemoSeed<'_> {
    DemoSeed {
        agents: (0..5)
            .map(|i| AgentSecret {
                password: format!("{round}-agent-{i}"),
                sip: SipHa1::new(&round.to_string().repeat(32), &round.to_string().repeat(64))
                    .unwrap(),
            })
            .collect(),
        admin_password: format!("{round}-admin"),
        flow_yaml,
        now_ms: T0,
    }
}

async fn seeding_creates_the_demo_center(fx: &Fixture) {
    let seeded = seed_demo(&fx.store, &secrets('a', "start: menu"))
        .await
        .unwrap();
    assert!(seeded.created);
    let t = fx.store.tenant(seeded.tenant.id).await.unwrap();
    let extensions: Vec<_> = seeded
        .agents
        .iter()
        .map(|u| u.extension.clone().unwrap())
        .collect();
    assert_eq!(extensions, ["1001", "1002", "1003", "1004", "1005"]);
    assert!(
        seeded
            .agents
            .iter()
            .all(|u| u.role == Role::Agent && u.has_password && u.has_sip_secret)
    );
    assert_eq!(seeded.admin.role, Role::Admin);
    assert_eq!(t.users().await.unwrap().len(), 6);
    for name in DEMO_QUEUES {
        let q = t.queue_by_name(name).await.unwrap().unwrap();
        assert_eq!(t.queue_members(q.id).await.unwrap().len(), 5);
    }
    let route = fx.store.route_number(DEMO_NUMBER).await.unwrap().unwrap();
    assert_eq!(route.tenant_id, t.id());
    let flow = t.active_flow_version(route.flow_id).await.unwrap().unwrap();
    assert_eq!(flow.source, "start: menu");
    let owner = fx
        .store
        .authenticate_token(seeded.admin_token.expose(), T0)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(owner.user_id, seeded.admin.id);
    let first = DEMO_AGENTS[0];
    assert!(
        t.verify_password(first.username, "a-agent-0")
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        t.verify_password("admin", "a-admin")
            .await
            .unwrap()
            .is_some()
    );
    let creds = t.sip_credentials(first.extension).await.unwrap().unwrap();
    assert_eq!(creds.ha1.md5(), "a".repeat(32));
}

async fn seeding_again_duplicates_nothing_and_rotates_the_secrets(fx: &Fixture) {
    let first = seed_demo(&fx.store, &secrets('a', "start: menu"))
        .await
        .unwrap();
    let second = seed_demo(&fx.store, &secrets('b', "start: menu"))
        .await
        .unwrap();
    assert!(!second.created);
    assert_eq!(first.tenant, second.tenant);
    assert_eq!(fx.store.tenants().await.unwrap().len(), 1);
    let t = fx.store.tenant(first.tenant.id).await.unwrap();
    assert_eq!(t.users().await.unwrap().len(), 6);
    assert_eq!(t.queues().await.unwrap().len(), 2);
    assert_eq!(t.numbers().await.unwrap().len(), 1);
    let route = fx.store.route_number(DEMO_NUMBER).await.unwrap().unwrap();
    assert_eq!(t.flow_versions(route.flow_id).await.unwrap().len(), 1);
    assert_eq!(t.api_tokens(first.admin.id).await.unwrap().len(), 1);
    assert_eq!(
        fx.store
            .authenticate_token(first.admin_token.expose(), T0)
            .await
            .unwrap(),
        None
    );
    assert!(
        fx.store
            .authenticate_token(second.admin_token.expose(), T0)
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        t.verify_password("alice", "a-agent-0")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        t.verify_password("alice", "b-agent-0")
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(
        t.sip_credentials("1001").await.unwrap().unwrap().ha1.md5(),
        "b".repeat(32)
    );

    // A changed flow becomes a new active version; the number keeps routing to the flow.
    seed_demo(&fx.store, &secrets('c', "start: other"))
        .await
        .unwrap();
    let versions = t.flow_versions(route.flow_id).await.unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(
        t.active_flow_version(route.flow_id)
            .await
            .unwrap()
            .unwrap()
            .source,
        "start: other"
    );
}
