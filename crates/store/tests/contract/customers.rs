//! Customers: idempotent import upsert, edits, screen pop, merge, search, export, custom field
//! definitions, and tenant isolation under random operations.

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use serde_json::json;
use store::{
    CustomFieldDef, Customer, CustomerFilter, CustomerId, CustomerRecord, CustomerUpsert, Entity,
    Error, SearchPage, TenantStore, Unique, UpsertReport,
};

use crate::support::{Fixture, T0};

contract!(
    an_import_inserts_new_external_ids,
    reimporting_the_same_rows_changes_nothing,
    a_changed_row_updates_only_that_customer,
    a_row_repeated_in_one_batch_counts_as_imported_twice,
    an_invalid_row_refuses_the_whole_batch,
    a_large_import_counts_every_row,
    customers_are_created_updated_and_read_back,
    a_taken_external_id_is_a_duplicate,
    screen_pop_returns_every_customer_with_the_number,
    screen_pop_of_an_unknown_number_is_empty,
    a_merged_duplicate_is_answered_by_its_survivor,
    merge_fills_gaps_and_keeps_the_survivors_values,
    merging_twice_or_into_itself_is_refused,
    reimport_after_a_merge_changes_nothing,
    search_matches_word_prefixes_of_names_ids_emails_and_phones,
    search_requires_every_word,
    lists_page_by_id_and_filter_on_consent,
    export_visits_every_survivor_once,
    custom_field_defs_are_replaced_in_order,
    custom_field_keys_are_checked,
    random_operations_of_one_tenant_never_touch_anothers_customers,
);

fn upsert(external_id: &str, first: &str, last: &str, phones: &[&str]) -> CustomerUpsert {
    CustomerUpsert {
        external_id: external_id.to_owned(),
        first_name: first.to_owned(),
        last_name: last.to_owned(),
        phones: phones.iter().map(|p| (*p).to_owned()).collect(),
        emails: vec![format!("{}@example.com", first.to_lowercase())],
        fields: json!({"plan": "gold"}).as_object().cloned().unwrap(),
        consent_recording: Some(true),
        consent_marketing: None,
    }
}

fn record(first: &str, phones: &[&str]) -> CustomerRecord {
    CustomerRecord {
        external_id: None,
        first_name: first.to_owned(),
        last_name: "Martin".to_owned(),
        phones: phones.iter().map(|p| (*p).to_owned()).collect(),
        emails: Vec::new(),
        fields: serde_json::Map::new(),
        consent_recording: None,
        consent_marketing: None,
    }
}

fn report(inserted: u64, updated: u64, unchanged: u64) -> UpsertReport {
    UpsertReport {
        inserted,
        updated,
        unchanged,
    }
}

async fn by_phone_ids(t: &TenantStore, e164: &str) -> Vec<CustomerId> {
    let found = t.customers_by_phone(e164).await.unwrap();
    found.iter().map(|c| c.id).collect()
}

async fn all(t: &TenantStore) -> Vec<Customer> {
    let mut out = Vec::new();
    t.export_customers(|c| {
        out.push(c.clone());
        Ok::<(), Error>(())
    })
    .await
    .unwrap();
    out
}

async fn an_import_inserts_new_external_ids(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let rows = [
        upsert("C1", "Alice", "Durand", &["+33612345678"]),
        upsert("C2", "Bob", "Petit", &["+33612345679", "+33140000000"]),
    ];
    assert_eq!(
        t.upsert_customers(&rows, T0).await.unwrap(),
        report(2, 0, 0)
    );
    let customers = all(&t).await;
    assert_eq!(customers.len(), 2);
    let bob = &customers[1];
    assert_eq!(bob.external_id.as_deref(), Some("C2"));
    assert_eq!(bob.phones, ["+33612345679", "+33140000000"]);
    assert_eq!(bob.emails, ["bob@example.com"]);
    assert_eq!(bob.fields["plan"], "gold");
    assert_eq!(bob.consent_recording, Some(true));
    assert_eq!(bob.consent_marketing, None);
    assert_eq!((bob.created_at_ms, bob.updated_at_ms), (T0, T0));
}

