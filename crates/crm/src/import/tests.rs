use super::*;
use crate::custom_field::{FieldDef, FieldKind, FieldValue};
use proptest::prelude::*;

fn fr() -> Region {
    "FR".parse().unwrap()
}

fn plan_defs(required: bool) -> FieldDefs {
    FieldDefs::new(vec![FieldDef {
        key: FieldKey::new("plan").unwrap(),
        label: "Plan".into(),
        kind: FieldKind::Choice {
            options: vec!["Gold".into(), "Silver".into()],
        },
        required,
    }])
    .unwrap()
}

fn read(csv: &str, spec: &str, defs: &FieldDefs) -> Vec<Result<ImportedRow, RowError>> {
    let mapping = ColumnMapping::parse(spec).unwrap();
    CustomerReader::new(csv.as_bytes(), &mapping, defs, fr())
        .unwrap()
        .collect()
}

fn error_lines(rows: &[Result<ImportedRow, RowError>]) -> Vec<u64> {
    rows.iter()
        .filter_map(|r| r.as_ref().err().map(|e| e.line))
        .collect()
}

#[test]
fn mapped_columns_fill_the_customer() {
    let csv = "Id,Prénom,Nom,Mobile,Work,Mail,Rec,Plan\n\
               C1,Ada,Lovelace,01 23 45 67 89,+44 20 7946 0958,ADA@EXAMPLE.COM,oui,gold\n";
    let rows = read(
        csv,
        "Prénom=first_name,Work=phone,Rec=consent_recording",
        &plan_defs(false),
    );
    let c = &rows[0].as_ref().unwrap().customer;
    assert_eq!(c.external_id.as_deref(), Some("C1"));
    assert_eq!(c.first_name.as_deref(), Some("Ada"));
    assert_eq!(c.last_name.as_deref(), Some("Lovelace"));
    let phones: Vec<&str> = c.phones.iter().map(|p| p.as_str()).collect();
    assert_eq!(phones, ["+33123456789", "+442079460958"]);
    assert_eq!(c.emails[0].as_str(), "ADA@example.com");
    assert_eq!(c.consent_recording, Some(true));
    assert_eq!(c.fields["plan"], FieldValue::Choice("Gold".into()));
}

#[test]
fn headers_are_matched_by_their_words() {
    let defs = plan_defs(false);
    let targets = ColumnMapping::default()
        .resolve(
            &[
                "Customer ID",
                "Work phone",
                "Phone 2",
                "mobile3",
                "E-mail",
                "Mail pro",
                "Hotel",
                "PLAN",
                "Notes",
            ],
            &defs,
        )
        .unwrap();
    let plan = Target::Field(FieldKey::new("plan").unwrap());
    use Target::*;
    assert_eq!(
        targets,
        [
            ExternalId, Phone, Phone, Phone, Email, Email, Ignore, plan, Ignore
        ]
    );
}

#[test]
fn semicolon_and_tab_separated_files_are_recognised() {
    for (csv, delimiter) in [
        ("id;phone;note\nC1;01 23 45 67 89;\"a, b\"\n", b';'),
        ("id\tphone\nC1\t01 23 45 67 89\n", b'\t'),
        ("id,note\nC1,\"a;b;c\"\n", b','),
    ] {
        let mapping = ColumnMapping::default();
        let reader =
            CustomerReader::new(csv.as_bytes(), &mapping, &FieldDefs::default(), fr()).unwrap();
        assert_eq!(reader.delimiter(), delimiter, "{csv:?}");
        let rows: Vec<_> = reader.collect();
        assert_eq!(
            rows[0].as_ref().unwrap().customer.external_id.as_deref(),
            Some("C1")
        );
    }
}

#[test]
fn unlisted_headers_can_be_ignored() {
    let mapping = ColumnMapping::parse("Id=external_id")
        .unwrap()
        .match_unlisted_headers(false);
    let csv = "Id,Phone\nC1,bad\n";
    let rows: Vec<_> = CustomerReader::new(csv.as_bytes(), &mapping, &FieldDefs::default(), fr())
        .unwrap()
        .collect();
    assert!(rows[0].as_ref().unwrap().customer.phones.is_empty());
}

#[test]
fn line_numbers_count_lines_inside_quoted_cells() {
    let csv = "id,note,phone\n\
               C1,\"two\nlines\",01 23 45 67 89\n\
               C2,x,bad\n\
               \n\
               C3,\"a\n\nb\",nope\n\
               C4,x,01 23 45 67 89\n";
    let rows = read(csv, "note=ignore", &FieldDefs::default());
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[0].as_ref().unwrap().line, 2);
    assert_eq!(error_lines(&rows), [4, 6]);
    assert_eq!(rows[3].as_ref().unwrap().line, 9);
}

