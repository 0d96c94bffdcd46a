//! Streams built with the engine's own emitters: Chinese, Big5 and Tibetan names,
//! ISO 6937 and ISO 8859-5 text, and broken input. They go through packetisation, the
//! demux, the collector and the reports like a capture would.

use ts_si::analyze::{analyze, epg};
use ts_si::bytes::Lang;
use ts_si::collector::SiCollector;
use ts_si::descriptors::*;
use ts_si::section::{packetize, LongHeader};
use ts_si::tables::*;
use ts_si::text::{encode, encode_big5_bytes, encode_compressed, Charset, CharsetPolicy};
use ts_si::time::UtcTime;
use ts_si::ts::{AdaptationFieldRepr, Pcr, TsPacketRepr};

const ONID: u16 = 0x1F40;
const TSID: u16 = 0x0011;

fn hdr(table_id: u8, ext: u16, version: u8, sn: u8, last: u8) -> LongHeader {
    LongHeader {
        table_id,
        table_id_extension: ext,
        version,
        current_next: true,
        section_number: sn,
        last_section_number: last,
    }
}

fn gb(s: &str) -> Vec<u8> {
    encoding_rs::GB18030.encode(s).0.into_owned()
}

fn with(sel: u8, mut b: Vec<u8>) -> DvbString {
    b.insert(0, sel);
    DvbString(b)
}

fn service(id: u16, name: DvbString, provider: DvbString) -> SdtService {
    SdtService {
        service_id: id,
        eit_schedule: true,
        eit_present_following: true,
        running_status: 4,
        free_ca_mode: false,
        descriptors: vec![Descriptor::from(ServiceDescriptor {
            service_type: 0x01,
            provider_name: provider,
            service_name: name,
        })]
        .into(),
    }
}

/// Expected (service_id, name) of the generated SDT.
fn names() -> Vec<(u16, &'static str, DvbString)> {
    let mut emph = vec![b'T', 0xC2, b'e', b'l', 0xC2, b'e', b' ', 0x86];
    emph.extend_from_slice(b"Info");
    emph.push(0x87);
    vec![
        (
            1,
            "中央电视台综合频道",
            with(0x13, gb("中央电视台综合频道")),
        ),
        // No selector: only right with the network's default (GB18030).
        (2, "西藏卫视", DvbString(gb("西藏卫视"))),
        // GBK characters (not in GB2312) behind 0x13.
        (3, "朱镕基堃", with(0x13, gb("朱镕基堃"))),
        (4, "台灣電視", DvbString(encode_big5_bytes("台灣電視"))),
        (
            5,
            "臺視新聞",
            DvbString(encode("臺視新聞", Charset::Big5, true)),
        ),
        (
            6,
            "བོད་ལྗོངས་རྒྱང་བསྒྲགས",
            DvbString(encode("བོད་ལྗོངས་རྒྱང་བསྒྲགས", Charset::Ucs2, true)),
        ),
        (
            7,
            "ཀྲུང་གོའི་བོད་ཀྱི་རྒྱང་བསྒྲགས",
            DvbString(encode("ཀྲུང་གོའི་བོད་ཀྱི་རྒྱང་བསྒྲགས", Charset::Utf8, true)),
        ),
        (8, "Télé Info", DvbString(emph)),
        (
            9,
            "Россия 1",
            DvbString(encode("Россия 1", Charset::Iso8859(5), true)),
        ),
        (
            10,
            "KBS 한국",
            DvbString(encode("KBS 한국", Charset::KsX1001, true)),
        ),
    ]
}

