//! Tuning parameters of a DVB-S/S2 transponder and their checks: a request that cannot work is refused with a
//! reason before any ioctl is made.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::lnb::{Diseqc, Lnb, LnbSetting, Polarisation};

/// Satellite delivery system.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum System {
    #[serde(rename = "DVB-S")]
    DvbS,
    #[serde(rename = "DVB-S2")]
    DvbS2,
}

impl FromStr for System {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().replace(['-', '_'], "").as_str() {
            "dvbs" | "s" | "s1" => Ok(Self::DvbS),
            "dvbs2" | "s2" => Ok(Self::DvbS2),
            _ => Err(format!("unknown delivery system '{s}': use dvbs or dvbs2")),
        }
    }
}

impl fmt::Display for System {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::DvbS => "DVB-S",
            Self::DvbS2 => "DVB-S2",
        })
    }
}

/// Modulation (`enum fe_modulation` values in [`Modulation::raw`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Modulation {
    Auto,
    Qpsk,
    Psk8,
    Apsk16,
    Apsk32,
}

impl Modulation {
    pub fn raw(self) -> u32 {
        match self {
            Self::Qpsk => 0,
            Self::Auto => 6, // QAM_AUTO: what the kernel takes for "let the demodulator find it"
            Self::Psk8 => 9,
            Self::Apsk16 => 10,
            Self::Apsk32 => 11,
        }
    }
}

impl Modulation {
    /// From `enum fe_modulation`; anything a satellite system does not use reads as automatic.
    pub fn from_raw(v: u32) -> Self {
        match v {
            0 => Self::Qpsk,
            9 => Self::Psk8,
            10 => Self::Apsk16,
            11 => Self::Apsk32,
            _ => Self::Auto,
        }
    }
}

impl FromStr for Modulation {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().replace(['-', '_'], "").as_str() {
            "auto" => Ok(Self::Auto),
            "qpsk" => Ok(Self::Qpsk),
            "8psk" | "psk8" => Ok(Self::Psk8),
            "16apsk" | "apsk16" => Ok(Self::Apsk16),
            "32apsk" | "apsk32" => Ok(Self::Apsk32),
            _ => Err(format!(
                "unknown modulation '{s}': use qpsk, 8psk, 16apsk, 32apsk or auto"
            )),
        }
    }
}

impl fmt::Display for Modulation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Auto => "auto",
            Self::Qpsk => "QPSK",
            Self::Psk8 => "8PSK",
            Self::Apsk16 => "16APSK",
            Self::Apsk32 => "32APSK",
        })
    }
}

/// Inner FEC code rate, as (numerator, denominator); `None` is automatic.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fec(pub Option<(u8, u8)>);

impl Fec {
    pub const AUTO: Fec = Fec(None);

    /// `enum fe_code_rate`.
    pub fn raw(self) -> u32 {
        match self.0 {
            None => 9,
            Some((1, 2)) => 1,
            Some((2, 3)) => 2,
            Some((3, 4)) => 3,
            Some((4, 5)) => 4,
            Some((5, 6)) => 5,
            Some((6, 7)) => 6,
            Some((7, 8)) => 7,
            Some((8, 9)) => 8,
            Some((3, 5)) => 10,
            Some((9, 10)) => 11,
            Some((2, 5)) => 12,
            Some((1, 3)) => 13,
            Some((1, 4)) => 14,
            Some(_) => 9,
        }
    }
}

impl Fec {
    /// From `enum fe_code_rate`.
    pub fn from_raw(v: u32) -> Self {
        FEC_ALL
            .iter()
            .copied()
            .map(|r| Fec(Some(r)))
            .find(|f| f.raw() == v)
            .unwrap_or(Fec::AUTO)
    }
}

const FEC_ALL: &[(u8, u8)] = &[
    (1, 4),
    (1, 3),
    (2, 5),
    (1, 2),
    (3, 5),
    (2, 3),
    (3, 4),
    (4, 5),
    (5, 6),
    (6, 7),
    (7, 8),
    (8, 9),
    (9, 10),
];

impl FromStr for Fec {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        if s.eq_ignore_ascii_case("auto") {
            return Ok(Fec::AUTO);
        }
        let bad = || format!("unknown FEC '{s}': use a rate such as 3/4 (1/4 ... 9/10) or auto");
        let (n, d) = s.split_once('/').ok_or_else(bad)?;
        let pair = (
            n.trim().parse::<u8>().map_err(|_| bad())?,
            d.trim().parse::<u8>().map_err(|_| bad())?,
        );
        if FEC_ALL.contains(&pair) {
            Ok(Fec(Some(pair)))
        } else {
            Err(bad())
        }
    }
}

