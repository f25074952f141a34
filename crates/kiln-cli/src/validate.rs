//! `kiln validate`: a readable report by default, the contract JSON with `--json`; in English
//! or Russian (`--lang`, else the environment's locale as POSIX reads it, else English).

use std::{
    io::{self, Read, Write},
    path::PathBuf,
    process::ExitCode,
};

use anyhow::Context;

use kiln_core::{
    Locale,
    text::{Plural, ru_plural},
    validate::{CREATE_IMAGE_REQUEST, Outcome, validate_str_in},
};

/// Arguments of `kiln validate`.
#[derive(clap::Args)]
pub struct Args {
    /// Print the result as the validation contract's JSON
    #[arg(long)]
    json: bool,
    /// Full name of the request message
    #[arg(long, default_value = CREATE_IMAGE_REQUEST, value_name = "NAME")]
    message: String,
    /// Language of the messages and the report: en or ru (also ru-RU, ru_RU.UTF-8, ...);
    /// default: the first of LC_ALL, LC_MESSAGES and LANG that is set, else English
    #[arg(long, value_name = "LANG", value_parser = parse_lang)]
    lang: Option<Locale>,
    /// The request in proto3 JSON; `-` or nothing reads standard input
    #[arg(value_name = "FILE|-")]
    file: Option<PathBuf>,
}

/// Runs `kiln validate` and returns its exit status (an input that cannot be read is the
/// `error` outcome, not a failure).
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let locale = args
        .lang
        .unwrap_or_else(|| environment_locale(|name| std::env::var(name).ok()));
    let outcome = match read_input(args.file.as_ref(), locale) {
        Ok(text) => validate_str_in(&args.message, &text, locale),
        Err(error) => Outcome::Error { error },
    };
    let mut stdout = io::stdout().lock();
    let written = if args.json {
        writeln!(stdout, "{}", outcome.to_json())
    } else {
        write!(stdout, "{}", report(&args.message, &outcome, locale))
    };
    written.context("cannot write the result")?;
    Ok(match outcome {
        Outcome::Valid => ExitCode::SUCCESS,
        Outcome::Invalid { .. } => ExitCode::from(1),
        Outcome::Error { .. } => ExitCode::from(2),
    })
}

/// `--lang`'s value: a language tag or POSIX locale name that [`Locale::from_tag`] knows.
fn parse_lang(value: &str) -> anyhow::Result<Locale> {
    Locale::from_tag(value)
        .ok_or_else(|| anyhow::anyhow!("unsupported language {value:?}: use en or ru"))
}

/// The messages' locale from the environment, as POSIX chooses the locale of messages: the
/// first of `LC_ALL`, `LC_MESSAGES` and `LANG` that is set and not empty decides; a language
/// Kiln does not speak there (`de_DE.UTF-8`), or none set, is English.
fn environment_locale(var: impl Fn(&str) -> Option<String>) -> Locale {
    ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .find_map(|name| var(name).filter(|v| !v.is_empty()))
        .and_then(|value| Locale::from_tag(&value))
        .unwrap_or_default()
}

fn read_input(file: Option<&PathBuf>, locale: Locale) -> Result<String, String> {
    match file {
        Some(path) if path.as_os_str() != "-" => {
            std::fs::read_to_string(path).map_err(|e| match locale {
                Locale::En => format!("cannot read {}: {e}", path.display()),
                Locale::Ru => format!("не удалось прочитать {}: {e}", path.display()),
            })
        }
        _ => {
            let mut text = String::new();
            io::stdin()
                .read_to_string(&mut text)
                .map_err(|e| match locale {
                    Locale::En => format!("cannot read standard input: {e}"),
                    Locale::Ru => format!("не удалось прочитать стандартный ввод: {e}"),
                })?;
            Ok(text)
        }
    }
}

/// The human-readable report: one line per violation, aligned on the field. The report's own
/// words (its first line) in both languages; the messages are the core's.
fn report(message: &str, outcome: &Outcome, locale: Locale) -> String {
    let name = message.rsplit('.').next().unwrap_or(message);
    match (outcome, locale) {
        (Outcome::Valid, Locale::En) => format!("valid {name}\n"),
        (Outcome::Valid, Locale::Ru) => format!("запрос {name} корректен\n"),
        (Outcome::Error { error }, Locale::En) => format!("error: {error}\n"),
        (Outcome::Error { error }, Locale::Ru) => format!("ошибка: {error}\n"),
        (Outcome::Invalid { violations }, _) => {
            let width = violations
                .iter()
                .map(|v| v.field.chars().count())
                .max()
                .unwrap_or(0);
            let count = violations.len();
            let mut out = match locale {
                Locale::En => {
                    let noun = if count == 1 {
                        "violation"
                    } else {
                        "violations"
                    };
                    format!("invalid {name}: {count} {noun}\n")
                }
                Locale::Ru => {
                    let noun = match ru_plural(count as i128) {
                        Plural::One => "нарушение",
                        Plural::Few => "нарушения",
                        Plural::Many => "нарушений",
                    };
                    format!("запрос {name} некорректен: {count} {noun}\n")
                }
            };
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_locale_reads_lc_all_then_lc_messages_then_lang() {
        let check = |vars: &[(&str, &str)], want: Locale| {
            let got = environment_locale(|name| {
                vars.iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| (*v).to_owned())
            });
            assert_eq!(got, want, "{vars:?}");
        };
        check(&[], Locale::En);
        check(&[("LANG", "ru_RU.UTF-8")], Locale::Ru);
        check(&[("LANG", "C.UTF-8")], Locale::En);
        check(&[("LC_MESSAGES", "ru_RU"), ("LANG", "en_US")], Locale::Ru);
        check(&[("LC_ALL", "en_US.UTF-8"), ("LANG", "ru_RU")], Locale::En);
        check(&[("LC_ALL", ""), ("LANG", "ru_RU")], Locale::Ru);
        check(&[("LC_ALL", "de_DE.UTF-8"), ("LANG", "ru_RU")], Locale::En);
    }
}
