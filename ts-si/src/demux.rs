//! Packet stream → sections. Checks sync, TEI, continuity on every PID, reassembles the
//! sections of the PIDs asked for, and counts everything that is wrong instead of failing.

use crate::section::{continuity, Continuity, SectionReassembler};
use crate::ts::{TsPacket, PACKET_SIZE, SYNC_BYTE};

/// Error and traffic counters (what `ts analyze` prints under "errors").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct DemuxStats {
    pub packets: u64,
    /// Times the 0x47 sync byte was lost and searched again.
    pub sync_losses: u64,
    /// Packets with transport_error_indicator set (dropped).
    pub transport_errors: u64,
    pub cc_errors: u64,
    pub duplicate_packets: u64,
    pub scrambled_packets: u64,
    /// Sections dropped for a bad CRC-32.
    pub crc_errors: u64,
    /// Sections dropped for impossible lengths or pointer fields.
    pub malformed_sections: u64,
    /// Good sections delivered.
    pub sections: u64,
}

/// A complete section handed out by the demux.
#[derive(Debug, Clone, Copy)]
pub struct SectionRef<'a> {
    pub pid: u16,
    /// Index of the packet that completed the section (for repetition intervals).
    pub packet_index: u64,
    pub data: &'a [u8],
    /// Byte-identical to the previous section delivered on this PID (a table repetition);
    /// its CRC was checked when those bytes first came.
    pub repeat: bool,
}

/// PCR samples used to derive the bitrate (and so times from packet positions).
#[derive(Debug, Clone, Copy, Default)]
struct PcrTrack {
    pid: Option<u16>,
    first: Option<(u64, u64)>,
    last: Option<(u64, u64)>,
}

/// Number of PIDs (13 bits).
const PIDS: usize = 8192;

/// The demultiplexer. Reassembly is enabled per PID; continuity is tracked on all PIDs.
///
/// Per-PID state lives in plain integer tables allocated zeroed, so a demux that follows a
/// handful of PIDs touches only the memory of those (a scan creates one per transponder).
pub struct Demux {
    /// Packets seen per PID.
    packets: Vec<u64>,
    /// Last continuity_counter per PID: 0 = none yet, else `0x10 | cc`.
    last_cc: Vec<u8>,
    /// Per PID: 0 = not reassembled, else index + 1 into `assemblers`.
    slot: Vec<u16>,
    assemblers: Vec<SectionReassembler>,
    /// One bit per reassembled PID: 1 KiB that stays in L1, so packets of PIDs that are
    /// neither reassembled nor accounted cost one bit test.
    reassembled: [u64; PIDS / 64],
    carry: Vec<u8>,
    pcr: PcrTrack,
    pub stats: DemuxStats,
    check_crc: bool,
    account_all: bool,
}

impl Default for Demux {
    fn default() -> Self {
        Self::new()
    }
}

impl Demux {
    /// A demux reassembling the DVB SI PIDs (PAT, CAT, NIT, SDT/BAT, EIT, TDT/TOT).
    pub fn new() -> Self {
        let mut d = Self::empty();
        for pid in [0x00, 0x01, 0x10, 0x11, 0x12, 0x14] {
            d.add_pid(pid);
        }
        d
    }
    /// A demux with no PID enabled.
    pub fn empty() -> Self {
        Demux {
            packets: vec![0; PIDS],
            last_cc: vec![0; PIDS],
            slot: vec![0; PIDS],
            assemblers: Vec::new(),
            reassembled: [0; PIDS / 64],
            carry: Vec::new(),
            pcr: PcrTrack::default(),
            stats: DemuxStats::default(),
            check_crc: true,
            account_all: true,
        }
    }
    /// Turns CRC checking off (only to compare with peers that do not check).
    pub fn set_check_crc(&mut self, on: bool) {
        self.check_crc = on;
        for a in &mut self.assemblers {
            a.check_crc = on;
        }
    }
    /// With `false`, packets of PIDs that are not reassembled are only counted in
    /// `stats.packets`: no per-PID count, continuity or PCR. A box that only needs SI
    /// (a scan) saves that work; `ts analyze` keeps it on.
    pub fn set_account_all_pids(&mut self, on: bool) {
        self.account_all = on;
    }
    pub fn add_pid(&mut self, pid: u16) {
        if let Some(slot) = self.slot.get_mut(pid as usize) {
            if *slot == 0 {
                let mut r = SectionReassembler::new();
                r.check_crc = self.check_crc;
                self.assemblers.push(r);
                // At most 8192 PIDs, so the index always fits.
                *slot = self.assemblers.len() as u16;
            }
            self.reassembled[(pid >> 6) as usize] |= 1u64 << (pid & 63);
        }
    }
    pub fn has_pid(&self, pid: u16) -> bool {
        self.slot.get(pid as usize).is_some_and(|&s| s != 0)
    }
    /// Packets seen per PID (8192 entries).
    pub fn pid_packets(&self) -> Vec<u64> {
        self.packets.clone()
    }
    /// Bitrate derived from the PCRs of the first PCR PID, in bit/s.
    pub fn bitrate(&self) -> Option<u64> {
        let ((i0, t0), (i1, t1)) = (self.pcr.first?, self.pcr.last?);
        if t1 <= t0 || i1 <= i0 {
            return None;
        }
        Some(((i1 - i0) as u128 * PACKET_SIZE as u128 * 8 * 27_000_000 / (t1 - t0) as u128) as u64)
    }

