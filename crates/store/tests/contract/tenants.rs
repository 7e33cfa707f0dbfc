//! Tenants, and migrations applying on both backends.

use store::{Error, TenantId, Unique};

use crate::support::{Fixture, T0};

contract!(
    migrations_apply_and_reopening_keeps_the_data,
    tenants_are_created_and_found_by_slug,
    duplicate_slugs_are_refused,
    malformed_slugs_are_refused,
    unknown_tenants_are_refused,
    a_tenant_starts_in_utc_and_keeps_the_time_zone_it_is_given,
);

async fn a_tenant_starts_in_utc_and_keeps_the_time_zone_it_is_given(fx: &Fixture) {
    let acme = fx.store.create_tenant("Acme", "acme", T0).await.unwrap();
    assert_eq!(acme.time_zone, "UTC");
    let set = fx
        .store
        .set_tenant_time_zone(acme.id, "Europe/Paris")
        .await
        .unwrap();
    assert_eq!(set.time_zone, "Europe/Paris");
    let again = fx.reopen().await;
    assert_eq!(
        again
            .tenant_by_slug("acme")
            .await
            .unwrap()
            .unwrap()
            .time_zone,
        "Europe/Paris"
    );
    assert!(matches!(
        fx.store.set_tenant_time_zone(acme.id, "").await,
        Err(Error::Invalid { .. })
    ));
    assert!(matches!(
        fx.store.set_tenant_time_zone(TenantId(999), "UTC").await,
        Err(Error::UnknownTenant(_))
    ));
}

async fn migrations_apply_and_reopening_keeps_the_data(fx: &Fixture) {
    fx.store.create_tenant("Acme", "acme", T0).await.unwrap();
    let again = fx.reopen().await;
    let tenants = again.tenants().await.unwrap();
    assert_eq!(tenants.len(), 1);
    assert_eq!(tenants[0].slug, "acme");
}

async fn tenants_are_created_and_found_by_slug(fx: &Fixture) {
    let acme = fx.store.create_tenant("Acme", "acme", T0).await.unwrap();
    let globex = fx
        .store
        .create_tenant("Globex", "globex", T0 + 1)
        .await
        .unwrap();
    assert_ne!(acme.id, globex.id);
    assert_eq!(
        fx.store.tenant_by_slug("acme").await.unwrap(),
        Some(acme.clone())
    );
    assert_eq!(fx.store.tenant_by_slug("initech").await.unwrap(), None);
    assert_eq!(
        fx.store.tenants().await.unwrap(),
        vec![acme.clone(), globex]
    );
    assert_eq!(fx.store.tenant(acme.id).await.unwrap().id(), acme.id);
}

async fn duplicate_slugs_are_refused(fx: &Fixture) {
    fx.store.create_tenant("Acme", "acme", T0).await.unwrap();
    let err = fx
        .store
        .create_tenant("Acme 2", "acme", T0)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Duplicate(Unique::TenantSlug)),
        "{err:?}"
    );
}

async fn malformed_slugs_are_refused(fx: &Fixture) {
    for slug in ["", "a b", "a/b"] {
        let err = fx.store.create_tenant("X", slug, T0).await.unwrap_err();
        assert!(matches!(err, Error::Invalid { .. }), "{slug:?}: {err:?}");
    }
}

async fn unknown_tenants_are_refused(fx: &Fixture) {
    let err = fx.store.tenant(TenantId(4242)).await.unwrap_err();
    assert!(
        matches!(err, Error::UnknownTenant(TenantId(4242))),
        "{err:?}"
    );
}
