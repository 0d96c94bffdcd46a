//! LNBs and DiSEqC: which intermediate frequency the tuner must tune, which supply voltage and whether the 22 kHz
//! tone is on, for a downlink frequency and polarisation; and the DiSEqC 1.0/1.1 switch messages.
//!
//! Frequencies are in kHz throughout, as DTV_FREQUENCY takes them for satellite systems.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

/// The tuner's IF input range (L band), kHz.
pub const IF_MIN_KHZ: u32 = 950_000;
pub const IF_MAX_KHZ: u32 = 2_150_000;

/// Polarisation of a transponder. Circular LNBs select RHCP with 13 V and LHCP with 18 V, as linear ones select
/// vertical and horizontal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Polarisation {
    #[serde(rename = "H")]
    Horizontal,
    #[serde(rename = "V")]
    Vertical,
    #[serde(rename = "L")]
    Left,
    #[serde(rename = "R")]
    Right,
}

impl Polarisation {
    pub fn is_circular(self) -> bool {
        matches!(self, Self::Left | Self::Right)
    }

    /// 18 V for horizontal and left-hand, 13 V for vertical and right-hand.
    pub fn needs_18v(self) -> bool {
        matches!(self, Self::Horizontal | Self::Left)
    }

    pub fn letter(self) -> char {
        match self {
            Self::Horizontal => 'H',
            Self::Vertical => 'V',
            Self::Left => 'L',
            Self::Right => 'R',
        }
    }
}

impl FromStr for Polarisation {
    type Err = LnbError;
    fn from_str(s: &str) -> Result<Self, LnbError> {
        match s.to_ascii_lowercase().as_str() {
            "h" | "horizontal" => Ok(Self::Horizontal),
            "v" | "vertical" => Ok(Self::Vertical),
            "l" | "left" | "lhcp" => Ok(Self::Left),
            "r" | "right" | "rhcp" => Ok(Self::Right),
            _ => Err(LnbError::BadPolarisation(s.to_string())),
        }
    }
}

impl fmt::Display for Polarisation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.letter())
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LnbError {
    #[error("unknown polarisation '{0}': use h, v, l or r")]
    BadPolarisation(String),
    #[error("unknown LNB '{0}': use universal, ku-circular-10750, c-band-5150 or user:LO_MHZ[,LO_HIGH_MHZ,SWITCH_MHZ]")]
    UnknownLnb(String),
    #[error("{freq_mhz} MHz is outside what the {lnb} LNB receives ({min_mhz}-{max_mhz} MHz)")]
    OutOfBand {
        lnb: String,
        freq_mhz: f64,
        min_mhz: f64,
        max_mhz: f64,
    },
    #[error("{freq_mhz} MHz through the {lnb} LNB gives an IF of {if_mhz} MHz, outside the tuner's 950-2150 MHz")]
    IfOutOfRange {
        lnb: String,
        freq_mhz: f64,
        if_mhz: f64,
    },
    #[error("the {lnb} LNB is circular: give the polarisation as l (left-hand, 18 V) or r (right-hand, 13 V), not {pol}")]
    LinearOnCircular { lnb: String, pol: Polarisation },
    #[error("DiSEqC committed port must be A, B, C or D (or 1-4), not '{0}'")]
    BadPort(String),
    #[error("DiSEqC 1.1 uncommitted input must be 1-16, not '{0}'")]
    BadUncommitted(String),
}

/// An LNB: one or two local oscillators and the band it receives.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Lnb {
    pub name: String,
    pub lo_low_khz: u32,
    /// Second oscillator of a dual-band (universal) LNB, selected by the 22 kHz tone above `switch_khz`.
    pub lo_high_khz: Option<u32>,
    pub switch_khz: Option<u32>,
    pub min_khz: u32,
    pub max_khz: u32,
    pub circular: bool,
}

/// What the tuner and the LNB supply must be set to for one transponder.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct LnbSetting {
    pub if_khz: u32,
    pub voltage_18: bool,
    pub tone: bool,
    pub high_band: bool,
}

impl Lnb {
    /// Universal Ku LNB: 9750 MHz below 11700 MHz, 10600 MHz above (22 kHz tone on).
    pub fn universal() -> Self {
        Self {
            name: "universal".into(),
            lo_low_khz: 9_750_000,
            lo_high_khz: Some(10_600_000),
            switch_khz: Some(11_700_000),
            min_khz: 10_700_000,
            max_khz: 12_750_000,
            circular: false,
        }
    }