async fn reimporting_the_same_rows_changes_nothing(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let rows = [
        upsert("C1", "Alice", "Durand", &["+33612345678"]),
        upsert("C2", "Bob", "Petit", &["+33612345679"]),
    ];
    t.upsert_customers(&rows, T0).await.unwrap();
    let before = all(&t).await;
    let mut reordered = rows.clone();
    reordered.reverse();
    reordered[0].phones.reverse();
    assert_eq!(
        t.upsert_customers(&reordered, T0 + 1000).await.unwrap(),
        report(0, 0, 2)
    );
    assert_eq!(all(&t).await, before, "not even updated_at_ms moves");
}

async fn a_changed_row_updates_only_that_customer(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let mut rows = vec![
        upsert("C1", "Alice", "Durand", &["+33612345678"]),
        upsert("C2", "Bob", "Petit", &["+33612345679"]),
    ];
    t.upsert_customers(&rows, T0).await.unwrap();
    rows[1].phones = vec!["+33699999999".to_owned()];
    rows[1].consent_marketing = Some(false);
    assert_eq!(
        t.upsert_customers(&rows, T0 + 5).await.unwrap(),
        report(0, 1, 1)
    );
    let customers = all(&t).await;
    assert_eq!(customers[0].updated_at_ms, T0);
    assert_eq!(customers[1].updated_at_ms, T0 + 5);
    assert_eq!(customers[1].created_at_ms, T0);
    assert_eq!(customers[1].phones, ["+33699999999"]);
    assert_eq!(customers[1].consent_marketing, Some(false));
    assert!(by_phone_ids(&t, "+33612345679").await.is_empty());
    assert_eq!(by_phone_ids(&t, "+33699999999").await, [customers[1].id]);
}

async fn a_row_repeated_in_one_batch_counts_as_imported_twice(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let first = upsert("C1", "Alice", "Durand", &["+33612345678"]);
    let mut second = first.clone();
    second.last_name = "Dupont".to_owned();
    let rows = [first.clone(), first, second];
    assert_eq!(
        t.upsert_customers(&rows, T0).await.unwrap(),
        report(1, 1, 1)
    );
    let customers = all(&t).await;
    assert_eq!(customers.len(), 1);
    assert_eq!(customers[0].last_name, "Dupont", "the last one wins");
}

async fn an_invalid_row_refuses_the_whole_batch(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let rows = [
        upsert("C1", "Alice", "Durand", &["+33612345678"]),
        upsert("C2", "Bob", "Petit", &["0612345679"]),
    ];
    let err = t.upsert_customers(&rows, T0).await.unwrap_err();
    assert!(matches!(err, Error::Invalid { .. }), "{err:?}");
    assert!(all(&t).await.is_empty());
}

async fn a_large_import_counts_every_row(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let rows: Vec<CustomerUpsert> = (0..700)
        .map(|i| {
            let phone = format!("+336{i:08}");
            upsert(&format!("X{i}"), "Name", &format!("N{i}"), &[&phone])
        })
        .collect();
    assert_eq!(
        t.upsert_customers(&rows, T0).await.unwrap(),
        report(700, 0, 0)
    );
    assert_eq!(
        t.upsert_customers(&rows, T0).await.unwrap(),
        report(0, 0, 700)
    );
    assert_eq!(all(&t).await.len(), 700);
    assert_eq!(by_phone_ids(&t, "+33600000699").await.len(), 1);
}

