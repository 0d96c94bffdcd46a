//! Reports of `stb-app ts analyze` and `stb-app ts epg`, built from a [`SiCollector`].
//!
//! The JSON field names below are a stable interface (technicians' scripts read them):
//! add fields, never rename or remove them.

use serde::Serialize;

use crate::collector::{SiCollector, SiTables};
use crate::demux::DemuxStats;
use crate::descriptors::{Descriptor, SatelliteDeliverySystemDescriptor};
use crate::tables::stream_type_name;

/// `ts analyze` report.
#[derive(Debug, Clone, Serialize)]
pub struct AnalyzeReport {
    pub packets: u64,
    pub bytes: u64,
    /// From the PCRs; None without PCR.
    pub bitrate_bps: Option<u64>,
    pub transport_stream_id: Option<u16>,
    pub original_network_id: Option<u16>,
    /// Default charset used for text without a charset byte.
    pub default_charset: String,
    /// Services of this transport stream (PAT ∪ SDT actual), by service_id.
    pub services: Vec<ServiceReport>,
    /// Services described by SDT other.
    pub other_services: Vec<ServiceReport>,
    /// EMM streams announced in the CAT.
    pub cat_ca_systems: Vec<CaSystemReport>,
    pub networks: Vec<NetworkReport>,
    pub bouquets: Vec<BouquetReport>,
    pub tables: Vec<TableReport>,
    pub pids: Vec<PidReport>,
    pub time: TimeReport,
    pub errors: ErrorReport,
}

