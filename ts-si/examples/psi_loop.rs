//! Times the PSI-only demux loop (profiling aid): `cargo run --release --example psi_loop`.
fn main() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/");
    let mut data = Vec::new();
    for f in [
        "test-184.ts",
        "test-030.out.ts",
        "test-103.ts",
        "vidtv-dvbs-beethoven.ts",
    ] {
        let d = std::fs::read(format!("{dir}{f}")).unwrap();
        data.extend_from_slice(&d[..d.len() / 188 * 188]);
    }
    let one = data.clone();
    for _ in 0..3 {
        data.extend_from_slice(&one);
    }
    let t = std::time::Instant::now();
    let mut n = 0u64;
    for _ in 0..50 {
        let mut d = ts_si::demux::Demux::empty();
        d.add_pid(0);
        d.feed(&data, &mut |_s| n += 1);
    }
    let el = t.elapsed();
    println!(
        "{} packets/iter, {:.1} ns/packet, {n} sections",
        data.len() / 188,
        el.as_nanos() as f64 / 50.0 / (data.len() / 188) as f64
    );
}
