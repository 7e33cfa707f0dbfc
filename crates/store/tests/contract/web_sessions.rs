//! Web sessions: created with a secret shown once, found by it while live, sliding their idle
//! expiry at most once a minute, ended one by one or all of a user's; the web login and the
//! user's page language.

use store::{Language, PasswordHash, WebLogin};

use crate::support::{Fixture, T0, agent};

const IDLE: i64 = 3_600_000;

contract!(
    a_session_is_found_by_its_secret_with_its_user,
    an_unknown_secret_finds_nothing,
    a_session_expires_after_the_idle_time,
    use_slides_the_expiry_at_most_once_a_minute,
    a_deleted_session_is_gone,
    deleting_a_users_sessions_ends_them_all,
    sessions_of_disabled_users_are_refused,
    web_login_checks_the_password_in_the_named_tenant,
    web_login_without_tenant_needs_a_unique_username,
    the_page_language_is_stored_and_shown_on_the_session,
);

async fn a_session_is_found_by_its_secret_with_its_user(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let alice = agent(&t, "alice", "1001").await;
    let (created, secret) = t.create_web_session(alice.id, T0, IDLE).await.unwrap();
    assert_eq!(created.expires_at_ms, T0 + IDLE);
    assert_eq!(created.csrf_token.len(), 64);
    let found = fx
        .store
        .web_session(secret.expose(), T0 + 1, IDLE)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.id, created.id);
    assert_eq!(found.tenant_id, t.id());
    assert_eq!(found.user_id, alice.id);
    assert_eq!(found.username, "alice");
    assert_eq!(found.extension.as_deref(), Some("1001"));
    assert_eq!(found.csrf_token, created.csrf_token);
    let (other, other_secret) = t.create_web_session(alice.id, T0, IDLE).await.unwrap();
    assert_ne!(other.csrf_token, created.csrf_token);
    assert_ne!(other_secret, secret);
}

async fn an_unknown_secret_finds_nothing(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let alice = agent(&t, "alice", "1001").await;
    let (_, secret) = t.create_web_session(alice.id, T0, IDLE).await.unwrap();
    let mut forged = secret.expose().to_owned();
    forged.pop();
    forged.push('x');
    for bad in [forged.as_str(), ""] {
        assert_eq!(fx.store.web_session(bad, T0, IDLE).await.unwrap(), None);
    }
}

async fn a_session_expires_after_the_idle_time(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let alice = agent(&t, "alice", "1001").await;
    let (_, secret) = t.create_web_session(alice.id, T0, IDLE).await.unwrap();
    let late = T0 + IDLE;
    assert_eq!(
        fx.store
            .web_session(secret.expose(), late, IDLE)
            .await
            .unwrap(),
        None
    );
    // Expired is final: it was deleted, not just hidden.
    assert_eq!(
        fx.store
            .web_session(secret.expose(), T0 + 1, IDLE)
            .await
            .unwrap(),
        None
    );
}

async fn use_slides_the_expiry_at_most_once_a_minute(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let alice = agent(&t, "alice", "1001").await;
    let (_, secret) = t.create_web_session(alice.id, T0, IDLE).await.unwrap();
    let at = |now| {
        let store = fx.store.clone();
        let secret = secret.clone();
        async move {
            store
                .web_session(secret.expose(), now, IDLE)
                .await
                .unwrap()
                .unwrap()
                .expires_at_ms
        }
    };
    assert_eq!(at(T0 + 30_000).await, T0 + IDLE);
    assert_eq!(at(T0 + 60_000).await, T0 + 60_000 + IDLE);
    assert_eq!(at(T0 + 90_000).await, T0 + 60_000 + IDLE);
    // Still live past the first expiry, since it was used.
    assert_eq!(at(T0 + IDLE + 1).await, T0 + IDLE + 1 + IDLE);
}

async fn a_deleted_session_is_gone(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let alice = agent(&t, "alice", "1001").await;
    let (session, secret) = t.create_web_session(alice.id, T0, IDLE).await.unwrap();
    let other = fx.tenant("other").await;
    assert!(other.delete_web_session(session.id).await.is_err());
    t.delete_web_session(session.id).await.unwrap();
    assert_eq!(
        fx.store
            .web_session(secret.expose(), T0, IDLE)
            .await
            .unwrap(),
        None
    );
}

