//! Profiling aid for the PAT+PMT-only path of `benches/demux.rs` (`psi_pat_pmt`): runs ours
//! and mpeg2ts-reader alternately on the same stream and prints the best and the mean time of
//! each. Alternating exposes both to the same load, which criterion (one after the other)
//! cannot on a shared machine.
//! `cargo run --release -p ts-si --example psi_loop [ROUNDS]`; `perf record` it for a profile.

#[macro_use]
extern crate mpeg2ts_reader;

#[path = "../benches/shared/psi_work.rs"]
mod psi_work;
use psi_work::{long_stream as stream, mpeg2ts_reader_psi as peer, ours_psi as ours};

use std::hint::black_box;
use std::time::Instant;

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