    /// Single-LO circular Ku LNB of the 户户通 service: 10750 MHz, RHCP 13 V, LHCP 18 V, no tone.
    pub fn ku_circular_10750() -> Self {
        Self {
            name: "ku-circular-10750".into(),
            lo_low_khz: 10_750_000,
            lo_high_khz: None,
            switch_khz: None,
            min_khz: 11_700_000,
            max_khz: 12_750_000,
            circular: true,
        }
    }

    /// C-band LNB, 5150 MHz oscillator above the signal (the IF is inverted).
    pub fn c_band_5150() -> Self {
        Self {
            name: "c-band-5150".into(),
            lo_low_khz: 5_150_000,
            lo_high_khz: None,
            switch_khz: None,
            min_khz: 3_400_000,
            max_khz: 4_200_000,
            circular: false,
        }
    }

    /// A user LNB: one oscillator, or two with the switch frequency. The band is whatever lands in the IF range.
    pub fn user(lo_low_khz: u32, high: Option<(u32, u32)>) -> Self {
        let (lo_high_khz, switch_khz) = match high {
            Some((lo, sw)) => (Some(lo), Some(sw)),
            None => (None, None),
        };
        Self {
            name: format!("user:{}", lo_low_khz / 1000),
            lo_low_khz,
            lo_high_khz,
            switch_khz,
            min_khz: 0,
            max_khz: u32::MAX,
            circular: false,
        }
    }

    /// Whether `freq_khz` is on the high band (tone on).
    fn high_band(&self, freq_khz: u32) -> bool {
        matches!((self.lo_high_khz, self.switch_khz), (Some(_), Some(sw)) if freq_khz >= sw)
    }

    /// The IF, supply voltage and tone for a downlink frequency and polarisation; errors before any ioctl.
    pub fn setting(&self, freq_khz: u32, pol: Polarisation) -> Result<LnbSetting, LnbError> {
        let mhz = |k: u32| f64::from(k) / 1000.0;
        if freq_khz < self.min_khz || freq_khz > self.max_khz {
            return Err(LnbError::OutOfBand {
                lnb: self.name.clone(),
                freq_mhz: mhz(freq_khz),
                min_mhz: mhz(self.min_khz),
                max_mhz: mhz(self.max_khz),
            });
        }
        if self.circular && !pol.is_circular() {
            return Err(LnbError::LinearOnCircular {
                lnb: self.name.clone(),
                pol,
            });
        }
        let high_band = self.high_band(freq_khz);
        let lo = if high_band {
            self.lo_high_khz.unwrap_or(self.lo_low_khz)
        } else {
            self.lo_low_khz
        };
        let if_khz = if self.is_inverted() {
            i64::from(lo) - i64::from(freq_khz)
        } else {
            i64::from(freq_khz) - i64::from(lo)
        };
        if if_khz < i64::from(IF_MIN_KHZ) || if_khz > i64::from(IF_MAX_KHZ) {
            return Err(LnbError::IfOutOfRange {
                lnb: self.name.clone(),
                freq_mhz: mhz(freq_khz),
                if_mhz: if_khz as f64 / 1000.0,
            });
        }
        Ok(LnbSetting {
            if_khz: if_khz as u32,
            voltage_18: pol.needs_18v(),
            tone: high_band,
            high_band,
        })
    }

    /// C-band oscillators sit above the signal, so the IF is LO - f and the spectrum is inverted.
    pub fn is_inverted(&self) -> bool {
        self.lo_low_khz < 7_000_000
    }

    /// The downlink frequency an IF corresponds to (for showing what a blind sweep found).
    pub fn downlink_khz(&self, if_khz: u32, high_band: bool) -> u32 {
        let lo = if high_band {
            self.lo_high_khz.unwrap_or(self.lo_low_khz)
        } else {
            self.lo_low_khz
        };
        if self.is_inverted() {
            lo.saturating_sub(if_khz)
        } else {
            lo.saturating_add(if_khz)
        }
    }
}

impl FromStr for Lnb {
    type Err = LnbError;
    fn from_str(s: &str) -> Result<Self, LnbError> {
        let lower = s.trim().to_ascii_lowercase();
        match lower.as_str() {
            "universal" => return Ok(Self::universal()),
            "ku-circular-10750" | "l10750" | "10750" => return Ok(Self::ku_circular_10750()),
            "c-band-5150" | "c-band" | "5150" => return Ok(Self::c_band_5150()),
            _ => {}
        }
        let bad = || LnbError::UnknownLnb(s.to_string());
        let spec = lower.strip_prefix("user:").ok_or_else(bad)?;
        let nums: Vec<u32> = spec
            .split(',')
            .map(|p| {
                p.trim()
                    .parse::<u32>()
                    .ok()
                    .filter(|v| (1..=100_000).contains(v))
                    .map(|v| v * 1000)
            })
            .collect::<Option<Vec<_>>>()
            .ok_or_else(bad)?;
        match nums.as_slice() {
            [lo] => Ok(Self::user(*lo, None)),
            [lo, hi, sw] => Ok(Self::user(*lo, Some((*hi, *sw)))),
            _ => Err(bad()),
        }
    }
}

