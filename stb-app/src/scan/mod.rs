//! Channel scanning: tune each transponder, read its tables with all filters running at once (PAT, SDT actual,
//! NIT actual, then every PMT), stop the moment they are complete, and turn them into services.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde::Serialize;
use ts_si::descriptors::{Descriptor, DescriptorList};
use ts_si::section::{CompleteTable, Section, TableAssembler};
use ts_si::tables::{
    NetworkInformationTable, ProgramAssociationTable, ProgramMapTable, SdtService,
    ServiceDescriptionTable,
};
use ts_si::text::CharsetPolicy;

use crate::dvb::SectionFilter;
use crate::lnb::{Lnb, Polarisation};
use crate::tuner::{
    Fec, Modulation, Rolloff, SectionSource, Signal, System, Transponder, TuneError, TuneRequest,
    Tuner,
};

/// How long to wait for what: a dead transponder must cost little, a live one no more than its tables need.
#[derive(Clone, Debug)]
pub struct ScanOptions {
    pub lock_timeout: Duration,
    /// PAT, PMTs and SDT repeat at least every 2 s (EN 300 468 5.2.3 / TR 101 211); wait a little longer.
    pub psi_timeout: Duration,
    /// NIT repeats at least every 10 s.
    pub nit_timeout: Duration,
    pub charset: CharsetPolicy,
}

impl Default for ScanOptions {
    fn default() -> Self {
        Self {
            lock_timeout: Duration::from_millis(2000),
            psi_timeout: Duration::from_millis(3000),
            nit_timeout: Duration::from_millis(11000),
            charset: CharsetPolicy::default(),
        }
    }
}

/// TV, radio or data, from the service type (EN 300 468 table 87) or, without one, from the streams.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum ServiceKind {
    Tv,
    Radio,
    Data,
}

/// An elementary stream of a service.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Stream {
    pub pid: u16,
    pub stream_type: u8,
    /// What it carries, e.g. "MPEG-2 video", "AVC video", "MPEG-1 audio", "AC-3 audio".
    pub codec: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

/// A service as found on a transponder.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FoundService {
    pub service_id: u16,
    pub name: String,
    pub provider: String,
    pub service_type: u8,
    pub kind: ServiceKind,
    pub scrambled: bool,
    pub ca_system_ids: Vec<u16>,
    pub pmt_pid: u16,
    pub pcr_pid: Option<u16>,
    pub video: Option<Stream>,
    pub audio: Vec<Stream>,
    pub other: Vec<Stream>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lcn: Option<u16>,
    /// The name and provider as broadcast, to decode again under another charset policy.
    #[serde(skip)]
    pub raw_name: Vec<u8>,
    #[serde(skip)]
    pub raw_provider: Vec<u8>,
    #[serde(skip)]
    pub onid: Option<u16>,
}

impl FoundService {
    /// Decodes the name and provider again (the household's charset policy may only be known later).
    pub fn redecode(&mut self, policy: &CharsetPolicy) {
        if self.raw_name.is_empty() && self.raw_provider.is_empty() {
            return;
        }
        self.name = ts_si::descriptors::DvbString(self.raw_name.clone()).decode(policy, self.onid);
        self.provider =
            ts_si::descriptors::DvbString(self.raw_provider.clone()).decode(policy, self.onid);
        if self.name.is_empty() {
            self.name = format!("Service {}", self.service_id);
        }
    }
}

/// A transponder that a NIT satellite delivery system descriptor announces.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AnnouncedTransponder {
    pub transport_stream_id: u16,
    pub original_network_id: u16,
    pub frequency_khz: u32,
    pub polarisation: Polarisation,
    pub symbol_rate: u32,
    pub s2: bool,
    pub modulation: Modulation,
    pub fec: Fec,
    pub rolloff: Rolloff,
    pub orbital_position_deci: u16,
    pub east: bool,
}

impl AnnouncedTransponder {
    /// The transponder as its NIT entry describes it: DVB-S2 with its modulation, code rate and roll-off.
    pub fn transponder(&self) -> Transponder {
        let mut t = Transponder::dvbs(self.frequency_khz, self.polarisation, self.symbol_rate);
        t.fec = self.fec;
        if self.s2 {
            t.system = System::DvbS2;
            t.modulation = self.modulation;
            t.rolloff = self.rolloff;
        }
        t
    }
}

