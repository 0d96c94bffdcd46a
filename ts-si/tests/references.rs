//! Comparisons with TSDuck's analyses of real captures (tests/data/*.txt, BSD-2-Clause, see
//! tests/data/LICENSE-tsduck-test.txt) and with dvbv5-scan's channel file for the vidtv
//! capture. The reference files are parsed here, so every event and table is compared.

use std::collections::{BTreeMap, HashMap};

use ts_si::analyze::{analyze, epg};
use ts_si::collector::SiCollector;
use ts_si::demux::Demux;
use ts_si::descriptors::Descriptor;
use ts_si::section::{Section, TableAssembler};
use ts_si::tables::*;
use ts_si::text::CharsetPolicy;

fn data(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"))).expect("test data")
}

fn text(name: &str) -> String {
    String::from_utf8(data(name)).expect("utf-8 reference")
}

fn collect(name: &str) -> SiCollector {
    let mut c = SiCollector::new(CharsetPolicy::default());
    c.feed(&data(name));
    c
}

fn norm(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn hex_u16(s: &str) -> u16 {
    u16::from_str_radix(s.trim().trim_start_matches("0x"), 16).expect("hex")
}

/// Text between `prefix` and the first " (" / end, e.g. "0x2D4D (11597)" → "0x2D4D".
fn field<'a>(line: &'a str, prefix: &str) -> Option<&'a str> {
    let rest = line.trim_start().strip_prefix(prefix)?;
    Some(rest.split(" (").next().unwrap_or(rest).trim())
}

#[derive(Debug, Default, Clone)]
struct RefEvent {
    service: String,
    lcn: Option<u16>,
    date: String,
    start: String,
    end: String,
    minutes: u32,
    event_id: u16,
    title: String,
    description: String,
    extended: String,
}

/// Parses TSDuck `eit --epg-dump --detailed` output.
fn parse_epg_dump(s: &str) -> Vec<RefEvent> {
    let lines: Vec<&str> = s.lines().collect();
    let mut out: Vec<RefEvent> = Vec::new();
    let (mut service, mut lcn, mut date) = (String::new(), None, String::new());
    let mut field_name = "";
    for (i, line) in lines.iter().enumerate() {
        if !line.starts_with(' ') && lines.get(i + 1).is_some_and(|n| n.starts_with("--")) {
            let (n, name) = match line.split_once(". ") {
                Some((n, name)) if n.chars().all(|c| c.is_ascii_digit()) => (n.parse().ok(), name),
                _ => (None, *line),
            };
            service = name.to_string();
            lcn = n;
            continue;
        }
        if line.starts_with("--") || line.is_empty() {
            continue;
        }
        if line.len() == 10 && line.as_bytes()[4] == b'/' {
            date = line.replace('/', "-");
            continue;
        }
        if let Some(ev) = line.strip_prefix("  ").filter(|l| !l.starts_with(' ')) {
            // "12:00:00 to 12:55:00 (55 mn), event id: 0x3840 (14400)"
            let (start, rest) = ev.split_once(" to ").expect("event line");
            let (end, rest) = rest.split_once(" (").expect("event line");
            let (mn, rest) = rest.split_once(" mn), event id: ").expect("event line");
            out.push(RefEvent {
                service: service.clone(),
                lcn,
                date: date.clone(),
                start: start.into(),
                end: end.into(),
                minutes: mn.parse().expect("minutes"),
                event_id: hex_u16(rest.split(' ').next().unwrap_or("")),
                ..Default::default()
            });
            continue;
        }
        let e = out.last_mut().expect("field before event");
        let body = line.trim_start();
        for (prefix, name) in [
            ("Title:", "title"),
            ("Description:", "description"),
            ("Extended description:", "extended"),
        ] {
            if let Some(v) = body.strip_prefix(prefix) {
                field_name = name;
                match name {
                    "title" => e.title = v.trim().into(),
                    "description" => e.description = v.into(),
                    _ => e.extended = v.into(),
                }
                break;
            }
            if prefix == "Extended description:" {
                // Continuation line of a wrapped field.
                let target = match field_name {
                    "title" => &mut e.title,
                    "description" => &mut e.description,
                    _ => &mut e.extended,
                };
                target.push(' ');
                target.push_str(body);
            }
        }
    }
    out
}