async fn deleting_a_users_sessions_ends_them_all(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let alice = agent(&t, "alice", "1001").await;
    let bob = agent(&t, "bob", "1002").await;
    let (_, a1) = t.create_web_session(alice.id, T0, IDLE).await.unwrap();
    let (_, a2) = t.create_web_session(alice.id, T0, IDLE).await.unwrap();
    let (_, b1) = t.create_web_session(bob.id, T0, IDLE).await.unwrap();
    assert_eq!(t.delete_user_web_sessions(alice.id).await.unwrap(), 2);
    for gone in [&a1, &a2] {
        assert_eq!(
            fx.store.web_session(gone.expose(), T0, IDLE).await.unwrap(),
            None
        );
    }
    assert!(
        fx.store
            .web_session(b1.expose(), T0, IDLE)
            .await
            .unwrap()
            .is_some()
    );
}

async fn sessions_of_disabled_users_are_refused(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let alice = agent(&t, "alice", "1001").await;
    let (_, secret) = t.create_web_session(alice.id, T0, IDLE).await.unwrap();
    t.set_enabled(alice.id, false).await.unwrap();
    assert_eq!(
        fx.store
            .web_session(secret.expose(), T0, IDLE)
            .await
            .unwrap(),
        None
    );
}

async fn web_login_checks_the_password_in_the_named_tenant(fx: &Fixture) {
    let acme = fx.tenant("acme").await;
    let other = fx.tenant("other").await;
    let alice = agent(&acme, "alice", "1001").await;
    let hash = PasswordHash::hash("pw").unwrap();
    acme.set_password(alice.id, Some(&hash)).await.unwrap();
    let login = |password: &'static str, tenant: Option<&'static str>| {
        let store = fx.store.clone();
        async move { store.web_login("alice", password, tenant).await.unwrap() }
    };
    assert!(matches!(login("pw", Some("acme")).await, WebLogin::Valid(u) if u.id == alice.id));
    assert!(matches!(login("pw", None).await, WebLogin::Valid(u) if u.id == alice.id));
    assert_eq!(login("PW", Some("acme")).await, WebLogin::Invalid);
    assert_eq!(login("pw", Some("other")).await, WebLogin::Invalid);
    assert_eq!(login("pw", Some("nowhere")).await, WebLogin::Invalid);
    assert_eq!(
        fx.store.web_login("nobody", "pw", None).await.unwrap(),
        WebLogin::Invalid
    );
    drop(other);
}

async fn web_login_without_tenant_needs_a_unique_username(fx: &Fixture) {
    let acme = fx.tenant("acme").await;
    let other = fx.tenant("other").await;
    let hash = PasswordHash::hash("pw").unwrap();
    let a = agent(&acme, "alice", "1001").await;
    let b = agent(&other, "alice", "1001").await;
    acme.set_password(a.id, Some(&hash)).await.unwrap();
    other.set_password(b.id, Some(&hash)).await.unwrap();
    assert_eq!(
        fx.store.web_login("alice", "pw", None).await.unwrap(),
        WebLogin::TenantRequired
    );
    assert!(matches!(
        fx.store.web_login("alice", "pw", Some("other")).await.unwrap(),
        WebLogin::Valid(u) if u.id == b.id && u.tenant_id == other.id()
    ));
}

async fn the_page_language_is_stored_and_shown_on_the_session(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let alice = agent(&t, "alice", "1001").await;
    assert_eq!(t.user_language(alice.id).await.unwrap(), None);
    t.set_user_language(alice.id, Some(Language::Fr))
        .await
        .unwrap();
    assert_eq!(t.user_language(alice.id).await.unwrap(), Some(Language::Fr));
    let (session, _) = t.create_web_session(alice.id, T0, IDLE).await.unwrap();
    assert_eq!(session.language, Some(Language::Fr));
    t.set_user_language(alice.id, None).await.unwrap();
    assert_eq!(t.user_language(alice.id).await.unwrap(), None);
}
