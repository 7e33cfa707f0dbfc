//! Tickets: creation with the first contact, history, the optimistic state check, listing,
//! contacts, FCR data and search.

use serde_json::{Map, json};
use store::{
    Assignee, Entity, Error, NewTicket, NoteVisibility, Priority, TicketChange, TicketEventData,
    TicketQuery, TicketState,
};

use crate::support::{Fixture, T0, agent};
use crate::{call, customer};

contract!(
    a_ticket_is_created_new_with_its_first_contact_and_history,
    escalation_writes_state_tier_and_events_together,
    a_change_from_a_stale_state_is_a_conflict_and_writes_nothing,
    two_agents_moving_a_ticket_at_once_cannot_both_succeed,
    a_tier_change_without_a_reason_is_refused,
    a_change_that_changes_nothing_writes_no_event,
    resolving_sets_and_reopening_clears_the_resolution_time,
    changes_to_a_missing_ticket_are_not_found,
    notes_and_fields_are_kept_in_the_history,
    concurrent_field_updates_are_all_kept,
    linking_a_contact_twice_links_it_once,
    tickets_are_listed_by_filter_newest_first,
    listing_pages_through_every_ticket_once,
    open_tickets_of_a_customer_are_found_by_subject,
    a_merged_duplicates_tickets_and_orders_count_as_the_survivors,
    fcr_contacts_carry_customer_subject_and_resolution,
    search_finds_tickets_by_subject_and_note_words,
    ticket_categories_are_unique_by_name,
    invalid_tickets_are_refused,
);

fn new_ticket(subject: &str) -> NewTicket {
    NewTicket::new(subject, Priority::Normal, T0)
}

async fn a_ticket_is_created_new_with_its_first_contact_and_history(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let alice = agent(&t, "alice", "1001").await;
    let who = customer(&t, "Jeanne").await;
    let contact = call(&t, 1, T0).await;
    let ticket = t
        .create_ticket(&NewTicket {
            customer_id: Some(who),
            interaction_id: Some(contact),
            by: Some(alice.id),
            first_response_due_ms: Some(T0 + 3_600_000),
            ..new_ticket("Box does not sync")
        })
        .await
        .unwrap();
    assert_eq!(ticket.state, TicketState::New);
    assert_eq!((ticket.tier, ticket.customer_id), (1, Some(who)));
    assert_eq!(ticket.first_response_due_ms, Some(T0 + 3_600_000));
    let detail = t.ticket_detail(ticket.id).await.unwrap().unwrap();
    assert_eq!(detail.ticket, ticket);
    assert_eq!(detail.contacts.len(), 1);
    assert_eq!(detail.contacts[0].interaction_id, contact);
    assert_eq!(detail.contacts[0].started_at_ms, T0);
    let kinds: Vec<_> = detail.events.iter().map(|e| (e.seq, &e.data)).collect();
    assert_eq!(
        kinds,
        [
            (
                1,
                &TicketEventData::Created {
                    subject: "Box does not sync".to_owned(),
                    priority: Priority::Normal,
                    tier: 1
                }
            ),
            (
                2,
                &TicketEventData::ContactLinked {
                    interaction_id: contact
                }
            ),
        ]
    );
    assert!(detail.events.iter().all(|e| e.user_id == Some(alice.id)));
    assert!(detail.orders.is_empty());
    assert_eq!(t.interaction_tickets(contact).await.unwrap(), [ticket]);
}

