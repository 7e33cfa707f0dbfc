//! Prepares the customer import benchmark of `bench/import/run.sh`: writes a CSV of ROWS
//! generated customers (about 1% malformed, the same generator as `tests/cli_import.rs`) and a
//! fresh SQLite database with tenant `bench` and the `plan` custom field the file needs.
//!
//! `cargo run --release -p plateau --example customers_csv -- ROWS FILE.csv DATA_DIR`
//!
//! Prints the mapping to pass to `plateau import customers --map` and the number of malformed
//! rows.
#![allow(clippy::print_stdout)] // a tool that says what it did

#[path = "../tests/import_support/mod.rs"]
mod import_support;

use std::io::BufWriter;
use std::process::ExitCode;

use store::{CustomFieldDef, Store};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [rows, file, data_dir] = args.as_slice() else {
        eprintln!("usage: customers_csv ROWS FILE.csv DATA_DIR");
        return ExitCode::FAILURE;
    };
    let Ok(rows) = rows.parse::<usize>() else {
        eprintln!("ROWS must be a number, not {rows:?}");
        return ExitCode::FAILURE;
    };
    match prepare(rows, file, data_dir) {
        Ok(bad) => {
            println!("map: {}", import_support::MAPPING);
            println!("malformed rows: {bad}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}

fn prepare(rows: usize, file: &str, data_dir: &str) -> Result<usize, String> {
    let out = std::fs::File::create(file).map_err(|e| format!("{file}: {e}"))?;
    let bad = import_support::generate(rows, &mut BufWriter::new(out))
        .map_err(|e| format!("{file}: {e}"))?;
    std::fs::create_dir_all(data_dir).map_err(|e| format!("{data_dir}: {e}"))?;
    let url = format!("sqlite://{data_dir}/plateau.db");
    let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    runtime.block_on(async {
        let store = Store::open(&url).await.map_err(|e| e.to_string())?;
        let tenant = store
            .create_tenant("Bench", "bench", 0)
            .await
            .map_err(|e| e.to_string())?;
        let tenant = store.tenant(tenant.id).await.map_err(|e| e.to_string())?;
        tenant
            .set_custom_field_defs(&[CustomFieldDef {
                key: "plan".to_owned(),
                label: "Plan".to_owned(),
                kind: serde_json::from_str(import_support::PLAN_FIELD_KIND)
                    .map_err(|e| e.to_string())?,
                required: false,
            }])
            .await
            .map_err(|e| e.to_string())
    })?;
    Ok(bad.len())
}