fn sections() -> Vec<(u16, Vec<u8>)> {
    let mut out = Vec::new();
    let n = names();
    let pat = ProgramAssociationTable {
        header: hdr(0x00, TSID, 1, 0, 0),
        programs: std::iter::once((0, 0x10))
            .chain(n.iter().map(|s| (s.0, 0x100 + s.0)))
            .collect(),
    };
    out.push((0x00, pat.emit().unwrap()));
    for s in &n {
        let pmt = ProgramMapTable {
            header: hdr(0x02, s.0, 0, 0, 0),
            pcr_pid: 0x200 + s.0,
            descriptors: vec![Descriptor::from(CaDescriptor {
                ca_system_id: 0x4AD4,
                ca_pid: 0x300 + s.0,
                private_data: vec![],
            })]
            .into(),
            streams: vec![
                PmtStream {
                    stream_type: 0x1B,
                    elementary_pid: 0x200 + s.0,
                    descriptors: DescriptorList::default(),
                },
                PmtStream {
                    stream_type: 0x04,
                    elementary_pid: 0x400 + s.0,
                    descriptors: vec![Descriptor::from(Iso639LanguageDescriptor {
                        entries: vec![(Lang::new("bod"), 0)],
                    })]
                    .into(),
                },
            ],
        };
        out.push((0x100 + s.0, pmt.emit().unwrap()));
    }
    let sdt = ServiceDescriptionTable {
        header: hdr(0x42, TSID, 3, 0, 0),
        original_network_id: ONID,
        services: n
            .iter()
            .map(|s| service(s.0, s.2.clone(), with(0x13, gb("中国卫通"))))
            .collect(),
    };
    out.push((0x11, sdt.emit().unwrap()));
    let nit = NetworkInformationTable {
        header: hdr(0x40, ONID, 0, 0, 0),
        descriptors: vec![Descriptor::from(NetworkNameDescriptor {
            name: with(0x13, gb("户户通")),
        })]
        .into(),
        transports: vec![TransportStreamInfo {
            transport_stream_id: TSID,
            original_network_id: ONID,
            descriptors: vec![
                Descriptor::from(SatelliteDeliverySystemDescriptor {
                    frequency_10khz: 1_188_000,
                    orbital_position: 922,
                    east: true,
                    polarization: 2,
                    roll_off: 0,
                    s2: true,
                    modulation_type: 1,
                    symbol_rate_100sym: 288_000,
                    fec_inner: 3,
                }),
                Descriptor::from(S2SatelliteDeliverySystemDescriptor {
                    scrambling_sequence_index: None,
                    input_stream_identifier: Some(1),
                    backwards_compatibility: false,
                    extra: vec![],
                }),
                Descriptor::from(ServiceListDescriptor {
                    services: n.iter().map(|s| (s.0, 1)).collect(),
                }),
                Descriptor::from(LogicalChannelNumberDescriptor {
                    channels: n
                        .iter()
                        .map(|s| LogicalChannel {
                            service_id: s.0,
                            visible: true,
                            lcn: s.0 * 10,
                        })
                        .collect(),
                }),
            ]
            .into(),
        }],
    };
    out.push((0x10, nit.emit().unwrap()));
    // EIT p/f for service 1: Chinese title, an extended text split in two descriptors in
    // the middle of a two-byte character, and a Tibetan event.
    let long = gb("新闻联播是中国中央电视台每日晚间播出的一档新闻节目");
    let (a, b) = long.split_at(21); // odd: cuts a character
    let start = UtcTime::from_bytes([0xE8, 0x46, 0x11, 0x00, 0x00]);
    let eit = EventInformationTable {
        header: hdr(0x4E, 1, 5, 0, 1),
        transport_stream_id: TSID,
        original_network_id: ONID,
        segment_last_section_number: 1,
        last_table_id: 0x4E,
        events: vec![EitEvent {
            event_id: 0x100,
            start_time: start,
            duration: [0x00, 0x30, 0x00],
            running_status: 4,
            free_ca_mode: false,
            descriptors: vec![
                Descriptor::from(ShortEventDescriptor {
                    language: Lang::new("chi"),
                    event_name: with(0x13, gb("新闻联播")),
                    text: with(0x13, gb("今日要闻")),
                }),
                Descriptor::from(ExtendedEventDescriptor {
                    descriptor_number: 0,
                    last_descriptor_number: 1,
                    language: Lang::new("chi"),
                    items: vec![],
                    text: with(0x13, a.to_vec()),
                }),
                Descriptor::from(ExtendedEventDescriptor {
                    descriptor_number: 1,
                    last_descriptor_number: 1,
                    language: Lang::new("chi"),
                    items: vec![],
                    text: DvbString(b.to_vec()),
                }),
                Descriptor::from(ContentDescriptor {
                    entries: vec![ContentNibbles {
                        level1: 2,
                        level2: 1,
                        user_byte: 0,
                    }],
                }),
                Descriptor::from(ParentalRatingDescriptor {
                    ratings: vec![(Lang::new("CHN"), 0)],
                }),
            ]
            .into(),
        }],
    };
    out.push((0x12, eit.emit().unwrap()));
    let eit2 = EventInformationTable {
        header: hdr(0x4E, 6, 1, 1, 1),
        transport_stream_id: TSID,
        original_network_id: ONID,
        segment_last_section_number: 1,
        last_table_id: 0x4E,
        events: vec![EitEvent {
            event_id: 0x200,
            start_time: UtcTime::from_bytes([0xE8, 0x46, 0x12, 0x00, 0x00]),
            duration: [0x01, 0x00, 0x00],
            running_status: 1,
            free_ca_mode: false,
            descriptors: vec![Descriptor::from(ShortEventDescriptor {
                language: Lang::new("bod"),
                event_name: DvbString(encode("གསར་འགྱུར", Charset::Utf8, true)),
                text: DvbString(encode("ཉིན་རེའི་གསར་འགྱུར།\nདེ་རིང་", Charset::Ucs2, true)),
            })]
            .into(),
        }],
    };
    out.push((0x12, eit2.emit().unwrap()));
    let tot = TimeOffsetTable {
        utc_time: start,
        descriptors: vec![Descriptor::from(LocalTimeOffsetDescriptor {
            regions: vec![LocalTimeOffset {
                country: Lang::new("CHN"),
                region_id: 0,
                offset_minutes: 480,
                time_of_change: start,
                next_offset_minutes: 480,
            }],
        })]
        .into(),
    };
    out.push((0x14, TimeDateTable { utc_time: start }.emit().unwrap()));
    out.push((0x14, tot.emit().unwrap()));
    out
}

