//! Recording references and the audit log.

use serde_json::json;
use store::{
    Entity, Error, InteractionId, NewAuditEntry, NewInteraction, NewRecording, RecordingId,
};

use crate::support::{Fixture, T0, agent};

contract!(
    recordings_are_referenced_then_finished,
    recording_paths_outside_the_data_directory_are_refused,
    recordings_need_an_interaction_of_the_tenant,
    audit_entries_are_appended_and_listed_in_time_order,
);

fn recording(id: InteractionId, path: &str) -> NewRecording {
    NewRecording {
        interaction_id: id,
        path: path.to_owned(),
        duration_ms: None,
        created_at_ms: T0,
    }
}

async fn recordings_are_referenced_then_finished(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let id = InteractionId::from_parts(T0, 1);
    t.create_interaction(&NewInteraction::inbound_call(id, "+331", "+332", T0))
        .await
        .unwrap();
    let rec = t
        .add_recording(&recording(id, "recordings/a.wav"))
        .await
        .unwrap();
    assert_eq!(rec.duration_ms, None);
    t.finish_recording(rec.id, 61_500).await.unwrap();
    let read = t.recording(rec.id).await.unwrap().unwrap();
    assert_eq!(read.duration_ms, Some(61_500));
    assert_eq!(read.path, "recordings/a.wav");
    assert_eq!(read.interaction_id, id);
    assert_eq!(t.recordings(id).await.unwrap(), vec![read]);
    let err = t.finish_recording(RecordingId(999), 1).await.unwrap_err();
    assert!(matches!(err, Error::NotFound(Entity::Recording)), "{err:?}");
}

async fn recording_paths_outside_the_data_directory_are_refused(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let id = InteractionId::from_parts(T0, 1);
    t.create_interaction(&NewInteraction::inbound_call(id, "+331", "+332", T0))
        .await
        .unwrap();
    for path in ["/etc/shadow", "../x.wav"] {
        let err = t.add_recording(&recording(id, path)).await.unwrap_err();
        assert!(matches!(err, Error::Invalid { .. }), "{path}: {err:?}");
    }
    assert!(t.recordings(id).await.unwrap().is_empty());
}

async fn recordings_need_an_interaction_of_the_tenant(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let missing = InteractionId::from_parts(T0, 5);
    let err = t
        .add_recording(&recording(missing, "r.wav"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::MissingReference), "{err:?}");
}

async fn audit_entries_are_appended_and_listed_in_time_order(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let sup = agent(&t, "sam", "1009").await;
    let entry = |at, action: &str| NewAuditEntry {
        user_id: Some(sup.id),
        action: action.to_owned(),
        target: "recording:1".to_owned(),
        at_ms: at,
        details: json!({"source": "127.0.0.1"}),
    };
    t.audit(&entry(T0 + 5, "recording.download")).await.unwrap();
    t.audit(&entry(T0 + 1, "call.listen")).await.unwrap();
    t.audit(&NewAuditEntry {
        user_id: None,
        ..entry(T0 + 9, "system.start")
    })
    .await
    .unwrap();
    let log = t.audit_log(T0, 10).await.unwrap();
    let actions: Vec<_> = log.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        ["call.listen", "recording.download", "system.start"]
    );
    assert_eq!(log[0].details, json!({"source": "127.0.0.1"}));
    assert_eq!(log[2].user_id, None);
    assert_eq!(
        t.audit_log(T0 + 2, 1).await.unwrap()[0].action,
        "recording.download"
    );
}
