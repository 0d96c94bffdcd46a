//! The PES packets of an encoded service (ISO/IEC 13818-1 2.4.3.6), read back from FFmpeg's transport stream so
//! the sky's own multiplexer can schedule them: each with its PTS and DTS, in the order of FFmpeg's PMT (video
//! first, then the audio tracks).

use std::path::Path;

use ts_si::section::Section;
use ts_si::tables::{ProgramAssociationTable, ProgramMapTable};
use ts_si::ts::{PacketIter, TsPacket};

/// One PES packet, whole (header and payload), with its time stamps in 90 kHz.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PesPacket {
    pub bytes: Vec<u8>,
    pub pts: u64,
    /// Equal to `pts` when the packet has no DTS.
    pub dts: u64,
}

/// One elementary stream of the service.
#[derive(Debug, Clone)]
pub struct Elementary {
    pub stream_type: u8,
    pub packets: Vec<PesPacket>,
}

#[derive(Debug, thiserror::Error)]
pub enum PesError {
    #[error("{0}: {1}")]
    Io(String, std::io::Error),
    #[error("{0}: no PAT/PMT (not an FFmpeg transport stream?)")]
    NoPmt(String),
    #[error("{0}: a PES packet without PTS on PID {1:#x}")]
    NoPts(String, u16),
}

/// A 33-bit time stamp of a PES header field (5 bytes with marker bits).
pub fn read_ts33(b: &[u8]) -> u64 {
    (u64::from(b[0] & 0x0E) << 29)
        | (u64::from(b[1]) << 22)
        | (u64::from(b[2] & 0xFE) << 14)
        | (u64::from(b[3]) << 7)
        | (u64::from(b[4]) >> 1)
}

/// Writes a 33-bit time stamp, keeping the field's 4-bit prefix.
pub fn write_ts33(b: &mut [u8], v: u64) {
    let v = v & 0x1_FFFF_FFFF;
    b[0] = (b[0] & 0xF0) | ((v >> 29) as u8 & 0x0E) | 1;
    b[1] = (v >> 22) as u8;
    b[2] = ((v >> 14) as u8 & 0xFE) | 1;
    b[3] = (v >> 7) as u8;
    b[4] = ((v << 1) as u8 & 0xFE) | 1;
}

/// PTS and DTS of a PES packet with an optional header, if it has them.
pub fn timestamps(pes: &[u8]) -> Option<(u64, u64)> {
    if pes.len() < 14 || pes[..3] != [0, 0, 1] || pes[6] & 0xC0 != 0x80 || pes[7] & 0x80 == 0 {
        return None;
    }
    let pts = read_ts33(&pes[9..14]);
    let dts = if pes[7] & 0xC0 == 0xC0 && pes.len() >= 19 {
        read_ts33(&pes[14..19])
    } else {
        pts
    };
    Some((pts, dts))
}

/// Rewrites the PTS (and DTS, when present) of a PES packet.
pub fn set_timestamps(pes: &mut [u8], pts: u64, dts: u64) {
    write_ts33(&mut pes[9..14], pts);
    if pes[7] & 0xC0 == 0xC0 {
        write_ts33(&mut pes[14..19], dts);
    }
}

/// Reads the elementary streams of the one programme of `path`.
pub fn read(path: &Path) -> Result<Vec<Elementary>, PesError> {
    let name = path.display().to_string();
    let data = std::fs::read(path).map_err(|e| PesError::Io(name.clone(), e))?;
    let mut pmt_pid = None;
    let mut pmt: Option<ProgramMapTable> = None;
    let packets: Vec<&[u8]> = PacketIter::new(&data).filter_map(|p| p.ok()).collect();
    for raw in &packets {
        let Ok(p) = TsPacket::new_checked(*raw) else {
            continue;
        };
        let Some(payload) = p.payload() else { continue };
        if !p.payload_unit_start_indicator() || payload.is_empty() {
            continue;
        }
        let at = 1 + payload[0] as usize;
        let Some(sec) = payload.get(at..) else {
            continue;
        };
        let Ok(s) = Section::new_checked(sec) else {
            continue;
        };
        if p.pid() == 0 {
            if let Ok(pat) = ProgramAssociationTable::parse(&s) {
                pmt_pid = pat.programs.iter().find(|(n, _)| *n != 0).map(|p| p.1);
            }
        } else if Some(p.pid()) == pmt_pid {
            if let Ok(t) = ProgramMapTable::parse(&s) {
                pmt = Some(t);
                break;
            }
        }
    }
    let pmt = pmt.ok_or_else(|| PesError::NoPmt(name.clone()))?;
    let mut out = Vec::new();
    for st in &pmt.streams {
        let pid = st.elementary_pid;
        let mut pes: Vec<Vec<u8>> = Vec::new();
        for raw in &packets {
            let Ok(p) = TsPacket::new_checked(*raw) else {
                continue;
            };
            if p.pid() != pid {
                continue;
            }
            let Some(payload) = p.payload() else { continue };
            if p.payload_unit_start_indicator() {
                pes.push(Vec::new());
            }
            if let Some(cur) = pes.last_mut() {
                cur.extend_from_slice(payload);
            }
        }
        let mut packets_out = Vec::with_capacity(pes.len());
        for bytes in pes {
            let (pts, dts) = timestamps(&bytes).ok_or(PesError::NoPts(name.clone(), pid))?;
            packets_out.push(PesPacket { bytes, pts, dts });
        }
        out.push(Elementary {
            stream_type: st.stream_type,
            packets: packets_out,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_stamps_round_trip_with_marker_bits() {
        // PES header with PTS and DTS (flags 0xC0), prefixes 0011 and 0001.
        let mut h = vec![
            0, 0, 1, 0xE0, 0, 0, 0x80, 0xC0, 10, 0x31, 0, 1, 0, 1, 0x11, 0, 1, 0, 1,
        ];
        set_timestamps(&mut h, 0x1_2345_6789, 0x0_0000_0042);
        assert_eq!(timestamps(&h), Some((0x1_2345_6789, 0x42)));
        assert_eq!(h[9] >> 4, 0x3, "prefix kept");
        assert_eq!(h[14] >> 4, 0x1);
        assert!(
            h[9] & 1 == 1 && h[11] & 1 == 1 && h[13] & 1 == 1,
            "marker bits set"
        );
        set_timestamps(&mut h, 1 << 33, 5);
        assert_eq!(timestamps(&h), Some((0, 5)), "wraps at 33 bits");
    }

    #[test]
    fn packets_without_a_pts_have_no_timestamps() {
        let h = [0, 0, 1, 0xC0, 0, 0, 0x80, 0x00, 0, 0, 0, 0, 0, 0];
        assert_eq!(timestamps(&h), None);
        assert_eq!(timestamps(&[0, 0, 1]), None);
    }
}
