//! The optional front panel: a 4-digit 7-segment display with the channel number and a standby LED, driven by an
//! HT16K33 LED controller on I2C through `linux-embedded-hal`. Most boxes (and the emulated one) have none: without
//! `/etc/stb/front-panel` there is no panel and nothing is reported. The file names the part, the bus and the
//! address on one line, e.g. `ht16k33 /dev/i2c-1 0x70`.
//!
//! Display RAM layout of the common 4-digit backpacks: digits at RAM bytes 0, 2, 6 and 8, the colon at 4; the
//! standby LED is wired to row 5 (RAM byte 10), bit 0.
//!
//! Everything the HT16K33 is sent is, on the wire, an SMBus "send byte" (commands) or "I2C block write" (the display
//! RAM from address 0), so the Linux side speaks SMBus ([`SmbusWrites`]): the panel then works on SMBus-only
//! controllers (Intel i801, the kernel's i2c-stub that stands in for the chip in the emulated box) as on full I2C
//! ones.

use std::path::Path;

use embedded_hal::i2c::I2c;

use crate::textfile::{Comments, TextFile, TextFileError};

/// The configuration file of the panel.
pub const CONFIG: &str = "/etc/stb/front-panel";

/// What the panel shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shown {
    /// The channel watched (the last four digits).
    Channel(u32),
    /// No channel (before installation, or nothing to watch): "----".
    NoChannel,
    /// Standby: digits dark, the standby LED lit.
    Standby,
}

#[derive(Debug, thiserror::Error)]
pub enum PanelError {
    #[error(transparent)]
    Config(#[from] TextFileError),
    #[error("front panel on {bus}: {reason}")]
    Bus { bus: String, reason: String },
}

/// Segments a-g (bit 0 = a) of the digits 0-9.
const DIGITS: [u8; 10] = [0x3F, 0x06, 0x5B, 0x4F, 0x66, 0x6D, 0x7D, 0x07, 0x7F, 0x6F];
const DASH: u8 = 0x40;

/// The bytes of the display RAM (from address 0) that show `shown`.
pub fn display_ram(shown: Shown) -> [u8; 11] {
    let (digits, standby) = match shown {
        Shown::Channel(n) => {
            let n = n % 10_000;
            let mut d = [0u8; 4];
            let mut rest = n;
            for slot in d.iter_mut().rev() {
                *slot = DIGITS[(rest % 10) as usize];
                rest /= 10;
            }
            // No leading zeros: channel 7 reads "   7".
            let width = n.to_string().len();
            for slot in d.iter_mut().take(4 - width) {
                *slot = 0;
            }
            (d, 0)
        }
        Shown::NoChannel => ([DASH; 4], 0),
        Shown::Standby => ([0; 4], 1),
    };
    [
        digits[0], 0, digits[1], 0, 0, 0, digits[2], 0, digits[3], 0, standby,
    ]
}

/// An HT16K33 on an I2C bus.
pub struct Ht16k33<I> {
    i2c: I,
    address: u8,
    shown: Option<Shown>,
}

impl<I: I2c> Ht16k33<I> {
    /// Wakes the controller: oscillator on, display on without blinking, full brightness.
    pub fn new(mut i2c: I, address: u8) -> Result<Self, I::Error> {
        for command in [0x21, 0x81, 0xEF] {
            i2c.write(address, &[command])?;
        }
        Ok(Self {
            i2c,
            address,
            shown: None,
        })
    }