/// Tone burst (mini DiSEqC, "simple DiSEqC"): satellite position A or B.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Burst {
    A,
    B,
}

/// The DiSEqC switching in front of the LNB: 1.0 committed port, 1.1 uncommitted input, tone burst.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Diseqc {
    /// Committed port 0..=3 (A..D).
    pub committed: Option<u8>,
    /// Uncommitted input 0..=15.
    pub uncommitted: Option<u8>,
    pub burst: Option<Burst>,
}

impl Diseqc {
    pub fn is_empty(&self) -> bool {
        self.committed.is_none() && self.uncommitted.is_none() && self.burst.is_none()
    }

    /// Parses a committed port: A-D or 1-4.
    pub fn parse_port(s: &str) -> Result<u8, LnbError> {
        match s.trim().to_ascii_uppercase().as_str() {
            "A" | "1" => Ok(0),
            "B" | "2" => Ok(1),
            "C" | "3" => Ok(2),
            "D" | "4" => Ok(3),
            _ => Err(LnbError::BadPort(s.to_string())),
        }
    }

    pub fn parse_uncommitted(s: &str) -> Result<u8, LnbError> {
        s.trim()
            .parse::<u8>()
            .ok()
            .filter(|n| (1..=16).contains(n))
            .map(|n| n - 1)
            .ok_or_else(|| LnbError::BadUncommitted(s.to_string()))
    }

    /// The master commands to send, in order (uncommitted first, as a cascade of 1.1 before 1.0 expects).
    pub fn messages(&self, setting: &LnbSetting) -> Vec<[u8; 4]> {
        let mut v = Vec::new();
        if let Some(n) = self.uncommitted {
            v.push(uncommitted_switch(n));
        }
        if let Some(port) = self.committed {
            v.push(committed_switch(
                port,
                setting.voltage_18,
                setting.high_band,
            ));
        }
        v
    }
}

/// DiSEqC 1.0 "Write N0" (0x38): framing 0xE0 (master, no reply, first transmission), address 0x10 (any LNB or
/// switch), data 0xF0 | port<<2 | polarisation<<1 | band.
pub fn committed_switch(port: u8, voltage_18: bool, high_band: bool) -> [u8; 4] {
    [
        0xE0,
        0x10,
        0x38,
        0xF0 | ((port & 3) << 2) | (u8::from(voltage_18) << 1) | u8::from(high_band),
    ]
}

