//! PSI/SI sections (ISO/IEC 13818-1 §2.4.4, EN 300 468 §5.1): zero-copy view, emission with
//! CRC, reassembly out of TS packets and completeness tracking per table version.

use crate::crc::crc32_mpeg2;
use crate::ts::{TsPacketRepr, PACKET_SIZE};
use crate::{Error, Result};

/// Largest section: 12-bit section_length + 3 header bytes.
pub const MAX_SECTION_SIZE: usize = 4096 + 3;

/// Zero-copy view of one complete section.
#[derive(Debug, Clone, Copy)]
pub struct Section<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Section<T> {
    /// Checks header, length (the buffer may be longer: it is cut to section_length) and,
    /// when the section carries one, the CRC.
    pub fn new_checked(buffer: T) -> Result<Self> {
        let s = Section { buffer };
        let b = s.buffer.as_ref();
        if b.len() < 3 {
            return Err(Error::Truncated);
        }
        let total = s.total_len();
        if b.len() < total {
            return Err(Error::Truncated);
        }
        if s.section_syntax_indicator() && total < 3 + 5 + 4 {
            return Err(Error::Length);
        }
        if s.has_crc() {
            if total < 7 {
                return Err(Error::Length);
            }
            if crc32_mpeg2(&b[..total]) != 0 {
                return Err(Error::Crc);
            }
        }
        Ok(s)
    }
    pub fn new_unchecked(buffer: T) -> Self {
        Section { buffer }
    }
    fn b(&self) -> &[u8] {
        self.buffer.as_ref()
    }
    fn byte(&self, i: usize) -> u8 {
        self.b().get(i).copied().unwrap_or(0)
    }
    pub fn table_id(&self) -> u8 {
        self.byte(0)
    }
    pub fn section_syntax_indicator(&self) -> bool {
        self.byte(1) & 0x80 != 0
    }
    pub fn private_indicator(&self) -> bool {
        self.byte(1) & 0x40 != 0
    }
    pub fn section_length(&self) -> usize {
        (u16::from_be_bytes([self.byte(1), self.byte(2)]) & 0x0FFF) as usize
    }
    /// Whole section size in bytes.
    pub fn total_len(&self) -> usize {
        3 + self.section_length()
    }
    /// Long sections and the TOT (short, but with a CRC) end in CRC_32.
    pub fn has_crc(&self) -> bool {
        self.section_syntax_indicator() || self.table_id() == 0x73
    }
    pub fn table_id_extension(&self) -> u16 {
        u16::from_be_bytes([self.byte(3), self.byte(4)])
    }
    pub fn version_number(&self) -> u8 {
        (self.byte(5) >> 1) & 0x1F
    }
    pub fn current_next_indicator(&self) -> bool {
        self.byte(5) & 1 != 0
    }
    pub fn section_number(&self) -> u8 {
        self.byte(6)
    }
    pub fn last_section_number(&self) -> u8 {
        self.byte(7)
    }
    /// Bytes after the (short or long) header, without CRC.
    pub fn payload(&self) -> &[u8] {
        let total = self.total_len().min(self.b().len());
        let start = if self.section_syntax_indicator() {
            8
        } else {
            3
        };
        let end = if self.has_crc() {
            total.saturating_sub(4)
        } else {
            total
        };
        self.b().get(start..end).unwrap_or(&[])
    }
    pub fn as_bytes(&self) -> &[u8] {
        let total = self.total_len().min(self.b().len());
        &self.b()[..total]
    }
}

/// The header of a long section (syntax indicator 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct LongHeader {
    pub table_id: u8,
    pub table_id_extension: u16,
    pub version: u8,
    pub current_next: bool,
    pub section_number: u8,
    pub last_section_number: u8,
}

