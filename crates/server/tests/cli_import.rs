//! `plateau import customers` and `plateau export customers` as a user runs them: a generated
//! file with about 1% malformed rows goes in whole but for its bad rows, each reported with its
//! line; importing it again changes nothing; an export imports back into another tenant.

// Helpers outside the #[test] fns, where clippy's allow-unwrap-in-tests does not reach: an
// unwrap failing there is a test failing.
#![allow(clippy::unwrap_used)]

mod import_support;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output};
use std::time::Instant;

use store::{CustomFieldDef, Error, Store, TenantStore};

/// Rows of the main test's file (see the report for the debug-build wall time at 100,000).
const ROWS: usize = 20_000;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Runtime::new().unwrap()
}

/// A database with tenants `slugs`, each with the `plan` field the generated file uses.
fn database(dir: &Path, slugs: &[&str]) -> String {
    let url = format!("sqlite://{}", dir.join("plateau.db").display());
    runtime().block_on(async {
        let store = Store::open(&url).await.unwrap();
        for slug in slugs {
            let tenant = store.create_tenant(slug, slug, 0).await.unwrap();
            let tenant = store.tenant(tenant.id).await.unwrap();
            tenant
                .set_custom_field_defs(&[CustomFieldDef {
                    key: "plan".to_owned(),
                    label: "Plan".to_owned(),
                    kind: serde_json::from_str(import_support::PLAN_FIELD_KIND).unwrap(),
                    required: false,
                }])
                .await
                .unwrap();
        }
        store.close().await;
    });
    url
}

async fn tenant(url: &str, slug: &str) -> TenantStore {
    let store = Store::open(url).await.unwrap();
    let id = store.tenant_by_slug(slug).await.unwrap().unwrap().id;
    store.tenant(id).await.unwrap()
}

fn plateau(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_plateau"))
        .args(args)
        .output()
        .expect("the plateau binary runs")
}

/// The `key: value` lines of the import's report.
fn report(output: &Output) -> BTreeMap<String, String> {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.split_once(": "))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

fn count(report: &BTreeMap<String, String>, key: &str) -> usize {
    report
        .get(key)
        .unwrap_or_else(|| panic!("no {key:?} in {report:?}"))
        .parse()
        .unwrap()
}

/// The line numbers of the `line N: reason` messages on stderr.
fn reported_lines(output: &Output) -> Vec<u64> {
    String::from_utf8_lossy(&output.stderr)
        .lines()
        .filter_map(|line| line.strip_prefix("line ")?.split_once(':')?.0.parse().ok())
        .collect()
}

async fn stored(url: &str, slug: &str) -> Vec<store::Customer> {
    let tenant = tenant(url, slug).await;
    let mut all = Vec::new();
    tenant
        .export_customers(|c| {
            all.push(c.clone());
            Ok::<(), Error>(())
        })
        .await
        .unwrap();
    all
}

#[test]
fn good_rows_go_in_bad_rows_are_reported_by_line_and_reimport_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let url = database(dir.path(), &["acme"]);
    let csv = dir.path().join("customers.csv");
    let bad = import_support::generate(ROWS, &mut std::fs::File::create(&csv).unwrap()).unwrap();
    assert!(bad.len() >= ROWS / 100, "about 1% malformed: {}", bad.len());
    let good = ROWS - bad.len();
    let errors = dir.path().join("errors.csv");
    let import = || {
        let started = Instant::now();
        let output = plateau(&[
            "import",
            "customers",
            csv.to_str().unwrap(),
            "--tenant",
            "acme",
            "--database-url",
            &url,
            "--map",
            import_support::MAPPING,
            "--errors",
            errors.to_str().unwrap(),
        ]);
        eprintln!("import of {ROWS} rows took {:?}", started.elapsed());
        output
    };

    let first = import();
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let totals = report(&first);
    assert_eq!(count(&totals, "rows read"), ROWS);
    assert_eq!(count(&totals, "inserted"), good);
    assert_eq!(count(&totals, "updated"), 0);
    assert_eq!(count(&totals, "unchanged"), 0);
    assert_eq!(count(&totals, "rejected"), bad.len());
    assert_eq!(reported_lines(&first), bad);
    let error_file = std::fs::read_to_string(&errors).unwrap();
    let error_lines: Vec<u64> = error_file
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').next()?.parse().ok())
        .collect();
    assert_eq!(error_lines, bad);

    let customers = runtime().block_on(stored(&url, "acme"));
    assert_eq!(customers.len(), good);
    let c1 = customers
        .iter()
        .find(|c| c.external_id.as_deref() == Some("C1"))
        .unwrap();
    assert_eq!(c1.first_name, "Ann1");
    assert_eq!(c1.phones, ["+33600000001"]);
    assert_eq!(c1.emails, ["c1@example.com"]);
    assert_eq!(c1.consent_recording, Some(false));
    assert_eq!(
        c1.fields["plan"],
        serde_json::json!({"type": "choice", "value": "Gold"})
    );

    let second = import();
    assert!(
        second.status.success(),
        "{}",
        String::from_utf8_lossy(&second.stderr)
    );
    let totals = report(&second);
    assert_eq!(count(&totals, "inserted"), 0);
    assert_eq!(count(&totals, "updated"), 0);
    assert_eq!(count(&totals, "unchanged"), good);
    assert_eq!(count(&totals, "rejected"), bad.len());
    assert_eq!(runtime().block_on(stored(&url, "acme")), customers);
}

