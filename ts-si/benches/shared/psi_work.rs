//! The PAT+PMT-only work both sides do in the `psi_pat_pmt` comparison, shared by `benches/demux.rs` (criterion)
//! and `examples/psi_loop.rs` (the alternating runs), so the two measure exactly the same code. The crate root
//! must have `#[macro_use] extern crate mpeg2ts_reader;`.

use std::hint::black_box;

/// The four captures of tests/data, each cut to whole packets, one after the other, four times.
pub fn long_stream() -> Vec<u8> {
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
    let mut out = Vec::with_capacity(one.len() * 4);
    for _ in 0..4 {
        out.extend_from_slice(&one);
    }
    out
}

// mpeg2ts-reader: PAT and PMT only (it has no SI tables).
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

/// Not inlined, so instruction counts (benches/psi-instructions.sh) can be taken per side.
#[inline(never)]
pub fn mpeg2ts_reader_psi(data: &[u8]) {
    use mpeg2ts_reader::demultiplex::Demultiplex;
    let mut ctx = PsiCtx::new();
    let mut demux = Demultiplex::new(&mut ctx);
    demux.push(&mut ctx, data);
}

/// Ours on the same work (see the module doc of benches/demux.rs). Not inlined, as the peer's.
#[inline(never)]
pub fn ours_psi(data: &[u8]) -> u64 {
    let mut d = ts_si::demux::Demux::empty();
    d.add_pid(0);
    // Same work as mpeg2ts-reader's null filters: other PIDs are not accounted.
    d.set_account_all_pids(false);
    // Like mpeg2ts-reader's dedup framer: parse a section once per version.
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