#[test]
fn test_184_every_eit_event_equals_tsduck_epg_dump() {
    let c = collect("test-184.ts");
    let ours = epg(&c).events;
    let reference = parse_epg_dump(&text("test-184.epg-dump.txt"));
    assert_eq!(reference.len(), 346, "reference parser");
    assert_eq!(ours.len(), reference.len(), "number of events");
    let by_key: HashMap<(String, u16), &ts_si::analyze::EpgEvent> = ours
        .iter()
        .map(|e| ((e.service_name.clone(), e.event_id), e))
        .collect();
    for r in &reference {
        let o = by_key
            .get(&(r.service.clone(), r.event_id))
            .unwrap_or_else(|| panic!("missing event {} 0x{:04X}", r.service, r.event_id));
        assert_eq!(o.logical_channel_number, r.lcn, "LCN of {}", r.service);
        assert_eq!(
            o.start_utc,
            format!("{} {}", r.date, r.start),
            "start of {r:?}"
        );
        assert_eq!(o.duration_s / 60, r.minutes, "duration of {r:?}");
        let end = (ts_si::time::UtcTime::from_unix(0).unix() + o.duration_s as i64) % 86400;
        let (h, m, s) = (&r.start[0..2], &r.start[3..5], &r.start[6..8]);
        let start_s: i64 = h.parse::<i64>().unwrap() * 3600
            + m.parse::<i64>().unwrap() * 60
            + s.parse::<i64>().unwrap();
        let end_s = (start_s + end) % 86400;
        assert_eq!(
            format!(
                "{:02}:{:02}:{:02}",
                end_s / 3600,
                end_s / 60 % 60,
                end_s % 60
            ),
            r.end
        );
        // The reference cannot show trailing spaces.
        assert_eq!(o.title.trim_end(), r.title, "title of {r:?}");
        assert_eq!(
            norm(&o.short_text),
            norm(&r.description),
            "description of {r:?}"
        );
        assert_eq!(
            norm(&o.extended_text),
            norm(&r.extended),
            "extended description of {r:?}"
        );
    }
    // Events are listed in TSDuck's order: by LCN, then start time.
    let order: Vec<(String, u16)> = ours
        .iter()
        .map(|e| (e.service_name.clone(), e.event_id))
        .collect();
    let ref_order: Vec<(String, u16)> = reference
        .iter()
        .map(|e| (e.service.clone(), e.event_id))
        .collect();
    assert_eq!(order, ref_order);
}

