//! The `dorasim` binary: parses the command line and hands over to the library.

use std::process::ExitCode;

use std::io::Write;

use clap::Parser;

fn main() -> ExitCode {
    let cli = dorasim::cli::Cli::parse();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let result =
        dorasim::cli::main_with(cli, &mut out).and_then(|()| out.flush().map_err(Into::into));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) if dorasim::cli::is_broken_pipe(&error) => ExitCode::SUCCESS,
        // A calibration target missed: the table is printed; 1, like a failed test.
        Err(error) if error.is::<dorasim::calibration::TargetsMissed>() => {
            eprintln!("{}", dorasim::cli::error_text(&error));
            ExitCode::from(dorasim::cli::exit::TARGET_MISSED)
        }
        Err(error) => {
            eprintln!("{}", dorasim::cli::error_text(&error));
            ExitCode::from(dorasim::cli::exit_code_of_failure())
        }
    }
}
