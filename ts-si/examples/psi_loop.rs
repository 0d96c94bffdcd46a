//! Profiling aid for the PAT+PMT-only path of `benches/demux.rs` (`psi_pat_pmt`): runs ours
//! and mpeg2ts-reader alternately on the same stream and prints the best and the mean time of
//! each. Alternating exposes both to the same load, which criterion (one after the other)
//! cannot on a shared machine.
//! `cargo run --release -p ts-si --example psi_loop [ROUNDS]`; `perf record` it for a profile.

#[macro_use]
extern crate mpeg2ts_reader;

use std::hint::black_box;
use std::time::Instant;

fn stream() -> Vec<u8> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/");
    let mut one = Vec::new();
    for f in [
        "test-184.ts",
        "test-030.out.ts",
        "test-103.ts",
        "vidtv-dvbs-beethoven.ts",
    ] {
        let d = std::fs::read(format!("{dir}{f}")).expect("capture");
        one.extend_from_slice(&d[..d.len() / 188 * 188]);
    }
    one.repeat(4)
}

/// The same work as `ours_psi` in benches/demux.rs.
fn ours(data: &[u8]) -> u64 {
    let mut d = ts_si::demux::Demux::empty();
    d.add_pid(0);
    d.set_account_all_pids(false);
    let mut seen = ts_si::section::CompletenessTracker::new();
    let mut n = 0u64;
    d.feed_with_control(data, &mut |s, add| {
        // A byte-identical repetition of the last section of its PID is not new (same
        // version); mpeg2ts-reader drops same-version sections at their header instead.
        if s.repeat {
            return;
        }
        let sec = ts_si::section::Section::new_unchecked(s.data);
        if !matches!(
            seen.record(s.pid, &sec),
            ts_si::section::SectionNews::New { .. }
        ) {
            return;
        }
        match ts_si::tables::Table::parse(&sec) {
            Ok(Some(ts_si::tables::Table::Pat(p))) if s.pid == 0 => {
                add.extend(p.programs.iter().filter(|x| x.0 != 0).map(|x| x.1));
                n += 1;
            }
            Ok(Some(t)) => {
                black_box(t);
                n += 1;
            }
            _ => {}
        }
    });
    n
}

packet_filter_switch! {
    PsiSwitch<PsiCtx> {
        Pat: mpeg2ts_reader::demultiplex::PatPacketFilter<PsiCtx>,
        Pmt: mpeg2ts_reader::demultiplex::PmtPacketFilter<PsiCtx>,
        Null: mpeg2ts_reader::demultiplex::NullPacketFilter<PsiCtx>,
    }
}
demux_context!(PsiCtx, PsiSwitch);
impl PsiCtx {
    fn do_construct(
        &mut self,
        req: mpeg2ts_reader::demultiplex::FilterRequest<'_, '_>,
    ) -> PsiSwitch {
        use mpeg2ts_reader::demultiplex::{
            FilterRequest, NullPacketFilter, PatPacketFilter, PmtPacketFilter,
        };
        match req {
            FilterRequest::ByPid(mpeg2ts_reader::psi::pat::PAT_PID) => {
                PsiSwitch::Pat(PatPacketFilter::default())
            }
            FilterRequest::Pmt {
                pid,
                program_number,
            } => PsiSwitch::Pmt(PmtPacketFilter::new(pid, program_number)),
            _ => PsiSwitch::Null(NullPacketFilter::default()),
        }
    }
}

fn peer(data: &[u8]) {
    use mpeg2ts_reader::demultiplex::Demultiplex;
    let mut ctx = PsiCtx::new();
    let mut demux = Demultiplex::new(&mut ctx);
    demux.push(&mut ctx, data);
}

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(300);
    let data = stream();
    let packets = (data.len() / 188) as f64;
    let (mut best_ours, mut best_peer) = (f64::MAX, f64::MAX);
    let (mut sum_ours, mut sum_peer) = (0.0, 0.0);
    let mut sections = 0;
    for _ in 0..rounds {
        let t = Instant::now();
        sections = ours(black_box(&data));
        let e = t.elapsed().as_secs_f64();
        best_ours = best_ours.min(e);
        sum_ours += e;
        let t = Instant::now();
        peer(black_box(&data));
        let e = t.elapsed().as_secs_f64();
        best_peer = best_peer.min(e);
        sum_peer += e;
    }
    let mbs = |s: f64| data.len() as f64 / s / 1e6;
    println!(
        "{} packets, {sections} new sections; best of {rounds}: ts-si {:.2} ns/packet \
         {:.0} MB/s, mpeg2ts-reader {:.2} ns/packet {:.0} MB/s, ratio {:.2}; mean: ts-si \
         {:.0} MB/s, mpeg2ts-reader {:.0} MB/s, ratio {:.2}",
        packets,
        best_ours * 1e9 / packets,
        mbs(best_ours),
        best_peer * 1e9 / packets,
        mbs(best_peer),
        best_peer / best_ours,
        mbs(sum_ours / rounds as f64),
        mbs(sum_peer / rounds as f64),
        sum_peer / sum_ours
    );
}