fn stream(secs: &[(u16, Vec<u8>)], repeat: usize) -> Vec<u8> {
    let mut cc = vec![0u8; 8192];
    let mut out = Vec::new();
    for _ in 0..repeat {
        for (pid, s) in secs {
            for p in packetize(*pid, std::slice::from_ref(s), &mut cc[*pid as usize]) {
                out.extend_from_slice(&p);
            }
        }
    }
    out
}

fn gb_policy() -> CharsetPolicy {
    let mut p = CharsetPolicy::default();
    p.per_network.insert(ONID, "gb18030".parse().unwrap());
    p
}

#[test]
fn chinese_big5_tibetan_cyrillic_and_latin_names_decode_right() {
    let mut c = SiCollector::new(gb_policy());
    c.feed(&stream(&sections(), 2));
    let r = analyze(&c, 0);
    assert_eq!(r.transport_stream_id, Some(TSID));
    assert_eq!(r.original_network_id, Some(ONID));
    assert_eq!(r.services.len(), names().len());
    for ((id, name, _), s) in names().iter().zip(&r.services) {
        assert_eq!(s.service_id, *id);
        if *id == 8 {
            // Selector-less ISO 6937 on a network whose default is GB18030 reads as GB:
            // that is what the setting means (checked with the standard default below).
            assert_ne!(s.name, *name);
        } else {
            assert_eq!(s.name, *name, "service {id}");
        }
        assert_eq!(s.provider, "中国卫通");
        assert_eq!(s.logical_channel_number, Some(id * 10));
        assert_eq!(s.pmt_pid, Some(0x100 + id));
        assert_eq!(s.ca_system_ids, vec![0x4AD4]);
        assert_eq!(s.streams.len(), 2);
        assert_eq!(s.streams[1].language.as_deref(), Some("bod"));
    }
    let n = &r.networks[0];
    assert_eq!(n.name, "户户通");
    let sat = n.transports[0].satellite.as_ref().unwrap();
    assert_eq!(
        (sat.frequency_khz, sat.symbol_rate_sym),
        (11_880_000, 28_800_000)
    );
    assert_eq!(
        (
            sat.polarization.as_str(),
            sat.orbital_position.as_str(),
            sat.delivery_system.as_str()
        ),
        ("L", "92.2E", "DVB-S2")
    );
    assert_eq!(r.time.local_time_offsets, vec![("CHN".to_string(), 0, 480)]);
    assert_eq!(
        r.errors.demux.crc_errors + r.errors.demux.cc_errors + r.errors.malformed_descriptors,
        0
    );

    let events = epg(&c).events;
    assert_eq!(events.len(), 2);
    assert_eq!(events[0].title, "新闻联播");
    assert_eq!(events[0].short_text, "今日要闻");
    assert_eq!(
        events[0].extended_text,
        "新闻联播是中国中央电视台每日晚间播出的一档新闻节目"
    );
    assert_eq!(events[0].language, "chi");
    assert_eq!(events[0].start_utc, "2021-09-05 11:00:00");
    assert_eq!(events[0].duration_s, 1800);
    assert_eq!(events[1].title, "གསར་འགྱུར");
    assert_eq!(events[1].short_text, "ཉིན་རེའི་གསར་འགྱུར།\nདེ་རིང་");
}

