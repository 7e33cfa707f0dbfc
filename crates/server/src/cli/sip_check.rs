//! `plateau sip check FILE...`: each file holds one message as received in a datagram. The
//! verdict is the one the server's SIP layer reaches ([`sip::validate::inspect`]) acting as a
//! final UAS, or as a proxy with `--proxy`.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use sip::validate::{Policy, Verdict, inspect};

/// Arguments of `plateau sip check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Files holding one raw SIP message each.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Judge as a forwarding element: Proxy-Require is checked and Max-Forwards 0 gets 483.
    #[arg(long)]
    proxy: bool,
}

/// Checks every file; exit status 0 if all are valid, 1 otherwise.
pub fn run(args: &Args) -> ExitCode {
    let policy = Policy {
        final_uas: !args.proxy,
        ..Policy::default()
    };
    let mut out = io::stdout().lock();
    let mut all_valid = true;
    for file in &args.files {
        let valid = match std::fs::read(file) {
            Ok(data) => report(&file.display().to_string(), data, &policy, &mut out),
            Err(e) => writeln!(out, "{}: invalid: cannot read: {e}", file.display()).map(|_| false),
        };
        match valid {
            Ok(valid) => all_valid &= valid,
            // stdout is gone (a closed pipe): nothing left to report to.
            Err(_) => return ExitCode::FAILURE,
        }
    }
    if all_valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Prints the verdict on one message; true if it is valid.
fn report(name: &str, data: Vec<u8>, policy: &Policy, out: &mut impl Write) -> io::Result<bool> {
    match inspect(data.into(), policy) {
        Verdict::Accept(_) => {
            writeln!(out, "{name}: valid")?;
            Ok(true)
        }
        Verdict::Respond { defect, response } => {
            writeln!(out, "{name}: invalid: {defect}")?;
            let wire = response.to_bytes();
            let text = String::from_utf8_lossy(&wire);
            let head = text.split("\r\n\r\n").next().unwrap_or_default();
            for line in head.split("\r\n") {
                writeln!(out, "    {line}")?;
            }
            Ok(false)
        }
        Verdict::Discard { defect } => {
            writeln!(out, "{name}: invalid: {defect}")?;
            writeln!(out, "    (no response: the message is dropped silently)")?;
            Ok(false)
        }
    }
}