#[test]
fn a_bad_row_names_the_column_and_reading_goes_on() {
    let csv = "id,mobile\nC1,01 23 45\nC2,01 23 45 67 89\n";
    let rows = read(csv, "", &FieldDefs::default());
    let err = rows[0].as_ref().unwrap_err();
    assert_eq!(err.line, 2);
    assert!(err.reason.contains("\"mobile\""), "{}", err.reason);
    assert!(rows[1].is_ok());
}

#[test]
fn rows_with_the_wrong_number_of_cells_are_refused() {
    let csv = "id,phone\nC1\nC2,01 23 45 67 89,extra\nC3,01 23 45 67 89\n";
    let rows = read(csv, "", &FieldDefs::default());
    assert_eq!(error_lines(&rows), [2, 3]);
    assert!(
        rows[0]
            .as_ref()
            .unwrap_err()
            .reason
            .contains("expected 2 columns, found 1")
    );
}

#[test]
fn oversized_rows_are_refused() {
    let csv = format!(
        "id,phone\nC1,\"{}\"\nC2,01 23 45 67 89\n",
        "9".repeat(MAX_ROW_BYTES + 1)
    );
    let rows = read(&csv, "", &FieldDefs::default());
    assert_eq!(error_lines(&rows), [2]);
    assert!(rows[1].is_ok());
}

#[test]
fn invalid_utf8_is_reported_per_row() {
    let mut bytes = b"id,phone\nC\xff1,01 23 45 67 89\nC2,01 23 45 67 89\n".to_vec();
    bytes.extend_from_slice(b"");
    let mapping = ColumnMapping::default();
    let rows: Vec<_> = CustomerReader::new(&bytes[..], &mapping, &FieldDefs::default(), fr())
        .unwrap()
        .collect();
    assert_eq!(error_lines(&rows), [2]);
    assert!(rows[1].is_ok());
}

#[test]
fn a_byte_order_mark_does_not_hide_the_first_header() {
    let csv = "\u{feff}id,phone\nC1,01 23 45 67 89\n";
    let rows = read(csv, "", &FieldDefs::default());
    assert_eq!(
        rows[0].as_ref().unwrap().customer.external_id.as_deref(),
        Some("C1")
    );
}

#[test]
fn required_fields_and_an_identity_are_needed() {
    let csv = "id,plan,first_name,phone\nC1,,Ada,\n,Gold,Bob,\nC3,Gold,,\n";
    let rows = read(csv, "", &plan_defs(true));
    assert_eq!(error_lines(&rows), [2, 3]);
    assert!(rows[0].as_ref().unwrap_err().reason.contains("required"));
    assert!(
        rows[1]
            .as_ref()
            .unwrap_err()
            .reason
            .contains("no external id")
    );
}

#[test]
fn consent_cells_must_be_yes_or_no() {
    let csv = "id,consent_marketing\nC1,No\nC2,maybe\n";
    let rows = read(csv, "", &FieldDefs::default());
    assert_eq!(
        rows[0].as_ref().unwrap().customer.consent_marketing,
        Some(false)
    );
    assert_eq!(error_lines(&rows), [3]);
}

#[test]
fn duplicate_phones_in_a_row_are_kept_once() {
    let csv = "id,phone,phone2\nC1,01 23 45 67 89,+33 1 23 45 67 89\n";
    let rows = read(csv, "", &FieldDefs::default());
    assert_eq!(rows[0].as_ref().unwrap().customer.phones.len(), 1);
}

#[test]
fn mapping_errors_stop_the_import_before_any_row() {
    let defs = plan_defs(false);
    let new = |csv: &str, spec: &str| {
        CustomerReader::new(
            csv.as_bytes(),
            &ColumnMapping::parse(spec).unwrap(),
            &defs,
            fr(),
        )
        .err()
    };
    assert_eq!(
        new("a,b\n", "X=phone"),
        Some(ImportError::MissingColumn("X".into()))
    );
    assert!(matches!(
        new("a,b\n", "a=field:color"),
        Some(ImportError::UnknownField { .. })
    ));
    assert!(matches!(
        new("id,ref\n", "ref=external_id"),
        Some(ImportError::DuplicateTarget(..))
    ));
    assert_eq!(new("a,b\n", ""), Some(ImportError::NoIdentity));
    assert!(matches!(new("", ""), Some(ImportError::Header(_))));
    assert!(ColumnMapping::parse("a=nothing").is_err());
    assert!(ColumnMapping::parse("a").is_err());
    assert!(ColumnMapping::parse("a=phone,a=email").is_err());
}

