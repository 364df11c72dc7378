//! The `trialsim` binary: parse arguments, call the library, print. Exit status 2 for bad usage or
//! input, 1 for other failures; a closed standard output ends the program quietly.

mod cli;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if cli::is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("Error: {}", cli::describe(&e));
            ExitCode::from(cli::exit_status(&e))
        }
    }
}