/// The satellite delivery system descriptor's modulation, FEC and roll-off as the tuner's (EN 300 468 6.2.13.2,
/// table 35); what it does not say (0: auto, 15: no inner code) is left to the demodulator.
fn delivery_params(
    d: &ts_si::descriptors::SatelliteDeliverySystemDescriptor,
) -> (Modulation, Fec, Rolloff) {
    let modulation = match (d.s2, d.modulation_type) {
        (_, 1) => Modulation::Qpsk,
        (true, 2) => Modulation::Psk8,
        (true, 3) => Modulation::Apsk16,
        _ => Modulation::Auto,
    };
    let fec = Fec(match d.fec_inner {
        1 => Some((1, 2)),
        2 => Some((2, 3)),
        3 => Some((3, 4)),
        4 => Some((5, 6)),
        5 => Some((7, 8)),
        6 => Some((8, 9)),
        7 => Some((3, 5)),
        8 => Some((4, 5)),
        9 => Some((9, 10)),
        _ => None,
    });
    let rolloff = match (d.s2, d.roll_off) {
        (false, _) | (true, 0) => Rolloff::R35,
        (true, 1) => Rolloff::R25,
        (true, 2) => Rolloff::R20,
        _ => Rolloff::Auto,
    };
    (modulation, fec, rolloff)
}

/// What one transponder gave.
#[derive(Clone, Debug, Serialize)]
pub struct TransponderScan {
    pub frequency_khz: u32,
    pub polarisation: Polarisation,
    pub symbol_rate: u32,
    pub system: System,
    pub modulation: Modulation,
    pub fec: Fec,
    pub rolloff: Rolloff,
    pub locked: bool,
    /// A carrier was there (FE_HAS_SIGNAL) though it did not lock with these parameters.
    pub carrier: bool,
    pub signal: Option<Signal>,
    pub transport_stream_id: Option<u16>,
    pub original_network_id: Option<u16>,
    pub network_id: Option<u16>,
    pub network_name: Option<String>,
    pub services: Vec<FoundService>,
    pub announced: Vec<AnnouncedTransponder>,
    /// Whether every table (PAT, each PMT, SDT actual, NIT actual) came complete before its timeout.
    pub complete: bool,
    /// Tables that did not come complete in time.
    pub missing: Vec<String>,
    pub elapsed_ms: u64,
    /// The NIT actual as it came (or as an earlier transponder of the same network had it), for the next ones.
    #[serde(skip)]
    pub nit: Option<CompleteTable>,
}

#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error(transparent)]
    Tuner(#[from] TuneError),
    #[error("scan cancelled")]
    Cancelled,
}

/// A table being read through its own filter.
struct Filter {
    name: String,
    source: Box<dyn SectionSource>,
    /// Sections of one version until every section_number is there (ISO/IEC 13818-1 2.4.4.9), per
    /// table_id_extension.
    assembler: TableAssembler,
    /// The first complete table.
    table: Option<CompleteTable>,
    /// Only sections of this table_id_extension count (PMT of one program); `None`: any extension.
    extension: Option<u16>,
    deadline: Instant,
    done: bool,
}

impl Filter {
    fn open(
        tuner: &mut dyn Tuner,
        name: String,
        f: SectionFilter,
        ext: Option<u16>,
        timeout: Duration,
    ) -> Result<Self, TuneError> {
        let source = tuner.sections(&f)?;
        Ok(Self {
            name,
            source,
            assembler: TableAssembler::new(),
            table: None,
            extension: ext,
            deadline: Instant::now() + timeout,
            done: false,
        })
    }

    /// Reads what is waiting (briefly); true when the table became complete.
    fn poll(&mut self, wait: Duration) -> Result<bool, TuneError> {
        if self.done {
            return Ok(false);
        }
        while let Some(bytes) = self.source.next_section(wait)? {
            // Length and CRC checked here; the assembler takes only whole, correct sections of long syntax.
            let Ok(s) = Section::new_checked(bytes.as_slice()) else {
                continue;
            };
            if !s.section_syntax_indicator() || s.section_number() > s.last_section_number() {
                continue;
            }
            if self.extension.is_some_and(|e| e != s.table_id_extension()) {
                continue;
            }
            // One table per filter here (one transport stream, one program, one network).
            if let Some(table) = self.assembler.push(0, &bytes[..s.total_len()]) {
                self.table = Some(table);
                self.done = true;
                return Ok(true);
            }
            if Instant::now() >= self.deadline {
                break;
            }
        }
        Ok(false)
    }