async fn escalation_writes_state_tier_and_events_together(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let alice = agent(&t, "alice", "1001").await;
    let ticket = t.create_ticket(&new_ticket("No signal")).await.unwrap();
    let changed = t
        .apply_ticket_change(
            ticket.id,
            &TicketChange {
                reason: Some("needs a technician".to_owned()),
                tier: Some(2),
                assignee: Some(Assignee {
                    user_id: None,
                    team: Some("tier2".to_owned()),
                }),
                ..TicketChange::to_state(
                    TicketState::New,
                    TicketState::Escalated,
                    Some(alice.id),
                    T0 + 10,
                )
            },
        )
        .await
        .unwrap();
    assert_eq!(changed.state, TicketState::Escalated);
    assert_eq!(changed.tier, 2);
    assert_eq!(changed.assigned_team.as_deref(), Some("tier2"));
    assert_eq!(changed.updated_at_ms, T0 + 10);
    let events = t.ticket_events(ticket.id).await.unwrap();
    let tail: Vec<_> = events[1..].iter().map(|e| e.data.clone()).collect();
    assert_eq!(
        tail,
        [
            TicketEventData::StateChanged {
                from: TicketState::New,
                to: TicketState::Escalated,
                reason: Some("needs a technician".to_owned()),
            },
            TicketEventData::Escalated {
                from_tier: 1,
                tier: 2,
                reason: "needs a technician".to_owned(),
            },
            TicketEventData::Assigned {
                user_id: None,
                team: Some("tier2".to_owned()),
            },
        ]
    );
    let seqs: Vec<_> = events.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, [1, 2, 3, 4]);
    let tier2 = t
        .tickets(&TicketQuery {
            tier: Some(2),
            states: vec![TicketState::Escalated],
            ..TicketQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(tier2.tickets, [changed]);
}

async fn a_change_from_a_stale_state_is_a_conflict_and_writes_nothing(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let ticket = t.create_ticket(&new_ticket("Refund")).await.unwrap();
    let open = TicketChange::to_state(TicketState::New, TicketState::Open, None, T0 + 1);
    t.apply_ticket_change(ticket.id, &open).await.unwrap();
    let late = TicketChange::to_state(TicketState::New, TicketState::Resolved, None, T0 + 2);
    let err = t.apply_ticket_change(ticket.id, &late).await.unwrap_err();
    assert!(matches!(err, Error::Conflict(Entity::Ticket)), "{err:?}");
    let now = t.ticket(ticket.id).await.unwrap().unwrap();
    assert_eq!((now.state, now.resolved_at_ms), (TicketState::Open, None));
    assert_eq!(t.ticket_events(ticket.id).await.unwrap().len(), 2);
}

async fn two_agents_moving_a_ticket_at_once_cannot_both_succeed(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let ticket = t.create_ticket(&new_ticket("Refund")).await.unwrap();
    let resolve = TicketChange::to_state(TicketState::New, TicketState::Resolved, None, T0 + 1);
    let escalate = TicketChange {
        reason: Some("angry".to_owned()),
        tier: Some(3),
        ..TicketChange::to_state(TicketState::New, TicketState::Escalated, None, T0 + 1)
    };
    let (a, b) = tokio::join!(
        t.apply_ticket_change(ticket.id, &resolve),
        t.apply_ticket_change(ticket.id, &escalate)
    );
    assert!(a.is_ok() != b.is_ok(), "{a:?} / {b:?}");
    let loser = if a.is_ok() { b } else { a };
    assert!(matches!(loser, Err(Error::Conflict(Entity::Ticket))));
    let events = t.ticket_events(ticket.id).await.unwrap();
    let changes = events
        .iter()
        .filter(|e| matches!(e.data, TicketEventData::StateChanged { .. }))
        .count();
    assert_eq!(changes, 1);
}

async fn a_tier_change_without_a_reason_is_refused(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let ticket = t.create_ticket(&new_ticket("Refund")).await.unwrap();
    let change = TicketChange {
        tier: Some(2),
        ..TicketChange::to_state(TicketState::New, TicketState::Escalated, None, T0 + 1)
    };
    let err = t.apply_ticket_change(ticket.id, &change).await.unwrap_err();
    assert!(matches!(err, Error::Invalid { .. }), "{err:?}");
    let bad_tier = TicketChange {
        tier: Some(4),
        reason: Some("x".to_owned()),
        ..change
    };
    assert!(t.apply_ticket_change(ticket.id, &bad_tier).await.is_err());
    assert_eq!(t.ticket(ticket.id).await.unwrap().unwrap().tier, 1);
}

async fn a_change_that_changes_nothing_writes_no_event(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let ticket = t.create_ticket(&new_ticket("Refund")).await.unwrap();
    let same = TicketChange {
        tier: Some(1),
        priority: Some(Priority::Normal),
        ..TicketChange::to_state(TicketState::New, TicketState::New, None, T0 + 5)
    };
    let after = t.apply_ticket_change(ticket.id, &same).await.unwrap();
    assert_eq!(after, ticket);
    assert_eq!(t.ticket_events(ticket.id).await.unwrap().len(), 1);
}

async fn resolving_sets_and_reopening_clears_the_resolution_time(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let ticket = t.create_ticket(&new_ticket("Refund")).await.unwrap();
    let steps = [
        (TicketState::New, TicketState::Open, T0 + 1, None),
        (
            TicketState::Open,
            TicketState::Resolved,
            T0 + 2,
            Some(T0 + 2),
        ),
        (TicketState::Resolved, TicketState::Reopened, T0 + 3, None),
        (
            TicketState::Reopened,
            TicketState::Resolved,
            T0 + 4,
            Some(T0 + 4),
        ),
        (
            TicketState::Resolved,
            TicketState::Closed,
            T0 + 5,
            Some(T0 + 4),
        ),
    ];
    for (from, to, at, resolved_at) in steps {
        let after = t
            .apply_ticket_change(ticket.id, &TicketChange::to_state(from, to, None, at))
            .await
            .unwrap();
        assert_eq!((after.state, after.resolved_at_ms), (to, resolved_at));
    }
}

async fn changes_to_a_missing_ticket_are_not_found(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let missing = store::TicketId(404);
    let change = TicketChange::to_state(TicketState::New, TicketState::Open, None, T0);
    let err = t.apply_ticket_change(missing, &change).await.unwrap_err();
    assert!(matches!(err, Error::NotFound(Entity::Ticket)), "{err:?}");
    let err = t
        .add_ticket_note(missing, NoteVisibility::Internal, "x", None, T0)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound(Entity::Ticket)), "{err:?}");
    assert_eq!(t.ticket(missing).await.unwrap(), None);
    assert_eq!(t.ticket_detail(missing).await.unwrap(), None);
}

