//! The `plateau` command: the contact-center server and its tools.
//!
//! Dependencies: `clap` (derive) for the command line; the engines (`sip`, ...) for the work;
//! `tracing-subscriber` writes the logs to stderr (`RUST_LOG` filters, default `info`), so
//! stdout carries only what a person or a script reads (banner, `listening ...`, verdicts);
//! `mimalloc` is the global allocator: the SIP path makes many small, short-lived allocations,
//! and glibc's malloc took about a fifth of the server's CPU samples under REGISTER load
//! (free lists consolidated, the heap trimmed and faulted back in; see BENCHMARKS.md).

mod cli;

use tracing_subscriber::EnvFilter;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    cli::run()
}