#[test]
fn selector_less_gb_needs_the_network_default() {
    // Without the per-network setting, selector-less bytes are ISO 6937 (as the standard
    // says) and the GB name is not guessed; the coded names are unaffected.
    let mut c = SiCollector::default();
    c.feed(&stream(&sections(), 1));
    let r = analyze(&c, 0);
    assert_ne!(r.services[1].name, "西藏卫视");
    assert_eq!(r.services[0].name, "中央电视台综合频道");
    // ISO 6937 with diacritics and emphasis codes, as the standard default.
    assert_eq!(r.services[7].name, "Télé Info");
    // A global default does it for every network.
    let mut c = SiCollector::new(CharsetPolicy::with_default(Charset::Gb18030));
    c.feed(&stream(&sections(), 1));
    assert_eq!(analyze(&c, 0).services[1].name, "西藏卫视");
}

#[test]
fn broken_input_is_counted_and_skipped_never_fatal() {
    let good = sections();
    let mut bad_crc = good.iter().find(|s| s.0 == 0x11).unwrap().clone();
    let n = bad_crc.1.len();
    bad_crc.1[n - 1] ^= 0xFF;
    // SDT whose service loop ends in a descriptor claiming 200 bytes (truncated).
    let mut sdt = ServiceDescriptionTable::parse(
        &ts_si::section::Section::new_checked(
            &bad_crc.1[..n - 4]
                .iter()
                .chain(&[0u8; 4])
                .copied()
                .collect::<Vec<_>>()[..],
        )
        .unwrap_or_else(|_| {
            ts_si::section::Section::new_unchecked(
                &good.iter().find(|s| s.0 == 0x11).unwrap().1[..],
            )
        }),
    )
    .unwrap();
    sdt.header.version = 4;
    sdt.services[0]
        .descriptors
        .items
        .push(Descriptor::Malformed {
            tag: 0x48,
            data: vec![0x01, 0x05, b'a'],
        });
    let truncated = sdt.emit().unwrap();
    let mut secs = vec![bad_crc];
    secs.push((0x11, truncated));
    // A section whose length runs past its packet data and the next PUSI.
    secs.push((0x11, vec![0x42, 0xF3, 0xFF, 0x00]));
    secs.extend(good.iter().cloned());
    let mut data = stream(&secs, 1);
    // Garbage between packets, a packet with TEI, a duplicated packet, a lost packet.
    data.splice(188..188, [0x00, 0x47, 0x12, 0x99]);
    let mut tei = data[4 + 188..4 + 376].to_vec();
    tei[1] |= 0x80;
    data.extend_from_slice(&tei);
    let dup = data[data.len() - 376..data.len() - 188].to_vec();
    data.extend_from_slice(&dup);
    data.extend(stream(&good, 1));
    let mut c = SiCollector::new(gb_policy());
    c.feed(&data);
    let r = analyze(&c, data.len() as u64);
    let e = &r.errors;
    assert!(e.demux.crc_errors >= 1, "{e:?}");
    assert_eq!(e.demux.sync_losses, 1, "{e:?}");
    assert_eq!(e.demux.transport_errors, 1, "{e:?}");
    assert!(e.malformed_descriptors >= 1, "{e:?}");
    assert!(e.demux.malformed_sections >= 1, "{e:?}");
    // Everything else still came through.
    assert_eq!(r.services.len(), names().len());
    assert_eq!(r.services[0].name, "中央电视台综合频道");
}