async fn notes_and_fields_are_kept_in_the_history(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let alice = agent(&t, "alice", "1001").await;
    let ticket = t.create_ticket(&new_ticket("Move")).await.unwrap();
    t.add_ticket_note(
        ticket.id,
        NoteVisibility::Internal,
        "called twice",
        Some(alice.id),
        T0 + 1,
    )
    .await
    .unwrap();
    let mut fields = Map::new();
    fields.insert("new_address".to_owned(), json!("1 rue de la Paix"));
    fields.insert("moving_date".to_owned(), json!("2024-01-15"));
    t.set_ticket_fields(ticket.id, &fields, Some(alice.id), T0 + 2)
        .await
        .unwrap();
    let mut later = Map::new();
    later.insert("moving_date".to_owned(), json!("2024-02-01"));
    let after = t
        .set_ticket_fields(ticket.id, &later, Some(alice.id), T0 + 3)
        .await
        .unwrap();
    assert_eq!(after.fields["new_address"], json!("1 rue de la Paix"));
    assert_eq!(after.fields["moving_date"], json!("2024-02-01"));
    let events = t.ticket_events(ticket.id).await.unwrap();
    assert_eq!(
        events[1].data,
        TicketEventData::Note {
            visibility: NoteVisibility::Internal,
            text: "called twice".to_owned()
        }
    );
    assert_eq!(
        (events[1].user_id, events[1].at_ms),
        (Some(alice.id), T0 + 1)
    );
    assert_eq!(events[2].data, TicketEventData::FieldsSet { fields });
    assert_eq!(events[3].data, TicketEventData::FieldsSet { fields: later });
}

