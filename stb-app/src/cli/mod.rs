//! The technician's commands on the box's console. Each returns an exit status; errors become one plain line.

pub mod capture;
pub mod card;
pub mod frontend;
pub mod remote;
pub mod scan;
pub mod sections;
pub mod status;
pub mod tune;

pub use stb_app::console::{data_dir, print_json, CliError, CliResult};

/// Runs the box's main program (`stb-box`, beside this program or on the PATH) with a subcommand and its
/// arguments, in place of this process; returns only if it cannot be started.
pub fn run_box_program(sub: &str, args: &[String]) -> CliResult {
    run_program("stb-box", Some(sub), args)
}

/// Runs another of the box's programs (`stb-box`: the screens; `stb-play`: the player, on the media disk) in place
/// of this process: beside this one, else on the PATH. Returns only if it cannot be started.
pub fn run_program(name: &str, sub: Option<&str>, args: &[String]) -> CliResult {
    use std::os::unix::process::CommandExt;
    let beside = std::env::current_exe()
        .ok()
        .map(|p| p.with_file_name(name))
        .filter(|p| p.exists());
    let program = beside.unwrap_or_else(|| name.into());
    let e = std::process::Command::new(&program)
        .args(sub)
        .args(args)
        .exec();
    Err(CliError::failed(format!(
        "cannot start the box's program {}: {e}",
        program.display()
    )))
}

/// Parses a number written in decimal or with a 0x prefix (PIDs and table ids are read both ways).
pub fn parse_int(s: &str) -> Result<u32, String> {
    let t = s.trim();
    let r = match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        Some(h) => u32::from_str_radix(h, 16),
        None => t.parse::<u32>(),
    };
    r.map_err(|_| format!("'{s}' is not a number (decimal or 0x hex)"))
}