#[test]
fn every_table_and_descriptor_round_trips() {
    let mut all_descriptors: Vec<Descriptor> = vec![
        RegistrationDescriptor {
            format_identifier: u32::from_be_bytes(*b"BSSD"),
            additional_identification_info: vec![1, 2],
        }
        .into(),
        CaDescriptor {
            ca_system_id: 0x1811,
            ca_pid: 0x1449,
            private_data: vec![2, 0xFE, 0x22],
        }
        .into(),
        Iso639LanguageDescriptor {
            entries: vec![(Lang::new("chi"), 0), (Lang::new("bod"), 3)],
        }
        .into(),
        NetworkNameDescriptor {
            name: DvbString::encode("户户通", Charset::Gb2312),
        }
        .into(),
        ServiceListDescriptor {
            services: vec![(1, 1), (2, 0x19)],
        }
        .into(),
        BouquetNameDescriptor {
            name: DvbString::from("Bouquet"),
        }
        .into(),
        ServiceDescriptor {
            service_type: 0x19,
            provider_name: DvbString::from("P"),
            service_name: DvbString::encode("བོད", Charset::Utf8),
        }
        .into(),
        LinkageDescriptor {
            transport_stream_id: 1,
            original_network_id: 2,
            service_id: 3,
            linkage_type: 0x09,
            private_data: vec![0xAA],
        }
        .into(),
        ShortEventDescriptor {
            language: Lang::new("fra"),
            event_name: DvbString::from("Météo"),
            text: DvbString::from("x"),
        }
        .into(),
        ExtendedEventDescriptor {
            descriptor_number: 1,
            last_descriptor_number: 2,
            language: Lang::new("fra"),
            items: vec![ExtendedEventItem {
                description: DvbString::from("Réalisateur"),
                item: DvbString::from("X"),
            }],
            text: DvbString::from("Suite"),
        }
        .into(),
        ComponentDescriptor {
            stream_content_ext: 0xF,
            stream_content: 5,
            component_type: 0x0B,
            component_tag: 1,
            language: Lang::new("chi"),
            text: DvbString::from("HD"),
        }
        .into(),
        StreamIdentifierDescriptor { component_tag: 7 }.into(),
        CaIdentifierDescriptor {
            ca_system_ids: vec![0x4AD4, 0x0B00],
        }
        .into(),
        ContentDescriptor {
            entries: vec![ContentNibbles {
                level1: 4,
                level2: 3,
                user_byte: 9,
            }],
        }
        .into(),
        ParentalRatingDescriptor {
            ratings: vec![(Lang::new("FRA"), 0x0B)],
        }
        .into(),
        LocalTimeOffsetDescriptor {
            regions: vec![LocalTimeOffset {
                country: Lang::new("FRA"),
                region_id: 1,
                offset_minutes: -90,
                time_of_change: UtcTime::from_unix(1_600_000_000),
                next_offset_minutes: -30,
            }],
        }
        .into(),
        SatelliteDeliverySystemDescriptor {
            frequency_10khz: 1_136_200,
            orbital_position: 192,
            east: true,
            polarization: 0,
            roll_off: 0,
            s2: false,
            modulation_type: 1,
            symbol_rate_100sym: 275_000,
            fec_inner: 3,
        }
        .into(),
        S2SatelliteDeliverySystemDescriptor {
            scrambling_sequence_index: Some(0x3FFFF),
            input_stream_identifier: Some(4),
            backwards_compatibility: true,
            extra: vec![],
        }
        .into(),
        LogicalChannelNumberDescriptor {
            channels: vec![LogicalChannel {
                service_id: 0x401,
                visible: true,
                lcn: 6,
            }],
        }
        .into(),
        ExtensionDescriptor {
            tag_extension: 0x04,
            data: vec![1, 2, 3],
        }
        .into(),
        Descriptor::Unknown {
            tag: 0xCC,
            data: vec![0x13, 0xFF],
        },
    ];
    for d in &all_descriptors {
        let mut b = Vec::new();
        d.emit(&mut b).unwrap();
        assert_eq!(b[1] as usize, b.len() - 2);
        assert_eq!(&Descriptor::parse(b[0], &b[2..]), d, "{d:?}");
    }
    let list: DescriptorList = std::mem::take(&mut all_descriptors).into();
    let ts = vec![TransportStreamInfo {
        transport_stream_id: 1,
        original_network_id: 2,
        descriptors: list.clone(),
    }];
    let tables = vec![
        Table::Pat(ProgramAssociationTable {
            header: hdr(0, 1, 3, 0, 0),
            programs: vec![(0, 0x10), (1, 0x100)],
        }),
        Table::Cat(ConditionalAccessTable {
            header: hdr(1, 0xFFFF, 8, 0, 0),
            descriptors: list.clone(),
        }),
        Table::Pmt(ProgramMapTable {
            header: hdr(2, 1, 0, 0, 0),
            pcr_pid: 0x1FFF,
            descriptors: list.clone(),
            streams: vec![PmtStream {
                stream_type: 0x24,
                elementary_pid: 0x101,
                descriptors: list.clone(),
            }],
        }),
        Table::Nit(NetworkInformationTable {
            header: hdr(0x41, 9, 1, 0, 0),
            descriptors: list.clone(),
            transports: ts.clone(),
        }),
        Table::Bat(BouquetAssociationTable {
            header: hdr(0x4A, 9, 1, 0, 0),
            descriptors: list.clone(),
            transports: ts,
        }),
        Table::Sdt(ServiceDescriptionTable {
            header: hdr(0x46, 3, 2, 0, 0),
            original_network_id: 2,
            services: vec![SdtService {
                service_id: 5,
                eit_schedule: false,
                eit_present_following: true,
                running_status: 2,
                free_ca_mode: true,
                descriptors: list.clone(),
            }],
        }),
        Table::Eit(EventInformationTable {
            header: hdr(0x61, 5, 7, 8, 0x10),
            transport_stream_id: 3,
            original_network_id: 2,
            segment_last_section_number: 9,
            last_table_id: 0x62,
            events: vec![EitEvent {
                event_id: 9,
                start_time: UtcTime::from_unix(1_548_158_400),
                duration: [0x01, 0x30, 0x00],
                running_status: 1,
                free_ca_mode: true,
                descriptors: list.clone(),
            }],
        }),
        Table::Tdt(TimeDateTable {
            utc_time: UtcTime::from_unix(1_548_158_400),
        }),
        Table::Tot(TimeOffsetTable {
            utc_time: UtcTime::from_unix(1_548_158_400),
            descriptors: list,
        }),
    ];
    for t in &tables {
        let b = t.emit().unwrap();
        let s = ts_si::section::Section::new_checked(&b[..]).expect("CRC and length");
        assert_eq!(Table::parse(&s).unwrap().as_ref(), Some(t));
    }
}

