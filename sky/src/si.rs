//! PSI and SI of one transponder, emitted with ts-si and timed for the multiplexer: PAT, CAT, PMTs, NIT actual,
//! SDT actual and other, EIT present/following and 8-day schedule (actual and other), TDT and TOT for China, the
//! activation EMMs and, for the scrambled service, ECMs and its CA system's EMMs.
//!
//! Repetition (per loop of 10.56 s): PAT and PMT every 100 ms, CAT 500 ms, NIT 2 s, SDT actual 1 s, SDT other
//! 4 s, EIT p/f actual 1 s, EIT p/f other 4 s, every EIT schedule section once, TDT 2 s, TOT once, EMMs 1 s,
//! ECMs 100 ms: inside ETSI TR 101 290's limits.

use ts_si::bytes::Lang;
use ts_si::descriptors::{
    CaDescriptor, ContentDescriptor, ContentNibbles, Descriptor, DescriptorList, DvbString,
    Iso639LanguageDescriptor, LocalTimeOffset, LocalTimeOffsetDescriptor, LogicalChannel,
    LogicalChannelNumberDescriptor, NetworkNameDescriptor, SatelliteDeliverySystemDescriptor,
    ServiceDescriptor, ServiceListDescriptor, ShortEventDescriptor,
};
use ts_si::section::LongHeader;
use ts_si::tables::{
    ConditionalAccessTable, EitEvent, EventInformationTable, NetworkInformationTable, PmtStream,
    ProgramAssociationTable, ProgramMapTable, SdtService, ServiceDescriptionTable, TimeDateTable,
    TimeOffsetTable, TransportStreamInfo,
};
use ts_si::text::Charset;
use ts_si::time::{duration_bcd, UtcTime};

use crate::definition::{Satellite, Service, Sky, Transponder, LOOP_90K};
use crate::epg::{present_following, programmes, Programme};
use crate::mux::SiInput;

/// PIDs of the sky's multiplexes.
pub mod pid {
    /// The activation stream (CAT: CA_system_ID 0x4AFF, "HHTA").
    pub const ACTIVATION_EMM: u16 = 0x0FF0;
    /// EMMs of the CA system that scrambles the scrambled service.
    pub const CA_EMM: u16 = 0x0FF1;
}

/// The CA system of the scrambled service (Tongfang, common on Chinese networks).
pub const SCRAMBLER_CA_SYSTEM_ID: u16 = 0x4A02;

/// The PIDs of one service: its place in the whole sky decides them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServicePids {
    pub pmt: u16,
    pub video: u16,
    /// The first audio track; track n is `audio + n`.
    pub audio: u16,
    pub ecm: u16,
}

impl ServicePids {
    pub fn of(index: usize) -> Self {
        let base = 0x0100 + 0x20 * index as u16;
        ServicePids {
            pmt: base,
            video: base + 1,
            audio: base + 2,
            ecm: base + 0x1F,
        }
    }
    /// The PCR rides on the video, or on the first audio track of a radio service.
    pub fn pcr(&self, s: &Service) -> u16 {
        if s.is_radio() {
            self.audio
        } else {
            self.video
        }
    }
}

/// Text as the service's network sends it.
fn text(s: &str, charset: &str) -> DvbString {
    if charset == "utf8" {
        DvbString::encode(s, Charset::Utf8)
    } else {
        DvbString(ts_si::text::encode(s, Charset::Gb2312, false))
    }
}

fn header(table_id: u8, ext: u16, section: u8, last: u8) -> LongHeader {
    LongHeader {
        table_id,
        table_id_extension: ext,
        version: 1,
        current_next: true,
        section_number: section,
        last_section_number: last,
    }
}

/// Stream type of a codec (ISO/IEC 13818-1 table 2-34; AC-3 as DVB sends it, private data with a descriptor).
fn stream_type(codec: &str) -> u8 {
    match codec {
        "mpeg2-sd" => 0x02,
        "h264-sd" | "h264-hd" => 0x1B,
        "mp2" => 0x03,
        "aac" => 0x0F,
        _ => 0x06,
    }
}

/// Everything the tables need to know about the sky and the moment.
pub struct Context<'a> {
    pub sky: &'a Sky,
    /// Unix seconds the sky is generated for (EIT present/following, the schedule's first day).
    pub now: i64,
    /// Each service's index in the whole sky (for its PIDs).
    pub index_of: &'a dyn Fn(&Service) -> usize,
    /// Activation sections for the EMM stream.
    pub activation_sections: &'a [Vec<u8>],
}

