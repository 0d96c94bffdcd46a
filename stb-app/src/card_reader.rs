//! The box's smart-card reader, as the console commands and the box's main program open it: a Phoenix reader on a
//! real UART (reset through RTS), or a virtual line (a pty, the emulated box's virtio port) that resets in-band.

use std::path::{Path, PathBuf};

use smartcard::reader::{Reader, ReaderConfig};

/// Where the box finds its reader (init names it).
pub const DEFAULT_PATH: &str = "/dev/smartcard";

#[derive(Debug, thiserror::Error)]
pub enum ReaderError {
    #[error("card reader {} does not exist (check the cable and `ls -l {}`)", .0.display(), .0.display())]
    Missing(PathBuf),
    #[error("the reader path {} is not UTF-8", .0.display())]
    NotUtf8(PathBuf),
    #[error("card reader {path}: {source}")]
    Open {
        path: String,
        source: smartcard::CardError,
    },
}

/// A reader on a terminal (UART, pty) or on a plain character device (a virtio serial port).
pub enum CardReader {
    Tty(Reader<smartcard::line::PollLine<smartcard::reader::SerialFd>>),
    Device(Reader<smartcard::line::PollLine<std::fs::File>>),
}

impl CardReader {
    /// Opens the reader at `path`; `phoenix` for a Phoenix reader on a real UART.
    pub fn open(path: &Path, phoenix: bool) -> Result<Self, ReaderError> {
        use std::io::IsTerminal;
        let name = path
            .to_str()
            .ok_or_else(|| ReaderError::NotUtf8(path.to_path_buf()))?;
        if !path.exists() {
            return Err(ReaderError::Missing(path.to_path_buf()));
        }
        let config = if phoenix {
            ReaderConfig::phoenix(name)
        } else {
            ReaderConfig::virtual_line(name)
        };
        let is_tty = std::fs::File::open(path)
            .map(|f| f.is_terminal())
            .unwrap_or(true);
        let r = if is_tty {
            Reader::open(config).map(Self::Tty)
        } else {
            Reader::open_char_device(config).map(Self::Device)
        };
        r.map_err(|source| ReaderError::Open {
            path: name.to_string(),
            source,
        })
    }

    /// Resets the card: its answer to reset.
    pub fn reset(&mut self) -> Result<smartcard::atr::AtrRepr, smartcard::CardError> {
        match self {
            Self::Tty(r) => r.reset(),
            Self::Device(r) => r.reset(),
        }
    }

    /// The card's command channel (what the activation engine talks through).
    pub fn channel(&mut self) -> &mut dyn smartcard::card_app::CardChannel {
        match self {
            Self::Tty(r) => r,
            Self::Device(r) => r,
        }
    }
}
