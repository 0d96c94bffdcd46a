//! Signal figures as users see them: lock, level in dBm, C/N in dB, error rates, and a quality percentage that
//! means the same on every box: the C/N margin over what the transponder's modulation and code rate need.

use serde::Serialize;

use super::params::{Fec, Modulation, System};
use crate::dvb::frontend::{SignalStats, Stat};
use crate::dvb::FrontendStatus;

/// One reading of the tuner.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Signal {
    pub locked: bool,
    /// FE_READ_STATUS flags by name (SIGNAL, CARRIER, VITERBI, SYNC, LOCK).
    pub flags: Vec<&'static str>,
    /// Signal level at the tuner input, dBm. Only while locked.
    pub level_dbm: Option<f64>,
    /// Carrier-to-noise ratio, dB. Only while locked.
    pub cnr_db: Option<f64>,
    /// Bit error rate before the outer code (before Reed-Solomon / BCH).
    pub pre_ber: Option<f64>,
    /// Bit error rate after the inner code.
    pub post_ber: Option<f64>,
    /// Uncorrected blocks since tuning.
    pub uncorrected_blocks: Option<u64>,
    /// Quality 0-100: 0 at the C/N the modulation and code rate need, 100 at 10 dB above it.
    pub quality_percent: Option<u8>,
    /// Strength 0-100 from the level: 0 at -85 dBm, 100 at -25 dBm.
    pub strength_percent: Option<u8>,
}

/// Plausible ranges: outside them a figure is a driver artefact, not a measurement.
const LEVEL_RANGE_DBM: std::ops::RangeInclusive<f64> = -110.0..=10.0;
const CNR_RANGE_DB: std::ops::RangeInclusive<f64> = -10.0..=60.0;

impl Signal {
    /// Builds the reading from the raw status and statistics. Nothing but the flags is kept while unlocked.
    pub fn from_frontend(
        status: FrontendStatus,
        stats: &SignalStats,
        modcod: Option<(System, Modulation, Fec)>,
    ) -> Self {
        let mut s = Signal {
            locked: status.lock,
            flags: status.flag_names(),
            ..Default::default()
        };
        if !status.lock {
            return s;
        }
        s.level_dbm = match stats.signal {
            Some(Stat::Decibel(milli)) => {
                Some(milli as f64 / 1000.0).filter(|v| LEVEL_RANGE_DBM.contains(v))
            }
            _ => None,
        };
        s.cnr_db = match stats.cnr {
            Some(Stat::Decibel(milli)) => {
                Some(milli as f64 / 1000.0).filter(|v| CNR_RANGE_DB.contains(v))
            }
            _ => None,
        };
        s.pre_ber = ratio(stats.pre_error_bits, stats.pre_total_bits);
        s.post_ber = ratio(stats.post_error_bits, stats.post_total_bits);
        s.uncorrected_blocks = stats.error_blocks;
        s.strength_percent = s.level_dbm.map(|l| percent((l + 85.0) / 60.0));
        if let (Some(cnr), Some((sys, m, fec))) = (s.cnr_db, modcod) {
            s.quality_percent = Some(percent((cnr - required_cnr_db(sys, m, fec)) / 10.0));
        }
        s
    }
}

fn ratio(errors: Option<u64>, total: Option<u64>) -> Option<f64> {
    match (errors, total) {
        (Some(e), Some(t)) if t > 0 => Some(e as f64 / t as f64),
        _ => None,
    }
}

fn percent(fraction: f64) -> u8 {
    (fraction.clamp(0.0, 1.0) * 100.0).round() as u8
}

