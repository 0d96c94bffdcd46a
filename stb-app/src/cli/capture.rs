//! `stb-app capture`: records the transport stream of the tuned transponder from `dvr0` (all of it, or chosen
//! PIDs routed there by demux TS filters) into a file, for `stb-app ts analyze` here or any analyser elsewhere.

use std::collections::BTreeMap;
use std::io::Write;
use std::time::{Duration, Instant};

use serde::Serialize;
use stb_app::dvb::{Adapter, TsOutput};

use super::{print_json, CliError, CliResult};

#[derive(clap::Args, Debug)]
pub struct CaptureArgs {
    /// PIDs to record (repeatable, decimal or 0x hex); without it, the whole stream.
    #[arg(long = "pid", value_parser = super::parse_int)]
    pub pids: Vec<u32>,
    /// Stop after this many packets.
    #[arg(long, default_value_t = 10_000)]
    pub packets: u64,
    /// Stop after this many seconds at most.
    #[arg(long, default_value_t = 10.0)]
    pub seconds: f64,
    /// The file to write.
    #[arg(long)]
    pub out: std::path::PathBuf,
    #[arg(long)]
    pub json: bool,
    #[arg(long, default_value_t = 0)]
    pub adapter: u32,
}

#[derive(Serialize, Default)]
struct CaptureReport {
    packets: u64,
    bytes: u64,
    /// Packets per PID.
    pids: BTreeMap<u16, u64>,
    /// Packets whose first byte was not 0x47.
    sync_errors: u64,
    seconds: f64,
}

enum Source {
    Dvr(stb_app::dvb::Dvr),
    Demux,
}

pub fn run(a: &CaptureArgs) -> CliResult {
    let mut pids = Vec::new();
    for &p in &a.pids {
        pids.push(
            u16::try_from(p)
                .ok()
                .filter(|p| *p < 0x1fff)
                .ok_or_else(|| CliError::usage(format!("PID {p} is not 0 to 0x1FFE")))?,
        );
    }
    if !(a.seconds.is_finite() && a.seconds > 0.0 && a.seconds <= 86_400.0) {
        return Err(CliError::usage("--seconds must be between 0 and 86400"));
    }
    let adapter = Adapter::open(a.adapter)?;
    let demux = adapter.demux()?;
    demux.set_buffer_size(4 * 1024 * 1024)?;
    // The whole stream comes through dvr0; a PID list through the demux file itself, as the kernel allows
    // several PIDs on one filter only there.
    let mut source = match pids.split_first() {
        None => {
            demux.set_ts_filter(0x2000, TsOutput::Dvr)?;
            Source::Dvr(adapter.dvr()?)
        }
        Some((first, rest)) => {
            demux.set_ts_filter(*first, TsOutput::Demux)?;
            for p in rest {
                demux.add_pid(*p)?;
            }
            Source::Demux
        }
    };
    demux.start()?;
    let mut demux = demux;
    let mut out = std::fs::File::create(&a.out)
        .map_err(|e| CliError::failed(format!("{}: {e}", a.out.display())))?;
    let start = Instant::now();
    let limit = Duration::from_secs_f64(a.seconds);
    let mut report = CaptureReport::default();
    let mut buf = vec![0u8; 188 * 512];
    let mut pending: Vec<u8> = Vec::new();
    while report.packets < a.packets && start.elapsed() < limit {
        let wait = limit
            .saturating_sub(start.elapsed())
            .min(Duration::from_millis(500));
        let n = match &mut source {
            Source::Dvr(dvr) => dvr.read(&mut buf, wait)?,
            Source::Demux => demux.read_ts(&mut buf, wait)?,
        };
        pending.extend_from_slice(&buf[..n]);
        let whole = pending.len() / 188 * 188;
        let take = whole.min(((a.packets - report.packets) * 188) as usize);
        for p in pending[..take].chunks_exact(188) {
            if p[0] != 0x47 {
                report.sync_errors += 1;
            }
            *report
                .pids
                .entry(u16::from_be_bytes([p[1] & 0x1f, p[2]]))
                .or_default() += 1;
        }
        out.write_all(&pending[..take])
            .map_err(|e| CliError::failed(format!("{}: {e}", a.out.display())))?;
        report.packets += (take / 188) as u64;
        report.bytes += take as u64;
        pending.drain(..whole);
    }
    demux.stop()?;
    out.sync_all()
        .map_err(|e| CliError::failed(format!("{}: {e}", a.out.display())))?;
    report.seconds = start.elapsed().as_secs_f64();
    if a.json {
        print_json(&report)?;
    } else {
        println!(
            "{} packets ({} bytes) in {:.1} s to {}",
            report.packets,
            report.bytes,
            report.seconds,
            a.out.display()
        );
        for (pid, n) in &report.pids {
            println!("  PID 0x{pid:04x}: {n} packets");
        }
        if report.sync_errors > 0 {
            println!(
                "  {} packets without the 0x47 sync byte",
                report.sync_errors
            );
        }
    }
    if report.packets == 0 {
        return Err(CliError::failed(
            "no packets arrived: is the tuner locked? try `stb-app status`",
        ));
    }
    Ok(0)
}