    /// Feeds any amount of bytes; a packet cut at the end is kept for the next call.
    pub fn feed(&mut self, data: &[u8], sink: &mut dyn FnMut(SectionRef<'_>)) {
        self.feed_with_control(data, &mut |s, _| sink(s))
    }

    /// Like [`Self::feed`], but the sink may push PIDs to reassemble from the very next
    /// packet on (a PAT naming its PMT PIDs).
    pub fn feed_with_control(
        &mut self,
        data: &[u8],
        sink: &mut dyn FnMut(SectionRef<'_>, &mut Vec<u16>),
    ) {
        if self.carry.is_empty() {
            let used = self.process(data, sink);
            self.carry.extend_from_slice(&data[used..]);
        } else {
            let mut buf = core::mem::take(&mut self.carry);
            buf.extend_from_slice(data);
            let used = self.process(&buf, sink);
            buf.drain(..used);
            self.carry = buf;
        }
    }

    /// Processes whole packets, resynchronising after garbage; returns the bytes used.
    fn process(
        &mut self,
        all: &[u8],
        sink: &mut dyn FnMut(SectionRef<'_>, &mut Vec<u16>),
    ) -> usize {
        let mut data = all;
        let mut add = Vec::new();
        // The packet count lives in a register here (written back below): packets of PIDs
        // that are not followed then cost a sync test, a TEI test and one bit test.
        let mut packets = self.stats.packets;
        loop {
            if !self.account_all {
                // The tight loop over the packets that are skipped: synchronised, no TEI,
                // PID not reassembled (most of a multiplex when only SI is wanted).
                let bits = &self.reassembled;
                while let Some((h, rest)) = data.split_first_chunk::<PACKET_SIZE>() {
                    let pid = usize::from(h[1] & 0x1F) << 8 | usize::from(h[2]);
                    if h[0] != SYNC_BYTE
                        || h[1] & 0x80 != 0
                        || bits[pid >> 6] & (1u64 << (pid & 63)) != 0
                    {
                        break;
                    }
                    data = rest;
                    packets += 1;
                }
            }
            let Some((h, rest)) = data.split_first_chunk::<PACKET_SIZE>() else {
                break;
            };
            if h[0] == SYNC_BYTE {
                data = rest;
                let index = packets;
                packets += 1;
                self.push_packet_inner(h, index, |s| sink(s, &mut add));
                if !add.is_empty() {
                    for pid in add.drain(..) {
                        self.add_pid(pid);
                    }
                }
                continue;
            }
            self.stats.sync_losses += 1;
            // Resync: next 0x47 followed by another 0x47 one packet later (or the end).
            let mut i = 1;
            while i < data.len() {
                if data[i] == SYNC_BYTE && data.get(i + PACKET_SIZE).is_none_or(|&b| b == SYNC_BYTE)
                {
                    break;
                }
                i += 1;
            }
            data = &data[i..];
        }
        self.stats.packets = packets;
        all.len() - data.len()
    }

    /// Processes one 188-byte packet (which must start with 0x47).
    pub fn push_packet(&mut self, pkt: &[u8], sink: &mut dyn FnMut(SectionRef<'_>)) {
        // A fixed-size array: the header reads need no bounds checks.
        let Some(h) = pkt
            .first_chunk::<PACKET_SIZE>()
            .filter(|h| h[0] == SYNC_BYTE)
        else {
            self.stats.sync_losses += 1;
            return;
        };
        let index = self.stats.packets;
        self.stats.packets += 1;
        self.push_packet_inner(h, index, sink)
    }

    /// One packet whose sync byte was checked and which was counted in `stats.packets` as
    /// packet number `index`.
    #[inline(always)]
    fn push_packet_inner<F: FnMut(SectionRef<'_>)>(
        &mut self,
        h: &[u8; PACKET_SIZE],
        index: u64,
        mut sink: F,
    ) {
        if h[1] & 0x80 != 0 {
            self.stats.transport_errors += 1;
            return;
        }
        let pid = u16::from_be_bytes([h[1] & 0x1F, h[2]]);
        if !self.account_all && self.reassembled[(pid >> 6) as usize] & (1u64 << (pid & 63)) == 0 {
            return;
        }
        let p = pid as usize & (PIDS - 1);
        self.packets[p] += 1;
        if pid == crate::ts::NULL_PID {
            return;
        }
        let scrambled = h[3] & 0xC0 != 0;
        self.stats.scrambled_packets += scrambled as u64;
        // Adaptation field (§2.4.3.4), read straight from the header array.
        let mut discontinuity = false;
        let mut start = 4usize;
        if h[3] & 0x20 != 0 {
            let af_len = h[4] as usize;
            start = 5 + af_len;
            if af_len > 0 {
                discontinuity = h[5] & 0x80 != 0;
                if h[5] & 0x10 != 0 && af_len >= 7 {
                    let p = TsPacket::new_unchecked(&h[..]);
                    if let Some(pcr) = p.adaptation_field().and_then(|a| a.pcr()) {
                        let t = &mut self.pcr;
                        if t.pid.is_none() {
                            t.pid = Some(pid);
                        }
                        if t.pid == Some(pid) {
                            let sample = (index, pcr.ticks_27mhz());
                            t.first.get_or_insert(sample);
                            t.last = Some(sample);
                        }
                    }
                }
            }
        }
        if h[3] & 0x10 == 0 {
            return;
        }
        // An adaptation field longer than 183 bytes with a payload is malformed: no payload.
        let Some(payload) = h.get(start..) else {
            return;
        };
        let mut last = (self.last_cc[p] != 0).then_some(self.last_cc[p] & 0x0F);
        let c = continuity(&mut last, h[3] & 0x0F, discontinuity);
        self.last_cc[p] = last.map_or(0, |cc| 0x10 | cc);
        match c {
            Continuity::Ok => {}
            Continuity::Gap => self.stats.cc_errors += 1,
            Continuity::Duplicate => self.stats.duplicate_packets += 1,
        }
        let Some(asm) = (self.slot[p] as usize)
            .checked_sub(1)
            .and_then(|i| self.assemblers.get_mut(i))
        else {
            return;
        };
        if scrambled {
            return;
        }
        let mut delivered = 0u64;
        let f = asm.push_flagging_repeats(c, h[1] & 0x40 != 0, payload, &mut |data, repeat| {
            delivered += 1;
            sink(SectionRef {
                pid,
                packet_index: index,
                data,
                repeat,
            })
        });
        self.stats.sections += delivered;
        self.stats.crc_errors += f.crc_errors as u64;
        self.stats.malformed_sections += f.malformed as u64;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::section::{packetize, LongHeader};

    #[test]
    fn garbage_and_split_feeds_do_not_lose_sections() {
        let sec = LongHeader {
            table_id: 0x42,
            table_id_extension: 1,
            version: 1,
            current_next: true,
            section_number: 0,
            last_section_number: 0,
        }
        .emit(true, &[0u8; 500])
        .unwrap();
        let mut cc = 0;
        let pk = packetize(0x11, &[sec.clone(), sec.clone()], &mut cc);
        let mut stream = vec![0x00, 0x47, 0x11];
        for p in &pk {
            stream.extend_from_slice(p);
        }
        let mut d = Demux::new();
        let mut got = 0;
        for chunk in stream.chunks(100) {
            d.feed(chunk, &mut |s| {
                assert_eq!(s.data, &sec[..]);
                got += 1;
            });
        }
        assert_eq!(got, 2);
        assert_eq!(d.stats.sync_losses, 1);
        assert_eq!(d.stats.cc_errors, 0);
    }

    #[test]
    fn repeats_are_flagged_and_corrupted_repeats_still_fail_the_crc() {
        let sec = |version: u8| {
            LongHeader {
                table_id: 0x02,
                table_id_extension: 1,
                version,
                current_next: true,
                section_number: 0,
                last_section_number: 0,
            }
            .emit(true, &[0xE1, 0x00, 0xF0, 0x00])
            .unwrap()
        };
        let mut bad = sec(1);
        bad[9] ^= 0x01; // same length and header, body changed: the CRC no longer holds
        let secs = [sec(1), sec(1), bad, sec(1), sec(2), sec(2)];
        let mut cc = 0;
        let mut stream = Vec::new();
        for s in &secs {
            for p in packetize(0x100, std::slice::from_ref(s), &mut cc) {
                stream.extend_from_slice(&p);
            }
        }
        for account_all in [true, false] {
            let mut d = Demux::empty();
            d.set_account_all_pids(account_all);
            d.add_pid(0x100);
            let mut got = Vec::new();
            d.feed(&stream, &mut |s| {
                got.push((s.data[5] >> 1 & 0x1F, s.repeat))
            });
            assert_eq!(
                got,
                [(1, false), (1, true), (1, true), (2, false), (2, true)]
            );
            assert_eq!(d.stats.crc_errors, 1);
            assert_eq!(d.stats.packets, 6);
        }
    }
}