async fn concurrent_field_updates_are_all_kept(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let ticket = t.create_ticket(&new_ticket("Move")).await.unwrap();
    let writes: Vec<_> = (0..8)
        .map(|n| {
            let t = t.clone();
            tokio::spawn(async move {
                let mut fields = Map::new();
                fields.insert(format!("k{n}"), json!(n));
                t.set_ticket_fields(ticket.id, &fields, None, T0 + n).await
            })
        })
        .collect();
    for write in writes {
        write.await.unwrap().unwrap();
    }
    let after = t.ticket(ticket.id).await.unwrap().unwrap();
    assert_eq!(after.fields.len(), 8, "{:?}", after.fields);
    assert_eq!(t.ticket_events(ticket.id).await.unwrap().len(), 9);
}

async fn linking_a_contact_twice_links_it_once(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let ticket = t.create_ticket(&new_ticket("Move")).await.unwrap();
    let first = call(&t, 1, T0).await;
    let second = call(&t, 2, T0 + 100).await;
    assert!(
        t.link_ticket_interaction(ticket.id, second, None, T0 + 100)
            .await
            .unwrap()
    );
    assert!(
        t.link_ticket_interaction(ticket.id, first, None, T0 + 200)
            .await
            .unwrap()
    );
    assert!(
        !t.link_ticket_interaction(ticket.id, first, None, T0 + 300)
            .await
            .unwrap()
    );
    let contacts: Vec<_> = t
        .ticket_contacts(ticket.id)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.interaction_id)
        .collect();
    assert_eq!(contacts, [first, second]);
    assert_eq!(t.ticket_events(ticket.id).await.unwrap().len(), 3);
    let unknown = store::InteractionId::from_parts(T0, 999);
    let err = t
        .link_ticket_interaction(ticket.id, unknown, None, T0)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::MissingReference), "{err:?}");
}

async fn tickets_are_listed_by_filter_newest_first(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let alice = agent(&t, "alice", "1001").await;
    let who = customer(&t, "Jeanne").await;
    let billing = t.create_ticket_category("billing", T0).await.unwrap();
    let a = t
        .create_ticket(&NewTicket {
            customer_id: Some(who),
            category_id: Some(billing.id),
            ..new_ticket("a")
        })
        .await
        .unwrap();
    let b = t
        .create_ticket(&NewTicket {
            assigned_user_id: Some(alice.id),
            priority: Priority::Urgent,
            ..new_ticket("b")
        })
        .await
        .unwrap();
    let c = t.create_ticket(&new_ticket("c")).await.unwrap();
    t.record_sla_breach(c.id, store::SlaTarget::FirstResponse, T0 + 9)
        .await
        .unwrap();
    let ids = |page: store::TicketPage| page.tickets.into_iter().map(|t| t.id).collect::<Vec<_>>();
    let all = t.tickets(&TicketQuery::default()).await.unwrap();
    assert_eq!(ids(all), [c.id, b.id, a.id]);
    let cases = [
        (
            TicketQuery {
                customer_id: Some(who),
                ..TicketQuery::default()
            },
            vec![a.id],
        ),
        (
            TicketQuery {
                category_id: Some(billing.id),
                ..TicketQuery::default()
            },
            vec![a.id],
        ),
        (
            TicketQuery {
                assigned_user_id: Some(alice.id),
                ..TicketQuery::default()
            },
            vec![b.id],
        ),
        (
            TicketQuery {
                priority: Some(Priority::Urgent),
                ..TicketQuery::default()
            },
            vec![b.id],
        ),
        (
            TicketQuery {
                breached: Some(true),
                ..TicketQuery::default()
            },
            vec![c.id],
        ),
        (
            TicketQuery {
                breached: Some(false),
                ..TicketQuery::default()
            },
            vec![b.id, a.id],
        ),
        (
            TicketQuery {
                states: vec![TicketState::Open, TicketState::Closed],
                ..TicketQuery::default()
            },
            vec![],
        ),
        (
            TicketQuery {
                assigned_team: Some("tier2".to_owned()),
                ..TicketQuery::default()
            },
            vec![],
        ),
    ];
    for (query, expected) in cases {
        assert_eq!(ids(t.tickets(&query).await.unwrap()), expected, "{query:?}");
    }
}

