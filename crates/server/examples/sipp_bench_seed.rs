//! Seeds a demo data directory for the SIPp load runs of `bench/sipp/run.sh`: many agents,
//! a queue with no wrap-up, and a number routed straight to it (no voice menu).
//!
//! Run `plateau demo` once on the directory first (it creates the demo tenant), stop it, then:
//!
//! `cargo run --release -p plateau --example sipp_bench_seed -- --data-dir DIR --agents 3000 --out DIR`
//!
//! Adds, idempotently, to the demo tenant: queue `bench` (longest idle, no wrap-up, 10 s ring
//! timeout, missed offers never make an agent not ready, no announcements), flow `bench`
//! (straight to the queue), number +33100000001 routed to it, and agents `bench20000`...
//! on extensions 20000... in the queue, all with the SIP password `bench`. Writes
//! `<out>/register.csv`, the SIPp injection file registering them all (`register.xml`).
//! The server reads all this at start; the agents still have to be made ready through the
//! API (`run.sh` does it).
#![allow(clippy::print_stdout)] // a tool that says what it did

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use sip::auth::{Algorithm, ha1};
use store::{NewUser, QueueSettings, Role, SipHa1, Store};

/// The number the bench's callers dial.
const BENCH_NUMBER: &str = "+33100000001";
/// The agents' SIP password.
const PASSWORD: &str = "bench";
/// The first extension.
const FIRST_EXTENSION: u32 = 20_000;
const FLOW: &str = "name: bench\nlanguage: en\nstart: route\nnodes:\n  route:\n    queue: bench\n";

struct Options {
    data_dir: PathBuf,
    agents: u32,
    out: PathBuf,
}

fn options() -> Result<Options, String> {
    let mut data_dir = None;
    let mut agents = 100;
    let mut out = None;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--data-dir" => data_dir = Some(PathBuf::from(value()?)),
            "--agents" => agents = value()?.parse().map_err(|e| format!("--agents: {e}"))?,
            "--out" => out = Some(PathBuf::from(value()?)),
            other => return Err(format!("unknown option {other}")),
        }
    }
    let data_dir = data_dir.ok_or("--data-dir is required")?;
    Ok(Options {
        out: out.unwrap_or_else(|| data_dir.clone()),
        data_dir,
        agents,
    })
}

fn main() -> ExitCode {
    let options = match options() {
        Ok(options) => options,
        Err(why) => {
            eprintln!("sipp_bench_seed: {why}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("sipp_bench_seed: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(seed(&options)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(why) => {
            eprintln!("sipp_bench_seed: {why}");
            ExitCode::FAILURE
        }
    }
}

async fn seed(options: &Options) -> Result<(), Box<dyn std::error::Error>> {
    let url = format!("sqlite://{}", options.data_dir.join("plateau.db").display());
    let db = Store::open(&url).await?;
    let demo = db
        .tenant_by_slug(store::demo::DEMO_TENANT)
        .await?
        .ok_or("no demo tenant: run `plateau demo` on this directory once first")?;
    let demo = db.tenant(demo.id).await?;
    let now = plateau::log::now_ms();

    let settings = QueueSettings {
        wrap_up_secs: 0,
        ring_timeout_secs: 10,
        max_missed_offers: 0,
        announce_period_secs: 0,
        ..QueueSettings::default()
    };
    let queue = match demo.queue_by_name("bench").await? {
        Some(queue) => {
            demo.update_queue(queue.id, &settings).await?;
            queue.id
        }
        None => demo.create_queue("bench", &settings, now).await?.id,
    };
    let flow = match demo.flow_by_name("bench").await? {
        Some(flow) => match demo.active_flow_version(flow.id).await? {
            Some(active) if active.source == FLOW => active,
            _ => demo.save_flow("bench", FLOW, now, true).await?,
        },
        None => demo.save_flow("bench", FLOW, now, true).await?,
    };
    demo.set_number(BENCH_NUMBER, flow.flow_id, now).await?;

    let realm = plateau::config::Config::default().sip.realm().to_owned();
    let mut csv = String::from("SEQUENTIAL\n");
    let mut created = 0;
    for n in 0..options.agents {
        let extension = (FIRST_EXTENSION + n).to_string();
        let user = match demo.user_by_extension(&extension).await? {
            Some(user) => user,
            None => {
                created += 1;
                let sip = SipHa1::new(
                    ha1(Algorithm::Md5, &extension, &realm, PASSWORD).as_hex(),
                    ha1(Algorithm::Sha256, &extension, &realm, PASSWORD).as_hex(),
                )?;
                demo.create_user(
                    &NewUser {
                        username: format!("bench{extension}"),
                        display_name: format!("Bench agent {extension}"),
                        role: Role::Agent,
                        password: None,
                        extension: Some(extension.clone()),
                        sip: Some(sip),
                        enabled: true,
                    },
                    now,
                )
                .await?
            }
        };
        demo.set_queue_member(queue, user.id, 0).await?;
        let _ = writeln!(
            csv,
            "{extension};[authentication username={extension} password={PASSWORD}]"
        );
    }
    db.close().await;
    std::fs::create_dir_all(&options.out)?;
    let register = options.out.join("register.csv");
    std::fs::write(&register, csv)?;
    println!(
        "bench seed: queue bench, number {BENCH_NUMBER}, {} agents ({created} new); {}",
        options.agents,
        register.display()
    );
    Ok(())
}
