//! Users: creation, unique keys, secrets (HA1, Argon2), profile changes.

use store::{Entity, Error, PasswordHash, Role, SipHa1, Unique, UserId};

use crate::support::{Fixture, T0, agent, new_user};

contract!(
    users_are_created_and_read_back_without_secrets,
    duplicate_usernames_are_refused,
    duplicate_extensions_are_refused,
    users_without_extension_do_not_collide,
    sip_credentials_return_the_stored_ha1,
    only_the_right_password_of_an_enabled_user_verifies,
    profile_extension_and_enabled_flag_can_be_changed,
    changing_an_unknown_user_is_not_found,
);

fn ha1(seed: char) -> SipHa1 {
    SipHa1::new(&seed.to_string().repeat(32), &seed.to_string().repeat(64)).unwrap()
}

async fn users_are_created_and_read_back_without_secrets(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let mut new = new_user("alice", Role::Supervisor, Some("1001"));
    new.password = Some(PasswordHash::hash("pw").unwrap());
    new.sip = Some(ha1('a'));
    let alice = t.create_user(&new, T0).await.unwrap();
    assert_eq!(alice.username, "alice");
    assert_eq!(alice.role, Role::Supervisor);
    assert_eq!(alice.extension.as_deref(), Some("1001"));
    assert!(alice.has_password && alice.has_sip_secret && alice.enabled);
    assert_eq!(alice.tenant_id, t.id());
    assert_eq!(t.user(alice.id).await.unwrap(), Some(alice.clone()));
    assert_eq!(
        t.user_by_username("alice").await.unwrap(),
        Some(alice.clone())
    );
    assert_eq!(
        t.user_by_extension("1001").await.unwrap(),
        Some(alice.clone())
    );
    let bob = agent(&t, "bob", "1002").await;
    assert!(!bob.has_password && !bob.has_sip_secret);
    assert_eq!(t.users().await.unwrap(), vec![alice, bob]);
}

async fn duplicate_usernames_are_refused(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    agent(&t, "alice", "1001").await;
    let err = t
        .create_user(&new_user("alice", Role::Agent, Some("1002")), T0)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Duplicate(Unique::Username)), "{err:?}");
}

async fn duplicate_extensions_are_refused(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    agent(&t, "alice", "1001").await;
    let err = t
        .create_user(&new_user("bob", Role::Agent, Some("1001")), T0)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Duplicate(Unique::Extension)),
        "{err:?}"
    );
}

async fn users_without_extension_do_not_collide(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    t.create_user(&new_user("ann", Role::Manager, None), T0)
        .await
        .unwrap();
    t.create_user(&new_user("ben", Role::Planner, None), T0)
        .await
        .unwrap();
    assert_eq!(t.users().await.unwrap().len(), 2);
}

async fn sip_credentials_return_the_stored_ha1(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let alice = agent(&t, "alice", "1001").await;
    assert_eq!(t.sip_credentials("1001").await.unwrap(), None);
    t.set_sip_secret(alice.id, Some(&ha1('c'))).await.unwrap();
    let creds = t.sip_credentials("1001").await.unwrap().unwrap();
    assert_eq!(creds.user_id, alice.id);
    assert_eq!(creds.extension, "1001");
    assert_eq!(creds.ha1, ha1('c'));
    assert!(creds.enabled);
    assert_eq!(t.sip_credentials("1999").await.unwrap(), None);
    t.set_enabled(alice.id, false).await.unwrap();
    assert!(!t.sip_credentials("1001").await.unwrap().unwrap().enabled);
}

async fn only_the_right_password_of_an_enabled_user_verifies(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let alice = agent(&t, "alice", "1001").await;
    assert_eq!(t.verify_password("alice", "pw").await.unwrap(), None);
    t.set_password(alice.id, Some(&PasswordHash::hash("pw").unwrap()))
        .await
        .unwrap();
    let verified = t.verify_password("alice", "pw").await.unwrap().unwrap();
    assert_eq!(verified.id, alice.id);
    assert_eq!(t.verify_password("alice", "PW").await.unwrap(), None);
    assert_eq!(t.verify_password("nobody", "pw").await.unwrap(), None);
    t.set_enabled(alice.id, false).await.unwrap();
    assert_eq!(t.verify_password("alice", "pw").await.unwrap(), None);
}

async fn profile_extension_and_enabled_flag_can_be_changed(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let alice = agent(&t, "alice", "1001").await;
    t.set_profile(alice.id, "Alice M.", Role::TeamLeader)
        .await
        .unwrap();
    t.set_extension(alice.id, Some("2001")).await.unwrap();
    t.set_enabled(alice.id, false).await.unwrap();
    let changed = t.user(alice.id).await.unwrap().unwrap();
    assert_eq!(changed.display_name, "Alice M.");
    assert_eq!(changed.role, Role::TeamLeader);
    assert_eq!(changed.extension.as_deref(), Some("2001"));
    assert!(!changed.enabled);
    assert_eq!(t.user_by_extension("1001").await.unwrap(), None);
}

async fn changing_an_unknown_user_is_not_found(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let err = t.set_enabled(UserId(999), false).await.unwrap_err();
    assert!(matches!(err, Error::NotFound(Entity::User)), "{err:?}");
}
