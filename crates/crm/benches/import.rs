//! Import throughput: 100,000 generated customer rows (1% malformed) through `CustomerReader`,
//! and `normalize_phone` alone.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use crm::{
    ColumnMapping, CustomerReader, FieldDef, FieldDefs, FieldKey, FieldKind, Region,
    normalize_phone,
};

const ROWS: usize = 100_000;

/// Rows like a CRM export: id, names, two phones in mixed formats, email, a choice and a money
/// field, consent; every 100th row has a bad phone.
fn generated_csv() -> String {
    let mut csv =
        String::from("Id,First name,Last name,Mobile,Work phone,Email,Plan,Credit,Consent\n");
    for i in 0..ROWS {
        let mobile = if i % 100 == 99 {
            "06 12".to_owned()
        } else {
            format!(
                "06 {:02} {:02} {:02} {:02}",
                (i / 1_000_000) % 100,
                (i / 10_000) % 100,
                (i / 100) % 100,
                i % 100
            )
        };
        let work = format!(
            "+33 1 {:02} {:02} {:02} {:02}",
            (i / 1_000_000) % 100 + 10,
            (i / 10_000) % 100,
            (i / 100) % 100,
            i % 100
        );
        let plan = ["Gold", "Silver", "Bronze"][i % 3];
        csv.push_str(&format!(
            "C{i},Ada{i},\"Lovelace, {i}\",{mobile},{work},ada.{i}@Example.com,{plan},{}.{:02},yes\n",
            i % 1000,
            i % 100
        ));
    }
    csv
}

fn defs() -> FieldDefs {
    FieldDefs::new(vec![
        FieldDef {
            key: FieldKey::new("plan").expect("valid key"),
            label: "Plan".into(),
            kind: FieldKind::Choice {
                options: vec!["Gold".into(), "Silver".into(), "Bronze".into()],
            },
            required: false,
        },
        FieldDef {
            key: FieldKey::new("credit").expect("valid key"),
            label: "Credit".into(),
            kind: FieldKind::Money {
                currency: "EUR".parse().expect("valid currency"),
            },
            required: false,
        },
    ])
    .expect("valid definitions")
}

fn import(c: &mut Criterion) {
    let csv = generated_csv();
    let defs = defs();
    let region: Region = "FR".parse().expect("known region");
    let mapping = ColumnMapping::parse("Consent=consent_recording").expect("valid spec");
    let mut group = c.benchmark_group("import");
    group.sample_size(10);
    group.throughput(Throughput::Elements(ROWS as u64));
    group.bench_function("csv_100k_rows", |b| {
        b.iter(|| {
            let reader =
                CustomerReader::new(csv.as_bytes(), &mapping, &defs, region).expect("header");
            let (mut good, mut bad) = (0u32, 0u32);
            for row in reader {
                match row {
                    Ok(r) => {
                        black_box(r);
                        good += 1;
                    }
                    Err(_) => bad += 1,
                }
            }
            assert_eq!((good, bad), (99_000, 1_000));
        })
    });
    group.finish();
}

fn phone(c: &mut Criterion) {
    let region: Region = "FR".parse().expect("known region");
    let mut group = c.benchmark_group("normalize_phone");
    group.throughput(Throughput::Elements(1));
    group.bench_function("national_fr", |b| {
        b.iter(|| normalize_phone(black_box("06 12 34 56 78"), region))
    });
    group.bench_function("international", |b| {
        b.iter(|| normalize_phone(black_box("+44 20 7946 0958"), region))
    });
    group.finish();
}

criterion_group!(benches, import, phone);
criterion_main!(benches);