#[test]
fn an_export_imports_back_unchanged_into_another_tenant() {
    let dir = tempfile::tempdir().unwrap();
    let url = database(dir.path(), &["acme", "copy"]);
    let csv = dir.path().join("customers.csv");
    let bad = import_support::generate(600, &mut std::fs::File::create(&csv).unwrap()).unwrap();
    let imported = plateau(&[
        "import",
        "customers",
        csv.to_str().unwrap(),
        "--tenant",
        "acme",
        "--database-url",
        &url,
        "--map",
        import_support::MAPPING,
    ]);
    assert!(imported.status.success());

    let exported = plateau(&[
        "export",
        "customers",
        "--tenant",
        "acme",
        "--database-url",
        &url,
    ]);
    assert!(
        exported.status.success(),
        "{}",
        String::from_utf8_lossy(&exported.stderr)
    );
    let text = String::from_utf8(exported.stdout).unwrap();
    assert!(
        text.starts_with(
            "external_id,first_name,last_name,phone_1,email_1,consent_recording,\
             consent_marketing,plan\n"
        ),
        "{text}"
    );
    let export_file = dir.path().join("export.csv");
    std::fs::write(&export_file, &text).unwrap();
    let copied = plateau(&[
        "import",
        "customers",
        export_file.to_str().unwrap(),
        "--tenant",
        "copy",
        "--database-url",
        &url,
    ]);
    assert!(
        copied.status.success(),
        "{}",
        String::from_utf8_lossy(&copied.stderr)
    );
    let totals = report(&copied);
    assert_eq!(count(&totals, "inserted"), 600 - bad.len());
    assert_eq!(count(&totals, "rejected"), 0);

    let strip = |customers: Vec<store::Customer>| {
        customers
            .into_iter()
            .map(|c| {
                (
                    c.external_id,
                    c.first_name,
                    c.phones,
                    c.emails,
                    c.fields,
                    c.consent_recording,
                )
            })
            .collect::<Vec<_>>()
    };
    let (original, copy) =
        runtime().block_on(async { (stored(&url, "acme").await, stored(&url, "copy").await) });
    assert_eq!(strip(copy), strip(original));
}

#[test]
fn a_missing_tenant_or_file_fails_the_import() {
    let dir = tempfile::tempdir().unwrap();
    let url = database(dir.path(), &["acme"]);
    let csv = dir.path().join("customers.csv");
    import_support::generate(10, &mut std::fs::File::create(&csv).unwrap()).unwrap();
    let no_tenant = plateau(&[
        "import",
        "customers",
        csv.to_str().unwrap(),
        "--tenant",
        "nope",
        "--database-url",
        &url,
    ]);
    assert!(!no_tenant.status.success());
    assert!(String::from_utf8_lossy(&no_tenant.stderr).contains("no tenant \"nope\""));
    let missing = dir.path().join("missing.csv");
    let no_file = plateau(&[
        "import",
        "customers",
        missing.to_str().unwrap(),
        "--tenant",
        "acme",
        "--database-url",
        &url,
    ]);
    assert!(!no_file.status.success());
}
