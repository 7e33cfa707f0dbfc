//! A generated customer CSV with about 1% malformed rows, for the import test and the import
//! benchmark (`examples/customers_csv.rs`), so both read the same kind of file.
//!
//! Columns: `Id,First Name,Last Name,Mobile,Email,Plan,Consent,Notes`. Every 250th row has a
//! quoted two-line note (so line numbers must count lines inside cells); row `i` with
//! `i % 100 == 37` is malformed in turn: a bad phone, a bad email, too many columns, an unknown
//! plan; the last row has an unclosed quote (a truncated file).

use std::io::{self, Write};

/// The tenant's custom fields this file needs, as the store keeps them (`crm::FieldKind` JSON).
pub const PLAN_FIELD_KIND: &str = r#"{"type":"choice","options":["Gold","Silver"]}"#;

/// The mapping the file needs beyond header names.
pub const MAPPING: &str = "Consent=consent_recording";

/// Writes `rows` data rows (the last one malformed) and returns the line numbers of the
/// malformed ones, in order.
pub fn generate(rows: usize, out: &mut impl Write) -> io::Result<Vec<u64>> {
    writeln!(
        out,
        "Id,First Name,Last Name,Mobile,Email,Plan,Consent,Notes"
    )?;
    let mut line: u64 = 2;
    let mut bad = Vec::new();
    for i in 0..rows {
        let phone = format!(
            "06 {:02} {:02} {:02} {:02}",
            (i / 1_000_000) % 100,
            (i / 10_000) % 100,
            (i / 100) % 100,
            i % 100
        );
        let plan = if i % 3 == 0 { "Silver" } else { "Gold" };
        let consent = ["yes", "no", ""][i % 3];
        let note = if i % 250 == 0 {
            "\"called twice,\nasked for a refund\""
        } else {
            ""
        };
        let row = if i + 1 == rows {
            bad.push(line);
            format!("C{i},\"Ann,Lee,{phone},c{i}@example.com,{plan},{consent},")
        } else if i % 100 == 37 {
            bad.push(line);
            match (i / 100) % 4 {
                0 => format!("C{i},Ann,Lee,06 12,c{i}@example.com,{plan},{consent},{note}"),
                1 => format!("C{i},Ann,Lee,{phone},not-an-email,{plan},{consent},{note}"),
                2 => format!("C{i},Ann,Lee,{phone},c{i}@example.com,{plan},{consent},{note},extra"),
                _ => format!("C{i},Ann,Lee,{phone},c{i}@example.com,Platinum,{consent},{note}"),
            }
        } else {
            format!("C{i},Ann{i},Lee,{phone},c{i}@example.com,{plan},{consent},{note}")
        };
        line += 1 + row.matches('\n').count() as u64;
        writeln!(out, "{row}")?;
    }
    Ok(bad)
}