async fn listing_pages_through_every_ticket_once(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let mut made = Vec::new();
    for n in 0..7 {
        made.push(
            t.create_ticket(&new_ticket(&format!("t{n}")))
                .await
                .unwrap()
                .id,
        );
    }
    let mut seen = Vec::new();
    let mut query = TicketQuery {
        limit: 3,
        ..TicketQuery::default()
    };
    loop {
        let page = t.tickets(&query).await.unwrap();
        assert!(page.tickets.len() <= 3);
        seen.extend(page.tickets.iter().map(|t| t.id));
        match page.next {
            Some(next) => query.before = Some(next),
            None => break,
        }
    }
    made.reverse();
    assert_eq!(seen, made);
}

async fn open_tickets_of_a_customer_are_found_by_subject(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let who = customer(&t, "Jeanne").await;
    let other = customer(&t, "Paul").await;
    let mine = |subject: &str| NewTicket {
        customer_id: Some(who),
        ..new_ticket(subject)
    };
    let internet = t.create_ticket(&mine("Internet down")).await.unwrap();
    let invoice = t.create_ticket(&mine("Invoice")).await.unwrap();
    let done = t.create_ticket(&mine("Internet down")).await.unwrap();
    t.apply_ticket_change(
        done.id,
        &TicketChange::to_state(TicketState::New, TicketState::Resolved, None, T0),
    )
    .await
    .unwrap();
    t.create_ticket(&NewTicket {
        customer_id: Some(other),
        ..new_ticket("Internet down")
    })
    .await
    .unwrap();
    let ids = |tickets: Vec<store::Ticket>| tickets.into_iter().map(|t| t.id).collect::<Vec<_>>();
    let found = t
        .open_tickets_for_customer(who, Some("internet DOWN"))
        .await
        .unwrap();
    assert_eq!(ids(found), [internet.id]);
    let all = t.open_tickets_for_customer(who, None).await.unwrap();
    assert_eq!(ids(all), [invoice.id, internet.id]);
}

