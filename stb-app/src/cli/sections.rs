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

/// A readable summary of the section's body for the tables a technician asks for most.
fn decode(s: &[u8]) -> Vec<String> {
    match s.first() {
        // PAT (ISO/IEC 13818-1 2.4.4.3): program_number -> PMT PID; program 0 names the NIT PID.
        Some(0x00) if s.len() >= 12 => s[8..s.len() - 4]
            .chunks_exact(4)
            .map(|p| {
                let program = u16::from_be_bytes([p[0], p[1]]);
                let pid = u16::from_be_bytes([p[2] & 0x1f, p[3]]);
                if program == 0 {
                    format!("network PID 0x{pid:04x}")
                } else {
                    format!("program {program} -> PMT PID 0x{pid:04x}")
                }
            })
            .collect(),
        _ => Vec::new(),
    }
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
