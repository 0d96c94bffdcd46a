//! `dvr0`: the transport stream of the PIDs routed there by a demux TS filter, as 188-byte packets.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::{open_device, read_some, Result};

pub struct Dvr {
    file: File,
    path: PathBuf,
}

impl Dvr {
    pub fn open(path: &Path) -> Result<Self> {
        Ok(Self {
            file: open_device(path, false)?,
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads what is there (up to `buf.len()` bytes), waiting at most `timeout` for the first byte.
    /// Returns 0 on timeout.
    pub fn read(&mut self, buf: &mut [u8], timeout: Duration) -> Result<usize> {
        read_some(&mut self.file, &self.path, buf, timeout)
    }
}
