//! The `groupfit` binary: parse the command line, run, and turn the result into an exit code.

use std::process::ExitCode;

fn main() -> ExitCode {
    match groupfit::commands::parse_command_line() {
        Ok(cli) => groupfit::commands::run(cli),
        Err(code) => code,
    }
}
