//! The box plays the sound of the tuned service (issue 12): `stb-app play` on the emulated box, its decoders from
//! the media disk, its sound through the emulated sound card (QEMU's intel-hda) recorded into a WAV file on the
//! host. Each of the sky's services sounds a sine of its own pitch, so the recording tells which service was heard.
//! The operator's channels play only once the box is activated (here: by its authorisation over the satellite).
//! And the box as a household uses it: installed with the remote, the watching screen plays the channel, the
//! remote's mute and volume keys act on what the sound card plays.

use std::path::Path;
use std::process::{Command, Stdio};

use box_tests::{top, BoxRun};

/// The card emulator with test card 8100000001 (the one the sky's authorisation is for).
fn card_in_reader(ctl: &box_tests::Control) -> std::process::Child {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let ok = Command::new(cargo)
        .current_dir(top())
        .args(["build", "-q", "-p", "smartcard", "--bins"])
        .status()
        .expect("cargo runs");
    assert!(ok.success(), "building card-emulator");
    Command::new(top().join("target/debug/card-emulator"))
        .current_dir(top())
        .arg("--socket")
        .arg(ctl.state.join("card.sock"))
        .args([
            "--card-number",
            "8100000001",
            "--card-key",
            "smartcard/testdata/TEST-card-8100000001.key",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("card-emulator starts")
}

/// The samples of a 16-bit PCM WAV file (QEMU's wav audio backend), mixed to mono, and their rate.
fn read_wav(path: &Path) -> (Vec<f32>, u32) {
    let b = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(
        b.len() > 44 && &b[0..4] == b"RIFF" && &b[8..12] == b"WAVE",
        "not a WAV file"
    );
    let (mut rate, mut channels, mut bits) = (0u32, 0usize, 0u16);
    let mut at = 12;
    while at + 8 <= b.len() {
        let id = &b[at..at + 4];
        let len = u32::from_le_bytes([b[at + 4], b[at + 5], b[at + 6], b[at + 7]]) as usize;
        let body = at + 8;
        if id == b"fmt " {
            channels = usize::from(u16::from_le_bytes([b[body + 2], b[body + 3]]));
            rate = u32::from_le_bytes([b[body + 4], b[body + 5], b[body + 6], b[body + 7]]);
            bits = u16::from_le_bytes([b[body + 14], b[body + 15]]);
        } else if id == b"data" {
            assert_eq!(bits, 16, "QEMU records 16-bit samples");
            // QEMU fixes the header's lengths when it exits; read to the end of the file whatever they say.
            let data = &b[body..];
            let frame = 2 * channels;
            let samples = data
                .chunks_exact(frame)
                .map(|f| {
                    let sum: f32 = f
                        .chunks_exact(2)
                        .map(|s| f32::from(i16::from_le_bytes([s[0], s[1]])))
                        .sum();
                    sum / channels as f32 / 32768.0
                })
                .collect();
            return (samples, rate);
        }
        at = body + len + (len & 1);
    }
    panic!("the WAV file has no data chunk");
}

/// Power of `f` Hz in `samples` at `rate` (Goertzel).
fn power(samples: &[f32], rate: u32, f: f64) -> f64 {
    let w = 2.0 * std::f64::consts::PI * f / f64::from(rate);
    let c = 2.0 * w.cos();
    let (mut s1, mut s2) = (0.0f64, 0.0f64);
    for &x in samples {
        let s0 = f64::from(x) + c * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    (s1 * s1 + s2 * s2 - c * s1 * s2) / samples.len() as f64
}

/// Seconds of the recording (in half-second windows) where `tone` is clearly heard: loud, and far above the
/// pitches beside it and above every other service's pitch.
fn seconds_heard(samples: &[f32], rate: u32, tone: f64, others: &[f64]) -> f64 {
    let window = rate as usize / 2;
    let loud = samples
        .chunks_exact(window)
        .filter(|w| {
            let at = power(w, rate, tone);
            // A full-scale sine gives 0.25 * N / 2; ask for about -30 dBFS at least.
            at > 1e-4 * window as f64
                && [tone - 100.0, tone + 100.0]
                    .iter()
                    .chain(others)
                    .all(|&o| at > 30.0 * power(w, rate, o))
        })
        .count();
    loud as f64 * 0.5
}

#[test]
fn the_box_plays_each_codec_of_the_sky_once_activated_and_records_its_sound() {
    // CCTV-1: MPEG-1 Layer II, 400 Hz (MPEG-2 pictures); CCTV-13: AAC, 700 Hz (H.264); CCTV-7: AC-3, 1000 Hz.
    let wanted = [
        ("CCTV-1 综合", "mp2", 400.0),
        ("CCTV-13 新闻", "aac", 700.0),
        ("CCTV-7 国防军事", "ac3", 1000.0),
    ];
    let mut script = String::from(
        r#"
number() { stb-app channels | grep -F "$1" | head -n 1 | awk '{print $1}'; }
stb-app scan --satellite 92.2E >/dev/null 2>&1 || echo scan-failed
echo '=== refused ==='; stb-app play --channel "$(number 'CCTV-1 综合')" --seconds 2 2>&1; echo "rc=$?"
stb-app activation listen --freq 11880 --pol r --sr 28800 --system dvbs2 --mod 8psk --fec 3/4 --timeout 60 >/dev/null 2>&1 || echo listen-failed
"#,
    );
    for (i, (name, _, _)) in wanted.iter().enumerate() {
        script.push_str(&format!(
            "echo '=== play{i} ==='; stb-app play --channel \"$(number '{name}')\" --seconds 8 --json; echo \"rc=$?\"\n"
        ));
    }
    script.push_str("echo '=== end ==='\n");
    let wav = std::env::temp_dir().join(format!("stb-play-{}.wav", std::process::id()));
    let g = BoxRun::new().audio_out(&wav).run_with(&script, |ctl| {
        let mut card = card_in_reader(ctl);
        while ctl.alive() {
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
        let _ = card.kill();
        let _ = card.wait();
    });
    let all = format!("stdout:\n{}\nstderr:\n{}", g.stdout, g.stderr);
    // Shown when the test fails (what the box said beside what was heard).
    println!("{all}");
    assert_eq!(g.status, 0, "{all}");
    assert!(!g.stdout.contains("scan-failed"), "{all}");
    assert!(!g.stdout.contains("listen-failed"), "{all}");
    // Before the authorisation came, the operator's channel does not play, and says why.
    let refused = g.part("refused");
    assert!(refused.contains("rc=1"), "{all}");
    assert!(refused.contains("not activated"), "{refused}");

    let (samples, rate) = read_wav(&wav);
    let _ = std::fs::remove_file(&wav);
    assert!(
        samples.len() > rate as usize * 20,
        "the recording is {} s long",
        samples.len() / rate.max(1) as usize
    );
    for (i, (name, codec, tone)) in wanted.iter().enumerate() {
        let part = g.part(&format!("play{i}"));
        assert!(part.contains("rc=0"), "{name}: {part}\n{all}");
        let report = g.json_lines(&format!("play{i}"));
        let report = report
            .first()
            .unwrap_or_else(|| panic!("{name}: no report: {part}"));
        assert_eq!(report["audio_codec"], *codec, "{report}");
        assert!(report["first_audio_ms"].as_u64().is_some(), "{report}");
        let others: Vec<f64> = wanted.iter().map(|w| w.2).filter(|t| t != tone).collect();
        let heard = seconds_heard(&samples, rate, *tone, &others);
        assert!(
            heard >= 5.0,
            "{name} ({codec}, {tone} Hz) was heard for {heard} s of its 8 s in the recording"
        );
    }
}

/// Beijing, as a GPS receiver sends it (the wizard's dish step waits for a fix).
const GGA: &str = "$GPGGA,053152,3957.7484,N,11626.7626,E,1,06,1.5,88.1,M,-8.0,M,,*64\r\n";

/// Loudness of each half second of the recording: the RMS of what moves (a constant level, such as vidtv's
/// silence, is no sound), full scale 1.0.
fn loudness(samples: &[f32], rate: u32) -> Vec<f64> {
    samples
        .chunks_exact(rate as usize / 2)
        .map(|w| {
            let n = w.len() as f64;
            let mean = w.iter().map(|&x| f64::from(x)).sum::<f64>() / n;
            (w.iter()
                .map(|&x| (f64::from(x) - mean).powi(2))
                .sum::<f64>()
                / n)
                .sqrt()
        })
        .collect()
}

fn median(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

#[test]
fn the_watching_screen_plays_the_channel_and_the_remote_mutes_and_lowers_it() {
    // vidtv's own multiplex (its radio service "Beethoven", SMPTE 302M sound, a network that is not the
    // operator's: free to air) answers on the IF of the 11840 MHz preset; the household installs the box with the
    // remote as on a first boot, and the watching screen plays the first channel.
    let script = r#"
for d in /sys/bus/serio/drivers/atkbd/serio*; do
    [ -e "$d" ] && printf %s "${d##*/}" > /sys/bus/serio/drivers/atkbd/unbind
done
tail -n +1 -f /var/log/stb-app.log &
follow=$!
i=0
while [ ! -e /job/host-done ] && [ $i -lt 2400 ]; do sleep 0.3; i=$((i+1)); done
kill $follow
echo '=== end ==='
"#;
    let wav = std::env::temp_dir().join(format!("stb-ui-sound-{}.wav", std::process::id()));
    let steps = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let log = steps.clone();
    let g = BoxRun::new()
        .vidtv("vidtv_valid_dvb_s_freqs=10840000")
        .ui()
        .audio_out(&wav)
        .run_with(script, move |ctl| {
            use std::io::Write;
            use std::time::{Duration, Instant};
            let deadline = Instant::now() + Duration::from_secs(600);
            let reached = |marker: &str| {
                let seen = ctl.wait_for(marker, None, deadline);
                if seen {
                    log.lock().unwrap().push(marker.to_string());
                }
                seen
            };
            let key = |k: &str| {
                ctl.monitor(&format!("sendkey {k}"));
            };
            let done = || {
                let _ = std::fs::write(ctl.state.join("job/host-done"), b"");
            };
            if !reached("ui: ready") {
                return done();
            }
            for marker in ["ui: screen wizard-satellite", "ui: screen wizard-dish"] {
                key("ret");
                if !reached(marker) {
                    return done();
                }
            }
            let mut gps = ctl.gps();
            gps.set_write_timeout(Some(Duration::from_millis(200)))
                .unwrap();
            let fix_by = Instant::now() + Duration::from_secs(120);
            while !ctl.stdout_so_far().contains("ui: position fix")
                && Instant::now() < fix_by
                && ctl.alive()
            {
                let _ = gps.write_all(GGA.as_bytes());
                std::thread::sleep(Duration::from_millis(200));
            }
            if !reached("ui: position fix") {
                return done();
            }
            for marker in ["ui: screen wizard-signal", "ui: screen wizard-scan"] {
                key("ret");
                if !reached(marker) {
                    return done();
                }
            }
            if !reached("ui: scan finished") {
                return done();
            }
            for marker in ["ui: screen wizard-done", "ui: screen watching"] {
                key("ret");
                if !reached(marker) {
                    return done();
                }
            }
            if !reached("ui: playing channel 1") || !reached("sound after") {
                return done();
            }
            // Heard for a while, muted (X on a keyboard remote), heard again, then four steps quieter (-).
            std::thread::sleep(Duration::from_secs(8));
            key("x");
            log.lock().unwrap().push("mute".into());
            std::thread::sleep(Duration::from_secs(6));
            key("x");
            log.lock().unwrap().push("unmute".into());
            std::thread::sleep(Duration::from_secs(5));
            for _ in 0..4 {
                key("minus");
                std::thread::sleep(Duration::from_millis(200));
            }
            log.lock().unwrap().push("quieter".into());
            std::thread::sleep(Duration::from_secs(6));
            done();
        });
    let all = format!("stdout:\n{}\nstderr:\n{}", g.stdout, g.stderr);
    println!("{all}");
    let steps = steps.lock().unwrap().clone();
    assert_eq!(g.status, 0, "{all}");
    assert!(
        steps.iter().any(|s| s == "quieter"),
        "the walk stopped after {steps:?}"
    );
    let (samples, rate) = read_wav(&wav);
    let _ = std::fs::remove_file(&wav);
    let loud = loudness(&samples, rate);
    println!("loudness per half second: {loud:.3?}");
    // The recording: sound, then a silence of about 6 s (muted), then sound, then quieter sound.
    let silent = |x: f64| x < 1e-3;
    let heard = |x: f64| x > 0.02;
    let first_heard = loud
        .iter()
        .position(|&x| heard(x))
        .expect("nothing was heard");
    let mute_at = first_heard
        + loud[first_heard..]
            .iter()
            .position(|&x| silent(x))
            .expect("the sound was never muted");
    let silence = loud[mute_at..].iter().take_while(|&&x| silent(x)).count();
    assert!(
        (8..=16).contains(&silence),
        "muted for {} s, not the 6 s the remote asked",
        silence as f64 / 2.0
    );
    let before = &loud[first_heard..mute_at];
    assert!(
        before.len() >= 8,
        "heard for only {} s before the mute",
        before.len() as f64 / 2.0
    );
    let after = &loud[mute_at + silence..];
    assert!(
        after.len() >= 16,
        "{} s of sound after the mute",
        after.len() as f64 / 2.0
    );
    assert!(
        after.iter().all(|&x| heard(x)),
        "the sound broke off after the mute: {after:.3?}"
    );
    // Volume 60 -> 40: the last seconds are about two thirds as loud as the first.
    let (start, end) = (median(before), median(&after[after.len() - 6..]));
    let ratio = end / start;
    assert!(
        (0.5..0.8).contains(&ratio),
        "after four steps down the sound is {ratio:.2} of its loudness ({start:.3} -> {end:.3})"
    );
}