    /// The sections of the complete table in section_number order (none before it is complete).
    fn sections(&self) -> impl Iterator<Item = Section<&[u8]>> {
        self.table
            .iter()
            .flat_map(|t| t.sections.iter())
            .map(|b| Section::new_unchecked(b.as_slice()))
    }
}

/// How a scan walks its transponder list.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Strategy {
    /// Exactly the list given.
    List,
    /// The list, then every transponder of this orbital position (degrees east) that a NIT announces and that
    /// is not a transport stream already received (merged by original network and transport stream id, so a
    /// changed parameter or a lying NIT makes no duplicate).
    FollowNit { orbital_position: f64 },
    /// A sweep: steps inside a transponder already found are skipped, and a locked step takes the real
    /// frequency and symbol rate from the transponder's own NIT entry.
    Blind,
}

/// What a scan reports after each transponder, for the CLI's progress line and the UI's progress screen.
pub struct Progress<'a> {
    /// Position in the (growing) list, from 0.
    pub index: usize,
    pub total: usize,
    pub transponder: &'a Transponder,
    pub result: &'a TransponderScan,
    pub services_so_far: usize,
}

/// What a whole scan found; a cancelled scan keeps what it found before.
pub struct ScanOutcome {
    pub transponders: Vec<TransponderScan>,
    pub cancelled: bool,
}

/// The transponders dish-align's catalogue lists for a satellite: the preset scan's starting list, for the
/// command line and the installation wizard alike.
pub fn preset_list(sat: &dish_align::catalogue::Satellite) -> Vec<Transponder> {
    sat.transponders
        .iter()
        .map(|t| {
            Transponder::dvbs(
                t.frequency_mhz * 1000,
                polarisation_of(&t.polarisation),
                t.symbol_rate_ksps * 1000,
            )
        })
        .collect()
}

/// The catalogue's polarisation letter as the tuner's.
fn polarisation_of(p: &dish_align::catalogue::Polarisation) -> Polarisation {
    use dish_align::catalogue::Polarisation as P;
    match p {
        P::H => Polarisation::Horizontal,
        P::V => Polarisation::Vertical,
        P::L => Polarisation::Left,
        P::R => Polarisation::Right,
    }
}

