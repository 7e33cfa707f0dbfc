//! Command-line interface: clap parses the arguments, one module per subcommand does the work.

mod database;
mod demo;
mod export;
mod import;
mod ivr_simulate;
mod serve;
mod sip_check;

use std::future::Future;
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
    /// Run everything with sample data: a demo tenant, five agents, two queues, a voice menu.
    Demo(demo::Args),
    /// Run the server with a configuration file.
    Serve(serve::Args),
    /// SIP diagnostics.
    Sip {
        #[command(subcommand)]
        command: SipCommand,
    },
    /// Import records from files.
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Export records as files.
    Export {
        #[command(subcommand)]
        command: ExportCommand,
    },
    /// Voice menu tools.
    Ivr {
        #[command(subcommand)]
        command: IvrCommand,
    },
}

#[derive(Debug, Subcommand)]
enum ImportCommand {
    /// Upsert customers from CSV by external id; each bad row is reported with its line.
    Customers(import::Args),
}

#[derive(Debug, Subcommand)]
enum ExportCommand {
    /// Write every customer as CSV to stdout (the format `import customers` reads).
    Customers(export::Args),
}

#[derive(Debug, Subcommand)]
enum IvrCommand {
    /// Walk a flow without a call and print the path, one node per line.
    Simulate(ivr_simulate::Args),
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
        Command::Demo(args) => demo::run(&args),
        Command::Serve(args) => serve::run(&args),
        Command::Sip {
            command: SipCommand::Check(args),
        } => sip_check::run(&args),
        Command::Ivr {
            command: IvrCommand::Simulate(args),
        } => ivr_simulate::run(&args),
        Command::Import {
            command: ImportCommand::Customers(args),
        } => import::run(&args),
        Command::Export {
            command: ExportCommand::Customers(args),
        } => export::run(&args),
    }
}

/// The control plane `demo` and `serve` start: the switchboard, which takes calls.
fn control_plane() -> impl plateau::control::ControlPlane {
    plateau::call::Switchboard
}

/// Runs a server command on a multi-threaded tokio runtime.
fn runtime(work: impl Future<Output = ExitCode>) -> ExitCode {
    match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime.block_on(work),
        Err(error) => {
            tracing::error!(%error, "cannot start the tokio runtime");
            ExitCode::FAILURE
        }
    }
}