async fn customers_are_created_updated_and_read_back(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let mut new = record("Alice", &["+33612345678"]);
    new.fields = json!({"limit": 5}).as_object().cloned().unwrap();
    let alice = t.create_customer(&new, T0).await.unwrap();
    assert_eq!(alice.first_name, "Alice");
    assert_eq!(alice.phones, ["+33612345678"]);
    assert_eq!(t.customer(alice.id).await.unwrap(), Some(alice.clone()));

    let mut changed = new.clone();
    changed.external_id = Some("EXT-9".to_owned());
    changed.phones = vec!["+33700000000".to_owned()];
    changed.emails = vec!["alice@example.org".to_owned()];
    changed.consent_recording = Some(false);
    let updated = t.update_customer(alice.id, &changed, T0 + 1).await.unwrap();
    assert_eq!(updated.external_id.as_deref(), Some("EXT-9"));
    assert_eq!(updated.phones, ["+33700000000"]);
    assert_eq!(updated.emails, ["alice@example.org"]);
    assert_eq!(updated.consent_recording, Some(false));
    assert_eq!(updated.updated_at_ms, T0 + 1);
    assert!(by_phone_ids(&t, "+33612345678").await.is_empty());

    let err = t
        .update_customer(CustomerId(alice.id.0 + 100), &changed, T0)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound(Entity::Customer)), "{err:?}");
}

async fn a_taken_external_id_is_a_duplicate(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let mut new = record("Alice", &[]);
    new.external_id = Some("E1".to_owned());
    t.create_customer(&new, T0).await.unwrap();
    let err = t.create_customer(&new, T0).await.unwrap_err();
    assert!(
        matches!(err, Error::Duplicate(Unique::CustomerExternalId)),
        "{err:?}"
    );
}

async fn screen_pop_returns_every_customer_with_the_number(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let shared = "+33140000000";
    let mut alice = record("Alice", &["+33612345678", shared]);
    alice.consent_recording = Some(false);
    let alice = t.create_customer(&alice, T0).await.unwrap();
    let bob = t
        .create_customer(&record("Bob", &[shared]), T0)
        .await
        .unwrap();
    t.create_customer(&record("Carol", &["+33699999999"]), T0)
        .await
        .unwrap();
    let found = t.customers_by_phone(shared).await.unwrap();
    assert_eq!(
        found.iter().map(|c| c.id).collect::<Vec<_>>(),
        [alice.id, bob.id]
    );
    assert_eq!(found[0].first_name, "Alice");
    assert_eq!(
        found[0].consent_recording,
        Some(false),
        "screen pop shows consent"
    );
    assert_eq!(found[1].consent_recording, None);
}

async fn screen_pop_of_an_unknown_number_is_empty(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    t.create_customer(&record("Alice", &["+33612345678"]), T0)
        .await
        .unwrap();
    assert!(by_phone_ids(&t, "+33612345670").await.is_empty());
}

async fn a_merged_duplicate_is_answered_by_its_survivor(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let keep = t
        .create_customer(&record("Alice", &["+33612345678"]), T0)
        .await
        .unwrap();
    let mut dup = record("Alice", &["+33699999999", "+33612345678"]);
    dup.emails = vec!["alice@example.com".to_owned()];
    let dup = t.create_customer(&dup, T0).await.unwrap();
    assert_eq!(by_phone_ids(&t, "+33612345678").await, [keep.id, dup.id]);
    let merged = t.merge_customers(keep.id, dup.id, T0 + 1).await.unwrap();
    assert_eq!(merged.merged, [dup.id]);
    assert_eq!(merged.phones, ["+33612345678", "+33699999999"]);
    assert_eq!(merged.emails, ["alice@example.com"]);
    assert_eq!(by_phone_ids(&t, "+33612345678").await, [keep.id]);
    assert_eq!(by_phone_ids(&t, "+33699999999").await, [keep.id]);
    let old = t.customer(dup.id).await.unwrap().unwrap();
    assert_eq!(old.merged_into, Some(keep.id), "history stays reachable");

    // A survivor merged in turn takes its duplicates along: no chains.
    let top = t.create_customer(&record("A.", &[]), T0).await.unwrap();
    let merged = t.merge_customers(top.id, keep.id, T0 + 2).await.unwrap();
    assert_eq!(merged.merged, [keep.id, dup.id]);
    assert_eq!(by_phone_ids(&t, "+33699999999").await, [top.id]);
    let ids: Vec<CustomerId> = all(&t).await.iter().map(|c| c.id).collect();
    assert_eq!(ids, [top.id]);
}

