//! Thin, safe wrappers over the Linux DVB API v5 device files of one adapter:
//! `frontend0` (tuning, LNB power, DiSEqC, statistics), `demux0` (section and PES filters) and `dvr0` (the stream).
//!
//! All `unsafe` ioctl definitions are in [`sys`]. Every error names the device file and the call that failed.

pub mod demux;
pub mod dvr;
pub mod frontend;
pub mod sys;

use std::fs::{File, OpenOptions};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use nix::errno::Errno;

pub use demux::{Demux, SectionFilter, TsOutput};
pub use dvr::Dvr;
pub use frontend::{DeliverySystem, Frontend, FrontendInfo, FrontendStatus, SignalStats};

/// An error of the DVB layer: which device, which call, and what the kernel said.
#[derive(Debug, thiserror::Error)]
pub enum DvbError {
    #[error("{device}: {call} failed: {errno}{hint}", hint = errno_hint(*errno))]
    Call {
        device: PathBuf,
        call: &'static str,
        errno: Errno,
    },
    #[error("{device}: cannot open: {source}{hint}", hint = open_hint(source))]
    Open {
        device: PathBuf,
        source: std::io::Error,
    },
    #[error("DVB adapter {adapter} not found: {path} does not exist (check `ls /dev/dvb/` and that the driver is loaded, e.g. `lsmod | grep dvb`)")]
    NoAdapter { adapter: u32, path: PathBuf },
    #[error("{device}: no data within {timeout_ms} ms")]
    Timeout { device: PathBuf, timeout_ms: u64 },
    #[error("{device}: {what}")]
    Unexpected { device: PathBuf, what: String },
}

fn errno_hint(errno: Errno) -> &'static str {
    match errno {
        Errno::EBUSY => " (another program is using the device)",
        Errno::EOVERFLOW => " (the demux buffer overflowed: data was lost)",
        Errno::EPERM | Errno::EACCES => {
            " (permission denied: run as root or check the device's mode)"
        }
        _ => "",
    }
}

fn open_hint(err: &std::io::Error) -> &'static str {
    match err.kind() {
        std::io::ErrorKind::PermissionDenied => " (run as root or check the device's mode)",
        _ => match err.raw_os_error().map(Errno::from_raw) {
            Some(Errno::EBUSY) => " (another program is using the device)",
            _ => "",
        },
    }
}

pub type Result<T> = std::result::Result<T, DvbError>;

/// The device files of one adapter, `/dev/dvb/adapterN`.
#[derive(Clone, Debug)]
pub struct Adapter {
    number: u32,
    dir: PathBuf,
}

impl Adapter {
    /// Adapter `number` under `/dev/dvb`; fails with a helpful message when it is missing.
    pub fn open(number: u32) -> Result<Self> {
        Self::at(Path::new("/dev/dvb"), number)
    }

    /// Adapter `number` under another root (tests, chroots).
    pub fn at(root: &Path, number: u32) -> Result<Self> {
        let dir = root.join(format!("adapter{number}"));
        if !dir.exists() {
            return Err(DvbError::NoAdapter {
                adapter: number,
                path: dir,
            });
        }
        Ok(Self { number, dir })
    }

    pub fn number(&self) -> u32 {
        self.number
    }

    pub fn frontend_path(&self) -> PathBuf {
        self.dir.join("frontend0")
    }

    pub fn demux_path(&self) -> PathBuf {
        self.dir.join("demux0")
    }

    pub fn dvr_path(&self) -> PathBuf {
        self.dir.join("dvr0")
    }

    /// Opens the frontend; `write` is needed to tune, read-only is enough for status (and may share the device).
    pub fn frontend(&self, write: bool) -> Result<Frontend> {
        Frontend::open(&self.frontend_path(), write)
    }

    pub fn demux(&self) -> Result<Demux> {
        Demux::open(&self.demux_path())
    }

    pub fn dvr(&self) -> Result<Dvr> {
        Dvr::open(&self.dvr_path())
    }
}

/// Opens a device file non-blocking, as every wrapper here polls with a timeout instead of blocking.
pub(crate) fn open_device(path: &Path, write: bool) -> Result<File> {
    OpenOptions::new()
        .read(true)
        .write(write)
        .custom_flags(nix::fcntl::OFlag::O_NONBLOCK.bits())
        .open(path)
        .map_err(|source| DvbError::Open {
            device: path.to_path_buf(),
            source,
        })
}

/// Waits until `file` is readable, at most `timeout`; `Ok(false)` on timeout. Retries when interrupted.
pub(crate) fn wait_readable(
    file: &File,
    path: &Path,
    timeout: std::time::Duration,
) -> Result<bool> {
    use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
    use std::os::fd::AsFd;
    let deadline = std::time::Instant::now() + timeout;
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        let ms = PollTimeout::try_from(left.as_millis().min(i32::MAX as u128) as i32)
            .unwrap_or(PollTimeout::MAX);
        let mut fds = [PollFd::new(
            file.as_fd(),
            PollFlags::POLLIN | PollFlags::POLLPRI,
        )];
        match poll(&mut fds, ms) {
            Ok(0) => return Ok(false),
            // Readable, or an error condition that the following read reports (e.g. EOVERFLOW).
            Ok(_) => return Ok(true),
            Err(Errno::EINTR) => continue,
            Err(errno) => {
                return Err(DvbError::Call {
                    device: path.to_path_buf(),
                    call: "poll",
                    errno,
                })
            }
        }
    }
}

/// Reads what is there (up to `buf.len()` bytes), waiting at most `timeout` for the first byte; 0 on timeout.
pub(crate) fn read_some(
    file: &mut File,
    path: &Path,
    buf: &mut [u8],
    timeout: std::time::Duration,
) -> Result<usize> {
    use std::io::Read;
    loop {
        if !wait_readable(file, path, timeout)? {
            return Ok(0);
        }
        match file.read(buf) {
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
                    device: path.to_path_buf(),
                    call: "read",
                    errno,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_adapter_says_which_and_how_to_check() {
        let dir = std::env::temp_dir().join(format!("stb-no-dvb-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let err = Adapter::at(&dir, 3).unwrap_err().to_string();
        assert!(err.contains("DVB adapter 3 not found"), "{err}");
        assert!(err.contains("adapter3"), "{err}");
        assert!(err.contains("ls /dev/dvb"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn call_errors_name_the_device_and_the_call() {
        let e = DvbError::Call {
            device: "/dev/dvb/adapter0/frontend0".into(),
            call: "FE_SET_PROPERTY",
            errno: Errno::EINVAL,
        };
        let s = e.to_string();
        assert!(
            s.starts_with("/dev/dvb/adapter0/frontend0: FE_SET_PROPERTY failed: EINVAL"),
            "{s}"
        );
    }
}
