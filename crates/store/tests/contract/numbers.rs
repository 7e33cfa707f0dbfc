//! Numbers: routing to a tenant's flow.

use store::{Entity, Error, NumberRoute, Unique};

use crate::support::{Fixture, T0};

contract!(
    numbers_route_to_their_tenant_and_flow,
    rerouting_a_number_changes_its_flow,
    a_number_owned_by_another_tenant_is_refused,
    malformed_numbers_are_refused,
    removed_numbers_stop_routing,
);

async fn numbers_route_to_their_tenant_and_flow(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let flow = t.save_flow("main", "x", T0, true).await.unwrap();
    let number = t
        .set_number("+33100000000", flow.flow_id, T0)
        .await
        .unwrap();
    assert_eq!(number.e164, "+33100000000");
    assert_eq!(
        fx.store.route_number("+33100000000").await.unwrap(),
        Some(NumberRoute {
            tenant_id: t.id(),
            flow_id: flow.flow_id
        })
    );
    assert_eq!(fx.store.route_number("+33199999999").await.unwrap(), None);
    assert_eq!(t.numbers().await.unwrap(), vec![number]);
}

async fn rerouting_a_number_changes_its_flow(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let a = t.save_flow("a", "x", T0, true).await.unwrap();
    let b = t.save_flow("b", "y", T0, true).await.unwrap();
    t.set_number("+33100000000", a.flow_id, T0).await.unwrap();
    t.set_number("+33100000000", b.flow_id, T0).await.unwrap();
    let route = fx
        .store
        .route_number("+33100000000")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(route.flow_id, b.flow_id);
    assert_eq!(t.numbers().await.unwrap().len(), 1);
}

async fn a_number_owned_by_another_tenant_is_refused(fx: &Fixture) {
    let a = fx.tenant("acme").await;
    let b = fx.tenant("globex").await;
    let fa = a.save_flow("main", "x", T0, true).await.unwrap();
    let fb = b.save_flow("main", "x", T0, true).await.unwrap();
    a.set_number("+33100000000", fa.flow_id, T0).await.unwrap();
    let err = b
        .set_number("+33100000000", fb.flow_id, T0)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Duplicate(Unique::Number)), "{err:?}");
    let route = fx
        .store
        .route_number("+33100000000")
        .await
        .unwrap()
        .unwrap();
    assert_eq!((route.tenant_id, route.flow_id), (a.id(), fa.flow_id));
}

async fn malformed_numbers_are_refused(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let flow = t.save_flow("main", "x", T0, true).await.unwrap();
    let err = t
        .set_number("0100000000", flow.flow_id, T0)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Invalid { .. }), "{err:?}");
}

async fn removed_numbers_stop_routing(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let flow = t.save_flow("main", "x", T0, true).await.unwrap();
    t.set_number("+33100000000", flow.flow_id, T0)
        .await
        .unwrap();
    t.remove_number("+33100000000").await.unwrap();
    assert_eq!(fx.store.route_number("+33100000000").await.unwrap(), None);
    let err = t.remove_number("+33100000000").await.unwrap_err();
    assert!(matches!(err, Error::NotFound(Entity::Number)), "{err:?}");
}
