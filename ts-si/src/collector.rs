//! Gathers what the box and the analysis need out of a stream: PSI, services, networks,
//! events, time. Only new sections (first of their version, see
//! [`CompletenessTracker`]) are parsed, so following a full multiplex costs little more
//! than CRC checks.

use std::collections::BTreeMap;

use crate::demux::{Demux, SectionRef};
use crate::descriptors::{Descriptor, DvbString, ExtendedEventDescriptor};
use crate::section::{CompletenessTracker, Section, SectionNews};
use crate::tables::*;
use crate::text::CharsetPolicy;
use crate::time::UtcTime;

/// (original_network_id, transport_stream_id, service_id)
pub type ServiceKey = (u16, u16, u16);

/// One EIT event, decoded.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct EventRecord {
    pub original_network_id: u16,
    pub transport_stream_id: u16,
    pub service_id: u16,
    pub event_id: u16,
    pub start: UtcTime,
    pub duration_s: u32,
    pub running_status: u8,
    pub free_ca_mode: bool,
    pub language: String,
    pub title: String,
    pub short_text: String,
    pub extended_text: String,
    /// (item description, item) pairs of the extended event descriptors.
    pub extended_items: Vec<(String, String)>,
    /// content_nibble_level_1/2 pairs.
    pub content: Vec<(u8, u8)>,
    /// Seen in EIT present/following.
    pub present_following: bool,
    /// Seen in EIT schedule.
    pub schedule: bool,
    pub actual: bool,
}

/// What was seen of the EIT of one service.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct EitPresence {
    pub actual: bool,
    pub present_following: bool,
    pub schedule: bool,
}

/// Section counts per EIT kind (every occurrence, repeats included).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct EitCounts {
    pub pf_actual: u64,
    pub pf_other: u64,
    pub schedule_actual: u64,
    pub schedule_other: u64,
}

/// Occurrences and repetition of one (PID, table_id).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableStat {
    pub sections: u64,
    pub sub_tables: u64,
    pub versions: std::collections::BTreeSet<u8>,
    /// Gaps in packets between successive section 0 of the same sub-table.
    pub min_gap: Option<u64>,
    pub max_gap: Option<u64>,
    pub gap_sum: u64,
    pub gap_count: u64,
}

/// An SDT service as last received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SdtEntry {
    pub actual: bool,
    pub service: SdtService,
}

/// The collector: a [`Demux`] and the tables gathered from it.
pub struct SiCollector {
    pub demux: Demux,
    pub si: SiTables,
}

/// Everything gathered out of the sections. Feed it bytes through [`SiCollector`].
pub struct SiTables {
    pub policy: CharsetPolicy,
    pub tracker: CompletenessTracker,
    /// Parse every section, repeats included (benchmarks measure parsing cost this way).
    pub parse_repeats: bool,
    /// PAT sections by section_number (current version).
    pub pat: BTreeMap<u8, ProgramAssociationTable>,
    pub pmts: BTreeMap<u16, ProgramMapTable>,
    pub pmt_pids: BTreeMap<u16, u16>,
    pub cat: BTreeMap<u8, ConditionalAccessTable>,
    pub sdt: BTreeMap<ServiceKey, SdtEntry>,
    /// NIT sections by (table_id, network_id, section_number).
    pub nit: BTreeMap<(u8, u16, u8), NetworkInformationTable>,
    pub bat: BTreeMap<(u16, u8), BouquetAssociationTable>,
    pub events: BTreeMap<(u16, u16, u16, u16), EventRecord>,
    pub eit_presence: BTreeMap<ServiceKey, EitPresence>,
    pub eit_counts: EitCounts,
    pub tdt: Option<UtcTime>,
    pub tot: Option<TimeOffsetTable>,
    pub tables: BTreeMap<(u16, u8), TableStat>,
    last_section0: crate::section::FxHashMap<(u16, u8, u16, u32), u64>,
    /// Sections with a good CRC whose contents did not parse.
    pub table_errors: u64,
    /// Descriptors cut short or with a body that does not parse.
    pub malformed_descriptors: u64,
    /// PIDs found in the PAT that the demux must start reassembling.
    wanted_pids: Vec<u16>,
    /// Last UTC time seen in a TDT or TOT (unix seconds).
    pub last_utc: Option<i64>,
    /// (packet index, unix time) of the first and last TDT/TOT: a clock for streams
    /// without PCR.
    pub utc_marks: Option<((u64, i64), (u64, i64))>,
    /// How far ahead of the current UTC each service's EIT schedule reaches, in seconds
    /// (max over events of start − last UTC when the section arrived).
    pub eit_max_ahead: BTreeMap<ServiceKey, i64>,
}

