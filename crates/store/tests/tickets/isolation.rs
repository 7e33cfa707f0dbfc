//! Tenant isolation, as a property: random sequences of operations made through tenant A, aimed
//! at tenant B's ids (and at arbitrary ids), never return B's tickets, orders, scripts or
//! articles and never change them.
//!
//! The sequences come from a proptest strategy sampled by a deterministic runner inside the
//! async test (the database fixtures are async); a failure prints the sequence that caused it.

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use serde_json::{Map, json};
use store::{
    DispositionId, KbArticleId, NewKbArticle, NewOrder, NewScriptRun, NewTicket, NoteVisibility,
    OrderId, OrderStatus, Priority, QueueId, Scope, ScriptId, SlaTarget, TenantStore, TicketChange,
    TicketId, TicketQuery, TicketState,
};

use crate::support::{Fixture, T0, agent};
use crate::{call, customer};

contract!(operations_through_one_tenant_never_reach_anothers_rows);

/// Sequences tried per backend.
const CASES: usize = 24;

/// Which id an operation aims at.
#[derive(Debug, Clone, Copy)]
enum Target {
    /// The other tenant's row.
    Theirs,
    /// Any id (it may be nobody's, or the acting tenant's own).
    Any(i64),
}

#[derive(Debug, Clone)]
enum Op {
    ReadTicket(Target),
    ChangeTicket(Target, usize, usize),
    Note(Target),
    SetFields(Target),
    LinkTheirCall(Target),
    Breach(Target),
    FirstResponse(Target),
    SlaDue(Target),
    ListTickets(Target),
    OpenForTheirCustomer,
    SearchTickets,
    OrderOnTicket(Target),
    ReadOrder(Target),
    UpdateOrder(Target),
    OrderStatus(Target),
    DeleteOrder(Target),
    ReadScript(Target),
    ActivateScript(Target),
    RunScript(Target),
    LinkScriptToTheirQueue(Target),
    SaveScriptOfSameName,
    ReadKb(Target),
    UpdateKb(Target),
    DeleteKb(Target),
    SearchKb,
    DisposeTheirCall(Target),
    UpdateDisposition(Target),
}

fn target() -> impl Strategy<Value = Target> {
    prop_oneof![Just(Target::Theirs), (0i64..40).prop_map(Target::Any)]
}

fn op() -> impl Strategy<Value = Op> {
    let states = TicketState::ALL.len();
    prop_oneof![
        target().prop_map(Op::ReadTicket),
        (target(), 0..states, 0..states).prop_map(|(t, a, b)| Op::ChangeTicket(t, a, b)),
        target().prop_map(Op::Note),
        target().prop_map(Op::SetFields),
        target().prop_map(Op::LinkTheirCall),
        target().prop_map(Op::Breach),
        target().prop_map(Op::FirstResponse),
        target().prop_map(Op::SlaDue),
        target().prop_map(Op::ListTickets),
        Just(Op::OpenForTheirCustomer),
        Just(Op::SearchTickets),
        target().prop_map(Op::OrderOnTicket),
        target().prop_map(Op::ReadOrder),
        target().prop_map(Op::UpdateOrder),
        target().prop_map(Op::OrderStatus),
        target().prop_map(Op::DeleteOrder),
        target().prop_map(Op::ReadScript),
        target().prop_map(Op::ActivateScript),
        target().prop_map(Op::RunScript),
        target().prop_map(Op::LinkScriptToTheirQueue),
        Just(Op::SaveScriptOfSameName),
        target().prop_map(Op::ReadKb),
        target().prop_map(Op::UpdateKb),
        target().prop_map(Op::DeleteKb),
        Just(Op::SearchKb),
        target().prop_map(Op::DisposeTheirCall),
        target().prop_map(Op::UpdateDisposition),
    ]
}

/// Tenant B's rows.
struct Theirs {
    ticket: TicketId,
    order: OrderId,
    script: ScriptId,
    article: KbArticleId,
    disposition: DispositionId,
    queue: QueueId,
    customer: store::CustomerId,
    call: store::InteractionId,
}

impl Theirs {
    fn id(&self, target: Target, theirs: i64) -> i64 {
        match target {
            Target::Theirs => theirs,
            Target::Any(n) => n,
        }
    }
}

