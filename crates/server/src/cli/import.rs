//! `plateau import customers FILE.csv --tenant SLUG`: reads customers from CSV with the `crm`
//! reader (column mapping, phone normalisation, custom field types), upserts the good rows by
//! external id in batches, and reports every bad row as `line N: reason`.
//!
//! Reading and writing overlap: a blocking thread parses the file into batches while the
//! database writes the previous one (a bounded channel between them keeps memory flat). A
//! progress bar on stderr follows the bytes read; it is hidden when stderr is not a terminal.

use std::fs::File;
use std::io::{self, BufReader, IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use crm::{ColumnMapping, CustomerReader, NewCustomer, Region, RowError};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use store::{CustomerUpsert, TenantStore, UpsertReport};
use tokio::sync::mpsc;

use super::database::DatabaseArgs;

/// Good rows per transaction.
const BATCH_ROWS: usize = 1000;
/// Batches parsed ahead of the database.
const BATCHES_AHEAD: usize = 4;

/// Arguments of `plateau import customers`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Exit status: 0 when every good row is in, even if some rows were \
    rejected (each is reported as `line N: reason` on stderr, and in --errors); 1 when the file, \
    the mapping or the database failed."
)]
pub struct Args {
    /// The CSV file: comma-separated, `"` quotes, UTF-8, a header row.
    file: PathBuf,
    #[command(flatten)]
    database: DatabaseArgs,
    /// Column mapping, `Header=target,...`; targets: external_id, first_name, last_name,
    /// phone, email, consent_recording, consent_marketing, field:<key>, ignore. Columns not
    /// listed are matched by their header's name (`Phone`, `E-mail`, `First Name`...).
    #[arg(long = "map", default_value = "")]
    mapping: String,
    /// The country of numbers written in national format (ISO 3166 two letters).
    #[arg(long, default_value = "FR")]
    region: String,
    /// Also write the rejected rows to this CSV file (`line,reason`).
    #[arg(long)]
    errors: Option<PathBuf>,
}

/// What the reader thread hands the writer: good rows with their lines, and the bad rows.
#[derive(Default)]
struct Batch {
    read: u64,
    rows: Vec<CustomerUpsert>,
    lines: Vec<u64>,
    rejected: Vec<RowError>,
}

/// Totals for the final report.
#[derive(Default)]
struct Totals {
    read: u64,
    rejected: u64,
    report: UpsertReport,
}

/// Runs the import; see [`Args`] for the exit status.
pub fn run(args: &Args) -> ExitCode {
    super::runtime(async {
        match import(args).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("import failed: {e}");
                ExitCode::FAILURE
            }
        }
    })
}

async fn import(args: &Args) -> Result<(), String> {
    let started = Instant::now();
    let tenant = args.database.open_tenant().await?;
    let defs = plateau::custom_fields::tenant_field_defs(&tenant)
        .await
        .map_err(|e| e.to_string())?;
    let mapping = ColumnMapping::parse(&args.mapping).map_err(|e| e.to_string())?;
    let region: Region = args
        .region
        .parse()
        .map_err(|e| format!("--region {:?}: {e}", args.region))?;
    let file = File::open(&args.file).map_err(|e| format!("{}: {e}", args.file.display()))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let read_error = Arc::new(Mutex::new(None));
    let input = Watched {
        inner: BufReader::with_capacity(1 << 16, file),
        error: read_error.clone(),
    };
    let reader = CustomerReader::new(input, &mapping, &defs, region)
        .map_err(|e| format!("{}: {e}", args.file.display()))?;
    let mut errors = match &args.errors {
        Some(path) => {
            let mut writer =
                csv::Writer::from_path(path).map_err(|e| format!("{}: {e}", path.display()))?;
            writer
                .write_record(["line", "reason"])
                .map_err(|e| format!("{}: {e}", path.display()))?;
            Some(writer)
        }
        None => None,
    };

    let bar = progress_bar(size);
    let (tx, mut rx) = mpsc::channel(BATCHES_AHEAD);
    let reading = {
        let bar = bar.clone();
        tokio::task::spawn_blocking(move || read_batches(reader, &tx, &bar))
    };
    let mut totals = Totals::default();
    let now_ms = plateau::log::now_ms();
    let mut outcome = Ok(());
    while let Some(batch) = rx.recv().await {
        let mut rejected = batch.rejected;
        totals.read += batch.read;
        match write_batch(&tenant, &batch.rows, &batch.lines, now_ms, &mut rejected).await {
            Ok(report) => totals.report += report,
            Err(e) => {
                outcome = Err(format!("database: {e}"));
                break;
            }
        }
        rejected.sort_by_key(|r| r.line);
        totals.rejected += rejected.len() as u64;
        bar.suspend(|| {
            let mut stderr = io::stderr().lock();
            for row in &rejected {
                let _ = writeln!(stderr, "line {}: {}", row.line, row.reason);
            }
        });
        if let Some(writer) = errors.as_mut() {
            for row in &rejected {
                writer
                    .write_record([row.line.to_string().as_str(), row.reason.as_str()])
                    .map_err(|e| format!("--errors: {e}"))?;
            }
        }
        bar.set_message(format!("{} rows", totals.read));
    }
    drop(rx);
    // The reader stops at the end of the file, or early when the writer has gone.
    reading
        .await
        .map_err(|e| format!("the reading thread failed: {e}"))?;
    bar.finish_and_clear();
    if let Some(writer) = errors.as_mut() {
        writer.flush().map_err(|e| format!("--errors: {e}"))?;
    }
    if let Some(error) = read_error.lock().ok().and_then(|mut e| e.take()) {
        outcome = outcome.and(Err(format!("{}: {error}", args.file.display())));
    }
    print_report(&totals, started);
    outcome
}

