//! Benchmark (not a test) of zapping and playing on the emulated box, as a household does it: the box boots with
//! its card, is installed with the remote, activates itself over the air, then the remote's number keys zap back
//! and forth between channels of one transponder and of different transponders. The screens log how long after
//! each zap (the key that completed the channel's number reaching them) the first sound and the first picture
//! came (`ui: channel N: first sound X ms after the zap`); the
//! player's resident memory and CPU are read from /proc while it plays SD and HD. Prints `RESULT` lines for
//! `benches/all.sh`, against issue 12's targets.
//!   zap-bench [ROUNDS]     (default 2; each round is 5 same-transponder and 4 cross-transponder zaps)

use std::time::{Duration, Instant};

use box_tests::BoxRun;

/// The zaps of one round: (channel, whether it shares the transponder of the channel before). 1, 2: 11840 MHz;
/// 4: 12020 MHz; 7, 14: 11920 MHz; 13, 21: 11880 MHz (DVB-S2). (5, beside 4, is scrambled: it plays nothing.)
const ROUND: [(u32, bool); 9] = [
    (2, true),
    (4, false),
    (7, false),
    (14, true),
    (13, false),
    (21, true),
    (1, false),
    (2, true),
    (1, true),
];

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// The milliseconds from the zap to the first `what` ("sound" or "picture") of channel `n`, as logged in `out`.
fn first(out: &str, n: u32, what: &str) -> Option<f64> {
    let prefix = format!("ui: channel {n}: first {what} ");
    out.lines()
        .find_map(|l| l.strip_prefix(prefix.as_str()))
        .and_then(|rest| rest.split(' ').next())
        .and_then(|ms| ms.parse().ok())
}

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(2);
    let emulator = box_tests::card_emulator();
    // The box prints its log; on the host's word it reads the player's memory and CPU.
    let script = r#"
echo '=== started ==='
tail -n +1 -f /var/log/stb-app.log &
follow=$!
i=0
while [ ! -e /job/host-done ] && [ $i -lt 6000 ]; do
    if [ -e /job/measure ]; then
        rm -f /job/measure
        p=$(pidof stb-play)
        t0=$(cut -d' ' -f1 /proc/uptime); c0=$(awk '{print $14 + $15}' /proc/$p/stat)
        sleep 10
        t1=$(cut -d' ' -f1 /proc/uptime); c1=$(awk '{print $14 + $15}' /proc/$p/stat)
        hwm=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' /proc/$p/status)
        echo "=== measured cpu=$(awk -v a=$c0 -v b=$c1 -v s=$t0 -v e=$t1 'BEGIN { printf "%.2f", (b - a) / 100 / (e - s) }') hwm_kb=$hwm ==="
    fi
    sleep 0.2; i=$((i+1))