#[test]
fn test_184_eit_counts_equal_tsduck_summary() {
    let c = collect("test-184.ts");
    let si = &c.si;
    let summary = text("test-184.eit-summary.txt");
    let mut totals = HashMap::new();
    let mut rows = Vec::new();
    for line in summary.lines() {
        if let Some((k, v)) = line.split_once(": ") {
            totals.insert(k.trim().to_string(), v.trim().to_string());
        }
        let cols: Vec<&str> = line
            .split("  ")
            .filter(|c| !c.is_empty())
            .map(str::trim)
            .collect();
        if matches!(cols.first(), Some(&"Act") | Some(&"Oth")) && cols.len() >= 6 {
            rows.push(cols);
        }
    }
    assert_eq!(
        totals["TS id"],
        format!("0x{0:04X} ({0})", si.transport_stream_id().unwrap())
    );
    let last = ts_si::time::UtcTime::from_unix(si.last_utc.unwrap()).to_iso();
    assert_eq!(totals["Last UTC"], last.replace('-', "/"));
    assert_eq!(totals["EITp/f actual"], si.eit_counts.pf_actual.to_string());
    assert_eq!(totals["EITp/f other"], si.eit_counts.pf_other.to_string());
    assert_eq!(
        totals["EITs actual"],
        si.eit_counts.schedule_actual.to_string()
    );
    assert_eq!(
        totals["EITs other"],
        si.eit_counts.schedule_other.to_string()
    );
    // One row per service (TS id, service id) that has EIT or is in the actual TS.
    let tsid = si.transport_stream_id().unwrap();
    let mut ours: BTreeMap<(u16, u16), (bool, bool, bool, i64)> = BTreeMap::new();
    for (k, p) in &si.eit_presence {
        let days = si.eit_max_ahead.get(k).copied().unwrap_or(0) / 86400;
        ours.insert(
            (k.1, k.2),
            (k.1 == tsid, p.present_following, p.schedule, days),
        );
    }
    assert_eq!(rows.len(), ours.len(), "services");
    for cols in rows {
        let key = (hex_u16(cols[1]), hex_u16(cols[2]));
        let o = ours
            .get(&key)
            .unwrap_or_else(|| panic!("service {key:?} missing"));
        let n = cols.len();
        assert_eq!(o.0, cols[0] == "Act", "{cols:?}");
        assert_eq!(o.1, cols[n - 3] == "yes", "EITp/f {cols:?}");
        assert_eq!(o.2, cols[n - 2] == "yes", "EITs {cols:?}");
        assert_eq!(o.3.to_string(), cols[n - 1], "EPG days {cols:?}");
        if n == 7 {
            // Named row (TSDuck names the services of the actual TS).
            let name = si.service_name(None, key.0, key.1).map(|x| x.0);
            assert_eq!(name.as_deref(), Some(cols[3]), "{cols:?}");
        }
    }
}

/// One block of TSDuck's `tstables` / `tspsi` output.
#[derive(Debug, Default)]
struct RefBlock {
    header: String,
    lines: Vec<String>,
}

fn blocks(s: &str) -> Vec<RefBlock> {
    let mut out: Vec<RefBlock> = Vec::new();
    for line in s.lines() {
        if let Some(h) = line.strip_prefix("* ") {
            out.push(RefBlock {
                header: h.into(),
                lines: Vec::new(),
            });
        } else if let Some(b) = out.last_mut() {
            if !line.trim().is_empty() {
                b.lines.push(line.trim().to_string());
            }
        }
    }
    out
}

fn parse_hex_bytes(lines: &[String], start: usize, n: usize) -> Vec<u8> {
    // "Private CA data (3 bytes): 02 FE 22" or a dump "0000:  13 01 20 ...  ascii".
    let mut out = Vec::new();
    let first = &lines[start];
    if let Some((_, inline)) = first.split_once("): ") {
        out.extend(
            inline
                .split_whitespace()
                .map(|h| u8::from_str_radix(h, 16).unwrap()),
        );
        return out;
    }
    let mut i = start + 1;
    while out.len() < n {
        let l = &lines[i];
        let (_, rest) = l.split_once(":  ").expect("hex dump line");
        for tok in rest.split(' ').take_while(|t| !t.is_empty()) {
            if out.len() < n {
                out.push(u8::from_str_radix(tok, 16).unwrap());
            }
        }
        i += 1;
    }
    out
}

fn running_status_name(r: u8) -> &'static str {
    [
        "undefined",
        "not running",
        "starting",
        "pausing",
        "running",
        "off-air",
        "reserved",
        "reserved",
    ][r as usize & 7]
}

