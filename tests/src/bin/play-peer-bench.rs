//! Benchmark (not a test) of the player against its peer in the same emulated box, on the same services: the box
//! scans, activates itself over the air, and exports its channel list as a dvbv5 channel file. Then, in turns,
//! `stb-app play --channel N` and the LinuxTV way of watching the same service with GStreamer: `dvbv5-zap -P -r`
//! with that channel file (tuned, the transponder's packets to dvr0) and `gst-launch-1.0` reading dvr0 through
//! tsdemux (the service's programme) and decodebin, sound to the same sound card, pictures decoded to a clocked fakesink (what
//! `stb-app play` does without the screens). Both use the media disk's GStreamer, plugins and decoders.
//! Measured for each: the time from the command's start to the first sound buffer at the sound sink (ours: the
//! player's own report plus its start; the peer's: GStreamer's log line for that buffer, stamped with the guest's
//! clock as it comes), the peak resident memory (`VmHWM`) after 10 s. Prints `RESULT` lines for `benches/all.sh`.
//!   play-peer-bench [ROUNDS]     (default 2)

use std::time::{Duration, Instant};

use box_tests::BoxRun;

/// The services measured: SD (CCTV-1: MPEG-2, MPEG-1 Layer II) and HD (CCTV-1 高清: H.264 1080, AAC).
const SERVICES: [(&str, &str); 2] = [("sd", "CCTV-1 综合"), ("hd", "CCTV-1 高清")];

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// The value of `name=` in a line of `key=value` fields.
fn field(line: &str, name: &str) -> Option<f64> {
    line.split(' ')
        .find_map(|f| f.strip_prefix(name)?.strip_prefix('='))
        .and_then(|v| v.parse().ok())
}