async fn merge_fills_gaps_and_keeps_the_survivors_values(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let mut a = record("Alice", &[]);
    a.fields = json!({"plan": "gold", "notes": null})
        .as_object()
        .cloned()
        .unwrap();
    a.consent_marketing = Some(false);
    let mut b = record("Alicia", &[]);
    b.fields = json!({"plan": "silver", "notes": "vip", "city": "Lyon"})
        .as_object()
        .cloned()
        .unwrap();
    b.consent_recording = Some(true);
    b.consent_marketing = Some(true);
    let a = t.create_customer(&a, T0).await.unwrap();
    let b = t.create_customer(&b, T0).await.unwrap();
    let merged = t.merge_customers(a.id, b.id, T0 + 1).await.unwrap();
    assert_eq!(merged.first_name, "Alice");
    assert_eq!(
        serde_json::Value::Object(merged.fields),
        json!({"plan": "gold", "notes": "vip", "city": "Lyon"})
    );
    assert_eq!(merged.consent_recording, Some(true));
    assert_eq!(merged.consent_marketing, Some(false));
    assert_eq!(merged.updated_at_ms, T0 + 1);
}

async fn merging_twice_or_into_itself_is_refused(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let a = t.create_customer(&record("A", &[]), T0).await.unwrap();
    let b = t.create_customer(&record("B", &[]), T0).await.unwrap();
    let c = t.create_customer(&record("C", &[]), T0).await.unwrap();
    let err = t.merge_customers(a.id, a.id, T0).await.unwrap_err();
    assert!(matches!(err, Error::Invalid { .. }), "{err:?}");
    t.merge_customers(a.id, b.id, T0).await.unwrap();
    for (keep, other) in [(c.id, b.id), (b.id, c.id)] {
        let err = t.merge_customers(keep, other, T0).await.unwrap_err();
        assert!(matches!(err, Error::Invalid { .. }), "{err:?}");
    }
    let err = t
        .merge_customers(a.id, CustomerId(c.id.0 + 100), T0)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound(Entity::Customer)), "{err:?}");
}

async fn reimport_after_a_merge_changes_nothing(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let mut rows = vec![
        upsert("C1", "Alice", "Durand", &["+33612345678"]),
        upsert("C2", "Alice", "Durand", &["+33699999999"]),
    ];
    rows[1].fields = json!({"city": "Lyon"}).as_object().cloned().unwrap();
    t.upsert_customers(&rows, T0).await.unwrap();
    let ids: Vec<CustomerId> = all(&t).await.iter().map(|c| c.id).collect();
    t.merge_customers(ids[0], ids[1], T0 + 1).await.unwrap();
    let before = all(&t).await;
    assert_eq!(
        t.upsert_customers(&rows, T0 + 2).await.unwrap(),
        report(0, 0, 2)
    );
    assert_eq!(all(&t).await, before);
    assert_eq!(before[0].fields["city"], "Lyon");
}