/// Sections of one transponder at their times in the loop, ready for the multiplexer; `faults` may alter them.
pub fn tables(ctx: &Context<'_>, sat: &Satellite, tp: &Transponder) -> Vec<SiInput> {
    let ms = |m: u64| m * 90;
    let mut out = Vec::new();
    let every = |pid: u16, period_ms: u64, phase_ms: u64, sections: Vec<Vec<u8>>| {
        let mut items = Vec::new();
        let mut t = ms(phase_ms);
        while t < LOOP_90K {
            for s in &sections {
                items.push((t, s.clone()));
            }
            t += ms(period_ms);
        }
        SiInput { pid, items }
    };
    let services: Vec<(&Service, ServicePids)> = tp
        .services
        .iter()
        .map(|s| (s, ServicePids::of((ctx.index_of)(s))))
        .collect();

    // PAT
    let pat = ProgramAssociationTable {
        header: header(0x00, tp.transport_stream_id, 0, 0),
        programs: std::iter::once((0, 0x0010))
            .chain(services.iter().map(|(s, p)| (s.id, p.pmt)))
            .collect(),
    };
    out.push(every(0x0000, 100, 0, vec![pat.emit().expect("PAT fits")]));

    // CAT: the activation stream, and the scrambler's EMMs
    let mut ca = vec![Descriptor::from(CaDescriptor {
        ca_system_id: activation::section::CA_SYSTEM_ID,
        ca_pid: pid::ACTIVATION_EMM,
        private_data: activation::section::CA_PRIVATE_DATA.to_vec(),
    })];
    let scrambled = tp.services.iter().any(|s| s.scrambled);
    if scrambled {
        ca.push(
            CaDescriptor {
                ca_system_id: SCRAMBLER_CA_SYSTEM_ID,
                ca_pid: pid::CA_EMM,
                private_data: Vec::new(),
            }
            .into(),
        );
    }
    let cat = ConditionalAccessTable {
        header: header(0x01, 0xFFFF, 0, 0),
        descriptors: ca.into(),
    };
    out.push(every(0x0001, 500, 20, vec![cat.emit().expect("CAT fits")]));

    // PMTs, and ECMs of the scrambled service
    for (i, (s, p)) in services.iter().enumerate() {
        let mut streams = Vec::new();
        if let Some(v) = &s.video {
            streams.push(PmtStream {
                stream_type: stream_type(v),
                elementary_pid: p.video,
                descriptors: DescriptorList::default(),
            });
        }
        for (n, a) in s.audio.iter().enumerate() {
            let mut d = vec![Descriptor::from(Iso639LanguageDescriptor {
                entries: vec![(Lang::new(&a.language), 0)],
            })];
            if a.codec == "ac3" {
                // AC-3_descriptor (EN 300 468 annex D) with no optional fields.
                d.insert(
                    0,
                    Descriptor::Unknown {
                        tag: 0x6A,
                        data: vec![0x00],
                    },
                );
            }
            streams.push(PmtStream {
                stream_type: stream_type(&a.codec),
                elementary_pid: p.audio + n as u16,
                descriptors: d.into(),
            });
        }
        let descriptors: DescriptorList = if s.scrambled {
            vec![Descriptor::from(CaDescriptor {
                ca_system_id: SCRAMBLER_CA_SYSTEM_ID,
                ca_pid: p.ecm,
                private_data: Vec::new(),
            })]
            .into()
        } else {
            DescriptorList::default()
        };
        let pmt = ProgramMapTable {
            header: header(0x02, s.id, 0, 0),
            pcr_pid: p.pcr(s),
            descriptors,
            streams,
        };
        out.push(every(
            p.pmt,
            100,
            10 + 10 * i as u64 % 90,
            vec![pmt.emit().expect("PMT fits")],
        ));
        if s.scrambled {
            let ecm = private_section(0x80, &[0x5A; 32]);
            out.push(every(p.ecm, 100, 50, vec![ecm]));
        }
    }

    // NIT actual: every transponder of this satellite's network
    let nit = NetworkInformationTable {
        header: header(0x40, sat.network_id, 0, 0),
        descriptors: vec![Descriptor::from(NetworkNameDescriptor {
            name: text(&sat.network_name, "gb2312"),
        })]
        .into(),
        transports: sat
            .transponders
            .iter()
            .map(|t| TransportStreamInfo {
                transport_stream_id: t.transport_stream_id,
                original_network_id: sat.original_network_id,
                descriptors: vec![
                    Descriptor::from(delivery(sat, t)),
                    ServiceListDescriptor {
                        services: t
                            .services
                            .iter()
                            .map(|s| (s.id, s.service_type()))
                            .collect(),
                    }
                    .into(),
                    LogicalChannelNumberDescriptor {
                        channels: t
                            .services
                            .iter()
                            .map(|s| LogicalChannel {
                                service_id: s.id,
                                visible: true,
                                lcn: s.lcn,
                            })
                            .collect(),
                    }
                    .into(),
                ]
                .into(),
            })
            .collect(),
    };
    out.push(every(0x0010, 2000, 30, vec![nit.emit().expect("NIT fits")]));

    // SDT actual and other
    let sdt = |table_id: u8, t: &Transponder| {
        ServiceDescriptionTable {
            header: header(table_id, t.transport_stream_id, 0, 0),
            original_network_id: sat.original_network_id,
            services: t
                .services
                .iter()
                .map(|s| SdtService {
                    service_id: s.id,
                    eit_schedule: true,
                    eit_present_following: true,
                    running_status: 4,
                    free_ca_mode: s.scrambled,
                    descriptors: vec![Descriptor::from(ServiceDescriptor {
                        service_type: s.service_type(),
                        provider_name: text(&s.provider, "gb2312"),
                        service_name: text(&s.name, &s.charset),
                    })]
                    .into(),
                })
                .collect(),
        }
        .emit()
        .expect("SDT fits")
    };
    out.push(every(0x0011, 1000, 40, vec![sdt(0x42, tp)]));
    let others: Vec<Vec<u8>> = sat
        .transponders
        .iter()
        .filter(|t| t.transport_stream_id != tp.transport_stream_id)
        .map(|t| sdt(0x46, t))
        .collect();
    let mut eit_items: Vec<(u64, Vec<u8>)> = Vec::new();
    if !others.is_empty() {
        out.push(every(0x0011, 4000, 540, others));
    }

    // EIT: present/following and the schedule, actual and other
    let day0 = ctx.now.div_euclid(86_400) * 86_400;
    let mut pf_actual = Vec::new();
    let mut pf_other = Vec::new();
    let mut schedule = Vec::new();
    for t in &sat.transponders {
        let actual = t.transport_stream_id == tp.transport_stream_id;
        for s in &t.services {
            let list = programmes(s, day0, 8);
            let (now, next) = present_following(&list, ctx.now);
            for (n, p) in [now, next].into_iter().enumerate() {
                let eit = EventInformationTable {
                    header: header(if actual { 0x4E } else { 0x4F }, s.id, n as u8, 1),
                    transport_stream_id: t.transport_stream_id,
                    original_network_id: sat.original_network_id,
                    segment_last_section_number: 1,
                    last_table_id: if actual { 0x4E } else { 0x4F },
                    events: p
                        .map(|p| vec![event(p, s, ctx.now, n == 0)])
                        .unwrap_or_default(),
                }
                .emit()
                .expect("EIT p/f fits");
                if actual {
                    pf_actual.push(eit);
                } else {
                    pf_other.push(eit);
                }
            }
            schedule.extend(schedule_sections(sat, t, s, &list, day0, actual));
        }
    }
    out.push(every(0x0012, 1000, 60, pf_actual));
    if !pf_other.is_empty() {
        out.push(every(0x0012, 4000, 560, pf_other));
    }
    // The schedule once per loop, spread evenly.
    let step = LOOP_90K / (schedule.len() as u64 + 1);
    for (k, sec) in schedule.into_iter().enumerate() {
        eit_items.push((step * (k as u64 + 1), sec));
    }
    out.push(SiInput {
        pid: 0x0012,
        items: eit_items,
    });

    // TDT and TOT: the kernel writes the time of sending into them
    let tdt = TimeDateTable {
        utc_time: UtcTime::from_unix(ctx.now),
    }
    .emit()
    .expect("TDT fits");
    out.push(every(0x0014, 2000, 70, vec![tdt]));
    let tot = TimeOffsetTable {
        utc_time: UtcTime::from_unix(ctx.now),
        descriptors: vec![Descriptor::from(LocalTimeOffsetDescriptor {
            regions: vec![LocalTimeOffset {
                country: Lang::new("CHN"),
                region_id: 0,
                offset_minutes: 8 * 60,
                // China has kept UTC+8 all year since 1991: no change ahead.
                time_of_change: UtcTime::from_unix(4_102_444_800),
                next_offset_minutes: 8 * 60,
            }],
        })]
        .into(),
    }
    .emit()
    .expect("TOT fits");
    out.push(SiInput {
        pid: 0x0014,
        items: vec![(LOOP_90K / 2, tot)],
    });

    // EMMs
    if !ctx.activation_sections.is_empty() {
        out.push(every(
            pid::ACTIVATION_EMM,
            1000,
            80,
            ctx.activation_sections.to_vec(),
        ));
    }
    if scrambled {
        out.push(every(
            pid::CA_EMM,
            1000,
            90,
            vec![private_section(0x82, &[0xA5; 48])],
        ));
    }
    out
}

