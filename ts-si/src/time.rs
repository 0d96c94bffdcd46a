//! DVB time fields (EN 300 468 Annex C): MJD + BCD UTC, BCD durations.

use serde::Serialize;

/// A UTC instant as carried in TDT/TOT/EIT: 16-bit MJD and 24-bit BCD hh:mm:ss.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct UtcTime {
    pub mjd: u16,
    /// BCD hours, minutes, seconds as on the wire.
    pub bcd: [u8; 3],
}

fn bcd(b: u8) -> u32 {
    ((b >> 4) as u32) * 10 + (b & 0x0F) as u32
}

fn to_bcd(v: u32) -> u8 {
    (((v / 10) % 10) << 4 | (v % 10)) as u8
}

/// Decodes a 24-bit BCD hh:mm:ss into seconds.
pub fn bcd_duration(b: [u8; 3]) -> u32 {
    bcd(b[0]) * 3600 + bcd(b[1]) * 60 + bcd(b[2])
}

/// Encodes seconds as 24-bit BCD hh:mm:ss (hours modulo 100).
pub fn duration_bcd(secs: u32) -> [u8; 3] {
    [
        to_bcd(secs / 3600),
        to_bcd(secs / 60 % 60),
        to_bcd(secs % 60),
    ]
}

impl UtcTime {
    pub fn from_bytes(b: [u8; 5]) -> Self {
        UtcTime {
            mjd: u16::from_be_bytes([b[0], b[1]]),
            bcd: [b[2], b[3], b[4]],
        }
    }
    pub fn to_bytes(self) -> [u8; 5] {
        let m = self.mjd.to_be_bytes();
        [m[0], m[1], self.bcd[0], self.bcd[1], self.bcd[2]]
    }
    /// All bits set means "undefined" (e.g. NVOD reference events).
    pub fn is_undefined(&self) -> bool {
        self.mjd == 0xFFFF && self.bcd == [0xFF; 3]
    }
    /// Seconds since 1970-01-01 UTC.
    pub fn unix(&self) -> i64 {
        (self.mjd as i64 - 40587) * 86400 + bcd_duration(self.bcd) as i64
    }
    pub fn from_unix(t: i64) -> Self {
        let days = t.div_euclid(86400);
        let secs = t.rem_euclid(86400) as u32;
        UtcTime {
            mjd: (days + 40587).clamp(0, 0xFFFF) as u16,
            bcd: duration_bcd(secs),
        }
    }
    /// `YYYY-MM-DD HH:MM:SS` (UTC); "undefined" when all bits are set.
    pub fn to_iso(&self) -> String {
        if self.is_undefined() {
            return "undefined".into();
        }
        let (y, m, d) = civil_from_days(self.mjd as i64 - 40587);
        let s = bcd_duration(self.bcd);
        format!(
            "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
            s / 3600,
            s / 60 % 60,
            s % 60
        )
    }
}

impl Serialize for UtcTime {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_iso())
    }
}

/// Days since 1970-01-01 → (year, month, day) in the proleptic Gregorian calendar.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn annex_c_example() {
        // EN 300 468 Annex C: 93/10/13 12:45:00 is coded "0xC079124500".
        let t = UtcTime::from_bytes([0xC0, 0x79, 0x12, 0x45, 0x00]);
        assert_eq!(t.to_iso(), "1993-10-13 12:45:00");
        assert_eq!(UtcTime::from_unix(t.unix()), t);
        assert_eq!(bcd_duration([0x01, 0x45, 0x30]), 6330);
        assert_eq!(duration_bcd(6330), [0x01, 0x45, 0x30]);
    }
}