/// DiSEqC 1.1 "Write N1" (0x39): data 0xF0 | input (0..15).
pub fn uncommitted_switch(input: u8) -> [u8; 4] {
    [0xE0, 0x10, 0x39, 0xF0 | (input & 0x0F)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinasat_through_the_10750_circular_lnb() {
        let lnb = Lnb::ku_circular_10750();
        let s = lnb.setting(11_840_000, Polarisation::Right).unwrap();
        assert_eq!(
            s,
            LnbSetting {
                if_khz: 1_090_000,
                voltage_18: false,
                tone: false,
                high_band: false
            }
        );
        let s = lnb.setting(12_140_000, Polarisation::Left).unwrap();
        assert_eq!(
            s,
            LnbSetting {
                if_khz: 1_390_000,
                voltage_18: true,
                tone: false,
                high_band: false
            }
        );
    }

    #[test]
    fn universal_low_and_high_band() {
        let lnb = Lnb::universal();
        let s = lnb.setting(11_362_000, Polarisation::Horizontal).unwrap();
        assert_eq!(
            s,
            LnbSetting {
                if_khz: 1_612_000,
                voltage_18: true,
                tone: false,
                high_band: false
            }
        );
        let s = lnb.setting(11_700_000, Polarisation::Vertical).unwrap();
        assert_eq!(
            s,
            LnbSetting {
                if_khz: 1_100_000,
                voltage_18: false,
                tone: true,
                high_band: true
            }
        );
        let s = lnb.setting(12_603_000, Polarisation::Vertical).unwrap();
        assert_eq!(s.if_khz, 2_003_000);
        assert!(s.tone);
    }

    #[test]
    fn c_band_is_inverted() {
        let lnb = Lnb::c_band_5150();
        let s = lnb.setting(3_840_000, Polarisation::Horizontal).unwrap();
        assert_eq!(s.if_khz, 1_310_000);
        assert_eq!(lnb.downlink_khz(s.if_khz, false), 3_840_000);
        assert_eq!(Lnb::universal().downlink_khz(1_612_000, false), 11_362_000);
        assert!(s.voltage_18);
        assert!(!s.tone);
    }

    #[test]
    fn user_lnbs_parse_and_compute() {
        let lnb: Lnb = "user:10600".parse().unwrap();
        assert_eq!(
            lnb.setting(12_000_000, Polarisation::Vertical)
                .unwrap()
                .if_khz,
            1_400_000
        );
        let lnb: Lnb = "user:9750,10600,11700".parse().unwrap();
        assert_eq!(
            lnb,
            Lnb {
                name: "user:9750".into(),
                ..Lnb::universal().with_open_band()
            }
        );
        assert!("user:".parse::<Lnb>().is_err());
        assert!("user:9750,10600".parse::<Lnb>().is_err());
        assert!(
            "user:107500".parse::<Lnb>().is_err(),
            "a LO typed in kHz-ish digits is refused, not used"
        );
    }

    #[test]
    fn impossible_frequencies_are_refused_with_the_reason() {
        let e = Lnb::ku_circular_10750()
            .setting(10_000_000, Polarisation::Right)
            .unwrap_err();
        assert!(
            e.to_string()
                .contains("outside what the ku-circular-10750 LNB receives"),
            "{e}"
        );
        let e = Lnb::user(10_750_000, None)
            .setting(11_000_000, Polarisation::Vertical)
            .unwrap_err();
        assert!(e.to_string().contains("IF of 250 MHz"), "{e}");
        let e = Lnb::user(10_750_000, None)
            .setting(10_700_000, Polarisation::Vertical)
            .unwrap_err();
        assert!(e.to_string().contains("IF of -50 MHz"), "{e}");
        let e = Lnb::ku_circular_10750()
            .setting(11_840_000, Polarisation::Horizontal)
            .unwrap_err();
        assert!(e.to_string().contains("is circular"), "{e}");
    }

    #[test]
    fn names_parse_and_unknown_names_explain() {
        assert_eq!("universal".parse::<Lnb>().unwrap(), Lnb::universal());
        assert_eq!(
            "Ku-Circular-10750".parse::<Lnb>().unwrap(),
            Lnb::ku_circular_10750()
        );
        assert_eq!("c-band-5150".parse::<Lnb>().unwrap(), Lnb::c_band_5150());
        let e = "quad".parse::<Lnb>().unwrap_err().to_string();
        assert!(
            e.contains("unknown LNB 'quad'") && e.contains("ku-circular-10750"),
            "{e}"
        );
        assert!("x".parse::<Polarisation>().is_err());
        assert_eq!("R".parse::<Polarisation>().unwrap(), Polarisation::Right);
    }

    #[test]
    fn diseqc_messages() {
        // Port A, 13 V, low band: E0 10 38 F0; port D, 18 V, high band: E0 10 38 FF.
        assert_eq!(committed_switch(0, false, false), [0xE0, 0x10, 0x38, 0xF0]);
        assert_eq!(committed_switch(3, true, true), [0xE0, 0x10, 0x38, 0xFF]);
        assert_eq!(committed_switch(1, true, false), [0xE0, 0x10, 0x38, 0xF6]);
        assert_eq!(uncommitted_switch(15), [0xE0, 0x10, 0x39, 0xFF]);
        assert_eq!(Diseqc::parse_port("c").unwrap(), 2);
        assert_eq!(Diseqc::parse_port("4").unwrap(), 3);
        assert!(Diseqc::parse_port("E").is_err());
        assert_eq!(Diseqc::parse_uncommitted("16").unwrap(), 15);
        assert!(Diseqc::parse_uncommitted("0").is_err());
        let d = Diseqc {
            committed: Some(1),
            uncommitted: Some(2),
            burst: None,
        };
        let setting = Lnb::universal()
            .setting(12_000_000, Polarisation::Horizontal)
            .unwrap();
        assert_eq!(
            d.messages(&setting),
            vec![[0xE0, 0x10, 0x39, 0xF2], [0xE0, 0x10, 0x38, 0xF7]]
        );
    }

    impl Lnb {
        fn with_open_band(mut self) -> Self {
            self.min_khz = 0;
            self.max_khz = u32::MAX;
            self
        }
    }
}
