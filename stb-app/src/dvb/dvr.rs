//! `dvr0`: the transport stream of the PIDs routed there by a demux TS filter, as 188-byte packets.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use nix::errno::Errno;

use super::{open_device, wait_readable, DvbError, Result};

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
        loop {
            if !wait_readable(&self.file, &self.path, timeout)? {
                return Ok(0);
            }
            match self.file.read(buf) {
                Ok(n) => return Ok(n),
                Err(e)
                    if e.kind() == std::io::ErrorKind::WouldBlock
                        || e.kind() == std::io::ErrorKind::Interrupted =>
                {
                    continue
                }
                Err(e) => {
                    let errno = Errno::from_raw(e.raw_os_error().unwrap_or(0));
                    return Err(DvbError::Call {
                        device: self.path.clone(),
                        call: "read",
                        errno,
                    });
                }
            }
        }
    }
}
