//! `paasctl`: the one CLI of brief/paasctl. Exit codes: 0 clean, 1 errors in the input, 2 usage or IO.
mod args;
mod commands;
mod gitfs;
mod output;
mod platform;
mod project;
mod rendered;
mod scaffold;

use clap::Parser;

fn main() {
    let code = match args::Cli::try_parse_from(std::env::args_os()) {
        Ok(cli) => commands::run(cli.command),
        Err(e) => output::parse_error(&e),
    };
    std::process::exit(code);
}