#[derive(Debug, Clone, Serialize)]
pub struct ServiceReport {
    pub original_network_id: Option<u16>,
    pub transport_stream_id: Option<u16>,
    pub service_id: u16,
    pub name: String,
    pub provider: String,
    pub service_type: Option<u8>,
    pub service_type_name: String,
    pub logical_channel_number: Option<u16>,
    pub pmt_pid: Option<u16>,
    pub pcr_pid: Option<u16>,
    pub eit_present_following: bool,
    pub eit_schedule: bool,
    pub running_status: Option<u8>,
    /// SDT free_CA_mode: true when some component is scrambled.
    pub scrambled: bool,
    /// CA system ids from the PMT CA descriptors and the SDT CA identifier descriptor.
    pub ca_system_ids: Vec<u16>,
    pub ca_system_names: Vec<String>,
    pub ecm_pids: Vec<u16>,
    pub streams: Vec<StreamReport>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StreamReport {
    pub pid: u16,
    /// "video", "audio", "subtitles", "teletext", "data" or "other".
    pub kind: String,
    pub stream_type: u8,
    pub stream_type_name: String,
    pub language: Option<String>,
    pub component_tag: Option<u8>,
    pub ca_system_ids: Vec<u16>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CaSystemReport {
    pub ca_system_id: u16,
    pub name: String,
    pub pid: u16,
    pub private_data: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct NetworkReport {
    /// "actual" or "other".
    pub table: String,
    pub network_id: u16,
    pub name: String,
    pub transports: Vec<TransportReport>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BouquetReport {
    pub bouquet_id: u16,
    pub name: String,
    pub transports: Vec<TransportReport>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TransportReport {
    pub transport_stream_id: u16,
    pub original_network_id: u16,
    pub satellite: Option<SatelliteReport>,
    /// (service_id, service_type) from the service list descriptor.
    pub services: Vec<(u16, u8)>,
    /// (service_id, logical channel number).
    pub logical_channels: Vec<(u16, u16)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SatelliteReport {
    pub frequency_khz: u64,
    pub symbol_rate_sym: u64,
    /// "H", "V", "L" or "R".
    pub polarization: String,
    /// e.g. "92.2E".
    pub orbital_position: String,
    /// "DVB-S" or "DVB-S2".
    pub delivery_system: String,
    pub modulation: String,
    pub fec: String,
    pub roll_off: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TableReport {
    pub pid: u16,
    pub table_id: u8,
    pub name: String,
    pub sections: u64,
    pub sub_tables: u64,
    pub versions: Vec<u8>,
    /// Repetition of section 0 of a sub-table, in milliseconds (needs the bitrate).
    pub repetition_ms_min: Option<u64>,
    pub repetition_ms_avg: Option<u64>,
    pub repetition_ms_max: Option<u64>,
    /// Same in packets (always available).
    pub repetition_packets_avg: Option<u64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PidReport {
    pub pid: u16,
    pub packets: u64,
    pub description: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct TimeReport {
    /// Last TDT, "YYYY-MM-DD HH:MM:SS" UTC.
    pub tdt_utc: Option<String>,
    pub tot_utc: Option<String>,
    /// (country, region, offset minutes) from the TOT.
    pub local_time_offsets: Vec<(String, u8, i16)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ErrorReport {
    #[serde(flatten)]
    pub demux: DemuxStats,
    /// Good-CRC sections whose contents did not parse.
    pub table_errors: u64,
    pub malformed_descriptors: u64,
}

/// Kind of an ISO/IEC 13818-1 stream_type (private types are refined by descriptors).
pub fn stream_kind(t: u8) -> &'static str {
    match t {
        0x01 | 0x02 | 0x10 | 0x1B | 0x24 | 0x42 => "video",
        0x03 | 0x04 | 0x0F | 0x11 | 0x81 | 0x87 => "audio",
        0x05 | 0x0B | 0x0C | 0x0D | 0x15 => "data",
        _ => "other",
    }
}

/// Name of a CA system (ETR 162 / DVB registry) by range.
pub fn ca_system_name(id: u16) -> &'static str {
    match id >> 8 {
        0x01 => "Seca/Mediaguard",
        0x05 => "Viaccess",
        0x06 => "Irdeto",
        0x09 => "NDS Videoguard",
        0x0B => "Conax",
        0x0D => "Cryptoworks",
        0x0E => "PowerVu",
        0x10 => "RAS",
        0x17 => "BetaCrypt",
        0x18 => "Nagravision",
        0x22 => "Codicrypt",
        0x26 => "BISS",
        0x27 => "ChinaDTV",
        0x4A => match id {
            0x4A02 => "Tongfang",
            0x4AD4..=0x4AD5 => "Widevine/China",
            _ => "DVB registered",
        },
        0x4B => "DVN/Tongfang/CTI",
        0x56 => "Verimatrix/DTVCabo",
        _ => "unknown",
    }
}

/// Name of a service_type (EN 300 468 Table 87).
pub fn service_type_name(t: u8) -> &'static str {
    match t {
        0x01 => "Digital television",
        0x02 => "Digital radio",
        0x03 => "Teletext",
        0x04 => "NVOD reference",
        0x05 => "NVOD time-shifted",
        0x06 => "Mosaic",
        0x0A => "Advanced codec radio",
        0x0C => "Data broadcast",
        0x10 => "DVB MHP",
        0x11 => "MPEG-2 HD television",
        0x16 => "AVC SD television",
        0x19 => "AVC HD television",
        0x1F => "HEVC television",
        _ => "other",
    }
}

/// Name of a table id (EN 300 468 Table 2).
pub fn table_name(tid: u8) -> &'static str {
    match tid {
        0x00 => "PAT",
        0x01 => "CAT",
        0x02 => "PMT",
        0x40 => "NIT actual",
        0x41 => "NIT other",
        0x42 => "SDT actual",
        0x46 => "SDT other",
        0x4A => "BAT",
        0x4E => "EIT p/f actual",
        0x4F => "EIT p/f other",
        0x50..=0x5F => "EIT schedule actual",
        0x60..=0x6F => "EIT schedule other",
        0x70 => "TDT",
        0x73 => "TOT",
        0x80..=0x8F => "ECM/EMM (CA private)",
        _ => "private",
    }
}

fn satellite(d: &SatelliteDeliverySystemDescriptor) -> SatelliteReport {
    let pol = ["H", "V", "L", "R"][(d.polarization & 3) as usize];
    let modu = ["auto", "QPSK", "8PSK", "16-QAM"][(d.modulation_type & 3) as usize];
    let fec = match d.fec_inner {
        1 => "1/2",
        2 => "2/3",
        3 => "3/4",
        4 => "5/6",
        5 => "7/8",
        6 => "8/9",
        7 => "3/5",
        8 => "4/5",
        9 => "9/10",
        15 => "none",
        _ => "auto",
    };
    SatelliteReport {
        frequency_khz: d.frequency_khz(),
        symbol_rate_sym: d.symbol_rate_sym(),
        polarization: pol.into(),
        orbital_position: format!(
            "{}.{}{}",
            d.orbital_position / 10,
            d.orbital_position % 10,
            if d.east { "E" } else { "W" }
        ),
        delivery_system: if d.s2 { "DVB-S2" } else { "DVB-S" }.into(),
        modulation: modu.into(),
        fec: fec.into(),
        roll_off: d
            .s2
            .then(|| ["0.35", "0.25", "0.20", "reserved"][(d.roll_off & 3) as usize].into()),
    }
}

fn transports(si: &SiTables, ts: &[crate::tables::TransportStreamInfo]) -> Vec<TransportReport> {
    ts.iter()
        .map(|t| {
            let mut r = TransportReport {
                transport_stream_id: t.transport_stream_id,
                original_network_id: t.original_network_id,
                satellite: None,
                services: Vec::new(),
                logical_channels: Vec::new(),
            };
            for d in &t.descriptors {
                match d {
                    Descriptor::SatelliteDeliverySystem(s) => r.satellite = Some(satellite(s)),
                    Descriptor::ServiceList(l) => r.services.extend(&l.services),
                    Descriptor::LogicalChannelNumber(l) => r
                        .logical_channels
                        .extend(l.channels.iter().map(|c| (c.service_id, c.lcn))),
                    _ => {}
                }
            }
            let _ = si;
            r
        })
        .collect()
}

impl SiTables {
    /// Logical channel number of a service from any NIT (first found).
    pub fn lcn(&self, tsid: u16, sid: u16) -> Option<u16> {
        self.nit
            .values()
            .flat_map(|n| &n.transports)
            .filter(|t| t.transport_stream_id == tsid)
            .find_map(|t| {
                t.descriptors.iter().find_map(|d| match d {
                    Descriptor::LogicalChannelNumber(l) => l
                        .channels
                        .iter()
                        .find(|c| c.service_id == sid)
                        .map(|c| c.lcn),
                    _ => None,
                })
            })
    }

    /// Service name and provider from the SDT (actual or other), decoded.
    pub fn service_name(
        &self,
        onid: Option<u16>,
        tsid: u16,
        sid: u16,
    ) -> Option<(String, String, u8)> {
        let describe = |(k, e): (&crate::collector::ServiceKey, &crate::collector::SdtEntry)| {
            e.service.descriptors.iter().find_map(|d| match d {
                Descriptor::Service(s) => Some((
                    s.service_name.decode(&self.policy, Some(k.0)),
                    s.provider_name.decode(&self.policy, Some(k.0)),
                    s.service_type,
                )),
                _ => None,
            })
        };
        match onid {
            Some(o) => self.sdt.get_key_value(&(o, tsid, sid)).and_then(describe),
            None => self
                .sdt
                .iter()
                .filter(|(k, _)| k.1 == tsid && k.2 == sid)
                .find_map(describe),
        }
    }
}

fn hex(b: &[u8]) -> String {
    b.iter()
        .map(|x| format!("{x:02X}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Builds the analysis of everything fed to `c` (`bytes` = bytes fed).
pub fn analyze(c: &SiCollector, bytes: u64) -> AnalyzeReport {
    let si = &c.si;
    let tsid = si.transport_stream_id();
    let onid = si.original_network_id();
    let bitrate = c.demux.bitrate().or_else(|| si.bitrate_from_utc());
    let mut sids: std::collections::BTreeSet<u16> = si.pmt_pids.keys().copied().collect();
    for (k, e) in &si.sdt {
        if e.actual && tsid.is_none_or(|t| t == k.1) {
            sids.insert(k.2);
        }
    }
    let mut services = Vec::new();
    for sid in sids {
        let mut s = service_report(si, onid, tsid, sid);
        if let Some(p) = si.pmts.get(&sid) {
            s.pcr_pid = Some(p.pcr_pid);
            let mut cas = Vec::new();
            for d in &p.descriptors {
                if let Descriptor::Ca(ca) = d {
                    cas.push(ca.ca_system_id);
                    s.ecm_pids.push(ca.ca_pid);
                }
            }
            for st in &p.streams {
                let mut r = StreamReport {
                    pid: st.elementary_pid,
                    stream_type: st.stream_type,
                    stream_type_name: stream_type_name(st.stream_type).into(),
                    kind: stream_kind(st.stream_type).into(),
                    language: None,
                    component_tag: None,
                    ca_system_ids: Vec::new(),
                };
                for d in &st.descriptors {
                    match d {
                        Descriptor::Iso639Language(l) => {
                            r.language = l.entries.first().map(|e| e.0.as_string())
                        }
                        Descriptor::StreamIdentifier(i) => r.component_tag = Some(i.component_tag),
                        Descriptor::Ca(ca) => {
                            r.ca_system_ids.push(ca.ca_system_id);
                            cas.push(ca.ca_system_id);
                            s.ecm_pids.push(ca.ca_pid);
                        }
                        Descriptor::Unknown { tag, .. } if st.stream_type == 0x06 => {
                            let (name, kind) = match tag {
                                0x6A => ("AC-3 Audio", "audio"),
                                0x7A => ("E-AC-3 Audio", "audio"),
                                0x7B => ("DTS Audio", "audio"),
                                0x56 => ("Teletext", "teletext"),
                                0x59 => ("DVB Subtitles", "subtitles"),
                                _ => continue,
                            };
                            r.stream_type_name = name.into();
                            r.kind = kind.into();
                        }
                        Descriptor::Registration(reg) if st.stream_type == 0x06 => {
                            let (name, kind) = match &reg.format_identifier.to_be_bytes() {
                                b"BSSD" => ("SMPTE 302M Audio", "audio"),
                                b"AC-3" => ("AC-3 Audio", "audio"),
                                b"EAC3" => ("E-AC-3 Audio", "audio"),
                                b"Opus" => ("Opus Audio", "audio"),
                                b"DTS1" | b"DTS2" | b"DTS3" => ("DTS Audio", "audio"),
                                b"KLVA" => ("KLV Metadata", "data"),
                                _ => continue,
                            };
                            r.stream_type_name = name.into();
                            r.kind = kind.into();
                        }
                        _ => {}
                    }
                }
                s.streams.push(r);
            }
            for id in cas {
                if !s.ca_system_ids.contains(&id) {
                    s.ca_system_ids.push(id);
                }
            }
        }
        s.ca_system_names = s
            .ca_system_ids
            .iter()
            .map(|&i| ca_system_name(i).to_string())
            .collect();
        services.push(s);
    }
    let other_services = si
        .sdt
        .iter()
        .filter(|(k, e)| !(e.actual && tsid.is_none_or(|t| t == k.1)))
        .map(|(k, _)| service_report(si, Some(k.0), Some(k.1), k.2))
        .collect();
    let cat_ca_systems = si
        .cat
        .values()
        .flat_map(|c| c.descriptors.iter())
        .filter_map(|d| match d {
            Descriptor::Ca(ca) => Some(CaSystemReport {
                ca_system_id: ca.ca_system_id,
                name: ca_system_name(ca.ca_system_id).into(),
                pid: ca.ca_pid,
                private_data: hex(&ca.private_data),
            }),
            _ => None,
        })
        .collect();
    let mut networks: Vec<NetworkReport> = Vec::new();
    for ((tid, nid, _), n) in &si.nit {
        let name = n
            .descriptors
            .iter()
            .find_map(|d| match d {
                Descriptor::NetworkName(x) => Some(x.name.decode(&si.policy, onid)),
                _ => None,
            })
            .unwrap_or_default();
        let table = if *tid == 0x40 { "actual" } else { "other" };
        let tr = transports(si, &n.transports);
        match networks
            .iter_mut()
            .find(|x| x.network_id == *nid && x.table == table)
        {
            Some(x) => {
                if x.name.is_empty() {
                    x.name = name;
                }
                x.transports.extend(tr);
            }
            None => networks.push(NetworkReport {
                table: table.into(),
                network_id: *nid,
                name,
                transports: tr,
            }),
        }
    }
    let mut bouquets: Vec<BouquetReport> = Vec::new();
    for ((bid, _), b) in &si.bat {
        let name = b
            .descriptors
            .iter()
            .find_map(|d| match d {
                Descriptor::BouquetName(x) => Some(x.name.decode(&si.policy, onid)),
                _ => None,
            })
            .unwrap_or_default();
        let tr = transports(si, &b.transports);
        match bouquets.iter_mut().find(|x| x.bouquet_id == *bid) {
            Some(x) => x.transports.extend(tr),
            None => bouquets.push(BouquetReport {
                bouquet_id: *bid,
                name,
                transports: tr,
            }),
        }
    }
    let to_ms = |pk: u64| bitrate.map(|b| pk * 188 * 8 * 1000 / b.max(1));
    let tables = si
        .tables
        .iter()
        .map(|((pid, tid), st)| {
            let avg = (st.gap_count > 0).then(|| st.gap_sum / st.gap_count);
            TableReport {
                pid: *pid,
                table_id: *tid,
                name: table_name(*tid).into(),
                sections: st.sections,
                sub_tables: st.sub_tables,
                versions: st.versions.iter().copied().collect(),
                repetition_ms_min: st.min_gap.and_then(to_ms),
                repetition_ms_avg: avg.and_then(to_ms),
                repetition_ms_max: st.max_gap.and_then(to_ms),
                repetition_packets_avg: avg,
            }
        })
        .collect();
    let pids = c
        .demux
        .pid_packets()
        .into_iter()
        .enumerate()
        .filter(|&(_, n)| n > 0)
        .map(|(pid, n)| PidReport {
            pid: pid as u16,
            packets: n,
            description: pid_description(si, pid as u16),
        })
        .collect();
    let time = TimeReport {
        tdt_utc: si.tdt.map(|t| t.to_iso()),
        tot_utc: si.tot.as_ref().map(|t| t.utc_time.to_iso()),
        local_time_offsets: si
            .tot
            .iter()
            .flat_map(|t| t.descriptors.iter())
            .flat_map(|d| match d {
                Descriptor::LocalTimeOffset(l) => l
                    .regions
                    .iter()
                    .map(|r| (r.country.as_string(), r.region_id, r.offset_minutes))
                    .collect(),
                _ => Vec::new(),
            })
            .collect(),
    };
    AnalyzeReport {
        packets: c.demux.stats.packets,
        bytes,
        bitrate_bps: bitrate,
        transport_stream_id: tsid,
        original_network_id: onid,
        default_charset: si.policy.default_charset.to_string(),
        services,
        other_services,
        cat_ca_systems,
        networks,
        bouquets,
        tables,
        pids,
        time,
        errors: ErrorReport {
            demux: c.demux.stats,
            table_errors: si.table_errors,
            malformed_descriptors: si.malformed_descriptors,
        },
    }
}

fn service_report(si: &SiTables, onid: Option<u16>, tsid: Option<u16>, sid: u16) -> ServiceReport {
    let (name, provider, stype) = tsid
        .and_then(|t| si.service_name(onid, t, sid))
        .map(|(a, b, c)| (a, b, Some(c)))
        .unwrap_or_default();
    let sdt = si
        .sdt
        .iter()
        .find(|(k, _)| Some(k.1) == tsid && k.2 == sid && onid.is_none_or(|o| o == k.0))
        .map(|(_, e)| &e.service);
    let mut ca_ids = Vec::new();
    if let Some(s) = sdt {
        for d in &s.descriptors {
            if let Descriptor::CaIdentifier(c) = d {
                ca_ids.extend(&c.ca_system_ids);
            }
        }
    }
    ServiceReport {
        original_network_id: onid,
        transport_stream_id: tsid,
        service_id: sid,
        name,
        provider,
        service_type: stype,
        service_type_name: stype.map(service_type_name).unwrap_or("").into(),
        logical_channel_number: tsid.and_then(|t| si.lcn(t, sid)),
        pmt_pid: si.pmt_pids.get(&sid).copied(),
        pcr_pid: None,
        eit_present_following: sdt.is_some_and(|s| s.eit_present_following),
        eit_schedule: sdt.is_some_and(|s| s.eit_schedule),
        running_status: sdt.map(|s| s.running_status),
        scrambled: sdt.is_some_and(|s| s.free_ca_mode),
        ca_system_ids: ca_ids,
        ca_system_names: Vec::new(),
        ecm_pids: Vec::new(),
        streams: Vec::new(),
    }
}

fn pid_description(si: &SiTables, pid: u16) -> String {
    match pid {
        0x00 => return "PAT".into(),
        0x01 => return "CAT".into(),
        0x10 => return "NIT".into(),
        0x11 => return "SDT/BAT".into(),
        0x12 => return "EIT".into(),
        0x14 => return "TDT/TOT".into(),
        0x1FFF => return "null packets".into(),
        _ => {}
    }
    for (prog, p) in &si.pmt_pids {
        if *p == pid {
            return format!("PMT of service {prog}");
        }
    }
    for (prog, pmt) in &si.pmts {
        for s in &pmt.streams {
            if s.elementary_pid == pid {
                return format!("{} of service {prog}", stream_type_name(s.stream_type));
            }
        }
        if pmt.pcr_pid == pid {
            return format!("PCR of service {prog}");
        }
    }
    for c in si.cat.values() {
        for d in &c.descriptors {
            if let Descriptor::Ca(ca) = d {
                if ca.ca_pid == pid {
                    return format!(
                        "EMM {} 0x{:04X}",
                        ca_system_name(ca.ca_system_id),
                        ca.ca_system_id
                    );
                }
            }
        }
    }
    String::new()
}

/// One event of `ts epg`.
#[derive(Debug, Clone, Serialize)]
pub struct EpgEvent {
    pub original_network_id: u16,
    pub transport_stream_id: u16,
    pub service_id: u16,
    pub service_name: String,
    pub logical_channel_number: Option<u16>,
    pub event_id: u16,
    /// "YYYY-MM-DD HH:MM:SS" UTC.
    pub start_utc: String,
    pub duration_s: u32,
    pub title: String,
    pub short_text: String,
    pub extended_text: String,
    /// (item description, item) pairs of the extended event descriptors, e.g. cast lists.
    pub extended_items: Vec<(String, String)>,
    pub language: String,
    pub running_status: u8,
    pub scrambled: bool,
    /// "present_following", "schedule" or "both".
    pub source: String,
    pub actual: bool,
}

/// `ts epg` report: every event, by service (LCN, then name, then id), then start time.
#[derive(Debug, Clone, Serialize)]
pub struct EpgReport {
    pub events: Vec<EpgEvent>,
}

pub fn epg(c: &SiCollector) -> EpgReport {
    let si = &c.si;
    let mut events: Vec<EpgEvent> = si
        .events
        .values()
        .map(|e| {
            let name = si
                .service_name(
                    Some(e.original_network_id),
                    e.transport_stream_id,
                    e.service_id,
                )
                .map(|n| n.0)
                .unwrap_or_default();
            EpgEvent {
                original_network_id: e.original_network_id,
                transport_stream_id: e.transport_stream_id,
                service_id: e.service_id,
                service_name: name,
                logical_channel_number: si.lcn(e.transport_stream_id, e.service_id),
                event_id: e.event_id,
                start_utc: e.start.to_iso(),
                duration_s: e.duration_s,
                title: e.title.clone(),
                short_text: e.short_text.clone(),
                extended_text: e.extended_text.clone(),
                extended_items: e.extended_items.clone(),
                language: e.language.clone(),
                running_status: e.running_status,
                scrambled: e.free_ca_mode,
                source: match (e.present_following, e.schedule) {
                    (true, true) => "both",
                    (true, false) => "present_following",
                    _ => "schedule",
                }
                .into(),
                actual: e.actual,
            }
        })
        .collect();
    events.sort_by(|a, b| {
        let ka = (
            a.logical_channel_number.is_none(),
            a.logical_channel_number,
            a.service_name.is_empty(),
        );
        let kb = (
            b.logical_channel_number.is_none(),
            b.logical_channel_number,
            b.service_name.is_empty(),
        );
        ka.cmp(&kb)
            .then_with(|| a.service_name.cmp(&b.service_name))
            .then_with(|| {
                (a.transport_stream_id, a.service_id).cmp(&(b.transport_stream_id, b.service_id))
            })
            .then_with(|| a.start_utc.cmp(&b.start_utc))
    });
    EpgReport { events }
}