#[test]
fn bytes_read_reaches_the_file_size() {
    let csv = "id,phone\nC1,01 23 45 67 89\nC2,01 23 45 67 88\n";
    let mapping = ColumnMapping::default();
    let mut reader =
        CustomerReader::new(csv.as_bytes(), &mapping, &FieldDefs::default(), fr()).unwrap();
    let mut last = reader.bytes_read();
    while reader.next().is_some() {
        assert!(reader.bytes_read() > last);
        last = reader.bytes_read();
    }
    assert_eq!(last, csv.len() as u64);
}

/// A generated file: `(csv, bad_lines)`, one row per line, ~1% of rows malformed in one of
/// several ways.
fn generated(rows: usize, seed: u64) -> (String, Vec<u64>) {
    let mut csv = String::from("id,first_name,last_name,phone,email,plan\n");
    let mut bad = Vec::new();
    let mut state = seed | 1;
    for i in 0..rows {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let line = i as u64 + 2;
        let phone = format!(
            "06 {:02} {:02} {:02} {:02}",
            (i / 1_000_000) % 100,
            (i / 10_000) % 100,
            (i / 100) % 100,
            i % 100
        );
        let row = match state % 500 {
            0 => format!("C{i},Ann,Lee,06 12,a{i}@x.org,Gold"),
            1 => format!("C{i},Ann,Lee,{phone},not-an-email,Gold"),
            2 => format!("C{i},Ann,Lee,{phone}"),
            3 => format!("C{i},Ann,Lee,{phone},a{i}@x.org,Platinum"),
            4 => format!("C{i},Ann,Lee,{phone},a{i}@x.org,Gold,extra"),
            _ => format!("C{i},Ann,Lee,{phone},a{i}@x.org,Gold"),
        };
        if state % 500 < 5 {
            bad.push(line);
        }
        csv.push_str(&row);
        csv.push('\n');
    }
    (csv, bad)
}

#[test]
fn every_malformed_line_of_a_generated_file_is_reported() {
    let (csv, bad) = generated(5_000, 7);
    assert!(bad.len() > 20, "the generator should produce some bad rows");
    let rows = read(&csv, "", &plan_defs(false));
    assert_eq!(rows.len(), 5_000);
    assert_eq!(error_lines(&rows), bad);
    let good: Vec<u64> = rows
        .iter()
        .filter_map(|r| r.as_ref().ok().map(|r| r.line))
        .collect();
    assert_eq!(good.len() + bad.len(), 5_000);
}

proptest! {
    #[test]
    fn any_bytes_are_read_without_panicking(body in proptest::collection::vec(any::<u8>(), 0..400)) {
        let mut bytes = b"id,phone,email,plan\n".to_vec();
        bytes.extend_from_slice(&body);
        let mapping = ColumnMapping::default();
        let reader = CustomerReader::new(&bytes[..], &mapping, &plan_defs(false), fr()).unwrap();
        for row in reader {
            let line = match row { Ok(r) => r.line, Err(e) => e.line };
            prop_assert!(line >= 2);
        }
    }

    #[test]
    fn generated_files_report_exactly_their_bad_lines(seed in any::<u64>()) {
        let (csv, bad) = generated(300, seed);
        let rows = read(&csv, "", &plan_defs(false));
        prop_assert_eq!(error_lines(&rows), bad);
    }
}

#[test]
fn line_numbers_survive_blank_lines_crlf_and_a_missing_final_newline() {
    for (csv, lines) in [
        ("id,phone\r\nC1,bad\r\n\r\nC2,bad\r\nC3,bad", vec![2, 4, 5]),
        ("id,phone\n\n\nC1,bad\n\nC2,bad", vec![4, 6]),
        ("id,phone\nC1,\"x\ny\"\n\n\nC2,bad\n\n", vec![2, 6]),
    ] {
        let rows = read(csv, "", &FieldDefs::default());
        assert_eq!(error_lines(&rows), lines, "{csv:?}");
    }
}

#[test]
fn line_numbers_stay_right_past_the_parsers_buffer() {
    let mut csv = String::from("id,phone\n");
    let filler = format!("C0,01 23 45 67 89\n\n{}\n", " ".repeat(0));
    for _ in 0..20_000 {
        csv.push_str(&filler);
    }
    csv.push_str("C1,bad\n");
    let rows = read(&csv, "", &FieldDefs::default());
    assert_eq!(error_lines(&rows), [2 + 20_000 * 3]);
}