fn script(rounds: usize) -> String {
    let mut s = String::from(
        r#"
m=/usr/lib/media
now() { cut -d' ' -f1 /proc/uptime; }
hwm() { sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' /proc/$1/status; }
number() { stb-app channels | grep -F "$1" | head -n 1 | awk '{print $1}'; }
# "VIDEO AUDIO SERVICE" of a service in the dvbv5 channel file, the PIDs in tsdemux's pad-name hex.
pids() {
    awk -v n="[$1]" '$0 == n { f = 1; next } /^\[/ { f = 0 }
        f && $1 == "VIDEO_PID" { v = $3 } f && $1 == "AUDIO_PID" { a = $3 } f && $1 == "SERVICE_ID" { s = $3 }
        END { printf "%04x %04x %d\n", v, a, s }' /tmp/ch.conf
}
stb-app scan --satellite 92.2E >/dev/null 2>&1 || echo scan-failed
stb-app activation listen --freq 11880 --pol r --sr 28800 --system dvbs2 --mod 8psk --fec 3/4 --timeout 60 >/dev/null 2>&1 || echo listen-failed
stb-app channels --export dvbv5 /tmp/ch.conf >/dev/null || echo export-failed
ours() { # LABEL NAME
    t0=$(now)
    stb-app play --channel "$(number "$2")" --seconds 12 --json >/tmp/ours.json 2>/tmp/ours.err &
    sleep 10
    p=$(pidof stb-play)
    start=$(awk '{print $22}' /proc/$p/stat)
    h=$(hwm $p)
    wait
    echo "OURS $1 t0=$t0 start_cs=$start hwm_kb=$h first_audio_ms=$(sed -n 's/.*"first_audio_ms":\([0-9]*\).*/\1/p' /tmp/ours.json | tail -n 1)"
}
peer() { # LABEL NAME
    set -- "$1" "$2" $(pids "$2")
    t0=$(now)
    # -P: the whole transponder to dvr0 (Debian 12's dvbv5-zap -p sets no PAT or PMT filter on this kernel, and
    # tsdemux needs them); tsdemux picks the service by its number.
    dvbv5-zap -c /tmp/ch.conf -l L10750 -P -r "$2" >/dev/null 2>&1 &
    zap=$!
    LD_LIBRARY_PATH=$m/lib GST_PLUGIN_SYSTEM_PATH_1_0=$m/lib/gstreamer-1.0 GST_PLUGIN_PATH_1_0= \
    GST_REGISTRY_1_0=/run/gstreamer-registry.bin GST_REGISTRY_FORK=no ALSA_CONFIG_DIR=$m/share/alsa \
    GST_DEBUG=basesink:5 GST_DEBUG_NO_COLOR=1 \
        $m/bin/gst-launch-1.0 filesrc location=/dev/dvb/adapter0/dvr0 ! tsdemux name=d program-number=$5 \
            d.audio_0_$4 ! queue ! decodebin ! audioconvert ! audioresample ! alsasink name=snd \
            d.video_0_$3 ! queue ! decodebin ! fakesink sync=true 2>&1 >/dev/null |
        awk -v t0="$t0" '!done && /gst_base_sink_chain_unlocked:<snd>/ {
            getline u < "/proc/uptime"; close("/proc/uptime"); split(u, a, " ")
            printf "first_audio_ms=%d\n", (a[1] - t0) * 1000; fflush(); done = 1 }' >/tmp/peer.out &
    sleep 10
    p=$(pidof gst-launch-1.0)
    h=$(hwm $p)
    kill $p $zap 2>/dev/null
    wait
    echo "PEER $1 hwm_kb=$h $(cat /tmp/peer.out)"
}
"#,
    );
    for _ in 0..rounds {
        for (label, name) in SERVICES {
            s.push_str(&format!("ours {label} '{name}'\npeer {label} '{name}'\n"));
        }
    }
    s.push_str("echo '=== end ==='\n");
    s
}

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(2);
    let emulator = box_tests::card_emulator();
    let wav = std::env::temp_dir().join(format!("play-peer-bench-{}.wav", std::process::id()));
    let g = BoxRun::new()
        .audio_out(&wav)
        .run_with(&script(rounds), |ctl| {
            let mut card = ctl.card_in_reader(&emulator);
            let deadline = Instant::now() + Duration::from_secs(1800);
            while ctl.alive() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(200));
            }
            let _ = card.kill();
            let _ = card.wait();
        });
    let _ = std::fs::remove_file(&wav);
    let kept =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../build/play-peer-bench.log");
    if std::fs::write(&kept, format!("{}\n{}", g.stdout, g.stderr)).is_ok() {
        eprintln!("play-peer-bench: the box's log is in {}", kept.display());
    }
    let mut missing = 0;
    for (label, _) in SERVICES {
        let lines = |who: &str| -> Vec<&str> {
            let prefix = format!("{who} {label} ");
            g.stdout
                .lines()
                .filter(|l| l.starts_with(&prefix))
                .collect()
        };
        let (ours, peer) = (lines("OURS"), lines("PEER"));
        for l in ours.iter().chain(&peer) {
            println!("{l}");
        }
        // Ours from the command's start: the player's start after it (in 1/100 s of the guest's uptime) plus the
        // time to its first sound that it reports.
        let ours_sound: Vec<f64> = ours
            .iter()
            .filter_map(|l| {
                Some(
                    field(l, "start_cs")? * 10.0 - field(l, "t0")? * 1000.0
                        + field(l, "first_audio_ms")?,
                )
            })
            .collect();
        let peer_sound: Vec<f64> = peer
            .iter()
            .filter_map(|l| field(l, "first_audio_ms"))
            .collect();
        let memory = |v: &[&str]| -> Vec<f64> {
            v.iter()
                .filter_map(|l| field(l, "hwm_kb"))
                .map(|k| k / 1024.0)
                .collect()
        };
        let (ours_mb, peer_mb) = (memory(&ours), memory(&peer));
        missing += [&ours_sound, &peer_sound, &ours_mb, &peer_mb]
            .iter()
            .filter(|v| v.len() < ours.len().max(1))
            .count();
        for (key, unit, o, p) in [
            (
                "start-to-sound",
                "ms",
                median(ours_sound),
                median(peer_sound),
            ),
            ("memory", "MB", median(ours_mb), median(peer_mb)),
        ] {
            println!(
                "RESULT peer-{label}-{key} ours={o:.1} peer={p:.1} unit={unit} peer_name=dvbv5-zap+gst-launch better=lower ratio={:.2}",
                o / p
            );
        }
    }
    if missing > 0 {
        eprintln!(
            "play-peer-bench: {missing} figures missing (see build/play-peer-bench.log):\n{}",
            g.stdout
        );
        std::process::exit(1);
    }
}