/// A short private section (ECM and EMM tables of a CA system, ISO/IEC 13818-1 2.4.4.10).
fn private_section(table_id: u8, body: &[u8]) -> Vec<u8> {
    let mut s = vec![table_id, 0x70 | (body.len() >> 8) as u8, body.len() as u8];
    s.extend_from_slice(body);
    s
}

/// The satellite delivery system descriptor of a transponder (EN 300 468 6.2.13.2).
pub fn delivery(sat: &Satellite, t: &Transponder) -> SatelliteDeliverySystemDescriptor {
    let s2 = t.system == "DVB-S2";
    SatelliteDeliverySystemDescriptor {
        frequency_10khz: t.frequency_mhz * 100,
        orbital_position: (sat.position.abs() * 10.0).round() as u16,
        east: sat.position >= 0.0,
        polarization: t.si_polarisation(),
        roll_off: match (t.rolloff * 100.0).round() as u32 {
            25 => 1,
            20 => 2,
            _ => 0,
        },
        s2,
        modulation_type: match t.modulation.as_str() {
            "8PSK" => 2,
            "16APSK" => 3,
            _ => 1,
        },
        symbol_rate_100sym: t.symbol_rate_ksps * 10,
        fec_inner: t.si_fec(),
    }
}

fn event(p: &Programme, s: &Service, now: i64, present: bool) -> EitEvent {
    let lang = if s.guide == "tibetan" { "bod" } else { "chi" };
    let charset = if s.guide == "tibetan" {
        "utf8"
    } else {
        "gb2312"
    };
    let running = if present && p.start <= now { 4 } else { 1 };
    EitEvent {
        event_id: p.event_id,
        start_time: UtcTime::from_unix(p.start),
        duration: duration_bcd(p.duration),
        running_status: running,
        free_ca_mode: s.scrambled,
        descriptors: vec![
            Descriptor::from(ShortEventDescriptor {
                language: Lang::new(lang),
                event_name: text(&p.title, charset),
                text: text(&p.text, charset),
            }),
            ContentDescriptor {
                entries: vec![ContentNibbles {
                    level1: p.genre >> 4,
                    level2: p.genre & 0x0F,
                    user_byte: 0,
                }],
            }
            .into(),
        ]
        .into(),
    }
}

