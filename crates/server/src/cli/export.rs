//! `plateau export customers --tenant SLUG > customers.csv`: every customer that is not a merged
//! duplicate, as CSV the importer reads back (`plateau import customers` maps these headers by
//! name): `external_id, first_name, last_name, phone_1.., email_1.., consent_recording,
//! consent_marketing`, then one column per custom field. There are as many phone and email
//! columns as the customer with the most has (a first pass counts them), so nothing is cut.

use std::io;
use std::process::ExitCode;

use crm::FieldValue;
use serde_json::Value;
use store::Customer;

use super::database::DatabaseArgs;

/// Arguments of `plateau export customers`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    database: DatabaseArgs,
}

/// Writes the CSV to stdout; exit status 1 if the database or stdout failed.
pub fn run(args: &Args) -> ExitCode {
    super::runtime(async {
        match export(args).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("export failed: {e}");
                ExitCode::FAILURE
            }
        }
    })
}

/// Failures of an export.
#[derive(Debug, thiserror::Error)]
enum ExportError {
    #[error("database: {0}")]
    Store(#[from] store::Error),
    #[error("writing: {0}")]
    Csv(#[from] csv::Error),
}

async fn export(args: &Args) -> Result<(), String> {
    let tenant = args.database.open_tenant().await?;
    let defs = tenant
        .custom_field_defs()
        .await
        .map_err(|e| format!("cannot read custom fields: {e}"))?;
    let (mut phones, mut emails) = (1, 1);
    tenant
        .export_customers(|c| {
            phones = phones.max(c.phones.len());
            emails = emails.max(c.emails.len());
            Ok::<(), store::Error>(())
        })
        .await
        .map_err(|e| format!("database: {e}"))?;

    let mut header = vec![
        "external_id".to_owned(),
        "first_name".into(),
        "last_name".into(),
    ];
    header.extend((1..=phones).map(|i| format!("phone_{i}")));
    header.extend((1..=emails).map(|i| format!("email_{i}")));
    header.extend(["consent_recording".into(), "consent_marketing".into()]);
    header.extend(defs.iter().map(|d| d.key.clone()));
    let mut out = csv::Writer::from_writer(io::BufWriter::new(io::stdout().lock()));
    out.write_record(&header)
        .map_err(|e| format!("writing: {e}"))?;
    let mut record: Vec<String> = Vec::with_capacity(header.len());
    tenant
        .export_customers(|c: &Customer| {
            record.clear();
            record.push(c.external_id.clone().unwrap_or_default());
            record.push(c.first_name.clone());
            record.push(c.last_name.clone());
            record.extend(padded(&c.phones, phones));
            record.extend(padded(&c.emails, emails));
            record.push(yes_no(c.consent_recording));
            record.push(yes_no(c.consent_marketing));
            record.extend(
                defs.iter()
                    .map(|d| c.fields.get(&d.key).map(cell).unwrap_or_default()),
            );
            out.write_record(&record)?;
            Ok::<(), ExportError>(())
        })
        .await
        .map_err(|e| e.to_string())?;
    out.flush().map_err(|e| format!("writing: {e}"))
}

/// `n` cells: the values, then empty ones.
fn padded(values: &[String], n: usize) -> impl Iterator<Item = String> + '_ {
    (0..n).map(move |i| values.get(i).cloned().unwrap_or_default())
}

fn yes_no(flag: Option<bool>) -> String {
    match flag {
        Some(true) => "yes",
        Some(false) => "no",
        None => "",
    }
    .to_owned()
}

/// A stored field value as the text the importer parses back (`12.50 EUR`, `2024-05-01`).
fn cell(value: &Value) -> String {
    match serde_json::from_value::<FieldValue>(value.clone()) {
        Ok(FieldValue::Text(text) | FieldValue::Choice(text)) => text,
        Ok(FieldValue::Number(n)) => n.to_string(),
        Ok(FieldValue::Money(money)) => money.to_string(),
        Ok(FieldValue::Date(date)) => date.to_string(),
        Err(_) => match value {
            Value::String(text) => text.clone(),
            Value::Null => String::new(),
            other => other.to_string(),
        },
    }
}