/// Es/N0 (dB) needed for quasi-error-free reception: EN 302 307-1 table 13 for DVB-S2, and for DVB-S the
/// EN 300 421 Eb/N0 figures converted to Es/N0. Unknown modulation or rate: the most robust case of the system.
pub fn required_cnr_db(system: System, modulation: Modulation, fec: Fec) -> f64 {
    let rate = fec.0;
    match system {
        System::DvbS => match rate {
            Some((2, 3)) => 5.89,
            Some((3, 4)) => 6.91,
            Some((5, 6)) => 7.86,
            Some((7, 8)) => 8.48,
            _ => 4.15,
        },
        System::DvbS2 => {
            let table: &[((u8, u8), f64)] = match modulation {
                Modulation::Psk8 => &[
                    ((3, 5), 5.50),
                    ((2, 3), 6.62),
                    ((3, 4), 7.91),
                    ((5, 6), 9.35),
                    ((8, 9), 10.69),
                    ((9, 10), 10.98),
                ],
                Modulation::Apsk16 => &[
                    ((2, 3), 8.97),
                    ((3, 4), 10.21),
                    ((4, 5), 11.03),
                    ((5, 6), 11.61),
                    ((8, 9), 12.89),
                    ((9, 10), 13.13),
                ],
                Modulation::Apsk32 => &[
                    ((3, 4), 12.73),
                    ((4, 5), 13.64),
                    ((5, 6), 14.28),
                    ((8, 9), 15.69),
                    ((9, 10), 16.05),
                ],
                Modulation::Qpsk | Modulation::Auto => &[
                    ((1, 4), -2.35),
                    ((1, 3), -1.24),
                    ((2, 5), -0.30),
                    ((1, 2), 1.00),
                    ((3, 5), 2.23),
                    ((2, 3), 3.10),
                    ((3, 4), 4.03),
                    ((4, 5), 4.68),
                    ((5, 6), 5.18),
                    ((8, 9), 6.20),
                    ((9, 10), 6.42),
                ],
            };
            rate.and_then(|r| table.iter().find(|(t, _)| *t == r).map(|(_, v)| *v))
                .unwrap_or_else(|| table.first().map(|(_, v)| *v).unwrap_or(1.0))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stats(level_milli: i64, cnr_milli: i64) -> SignalStats {
        SignalStats {
            signal: Some(Stat::Decibel(level_milli)),
            cnr: Some(Stat::Decibel(cnr_milli)),
            pre_error_bits: Some(12),
            pre_total_bits: Some(100_000),
            post_error_bits: Some(0),
            post_total_bits: Some(100_000),
            error_blocks: Some(0),
            total_blocks: Some(1000),
        }
    }

    #[test]
    fn unlocked_readings_carry_no_figures() {
        // vidtv reports -1856851 dBm while unlocked: it must never reach the user.
        let s = Signal::from_frontend(
            FrontendStatus::from_raw(0x03),
            &stats(-1_856_851_000, 1_000),
            None,
        );
        assert!(!s.locked);
        assert_eq!(s.flags, vec!["SIGNAL", "CARRIER"]);
        assert_eq!(
            (s.level_dbm, s.cnr_db, s.pre_ber, s.quality_percent),
            (None, None, None, None)
        );
    }

    #[test]
    fn locked_readings_in_db_and_percent() {
        let modcod = Some((System::DvbS2, Modulation::Psk8, "3/4".parse().unwrap()));
        let s = Signal::from_frontend(
            FrontendStatus::from_raw(0x1f),
            &stats(-34_000, 12_910),
            modcod,
        );
        assert!(s.locked);
        assert_eq!(s.level_dbm, Some(-34.0));
        assert_eq!(s.cnr_db, Some(12.91));
        assert_eq!(s.pre_ber, Some(12.0 / 100_000.0));
        assert_eq!(s.post_ber, Some(0.0));
        assert_eq!(
            s.quality_percent,
            Some(50),
            "5 dB over the 7.91 dB that 8PSK 3/4 needs"
        );
        assert_eq!(s.strength_percent, Some(85));
    }

    #[test]
    fn implausible_figures_are_dropped_even_when_locked() {
        let s = Signal::from_frontend(
            FrontendStatus::from_raw(0x1f),
            &stats(-1_856_851_000, 900_000),
            None,
        );
        assert_eq!((s.level_dbm, s.cnr_db), (None, None));
    }

    #[test]
    fn the_same_cnr_is_better_quality_on_a_more_robust_code() {
        let q = |m, f: &str| {
            let s = Signal::from_frontend(
                FrontendStatus::from_raw(0x1f),
                &stats(-40_000, 9_000),
                Some((System::DvbS2, m, f.parse().unwrap())),
            );
            s.quality_percent.unwrap()
        };
        assert!(q(Modulation::Qpsk, "1/2") > q(Modulation::Psk8, "3/4"));
    }
}