async fn search_matches_word_prefixes_of_names_ids_emails_and_phones(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let mut jean = record("Jean-Pierre", &["+33612345678"]);
    jean.last_name = "Dupont".to_owned();
    jean.external_id = Some("ACC-7781".to_owned());
    jean.emails = vec!["jp@dupont.fr".to_owned()];
    let jean = t.create_customer(&jean, T0).await.unwrap();
    let other = t
        .create_customer(&record("Marie", &["+33140000000"]), T0)
        .await
        .unwrap();
    let page = SearchPage::default();
    for query in [
        "dup",
        "JEAN pierre",
        "acc-778",
        "7781",
        "jp@dupont",
        "33612",
    ] {
        let found = t.search_customers(query, page).await.unwrap();
        assert_eq!(
            found.iter().map(|c| c.id).collect::<Vec<_>>(),
            [jean.id],
            "{query}"
        );
    }
    let both = t.search_customers("martin", page).await.unwrap();
    assert_eq!(both.len(), 1, "Jean's last name is Dupont");
    assert_eq!(both[0].id, other.id);
    assert!(t.search_customers("  ;; ", page).await.unwrap().is_empty());
    assert!(
        t.search_customers("\"*:& OR (", page)
            .await
            .unwrap()
            .is_empty(),
        "query syntax is not passed through"
    );
}

async fn search_requires_every_word(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let a = t.create_customer(&record("Alice", &[]), T0).await.unwrap();
    let b = t.create_customer(&record("Bob", &[]), T0).await.unwrap();
    let page = SearchPage::default();
    let ids = |found: Vec<store::CustomerSummary>| found.iter().map(|c| c.id).collect::<Vec<_>>();
    assert_eq!(
        ids(t.search_customers("martin", page).await.unwrap()),
        [a.id, b.id]
    );
    assert_eq!(
        ids(t.search_customers("martin bo", page).await.unwrap()),
        [b.id]
    );
    let second = SearchPage {
        offset: 1,
        limit: 1,
    };
    assert_eq!(
        ids(t.search_customers("martin", second).await.unwrap()),
        [b.id]
    );
    // A merged duplicate's words find its survivor.
    t.merge_customers(a.id, b.id, T0).await.unwrap();
    assert_eq!(ids(t.search_customers("bob", page).await.unwrap()), [a.id]);
}

async fn lists_page_by_id_and_filter_on_consent(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let mut ids = Vec::new();
    for i in 0..5 {
        let mut r = record(&format!("C{i}"), &[]);
        r.consent_marketing = Some(i % 2 == 0);
        ids.push(t.create_customer(&r, T0 + i).await.unwrap().id);
    }
    let filter = CustomerFilter::default();
    let first = t.list_customers(&filter, None, 2).await.unwrap();
    assert_eq!(
        first.customers.iter().map(|c| c.id).collect::<Vec<_>>(),
        ids[..2]
    );
    let rest = t.list_customers(&filter, first.next, 10).await.unwrap();
    assert_eq!(
        rest.customers.iter().map(|c| c.id).collect::<Vec<_>>(),
        ids[2..]
    );
    assert_eq!(rest.next, None);

    let opted_in = CustomerFilter {
        consent_marketing: Some(true),
        ..CustomerFilter::default()
    };
    let page = t.list_customers(&opted_in, None, 10).await.unwrap();
    assert_eq!(
        page.customers.iter().map(|c| c.id).collect::<Vec<_>>(),
        [ids[0], ids[2], ids[4]]
    );
    let recent = CustomerFilter {
        updated_since_ms: Some(T0 + 3),
        ..CustomerFilter::default()
    };
    let page = t.list_customers(&recent, None, 10).await.unwrap();
    assert_eq!(page.customers.len(), 2);

    t.merge_customers(ids[0], ids[1], T0).await.unwrap();
    let page = t.list_customers(&filter, None, 10).await.unwrap();
    assert_eq!(page.customers.len(), 4);
    let with_merged = CustomerFilter {
        include_merged: true,
        ..CustomerFilter::default()
    };
    let page = t.list_customers(&with_merged, None, 10).await.unwrap();
    assert_eq!(page.customers[1].merged_into, Some(ids[0]));
}

