//! Time to first result from a GPS stream that already has a fix, at 9600 baud.
//!
//! A real pty with the emulated receiver (1 Hz bursts paced at 9600 baud, fix from the
//! start, running before the tool starts); the clock runs from spawning `dish-align --gps`
//! until it has printed its answer and exited. Side by side: the same with `--baud 9600`,
//! and a Python peer (pyserial + pynmea2 + pyproj) at a known 9600 baud.
//! Run: `cargo bench -p dish-align --bench first_fix` (target: under 2 s).

#[path = "../tests/support/emulator.rs"]
mod emulator;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use emulator::{Emulator, Script};

const TRIALS: usize = 12;

fn time_one(make: &dyn Fn(&str) -> Command, baud: u32, seed: u64) -> Option<Duration> {
    let emu = Emulator::start(Script {
        seed,
        baud,
        ..Script::default()
    });
    // Let the receiver run so the stream "already has a fix"; vary the phase of the burst.
    std::thread::sleep(Duration::from_millis(1200 + (seed % 10) * 97));
    let t0 = Instant::now();
    let st = make(emu.slave_path.to_str()?)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .ok()?;
    let el = t0.elapsed();
    st.success().then_some(el)
}

fn stats(name: &str, baud: u32, make: &dyn Fn(&str) -> Command) -> Option<f64> {
    let mut v: Vec<f64> = (0..TRIALS)
        .filter_map(|i| time_one(make, baud, 0x1234 + i as u64))
        .map(|d| d.as_secs_f64())
        .collect();
    if v.is_empty() {
        println!("{name:<44} (not available)");
        return None;
    }
    v.sort_by(f64::total_cmp);
    let med = v[v.len() / 2];
    println!(
        "{name:<44} n={:<3} min {:.3} s  median {:.3} s  max {:.3} s",
        v.len(),
        v[0],
        med,
        v[v.len() - 1]
    );
    Some(med)
}

fn main() {
    // `cargo bench` passes --bench; nothing else to parse.
    let exe = env!("CARGO_BIN_EXE_dish-align");
    println!("time to first result, GPS at 9600 baud with a fix, {TRIALS} trials each");
    let auto = stats("dish-align --gps PTY (auto-baud)", 9600, &|p| {
        let mut c = Command::new(exe);
        c.args(["--gps", p, "--json"]);
        c
    });
    stats("dish-align --gps PTY --baud 9600", 9600, &|p| {
        let mut c = Command::new(exe);
        c.args(["--gps", p, "--baud", "9600", "--json"]);
        c
    });
    stats("(info) 4800-baud receiver, auto-baud", 4800, &|p| {
        let mut c = Command::new(exe);
        c.args(["--gps", p, "--json"]);
        c
    });
    let peer_script = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/peer_first_fix.py");
    let peer = stats("peer: python pyserial+pynmea2+pyproj @9600", 9600, &|p| {
        let mut c = Command::new("python3");
        c.args([peer_script, p]);
        c
    });
    if let (Some(a), Some(p)) = (auto, peer) {
        println!("ratio peer/dish-align (median): {:.2}", p / a);
    }
}
