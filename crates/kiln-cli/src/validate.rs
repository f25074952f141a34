//! `kiln validate`: a readable report by default, the contract JSON with `--json`.

use std::{
    io::{self, Read, Write},
    path::PathBuf,
    process::ExitCode,
};

use kiln_core::validate::{CREATE_IMAGE_REQUEST, Outcome, validate_str};

/// Arguments of `kiln validate`.
#[derive(clap::Args)]
pub struct Args {
    /// Print the result as the validation contract's JSON
    #[arg(long)]
    json: bool,
    /// Full name of the request message
    #[arg(long, default_value = CREATE_IMAGE_REQUEST, value_name = "NAME")]
    message: String,
    /// The request in proto3 JSON; `-` or nothing reads standard input
    #[arg(value_name = "FILE|-")]
    file: Option<PathBuf>,
}

/// Runs `kiln validate` and returns its exit status.
pub fn run(args: &Args) -> ExitCode {
    let outcome = match read_input(args.file.as_ref()) {
        Ok(text) => validate_str(&args.message, &text),
        Err(error) => Outcome::Error { error },
    };
    let mut stdout = io::stdout().lock();
    let written = if args.json {
        writeln!(stdout, "{}", outcome.to_json())
    } else {
        write!(stdout, "{}", report(&args.message, &outcome))
    };
    if written.is_err() {
        return ExitCode::from(2);
    }
    match outcome {
        Outcome::Valid => ExitCode::SUCCESS,
        Outcome::Invalid { .. } => ExitCode::from(1),
        Outcome::Error { .. } => ExitCode::from(2),
    }
}

fn read_input(file: Option<&PathBuf>) -> Result<String, String> {
    match file {
        Some(path) if path.as_os_str() != "-" => std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display())),
        _ => {
            let mut text = String::new();
            io::stdin()
                .read_to_string(&mut text)
                .map_err(|e| format!("cannot read standard input: {e}"))?;
            Ok(text)
        }
    }
}

/// The human-readable report: one line per violation, aligned on the field.
fn report(message: &str, outcome: &Outcome) -> String {
    let name = message.rsplit('.').next().unwrap_or(message);
    match outcome {
        Outcome::Valid => format!("valid {name}\n"),
        Outcome::Error { error } => format!("error: {error}\n"),
        Outcome::Invalid { violations } => {
            let width = violations
                .iter()
                .map(|v| v.field.chars().count())
                .max()
                .unwrap_or(0);
            let noun = if violations.len() == 1 {
                "violation"
            } else {
                "violations"
            };
            let mut out = format!("invalid {name}: {} {noun}\n", violations.len());
            for v in violations {
                out.push_str(&format!(
                    "  {:<width$}  {} [{}]\n",
                    v.field, v.message, v.rule
                ));
            }
            out
        }
    }
}
