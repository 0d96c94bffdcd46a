//! Throughput of demultiplexing and parsing every SI table of a long stream (the four
//! captures in tests/data repeated), ours side by side with the best existing crates on
//! the work they can do. `cargo bench -p ts-si`; figures in ts-si/README.md.
//!
//! Groups:
//! - `si_every_section`: demux + section reassembly + CRC + typed parse of every section
//!   (repeats included; a repeat byte-identical to its PID's last good section is
//!   verified by comparison instead of a second CRC) of every SI PID and PMT. Ours:
//!   `Demux` + `Table::parse` (owned structs, every descriptor typed). dvb-si: `SiDemux`
//!   with `emit_repeats(true)` + `table_section()` + walking every descriptor loop (its
//!   loops are lazy).
//! - `si_box`: what the box runs: new sections only, decoded into services/events
//!   (ours: `SiCollector`; dvb-si: `SiDemux` default gating + the same walk).
//! - `psi_pat_pmt`: what mpeg2ts-reader can do: PAT and PMT only. Both look at every
//!   packet (sync byte, transport_error_indicator, PID) and skip the other PIDs (its null
//!   filters; ours: `set_account_all_pids(false)`, no per-PID counts or continuity there);
//!   both follow the PAT to the PMT PIDs and parse each PAT/PMT section once per version.
//!   Repeats of a version: mpeg2ts-reader drops them at the section header (its
//!   `DedupSectionSyntaxPayloadParser` sits before the CRC check, so a repeat is neither
//!   buffered nor CRC-checked); ours reassembles every section, compares it byte for byte
//!   with the last good section of its PID (`SectionRef::repeat`) and CRC-checks whatever
//!   differs, then `CompletenessTracker` decides what is new. So ours checks every byte of
//!   every PAT/PMT section, the peer only the first of each version.

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use std::time::Duration;

#[macro_use]
extern crate mpeg2ts_reader;

#[path = "shared/psi_work.rs"]
mod psi_work;
use psi_work::{long_stream, mpeg2ts_reader_psi, ours_psi};

fn ours_every_section(data: &[u8]) -> u64 {
    let mut d = ts_si::demux::Demux::new();
    for pid in [0x20, 0x40, 0x64, 0xC8, 0x12C, 0x190, 0x1F4, 0x101, 0x444] {
        d.add_pid(pid);
    }
    let mut n = 0u64;
    d.feed(data, &mut |s| {
        let sec = ts_si::section::Section::new_unchecked(s.data);
        if let Ok(Some(t)) = ts_si::tables::Table::parse(&sec) {
            n += 1;
            black_box(&t);
        }
    });
    n
}

fn walk(l: &dvb_si::descriptors::DescriptorLoop<'_>) -> u64 {
    l.iter().map(|d| black_box(d).is_ok() as u64).sum()
}

fn dvbsi_walk(t: &dvb_si::tables::AnyTableSection<'_>) -> u64 {
    use dvb_si::tables::AnyTableSection as A;
    match t {
        A::EitSection(e) => e.events.iter().map(|ev| walk(&ev.descriptors)).sum(),
        A::SdtSection(s) => s.services.iter().map(|sv| walk(&sv.descriptors)).sum(),
        A::NitSection(n) => {
            walk(&n.network_descriptors)
                + n.transport_streams
                    .iter()
                    .map(|t| walk(&t.descriptors))
                    .sum::<u64>()
        }
        A::PmtSection(p) => walk(&p.program_info),
        _ => 0,
    }
}

fn dvbsi(data: &[u8], repeats: bool) -> u64 {
    let mut d = dvb_si::demux::SiDemux::builder().emit_repeats(repeats);
    for pid in [0x20, 0x40, 0x64, 0xC8, 0x12C, 0x190, 0x1F4, 0x101, 0x444] {
        d = d.pid(mpeg_ts_pid(pid));
    }
    let mut d = d.build();
    let mut n = 0u64;
    for p in data.chunks_exact(188) {
        for ev in d.feed(p) {
            if let Ok(t) = ev.table_section() {
                n += 1;
                black_box(dvbsi_walk(&t));
            }
        }
    }
    n
}

fn mpeg_ts_pid(p: u16) -> mpeg_ts::pid::Pid {
    mpeg_ts::pid::Pid::new(p)
}

fn ours_box(data: &[u8]) -> usize {
    let mut c = ts_si::collector::SiCollector::default();
    c.feed(data);
    c.si.events.len()
}

fn benches(c: &mut Criterion) {
    let data = long_stream();
    // Same work check: both see the same sections.
    eprintln!(
        "stream {} MB; sections parsed: ours {}, dvb-si {}",
        data.len() / 1_000_000,
        ours_every_section(&data),
        dvbsi(&data, true)
    );
    let mut g = c.benchmark_group("si_every_section");
    g.throughput(Throughput::Bytes(data.len() as u64));
    g.sample_size(10)
        .measurement_time(Duration::from_secs(8))
        .warm_up_time(Duration::from_secs(1));
    g.bench_function("ts-si", |b| b.iter(|| ours_every_section(black_box(&data))));
    g.bench_function("dvb-si 12", |b| b.iter(|| dvbsi(black_box(&data), true)));
    g.finish();
    let mut g = c.benchmark_group("si_box");
    g.throughput(Throughput::Bytes(data.len() as u64));
    g.sample_size(10)
        .measurement_time(Duration::from_secs(8))
        .warm_up_time(Duration::from_secs(1));
    g.bench_function("ts-si SiCollector", |b| {
        b.iter(|| ours_box(black_box(&data)))
    });
    g.bench_function("dvb-si 12 SiDemux", |b| {
        b.iter(|| dvbsi(black_box(&data), false))
    });
    g.finish();
    let mut g = c.benchmark_group("psi_pat_pmt");
    g.throughput(Throughput::Bytes(data.len() as u64));
    g.sample_size(10)
        .measurement_time(Duration::from_secs(8))
        .warm_up_time(Duration::from_secs(1));
    g.bench_function("ts-si", |b| b.iter(|| ours_psi(black_box(&data))));
    g.bench_function("mpeg2ts-reader 0.18", |b| {
        b.iter(|| mpeg2ts_reader_psi(black_box(&data)))
    });
    g.finish();
}

criterion_group!(all, benches);
criterion_main!(all);
