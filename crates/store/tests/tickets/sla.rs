//! SLA policies, the business calendar, and the due times and breaches recorded on tickets.

use serde_json::json;
use store::{
    Entity, Error, NewTicket, Priority, SlaTarget, TicketChange, TicketEventData, TicketState,
};

use crate::support::{Fixture, T0};

contract!(
    sla_policies_are_set_per_priority_and_replaced,
    invalid_sla_targets_are_refused,
    the_business_calendar_is_one_per_tenant,
    a_breach_is_recorded_once_with_its_event,
    the_first_response_is_recorded_once,
    due_times_are_updated_and_running_clocks_listed,
);

async fn sla_policies_are_set_per_priority_and_replaced(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    t.set_sla_policy(Priority::Urgent, 900, 14_400, T0)
        .await
        .unwrap();
    t.set_sla_policy(Priority::Low, 86_400, 432_000, T0)
        .await
        .unwrap();
    let replaced = t
        .set_sla_policy(Priority::Urgent, 600, 7_200, T0 + 1)
        .await
        .unwrap();
    assert_eq!(
        (
            replaced.first_response_secs,
            replaced.resolution_secs,
            replaced.updated_at_ms
        ),
        (600, 7_200, T0 + 1)
    );
    let all: Vec<_> = t
        .sla_policies()
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.priority)
        .collect();
    assert_eq!(all, [Priority::Low, Priority::Urgent]);
    assert_eq!(
        t.sla_policy(Priority::Urgent).await.unwrap(),
        Some(replaced)
    );
    t.delete_sla_policy(Priority::Low).await.unwrap();
    assert_eq!(t.sla_policy(Priority::Low).await.unwrap(), None);
    let err = t.delete_sla_policy(Priority::Low).await.unwrap_err();
    assert!(matches!(err, Error::NotFound(Entity::SlaPolicy)), "{err:?}");
}

async fn invalid_sla_targets_are_refused(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    for (first, resolution) in [(0, 10), (10, -1)] {
        let err = t
            .set_sla_policy(Priority::High, first, resolution, T0)
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Invalid { .. }), "{err:?}");
    }
    assert!(t.sla_policies().await.unwrap().is_empty());
}

async fn the_business_calendar_is_one_per_tenant(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    assert_eq!(t.business_calendar().await.unwrap(), None);
    let week =
        json!({"time_zone": "Europe/Paris", "weekly": [[["09:00", "18:00"]]], "holidays": []});
    t.set_business_calendar("Paris", &week, T0).await.unwrap();
    let holidays = json!({"time_zone": "Europe/Paris", "weekly": [], "holidays": ["2024-12-25"]});
    t.set_business_calendar("Paris 2", &holidays, T0 + 1)
        .await
        .unwrap();
    let stored = t.business_calendar().await.unwrap().unwrap();
    assert_eq!(
        (stored.name.as_str(), &stored.calendar, stored.updated_at_ms),
        ("Paris 2", &holidays, T0 + 1)
    );
    let err = t
        .set_business_calendar("x", &json!([1, 2]), T0)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Invalid { .. }), "{err:?}");
}

async fn a_breach_is_recorded_once_with_its_event(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let ticket = t
        .create_ticket(&NewTicket::new("Outage", Priority::High, T0))
        .await
        .unwrap();
    assert!(
        t.record_sla_breach(ticket.id, SlaTarget::Resolution, T0 + 5)
            .await
            .unwrap()
    );
    assert!(
        !t.record_sla_breach(ticket.id, SlaTarget::Resolution, T0 + 6)
            .await
            .unwrap()
    );
    let after = t.ticket(ticket.id).await.unwrap().unwrap();
    assert_eq!(after.resolution_breached_at_ms, Some(T0 + 5));
    assert_eq!(after.first_response_breached_at_ms, None);
    assert!(after.breached());
    let events = t.ticket_events(ticket.id).await.unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(
        (events[1].at_ms, &events[1].data, events[1].user_id),
        (
            T0 + 5,
            &TicketEventData::SlaBreached {
                which: SlaTarget::Resolution
            },
            None
        )
    );
    let err = t
        .record_sla_breach(store::TicketId(999), SlaTarget::Resolution, T0)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound(Entity::Ticket)), "{err:?}");
}

async fn the_first_response_is_recorded_once(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let ticket = t
        .create_ticket(&NewTicket::new("Outage", Priority::High, T0))
        .await
        .unwrap();
    assert!(
        t.record_first_response(ticket.id, None, T0 + 7)
            .await
            .unwrap()
    );
    assert!(
        !t.record_first_response(ticket.id, None, T0 + 8)
            .await
            .unwrap()
    );
    let after = t.ticket(ticket.id).await.unwrap().unwrap();
    assert_eq!(after.first_responded_at_ms, Some(T0 + 7));
    let events = t.ticket_events(ticket.id).await.unwrap();
    assert_eq!(
        events.last().unwrap().data,
        TicketEventData::FirstResponse {}
    );
}

async fn due_times_are_updated_and_running_clocks_listed(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let new = |s: &str| NewTicket::new(s, Priority::Normal, T0);
    let waiting = t.create_ticket(&new("waiting")).await.unwrap();
    let answered = t.create_ticket(&new("answered")).await.unwrap();
    let resolved = t.create_ticket(&new("resolved")).await.unwrap();
    let no_policy = t.create_ticket(&new("no policy")).await.unwrap();
    for ticket in [&waiting, &answered, &resolved] {
        t.set_ticket_sla_due(ticket.id, Some(T0 + 100), None)
            .await
            .unwrap();
    }
    t.record_first_response(answered.id, None, T0 + 50)
        .await
        .unwrap();
    t.apply_ticket_change(
        resolved.id,
        &TicketChange::to_state(TicketState::New, TicketState::Resolved, None, T0 + 60),
    )
    .await
    .unwrap();
    let running: Vec<_> = t
        .tickets_with_running_sla()
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.id)
        .collect();
    assert_eq!(running, [waiting.id]);
    t.set_ticket_sla_due(answered.id, None, Some(T0 + 1_000))
        .await
        .unwrap();
    let after = t.ticket(answered.id).await.unwrap().unwrap();
    assert_eq!(
        (after.first_response_due_ms, after.resolution_due_ms),
        (None, Some(T0 + 1_000))
    );
    let running = t.tickets_with_running_sla().await.unwrap();
    assert_eq!(running.len(), 2);
    assert!(running.iter().all(|t| t.id != no_policy.id));
    let err = t
        .set_ticket_sla_due(store::TicketId(999), None, None)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound(Entity::Ticket)), "{err:?}");
}