#[test]
fn test_030_tables_equal_tsduck_tstables() {
    let mut d = Demux::new();
    d.add_pid(0x0444);
    let mut ours: Vec<(u16, Vec<u8>)> = Vec::new();
    d.feed(&data("test-030.out.ts"), &mut |s| {
        ours.push((s.pid, s.data.to_vec()))
    });
    let reference = blocks(&text("test-030.tables.txt"));
    assert_eq!(reference.len(), 248);
    assert_eq!(ours.len(), reference.len(), "sections");
    let mut checked_events = 0;
    let mut checked_ca = 0;
    for ((pid, sec), b) in ours.iter().zip(&reference) {
        let s = Section::new_checked(&sec[..]).expect("good section");
        let (kind, rest) = b.header.split_once(", TID ").unwrap();
        assert_eq!(
            rest,
            format!(
                "0x{:02X} ({}), PID 0x{:04X} ({})",
                s.table_id(),
                s.table_id(),
                pid,
                pid
            )
        );
        let l = &b.lines;
        assert_eq!(
            l[0],
            format!(
                "Section: {} (last: {}), version: {}, size: {} bytes",
                s.section_number(),
                s.last_section_number(),
                s.version_number(),
                sec.len()
            )
        );
        match kind {
            "PAT" => {
                let pat = ProgramAssociationTable::parse(&s).unwrap();
                assert_eq!(
                    field(&l[1], "TS id:").unwrap(),
                    pat.transport_stream_id().to_string()
                );
                let progs: Vec<(u16, u16)> = l[2..]
                    .iter()
                    .map(|x| {
                        let n: Vec<&str> = x.split_whitespace().collect();
                        let prog = if n[0] == "NIT:" {
                            0
                        } else {
                            n[1].parse().unwrap()
                        };
                        let pid_pos = n.iter().position(|t| *t == "PID:").unwrap();
                        (prog, n[pid_pos + 1].parse().unwrap())
                    })
                    .collect();
                assert_eq!(progs, pat.programs);
            }
            "CAT" => {
                let cat = ConditionalAccessTable::parse(&s).unwrap();
                let mut it = cat.descriptors.iter();
                for (i, line) in l.iter().enumerate() {
                    if let Some(v) = line.strip_prefix("CA System Id: ") {
                        let Some(Descriptor::Ca(ca)) = it.next() else {
                            panic!("CA descriptor expected")
                        };
                        let sys = hex_u16(v.split(' ').next().unwrap());
                        let emm = hex_u16(
                            v.split("EMM PID: ")
                                .nth(1)
                                .unwrap()
                                .split(' ')
                                .next()
                                .unwrap(),
                        );
                        assert_eq!((ca.ca_system_id, ca.ca_pid), (sys, emm));
                        let n: usize = l[i + 1]
                            .split('(')
                            .nth(1)
                            .and_then(|x| x.split(' ').next())
                            .and_then(|x| x.parse().ok())
                            .unwrap();
                        assert_eq!(parse_hex_bytes(l, i + 1, n), ca.private_data);
                        checked_ca += 1;
                    }
                }
                assert!(it.next().is_none());
            }
            k if k.starts_with("EIT") => {
                let eit = EventInformationTable::parse(&s).unwrap();
                assert_eq!(
                    hex_u16(field(&l[1], "Service Id:").unwrap()),
                    eit.service_id()
                );
                assert_eq!(
                    hex_u16(field(&l[2], "TS Id:").unwrap()),
                    eit.transport_stream_id
                );
                assert_eq!(
                    hex_u16(field(&l[3], "Original Network Id:").unwrap()),
                    eit.original_network_id
                );
                assert_eq!(
                    hex_u16(field(&l[4], "Segment last section:").unwrap()),
                    eit.segment_last_section_number as u16
                );
                assert_eq!(
                    hex_u16(field(&l[5], "Last Table Id:").unwrap()),
                    eit.last_table_id as u16
                );
                // Split the rest per event.
                let mut evs: Vec<Vec<&String>> = Vec::new();
                for line in &l[6..] {
                    if line.starts_with("- Event Id:") {
                        evs.push(Vec::new());
                    }
                    evs.last_mut().unwrap().push(line);
                }
                assert_eq!(evs.len(), eit.events.len());
                for (ev, rl) in eit.events.iter().zip(&evs) {
                    assert_eq!(hex_u16(field(rl[0], "- Event Id:").unwrap()), ev.event_id);
                    // TSDuck shows the undefined time (all bits set) as the epoch.
                    let start = if ev.start_time.is_undefined() {
                        "1970/01/01 00:00:00".to_string()
                    } else {
                        ev.start_time.to_iso().replace('-', "/")
                    };
                    assert_eq!(field(rl[1], "Start UTC:").unwrap(), start);
                    let d = ev.duration_secs();
                    assert_eq!(
                        field(rl[2], "Duration:").unwrap(),
                        format!("{:02}:{:02}:{:02}", d / 3600, d / 60 % 60, d % 60)
                    );
                    assert!(
                        rl[3].starts_with(&format!(
                            "Running status: {}",
                            running_status_name(ev.running_status)
                        )),
                        "{}",
                        rl[3]
                    );
                    assert_eq!(
                        rl[4],
                        if ev.free_ca_mode {
                            "CA mode: controlled"
                        } else {
                            "CA mode: free"
                        }
                    );
                    // Every descriptor: tag and size, and the texts of the event descriptors.
                    let descs: Vec<&&String> = rl
                        .iter()
                        .filter(|x| x.starts_with("- Descriptor "))
                        .collect();
                    assert_eq!(descs.len(), ev.descriptors.len());
                    for (d, line) in ev.descriptors.iter().zip(&descs) {
                        let mut body = Vec::new();
                        d.emit(&mut body).unwrap();
                        let want =
                            format!("(0x{:02X}, {}), {} bytes", d.tag(), d.tag(), body.len() - 2);
                        assert!(line.ends_with(&want), "{line} vs {want}");
                    }
                    let quoted = |prefix: &str| -> Vec<String> {
                        rl.iter()
                            .filter_map(|x| x.strip_prefix(prefix))
                            .map(|x| {
                                let x = x.trim_start();
                                let x = x.strip_prefix('"').unwrap_or(x);
                                x.strip_suffix('"').unwrap_or(x).to_string()
                            })
                            .collect()
                    };
                    let dec = |b: &[u8]| ts_si::text::decode(b, ts_si::text::Charset::Iso6937);
                    let names: Vec<String> = ev
                        .descriptors
                        .iter()
                        .filter_map(|d| match d {
                            Descriptor::ShortEvent(s) => Some(dec(&s.event_name.0)),
                            _ => None,
                        })
                        .collect();
                    assert_eq!(quoted("Event name:"), names);
                    let texts: Vec<String> = ev
                        .descriptors
                        .iter()
                        .filter_map(|d| match d {
                            Descriptor::ExtendedEvent(x) => Some(dec(&x.text.0)),
                            _ => None,
                        })
                        .collect();
                    assert_eq!(quoted("Text:"), texts);
                    checked_events += 1;
                }
            }
            other => panic!("unexpected table {other}"),
        }
    }
    let ref_events = reference
        .iter()
        .flat_map(|b| &b.lines)
        .filter(|l| l.starts_with("- Event Id:"))
        .count();
    assert_eq!(checked_events, ref_events);
    assert_eq!(checked_ca, 35 * 12);
}