/// The schedule of one service as EN 300 468 5.2.4 segments it: from midnight UTC of the first day, 3-hour
/// segments of up to 8 sections, 32 segments (4 days) per table_id.
fn schedule_sections(
    sat: &Satellite,
    t: &Transponder,
    s: &Service,
    list: &[Programme],
    day0: i64,
    actual: bool,
) -> Vec<Vec<u8>> {
    let first_tid = if actual { 0x50u8 } else { 0x60u8 };
    let segment_of = |p: &Programme| ((p.start - day0) / (3 * 3600)) as usize;
    let segments = list.last().map(|p| segment_of(p) + 1).unwrap_or(0);
    let tables = segments.div_ceil(32);
    let last_table_id = first_tid + tables.saturating_sub(1) as u8;
    let mut out = Vec::new();
    for table in 0..tables {
        let table_id = first_tid + table as u8;
        let segs = (table * 32..segments.min(table * 32 + 32)).collect::<Vec<_>>();
        let last_section = ((segs.len() - 1) * 8) as u8;
        for (k, seg) in segs.iter().enumerate() {
            let events: Vec<EitEvent> = list
                .iter()
                .filter(|p| segment_of(p) == *seg)
                .map(|p| event(p, s, i64::MIN, false))
                .collect();
            let number = (k * 8) as u8;
            out.push(
                EventInformationTable {
                    header: header(table_id, s.id, number, last_section),
                    transport_stream_id: t.transport_stream_id,
                    original_network_id: sat.original_network_id,
                    segment_last_section_number: number,
                    last_table_id,
                    events,
                }
                .emit()
                .expect("a 3-hour segment fits a section"),
            );
        }
    }
    out
}
