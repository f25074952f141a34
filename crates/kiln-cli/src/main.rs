//! `kiln`: Kiln's command line.
//!
//! `kiln validate [--json] [--message NAME] [FILE|-]` checks a request in proto3 JSON with the
//! same validator as the npm package, the local service and the web console. Exit status: 0
//! valid, 1 invalid, 2 error (the input is not a JSON object, or cannot be read).
//!
//! `kiln serve [--config FILE] [--listen ADDR] [--data-dir DIR] ...` runs the local service;
//! `kiln gateway --upstream URL [--listen ADDR]` lets a browser reach a real endpoint.
//!
//! Failures are reported one way. Each subcommand's `run` returns an [`anyhow::Result`]
//! (`validate`'s carries its exit status: 0 valid, 1 invalid, 2 error); a failure is made with
//! `anyhow!`/`bail!`, or is a library's typed error given what was being done with
//! `.context(...)`, in lower case without a trailing period. Only [`main`] prints one: a single
//! line `kiln <subcommand>: <error>: <its causes>` on standard error, then exit status 2.
//! Usage errors are clap's (status 2 too). `validate`'s unreadable or malformed input is not
//! a failure but its contract's `error` outcome, printed on standard output.

mod gateway;
mod serve;
mod validate;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "kiln",
    version,
    about = "Build Yandex Cloud Compute images: validate requests, run the local API"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Validate a request in proto3 JSON (exit 0 valid, 1 invalid, 2 error)
    Validate(validate::Args),
    /// Run the local ImageService and OperationService (gRPC and gRPC-Web, SQLite store)
    Serve(serve::Args),
    /// Forward gRPC-Web and gRPC to a native gRPC endpoint (TLS for https://)
    Gateway(gateway::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let (name, outcome) = match &cli.command {
        Command::Validate(args) => ("validate", validate::run(args)),
        Command::Serve(args) => ("serve", serve::run(args).map(|()| ExitCode::SUCCESS)),
        Command::Gateway(args) => ("gateway", gateway::run(args).map(|()| ExitCode::SUCCESS)),
    };
    outcome.unwrap_or_else(|error| {
        eprintln!("kiln {name}: {error:#}");
        ExitCode::from(2)
    })
}
