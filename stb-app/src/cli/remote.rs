//! `stb-app remote`: prints what each key of the remote does, to check a remote (or a key-map file) on the box.

use std::time::{Duration, Instant};

use stb_app::ui::keys::KeyMap;
use stb_app::ui::remote::Remote;

use super::{CliError, CliResult};

#[derive(clap::Args, Debug)]
pub struct RemoteArgs {
    /// A key-map file for another remote (`KEY_NAME = action` lines).
    #[arg(long)]
    pub keymap: Option<std::path::PathBuf>,
    /// Stop after this many keys.
    #[arg(long)]
    pub count: Option<u32>,
    /// Stop after this many seconds.
    #[arg(long, default_value_t = 60.0)]
    pub timeout: f64,
}

pub fn run(a: &RemoteArgs) -> CliResult {
    if !(a.timeout.is_finite() && a.timeout > 0.0 && a.timeout <= 86_400.0) {
        return Err(CliError::usage(
            "--timeout must be between 0 and 86400 seconds",
        ));
    }
    let keymap = match &a.keymap {
        Some(f) => KeyMap::with_file(f).map_err(|e| CliError::usage(e.to_string()))?,
        None => KeyMap::default(),
    };
    let mut remote = Remote::new(keymap);
    let deadline = Instant::now() + Duration::from_secs_f64(a.timeout);
    let mut n = 0;
    println!("Press keys on the remote (stops after {:.0} s).", a.timeout);
    while a.count.is_none_or(|c| n < c) {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        if let Some(action) = remote.next_action(left) {
            println!("{action}");
            n += 1;
        }
    }
    Ok(0)
}
