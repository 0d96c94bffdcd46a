//! `stb-app sections`: reads sections through a kernel section filter and prints them decoded or in hex.

use std::time::{Duration, Instant};

use serde::Serialize;
use stb_app::dvb::{Adapter, SectionFilter};
use stb_app::tuner::linux::DemuxSections;
use stb_app::tuner::SectionSource;

use super::{print_json, CliError, CliResult};

#[derive(clap::Args, Debug)]
pub struct SectionsArgs {
    /// PID to filter (decimal or 0x hex).
    #[arg(long, value_parser = super::parse_int)]
    pub pid: u32,
    /// table_id to match (decimal or 0x hex).
    #[arg(long, value_parser = super::parse_int)]
    pub table: u32,
    /// Mask for table_id (e.g. 0xf0 with --table 0x50 for every EIT schedule table).
    #[arg(long, value_parser = super::parse_int, default_value = "0xff")]
    pub mask: u32,
    /// How many sections to read.
    #[arg(long, default_value_t = 1)]
    pub count: u32,
    /// Print only the bytes, in hex.
    #[arg(long)]
    pub hex: bool,
    #[arg(long)]
    pub json: bool,
    /// Seconds to wait for each section.
    #[arg(long, default_value_t = 10.0)]
    pub timeout: f64,
    #[arg(long, default_value_t = 0)]
    pub adapter: u32,
}

#[derive(Serialize)]
struct SectionReport {
    pid: u16,
    table_id: u8,
    length: usize,
    crc_ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    header: Option<LongHeader>,
    decoded: Vec<String>,
    hex: String,
}

#[derive(Serialize)]
struct LongHeader {
    table_id_extension: u16,
    version: u8,
    current_next: bool,
    section_number: u8,
    last_section_number: u8,
}

fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn describe(pid: u16, s: &[u8]) -> SectionReport {
    let table_id = s.first().copied().unwrap_or(0xff);
    let long = s.len() >= 12 && s.get(1).is_some_and(|b| b & 0x80 != 0);
    let header = long.then(|| LongHeader {
        table_id_extension: u16::from_be_bytes([s[3], s[4]]),
        version: (s[5] >> 1) & 0x1f,
        current_next: s[5] & 1 != 0,
        section_number: s[6],
        last_section_number: s[7],
    });
    let crc_ok = !long || ts_si::crc::crc32_mpeg2(s) == 0;
    let decoded = if crc_ok { decode(s) } else { Vec::new() };
    SectionReport {
        pid,
        table_id,
        length: s.len(),
        crc_ok,
        header,
        decoded,
        hex: hex(s),
    }
}

/// A readable summary of the section's body, from the SI engine's table types. Text without a charset byte is
/// read as GB18030, as the box does for Chinese networks.
fn decode(bytes: &[u8]) -> Vec<String> {
    use ts_si::descriptors::Descriptor;
    use ts_si::tables::{stream_type_name, Table};
    let Ok(section) = ts_si::section::Section::new_checked(bytes) else {
        return Vec::new();
    };
    let Ok(Some(table)) = Table::parse(&section) else {
        return Vec::new();
    };
    let policy = ts_si::text::CharsetPolicy::with_default(ts_si::text::Charset::Gb18030);
    let mut out = Vec::new();
    match table {
        // ISO/IEC 13818-1 2.4.4.3: program_number -> PMT PID; program 0 names the NIT PID.
        Table::Pat(t) => {
            for (program, pid) in t.programs {
                out.push(if program == 0 {
                    format!("network PID 0x{pid:04x}")
                } else {
                    format!("program {program} -> PMT PID 0x{pid:04x}")
                });
            }
        }
        Table::Cat(t) => {
            for d in t.descriptors.iter() {
                if let Descriptor::Ca(c) = d {
                    out.push(format!(
                        "CA system 0x{:04x} EMM PID 0x{:04x}",
                        c.ca_system_id, c.ca_pid
                    ));
                }
            }
        }
        Table::Pmt(t) => {
            out.push(format!(
                "program {} PCR PID 0x{:04x}",
                t.program_number(),
                t.pcr_pid
            ));
            for es in t.streams {
                out.push(format!(
                    "PID 0x{:04x} type 0x{:02x} {}",
                    es.elementary_pid,
                    es.stream_type,
                    stream_type_name(es.stream_type)
                ));
            }
        }
        Table::Sdt(t) => {
            let onid = t.original_network_id;
            out.push(format!(
                "transport stream 0x{:04x} original network 0x{onid:04x}",
                t.transport_stream_id()
            ));
            for svc in t.services {
                for d in svc.descriptors.iter() {
                    if let Descriptor::Service(sd) = d {
                        out.push(format!(
                            "service {} type 0x{:02x} \"{}\" provider \"{}\"{}",
                            svc.service_id,
                            sd.service_type,
                            sd.service_name.decode(&policy, Some(onid)),
                            sd.provider_name.decode(&policy, Some(onid)),
                            if svc.free_ca_mode { " scrambled" } else { "" }
                        ));
                    }
                }
            }
        }
        Table::Nit(t) => {
            for d in t.descriptors.iter() {
                if let Descriptor::NetworkName(n) = d {
                    out.push(format!("network \"{}\"", n.name.decode(&policy, None)));
                }
            }
            for ts in t.transports {
                out.push(format!(
                    "transport stream 0x{:04x} original network 0x{:04x}",
                    ts.transport_stream_id, ts.original_network_id
                ));
            }
        }
        Table::Eit(t) => {
            let onid = t.original_network_id;
            for e in t.events {
                let title = e.descriptors.iter().find_map(|d| match d {
                    Descriptor::ShortEvent(s) => Some(s.event_name.decode(&policy, Some(onid))),
                    _ => None,
                });
                out.push(format!(
                    "event {} {} +{} s \"{}\"",
                    e.event_id,
                    e.start_time.to_iso(),
                    e.duration_secs(),
                    title.unwrap_or_default()
                ));
            }
        }
        Table::Tdt(t) => out.push(format!("UTC {}", t.utc_time.to_iso())),
        Table::Tot(t) => out.push(format!("UTC {}", t.utc_time.to_iso())),
        Table::Bat(_) => {}
    }
    out
}