#[test]
fn bitrate_from_pcr() {
    // 1000 packets, PCR every 100 packets advancing 100*188*8 bits at 2 Mb/s.
    let mut data = Vec::new();
    for i in 0..1000u64 {
        let pcr = (i % 100 == 0).then(|| {
            let ticks = i * 188 * 8 * 27_000_000 / 2_000_000;
            Pcr {
                base: ticks / 300,
                extension: (ticks % 300) as u16,
            }
        });
        let p = TsPacketRepr {
            pid: 0x100,
            payload_unit_start: false,
            transport_error: false,
            priority: false,
            scrambling_control: 0,
            continuity_counter: (i % 16) as u8,
            adaptation: pcr.map(|p| AdaptationFieldRepr {
                pcr: Some(p),
                ..Default::default()
            }),
            payload: &[0u8; 100],
        };
        data.extend_from_slice(&p.emit().unwrap());
    }
    let mut c = SiCollector::default();
    c.feed(&data);
    let b = c.demux.bitrate().unwrap();
    assert!((1_999_000..=2_001_000).contains(&b), "{b}");
    assert_eq!(c.demux.stats.cc_errors, 0);
}

#[test]
fn freesat_compressed_event_text_is_shown_decoded() {
    // UK Freesat sends EPG text Huffman-compressed (0x1F, encoding_type_id 1 or 2).
    let title = "Doctor Who: The Christmas Invasion";
    let text = "The Doctor's new body is not settling in well. Café scene, 10pm – 11pm.";
    let eit = EventInformationTable {
        header: hdr(0x4E, 7, 3, 0, 0),
        transport_stream_id: TSID,
        original_network_id: ONID,
        segment_last_section_number: 0,
        last_table_id: 0x4E,
        events: vec![EitEvent {
            event_id: 0x300,
            start_time: UtcTime::from_bytes([0xE8, 0x46, 0x20, 0x00, 0x00]),
            duration: [0x01, 0x00, 0x00],
            running_status: 4,
            free_ca_mode: false,
            descriptors: vec![Descriptor::from(ShortEventDescriptor {
                language: Lang::new("eng"),
                event_name: DvbString(encode_compressed(title, 1).unwrap()),
                text: DvbString(encode_compressed(text, 2).unwrap()),
            })]
            .into(),
        }],
    };
    let secs = vec![(0x12, eit.emit().unwrap())];
    let mut c = SiCollector::new(CharsetPolicy::default());
    c.feed(&stream(&secs, 3));
    let events = epg(&c).events;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].title, title);
    assert_eq!(events[0].short_text, text);
    assert_eq!(events[0].language, "eng");
}
