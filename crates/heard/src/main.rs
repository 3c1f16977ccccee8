//! The `heard` command: see `heard --help`.

fn main() -> std::process::ExitCode {
    heard::cli::main()
}
