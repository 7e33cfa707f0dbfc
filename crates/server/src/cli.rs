//! Command-line interface: clap parses the arguments, one module per subcommand does the work.

mod sip_check;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Plateau, the contact-center platform.
#[derive(Debug, Parser)]
#[command(name = "plateau", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// SIP diagnostics.
    Sip {
        #[command(subcommand)]
        command: SipCommand,
    },
}

#[derive(Debug, Subcommand)]
enum SipCommand {
    /// Check raw SIP messages as an element receiving them would: print `valid`, or
    /// `invalid: <reason>` and the response it would send. Exits 0 only if all are valid.
    Check(sip_check::Args),
}

/// Parses the command line and runs the subcommand.
pub fn run() -> ExitCode {
    match Cli::parse().command {
        Command::Sip {
            command: SipCommand::Check(args),
        } => sip_check::run(&args),
    }
}