impl Default for SiCollector {
    fn default() -> Self {
        Self::new(CharsetPolicy::default())
    }
}

impl SiCollector {
    pub fn new(policy: CharsetPolicy) -> Self {
        SiCollector {
            demux: Demux::new(),
            si: SiTables::new(policy),
        }
    }

    /// Feeds stream bytes (any chunking). PMT PIDs found in a PAT are reassembled from the
    /// next packet on.
    pub fn feed(&mut self, data: &[u8]) {
        let si = &mut self.si;
        self.demux.feed_with_control(data, &mut |s, add| {
            si.on_section(s);
            add.append(&mut si.wanted_pids);
        });
    }
}

impl SiTables {
    pub fn new(policy: CharsetPolicy) -> Self {
        SiTables {
            policy,
            tracker: CompletenessTracker::new(),
            parse_repeats: false,
            pat: BTreeMap::new(),
            pmts: BTreeMap::new(),
            pmt_pids: BTreeMap::new(),
            cat: BTreeMap::new(),
            sdt: BTreeMap::new(),
            nit: BTreeMap::new(),
            bat: BTreeMap::new(),
            events: BTreeMap::new(),
            eit_presence: BTreeMap::new(),
            eit_counts: EitCounts::default(),
            tdt: None,
            tot: None,
            tables: BTreeMap::new(),
            last_section0: Default::default(),
            table_errors: 0,
            malformed_descriptors: 0,
            wanted_pids: Vec::new(),
            last_utc: None,
            utc_marks: None,
            eit_max_ahead: BTreeMap::new(),
        }
    }

    /// Handles one complete section (CRC already checked by the demux).
    pub fn on_section(&mut self, s: SectionRef<'_>) {
        let sec = Section::new_unchecked(s.data);
        let tid = sec.table_id();
        self.count(s.pid, s.packet_index, &sec);
        match self.tracker.record(s.pid, &sec) {
            SectionNews::NotCurrent => return,
            SectionNews::Repeat if !self.parse_repeats => return,
            SectionNews::New {
                version_changed: true,
                ..
            } => self.on_version_change(s.pid, tid, &sec),
            _ => {}
        }
        match Table::parse(&sec) {
            Ok(Some(t)) => self.merge(s.pid, t),
            Ok(None) => {}
            Err(_) => self.table_errors += 1,
        }
    }

    fn count<T: AsRef<[u8]>>(&mut self, pid: u16, index: u64, sec: &Section<T>) {
        let tid = sec.table_id();
        match tid {
            0x70 | 0x73 => {
                if let Some(b) = sec.payload().get(..5) {
                    let t = UtcTime::from_bytes([b[0], b[1], b[2], b[3], b[4]]).unix();
                    self.last_utc = Some(t);
                    self.utc_marks = Some(match self.utc_marks {
                        None => ((index, t), (index, t)),
                        Some((first, _)) => (first, (index, t)),
                    });
                }
            }
            0x50..=0x6F => {
                if let Some(utc) = self.last_utc {
                    self.note_schedule_reach(sec.table_id_extension(), sec.payload(), utc);
                }
            }
            _ => {}
        }
        match tid {
            0x4E => self.eit_counts.pf_actual += 1,
            0x4F => self.eit_counts.pf_other += 1,
            0x50..=0x5F => self.eit_counts.schedule_actual += 1,
            0x60..=0x6F => self.eit_counts.schedule_other += 1,
            _ => {}
        }
        let key = crate::section::TableKey::of(pid, sec);
        let st = self.tables.entry((pid, tid)).or_default();
        st.sections += 1;
        if sec.section_syntax_indicator() {
            st.versions.insert(sec.version_number());
        }
        if sec.section_number() == 0 || !sec.section_syntax_indicator() {
            match self
                .last_section0
                .insert((pid, tid, key.table_id_extension, key.extra), index)
            {
                Some(prev) => {
                    let gap = index.saturating_sub(prev);
                    st.min_gap = Some(st.min_gap.map_or(gap, |m| m.min(gap)));
                    st.max_gap = Some(st.max_gap.map_or(gap, |m| m.max(gap)));
                    st.gap_sum += gap;
                    st.gap_count += 1;
                }
                None => st.sub_tables += 1,
            }
        }
    }

