//! Client data kept out of argv (REDTEAM M7): the value `-` of an option that carries client
//! data reads that value from standard input instead, one line each (with a prompt on stderr
//! when standard input is a terminal).
//!
//! Whatever is on a command line is shown by `ps` to every user of the computer for as long as
//! the command runs (and a data command waits for its passphrase), and the shell keeps it in its
//! history file. Names, birth years, notes, answers and the forced choice are client data; so is
//! a name given to pick a client (`--client NAME`). Ids are not identifying and stay fine in
//! argv. The options, in the order their `-` lines are read (the order of `--help`):
//!
//! | command | options |
//! |---|---|
//! | `client add` | `--name`, `--birth-year` (an empty line: none), `--notes` |
//! | `client delete`, `history`, `change`, `export` | `--client` |
//! | `enter` | `--client`, `--answers`, `--choice` (an empty line: none) |
//! | `report` | `--client`, `--note` |
//!
//! Everything is read here, before the command opens the data folder, so that the passphrase
//! prompt (which reads the terminal itself) comes after, and a command never starts half
//! filled. The commands see the values as if they had been given in argv.

use std::io::{self, BufRead, IsTerminal, Write};

use anyhow::Result;

use super::args::{ClientCommand, Command};
use super::bad_input;

/// The value that means "read it from standard input".
pub const FROM_STDIN: &str = "-";

/// `command` with each client-data option whose value is `-` filled from standard input.
pub fn from_stdin(command: &Command) -> Result<Command> {
    let mut command = command.clone();
    if asks_stdin(&command) {
        let stdin = io::stdin();
        let is_terminal = stdin.is_terminal();
        let mut lines = Lines {
            input: stdin.lock(),
            prompts: is_terminal,
        };
        fill(&mut command, &mut lines)?;
    }
    Ok(command)
}

/// Whether any client-data option of `command` is `-`.
fn asks_stdin(command: &Command) -> bool {
    let dash = |v: &String| v == FROM_STDIN;
    let dash_opt = |v: &Option<String>| v.as_ref().is_some_and(dash);
    match command {
        Command::Client {
            command:
                ClientCommand::Add {
                    name,
                    birth_year,
                    notes,
                },
        } => dash(name) || dash_opt(birth_year) || dash_opt(notes),
        Command::Client {
            command: ClientCommand::Delete { client, .. },
        } => dash(client),
        Command::Enter(a) => dash(&a.client) || dash(&a.answers) || dash_opt(&a.choice),
        Command::History(a) => dash(&a.client),
        Command::Change(a) => dash(&a.client),
        Command::Report(a) => dash_opt(&a.client) || dash_opt(&a.note),
        Command::Export(a) => dash_opt(&a.client),
        _ => false,
    }
}

/// Fills every `-` of `command` from `lines`, in the order of the module's table.
fn fill<R: BufRead>(command: &mut Command, lines: &mut Lines<R>) -> Result<()> {
    match command {
        Command::Client {
            command:
                ClientCommand::Add {
                    name,
                    birth_year,
                    notes,
                },
        } => {
            lines.fill(name, "--name", "Client name (pseudonym or clinic id)")?;
            lines.fill_optional(birth_year, "--birth-year", "Year of birth (empty for none)")?;
            lines.fill_kept(notes, "--notes", "Notes (one line)")?;
        }
        Command::Client {
            command: ClientCommand::Delete { client, .. },
        } => lines.fill(client, "--client", CLIENT_PROMPT)?,
        Command::Enter(a) => {
            lines.fill(&mut a.client, "--client", CLIENT_PROMPT)?;
            lines.fill(
                &mut a.answers,
                "--answers",
                "Answers in item order, separated by commas (empty = not answered, x = \
                 prefer not to answer)",
            )?;
            lines.fill_optional(&mut a.choice, "--choice", "Forced choice (empty for none)")?;
        }
        Command::History(a) => lines.fill(&mut a.client, "--client", CLIENT_PROMPT)?,
        Command::Change(a) => lines.fill(&mut a.client, "--client", CLIENT_PROMPT)?,
        Command::Report(a) => {
            if let Some(client) = &mut a.client {
                lines.fill(client, "--client", CLIENT_PROMPT)?;
            }
            lines.fill_kept(&mut a.note, "--note", "Note under the heading (one line)")?;
        }
        Command::Export(a) => {
            if let Some(client) = &mut a.client {
                lines.fill(client, "--client", CLIENT_PROMPT)?;
            }
        }
        _ => {}
    }
    Ok(())
}

const CLIENT_PROMPT: &str = "Client (name or id)";

/// Standard input, a line per value.
struct Lines<R> {
    input: R,
    /// Whether to say what is asked for (standard input is a terminal).
    prompts: bool,
}

impl<R: BufRead> Lines<R> {
    /// Replaces `value` by the next line when it is `-`.
    fn fill(&mut self, value: &mut String, option: &str, prompt: &str) -> Result<()> {
        if value == FROM_STDIN {
            *value = self.next(option, prompt)?;
        }
        Ok(())
    }