async fn export_visits_every_survivor_once(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let rows: Vec<CustomerUpsert> = (0..2100)
        .map(|i| upsert(&format!("E{i}"), "Name", "Last", &[]))
        .collect();
    for chunk in rows.chunks(1000) {
        t.upsert_customers(chunk, T0).await.unwrap();
    }
    let mut seen = Vec::new();
    let count = t
        .export_customers(|c| {
            seen.push(c.external_id.clone().unwrap());
            Ok::<(), Error>(())
        })
        .await
        .unwrap();
    assert_eq!(count, 2100);
    let expected: Vec<String> = (0..2100).map(|i| format!("E{i}")).collect();
    assert_eq!(seen, expected);
}

async fn custom_field_defs_are_replaced_in_order(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let def = |key: &str, kind: serde_json::Value, required| CustomFieldDef {
        key: key.to_owned(),
        label: key.to_uppercase(),
        kind,
        required,
    };
    let first = vec![
        def(
            "plan",
            json!({"type": "choice", "options": ["gold", "silver"]}),
            true,
        ),
        def(
            "balance",
            json!({"type": "money", "currency": "EUR"}),
            false,
        ),
    ];
    t.set_custom_field_defs(&first).await.unwrap();
    assert_eq!(t.custom_field_defs().await.unwrap(), first);
    let second = vec![
        def("renewal", json!({"type": "date"}), false),
        first[0].clone(),
    ];
    t.set_custom_field_defs(&second).await.unwrap();
    assert_eq!(t.custom_field_defs().await.unwrap(), second);
}

async fn custom_field_keys_are_checked(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let def = |key: &str| CustomFieldDef {
        key: key.to_owned(),
        label: "L".to_owned(),
        kind: json!({"type": "date"}),
        required: false,
    };
    for bad in ["", "Plan", "1plan", "pl-an", &"a".repeat(64)] {
        let err = t.set_custom_field_defs(&[def(bad)]).await.unwrap_err();
        assert!(matches!(err, Error::Invalid { .. }), "{bad:?}");
    }
    let err = t
        .set_custom_field_defs(&[def("plan"), def("plan")])
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Invalid { .. }), "{err:?}");
    assert!(t.custom_field_defs().await.unwrap().is_empty());
}

/// One operation made through tenant A. Indices pick among the ids both tenants have, so A is
/// also asked about B's customers.
#[derive(Debug, Clone)]
enum Op {
    Create { name: u8, phone: u8 },
    Upsert { key: u8, name: u8, phone: u8 },
    Update { target: u8, name: u8, phone: u8 },
    Merge { keep: u8, other: u8 },
    Read { target: u8 },
    ByPhone { phone: u8 },
    Search { name: u8 },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (any::<u8>(), any::<u8>()).prop_map(|(name, phone)| Op::Create { name, phone }),
        (any::<u8>(), any::<u8>(), any::<u8>()).prop_map(|(key, name, phone)| Op::Upsert {
            key,
            name,
            phone
        }),
        (any::<u8>(), any::<u8>(), any::<u8>()).prop_map(|(target, name, phone)| Op::Update {
            target,
            name,
            phone
        }),
        (any::<u8>(), any::<u8>()).prop_map(|(keep, other)| Op::Merge { keep, other }),
        any::<u8>().prop_map(|target| Op::Read { target }),
        any::<u8>().prop_map(|phone| Op::ByPhone { phone }),
        any::<u8>().prop_map(|name| Op::Search { name }),
    ]
}

/// Both tenants draw names, phones and external ids from the same small pools, so A's writes
/// hit B's keys whenever they can.
fn pool_phone(n: u8) -> String {
    format!("+3361000000{}", n % 8)
}
fn pool_name(n: u8) -> String {
    ["Alice", "Bob", "Carol", "Dan"][usize::from(n % 4)].to_owned()
}
fn pool_key(n: u8) -> String {
    format!("K{}", n % 6)
}

