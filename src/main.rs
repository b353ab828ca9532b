//! The `groupfit` binary: parse the command line, run, and turn the result into an exit code.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = groupfit::cli::Cli::parse();
    groupfit::commands::run(cli)
}