    /// Replaces `-` by the next line; an empty line is no value.
    fn fill_optional(
        &mut self,
        value: &mut Option<String>,
        option: &str,
        prompt: &str,
    ) -> Result<()> {
        if value.as_deref() == Some(FROM_STDIN) {
            let line = self.next(option, prompt)?;
            *value = (!line.trim().is_empty()).then_some(line);
        }
        Ok(())
    }

    /// Replaces `-` by the next line, kept even when empty (an empty note).
    fn fill_kept(&mut self, value: &mut Option<String>, option: &str, prompt: &str) -> Result<()> {
        if value.as_deref() == Some(FROM_STDIN) {
            *value = Some(self.next(option, prompt)?);
        }
        Ok(())
    }

    /// The next line, without its line end (`\n` or `\r\n`).
    fn next(&mut self, option: &str, prompt: &str) -> Result<String> {
        if self.prompts {
            let mut stderr = io::stderr().lock();
            let _ = write!(stderr, "{prompt}: ");
            let _ = stderr.flush();
        }
        let mut line = String::new();
        match self.input.read_line(&mut line) {
            Ok(0) => bad_input(format!(
                "{option} -: standard input ended before its value (each `-` takes the next \
                 line, in the order of the options in --help)"
            )),
            Ok(_) => {
                if line.ends_with('\n') {
                    line.pop();
                    if line.ends_with('\r') {
                        line.pop();
                    }
                }
                Ok(line)
            }
            Err(e) if e.kind() == io::ErrorKind::InvalidData => bad_input(format!(
                "{option} -: the line on standard input is not UTF-8 text"
            )),
            Err(e) => {
                Err(anyhow::Error::new(e)
                    .context(format!("{option} -: cannot read standard input")))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{BadInput, Cli};
    use clap::Parser;

    /// The command of `securebase ARGS`, its `-` values read from `input`.
    fn filled(args: &[&str], input: &str) -> Result<Command> {
        let cli = Cli::try_parse_from(std::iter::once("securebase").chain(args.iter().copied()))?;
        let mut command = cli.command.ok_or_else(|| anyhow::anyhow!("no command"))?;
        let mut lines = Lines {
            input: io::Cursor::new(input.as_bytes().to_vec()),
            prompts: false,
        };
        fill(&mut command, &mut lines)?;
        Ok(command)
    }

    #[test]
    fn each_dash_takes_the_next_line_in_the_order_of_help() -> Result<()> {
        let command = filled(
            &[
                "client",
                "add",
                "--notes",
                "-",
                "--name",
                "-",
                "--birth-year",
                "-",
            ],
            "Ann\r\n1980\nfirst seen\n",
        )?;
        let Command::Client {
            command:
                ClientCommand::Add {
                    name,
                    birth_year,
                    notes,
                },
        } = command
        else {
            anyhow::bail!("not client add: {command:?}");
        };
        assert_eq!(name, "Ann");
        assert_eq!(birth_year.as_deref(), Some("1980"));
        assert_eq!(notes.as_deref(), Some("first seen"));
        Ok(())
    }

    #[test]
    fn values_in_argv_are_kept_and_take_no_line() -> Result<()> {
        let command = filled(
            &[
                "enter",
                "--client",
                "a1b2",
                "--instrument",
                "rq",
                "--answers",
                "-",
            ],
            "1,2,3,4\nnot read\n",
        )?;
        let Command::Enter(args) = command else {
            anyhow::bail!("not enter");
        };
        assert_eq!(args.client, "a1b2");
        assert_eq!(args.answers, "1,2,3,4");
        assert_eq!(args.choice, None);
        Ok(())
    }

    #[test]
    fn an_empty_line_is_no_birth_year_and_no_choice_but_an_empty_note() -> Result<()> {
        let command = filled(
            &["client", "add", "--name", "-", "--birth-year", "-"],
            "B\n\n",
        )?;
        let Command::Client {
            command: ClientCommand::Add { birth_year, .. },
        } = command
        else {
            anyhow::bail!("not client add");
        };
        assert_eq!(birth_year, None);
        let command = filled(
            &["report", "--client", "-", "--note", "-", "-o", "r.pdf"],
            "B\n\n",
        )?;
        let Command::Report(args) = command else {
            anyhow::bail!("not report");
        };
        assert_eq!(
            (args.client.as_deref(), args.note.as_deref()),
            (Some("B"), Some(""))
        );
        Ok(())
    }

    #[test]
    fn a_missing_line_is_bad_input_naming_the_option() {
        let Err(err) = filled(
            &[
                "enter",
                "--client",
                "-",
                "--instrument",
                "rq",
                "--answers",
                "-",
            ],
            "Ann\n",
        ) else {
            panic!("filled without a line for --answers");
        };
        assert!(err.downcast_ref::<BadInput>().is_some(), "{err}");
        assert!(err.to_string().contains("--answers -"), "{err}");
    }
}