impl LongHeader {
    pub fn parse<T: AsRef<[u8]>>(s: &Section<T>) -> Result<Self> {
        if !s.section_syntax_indicator() {
            return Err(Error::Length);
        }
        Ok(LongHeader {
            table_id: s.table_id(),
            table_id_extension: s.table_id_extension(),
            version: s.version_number(),
            current_next: s.current_next_indicator(),
            section_number: s.section_number(),
            last_section_number: s.last_section_number(),
        })
    }
    /// Builds the whole section: header, `payload`, CRC_32. `private` sets private_indicator
    /// (1 for DVB SI tables, 0 for PAT/CAT/PMT).
    pub fn emit(&self, private: bool, payload: &[u8]) -> Result<Vec<u8>> {
        let len = 5 + payload.len() + 4;
        if len > 4093 {
            return Err(Error::Overflow);
        }
        let mut out = Vec::with_capacity(3 + len);
        out.push(self.table_id);
        out.push(0x80 | ((private as u8) << 6) | 0x30 | (len >> 8) as u8);
        out.push(len as u8);
        out.extend_from_slice(&self.table_id_extension.to_be_bytes());
        out.push(0xC0 | ((self.version & 0x1F) << 1) | self.current_next as u8);
        out.push(self.section_number);
        out.push(self.last_section_number);
        out.extend_from_slice(payload);
        let crc = crc32_mpeg2(&out);
        out.extend_from_slice(&crc.to_be_bytes());
        Ok(out)
    }
}

/// Builds a short section (syntax indicator 0), appending a CRC when `with_crc` (TOT).
pub fn emit_short_section(table_id: u8, payload: &[u8], with_crc: bool) -> Result<Vec<u8>> {
    let len = payload.len() + if with_crc { 4 } else { 0 };
    if len > 4093 {
        return Err(Error::Overflow);
    }
    let mut out = Vec::with_capacity(3 + len);
    out.push(table_id);
    out.push(0x70 | (len >> 8) as u8);
    out.push(len as u8);
    out.extend_from_slice(payload);
    if with_crc {
        let crc = crc32_mpeg2(&out);
        out.extend_from_slice(&crc.to_be_bytes());
    }
    Ok(out)
}

/// Result of the continuity counter check of one packet with payload (§2.4.3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Continuity {
    Ok,
    /// Same CC as the previous packet: a duplicate, to be dropped.
    Duplicate,
    /// Packets were lost.
    Gap,
}

/// Checks `cc` against the previous one (None: first packet) and records it.
pub fn continuity(last: &mut Option<u8>, cc: u8, discontinuity: bool) -> Continuity {
    let r = match *last {
        Some(l) if !discontinuity && cc == l => Continuity::Duplicate,
        Some(l) if !discontinuity && cc != (l + 1) & 0x0F => Continuity::Gap,
        _ => Continuity::Ok,
    };
    *last = Some(cc);
    r
}

/// What the reassembler noticed on one packet, for the error counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PacketFindings {
    pub cc_error: bool,
    pub duplicate: bool,
    /// Sections dropped because of a bad CRC.
    pub crc_errors: u32,
    /// Sections dropped because of impossible lengths or a pointer_field past the payload.
    pub malformed: u32,
}

/// Reassembles the sections of one PID (§2.4.4.1-2): pointer_field, sections spanning
/// packets, several sections per packet, 0xFF stuffing, CC gaps and duplicates.
///
/// Sections lying entirely inside one packet are handed out without copying. Tables are
/// repeated many times a second; a section byte-identical to the last good one of the PID is
/// recognised by comparing bytes (a fraction of the cost of a CRC over the same bytes, and
/// exactly as strict) and flagged as a repeat.
#[derive(Debug, Default, Clone)]
pub struct SectionReassembler {
    buf: Vec<u8>,
    in_section: bool,
    last_cc: Option<u8>,
    /// The last section that passed the checks (empty: none yet).
    last_good: Vec<u8>,
    /// Skip CRC checks (for peers compared in benchmarks; never for real use).
    pub check_crc: bool,
}

impl SectionReassembler {
    pub fn new() -> Self {
        SectionReassembler {
            buf: Vec::new(),
            in_section: false,
            last_cc: None,
            last_good: Vec::new(),
            check_crc: true,
        }
    }

    /// Forgets any partial section (e.g. after a PID was remapped).
    pub fn reset(&mut self) {
        self.buf.clear();
        self.in_section = false;
        self.last_cc = None;
        self.last_good.clear();
    }

    /// Feeds one packet's header fields and payload; calls `sink` with each complete section
    /// whose CRC is good. Tracks the continuity counter itself.
    pub fn push(
        &mut self,
        cc: u8,
        pusi: bool,
        discontinuity: bool,
        payload: &[u8],
        sink: &mut dyn FnMut(&[u8]),
    ) -> PacketFindings {
        let c = continuity(&mut self.last_cc, cc, discontinuity);
        self.push_with_continuity(c, pusi, payload, sink)
    }