    /// Shows `shown` (nothing is sent when it is already shown).
    pub fn show(&mut self, shown: Shown) -> Result<(), I::Error> {
        if self.shown == Some(shown) {
            return Ok(());
        }
        let mut bytes = [0u8; 12];
        bytes[1..].copy_from_slice(&display_ram(shown));
        self.i2c.write(self.address, &bytes)?;
        self.shown = Some(shown);
        Ok(())
    }
}

/// A panel the UI can drive.
pub trait FrontPanel: Send {
    fn show(&mut self, shown: Shown) -> Result<(), PanelError>;
}

/// `linux-embedded-hal`'s I2C device driven with SMBus transactions: a one-byte write is "send byte", a longer one
/// "I2C block write" (first byte the command). Reads are not needed by the panel and are refused.
pub struct SmbusWrites(pub linux_embedded_hal::I2cdev);

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct SmbusError(String);

impl embedded_hal::i2c::Error for SmbusError {
    fn kind(&self) -> embedded_hal::i2c::ErrorKind {
        embedded_hal::i2c::ErrorKind::Other
    }
}

impl embedded_hal::i2c::ErrorType for SmbusWrites {
    type Error = SmbusError;
}

impl I2c for SmbusWrites {
    fn transaction(
        &mut self,
        address: u8,
        operations: &mut [embedded_hal::i2c::Operation<'_>],
    ) -> Result<(), SmbusError> {
        use i2cdev::core::I2CDevice;
        let dev = &mut *self.0;
        dev.set_slave_address(u16::from(address))
            .map_err(|e| SmbusError(e.to_string()))?;
        for op in operations {
            match op {
                embedded_hal::i2c::Operation::Write([byte]) => dev.smbus_write_byte(*byte),
                embedded_hal::i2c::Operation::Write([command, data @ ..]) if data.len() <= 32 => {
                    dev.smbus_write_i2c_block_data(*command, data)
                }
                _ => {
                    return Err(SmbusError(
                        "only SMBus writes of 1 to 33 bytes are supported".into(),
                    ))
                }
            }
            .map_err(|e| SmbusError(e.to_string()))?;
        }
        Ok(())
    }
}

struct LinuxHt16k33 {
    bus: String,
    chip: Ht16k33<SmbusWrites>,
}

impl FrontPanel for LinuxHt16k33 {
    fn show(&mut self, shown: Shown) -> Result<(), PanelError> {
        self.chip.show(shown).map_err(|e| PanelError::Bus {
            bus: self.bus.clone(),
            reason: e.to_string(),
        })
    }
}

/// The panel `config` describes, or `None` when the box has no panel (no file).
pub fn open(config: &Path) -> Result<Option<Box<dyn FrontPanel>>, PanelError> {
    let file = match TextFile::read(config) {
        Ok(f) => f,
        Err(TextFileError::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
            return Ok(None)
        }
        Err(e) => return Err(e.into()),
    };
    let (n, line) = file
        .entries(Comments::Anywhere)
        .next()
        .ok_or_else(|| file.error(1, "empty: write e.g. `ht16k33 /dev/i2c-1 0x70`"))?;
    let bad = |reason: &str| PanelError::Config(file.error(n, reason));
    let words: Vec<&str> = line.split_whitespace().collect();
    let [part, bus, address] = words[..] else {
        return Err(bad(
            "expected `PART BUS ADDRESS`, e.g. `ht16k33 /dev/i2c-1 0x70`",
        ));
    };
    if part != "ht16k33" {
        return Err(bad(&format!("unknown part '{part}': ht16k33 is supported")));
    }
    let address = u8::from_str_radix(address.trim_start_matches("0x"), 16)
        .ok()
        .filter(|a| (0x08..=0x77).contains(a))
        .ok_or_else(|| {
            bad(&format!(
                "'{address}' is not a 7-bit I2C address (0x08-0x77)"
            ))
        })?;
    let i2c = linux_embedded_hal::I2cdev::new(bus).map_err(|e| PanelError::Bus {
        bus: bus.into(),
        reason: e.to_string(),
    })?;
    let chip = Ht16k33::new(SmbusWrites(i2c), address).map_err(|e| PanelError::Bus {
        bus: bus.into(),
        reason: format!("no HT16K33 at 0x{address:02x}: {e}"),
    })?;
    Ok(Some(Box::new(LinuxHt16k33 {
        bus: bus.into(),
        chip,
    })))
}

#[cfg(test)]
mod tests {
    use super::*;
    use embedded_hal::i2c::{ErrorType, Operation};

    /// An I2C bus that records what a chip would receive.
    #[derive(Default)]
    struct Recorder(Vec<(u8, Vec<u8>)>);

    impl ErrorType for Recorder {
        type Error = std::convert::Infallible;
    }

    impl I2c for Recorder {
        fn transaction(
            &mut self,
            address: u8,
            operations: &mut [Operation<'_>],
        ) -> Result<(), Self::Error> {
            for op in operations {
                if let Operation::Write(bytes) = op {
                    self.0.push((address, bytes.to_vec()));
                }
            }
            Ok(())
        }
    }

    #[test]
    fn channel_numbers_read_right_aligned_without_leading_zeros() {
        assert_eq!(
            display_ram(Shown::Channel(7)),
            [0, 0, 0, 0, 0, 0, 0, 0, 0x07, 0, 0]
        );
        assert_eq!(
            display_ram(Shown::Channel(123)),
            [0, 0, 0x06, 0, 0, 0, 0x5B, 0, 0x4F, 0, 0]
        );
        assert_eq!(
            display_ram(Shown::Channel(1080)),
            [0x06, 0, 0x3F, 0, 0, 0, 0x7F, 0, 0x3F, 0, 0]
        );
        assert_eq!(
            display_ram(Shown::NoChannel),
            [0x40, 0, 0x40, 0, 0, 0, 0x40, 0, 0x40, 0, 0]
        );
        assert_eq!(
            display_ram(Shown::Standby),
            [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]
        );
    }

    #[test]
    fn the_chip_is_woken_then_written_only_on_change() {
        let mut chip = Ht16k33::new(Recorder::default(), 0x70).unwrap();
        chip.show(Shown::Channel(12)).unwrap();
        chip.show(Shown::Channel(12)).unwrap();
        chip.show(Shown::Standby).unwrap();
        let sent = &chip.i2c.0;
        assert_eq!(
            sent[..3],
            [(0x70, vec![0x21]), (0x70, vec![0x81]), (0x70, vec![0xEF])]
        );
        assert_eq!(
            sent[3],
            (0x70, vec![0x00, 0, 0, 0, 0, 0, 0, 0x06, 0, 0x5B, 0, 0])
        );
        assert_eq!(sent.len(), 5, "a repeated number is not sent again");
        assert_eq!(sent[4].1[11], 1, "standby lights the LED");
    }

    #[test]
    fn no_file_means_no_panel_and_bad_files_say_why() {
        let dir = std::env::temp_dir().join(format!("stb-panel-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        assert!(open(&dir.join("absent")).unwrap().is_none());
        for (text, says) in [
            ("", "empty"),
            ("ht16k33 /dev/i2c-1", "PART BUS ADDRESS"),
            ("tm1637 /dev/i2c-1 0x70", "unknown part"),
            ("ht16k33 /dev/i2c-1 0x99", "7-bit"),
            (
                "ht16k33 /dev/i2c-does-not-exist 0x70",
                "/dev/i2c-does-not-exist",
            ),
        ] {
            let f = dir.join("front-panel");
            std::fs::write(&f, text).unwrap();
            let err = open(&f).err().map(|e| e.to_string()).unwrap_or_default();
            assert!(err.contains(says), "{text:?}: {err}");
        }
        std::fs::remove_dir_all(dir).unwrap();
    }
}
