//! local_time_offset_descriptor (EN 300 468 §6.2.20).

use super::DescriptorRepr;
use crate::bytes::{Lang, Reader};
use crate::time::UtcTime;
use crate::Result;

/// One region's offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalTimeOffset {
    pub country: Lang,
    pub region_id: u8,
    /// Offset from UTC in minutes (negative west of Greenwich).
    pub offset_minutes: i16,
    pub time_of_change: UtcTime,
    pub next_offset_minutes: i16,
}

/// local_time_offset_descriptor (EN 300 468 §6.2.20), carried in the TOT.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalTimeOffsetDescriptor {
    pub regions: Vec<LocalTimeOffset>,
}

/// Strict BCD hh:mm (minutes below 60) into minutes.
fn bcd_hhmm(v: u16) -> Result<i16> {
    let d = |s: u16| ((v >> s) & 0xF) as i16;
    if [d(12), d(8), d(4), d(0)].iter().any(|&x| x > 9) || d(4) > 5 {
        return Err(crate::Error::Invalid);
    }
    Ok((d(12) * 10 + d(8)) * 60 + d(4) * 10 + d(0))
}

fn hhmm_bcd(m: i16) -> u16 {
    let m = m.unsigned_abs();
    let (h, mi) = (m / 60 % 100, m % 60);
    ((h / 10) << 12) | ((h % 10) << 8) | ((mi / 10) << 4) | (mi % 10)
}

impl DescriptorRepr for LocalTimeOffsetDescriptor {
    const TAG: u8 = 0x58;
    fn parse_body(body: &[u8]) -> Result<Self> {
        let mut r = Reader::new(body);
        let mut regions = Vec::new();
        while !r.is_empty() {
            let country = Lang(r.array()?);
            let b = r.u8()?;
            let sign = if b & 1 != 0 { -1 } else { 1 };
            let off = bcd_hhmm(r.u16()?)?;
            let toc = UtcTime::from_bytes(r.array()?);
            let next = bcd_hhmm(r.u16()?)?;
            regions.push(LocalTimeOffset {
                country,
                region_id: b >> 2,
                offset_minutes: sign * off,
                time_of_change: toc,
                next_offset_minutes: sign * next,
            });
        }
        Ok(LocalTimeOffsetDescriptor { regions })
    }
    fn emit_body(&self, out: &mut Vec<u8>) -> Result<()> {
        for g in &self.regions {
            out.extend_from_slice(&g.country.0);
            let negative =
                g.offset_minutes < 0 || (g.offset_minutes == 0 && g.next_offset_minutes < 0);
            out.push((g.region_id << 2) | 0x02 | negative as u8);
            out.extend_from_slice(&hhmm_bcd(g.offset_minutes).to_be_bytes());
            out.extend_from_slice(&g.time_of_change.to_bytes());
            out.extend_from_slice(&hhmm_bcd(g.next_offset_minutes).to_be_bytes());
        }
        Ok(())
    }
}
