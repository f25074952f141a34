//! `kiln`: Kiln's command line.
//!
//! `kiln validate [--json] [--message NAME] [FILE|-]` checks a request in proto3 JSON with the
//! same validator as the npm package, the local service and the web console. Exit status: 0
//! valid, 1 invalid, 2 error (the input is not a JSON object, or cannot be read).
//!
//! `kiln serve [--config FILE] [--listen ADDR] [--data-dir DIR] ...` runs the local service;
//! `kiln gateway --upstream URL [--listen ADDR]` lets a browser reach a real endpoint.

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
    match cli.command {
        Command::Validate(args) => validate::run(&args),
        Command::Serve(args) => serve::run(&args),
        Command::Gateway(args) => gateway::run(&args),
    }
}