    /// Walks the events of an EIT schedule section for their start times only.
    fn note_schedule_reach(&mut self, sid: u16, payload: &[u8], utc: i64) {
        let mut r = crate::bytes::Reader::new(payload);
        let (Ok(tsid), Ok(onid), Ok(_)) = (r.u16(), r.u16(), r.u16()) else {
            return;
        };
        let mut best: Option<i64> = None;
        while let (Ok(_), Ok(start), Ok(_), Ok(len)) =
            (r.u16(), r.array::<5>(), r.array::<3>(), r.u16())
        {
            let ahead = UtcTime::from_bytes(start).unix() - utc;
            best = Some(best.map_or(ahead, |b| b.max(ahead)));
            if r.bytes((len & 0x0FFF) as usize).is_err() {
                break;
            }
        }
        if let Some(b) = best {
            let e = self.eit_max_ahead.entry((onid, tsid, sid)).or_insert(0);
            *e = (*e).max(b);
        }
    }

    /// Bitrate in bit/s from the TDT/TOT clock (for streams without PCR), if they span
    /// at least 2 s.
    pub fn bitrate_from_utc(&self) -> Option<u64> {
        let ((i0, t0), (i1, t1)) = self.utc_marks?;
        (t1 - t0 >= 2 && i1 > i0).then(|| (i1 - i0) * 188 * 8 / (t1 - t0) as u64)
    }

    fn on_version_change<T: AsRef<[u8]>>(&mut self, pid: u16, tid: u8, sec: &Section<T>) {
        match tid {
            0x00 if pid == 0 => self.pat.clear(),
            0x01 if pid == 1 => self.cat.clear(),
            0x40 | 0x41 => {
                let nid = sec.table_id_extension();
                self.nit.retain(|k, _| !(k.0 == tid && k.1 == nid));
            }
            _ => {}
        }
    }

    fn note_descriptors(&mut self, d: &crate::descriptors::DescriptorList) {
        self.malformed_descriptors += d.malformed_count() as u64;
    }

    fn merge(&mut self, pid: u16, t: Table) {
        match t {
            Table::Pat(p) if pid == 0 => {
                if p.header.section_number == 0 {
                    // A new PAT version: PMT PIDs that left it are forgotten.
                    let keep: Vec<u16> = p.programs.iter().map(|x| x.1).collect();
                    let gone: Vec<u16> = self
                        .pmt_pids
                        .values()
                        .copied()
                        .filter(|x| !keep.contains(x))
                        .collect();
                    for g in gone {
                        self.tracker.forget_pid(g);
                    }
                    self.pmt_pids.retain(|_, v| keep.contains(v));
                    self.pmts
                        .retain(|k, _| p.programs.iter().any(|x| x.0 == *k));
                }
                for &(prog, ppid) in &p.programs {
                    if prog != 0 {
                        self.pmt_pids.insert(prog, ppid);
                    }
                    self.wanted_pids.push(ppid);
                }
                self.pat.insert(p.header.section_number, p);
            }
            Table::Cat(c) if pid == 1 => {
                self.note_descriptors(&c.descriptors);
                self.cat.insert(c.header.section_number, c);
            }
            Table::Pmt(p) => {
                if self.pmt_pids.get(&p.program_number()) != Some(&pid) {
                    return;
                }
                self.note_descriptors(&p.descriptors);
                for s in &p.streams {
                    self.malformed_descriptors += s.descriptors.malformed_count() as u64;
                }
                self.pmts.insert(p.program_number(), p);
            }
            Table::Nit(n) => {
                self.note_descriptors(&n.descriptors);
                for t in &n.transports {
                    self.malformed_descriptors += t.descriptors.malformed_count() as u64;
                }
                self.nit.insert(
                    (n.header.table_id, n.network_id(), n.header.section_number),
                    n,
                );
            }
            Table::Bat(b) => {
                self.note_descriptors(&b.descriptors);
                self.bat
                    .insert((b.bouquet_id(), b.header.section_number), b);
            }
            Table::Sdt(s) => {
                let actual = s.is_actual();
                for svc in s.services {
                    self.malformed_descriptors += svc.descriptors.malformed_count() as u64;
                    self.sdt.insert(
                        (
                            s.original_network_id,
                            s.header.table_id_extension,
                            svc.service_id,
                        ),
                        SdtEntry {
                            actual,
                            service: svc,
                        },
                    );
                }
            }
            Table::Eit(e) => self.merge_eit(e),
            Table::Tdt(t) => self.tdt = Some(t.utc_time),
            Table::Tot(t) => {
                self.note_descriptors(&t.descriptors);
                self.tot = Some(t)
            }
            _ => {}
        }
    }

