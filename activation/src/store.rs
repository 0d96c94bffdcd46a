//! The box's persistent activation state: only what the box needs (the signed authorisation,
//! the highest sequence number seen, the position lock), never the household's name, address
//! or phone.
//!
//! Crash safety without a database: the new image is written to `state.bin.tmp`, fsynced,
//! renamed over `state.bin` (atomic on POSIX file systems), and the directory is fsynced so the
//! rename itself is durable. A reader sees the old image or the new one, never a mix; a CRC
//! catches media corruption. One fixed-size record does not need SQLite.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use smartcard::authorisation::MESSAGE_LEN;

use ts_si::crc::crc32_mpeg2;

const MAGIC: &[u8; 4] = b"HHTS";
const VERSION: u8 = 1;
/// magic, version, flags, highest sequence, authorisation, CRC.
pub const IMAGE_LEN: usize = 4 + 1 + 1 + 8 + MESSAGE_LEN + 4;
const FILE_NAME: &str = "state.bin";
const TMP_NAME: &str = "state.bin.tmp";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("activation store {0}: {1}")]
    Io(PathBuf, io::Error),
    #[error("activation store {0} is damaged")]
    Corrupt(PathBuf),
}

/// The persistent state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoredState {
    /// The operator's signed authorisation in force (verified again at every load).
    pub authorisation: Option<[u8; MESSAGE_LEN]>,
    /// Highest authorisation sequence number ever accepted: older ones are replays.
    pub highest_sequence: u64,
    /// The box left its registered place and has not come back or been re-authorised.
    pub position_locked: bool,
}

impl StoredState {
    pub fn to_bytes(&self) -> [u8; IMAGE_LEN] {
        let mut b = [0u8; IMAGE_LEN];
        b[..4].copy_from_slice(MAGIC);
        b[4] = VERSION;
        b[5] = u8::from(self.authorisation.is_some()) | u8::from(self.position_locked) << 1;
        b[6..14].copy_from_slice(&self.highest_sequence.to_be_bytes());
        if let Some(a) = &self.authorisation {
            b[14..14 + MESSAGE_LEN].copy_from_slice(a);
        }
        let crc = crc32_mpeg2(&b[..IMAGE_LEN - 4]);
        b[IMAGE_LEN - 4..].copy_from_slice(&crc.to_be_bytes());
        b
    }

    pub fn from_bytes(b: &[u8]) -> Option<Self> {
        if b.len() != IMAGE_LEN || &b[..4] != MAGIC || b[4] != VERSION || crc32_mpeg2(b) != 0 {
            return None;
        }
        let flags = b[5];
        if flags & !0b11 != 0 {
            return None;
        }
        let authorisation = (flags & 1 != 0).then(|| {
            let mut a = [0u8; MESSAGE_LEN];
            a.copy_from_slice(&b[14..14 + MESSAGE_LEN]);
            a
        });
        Some(StoredState {
            authorisation,
            highest_sequence: u64::from_be_bytes(b[6..14].try_into().ok()?),
            position_locked: flags & 2 != 0,
        })
    }
}

/// The store in a directory of its own (for instance `/var/lib/hht/activation`).
#[derive(Debug, Clone)]
pub struct Store {
    dir: PathBuf,
}

impl Store {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Store { dir: dir.into() }
    }

    pub fn path(&self) -> PathBuf {
        self.dir.join(FILE_NAME)
    }

    fn err(&self, e: io::Error) -> StoreError {
        StoreError::Io(self.dir.clone(), e)
    }

    /// The stored state; the default (never activated) when there is none yet.
    pub fn load(&self) -> Result<StoredState, StoreError> {
        match fs::read(self.path()) {
            Ok(bytes) => {
                StoredState::from_bytes(&bytes).ok_or_else(|| StoreError::Corrupt(self.path()))
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(StoredState::default()),
            Err(e) => Err(self.err(e)),
        }
    }

    /// Replaces the state atomically and durably.
    pub fn save(&self, state: &StoredState) -> Result<(), StoreError> {
        fs::create_dir_all(&self.dir).map_err(|e| self.err(e))?;
        let tmp = self.dir.join(TMP_NAME);
        let write = || -> io::Result<()> {
            let mut f = File::create(&tmp)?;
            f.write_all(&state.to_bytes())?;
            f.sync_all()?;
            drop(f);
            fs::rename(&tmp, self.path())?;
            sync_dir(&self.dir)
        };
        write().map_err(|e| self.err(e))
    }
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_damage() {
        let dir = std::env::temp_dir().join(format!("hht-store-unit-{}", std::process::id()));
        let store = Store::new(&dir);
        assert_eq!(store.load().unwrap(), StoredState::default());
        let s = StoredState {
            authorisation: Some([7; MESSAGE_LEN]),
            highest_sequence: 9,
            position_locked: true,
        };
        store.save(&s).unwrap();
        assert_eq!(store.load().unwrap(), s);
        let mut bytes = std::fs::read(store.path()).unwrap();
        bytes[20] ^= 0x40;
        std::fs::write(store.path(), &bytes).unwrap();
        assert!(matches!(store.load(), Err(StoreError::Corrupt(_))));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
