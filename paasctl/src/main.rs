//! `paasctl`: the one CLI of brief/paasctl. Exit codes: 0 clean, 1 errors in the input, 2 usage or IO.
mod breaking;
mod cli;
mod codegen;
mod fmt;
mod gitfs;
mod lint;
mod manifests;

fn main() {
    std::process::exit(cli::run(std::env::args_os()));
}