    fn merge_eit(&mut self, e: EventInformationTable) {
        let onid = e.original_network_id;
        let key = (onid, e.transport_stream_id, e.service_id());
        let pf = e.is_present_following();
        let actual = e.is_actual();
        let pres = self.eit_presence.entry(key).or_default();
        pres.actual |= actual;
        if pf {
            pres.present_following = true;
        } else {
            pres.schedule = true;
        }
        for ev in &e.events {
            self.malformed_descriptors += ev.descriptors.malformed_count() as u64;
            let rec = decode_event(&self.policy, key, ev, pf, actual);
            let k = (key.0, key.1, key.2, ev.event_id);
            match self.events.get_mut(&k) {
                Some(old) => {
                    let (was_pf, was_sched) = (old.present_following, old.schedule);
                    *old = rec;
                    old.present_following |= was_pf;
                    old.schedule |= was_sched;
                }
                None => {
                    self.events.insert(k, rec);
                }
            }
        }
    }

    /// Decodes a string of network `onid` with the user's policy.
    pub fn text(&self, s: &DvbString, onid: Option<u16>) -> String {
        s.decode(&self.policy, onid)
    }

    /// The actual transport_stream_id (from the PAT).
    pub fn transport_stream_id(&self) -> Option<u16> {
        self.pat.values().next().map(|p| p.transport_stream_id())
    }

    /// The actual original_network_id (from SDT actual).
    pub fn original_network_id(&self) -> Option<u16> {
        let ts = self.transport_stream_id();
        self.sdt
            .iter()
            .find(|(k, v)| v.actual && ts.is_none_or(|t| t == k.1))
            .map(|(k, _)| k.0)
    }
}

/// Decodes the texts of one event. The first short event gives title/short text/language;
/// the extended event descriptors of that language are joined.
pub fn decode_event(
    policy: &CharsetPolicy,
    key: ServiceKey,
    ev: &EitEvent,
    pf: bool,
    actual: bool,
) -> EventRecord {
    let onid = Some(key.0);
    let dec = |b: &[u8]| policy.decode(b, onid);
    let mut title = String::new();
    let mut short_text = String::new();
    let mut language = String::new();
    let mut content = Vec::new();
    let mut have_short = false;
    for d in &ev.descriptors {
        match d {
            Descriptor::ShortEvent(s) if !have_short => {
                have_short = true;
                title = dec(&s.event_name.0);
                short_text = dec(&s.text.0);
                language = s.language.as_string();
            }
            Descriptor::Content(c) => {
                content.extend(c.entries.iter().map(|e| (e.level1, e.level2)))
            }
            _ => {}
        }
    }
    let ext: Vec<&ExtendedEventDescriptor> = ev
        .descriptors
        .iter()
        .filter_map(|d| match d {
            Descriptor::ExtendedEvent(x) => Some(x),
            _ => None,
        })
        .collect();
    let ext_lang = ext.first().map(|x| x.language);
    let parts: Vec<&ExtendedEventDescriptor> = ext
        .iter()
        .copied()
        .filter(|x| Some(x.language) == ext_lang)
        .collect();
    let joined = ExtendedEventDescriptor::reassemble(&parts, &dec);
    if language.is_empty() {
        if let Some(l) = ext_lang {
            language = l.as_string();
        }
    }
    EventRecord {
        original_network_id: key.0,
        transport_stream_id: key.1,
        service_id: key.2,
        event_id: ev.event_id,
        start: ev.start_time,
        duration_s: ev.duration_secs(),
        running_status: ev.running_status,
        free_ca_mode: ev.free_ca_mode,
        language,
        title,
        short_text,
        extended_text: joined.text,
        extended_items: joined.items,
        content,
        present_following: pf,
        schedule: !pf,
        actual,
    }
}