/// Upserts one batch. When the store refuses it (a row the reader passed but the store does not
/// take), each row is written alone so that only the bad ones are rejected.
async fn write_batch(
    tenant: &TenantStore,
    rows: &[CustomerUpsert],
    lines: &[u64],
    now_ms: i64,
    rejected: &mut Vec<RowError>,
) -> store::Result<UpsertReport> {
    match tenant.upsert_customers(rows, now_ms).await {
        Err(store::Error::Invalid { .. }) => {}
        other => return other,
    }
    let mut report = UpsertReport::default();
    for (row, &line) in rows.iter().zip(lines) {
        match tenant
            .upsert_customers(std::slice::from_ref(row), now_ms)
            .await
        {
            Ok(one) => report += one,
            Err(store::Error::Invalid { what, why }) => rejected.push(RowError {
                line,
                reason: format!("{what}: {why}"),
            }),
            Err(e) => return Err(e),
        }
    }
    Ok(report)
}

/// The reader thread: parses rows into batches of good rows and sends them on.
fn read_batches<R: Read>(
    mut reader: CustomerReader<R>,
    tx: &mpsc::Sender<Batch>,
    bar: &ProgressBar,
) {
    let mut batch = Batch::default();
    while let Some(item) = reader.next() {
        batch.read += 1;
        match item.and_then(|row| {
            to_upsert(row.customer)
                .map(|upsert| (row.line, upsert))
                .map_err(|reason| RowError {
                    line: row.line,
                    reason,
                })
        }) {
            Ok((line, upsert)) => {
                batch.lines.push(line);
                batch.rows.push(upsert);
            }
            Err(error) => batch.rejected.push(error),
        }
        if batch.rows.len() >= BATCH_ROWS {
            bar.set_position(reader.bytes_read());
            if tx.blocking_send(std::mem::take(&mut batch)).is_err() {
                return;
            }
        }
    }
    bar.set_position(reader.bytes_read());
    let _ = tx.blocking_send(batch);
}

/// A parsed customer as the store takes it. The external id is required: it is the key that
/// makes a re-import idempotent.
pub(super) fn to_upsert(customer: NewCustomer) -> Result<CustomerUpsert, String> {
    let external_id = customer
        .external_id
        .ok_or("no external id (the import upserts by it)")?;
    let mut fields = serde_json::Map::new();
    for (key, value) in customer.fields {
        let json = serde_json::to_value(&value).map_err(|e| format!("field {key}: {e}"))?;
        fields.insert(key, json);
    }
    Ok(CustomerUpsert {
        external_id,
        first_name: customer.first_name.unwrap_or_default(),
        last_name: customer.last_name.unwrap_or_default(),
        phones: customer
            .phones
            .iter()
            .map(|p| p.as_str().to_owned())
            .collect(),
        emails: customer
            .emails
            .iter()
            .map(|e| e.as_str().to_owned())
            .collect(),
        fields,
        consent_recording: customer.consent_recording,
        consent_marketing: customer.consent_marketing,
    })
}

fn progress_bar(size: u64) -> ProgressBar {
    let target = if io::stderr().is_terminal() {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    };
    let bar = ProgressBar::with_draw_target(Some(size), target);
    if let Ok(style) = ProgressStyle::with_template(
        "{bar:40} {bytes}/{total_bytes} {bytes_per_sec} {msg} (eta {eta})",
    ) {
        bar.set_style(style);
    }
    bar
}

fn print_report(totals: &Totals, started: Instant) {
    let secs = started.elapsed().as_secs_f64();
    let rate = if secs > 0.0 {
        totals.read as f64 / secs
    } else {
        0.0
    };
    let report = totals.report;
    let text = format!(
        "rows read: {}\ninserted: {}\nupdated: {}\nunchanged: {}\nrejected: {}\n\
         seconds: {secs:.2}\nrows per second: {rate:.0}\n",
        totals.read, report.inserted, report.updated, report.unchanged, totals.rejected
    );
    // stdout gone (a closed pipe): the exit status still tells.
    let _ = io::stdout().lock().write_all(text.as_bytes());
}

/// The input file, remembering a read failure: the CSV reader reports it as a bad last row,
/// but it is an I/O error and must fail the import.
struct Watched<R> {
    inner: R,
    error: Arc<Mutex<Option<io::Error>>>,
}

impl<R: Read> Read for Watched<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let result = self.inner.read(buf);
        if let Err(e) = &result
            && e.kind() != io::ErrorKind::Interrupted
            && let Ok(mut slot) = self.error.lock()
        {
            *slot = Some(io::Error::new(e.kind(), e.to_string()));
        }
        result
    }
}