pub fn run(a: &SectionsArgs) -> CliResult {
    let pid = u16::try_from(a.pid)
        .ok()
        .filter(|p| *p <= 0x1fff)
        .ok_or_else(|| CliError::usage(format!("PID {} is over 0x1FFF", a.pid)))?;
    let table = u8::try_from(a.table)
        .map_err(|_| CliError::usage(format!("table id {} is over 0xFF", a.table)))?;
    let mask = u8::try_from(a.mask)
        .map_err(|_| CliError::usage(format!("mask {} is over 0xFF", a.mask)))?;
    if !(a.timeout.is_finite() && a.timeout > 0.0 && a.timeout <= 3600.0) {
        return Err(CliError::usage(
            "--timeout must be between 0 and 3600 seconds",
        ));
    }
    let adapter = Adapter::open(a.adapter)?;
    let demux = adapter.demux()?;
    demux.set_buffer_size(256 * 1024)?;
    demux.set_section_filter(&SectionFilter::table_masked(pid, table, mask))?;
    let mut source = DemuxSections::new(demux);
    let timeout = Duration::from_secs_f64(a.timeout);
    for n in 1..=a.count {
        let start = Instant::now();
        let Some(s) = source.next_section(timeout)? else {
            return Err(CliError::failed(format!(
                "no section with table_id 0x{table:02x} on PID 0x{pid:04x} within {:.1} s (is the tuner locked? try `stb-app status`)",
                start.elapsed().as_secs_f64()
            )));
        };
        let r = describe(pid, &s);
        if a.json {
            print_json(&r)?;
        } else if a.hex {
            println!("{}", r.hex);
        } else {
            print!(
                "section {n}: PID 0x{pid:04x} table_id 0x{:02x} length {} ",
                r.table_id, r.length
            );
            match &r.header {
                Some(h) => println!(
                    "extension 0x{:04x} version {} {} section {}/{} CRC {}",
                    h.table_id_extension,
                    h.version,
                    if h.current_next { "current" } else { "next" },
                    h.section_number,
                    h.last_section_number,
                    if r.crc_ok { "ok" } else { "WRONG" }
                ),
                None => println!("(short section)"),
            }
            for line in &r.decoded {
                println!("  {line}");
            }
            println!("  {}", r.hex);
        }
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::decode;

    /// The first complete section of `pid` with `table_id` in the vidtv capture.
    fn section(pid: u16, table_id: u8) -> Vec<u8> {
        let ts = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/vidtv-dvbs-beethoven.ts"
        ))
        .unwrap();
        let mut demux = ts_si::demux::Demux::empty();
        demux.add_pid(pid);
        let mut found = None;
        demux.feed(&ts, &mut |s| {
            if found.is_none() && s.data.first() == Some(&table_id) {
                found = Some(s.data.to_vec());
            }
        });
        found.unwrap()
    }

    #[test]
    fn sections_are_decoded_for_technicians() {
        assert_eq!(
            decode(&section(0x0000, 0x00)),
            vec!["program 2176 -> PMT PID 0x0101", "network PID 0x0010"]
        );
        let sdt = decode(&section(0x0011, 0x42));
        assert!(
            sdt.iter()
                .any(|l| l == "service 2176 type 0x02 \"Beethoven\" provider \"LinuxTV.org\""),
            "{sdt:?}"
        );
        let pmt = decode(&section(0x0101, 0x02));
        assert_eq!(pmt[0], "program 2176 PCR PID 0x0200");
        assert!(pmt[1].starts_with("PID 0x0111 type 0x06"), "{pmt:?}");
        let nit = decode(&section(0x0010, 0x40));
        assert!(
            nit.contains(&"network \"LinuxTV.org\"".to_string()),
            "{nit:?}"
        );
        let eit = decode(&section(0x0012, 0x4e));
        assert!(eit.iter().any(|l| l.contains("Für Elise")), "{eit:?}");
        let mut broken = section(0x0011, 0x42);
        let n = broken.len();
        broken[n - 1] ^= 1;
        assert!(
            decode(&broken).is_empty(),
            "a section whose CRC is wrong is not decoded"
        );
    }
}