#[test]
fn test_103_tables_equal_tsduck_tspsi() {
    let reference: Vec<RefBlock> = blocks(&text("test-103.tspsi.txt"));
    // Drive a demux and a table assembler like tspsi: PAT, CAT and SDT from the start, the
    // NIT and PMT PIDs once the PAT names them.
    let mut d = Demux::empty();
    for pid in [0x00, 0x01, 0x11] {
        d.add_pid(pid);
    }
    let mut asm = TableAssembler::new();
    let mut pmt_pids: Vec<u16> = Vec::new();
    let mut ours: Vec<(u16, ts_si::section::CompleteTable)> = Vec::new();
    for chunk in data("test-103.ts").chunks(188) {
        let mut got = Vec::new();
        d.feed(chunk, &mut |s| got.push((s.pid, s.data.to_vec())));
        for (pid, sec) in got {
            let Some(t) = asm.push(pid, &sec) else {
                continue;
            };
            if t.key.table_id == 0x00 {
                let pat = ProgramAssociationTable::parse(
                    &Section::new_checked(&t.sections[0][..]).unwrap(),
                )
                .unwrap();
                if let Some(nit) = pat.network_pid() {
                    d.add_pid(nit);
                }
                let new: Vec<u16> = pat
                    .programs
                    .iter()
                    .filter(|p| p.0 != 0)
                    .map(|p| p.1)
                    .collect();
                for old in pmt_pids.iter().filter(|p| !new.contains(p)) {
                    asm.forget_pid(*old);
                }
                for p in &new {
                    d.add_pid(*p);
                }
                pmt_pids = new;
            }
            if !matches!(t.key.table_id, 0x70 | 0x73) {
                ours.push((pid, t));
            }
        }
    }
    let seq: Vec<String> = ours
        .iter()
        .map(|(p, t)| format!("{:02X}@{p:X} v{}", t.key.table_id, t.version))
        .collect();
    let ref_seq: Vec<&str> = reference.iter().map(|b| b.header.as_str()).collect();
    assert_eq!(
        ours.len(),
        reference.len(),
        "tables: {seq:?} vs {ref_seq:?}"
    );
    for ((pid, t), b) in ours.iter().zip(&reference) {
        let tid = t.key.table_id;
        assert!(
            b.header
                .ends_with(&format!("TID 0x{tid:02X} ({tid}), PID 0x{pid:04X} ({pid})")),
            "{} vs tid {tid} pid {pid}: {seq:?} vs {ref_seq:?}",
            b.header
        );
        let size: usize = t.sections.iter().map(|s| s.len()).sum();
        assert_eq!(
            b.lines[0],
            format!(
                "Version: {}, sections: {}, total size: {} bytes",
                t.version,
                t.sections.len(),
                size
            )
        );
        let sec = &t.sections[0];
        let s = Section::new_checked(&sec[..]).unwrap();
        let l = &b.lines[2..];
        let mut described: Vec<String> = Vec::new();
        match Table::parse(&s).unwrap().unwrap() {
            Table::Pat(p) => {
                described.push(format!(
                    "TS id: {} (0x{:04X})",
                    p.transport_stream_id(),
                    p.transport_stream_id()
                ));
                for (n, pid) in &p.programs {
                    let label = if *n == 0 {
                        "NIT:".to_string()
                    } else {
                        "Program:".to_string()
                    };
                    described.push(format!("{label} {n} (0x{n:04X}) PID: {pid} (0x{pid:04X})"));
                }
            }
            Table::Pmt(p) => {
                let pcr = if p.pcr_pid == 0x1FFF {
                    "none".to_string()
                } else {
                    format!("0x{:04X} ({})", p.pcr_pid, p.pcr_pid)
                };
                described.push(format!(
                    "Program: 0x{0:04X} ({0}), PCR PID: {pcr}",
                    p.program_number()
                ));
                for st in &p.streams {
                    described.push(format!(
                        "Elementary stream: type 0x{:02X} ({}), PID: 0x{:04X} ({})",
                        st.stream_type,
                        stream_type_name(st.stream_type),
                        st.elementary_pid,
                        st.elementary_pid
                    ));
                }
            }
            Table::Cat(c) => assert!(c.descriptors.is_empty()),
            Table::Nit(n) => {
                described.push(format!("Network Id: 0x{0:04X} ({0})", n.network_id()));
                described.push("Network information:".into());
                for d in &n.descriptors {
                    if let Descriptor::NetworkName(x) = d {
                        described.push(format!(
                            "- Descriptor 0: Network Name (0x40, 64), {} bytes",
                            x.name.0.len()
                        ));
                        described.push(format!("Name: \"{}\"", x.name.to_default_string()));
                    }
                }
                for t in &n.transports {
                    described.push(format!(
                        "Transport Stream Id: 0x{:04X} ({}), Original Network Id: 0x{:04X} ({})",
                        t.transport_stream_id,
                        t.transport_stream_id,
                        t.original_network_id,
                        t.original_network_id
                    ));
                    for d in &t.descriptors {
                        if let Descriptor::ServiceList(x) = d {
                            described.push(format!(
                                "- Descriptor 0: Service List (0x41, 65), {} bytes",
                                x.services.len() * 3
                            ));
                            for (id, ty) in &x.services {
                                described.push(format!("Service id: 0x{id:04X} ({id}), Type: 0x{ty:02X} (Digital television service)"));
                            }
                        }
                    }
                }
            }
            Table::Sdt(sdt) => {
                described.push(format!(
                    "Transport Stream Id: 0x{0:04X} ({0})",
                    sdt.transport_stream_id()
                ));
                described.push(format!(
                    "Original Network Id: 0x{0:04X} ({0})",
                    sdt.original_network_id
                ));
                for sv in &sdt.services {
                    let yn = |b: bool| if b { "yes" } else { "no" };
                    described.push(format!(
                        "Service Id: 0x{0:04X} ({0}), EITs: {1}, EITp/f: {2}, CA mode: {3}",
                        sv.service_id,
                        yn(sv.eit_schedule),
                        yn(sv.eit_present_following),
                        if sv.free_ca_mode {
                            "controlled"
                        } else {
                            "free"
                        }
                    ));
                    described.push(format!(
                        "Running status: {}",
                        running_status_name(sv.running_status)
                    ));
                    for d in &sv.descriptors {
                        if let Descriptor::Service(x) = d {
                            let mut body = Vec::new();
                            d.emit(&mut body).unwrap();
                            described.push(format!(
                                "- Descriptor 0: Service (0x48, 72), {} bytes",
                                body.len() - 2
                            ));
                            described.push(format!(
                                "Service type: 0x{:02X} (Digital television service)",
                                x.service_type
                            ));
                            described.push(format!(
                                "Service: \"{}\", Provider: \"{}\"",
                                x.service_name.to_default_string(),
                                x.provider_name.to_default_string()
                            ));
                        }
                    }
                }
            }
            other => panic!("unexpected {other:?}"),
        }
        let want: Vec<String> = l.iter().map(|x| norm(x)).collect();
        let got: Vec<String> = described.iter().map(|x| norm(x)).collect();
        assert_eq!(got, want, "{}", b.header);
    }
}