/// Everything of B's that A must not change.
#[derive(Debug, PartialEq)]
struct Snapshot {
    ticket: Option<store::TicketDetail>,
    tickets: store::TicketPage,
    order: Option<store::Order>,
    scripts: Vec<store::Script>,
    versions: Vec<store::ScriptVersion>,
    runs: Vec<store::ScriptRun>,
    linked: Option<store::ScriptVersion>,
    articles: Vec<store::KbArticle>,
    found: Vec<store::KbArticle>,
    dispositions: Vec<store::Disposition>,
    given: Vec<store::InteractionDisposition>,
}

async fn snapshot(b: &TenantStore, theirs: &Theirs) -> Snapshot {
    Snapshot {
        ticket: b.ticket_detail(theirs.ticket).await.unwrap(),
        tickets: b.tickets(&TicketQuery::default()).await.unwrap(),
        order: b.order(theirs.order).await.unwrap(),
        scripts: b.scripts().await.unwrap(),
        versions: b.script_versions(theirs.script).await.unwrap(),
        runs: b.script_runs(theirs.script, None).await.unwrap(),
        linked: b.script_for(&Scope::Queue(theirs.queue)).await.unwrap(),
        articles: b.kb_articles(None, 100).await.unwrap(),
        found: b.search_kb("secret", 10).await.unwrap(),
        dispositions: b
            .dispositions(&Scope::Queue(theirs.queue), true)
            .await
            .unwrap(),
        given: b.interaction_dispositions(theirs.call).await.unwrap(),
    }
}

async fn populate(b: &TenantStore) -> Theirs {
    let bob = agent(b, "bob", "1001").await;
    let who = customer(b, "Secret").await;
    let contact = call(b, 77, T0).await;
    let queue = b
        .create_queue("secret", &store::QueueSettings::default(), T0)
        .await
        .unwrap();
    let ticket = b
        .create_ticket(&NewTicket {
            customer_id: Some(who),
            interaction_id: Some(contact),
            ..NewTicket::new("secret subject", Priority::High, T0)
        })
        .await
        .unwrap();
    b.add_ticket_note(
        ticket.id,
        NoteVisibility::Internal,
        "secret note",
        Some(bob.id),
        T0,
    )
    .await
    .unwrap();
    let order = b
        .create_order(&sample_order(Some(ticket.id)), T0)
        .await
        .unwrap();
    let script = b
        .save_script("main", "secret body", T0, true)
        .await
        .unwrap();
    b.link_script(&Scope::Queue(queue.id), script.script_id)
        .await
        .unwrap();
    b.save_script_run(&NewScriptRun {
        script_id: script.script_id,
        version: 1,
        interaction_id: Some(contact),
        ticket_id: Some(ticket.id),
        user_id: Some(bob.id),
        path: json!(["a"]),
        answers: json!({"k": "v"}),
        at_ms: T0,
    })
    .await
    .unwrap();
    let article = b
        .create_kb_article(&kb("secret tariffs"), T0)
        .await
        .unwrap();
    let disposition = b
        .create_disposition(&Scope::Queue(queue.id), "sale", "Sale", T0)
        .await
        .unwrap();
    b.set_interaction_disposition(contact, bob.id, disposition.id, "secret", T0)
        .await
        .unwrap();
    Theirs {
        ticket: ticket.id,
        order: order.id,
        script: script.script_id,
        article: article.id,
        disposition: disposition.id,
        queue: queue.id,
        customer: who,
        call: contact,
    }
}

fn sample_order(ticket: Option<TicketId>) -> NewOrder {
    NewOrder {
        ticket_id: ticket,
        customer_id: None,
        interaction_id: None,
        status: OrderStatus::Placed,
        currency: "EUR".to_owned(),
        total_minor: 0,
        lines: Vec::new(),
        user_id: None,
    }
}

fn kb(title: &str) -> NewKbArticle {
    NewKbArticle {
        title: title.to_owned(),
        body: "secret".to_owned(),
        tags: Vec::new(),
    }
}

