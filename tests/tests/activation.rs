//! Activation in the emulated box: the card emulator (the card application in software) sits on the host end of
//! the box's card-reader port (a virtio serial port); the box reads the card, shows its state, imports a signed
//! authorisation from a file and refuses one made for another box.

use std::process::Command;

use box_tests::{top, BoxRun};

fn sign(tool: &std::path::Path, box_id: &str) -> String {
    let out = Command::new(tool)
        .current_dir(top())
        .args([
            "--key",
            "activation/testdata/TEST-operator-signing.key",
            "--box-id",
            box_id,
        ])
        .args([
            "--card-number",
            "8100000001",
            "--card-key",
            "smartcard/testdata/TEST-card-8100000001.key",
        ])
        .args(["--lat", "29.65", "--lon", "91.13", "--radius", "5000"])
        .args([
            "--valid-from",
            "2026-01-01",
            "--valid-until",
            "2030-01-01",
            "--seq",
            "1",
            "--format",
            "text",
        ])
        .output()
        .expect("operator-sign runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_box_reads_its_card_and_is_activated_from_a_file() {
    // Built before the box boots (it looks at its card at once).
    let emulator = box_tests::card_emulator();
    let operator_sign = box_tests::host_tool("activation", "operator-sign");
    let ours = sign(&operator_sign, "HHT-EMU-000001");
    let theirs = sign(&operator_sign, "HHT-EMU-999999");
    let script = format!(
        r#"
cat > /tmp/auth.txt <<'EOF'
{ours}EOF
cat > /tmp/other.txt <<'EOF'
{theirs}EOF
echo '=== info ==='; stb-app card info --json
echo '=== before ==='; stb-app activation status --json
echo '=== other ==='; stb-app activation import /tmp/other.txt 2>&1; echo "rc=$?"
echo '=== import ==='; stb-app activation import /tmp/auth.txt 2>&1; echo "rc=$?"
echo '=== after ==='; stb-app activation status --json
echo '=== card ==='; stb-app card info --json
echo '=== end ==='
"#
    );
    let g = BoxRun::new().run_with(&script, |ctl| {
        let mut card = ctl.card_in_reader(&emulator);
        while ctl.alive() {
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
        let _ = card.kill();
        let _ = card.wait();
    });
    assert_eq!(g.status, 0, "stdout:\n{}\nstderr:\n{}", g.stdout, g.stderr);
    let info = &g
        .json_lines("info")
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no card info:\n{}\n{}", g.stdout, g.stderr));
    assert_eq!(info["card_number"], 8_100_000_001u64);
    assert!(info["atr"].as_str().unwrap().starts_with("3B"), "{info}");
    let before = &g.json_lines("before")[0];
    assert_eq!(before["card_number"], 8_100_000_001u64);
    assert_eq!(before["status"], "not_activated", "{before}");
    let other = g.part("other");
    assert!(
        other.contains("E14") && other.contains("rc=1"),
        "another box's authorisation must be refused: {other}"
    );
    let import = g.part("import");
    assert!(import.contains("rc=0"), "{import}");
    let after = &g.json_lines("after")[0];
    assert_eq!(after["status"], "activated", "{after}");
    assert_eq!(after["box_id"], "HHT-EMU-000001");
    assert_eq!(after["sequence"], 1);
    // The authorisation went into the card as well.
    assert_eq!(g.json_lines("card")[0]["sequence"], 1);
}

/// One NMEA sentence with its checksum.
fn nmea(body: &str) -> String {
    let sum = body.bytes().fold(0u8, |a, b| a ^ b);
    format!("${body}*{sum:02X}\r\n")
}

#[test]
fn the_position_lock_follows_the_gps_walking_away_and_back() {
    // Built before the box boots (it looks at its card at once).
    let emulator = box_tests::card_emulator();
    let operator_sign = box_tests::host_tool("activation", "operator-sign");
    let ours = sign(&operator_sign, "HHT-EMU-000001");
    let script = format!(
        r#"
cat > /tmp/auth.txt <<'EOF'
{ours}EOF
stb-app activation import /tmp/auth.txt >/dev/null 2>&1 || echo import-failed
echo '=== walk ==='
stb-app activation watch --gps /dev/gps --baud 9600 --json --fixes 14
echo '=== end ==='
"#
    );
    // Home is the registered place (29.65 N, 91.13 E, radius 5 km); "away" is 20 km north.
    let home = nmea("GPGGA,060000,2939.0000,N,09107.8000,E,1,08,0.9,3650.0,M,-30.0,M,,");
    let away = nmea("GPGGA,060100,2949.8000,N,09107.8000,E,1,08,0.9,3650.0,M,-30.0,M,,");
    let no_fix = nmea("GPGGA,,,,,,0,00,99.99,,,,,,");
    let g = BoxRun::new().run_with(&script, |ctl| {
        let mut card = ctl.card_in_reader(&emulator);
        let mut gps = ctl.gps();
        // In lockstep with the box: one sentence, then wait until the box has reported it (sentences written
        // before the box reads would pile up in the socket and arrive late, all at once).
        let reported = || {
            ctl.stdout_so_far()
                .lines()
                .filter(|l| l.starts_with('{'))
                .count()
        };
        while ctl.alive() && !ctl.stdout_so_far().contains("=== walk ===") {
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        while ctl.alive() {
            let seen = reported();
            // The walk: 3 fixes at home, 5 away, 3 without a fix, then home again.
            let sentence = match seen {
                0..=2 => &home,
                3..=7 => &away,
                8..=10 => &no_fix,
                _ => &home,
            };
            use std::io::Write;
            let _ = gps.write_all(sentence.as_bytes());
            let sent = std::time::Instant::now();
            while ctl.alive()
                && reported() == seen
                && sent.elapsed() < std::time::Duration::from_secs(2)
            {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
        }
        let _ = card.kill();
        let _ = card.wait();
    });
    assert_eq!(g.status, 0, "stdout:\n{}\nstderr:\n{}", g.stdout, g.stderr);
    assert!(!g.stdout.contains("import-failed"), "{}", g.stdout);
    let walk = g.json_lines("walk");
    assert!(walk.len() >= 14, "{}", g.stdout);
    let locked: Vec<bool> = walk
        .iter()
        .map(|r| r["position_locked"].as_bool().unwrap())
        .collect();
    let first_lock = locked
        .iter()
        .position(|l| *l)
        .unwrap_or_else(|| panic!("moving 20 km away did not lock the box:\n{}", g.stdout));
    assert!(
        first_lock >= 5,
        "it locked before three fixes outside the radius: {locked:?}"
    );
    assert_eq!(
        walk[first_lock]["status"], "position_changed",
        "{}",
        walk[first_lock]
    );
    assert!(walk[first_lock]["distance_m"].as_f64().unwrap() > 15_000.0);
    // No fix is not the same as moved back: it stays locked without a fix.
    for r in walk.iter().filter(|r| r["lat"].is_null()) {
        assert_eq!(r["position_locked"], true, "no fix unlocked the box: {r}");
    }
    let last = walk.last().unwrap();
    assert_eq!(last["position_locked"], false, "back home unlocks: {last}");
    assert_eq!(last["status"], "activated");
}

#[test]
fn the_authorisation_comes_over_the_satellite_from_the_sky() {
    // Built before the box boots (it looks at its card at once).
    let emulator = box_tests::card_emulator();
    // The sky's operator broadcasts this box's authorisation (signed with the TEST operator key) on the activation
    // PID its CAT names, on every ChinaSat transponder; the box with its card in the reader listens on the DVB-S2
    // one and is activated, and the authorisation reaches the card too.
    let script = r#"
echo '=== before ==='; stb-app activation status --json
echo '=== listen ==='; stb-app activation listen --freq 11880 --pol r --sr 28800 --system dvbs2 --mod 8psk --fec 3/4 --timeout 60 2>&1; echo "rc=$?"
echo '=== after ==='; stb-app activation status --json
echo '=== card ==='; stb-app card info --json
echo '=== end ==='
"#;
    let g = BoxRun::new().run_with(script, |ctl| {
        let mut card = ctl.card_in_reader(&emulator);
        while ctl.alive() {
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
        let _ = card.kill();
        let _ = card.wait();
    });
    assert_eq!(g.status, 0, "stdout:\n{}\nstderr:\n{}", g.stdout, g.stderr);
    assert!(g.sky.is_some(), "the box looked at the emulated sky");
    assert_eq!(g.json_lines("before")[0]["status"], "not_activated");
    assert!(g.part("listen").contains("rc=0"), "{}", g.part("listen"));
    let after = &g.json_lines("after")[0];
    assert_eq!(after["status"], "activated", "{after}");
    assert_eq!(after["sequence"], 1, "{after}");
    assert_eq!(g.json_lines("card")[0]["sequence"], 1);
}
