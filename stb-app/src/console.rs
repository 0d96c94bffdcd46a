//! What the console's commands share with the box's main program: the one-line error a person sees with the
//! exit status it leads to, where the box keeps its data and who it is, its activation engine, JSON output.

use std::fmt;
use std::path::PathBuf;

use activation::engine::{Activation, BoxIdentity};
use activation::message::BoxId;
use activation::store::Store;

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

impl From<crate::dvb::DvbError> for CliError {
    fn from(e: crate::dvb::DvbError) -> Self {
        Self::failed(e.to_string())
    }
}

impl From<crate::tuner::TuneError> for CliError {
    fn from(e: crate::tuner::TuneError) -> Self {
        use crate::tuner::TuneError;
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

/// The box id provisioned in the image (`/etc/stb/box-id`), or `STB_BOX_ID`.
pub fn box_id() -> Result<BoxId, CliError> {
    let text = match std::env::var("STB_BOX_ID") {
        Ok(v) => v,
        Err(_) => std::fs::read_to_string("/etc/stb/box-id").map_err(|e| {
            CliError::failed(format!(
                "no box id: /etc/stb/box-id: {e} (set STB_BOX_ID to override)"
            ))
        })?,
    };
    text.trim()
        .parse()
        .map_err(|e| CliError::failed(format!("box id '{}' is not valid: {e}", text.trim())))
}

fn state_dir() -> PathBuf {
    data_dir().join("activation")
}

/// The box's activation engine over its state on the data disk.
pub fn activation() -> Result<Activation, CliError> {
    let identity = BoxIdentity::with_firmware_key(box_id()?);
    Activation::open(identity, Store::new(state_dir()))
        .map_err(|e| CliError::failed(format!("activation state: {e}")))
}