/// Runs one operation through `a`; panics if it returned any of B's rows. Errors are expected
/// (B's rows are not found through A), and so is success on A's own rows.
async fn run(a: &TenantStore, alice: store::UserId, theirs: &Theirs, op: &Op) {
    let state = |n: usize| TicketState::ALL[n];
    match *op {
        Op::ReadTicket(t) => {
            let id = TicketId(theirs.id(t, theirs.ticket.0));
            if let Some(found) = a.ticket_detail(id).await.unwrap() {
                assert_ne!(found.ticket.id, theirs.ticket);
            }
            assert!(a.ticket_events(theirs.ticket).await.unwrap().is_empty());
            assert!(a.ticket_contacts(theirs.ticket).await.unwrap().is_empty());
        }
        Op::ChangeTicket(t, from, to) => {
            let id = TicketId(theirs.id(t, theirs.ticket.0));
            let change = TicketChange::to_state(state(from), state(to), Some(alice), T0 + 1);
            let _ = a.apply_ticket_change(id, &change).await;
        }
        Op::Note(t) => {
            let id = TicketId(theirs.id(t, theirs.ticket.0));
            let _ = a
                .add_ticket_note(id, NoteVisibility::Customer, "intrusion", None, T0)
                .await;
        }
        Op::SetFields(t) => {
            let id = TicketId(theirs.id(t, theirs.ticket.0));
            let mut fields = Map::new();
            fields.insert("k".to_owned(), json!("intrusion"));
            let _ = a.set_ticket_fields(id, &fields, None, T0).await;
        }
        Op::LinkTheirCall(t) => {
            let id = TicketId(theirs.id(t, theirs.ticket.0));
            let _ = a.link_ticket_interaction(id, theirs.call, None, T0).await;
            assert!(a.interaction_tickets(theirs.call).await.unwrap().is_empty());
        }
        Op::Breach(t) => {
            let id = TicketId(theirs.id(t, theirs.ticket.0));
            let _ = a.record_sla_breach(id, SlaTarget::Resolution, T0).await;
        }
        Op::FirstResponse(t) => {
            let id = TicketId(theirs.id(t, theirs.ticket.0));
            let _ = a.record_first_response(id, None, T0).await;
        }
        Op::SlaDue(t) => {
            let id = TicketId(theirs.id(t, theirs.ticket.0));
            let _ = a.set_ticket_sla_due(id, Some(1), Some(2)).await;
        }
        Op::ListTickets(t) => {
            let query = TicketQuery {
                customer_id: matches!(t, Target::Theirs).then_some(theirs.customer),
                ..TicketQuery::default()
            };
            let page = a.tickets(&query).await.unwrap();
            assert!(page.tickets.iter().all(|t| t.id != theirs.ticket));
            let running = a.tickets_with_running_sla().await.unwrap();
            assert!(running.iter().all(|t| t.id != theirs.ticket));
            let fcr = a.fcr_contacts(0, i64::MAX).await.unwrap();
            assert!(fcr.iter().all(|c| c.ticket_id != theirs.ticket));
        }
        Op::OpenForTheirCustomer => {
            let found = a
                .open_tickets_for_customer(theirs.customer, None)
                .await
                .unwrap();
            assert!(found.is_empty());
        }
        Op::SearchTickets => {
            let found = a.search_tickets("secret", 10).await.unwrap();
            assert!(found.iter().all(|t| t.id != theirs.ticket));
        }
        Op::OrderOnTicket(t) => {
            let id = TicketId(theirs.id(t, theirs.ticket.0));
            if let Ok(order) = a.create_order(&sample_order(Some(id)), T0).await {
                assert_ne!(order.ticket_id, Some(theirs.ticket));
            }
            assert!(a.ticket_orders(theirs.ticket).await.unwrap().is_empty());
        }
        Op::ReadOrder(t) => {
            let id = OrderId(theirs.id(t, theirs.order.0));
            if let Some(order) = a.order(id).await.unwrap() {
                assert_ne!(order.id, theirs.order);
            }
        }
        Op::UpdateOrder(t) => {
            let id = OrderId(theirs.id(t, theirs.order.0));
            let _ = a.update_order(id, &sample_order(None), T0 + 1).await;
        }
        Op::OrderStatus(t) => {
            let id = OrderId(theirs.id(t, theirs.order.0));
            let _ = a.set_order_status(id, OrderStatus::Cancelled, T0 + 1).await;
        }
        Op::DeleteOrder(t) => {
            let id = OrderId(theirs.id(t, theirs.order.0));
            let _ = a.delete_order(id).await;
        }
        Op::ReadScript(t) => {
            let id = ScriptId(theirs.id(t, theirs.script.0));
            if let Some(script) = a.script(id).await.unwrap() {
                assert_ne!(script.id, theirs.script);
            }
            assert!(a.script_versions(theirs.script).await.unwrap().is_empty());
            assert!(a.script_runs(theirs.script, None).await.unwrap().is_empty());
            assert_eq!(a.script_version(theirs.script, 1).await.unwrap(), None);
            let linked = a.script_for(&Scope::Queue(theirs.queue)).await.unwrap();
            assert_eq!(linked, None);
        }
        Op::ActivateScript(t) => {
            let id = ScriptId(theirs.id(t, theirs.script.0));
            let _ = a.activate_script_version(id, 1).await;
        }
        Op::RunScript(t) => {
            let id = ScriptId(theirs.id(t, theirs.script.0));
            let run = NewScriptRun {
                script_id: id,
                version: 1,
                interaction_id: None,
                ticket_id: None,
                user_id: None,
                path: json!([]),
                answers: json!({}),
                at_ms: T0,
            };
            let _ = a.save_script_run(&run).await;
        }
        Op::LinkScriptToTheirQueue(t) => {
            let id = ScriptId(theirs.id(t, theirs.script.0));
            let _ = a.link_script(&Scope::Queue(theirs.queue), id).await;
            let _ = a.unlink_script(&Scope::Queue(theirs.queue)).await;
        }
        Op::SaveScriptOfSameName => {
            let saved = a.save_script("main", "mine", T0, true).await.unwrap();
            assert_ne!(saved.script_id, theirs.script);
        }
        Op::ReadKb(t) => {
            let id = KbArticleId(theirs.id(t, theirs.article.0));
            if let Some(article) = a.kb_article(id).await.unwrap() {
                assert_ne!(article.id, theirs.article);
            }
            let listed = a.kb_articles(None, 100).await.unwrap();
            assert!(listed.iter().all(|x| x.id != theirs.article));
        }
        Op::UpdateKb(t) => {
            let id = KbArticleId(theirs.id(t, theirs.article.0));
            let _ = a.update_kb_article(id, &kb("intrusion"), T0 + 1).await;
        }
        Op::DeleteKb(t) => {
            let id = KbArticleId(theirs.id(t, theirs.article.0));
            let _ = a.delete_kb_article(id).await;
        }
        Op::SearchKb => {
            let found = a.search_kb("secret tariffs", 10).await.unwrap();
            assert!(found.iter().all(|x| x.id != theirs.article));
        }
        Op::DisposeTheirCall(t) => {
            let id = DispositionId(theirs.id(t, theirs.disposition.0));
            let _ = a
                .set_interaction_disposition(theirs.call, alice, id, "intrusion", T0)
                .await;
            assert!(
                a.interaction_dispositions(theirs.call)
                    .await
                    .unwrap()
                    .is_empty()
            );
            assert_eq!(a.disposition(theirs.disposition).await.unwrap(), None);
        }
        Op::UpdateDisposition(t) => {
            let id = DispositionId(theirs.id(t, theirs.disposition.0));
            let _ = a.update_disposition(id, "intrusion", false).await;
            let theirs_listed = a
                .dispositions(&Scope::Queue(theirs.queue), true)
                .await
                .unwrap();
            assert!(theirs_listed.is_empty());
        }
    }
}

async fn operations_through_one_tenant_never_reach_anothers_rows(fx: &Fixture) {
    let a = fx.tenant("acme").await;
    let b = fx.tenant("globex").await;
    let theirs = populate(&b).await;
    // A has rows of its own, so operations aimed at arbitrary ids also succeed sometimes.
    let alice = agent(&a, "alice", "2001").await;
    let mine = a
        .create_ticket(&NewTicket::new("secret too", Priority::Low, T0))
        .await
        .unwrap();
    a.create_order(&sample_order(Some(mine.id)), T0)
        .await
        .unwrap();
    a.create_kb_article(&kb("secret mine"), T0).await.unwrap();
    let before = snapshot(&b, &theirs).await;
    let mut runner = TestRunner::deterministic();
    let sequences = proptest::collection::vec(op(), 1..12);
    for _ in 0..CASES {
        let ops = sequences.new_tree(&mut runner).unwrap().current();
        for op in &ops {
            run(&a, alice.id, &theirs, op).await;
        }
        let after = snapshot(&b, &theirs).await;
        assert_eq!(after, before, "tenant B changed after {ops:?}");
    }
}