/// Scans a list of transponders through one LNB.
pub fn run(
    tuner: &mut dyn Tuner,
    lnb: &Lnb,
    mut list: Vec<Transponder>,
    strategy: Strategy,
    opts: &ScanOptions,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(&Progress<'_>),
) -> Result<ScanOutcome, TuneError> {
    let mut results: Vec<TransponderScan> = Vec::new();
    let mut i = 0;
    while i < list.len() {
        if cancel.load(Ordering::Relaxed) {
            return Ok(ScanOutcome {
                transponders: results,
                cancelled: true,
            });
        }
        let tp = list[i];
        i += 1;
        let covered = results.iter().any(|r| {
            r.locked
                && r.polarisation == tp.polarisation
                && r.frequency_khz.abs_diff(tp.frequency_khz)
                    <= tp.symbol_rate.max(r.symbol_rate) / 2000
        });
        if strategy == Strategy::Blind && covered {
            continue;
        }
        // The tries, in order: as an earlier NIT of this dish described it (exact DVB-S2 parameters), as listed,
        // then, on a carrier that does not lock as DVB-S, as DVB-S2 with everything left to the demodulator.
        let described = if strategy == Strategy::Blind {
            None
        } else {
            described(&results, &tp)
        };
        // Every NIT actual received so far: a transponder it lists need not wait for its own copy.
        let mut nits: Vec<CompleteTable> = Vec::new();
        for n in results.iter().filter_map(|r| r.nit.as_ref()) {
            if !nits.contains(n) {
                nits.push(n.clone());
            }
        }
        let mut tries: Vec<Transponder> = described.into_iter().chain([tp]).collect();
        tries.dedup();
        let mut spent = 0;
        let mut k = 0;
        let mut r = loop {
            let req = TuneRequest {
                transponder: tries[k],
                lnb: lnb.clone(),
                diseqc: Default::default(),
            };
            let r = match scan_transponder(tuner, &req, opts, cancel, &nits) {
                Ok(r) => r,
                Err(ScanError::Cancelled) => {
                    return Ok(ScanOutcome {
                        transponders: results,
                        cancelled: true,
                    })
                }
                Err(ScanError::Tuner(e)) => return Err(e),
            };
            spent += r.elapsed_ms;
            k += 1;
            if !r.locked && r.carrier && tries[k - 1].system == System::DvbS && k == tries.len() {
                tries.push(Transponder::dvbs2_auto(
                    tp.frequency_khz,
                    tp.polarisation,
                    tp.symbol_rate,
                ));
            }
            if r.locked || k == tries.len() {
                break r;
            }
        };
        r.elapsed_ms = spent;
        let services_so_far =
            results.iter().map(|r| r.services.len()).sum::<usize>() + r.services.len();
        progress(&Progress {
            index: i - 1,
            total: list.len(),
            transponder: &tp,
            result: &r,
            services_so_far,
        });
        if let Strategy::FollowNit { orbital_position } = strategy {
            let mut seen: Vec<(u16, u16)> = results
                .iter()
                .chain(std::iter::once(&r))
                .filter_map(|x| Some((x.original_network_id?, x.transport_stream_id?)))
                .collect();
            for t in &r.announced {
                if seen.contains(&(t.original_network_id, t.transport_stream_id)) {
                    continue;
                }
                let pos =
                    f64::from(t.orbital_position_deci) / 10.0 * if t.east { 1.0 } else { -1.0 };
                let same_sat = (pos - orbital_position).abs() < 0.5 || t.orbital_position_deci == 0;
                let known = list.iter().any(|l| {
                    l.polarisation == t.polarisation
                        && l.frequency_khz.abs_diff(t.frequency_khz) <= 2000
                });
                let tunable = lnb.setting(t.frequency_khz, t.polarisation).is_ok()
                    && (1_000_000..=45_000_000).contains(&t.symbol_rate);
                if same_sat && !known && tunable {
                    list.push(t.transponder());
                    seen.push((t.original_network_id, t.transport_stream_id));
                }
            }
        }
        if strategy == Strategy::Blind && r.locked {
            let own = r.announced.iter().find(|t| {
                Some(t.transport_stream_id) == r.transport_stream_id
                    && t.polarisation == r.polarisation
            });
            if let Some(t) = own {
                r.frequency_khz = t.frequency_khz;
                r.symbol_rate = t.symbol_rate;
            }
            let dup = results.iter().any(|x| {
                x.locked
                    && x.transport_stream_id == r.transport_stream_id
                    && x.original_network_id == r.original_network_id
            });
            if dup {
                continue;
            }
        }
        results.push(r);
    }
    Ok(ScanOutcome {
        transponders: results,
        cancelled: false,
    })
}

/// How an earlier NIT of this scan describes `tp` (same polarisation, within 2 MHz), with its DVB-S/S2
/// parameters, if one does.
fn described(results: &[TransponderScan], tp: &Transponder) -> Option<Transponder> {
    results
        .iter()
        .flat_map(|r| r.announced.iter())
        .find(|a| {
            a.polarisation == tp.polarisation && a.frequency_khz.abs_diff(tp.frequency_khz) <= 2000
        })
        .map(|a| a.transponder())
}

/// Whether a NIT actual lists the transport stream `(onid, tsid)`.
fn lists(nit: &CompleteTable, onid: u16, tsid: u16) -> bool {
    nit.sections.iter().any(|b| {
        NetworkInformationTable::parse(&Section::new_unchecked(b.as_slice())).is_ok_and(|t| {
            t.transports
                .iter()
                .any(|x| x.original_network_id == onid && x.transport_stream_id == tsid)
        })
    })
}

/// Scans one transponder. `cancel` is checked between reads; a cancelled scan returns [`ScanError::Cancelled`].
/// A NIT actual of `known_nits` (received on another transponder of the same network) that lists this transport
/// stream stands for its own: the network's NIT actual is the same on each of its transponders, and waiting for
/// it again would cost up to its repetition interval (10 s allowed) per transponder.
pub fn scan_transponder(
    tuner: &mut dyn Tuner,
    req: &TuneRequest,
    opts: &ScanOptions,
    cancel: &AtomicBool,
    known_nits: &[CompleteTable],
) -> Result<TransponderScan, ScanError> {
    let start = Instant::now();
    let tp = &req.transponder;
    let mut out = TransponderScan {
        frequency_khz: tp.frequency_khz,
        polarisation: tp.polarisation,
        symbol_rate: tp.symbol_rate,
        system: tp.system,
        modulation: tp.modulation,
        fec: tp.fec,
        rolloff: tp.rolloff,
        locked: false,
        carrier: false,
        signal: None,
        transport_stream_id: None,
        original_network_id: None,
        network_id: None,
        network_name: None,
        services: Vec::new(),
        announced: Vec::new(),
        complete: false,
        missing: Vec::new(),
        elapsed_ms: 0,
        nit: None,
    };
    tuner.tune(req)?;
    let lock = tuner.wait_for_lock(start, opts.lock_timeout)?;
    if cancel.load(Ordering::Relaxed) {
        return Err(ScanError::Cancelled);
    }
    if !lock.locked {
        out.carrier = tuner.signal()?.flags.contains(&"SIGNAL");
        out.elapsed_ms = start.elapsed().as_millis() as u64;
        return Ok(out);
    }
    out.locked = true;
    out.signal = Some(tuner.signal()?);

    // Every filter starts now; the kernel fills their buffers in parallel while we drain them in turn.
    let mut pat = Filter::open(
        tuner,
        "PAT".into(),
        SectionFilter::table(0x0000, 0x00),
        None,
        opts.psi_timeout,
    )?;
    let mut sdt = Filter::open(
        tuner,
        "SDT actual".into(),
        SectionFilter::table(0x0011, 0x42),
        None,
        opts.psi_timeout,
    )?;
    let mut nit = Filter::open(
        tuner,
        "NIT actual".into(),
        SectionFilter::table(0x0010, 0x40),
        None,
        opts.nit_timeout,
    )?;
    let mut pmts: Vec<Filter> = Vec::new();
    let mut pat_table: Option<ProgramAssociationTable> = None;
    let wait = Duration::from_millis(2);
    loop {
        if cancel.load(Ordering::Relaxed) {
            return Err(ScanError::Cancelled);
        }
        if pat.poll(wait)? {
            if let Some(t) = pat
                .sections()
                .next()
                .and_then(|s| ProgramAssociationTable::parse(&s).ok())
            {
                let mut all = t.clone();
                // A PAT of several sections: gather every program.
                for s in pat.sections().skip(1) {
                    if let Ok(more) = ProgramAssociationTable::parse(&s) {
                        all.programs.extend(more.programs);
                    }
                }
                for &(program, pid) in all.programs.iter().filter(|(p, _)| *p != 0) {
                    let f = SectionFilter::table(pid, 0x02).with_extension(program);
                    pmts.push(Filter::open(
                        tuner,
                        format!("PMT {program}"),
                        f,
                        Some(program),
                        opts.psi_timeout,
                    )?);
                }
                // No NIT PID in the PAT: do not wait for one beyond the PSI timeout.
                if all.network_pid().is_none() {
                    nit.deadline = nit.deadline.min(Instant::now() + opts.psi_timeout);
                }
                pat_table = Some(all);
            }
        }
        sdt.poll(wait)?;
        nit.poll(wait)?;
        if !nit.done {
            let onid = sdt
                .sections()
                .next()
                .and_then(|s| ServiceDescriptionTable::parse(&s).ok())
                .map(|t| t.original_network_id);
            let tsid = pat_table.as_ref().map(|p| p.transport_stream_id());
            if let (Some(onid), Some(tsid)) = (onid, tsid) {
                if let Some(k) = known_nits.iter().find(|k| lists(k, onid, tsid)) {
                    nit.table = Some(k.clone());
                    nit.done = true;
                }
            }
        }
        for p in pmts.iter_mut() {
            p.poll(wait)?;
        }
        let now = Instant::now();
        let pending: Vec<&Filter> = std::iter::once(&pat)
            .chain([&sdt, &nit])
            .chain(pmts.iter())
            .filter(|f| !f.done && now < f.deadline)
            .collect();
        // A dead stream: no PAT in time means nothing else will help.
        if pending.is_empty() || (pat_table.is_none() && now >= pat.deadline) {
            break;
        }
    }
    for f in std::iter::once(&pat).chain([&sdt, &nit]).chain(pmts.iter()) {
        if !f.done {
            out.missing.push(f.name.clone());
        }
    }
    out.complete = out.missing.is_empty();
    out.nit = nit.table.clone();
    let Some(pat_table) = pat_table else {
        out.elapsed_ms = start.elapsed().as_millis() as u64;
        return Ok(out);
    };
    out.transport_stream_id = Some(pat_table.transport_stream_id());

    // SDT actual: names, providers, types, free_CA_mode.
    let mut sdt_services = BTreeMap::new();
    for s in sdt.sections() {
        if let Ok(t) = ServiceDescriptionTable::parse(&s) {
            out.original_network_id = Some(t.original_network_id);
            for svc in t.services {
                sdt_services.insert(svc.service_id, svc);
            }
        }
    }
    // NIT actual: network name, logical channel numbers, the transponders it announces.
    let mut lcns = BTreeMap::new();
    for s in nit.sections() {
        if let Ok(t) = NetworkInformationTable::parse(&s) {
            out.network_id = Some(t.header.table_id_extension);
            for d in t.descriptors.iter() {
                if let Descriptor::NetworkName(n) = d {
                    out.network_name = Some(n.name.decode(&opts.charset, out.original_network_id));
                }
            }
            for ts in &t.transports {
                for d in ts.descriptors.iter() {
                    match d {
                        Descriptor::LogicalChannelNumber(l)
                            if Some(ts.transport_stream_id) == out.transport_stream_id =>
                        {
                            for c in &l.channels {
                                lcns.insert(c.service_id, c.lcn);
                            }
                        }
                        Descriptor::SatelliteDeliverySystem(s) => {
                            let (modulation, fec, rolloff) = delivery_params(s);
                            out.announced.push(AnnouncedTransponder {
                                transport_stream_id: ts.transport_stream_id,
                                original_network_id: ts.original_network_id,
                                frequency_khz: u32::try_from(s.frequency_khz()).unwrap_or(0),
                                polarisation: match s.polarization {
                                    0 => Polarisation::Horizontal,
                                    1 => Polarisation::Vertical,
                                    2 => Polarisation::Left,
                                    _ => Polarisation::Right,
                                },
                                symbol_rate: s.symbol_rate_100sym.saturating_mul(100),
                                s2: s.s2,
                                modulation,
                                fec,
                                rolloff,
                                orbital_position_deci: s.orbital_position,
                                east: s.east,
                            })
                        }
                        _ => {}
                    }
                }
            }
        }
    }
    let onid = out.original_network_id;
    for p in &pmts {
        let Some(program) = p.extension else { continue };
        let pmt = p
            .sections()
            .next()
            .and_then(|s| ProgramMapTable::parse(&s).ok());
        let sdt_entry = sdt_services.get(&program);
        out.services.push(service(
            program,
            &pat_table,
            pmt.as_ref(),
            sdt_entry,
            lcns.get(&program).copied(),
            &opts.charset,
            onid,
        ));
    }
    out.services.sort_by_key(|s| s.service_id);
    out.elapsed_ms = start.elapsed().as_millis() as u64;
    Ok(out)
}

fn ca_ids(list: &DescriptorList, into: &mut Vec<u16>) {
    for d in list.iter() {
        if let Descriptor::Ca(c) = d {
            if !into.contains(&c.ca_system_id) {
                into.push(c.ca_system_id);
            }
        }
    }
}

fn language(list: &DescriptorList) -> Option<String> {
    list.iter().find_map(|d| match d {
        Descriptor::Iso639Language(l) => l
            .entries
            .first()
            .map(|(lang, _)| String::from_utf8_lossy(&lang.0).into_owned()),
        _ => None,
    })
}

/// What an elementary stream carries, from its stream_type and descriptors (ISO/IEC 13818-1 table 2-34,
/// EN 300 468 annex D for the private 0x06 streams): `Some(true)` pictures, `Some(false)` sound, `None` neither.
pub fn classify(stream_type: u8, list: &DescriptorList) -> (Option<bool>, String) {
    let video = Some(true);
    let audio = Some(false);
    match stream_type {
        0x01 => (video, "MPEG-1 video".into()),
        0x02 => (video, "MPEG-2 video".into()),
        0x1b => (video, "AVC video".into()),
        0x24 => (video, "HEVC video".into()),
        0x42 => (video, "AVS video".into()),
        0xd2 => (video, "AVS2 video".into()),
        0x03 => (audio, "MPEG-1 audio".into()),
        0x04 => (audio, "MPEG-2 audio".into()),
        0x0f => (audio, "AAC audio".into()),
        0x11 => (audio, "HE-AAC audio".into()),
        0x81 => (audio, "AC-3 audio".into()),
        0x06 => {
            for d in list.iter() {
                match d {
                    Descriptor::Unknown { tag: 0x6a, .. } => return (audio, "AC-3 audio".into()),
                    Descriptor::Unknown { tag: 0x7a, .. } => return (audio, "E-AC-3 audio".into()),
                    Descriptor::Unknown { tag: 0x56, .. } => return (None, "teletext".into()),
                    Descriptor::Unknown { tag: 0x59, .. } => return (None, "DVB subtitles".into()),
                    Descriptor::Registration(r)
                        if &r.format_identifier.to_be_bytes() == b"BSSD" =>
                    {
                        return (audio, "SMPTE 302M audio".into())
                    }
                    _ => {}
                }
            }
            (None, "private data".into())
        }
        t => (None, format!("stream type 0x{t:02x}")),
    }
}

fn service(
    program: u16,
    pat: &ProgramAssociationTable,
    pmt: Option<&ProgramMapTable>,
    sdt: Option<&SdtService>,
    lcn: Option<u16>,
    charset: &CharsetPolicy,
    onid: Option<u16>,
) -> FoundService {
    let pmt_pid = pat
        .programs
        .iter()
        .find(|(p, _)| *p == program)
        .map_or(0x1fff, |(_, pid)| *pid);
    let mut s = FoundService {
        service_id: program,
        name: String::new(),
        provider: String::new(),
        service_type: 0,
        kind: ServiceKind::Data,
        scrambled: false,
        ca_system_ids: Vec::new(),
        pmt_pid,
        pcr_pid: None,
        video: None,
        audio: Vec::new(),
        other: Vec::new(),
        lcn,
        raw_name: Vec::new(),
        raw_provider: Vec::new(),
        onid,
    };
    if let Some(pmt) = pmt {
        s.pcr_pid = Some(pmt.pcr_pid).filter(|p| *p != 0x1fff);
        ca_ids(&pmt.descriptors, &mut s.ca_system_ids);
        for es in &pmt.streams {
            ca_ids(&es.descriptors, &mut s.ca_system_ids);
            let (is_video, codec) = classify(es.stream_type, &es.descriptors);
            let st = Stream {
                pid: es.elementary_pid,
                stream_type: es.stream_type,
                codec,
                language: language(&es.descriptors),
            };
            match is_video {
                Some(true) if s.video.is_none() => s.video = Some(st),
                Some(false) => s.audio.push(st),
                _ => s.other.push(st),
            }
        }
    }
    if let Some(sdt) = sdt {
        s.scrambled = sdt.free_ca_mode;
        for d in sdt.descriptors.iter() {
            if let Descriptor::Service(sd) = d {
                s.service_type = sd.service_type;
                s.name = sd.service_name.decode(charset, onid);
                s.provider = sd.provider_name.decode(charset, onid);
                s.raw_name = sd.service_name.0.clone();
                s.raw_provider = sd.provider_name.0.clone();
            }
        }
    }
    s.scrambled |= !s.ca_system_ids.is_empty();
    s.kind = match s.service_type {
        0x01 | 0x11 | 0x16..=0x1f => ServiceKind::Tv,
        0x02 | 0x07 | 0x0a => ServiceKind::Radio,
        0 if s.video.is_some() => ServiceKind::Tv,
        0 if !s.audio.is_empty() => ServiceKind::Radio,
        _ => ServiceKind::Data,
    };
    if s.name.is_empty() {
        // What people see for a service with no SDT entry: its number, never an empty line.
        s.name = format!("Service {program}");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lnb::Lnb;
    use crate::tuner::replay::{ReplayTransponder, ReplayTuner};
    use crate::tuner::Transponder;
    use std::path::Path;

    fn data(name: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data")
            .join(name)
    }

    /// The fields of the dvbv5-scan channel file made from the same vidtv stream.
    fn dvbv5(key: &str) -> u64 {
        let conf = std::fs::read_to_string(data("vidtv-dvbv5-channels.conf")).unwrap();
        conf.lines()
            .find_map(|l| l.trim().strip_prefix(&format!("{key} = "))?.parse().ok())
            .unwrap()
    }

    /// The replay tuner playing the vidtv capture on its transponder, and the request that tunes it.
    fn vidtv_capture() -> (ReplayTuner, TuneRequest) {
        let tuner = ReplayTuner::new(vec![ReplayTransponder {
            frequency_khz: 11_362_000,
            polarisation: Polarisation::Horizontal,
            symbol_rate: 27_500_000,
            file: data("vidtv-dvbs-beethoven.ts"),
            cnr_db: 12.0,
        }]);
        let req = TuneRequest {
            transponder: Transponder::dvbs(11_362_000, Polarisation::Horizontal, 27_500_000),
            lnb: Lnb::universal(),
            diseqc: Default::default(),
        };
        (tuner, req)
    }

    #[test]
    fn the_vidtv_capture_scans_to_what_dvbv5_scan_found() {
        let (mut tuner, req) = vidtv_capture();
        let r = scan_transponder(
            &mut tuner,
            &req,
            &ScanOptions::default(),
            &AtomicBool::new(false),
            &[],
        )
        .unwrap();
        assert!(r.locked && r.complete, "missing: {:?}", r.missing);
        assert_eq!(
            r.transport_stream_id.map(u64::from),
            Some(dvbv5("TRANSPORT_ID"))
        );
        assert_eq!(
            r.original_network_id.map(u64::from),
            Some(dvbv5("NETWORK_ID"))
        );
        assert_eq!(r.network_name.as_deref(), Some("LinuxTV.org"));
        assert_eq!(r.services.len(), 1);
        let s = &r.services[0];
        assert_eq!(u64::from(s.service_id), dvbv5("SERVICE_ID"));
        assert_eq!(s.name, "Beethoven");
        assert_eq!(s.provider, "LinuxTV.org");
        assert_eq!(s.kind, ServiceKind::Radio);
        assert!(!s.scrambled);
        assert_eq!(s.pmt_pid, 0x0101);
        assert_eq!(s.pcr_pid, Some(0x0200));
        assert_eq!(
            s.audio.iter().map(|a| u64::from(a.pid)).collect::<Vec<_>>(),
            vec![dvbv5("AUDIO_PID")]
        );
        assert_eq!(s.audio[0].codec, "SMPTE 302M audio");
        assert!(s.video.is_none());
    }

    #[test]
    fn a_dead_transponder_costs_only_the_lock_timeout() {
        let mut tuner = ReplayTuner::new(Vec::new());
        let req = TuneRequest {
            transponder: Transponder::dvbs(11_840_000, Polarisation::Right, 28_800_000),
            lnb: Lnb::ku_circular_10750(),
            diseqc: Default::default(),
        };
        let opts = ScanOptions {
            lock_timeout: Duration::from_millis(100),
            ..Default::default()
        };
        let r = scan_transponder(&mut tuner, &req, &opts, &AtomicBool::new(false), &[]).unwrap();
        assert!(!r.locked);
        assert!(r.services.is_empty());
    }

    #[test]
    fn cancelling_stops_the_scan() {
        let (mut tuner, req) = vidtv_capture();
        let r = scan_transponder(
            &mut tuner,
            &req,
            &ScanOptions::default(),
            &AtomicBool::new(true),
            &[],
        );
        assert!(matches!(r, Err(ScanError::Cancelled)));
    }
}