done
kill $follow
echo '=== end ==='
"#;
    let results = std::sync::Mutex::new(Vec::<String>::new());
    let g = BoxRun::new().ui().run_with(script, |ctl| {
        let mut card = ctl.card_in_reader(&emulator);
        let deadline = Instant::now() + Duration::from_secs(1800);
        let reached = |marker: &str| ctl.wait_for(marker, Some("=== started ==="), deadline);
        let done = |card: &mut std::process::Child| {
            let _ = std::fs::write(ctl.state.join("job/host-done"), b"");
            let _ = card.kill();
            let _ = card.wait();
        };
        if !(reached("ui: ready")
            && ctl.install_with_remote(&reached)
            && reached("ui: channel 1: first picture"))
        {
            eprintln!("zap-bench: the box was not installed and playing");
            return done(&mut card);
        }
        std::thread::sleep(Duration::from_secs(3));
        let zap = |n: u32| {
            let since = ctl.stdout_so_far().len();
            for d in n.to_string().chars() {
                ctl.monitor(&format!("sendkey {d}"));
            }
            let by = Instant::now() + Duration::from_secs(20);
            let mut got = (None, None);
            while Instant::now() < by && (got.0.is_none() || got.1.is_none()) {
                std::thread::sleep(Duration::from_millis(100));
                let out = ctl.stdout_so_far();
                let new = out.get(since..).unwrap_or_default();
                got = (first(new, n, "sound"), first(new, n, "picture"));
            }
            got
        };
        let mut lines = Vec::new();
        for _ in 0..rounds {
            for (n, same) in ROUND {
                let (sound, picture) = zap(n);
                let kind = if same { "same" } else { "cross" };
                lines.push(format!(
                    "ZAP {kind} {n} sound={} picture={}",
                    sound.map_or("none".into(), |v| v.to_string()),
                    picture.map_or("none".into(), |v| v.to_string())
                ));
                // Watched a little, as a household does before the next key.
                std::thread::sleep(Duration::from_secs(3));
            }
        }
        // The player's CPU and memory while it plays SD (CCTV-1, MPEG-2) and HD (CCTV-1 高清, H.264 1080).
        for (label, n) in [("sd", 1u32), ("hd", 101)] {
            zap(n);
            std::thread::sleep(Duration::from_secs(5));
            let before = ctl.stdout_so_far().len();
            let _ = std::fs::write(ctl.state.join("job/measure"), b"");
            let by = Instant::now() + Duration::from_secs(60);
            while Instant::now() < by {
                let out = ctl.stdout_so_far();
                if let Some(l) = out
                    .get(before..)
                    .unwrap_or_default()
                    .lines()
                    .find(|l| l.starts_with("=== measured "))
                {
                    lines.push(format!("PLAY {label} {l}"));
                    break;
                }
                std::thread::sleep(Duration::from_millis(200));
            }
        }
        results.lock().unwrap().extend(lines);
        done(&mut card);
    });
    // The box's log beside the figures, for whoever reads why a zap was slow.
    let kept = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../build/zap-bench.log");
    if std::fs::write(&kept, &g.stdout).is_ok() {
        eprintln!("zap-bench: the box's log is in {}", kept.display());
    }
    let lines = results.into_inner().unwrap();
    if lines.is_empty() {
        eprintln!("zap-bench: no figures from the box:\n{}", g.stdout);
        std::process::exit(1);
    }
    for l in &lines {
        println!("{l}");
    }
    let figures = |kind: &str, what: &str| -> Vec<f64> {
        lines
            .iter()
            .filter(|l| l.starts_with(&format!("ZAP {kind} ")))
            .filter_map(|l| {
                l.split(' ')
                    .find_map(|f| f.strip_prefix(&format!("{what}=")))
                    .and_then(|v| v.parse().ok())
            })
            .collect()
    };
    let mut missing = 0;
    // Issue 12: same-transponder zap → sound within 0.5 s. The others have no target there: the same 0.5 s is
    // the yardstick, so their ratio says how far from it they are.
    for (key, kind, what) in [
        ("zap-same-sound", "same", "sound"),
        ("zap-same-picture", "same", "picture"),
        ("zap-cross-sound", "cross", "sound"),
        ("zap-cross-picture", "cross", "picture"),
    ] {
        let v = figures(kind, what);
        let zaps = lines
            .iter()
            .filter(|l| l.starts_with(&format!("ZAP {kind} ")))
            .count();
        missing += zaps - v.len();
        let m = median(v);
        println!(
            "RESULT {key} ours={m:.0} peer=500 unit=ms peer_name=target better=lower ratio={:.2}",
            m / 500.0
        );
    }
    for l in lines.iter().filter(|l| l.starts_with("PLAY ")) {
        let label = l.split(' ').nth(1).unwrap_or_default();
        let field = |name: &str| -> Option<f64> {
            l.split([' ', '='])
                .skip_while(|f| *f != name)
                .nth(1)
                .and_then(|v| v.parse().ok())
        };
        if let (Some(cpu), Some(hwm)) = (field("cpu"), field("hwm_kb")) {
            let mb = hwm / 1024.0;
            // Issue 12: resident memory while playing HD ≤ 96 MB; the same yardstick for SD.
            println!(
                "RESULT play-{label}-memory ours={mb:.1} peer=96 unit=MB peer_name=target better=lower ratio={:.2}",
                mb / 96.0
            );
            // CPU of the player in the 2-core guest (1.0 = one core), against one core.
            println!(
                "RESULT play-{label}-cpu ours={cpu:.2} peer=1 unit=cores peer_name=one-core better=lower ratio={cpu:.2}"
            );
        }
    }
    if missing > 0 {
        eprintln!("zap-bench: {missing} zaps brought no sound or no picture within 20 s");
        std::process::exit(1);
    }
}
