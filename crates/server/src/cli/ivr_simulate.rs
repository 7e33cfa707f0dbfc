//! `plateau ivr simulate FLOW`: walk a voice menu without a call and print the path, one node
//! per line, then how the call left the flow. The engine does the walk ([`ivr::simulate_scenario`]);
//! this reads the file and the options.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use ivr::{AnyNames, Flow, HttpReply, LocalTime, Scenario};

/// Arguments of `plateau ivr simulate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The flow file (YAML).
    flow: PathBuf,
    /// Keys the caller presses, in order, comma-separated: `1,2,#`.
    #[arg(long, value_delimiter = ',')]
    digits: Vec<char>,
    /// A call variable, `name=value`; repeat for several (`caller_number`, `called_number`...).
    #[arg(long = "var", value_parser = parse_var)]
    vars: Vec<(String, String)>,
    /// The tenant's local time, `YYYY-MM-DDTHH:MM`, for business-hours branches.
    #[arg(long, value_parser = parse_time)]
    time: Option<LocalTime>,
    /// The JSON body a web service answers (status 200), one per HTTP request in order;
    /// requests past these fail.
    #[arg(long = "http-body")]
    http_bodies: Vec<String>,
}

fn parse_var(text: &str) -> Result<(String, String), String> {
    text.split_once('=')
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .ok_or_else(|| format!("expected name=value, not {text:?}"))
}

fn parse_time(text: &str) -> Result<LocalTime, String> {
    LocalTime::parse(text).ok_or_else(|| format!("expected YYYY-MM-DDTHH:MM, not {text:?}"))
}

/// Walks the flow; exit status 0 if it loaded, 1 if it was refused (errors on stderr).
pub fn run(args: &Args) -> ExitCode {
    let source = match std::fs::read_to_string(&args.flow) {
        Ok(source) => source,
        Err(e) => {
            eprintln!("{}: cannot read: {e}", args.flow.display());
            return ExitCode::FAILURE;
        }
    };
    // Prompts and queues are the tenant's; without one, only the flow's own shape is checked.
    let flow = match Flow::load(&source, &AnyNames) {
        Ok(flow) => Arc::new(flow),
        Err(errors) => {
            for error in errors.errors() {
                eprintln!("{}: {error}", args.flow.display());
            }
            return ExitCode::FAILURE;
        }
    };
    let scenario = Scenario {
        digits: args.digits.clone(),
        vars: args.vars.iter().cloned().collect(),
        local_time: args.time,
        http: args
            .http_bodies
            .iter()
            .map(|body| HttpReply::Response {
                status: 200,
                body: body.clone(),
            })
            .collect(),
    };
    // The walk needs an origin for its simulated clock; only differences from it matter.
    let origin = std::time::Instant::now();
    let run = ivr::simulate_scenario(flow, &scenario, origin);
    let mut out = io::stdout().lock();
    let mut print = || -> io::Result<()> {
        for line in run.lines() {
            writeln!(out, "{line}")?;
        }
        let outcome = run.to_string();
        writeln!(out, "{}", outcome.lines().last().unwrap_or_default())
    };
    match print() {
        Ok(()) => ExitCode::SUCCESS,
        // stdout is gone (a closed pipe): nothing left to report to.
        Err(_) => ExitCode::FAILURE,
    }
}