async fn a_merged_duplicates_tickets_and_orders_count_as_the_survivors(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let keep = customer(&t, "Jeanne").await;
    let duplicate = customer(&t, "Jeane").await;
    let ticket = t
        .create_ticket(&NewTicket {
            customer_id: Some(duplicate),
            ..new_ticket("Internet down")
        })
        .await
        .unwrap();
    let order = t
        .create_order(
            &store::NewOrder {
                ticket_id: None,
                customer_id: Some(duplicate),
                interaction_id: None,
                status: store::OrderStatus::Placed,
                currency: "EUR".to_owned(),
                total_minor: 0,
                lines: Vec::new(),
                user_id: None,
            },
            T0,
        )
        .await
        .unwrap();
    assert!(
        t.open_tickets_for_customer(keep, None)
            .await
            .unwrap()
            .is_empty()
    );
    t.merge_customers(keep, duplicate, T0 + 1).await.unwrap();
    let open = t
        .open_tickets_for_customer(keep, Some("Internet down"))
        .await
        .unwrap();
    assert_eq!(open, std::slice::from_ref(&ticket));
    let listed = t
        .tickets(&TicketQuery {
            customer_id: Some(keep),
            ..TicketQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(listed.tickets, std::slice::from_ref(&ticket));
    assert_eq!(t.customer_orders(keep).await.unwrap(), [order]);
    let contact = call(&t, 1, T0 + 2).await;
    t.link_ticket_interaction(listed.tickets[0].id, contact, None, T0 + 2)
        .await
        .unwrap();
    let fcr = t.fcr_contacts(T0, T0 + 3).await.unwrap();
    assert_eq!(fcr[0].customer_id, Some(keep));
}

async fn fcr_contacts_carry_customer_subject_and_resolution(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let who = customer(&t, "Jeanne").await;
    let first = call(&t, 1, T0).await;
    let ticket = t
        .create_ticket(&NewTicket {
            customer_id: Some(who),
            interaction_id: Some(first),
            ..new_ticket("Internet down")
        })
        .await
        .unwrap();
    t.apply_ticket_change(
        ticket.id,
        &TicketChange::to_state(TicketState::New, TicketState::Resolved, None, T0 + 60_000),
    )
    .await
    .unwrap();
    let again = call(&t, 2, T0 + 86_400_000).await;
    t.link_ticket_interaction(ticket.id, again, None, T0 + 86_400_000)
        .await
        .unwrap();
    let unlinked = call(&t, 3, T0 + 5).await;
    let contacts = t.fcr_contacts(T0, T0 + 2 * 86_400_000).await.unwrap();
    let seen: Vec<_> = contacts
        .iter()
        .map(|c| {
            (
                c.interaction_id,
                c.at_ms,
                c.customer_id,
                c.ticket_resolved_at_ms,
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (first, T0, Some(who), Some(T0 + 60_000)),
            (again, T0 + 86_400_000, Some(who), Some(T0 + 60_000)),
        ]
    );
    assert!(
        contacts
            .iter()
            .all(|c| c.subject == "Internet down" && c.ticket_id == ticket.id)
    );
    assert!(contacts.iter().all(|c| c.interaction_id != unlinked));
    let window = t.fcr_contacts(T0 + 1, T0 + 86_400_000).await.unwrap();
    assert!(window.is_empty());
}

async fn search_finds_tickets_by_subject_and_note_words(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let fibre = t
        .create_ticket(&new_ticket("Fibre box offline"))
        .await
        .unwrap();
    let invoice = t
        .create_ticket(&new_ticket("Invoice question"))
        .await
        .unwrap();
    t.add_ticket_note(
        invoice.id,
        NoteVisibility::Customer,
        "Customer disputes the roaming charges",
        None,
        T0,
    )
    .await
    .unwrap();
    t.add_ticket_note(fibre.id, NoteVisibility::Internal, "box replaced", None, T0)
        .await
        .unwrap();
    let ids = |tickets: Vec<store::Ticket>| tickets.into_iter().map(|t| t.id).collect::<Vec<_>>();
    assert_eq!(
        ids(t.search_tickets("fibre", 10).await.unwrap()),
        [fibre.id]
    );
    assert_eq!(
        ids(t.search_tickets("ROAM", 10).await.unwrap()),
        [invoice.id]
    );
    assert_eq!(
        ids(t.search_tickets("box offline", 10).await.unwrap()),
        [fibre.id]
    );
    assert_eq!(ids(t.search_tickets("box", 10).await.unwrap()), [fibre.id]);
    assert!(
        t.search_tickets("box roaming", 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(t.search_tickets("\"*:& OR", 10).await.unwrap().is_empty());
    assert!(t.search_tickets("", 10).await.unwrap().is_empty());
}

async fn ticket_categories_are_unique_by_name(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let billing = t.create_ticket_category("billing", T0).await.unwrap();
    let err = t.create_ticket_category("billing", T0).await.unwrap_err();
    assert!(
        matches!(err, Error::Duplicate(store::Unique::TicketCategoryName)),
        "{err:?}"
    );
    t.update_ticket_category(billing.id, "invoices", false)
        .await
        .unwrap();
    let all = t.ticket_categories().await.unwrap();
    assert_eq!((all[0].name.as_str(), all[0].active), ("invoices", false));
}

async fn invalid_tickets_are_refused(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    for bad in [
        new_ticket(" "),
        new_ticket(&"x".repeat(501)),
        NewTicket {
            tier: 0,
            ..new_ticket("a")
        },
    ] {
        let err = t.create_ticket(&bad).await.unwrap_err();
        assert!(matches!(err, Error::Invalid { .. }), "{err:?}");
    }
    let ghost = NewTicket {
        customer_id: Some(store::CustomerId(12345)),
        ..new_ticket("a")
    };
    let err = t.create_ticket(&ghost).await.unwrap_err();
    assert!(matches!(err, Error::MissingReference), "{err:?}");
    assert!(
        t.tickets(&TicketQuery::default())
            .await
            .unwrap()
            .tickets
            .is_empty()
    );
}
