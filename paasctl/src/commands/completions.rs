//! `paasctl completions SHELL`: prints the shell completion script clap_complete makes from the CLI.
use crate::args::{Cli, ShellArg};
use crate::output::EXIT_OK;
use clap::CommandFactory;
use clap_complete::Shell;

pub fn run(shell: ShellArg) -> i32 {
    let shell = match shell {
        ShellArg::Bash => Shell::Bash,
        ShellArg::Zsh => Shell::Zsh,
        ShellArg::Fish => Shell::Fish,
    };
    let mut cmd = Cli::command();
    clap_complete::generate(shell, &mut cmd, "paasctl", &mut std::io::stdout());
    EXIT_OK
}