async fn random_operations_of_one_tenant_never_touch_anothers_customers(fx: &Fixture) {
    let a = fx.tenant("acme").await;
    let b = fx.tenant("globex").await;
    let b_rows: Vec<CustomerUpsert> = (0..6)
        .map(|i| upsert(&pool_key(i), &pool_name(i), "B", &[&pool_phone(i)]))
        .collect();
    b.upsert_customers(&b_rows, T0).await.unwrap();
    let b_ids: Vec<CustomerId> = all(&b).await.iter().map(|c| c.id).collect();
    let snapshot = |t: TenantStore| async move {
        let mut page = t
            .list_customers(
                &CustomerFilter {
                    include_merged: true,
                    ..CustomerFilter::default()
                },
                None,
                1000,
            )
            .await
            .unwrap()
            .customers;
        page.sort_by_key(|c| c.id);
        (page, all(&t).await)
    };
    let b_before = snapshot(b.clone()).await;

    let mut runner = TestRunner::deterministic();
    let ops = proptest::collection::vec(op(), 1..40);
    for _ in 0..8 {
        let ops = ops.new_tree(&mut runner).unwrap().current();
        let mut a_ids = all_ids(&a).await;
        let pick = |a_ids: &[CustomerId], n: u8| {
            let everyone: Vec<CustomerId> = a_ids.iter().chain(&b_ids).copied().collect();
            everyone[usize::from(n) % everyone.len()]
        };
        for op in ops {
            match op {
                Op::Create { name, phone } => {
                    let c = a
                        .create_customer(&record(&pool_name(name), &[&pool_phone(phone)]), T0)
                        .await
                        .unwrap();
                    a_ids.push(c.id);
                }
                Op::Upsert { key, name, phone } => {
                    let row = upsert(&pool_key(key), &pool_name(name), "A", &[&pool_phone(phone)]);
                    a.upsert_customers(&[row], T0).await.unwrap();
                    a_ids = all_ids(&a).await;
                }
                Op::Update {
                    target,
                    name,
                    phone,
                } => {
                    let id = pick(&a_ids, target);
                    let r = record(&pool_name(name), &[&pool_phone(phone)]);
                    let result = a.update_customer(id, &r, T0).await;
                    assert_eq!(result.is_ok(), a_ids.contains(&id), "{id}: {result:?}");
                }
                Op::Merge { keep, other } => {
                    let (keep, other) = (pick(&a_ids, keep), pick(&a_ids, other));
                    let result = a.merge_customers(keep, other, T0).await;
                    if b_ids.contains(&keep) || b_ids.contains(&other) {
                        assert!(result.is_err(), "merged across tenants");
                    }
                }
                Op::Read { target } => {
                    let id = pick(&a_ids, target);
                    let found = a.customer(id).await.unwrap();
                    assert_eq!(found.is_some(), all_ids(&a).await.contains(&id));
                    if let Some(c) = found {
                        assert!(!b_ids.contains(&c.id));
                    }
                }
                Op::ByPhone { phone } => {
                    for c in a.customers_by_phone(&pool_phone(phone)).await.unwrap() {
                        assert!(!b_ids.contains(&c.id), "screen pop leaked {}", c.id);
                    }
                }
                Op::Search { name } => {
                    let found = a
                        .search_customers(&pool_name(name), SearchPage::default())
                        .await
                        .unwrap();
                    for c in found {
                        assert!(!b_ids.contains(&c.id), "search leaked {}", c.id);
                    }
                }
            }
        }
        for c in all(&a).await {
            assert!(!b_ids.contains(&c.id));
            assert!(c.phones.len() <= 8);
        }
        assert_eq!(snapshot(b.clone()).await, b_before, "B's customers changed");
    }
}

async fn all_ids(t: &TenantStore) -> Vec<CustomerId> {
    let page = t
        .list_customers(
            &CustomerFilter {
                include_merged: true,
                ..CustomerFilter::default()
            },
            None,
            1000,
        )
        .await
        .unwrap();
    page.customers.iter().map(|c| c.id).collect()
}
