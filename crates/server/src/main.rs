//! The `plateau` command: the contact-center server and its tools.
//!
//! Dependencies: `clap` (derive) for the command line; the engines (`sip`, ...) for the work.

mod cli;

fn main() -> std::process::ExitCode {
    cli::run()
}