#[test]
fn vidtv_capture_yields_what_dvbv5_scan_found() {
    let conf = text("vidtv-dvbv5-channels.conf");
    let mut name = String::new();
    let mut kv = HashMap::new();
    for line in conf.lines().map(str::trim) {
        if let Some(n) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            name = n.to_string();
        } else if let Some((k, v)) = line.split_once(" = ") {
            kv.insert(k.to_string(), v.to_string());
        }
    }
    let c = collect("vidtv-dvbs-beethoven.ts");
    let r = analyze(&c, 0);
    assert_eq!(r.services.len(), 1);
    let s = &r.services[0];
    assert_eq!(s.name, name);
    assert_eq!(s.service_id.to_string(), kv["SERVICE_ID"]);
    assert_eq!(
        r.original_network_id.map(|v| v.to_string()).as_deref(),
        Some(kv["NETWORK_ID"].as_str())
    );
    assert_eq!(
        r.transport_stream_id.map(|v| v.to_string()).as_deref(),
        Some(kv["TRANSPORT_ID"].as_str())
    );
    let audio: Vec<String> = s
        .streams
        .iter()
        .filter(|st| st.kind == "audio")
        .map(|st| st.pid.to_string())
        .collect();
    assert_eq!(audio, vec![kv["AUDIO_PID"].clone()]);
    assert_eq!(r.errors.demux.crc_errors, 0);
    assert_eq!(r.networks.len(), 1);
    assert_eq!(r.networks[0].network_id.to_string(), kv["NETWORK_ID"]);
}
