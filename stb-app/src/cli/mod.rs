//! The technician's commands on the box's console. Each returns an exit status; errors become one plain line.

pub mod capture;
pub mod card;
pub mod frontend;
pub mod remote;
pub mod render;
pub mod scan;
pub mod sections;
pub mod status;
pub mod tune;
pub mod ui;

use std::fmt;

/// An error shown to the person at the console: one line, no backtrace, and the exit status it leads to.
#[derive(Debug)]
pub struct CliError {
    pub message: String,
    /// 1: the device or the signal failed; 2: the command line was wrong (nothing was done).
    pub code: i32,
}

impl CliError {
    pub fn usage(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            code: 2,
        }
    }
    pub fn failed(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            code: 1,
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<stb_app::dvb::DvbError> for CliError {
    fn from(e: stb_app::dvb::DvbError) -> Self {
        Self::failed(e.to_string())
    }
}

impl From<stb_app::tuner::TuneError> for CliError {
    fn from(e: stb_app::tuner::TuneError) -> Self {
        use stb_app::tuner::TuneError;
        match e {
            TuneError::Lnb(_) | TuneError::Invalid(_) | TuneError::Unsupported(_) => {
                Self::usage(e.to_string())
            }
            TuneError::Device(_) => Self::failed(e.to_string()),
        }
    }
}

pub type CliResult = Result<i32, CliError>;

/// Where the box keeps what must survive a reboot: `$STB_DATA_DIR`, by default `/var/lib/stb` (the data disk).
pub fn data_dir() -> std::path::PathBuf {
    std::env::var_os("STB_DATA_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| "/var/lib/stb".into())
}

/// Prints a value as one line of JSON.
pub fn print_json<T: serde::Serialize>(v: &T) -> Result<(), CliError> {
    let s = serde_json::to_string(v)
        .map_err(|e| CliError::failed(format!("cannot write JSON: {e}")))?;
    println!("{s}");
    Ok(())
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