    /// Same as [`Self::push`] when the caller already checked continuity (the demux checks
    /// every PID once).
    pub fn push_with_continuity(
        &mut self,
        c: Continuity,
        pusi: bool,
        payload: &[u8],
        sink: &mut dyn FnMut(&[u8]),
    ) -> PacketFindings {
        self.push_flagging_repeats(c, pusi, payload, &mut |s, _| sink(s))
    }

    /// Same as [`Self::push_with_continuity`]; the sink's second argument tells whether the
    /// section is byte-identical to the previous good section of this PID.
    pub fn push_flagging_repeats(
        &mut self,
        c: Continuity,
        pusi: bool,
        payload: &[u8],
        sink: &mut dyn FnMut(&[u8], bool),
    ) -> PacketFindings {
        let mut f = PacketFindings::default();
        match c {
            Continuity::Duplicate => {
                f.duplicate = true;
                return f;
            }
            Continuity::Gap => {
                f.cc_error = true;
                self.buf.clear();
                self.in_section = false;
            }
            Continuity::Ok => {}
        }
        if pusi {
            let Some((&pointer, rest)) = payload.split_first() else {
                f.malformed += 1;
                self.abandon();
                return f;
            };
            let pointer = pointer as usize;
            let Some((tail, head)) = (pointer <= rest.len()).then(|| rest.split_at(pointer)) else {
                f.malformed += 1;
                self.abandon();
                return f;
            };
            if self.in_section {
                self.buf.extend_from_slice(tail);
                self.drain(&mut f, sink);
                if self.in_section {
                    // The previous section claimed more bytes than were sent before the next
                    // one started.
                    f.malformed += 1;
                }
            }
            self.buf.clear();
            self.in_section = false;
            self.start(head, &mut f, sink);
        } else if self.in_section {
            self.buf.extend_from_slice(payload);
            self.drain(&mut f, sink);
        }
        f
    }

    fn abandon(&mut self) {
        self.buf.clear();
        self.in_section = false;
    }

    /// Processes bytes that start at a section boundary, zero-copy where possible.
    fn start(
        &mut self,
        mut data: &[u8],
        f: &mut PacketFindings,
        sink: &mut dyn FnMut(&[u8], bool),
    ) {
        loop {
            match data.first() {
                None | Some(0xFF) => return,
                Some(_) => {}
            }
            if data.len() < 3 {
                self.buf.extend_from_slice(data);
                self.in_section = true;
                return;
            }
            let total = 3 + ((u16::from_be_bytes([data[1], data[2]]) & 0x0FFF) as usize);
            if total > data.len() {
                self.buf.extend_from_slice(data);
                self.in_section = true;
                return;
            }
            let (sec, rest) = data.split_at(total);
            self.deliver(sec, f, sink);
            data = rest;
        }
    }

    /// Emits the complete sections accumulated in `buf`.
    fn drain(&mut self, f: &mut PacketFindings, sink: &mut dyn FnMut(&[u8], bool)) {
        let buf = core::mem::take(&mut self.buf);
        let mut data = &buf[..];
        self.in_section = false;
        let mut consumed_all = true;
        loop {
            match data.first() {
                None | Some(0xFF) => break,
                Some(_) => {}
            }
            if data.len() < 3 {
                consumed_all = false;
                break;
            }
            let total = 3 + ((u16::from_be_bytes([data[1], data[2]]) & 0x0FFF) as usize);
            if total > data.len() {
                consumed_all = false;
                break;
            }
            let (sec, rest) = data.split_at(total);
            self.deliver(sec, f, sink);
            data = rest;
        }
        let keep = if consumed_all { 0 } else { data.len() };
        let mut buf = buf;
        let from = buf.len() - keep;
        buf.copy_within(from.., 0);
        buf.truncate(keep);
        self.in_section = keep > 0;
        self.buf = buf;
    }

    fn deliver(&mut self, sec: &[u8], f: &mut PacketFindings, sink: &mut dyn FnMut(&[u8], bool)) {
        if !self.last_good.is_empty() && self.last_good == sec {
            // The same bytes passed the checks below before.
            sink(sec, true);
            return;
        }
        let s = Section::new_unchecked(sec);
        if s.section_syntax_indicator() && sec.len() < 12 {
            f.malformed += 1;
            return;
        }
        if self.check_crc && s.has_crc() && (sec.len() < 7 || crc32_mpeg2(sec) != 0) {
            f.crc_errors += 1;
            return;
        }
        self.last_good.clear();
        self.last_good.extend_from_slice(sec);
        sink(sec, false);
    }
}