impl fmt::Display for Fec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            None => f.write_str("auto"),
            Some((n, d)) => write!(f, "{n}/{d}"),
        }
    }
}

/// DVB-S2 roll-off (`enum fe_rolloff`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rolloff {
    R35,
    R25,
    R20,
    Auto,
}

impl Rolloff {
    pub fn raw(self) -> u32 {
        match self {
            Self::R35 => 0,
            Self::R20 => 1,
            Self::R25 => 2,
            Self::Auto => 3,
        }
    }
}

impl FromStr for Rolloff {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim_start_matches("0.").to_ascii_lowercase().as_str() {
            "35" => Ok(Self::R35),
            "25" => Ok(Self::R25),
            "20" | "2" => Ok(Self::R20),
            "auto" => Ok(Self::Auto),
            _ => Err(format!(
                "unknown roll-off '{s}': use 0.35, 0.25, 0.20 or auto"
            )),
        }
    }
}

impl fmt::Display for Rolloff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::R35 => "0.35",
            Self::R25 => "0.25",
            Self::R20 => "0.20",
            Self::Auto => "auto",
        })
    }
}

/// DVB-S2 pilots (`enum fe_pilot`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Pilot {
    On,
    Off,
    Auto,
}

impl Pilot {
    pub fn raw(self) -> u32 {
        match self {
            Self::On => 0,
            Self::Off => 1,
            Self::Auto => 2,
        }
    }
}

/// A transponder as broadcast: downlink frequency, polarisation, symbol rate and modulation.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Transponder {
    pub frequency_khz: u32,
    pub polarisation: Polarisation,
    pub symbol_rate: u32,
    pub system: System,
    pub modulation: Modulation,
    pub fec: Fec,
    pub rolloff: Rolloff,
    pub pilot: Pilot,
}

impl Transponder {
    /// DVB-S with automatic FEC: the usual starting point.
    pub fn dvbs(frequency_khz: u32, polarisation: Polarisation, symbol_rate: u32) -> Self {
        Self {
            frequency_khz,
            polarisation,
            symbol_rate,
            system: System::DvbS,
            modulation: Modulation::Qpsk,
            fec: Fec::AUTO,
            rolloff: Rolloff::R35,
            pilot: Pilot::Auto,
        }
    }

    /// DVB-S2 with modulation, code rate and roll-off left to the demodulator: the second try on a carrier that
    /// does not lock as DVB-S.
    pub fn dvbs2_auto(frequency_khz: u32, polarisation: Polarisation, symbol_rate: u32) -> Self {
        Self {
            system: System::DvbS2,
            modulation: Modulation::Auto,
            rolloff: Rolloff::Auto,
            ..Self::dvbs(frequency_khz, polarisation, symbol_rate)
        }
    }

    /// Refuses parameter sets no DVB-S/S2 transmission uses (EN 300 421 and EN 302 307-1 table 12).
    pub fn check(&self) -> Result<(), String> {
        if !(1_000_000..=45_000_000).contains(&self.symbol_rate) {
            return Err(format!(
                "symbol rate {} kS/s is impossible for DVB-S/S2: use 1000 to 45000 kS/s",
                self.symbol_rate / 1000
            ));
        }
        let rate = self.fec.0;
        let ok = match (self.system, self.modulation) {
            (System::DvbS, Modulation::Qpsk | Modulation::Auto) => {
                rate.is_none()
                    || [(1, 2), (2, 3), (3, 4), (5, 6), (7, 8)].contains(&rate.unwrap_or((0, 0)))
            }
            (System::DvbS, m) => {
                return Err(format!("DVB-S is QPSK only; {m} needs --system dvbs2"))
            }
            (System::DvbS2, m) => match (m, rate) {
                (_, None) | (Modulation::Auto, _) => true,
                (Modulation::Qpsk, Some(r)) => [
                    (1, 4),
                    (1, 3),
                    (2, 5),
                    (1, 2),
                    (3, 5),
                    (2, 3),
                    (3, 4),
                    (4, 5),
                    (5, 6),
                    (8, 9),
                    (9, 10),
                ]
                .contains(&r),
                (Modulation::Psk8, Some(r)) => {
                    [(3, 5), (2, 3), (3, 4), (5, 6), (8, 9), (9, 10)].contains(&r)
                }
                (Modulation::Apsk16, Some(r)) => {
                    [(2, 3), (3, 4), (4, 5), (5, 6), (8, 9), (9, 10)].contains(&r)
                }
                (Modulation::Apsk32, Some(r)) => {
                    [(3, 4), (4, 5), (5, 6), (8, 9), (9, 10)].contains(&r)
                }
            },
        };
        if ok {
            Ok(())
        } else {
            Err(format!(
                "{} with {} and FEC {} is not a valid combination",
                self.system, self.modulation, self.fec
            ))
        }
    }
}

