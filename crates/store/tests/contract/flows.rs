//! Flows: versions kept, one active.

use store::{Entity, Error, FlowId};

use crate::support::{Fixture, T0};

contract!(
    saving_a_flow_adds_versions_and_keeps_old_ones,
    activating_a_version_moves_the_active_flag,
    activating_a_missing_version_is_not_found,
);

async fn saving_a_flow_adds_versions_and_keeps_old_ones(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let v1 = t.save_flow("main", "nodes: [1]", T0, true).await.unwrap();
    let v2 = t
        .save_flow("main", "nodes: [2]", T0 + 1, true)
        .await
        .unwrap();
    let v3 = t
        .save_flow("main", "nodes: [3]", T0 + 2, false)
        .await
        .unwrap();
    assert_eq!((v1.version, v2.version, v3.version), (1, 2, 3));
    assert_eq!(v1.flow_id, v3.flow_id);
    let versions = t.flow_versions(v1.flow_id).await.unwrap();
    let sources: Vec<_> = versions.iter().map(|v| v.source.as_str()).collect();
    assert_eq!(sources, ["nodes: [1]", "nodes: [2]", "nodes: [3]"]);
    let active: Vec<_> = versions.iter().map(|v| v.active).collect();
    assert_eq!(active, [false, true, false]);
    let flow = t.flow_by_name("main").await.unwrap().unwrap();
    assert_eq!(flow.active_version, Some(2));
    assert_eq!(t.flow(flow.id).await.unwrap(), Some(flow.clone()));
    assert_eq!(
        t.active_flow_version(flow.id)
            .await
            .unwrap()
            .unwrap()
            .source,
        "nodes: [2]"
    );
    assert_eq!(
        t.flow_version(flow.id, 1).await.unwrap().unwrap().source,
        "nodes: [1]"
    );
    let other = t.save_flow("other", "x", T0, false).await.unwrap();
    assert_eq!(other.version, 1);
    assert_eq!(t.active_flow_version(other.flow_id).await.unwrap(), None);
    assert_eq!(t.flows().await.unwrap().len(), 2);
}

async fn activating_a_version_moves_the_active_flag(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let v1 = t.save_flow("main", "a", T0, true).await.unwrap();
    t.save_flow("main", "b", T0, true).await.unwrap();
    t.activate_flow_version(v1.flow_id, 1).await.unwrap();
    let active = t.active_flow_version(v1.flow_id).await.unwrap().unwrap();
    assert_eq!(
        (active.version, active.source.as_str(), active.active),
        (1, "a", true)
    );
}

async fn activating_a_missing_version_is_not_found(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let v1 = t.save_flow("main", "a", T0, true).await.unwrap();
    for (flow, version) in [(v1.flow_id, 2), (FlowId(999), 1)] {
        let err = t.activate_flow_version(flow, version).await.unwrap_err();
        assert!(matches!(err, Error::NotFound(Entity::Flow)), "{err:?}");
    }
    assert_eq!(
        t.flow(v1.flow_id).await.unwrap().unwrap().active_version,
        Some(1)
    );
}