/// Cuts sections into TS packets (§2.4.4.2) the way muxers do: each packet starting a
/// section gets a pointer_field, sections are packed back to back, the last packet is padded
/// with 0xFF. `cc` is the PID's continuity counter, advanced per packet.
pub fn packetize(pid: u16, sections: &[Vec<u8>], cc: &mut u8) -> Vec<[u8; PACKET_SIZE]> {
    let mut stream: Vec<u8> = Vec::new();
    let mut starts: Vec<usize> = Vec::new();
    for s in sections {
        starts.push(stream.len());
        stream.extend_from_slice(s);
    }
    let mut out = Vec::new();
    let mut pos = 0;
    let mut next_start = 0;
    while pos < stream.len() {
        while next_start < starts.len() && starts[next_start] < pos {
            next_start += 1;
        }
        let mut payload = Vec::with_capacity(184);
        let start_here = starts.get(next_start).copied().filter(|&s| s < pos + 183);
        if let Some(s) = start_here {
            payload.push((s - pos) as u8);
        }
        let room = 184 - payload.len();
        let end = (pos + room).min(stream.len());
        payload.extend_from_slice(&stream[pos..end]);
        pos = end;
        payload.resize(184, 0xFF);
        let pkt = TsPacketRepr {
            pid,
            payload_unit_start: start_here.is_some(),
            transport_error: false,
            priority: false,
            scrambling_control: 0,
            continuity_counter: *cc,
            adaptation: None,
            payload: &payload,
        };
        *cc = (*cc + 1) & 0x0F;
        if let Ok(p) = pkt.emit() {
            out.push(p);
        }
    }
    out
}

/// Fx hash (rustc's): table keys are small integers from the stream, and this map is hit
/// once per section, so SipHash's DoS resistance costs more than it buys.
#[derive(Default, Clone, Copy)]
pub struct FxHasher(u64);

impl std::hash::Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(b as u64);
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.write_u64(i as u64)
    }
    fn write_u16(&mut self, i: u16) {
        self.write_u64(i as u64)
    }
    fn write_u32(&mut self, i: u32) {
        self.write_u64(i as u64)
    }
    fn write_u64(&mut self, i: u64) {
        self.0 = (self.0.rotate_left(5) ^ i).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_usize(&mut self, i: usize) {
        self.write_u64(i as u64)
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

pub type FxBuildHasher = std::hash::BuildHasherDefault<FxHasher>;
pub type FxHashMap<K, V> = std::collections::HashMap<K, V, FxBuildHasher>;

/// Identity of one sub-table (EN 300 468 §5.1.4 / TSDuck's "table id + extension").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TableKey {
    pub pid: u16,
    pub table_id: u8,
    pub table_id_extension: u16,
    /// For EIT: transport_stream_id << 16 | original_network_id; 0 otherwise.
    pub extra: u32,
}

impl TableKey {
    pub fn of<T: AsRef<[u8]>>(pid: u16, s: &Section<T>) -> Self {
        let tid = s.table_id();
        let extra = if (0x4E..=0x6F).contains(&tid) {
            let p = s.payload();
            match p.get(..4) {
                Some(b) => u32::from_be_bytes([b[0], b[1], b[2], b[3]]),
                None => 0,
            }
        } else {
            0
        };
        TableKey {
            pid,
            table_id: tid,
            table_id_extension: if s.section_syntax_indicator() {
                s.table_id_extension()
            } else {
                0
            },
            extra,
        }
    }
}

/// Sections received so far of one version of one sub-table.
#[derive(Debug, Clone)]
pub struct TableProgress {
    pub version: u8,
    pub last_section_number: u8,
    received: [u64; 4],
    /// EIT: segment_last_section_number per segment (0xFF unknown).
    segment_last: Option<Box<[u8; 32]>>,
    pub complete: bool,
}

/// What [`CompletenessTracker::record`] learned from a section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SectionNews {
    /// Already had this section of this version.
    Repeat,
    /// A new section; `completed` when it was the last one missing.
    New {
        version_changed: bool,
        completed: bool,
    },
    /// current_next_indicator = 0: describes a future version, ignored.
    NotCurrent,
}

