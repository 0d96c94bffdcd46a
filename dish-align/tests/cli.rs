//! The `dish-align` command as an installer (or a script) uses it.

#[path = "support/emulator.rs"]
mod emulator;

use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use dish_align::geodesy::{look_angles, Site};

fn cmd(lang: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_dish-align"));
    c.env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", lang)
        .env("TZ", "UTC");
    c
}

fn run(lang: &str, args: &[&str]) -> Output {
    cmd(lang).args(args).output().expect("run dish-align")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const CHAMDO: &[&str] = &["--lat", "31.14", "--lon", "97.17", "--height", "3240"];

#[test]
fn english_report_for_the_default_satellite() {
    let mut a = CHAMDO.to_vec();
    a.extend(["--date", "2026-11-29", "--offset", "22.6", "--tz", "+08:00"]);
    let o = run("en_US.UTF-8", &a);
    assert!(o.status.success(), "{}", stderr(&o));
    let s = stdout(&o);
    for want in [
        "ChinaSat 9C (92.2°E)",
        "single LO 10750 MHz",
        "Ku band",
        "circular polarisation",
        "Azimuth (true)",
        "Magnetic az.",
        "WMM2025",
        "no skew needed",
        "face tilt",
        "already includes the offset",
        "UTC+08:00",
    ] {
        assert!(s.contains(want), "missing {want:?} in\n{s}");
    }
    // The printed azimuth is the library's.
    let la = look_angles(&Site::new(31.14, 97.17, 3240.0).unwrap(), 92.2);
    assert!(s.contains(&format!("{:.2}°", la.azimuth_deg)), "{s}");
}

#[test]
fn chinese_report_uses_chinese_words() {
    let mut a = CHAMDO.to_vec();
    a.extend(["--date", "2026-11-29"]);
    let o = run("zh_CN.UTF-8", &a);
    assert!(o.status.success());
    let s = stdout(&o);
    for want in [
        "方位角（真北）",
        "磁方位角",
        "仰角",
        "极化角/LNB 旋转",
        "无需调整极化角",
        "磁偏角",
    ] {
        assert!(s.contains(want), "missing {want:?} in\n{s}");
    }
    // LC_ALL beats LANG.
    let o = cmd("en_US.UTF-8")
        .env("LC_ALL", "zh_CN.UTF-8")
        .args(CHAMDO)
        .output()
        .unwrap();
    assert!(stdout(&o).contains("磁方位角"));
}

#[test]
fn linear_satellite_skew_is_stated_in_words() {
    let o = run(
        "en_US.UTF-8",
        &[
            "--lat",
            "39.9",
            "--lon",
            "116.4",
            "--sat",
            "AsiaSat 5",
            "--date",
            "2026-11-29",
        ],
    );
    let s = stdout(&o);
    assert!(s.contains("clockwise as seen from behind the dish"), "{s}");
    let o = run(
        "zh_CN.UTF-8",
        &[
            "--lat",
            "39.9",
            "--lon",
            "116.4",
            "--sat",
            "100.5°E",
            "--date",
            "2026-11-29",
        ],
    );
    assert!(stdout(&o).contains("LNB 顺时针旋转"), "{}", stdout(&o));
}

#[test]
fn json_output_is_machine_readable() {
    let mut a = CHAMDO.to_vec();
    a.extend(["--sat", "ChinaSat 9C", "--date", "2026-11-29", "--json"]);
    let o = run("en_US.UTF-8", &a);
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("valid JSON");
    let la = look_angles(&Site::new(31.14, 97.17, 3240.0).unwrap(), 92.2);
    assert_eq!(v["azimuth_true_deg"].as_f64().unwrap(), la.azimuth_deg);
    assert_eq!(v["elevation_deg"].as_f64().unwrap(), la.elevation_deg);
    assert_eq!(v["satellite"]["name"], "ChinaSat 9C");
    assert_eq!(v["visible"], true);
    let d = v["declination"]["declination_deg"].as_f64().unwrap();
    let m = v["azimuth_magnetic_deg"].as_f64().unwrap();
    assert!((m - (la.azimuth_deg - d)).abs() < 1e-9);
    assert!(v["declination"]["uncertainty_deg"].as_f64().unwrap() > 0.26);
}

#[test]
fn below_the_horizon_says_not_visible() {
    let o = run(
        "en_US.UTF-8",
        &["--lat", "31", "--lon", "-80", "--sat", "92.2E"],
    );
    assert!(o.status.success());
    assert!(stdout(&o).contains("NOT VISIBLE"), "{}", stdout(&o));
    let o = run("zh_CN.UTF-8", &["--lat", "31", "--lon", "-80"]);
    assert!(stdout(&o).contains("不可见"));
}

#[test]
fn low_ku_elevation_is_warned_with_refraction() {
    let o = run(
        "en_US.UTF-8",
        &["--lat", "50", "--lon", "30", "--sat", "92.2E"],
    );
    let s = stdout(&o);
    assert!(s.contains("below 10°"), "{s}");
    assert!(s.contains("P.834"), "{s}");
}

#[test]
fn list_is_sorted_by_elevation_and_filtered() {
    let mut a = CHAMDO.to_vec();
    a.extend(["--list", "--json"]);
    let o = run("en_US.UTF-8", &a);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let els: Vec<f64> = v["satellites"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["elevation_deg"].as_f64().unwrap())
        .collect();
    assert!(els.len() >= 8);
    assert!(els.windows(2).all(|w| w[0] >= w[1]));
    a.extend(["--min-elevation", "50"]);
    let o = run("en_US.UTF-8", &a);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let n = v["satellites"].as_array().unwrap().len();
    assert!(n > 0 && n < els.len());
    let o = run(
        "en_US.UTF-8",
        &[CHAMDO, &["--list", "--min-elevation", "10"]].concat(),
    );
    let s = stdout(&o);
    assert!(s.contains("ChinaSat 9C") && s.contains("AsiaSat 7"), "{s}");
}

/// Bad input: one clear line on stderr, nothing on stdout, non-zero exit.
#[test]
fn bad_input_gets_one_line_and_a_nonzero_exit() {
    let cases: &[(&[&str], &str)] = &[
        (&["--lat", "95", "--lon", "97"], "latitude 95"),
        (&["--lat", "-90.5", "--lon", "97"], "latitude -90.5"),
        (&["--lat", "abc", "--lon", "97"], "--lat"),
        (&["--lat", "31", "--lon", "-200"], "longitude -200"),
        (
            &["--lat", "31", "--lon", "97", "--sat", "Hotbird 13E"],
            "unknown satellite",
        ),
        (
            &["--lat", "31", "--lon", "97", "--date", "2031-01-01"],
            "outside the WMM2025",
        ),
        (
            &["--lat", "31", "--lon", "97", "--date", "2024-12-31"],
            "outside the WMM2025",
        ),
        (
            &["--lat", "31", "--lon", "97", "--date", "29/11/2026"],
            "YYYY-MM-DD",
        ),
        (&["--lat", "31"], "--lon"),
        (&["--gps", "/dev/no-such-gps-here"], "/dev/no-such-gps-here"),
    ];
    for (args, want) in cases {
        let o = run("en_US.UTF-8", args);
        assert!(!o.status.success(), "{args:?} succeeded");
        let e = stderr(&o);
        assert_eq!(e.lines().count(), 1, "{args:?}: {e}");
        assert!(e.contains(want), "{args:?}: {e}");
        assert!(o.stdout.is_empty(), "{args:?}");
    }
    let o = run("zh_CN.UTF-8", &["--lat", "95", "--lon", "97"]);
    assert!(stderr(&o).contains("纬度"), "{}", stderr(&o));
}

#[test]
fn pointing_cards_in_svg_and_png() {
    let dir = tempfile::tempdir().unwrap();
    let svg = dir.path().join("card.svg");
    let png = dir.path().join("card.png");
    let wanted: &[(&std::path::PathBuf, &str)] = if cfg!(feature = "png") {
        &[(&svg, "zh_CN.UTF-8"), (&png, "en_US.UTF-8")]
    } else {
        &[(&svg, "zh_CN.UTF-8")]
    };
    for &(p, lang) in wanted {
        let o = run(
            lang,
            &[CHAMDO, &["--offset", "22.6", "--card", p.to_str().unwrap()]].concat(),
        );
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let s = std::fs::read_to_string(&svg).unwrap();
    assert!(s.starts_with("<svg"));
    for want in ["真北", "磁北", "方位角（真北）", "仰角", "北纬 31.140000°"] {
        assert!(s.contains(want), "card lacks {want}");
    }
    if !cfg!(feature = "png") {
        return;
    }
    let b = std::fs::read(&png).unwrap();
    assert_eq!(&b[..8], b"\x89PNG\r\n\x1a\n");
    // IHDR: width and height.
    let w = u32::from_be_bytes(b[16..20].try_into().unwrap());
    let h = u32::from_be_bytes(b[20..24].try_into().unwrap());
    assert_eq!((w, h), (dish_align::card::WIDTH, dish_align::card::HEIGHT));
    // An unwritable destination is an error line, not a panic.
    let o = run(
        "en_US.UTF-8",
        &[CHAMDO, &["--card", "/nonexistent-dir/c.svg"]].concat(),
    );
    assert!(!o.status.success());
    assert_eq!(stderr(&o).lines().count(), 1);
}

#[test]
fn gps_mode_computes_from_the_fix() {
    let emu = emulator::Emulator::start(emulator::Script {
        bursts_without_fix: 1,
        period: Duration::from_millis(500),
        ..emulator::Script::default()
    });
    let o = cmd("en_US.UTF-8")
        .args(["--gps", emu.slave_path.to_str().unwrap(), "--json"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(e.contains("at 9600 baud"), "{e}");
    assert!(e.contains("waiting for a fix"), "{e}");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!((v["site"]["lat_deg"].as_f64().unwrap() - 31.14).abs() < 1e-6);
    assert!((v["site"]["height_m"].as_f64().unwrap() - (3240.0 - 35.2)).abs() < 1e-6);
    assert_eq!(v["satellite"]["name"], "ChinaSat 9C");
}

#[test]
fn gps_watch_keeps_updating() {
    let emu = emulator::Emulator::start(emulator::Script {
        period: Duration::from_millis(300),
        ..emulator::Script::default()
    });
    let mut child = cmd("en_US.UTF-8")
        .args([
            "--gps",
            emu.slave_path.to_str().unwrap(),
            "--watch",
            "--json",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let out = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for l in BufReader::new(out).lines().map_while(Result::ok) {
            if tx.send(l).is_err() {
                break;
            }
        }
    });
    let end = Instant::now() + Duration::from_secs(20);
    let mut hdops = Vec::new();
    while hdops.len() < 3 && Instant::now() < end {
        if let Ok(l) = rx.recv_timeout(Duration::from_millis(200)) {
            let v: serde_json::Value = serde_json::from_str(&l).expect("one JSON object a line");
            assert!(v["elevation_deg"].as_f64().unwrap() > 50.0);
            hdops.push(l);
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(hdops.len() >= 3, "watch printed {} updates", hdops.len());
}

/// Unplugging the receiver mid-run is reported; the re-plugged one is used.
#[test]
fn gps_unplug_and_replug_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let dev = dir.path().join("ttyUSB0");
    let first = emulator::Emulator::start(emulator::Script {
        period: Duration::from_millis(300),
        ..emulator::Script::default()
    });
    emulator::link(&dev, &first.slave_path);
    let mut child = cmd("en_US.UTF-8")
        .args(["--gps", dev.to_str().unwrap(), "--watch", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<(bool, String)>();
    let out = child.stdout.take().unwrap();
    let err = child.stderr.take().unwrap();
    let t2 = tx.clone();
    std::thread::spawn(move || {
        for l in BufReader::new(out).lines().map_while(Result::ok) {
            let _ = tx.send((true, l));
        }
    });
    std::thread::spawn(move || {
        for l in BufReader::new(err).lines().map_while(Result::ok) {
            let _ = t2.send((false, l));
        }
    });
    let wait_for = |pred: &dyn Fn(bool, &str) -> bool, secs: u64| -> Vec<String> {
        let end = Instant::now() + Duration::from_secs(secs);
        let mut seen = Vec::new();
        while Instant::now() < end {
            if let Ok((is_out, l)) = rx.recv_timeout(Duration::from_millis(100)) {
                let hit = pred(is_out, &l);
                seen.push(l);
                if hit {
                    return seen;
                }
            }
        }
        panic!("timed out; saw {seen:?}");
    };
    wait_for(&|o, l| o && l.contains("\"lat_deg\":31.14"), 15);
    first.unplug();
    std::fs::remove_file(&dev).unwrap();
    wait_for(&|o, l| !o && l.contains("GPS disconnected"), 15);
    let second = emulator::Emulator::start(emulator::Script {
        lat: 29.65,
        lon: 91.1,
        period: Duration::from_millis(300),
        ..emulator::Script::default()
    });
    emulator::link(&dev, &second.slave_path);
    wait_for(&|o, l| o && l.contains("\"lat_deg\":29.65"), 20);
    let _ = child.kill();
    let _ = child.wait();
}