/// Everything needed to tune one transponder from this dish: the transponder, the LNB, the switch in front of it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TuneRequest {
    pub transponder: Transponder,
    pub lnb: Lnb,
    pub diseqc: Diseqc,
}

impl TuneRequest {
    /// The LNB setting for this request, after checking every parameter.
    pub fn resolve(&self) -> Result<LnbSetting, super::TuneError> {
        self.transponder
            .check()
            .map_err(super::TuneError::Invalid)?;
        Ok(self.lnb.setting(
            self.transponder.frequency_khz,
            self.transponder.polarisation,
        )?)
    }
}

/// Serialises as the text users type and read ("8PSK", "3/4"), not as Rust's structure.
macro_rules! serialize_as_display {
    ($($t:ty),*) => {$(
        impl Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }
    )*};
}
serialize_as_display!(Modulation, Fec, Rolloff);

#[cfg(test)]
mod tests {
    use super::*;

    fn tp(system: System, m: Modulation, fec: &str) -> Transponder {
        Transponder {
            system,
            modulation: m,
            fec: fec.parse().unwrap(),
            ..Transponder::dvbs(11_840_000, Polarisation::Right, 28_800_000)
        }
    }

    #[test]
    fn valid_pairs_pass_and_invalid_pairs_explain() {
        assert!(tp(System::DvbS, Modulation::Qpsk, "3/4").check().is_ok());
        assert!(tp(System::DvbS2, Modulation::Psk8, "3/4").check().is_ok());
        assert!(tp(System::DvbS2, Modulation::Apsk32, "9/10")
            .check()
            .is_ok());
        let e = tp(System::DvbS2, Modulation::Psk8, "1/2")
            .check()
            .unwrap_err();
        assert_eq!(e, "DVB-S2 with 8PSK and FEC 1/2 is not a valid combination");
        let e = tp(System::DvbS, Modulation::Psk8, "3/4")
            .check()
            .unwrap_err();
        assert!(e.contains("needs --system dvbs2"), "{e}");
        assert!(tp(System::DvbS, Modulation::Qpsk, "9/10").check().is_err());
    }

    #[test]
    fn symbol_rate_limits() {
        let mut t = Transponder::dvbs(11_840_000, Polarisation::Right, 500_000);
        assert!(t.check().unwrap_err().contains("500 kS/s is impossible"));
        t.symbol_rate = 46_000_000;
        assert!(t.check().is_err());
        t.symbol_rate = 27_500_000;
        assert!(t.check().is_ok());
    }

    #[test]
    fn parsing_and_kernel_values() {
        assert_eq!("8psk".parse::<Modulation>().unwrap().raw(), 9);
        assert_eq!("QPSK".parse::<Modulation>().unwrap().raw(), 0);
        assert_eq!("3/4".parse::<Fec>().unwrap().raw(), 3);
        assert_eq!("9/10".parse::<Fec>().unwrap().raw(), 11);
        assert_eq!("auto".parse::<Fec>().unwrap().raw(), 9);
        for f in FEC_ALL {
            assert_eq!(Fec::from_raw(Fec(Some(*f)).raw()), Fec(Some(*f)));
        }
        assert_eq!(Modulation::from_raw(9), Modulation::Psk8);
        assert!("3/7".parse::<Fec>().is_err());
        assert!("x".parse::<Fec>().is_err());
        assert_eq!("dvbs2".parse::<System>().unwrap(), System::DvbS2);
        assert_eq!("DVB-S".parse::<System>().unwrap(), System::DvbS);
        assert!("dvbt".parse::<System>().is_err());
        for r in [Rolloff::R35, Rolloff::R25, Rolloff::R20, Rolloff::Auto] {
            assert_eq!(r.to_string().parse::<Rolloff>().unwrap(), r);
        }
        assert!("0.5".parse::<Rolloff>().is_err());
    }
}