fn bit(bits: &[u64; 4], n: u8) -> bool {
    bits[(n >> 6) as usize] & (1u64 << (n & 63)) != 0
}

impl TableProgress {
    fn new(version: u8, last: u8, eit: bool) -> Self {
        TableProgress {
            version,
            last_section_number: last,
            received: [0; 4],
            segment_last: eit.then(|| Box::new([0xFF; 32])),
            complete: false,
        }
    }
    fn is_complete(&self) -> bool {
        match &self.segment_last {
            None => (0..=self.last_section_number).all(|n| bit(&self.received, n)),
            Some(seg) => (0..=self.last_section_number / 8).all(|s| {
                let first = s * 8;
                let sl = seg[s as usize];
                if sl == 0xFF {
                    return false;
                }
                let last = sl.clamp(first, first + 7).min(self.last_section_number);
                (first..=last).all(|n| bit(&self.received, n))
            }),
        }
    }
}

/// Tracks, per sub-table, which sections of the current version were received: the table
/// is complete when all sections 0..=last_section_number are (for EIT, per segment up to its
/// segment_last_section_number, EN 300 468 §5.2.4).
#[derive(Debug, Default, Clone)]
pub struct CompletenessTracker {
    tables: FxHashMap<TableKey, TableProgress>,
}

impl CompletenessTracker {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn record<T: AsRef<[u8]>>(&mut self, pid: u16, s: &Section<T>) -> SectionNews {
        if !s.section_syntax_indicator() {
            return SectionNews::New {
                version_changed: false,
                completed: true,
            };
        }
        if !s.current_next_indicator() {
            return SectionNews::NotCurrent;
        }
        let key = TableKey::of(pid, s);
        let eit = (0x4E..=0x6F).contains(&s.table_id());
        let version = s.version_number();
        let last = s.last_section_number();
        let sn = s.section_number();
        let mut version_changed = false;
        let entry = self
            .tables
            .entry(key)
            .or_insert_with(|| TableProgress::new(version, last, eit));
        if entry.version != version || entry.last_section_number != last {
            version_changed = entry.version != version;
            *entry = TableProgress::new(version, last, eit);
        }
        if bit(&entry.received, sn) {
            return SectionNews::Repeat;
        }
        entry.received[(sn >> 6) as usize] |= 1u64 << (sn & 63);
        if let Some(seg) = entry.segment_last.as_mut() {
            if let Some(&sl) = s.payload().get(4) {
                seg[(sn / 8) as usize] = sl;
            }
        }
        let was = entry.complete;
        entry.complete = entry.is_complete();
        SectionNews::New {
            version_changed,
            completed: entry.complete && !was,
        }
    }
    /// Forgets every table of a PID (e.g. a PMT PID that left the PAT): when it comes back,
    /// its tables are reported again, as TSDuck does.
    pub fn forget_pid(&mut self, pid: u16) {
        self.tables.retain(|k, _| k.pid != pid);
    }
    pub fn progress(&self, key: &TableKey) -> Option<&TableProgress> {
        self.tables.get(key)
    }
    pub fn iter(&self) -> impl Iterator<Item = (&TableKey, &TableProgress)> {
        self.tables.iter()
    }
}

/// A complete table: every section of one version of one sub-table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompleteTable {
    pub key: TableKey,
    pub version: u8,
    /// Sections in section_number order.
    pub sections: Vec<Vec<u8>>,
}

/// Collects sections until their table is complete, then hands the table out once per
/// version (what a box acts on: a new PAT, a new SDT version...).
#[derive(Debug, Default, Clone)]
pub struct TableAssembler {
    tracker: CompletenessTracker,
    pending: FxHashMap<TableKey, std::collections::BTreeMap<u8, Vec<u8>>>,
}

