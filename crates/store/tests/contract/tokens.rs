//! API tokens: shown once, stored hashed, looked up by hash, revoked, rotated.

use store::{Role, TokenSecret};

use crate::support::{Fixture, T0, agent, new_user};

contract!(
    a_token_authenticates_as_its_user_until_revoked,
    tokens_of_disabled_users_are_refused,
    unknown_and_malformed_tokens_are_refused,
    rotating_a_token_replaces_the_old_one,
    last_use_is_recorded_to_the_minute,
);

async fn a_token_authenticates_as_its_user_until_revoked(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let admin = t
        .create_user(&new_user("root", Role::Admin, None), T0)
        .await
        .unwrap();
    let (token, secret) = t.create_api_token(admin.id, "ci", T0).await.unwrap();
    let owner = fx
        .store
        .authenticate_token(secret.expose(), T0 + 1)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(owner.tenant_id, t.id());
    assert_eq!(owner.user_id, admin.id);
    assert_eq!(owner.role, Role::Admin);
    assert_eq!(owner.username, "root");
    assert_eq!(owner.token_id, token.id);
    t.revoke_api_token(token.id, T0 + 2).await.unwrap();
    assert_eq!(
        fx.store
            .authenticate_token(secret.expose(), T0 + 3)
            .await
            .unwrap(),
        None
    );
    let listed = t.api_tokens(admin.id).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].revoked_at_ms, Some(T0 + 2));
}

async fn tokens_of_disabled_users_are_refused(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let alice = agent(&t, "alice", "1001").await;
    let (_, secret) = t.create_api_token(alice.id, "desk", T0).await.unwrap();
    t.set_enabled(alice.id, false).await.unwrap();
    assert_eq!(
        fx.store
            .authenticate_token(secret.expose(), T0)
            .await
            .unwrap(),
        None
    );
}

async fn unknown_and_malformed_tokens_are_refused(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let alice = agent(&t, "alice", "1001").await;
    let (_, secret) = t.create_api_token(alice.id, "desk", T0).await.unwrap();
    let mut forged = secret.expose().to_owned();
    forged.pop();
    forged.push('x');
    for bad in [forged.as_str(), "", "plt_", "Bearer"] {
        assert_eq!(
            fx.store.authenticate_token(bad, T0).await.unwrap(),
            None,
            "{bad}"
        );
    }
}

async fn rotating_a_token_replaces_the_old_one(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let alice = agent(&t, "alice", "1001").await;
    let (_, first) = t.rotate_api_token(alice.id, "demo", T0).await.unwrap();
    let (_, second): (_, TokenSecret) = t.rotate_api_token(alice.id, "demo", T0 + 1).await.unwrap();
    assert_ne!(first, second);
    assert_eq!(
        fx.store
            .authenticate_token(first.expose(), T0)
            .await
            .unwrap(),
        None
    );
    assert!(
        fx.store
            .authenticate_token(second.expose(), T0)
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(t.api_tokens(alice.id).await.unwrap().len(), 1);
}

async fn last_use_is_recorded_to_the_minute(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let alice = agent(&t, "alice", "1001").await;
    let (_, secret) = t.create_api_token(alice.id, "desk", T0).await.unwrap();
    let last_used = || async { t.api_tokens(alice.id).await.unwrap()[0].last_used_at_ms };
    assert_eq!(last_used().await, None);
    fx.store
        .authenticate_token(secret.expose(), T0 + 1_000)
        .await
        .unwrap();
    assert_eq!(last_used().await, Some(T0 + 1_000));
    fx.store
        .authenticate_token(secret.expose(), T0 + 30_000)
        .await
        .unwrap();
    assert_eq!(last_used().await, Some(T0 + 1_000));
    fx.store
        .authenticate_token(secret.expose(), T0 + 61_000)
        .await
        .unwrap();
    assert_eq!(last_used().await, Some(T0 + 61_000));
}
