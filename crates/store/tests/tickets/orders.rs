//! The product catalog and orders with lines.

use store::{
    Entity, Error, NewOrder, NewOrderLine, NewProduct, NewTicket, OrderStatus, Priority, Unique,
};

use crate::support::{Fixture, T0, agent};
use crate::{call, customer};

contract!(
    products_are_unique_by_sku_and_filtered_by_activity,
    an_order_is_written_with_its_lines_and_attached_to_its_ticket,
    updating_an_order_replaces_its_lines,
    order_status_changes_and_deletion,
    negative_amounts_are_refused,
    orders_name_rows_of_their_own_tenant_only,
);

fn box_product() -> NewProduct {
    NewProduct {
        sku: "BOX-4K".to_owned(),
        name: "TV box 4K".to_owned(),
        unit_price_minor: 4_999,
        currency: "EUR".to_owned(),
        active: true,
    }
}

fn line(sku: &str, quantity: i64, unit: i64) -> NewOrderLine {
    NewOrderLine {
        product_id: None,
        sku: sku.to_owned(),
        name: sku.to_lowercase(),
        quantity,
        unit_price_minor: unit,
        total_minor: quantity * unit,
    }
}

fn order(lines: Vec<NewOrderLine>) -> NewOrder {
    NewOrder {
        ticket_id: None,
        customer_id: None,
        interaction_id: None,
        status: OrderStatus::Draft,
        currency: "EUR".to_owned(),
        total_minor: lines.iter().map(|l| l.total_minor).sum(),
        lines,
        user_id: None,
    }
}

async fn products_are_unique_by_sku_and_filtered_by_activity(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let tv = t.create_product(&box_product(), T0).await.unwrap();
    let err = t.create_product(&box_product(), T0).await.unwrap_err();
    assert!(
        matches!(err, Error::Duplicate(Unique::ProductSku)),
        "{err:?}"
    );
    let old = t
        .create_product(
            &NewProduct {
                sku: "ADSL".to_owned(),
                active: false,
                ..box_product()
            },
            T0,
        )
        .await
        .unwrap();
    assert_eq!(t.products(false).await.unwrap(), std::slice::from_ref(&tv));
    assert_eq!(t.products(true).await.unwrap(), [old, tv.clone()]);
    let cheaper = t
        .update_product(
            tv.id,
            &NewProduct {
                unit_price_minor: 3_999,
                ..box_product()
            },
            T0 + 1,
        )
        .await
        .unwrap();
    assert_eq!(
        (cheaper.unit_price_minor, cheaper.updated_at_ms),
        (3_999, T0 + 1)
    );
    assert_eq!(t.product(tv.id).await.unwrap(), Some(cheaper));
    let err = t
        .update_product(store::ProductId(999), &box_product(), T0)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound(Entity::Product)), "{err:?}");
}

async fn an_order_is_written_with_its_lines_and_attached_to_its_ticket(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let alice = agent(&t, "alice", "1001").await;
    let who = customer(&t, "Jeanne").await;
    let contact = call(&t, 1, T0).await;
    let ticket = t
        .create_ticket(&NewTicket::new("New box", Priority::Normal, T0))
        .await
        .unwrap();
    let tv = t.create_product(&box_product(), T0).await.unwrap();
    let placed = t
        .create_order(
            &NewOrder {
                ticket_id: Some(ticket.id),
                customer_id: Some(who),
                interaction_id: Some(contact),
                user_id: Some(alice.id),
                status: OrderStatus::Placed,
                ..order(vec![
                    NewOrderLine {
                        product_id: Some(tv.id),
                        ..line("BOX-4K", 2, 4_999)
                    },
                    line("HDMI", 1, 990),
                ])
            },
            T0 + 5,
        )
        .await
        .unwrap();
    assert_eq!(placed.total_minor, 2 * 4_999 + 990);
    assert_eq!(placed.interaction_id, Some(contact));
    let lines: Vec<_> = placed
        .lines
        .iter()
        .map(|l| (l.line_no, l.sku.as_str(), l.quantity, l.product_id))
        .collect();
    assert_eq!(lines, [(1, "BOX-4K", 2, Some(tv.id)), (2, "HDMI", 1, None)]);
    assert_eq!(t.order(placed.id).await.unwrap(), Some(placed.clone()));
    assert_eq!(
        t.ticket_orders(ticket.id).await.unwrap(),
        std::slice::from_ref(&placed)
    );
    assert_eq!(
        t.customer_orders(who).await.unwrap(),
        std::slice::from_ref(&placed)
    );
    let detail = t.ticket_detail(ticket.id).await.unwrap().unwrap();
    assert_eq!(detail.orders, [placed]);
}

async fn updating_an_order_replaces_its_lines(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let draft = t
        .create_order(&order(vec![line("A", 1, 100), line("B", 1, 200)]), T0)
        .await
        .unwrap();
    let updated = t
        .update_order(draft.id, &order(vec![line("C", 3, 50)]), T0 + 1)
        .await
        .unwrap();
    assert_eq!(updated.total_minor, 150);
    assert_eq!(updated.lines.len(), 1);
    assert_eq!(
        (updated.lines[0].sku.as_str(), updated.updated_at_ms),
        ("C", T0 + 1)
    );
    assert_eq!(updated.created_at_ms, T0);
    let err = t
        .update_order(store::OrderId(999), &order(vec![]), T0)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound(Entity::Order)), "{err:?}");
}

async fn order_status_changes_and_deletion(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let draft = t
        .create_order(&order(vec![line("A", 1, 100)]), T0)
        .await
        .unwrap();
    t.set_order_status(draft.id, OrderStatus::Cancelled, T0 + 1)
        .await
        .unwrap();
    let cancelled = t.order(draft.id).await.unwrap().unwrap();
    assert_eq!(cancelled.status, OrderStatus::Cancelled);
    t.delete_order(draft.id).await.unwrap();
    assert_eq!(t.order(draft.id).await.unwrap(), None);
    let err = t.delete_order(draft.id).await.unwrap_err();
    assert!(matches!(err, Error::NotFound(Entity::Order)), "{err:?}");
}

async fn negative_amounts_are_refused(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let negative_line = NewOrderLine {
        total_minor: -1,
        ..line("A", 1, 100)
    };
    for bad in [
        NewOrder {
            total_minor: -100,
            ..order(vec![])
        },
        order(vec![negative_line]),
        order(vec![line("A", 0, 100)]),
        NewOrder {
            currency: "euro".to_owned(),
            ..order(vec![])
        },
    ] {
        let err = t.create_order(&bad, T0).await.unwrap_err();
        assert!(matches!(err, Error::Invalid { .. }), "{err:?}");
    }
    let err = t
        .create_product(
            &NewProduct {
                unit_price_minor: -1,
                ..box_product()
            },
            T0,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Invalid { .. }), "{err:?}");
}

async fn orders_name_rows_of_their_own_tenant_only(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let other = fx.tenant("globex").await;
    let their_ticket = other
        .create_ticket(&NewTicket::new("x", Priority::Low, T0))
        .await
        .unwrap();
    let bad = NewOrder {
        ticket_id: Some(their_ticket.id),
        ..order(vec![line("A", 1, 1)])
    };
    let err = t.create_order(&bad, T0).await.unwrap_err();
    assert!(matches!(err, Error::MissingReference), "{err:?}");
    assert!(
        other
            .ticket_orders(their_ticket.id)
            .await
            .unwrap()
            .is_empty()
    );
}