impl TableAssembler {
    pub fn new() -> Self {
        Self::default()
    }
    /// Feeds a section (CRC already checked); returns the table it completed, if any.
    /// Short sections (TDT, TOT) are complete tables by themselves.
    pub fn push(&mut self, pid: u16, data: &[u8]) -> Option<CompleteTable> {
        let s = Section::new_unchecked(data);
        let key = TableKey::of(pid, &s);
        match self.tracker.record(pid, &s) {
            SectionNews::New {
                version_changed,
                completed,
            } => {
                let map = self.pending.entry(key).or_default();
                if version_changed {
                    map.clear();
                }
                // Sections of another version, or of the same version with another last_section_number (a
                // broken or restarted multiplexer), are not part of this table.
                if let Some(v) = map.values().next() {
                    let held = Section::new_unchecked(&v[..]);
                    if held.version_number() != s.version_number()
                        || held.last_section_number() != s.last_section_number()
                    {
                        map.clear();
                    }
                }
                map.insert(s.section_number(), data.to_vec());
                if completed {
                    let sections = self
                        .pending
                        .remove(&key)
                        .unwrap_or_default()
                        .into_values()
                        .collect();
                    return Some(CompleteTable {
                        key,
                        version: s.version_number(),
                        sections,
                    });
                }
                None
            }
            _ => None,
        }
    }
    pub fn forget_pid(&mut self, pid: u16) {
        self.tracker.forget_pid(pid);
        self.pending.retain(|k, _| k.pid != pid);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ts::TsPacket;

    fn long(tid: u8, ext: u16, v: u8, sn: u8, last: u8, len: usize) -> Vec<u8> {
        let payload: Vec<u8> = (0..len).map(|i| i as u8 & 0x7F).collect();
        LongHeader {
            table_id: tid,
            table_id_extension: ext,
            version: v,
            current_next: true,
            section_number: sn,
            last_section_number: last,
        }
        .emit(true, &payload)
        .unwrap()
    }

    fn run(packets: &[[u8; 188]]) -> (Vec<Vec<u8>>, PacketFindings) {
        let mut r = SectionReassembler::new();
        let mut got = Vec::new();
        let mut total = PacketFindings::default();
        for p in packets {
            let p = TsPacket::new_checked(&p[..]).unwrap();
            let f = r.push(
                p.continuity_counter(),
                p.payload_unit_start_indicator(),
                false,
                p.payload().unwrap(),
                &mut |s| got.push(s.to_vec()),
            );
            total.cc_error |= f.cc_error;
            total.duplicate |= f.duplicate;
            total.crc_errors += f.crc_errors;
            total.malformed += f.malformed;
        }
        (got, total)
    }

    #[test]
    fn many_small_sections_and_one_long() {
        let secs = vec![
            long(0x42, 1, 3, 0, 0, 10),
            long(0x46, 2, 3, 0, 0, 30),
            long(0x4E, 3, 1, 0, 1, 1000),
            long(0x4E, 3, 1, 1, 1, 4000),
            long(0x70, 0, 0, 0, 0, 1),
        ];
        let mut cc = 0;
        let pk = packetize(0x12, &secs, &mut cc);
        let (got, f) = run(&pk);
        assert_eq!(got, secs);
        assert_eq!(f, PacketFindings::default());
    }

    #[test]
    fn crc_error_and_cc_gap_are_counted() {
        let mut bad = long(0x42, 1, 3, 0, 0, 300);
        bad[20] ^= 1;
        let good = long(0x42, 1, 4, 0, 0, 300);
        let mut cc = 0;
        let mut pk = packetize(0x11, &[bad], &mut cc);
        pk.extend(packetize(0x11, std::slice::from_ref(&good), &mut cc));
        let (got, f) = run(&pk);
        assert_eq!(got, vec![good.clone()]);
        assert_eq!(f.crc_errors, 1);
        // Drop the second packet of the good section: CC error, section lost, no garbage.
        let mut cc = 0;
        let mut pk = packetize(0x11, &[good.clone(), good.clone()], &mut cc);
        pk.remove(1);
        let (got, f) = run(&pk);
        assert!(f.cc_error);
        assert!(got.iter().all(|s| s == &good));
        // Duplicate packets are ignored.
        let mut cc = 0;
        let mut pk = packetize(0x11, std::slice::from_ref(&good), &mut cc);
        pk.insert(1, pk[0]);
        let (got, f) = run(&pk);
        assert!(f.duplicate && !f.cc_error);
        assert_eq!(got, vec![good]);
    }

    #[test]
    fn completeness_with_eit_segments() {
        let mut t = CompletenessTracker::new();
        // EIT schedule: last_section_number 0x10 (3 segments), segment 0 has 2 sections,
        // segment 1 one section, segment 2 one section.
        let mk = |sn: u8, seg_last: u8| {
            let payload = vec![0, 1, 0, 2, seg_last, 0x50];
            LongHeader {
                table_id: 0x50,
                table_id_extension: 7,
                version: 2,
                current_next: true,
                section_number: sn,
                last_section_number: 0x10,
            }
            .emit(true, &payload)
            .unwrap()
        };
        let order = [(0, 1), (8, 8), (0x10, 0x10), (0, 1)];
        let mut news = Vec::new();
        for (sn, sl) in order {
            let s = mk(sn, sl);
            news.push(t.record(0x12, &Section::new_checked(&s[..]).unwrap()));
        }
        assert!(news.iter().all(|n| !matches!(
            n,
            SectionNews::New {
                completed: true,
                ..
            }
        )));
        assert_eq!(news[3], SectionNews::Repeat);
        let s = mk(1, 1);
        assert_eq!(
            t.record(0x12, &Section::new_checked(&s[..]).unwrap()),
            SectionNews::New {
                version_changed: false,
                completed: true
            }
        );
    }

    #[test]
    fn next_versions_are_ignored_and_version_changes_reported() {
        let mut t = CompletenessTracker::new();
        let mk = |v: u8, cn: bool| {
            LongHeader {
                table_id: 0x42,
                table_id_extension: 1,
                version: v,
                current_next: cn,
                section_number: 0,
                last_section_number: 0,
            }
            .emit(true, &[0, 1, 0xFF])
            .unwrap()
        };
        let rec = |t: &mut CompletenessTracker, s: Vec<u8>| {
            t.record(0x11, &Section::new_checked(&s[..]).unwrap())
        };
        assert_eq!(
            rec(&mut t, mk(3, true)),
            SectionNews::New {
                version_changed: false,
                completed: true
            }
        );
        assert_eq!(rec(&mut t, mk(4, false)), SectionNews::NotCurrent);
        assert_eq!(rec(&mut t, mk(3, true)), SectionNews::Repeat);
        assert_eq!(
            rec(&mut t, mk(4, true)),
            SectionNews::New {
                version_changed: true,
                completed: true
            }
        );
        let mut a = TableAssembler::new();
        assert!(a.push(0x11, &mk(5, true)).is_some());
        assert!(a.push(0x11, &mk(5, true)).is_none());
        a.forget_pid(0x11);
        assert_eq!(a.push(0x11, &mk(5, true)).map(|t| t.version), Some(5));
    }

    #[test]
    fn assembler_hands_out_one_version_with_exactly_its_sections() {
        let numbers = |t: &CompleteTable| -> Vec<(u8, u8)> {
            t.sections
                .iter()
                .map(|b| {
                    let s = Section::new_unchecked(&b[..]);
                    (s.version_number(), s.section_number())
                })
                .collect()
        };
        let mut a = TableAssembler::new();
        assert!(a.push(0x11, &long(0x42, 7, 3, 1, 2, 5)).is_none());
        assert!(a.push(0x11, &long(0x42, 7, 3, 0, 2, 5)).is_none());
        assert!(
            a.push(0x11, &long(0x42, 7, 3, 0, 2, 5)).is_none(),
            "a repeat"
        );
        let t = a.push(0x11, &long(0x42, 7, 3, 2, 2, 5)).expect("complete");
        assert_eq!(numbers(&t), [(3, 0), (3, 1), (3, 2)]);

        // Section 0 of version 3 does not complete version 4.
        let mut a = TableAssembler::new();
        assert!(a.push(0x11, &long(0x42, 7, 3, 0, 1, 5)).is_none());
        assert!(a.push(0x11, &long(0x42, 7, 4, 1, 1, 5)).is_none());
        let t = a.push(0x11, &long(0x42, 7, 4, 0, 1, 5)).expect("complete");
        assert_eq!((t.version, numbers(&t)), (4, vec![(4, 0), (4, 1)]));

        // The same version announced with fewer sections: the stale section 2 is not in the table.
        let mut a = TableAssembler::new();
        assert!(a.push(0x11, &long(0x42, 7, 5, 2, 2, 5)).is_none());
        assert!(a.push(0x11, &long(0x42, 7, 5, 0, 1, 5)).is_none());
        let t = a.push(0x11, &long(0x42, 7, 5, 1, 1, 5)).expect("complete");
        assert_eq!(numbers(&t), [(5, 0), (5, 1)]);
    }
}
