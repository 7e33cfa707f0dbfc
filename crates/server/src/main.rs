//! The `plateau` command: the contact-center server and its tools.
//!
//! Dependencies: `clap` (derive) for the command line; the engines (`sip`, ...) for the work;
//! `tracing-subscriber` writes the logs to stderr (`RUST_LOG` filters, default `info`), so
//! stdout carries only what a person or a script reads (banner, `listening ...`, verdicts).

mod cli;

use tracing_subscriber::EnvFilter;

fn main() -> std::process::ExitCode {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    cli::run()
}
