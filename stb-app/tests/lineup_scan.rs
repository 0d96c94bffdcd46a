//! Scans of a generated ChinaSat lineup through the replay tuner: eight transponders, forty services with names in
//! GB2312 (with and without the 0x13 byte), Big5, UCS-2 and UTF-8 Tibetan, free and scrambled, and NITs that tell
//! the truth or lie. The scans must find exactly the lineup that was generated, without duplicates.

mod support;

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;
use support::{stb_app, temp_dir, write_transponder, GenService, NitEntry};
use ts_si::descriptors::DvbString;
use ts_si::text::{encode, Charset};

const FREQS: [(u32, u8); 8] = [
    (11_840_000, 3),
    (11_880_000, 3),
    (11_920_000, 3),
    (11_960_000, 3),
    (12_020_000, 2),
    (12_060_000, 2),
    (12_100_000, 2),
    (12_140_000, 2),
];

/// Names as broadcast: the text and how it is sent.
fn name_for(i: usize) -> (String, DvbString) {
    let names = [
        ("CCTV-1 综合", Some(Charset::Gb2312)),
        ("CCTV-2 财经", None), // GB text with no charset byte, as Chinese broadcasters send it
        ("西藏卫视", Some(Charset::Big5)),
        ("བོད་ལྗོངས་རྒྱང་མཐོང་།", Some(Charset::Ucs2)),
        ("ཀྲུང་གོ་བོད་ཀྱི་རླུང་འཕྲིན།", Some(Charset::Utf8)),
        ("CCTV-5 体育", Some(Charset::Gb18030)),
        ("中国之声 镕", Some(Charset::Gb2312)), // 镕 is GBK, not GB2312: broadcasters send it behind 0x13 anyway
        ("CETV-1", None),
    ];
    let (text, cs) = names[i % names.len()];
    let text = format!("{text} {i}");
    let bytes = match cs {
        Some(cs) => DvbString::encode(&text, cs),
        None => DvbString(encode(&text, Charset::Gb18030, false)),
    };
    (text, bytes)
}

struct Lineup {
    dir: std::path::PathBuf,
    /// (tsid, service id) -> (name, scrambled)
    expected: BTreeMap<(u16, u16), (String, bool)>,
}

/// Eight transponders of five services; every NIT announces all eight, and `lie` adds a transponder that does not
/// exist plus a wrong polarisation for the first one.
fn lineup(name: &str, lie: bool) -> Lineup {
    let dir = temp_dir(name);
    let mut nit: Vec<NitEntry> = FREQS
        .iter()
        .enumerate()
        .map(|(i, &(f, pol))| (0x100 + i as u16, f, pol, 28_800_000))
        .collect();
    if lie {
        nit.push((0x1ff, 11_900_000, 3, 28_800_000));
        nit[0].2 = 2;
    }
    let mut expected = BTreeMap::new();
    let mut lines = String::new();
    for (t, &(freq, pol)) in FREQS.iter().enumerate() {
        let tsid = 0x100 + t as u16;
        let services: Vec<GenService> = (0..5)
            .map(|k| {
                let n = t * 5 + k;
                let (text, bytes) = name_for(n);
                let mut s = GenService::tv(1 + n as u16, bytes);
                s.ca_system_id = (n % 3 == 0).then_some(0x4a02);
                s.lcn = Some(1 + n as u16);
                expected.insert((tsid, s.service_id), (text, s.ca_system_id.is_some()));
                s
            })
            .collect();
        let file = format!("tp{t}.ts");
        write_transponder(&dir.join(&file), tsid, 0x0001, &services, &nit, 3);
        lines += &format!(
            "{} {} 28800 {file}\n",
            freq / 1000,
            if pol == 3 { "r" } else { "l" }
        );
    }
    std::fs::write(dir.join("lineup"), lines).unwrap();
    Lineup { dir, expected }
}

fn scan(l: &Lineup, extra: &[&str]) -> Value {
    let lineup = l.dir.join("lineup");
    let db = l.dir.join("channels.db");
    let mut args = vec![
        "scan",
        "--satellite",
        "92.2E",
        "--json",
        "--replay",
        lineup.to_str().unwrap(),
        "--db",
        db.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let (code, stdout, stderr) = stb_app(&args);
    assert_eq!(code, 0, "{stderr}");
    serde_json::from_str(&stdout).unwrap()
}

fn found(report: &Value) -> BTreeMap<(u16, u16), (String, bool)> {
    let mut m = BTreeMap::new();
    for tp in report["transponders"].as_array().unwrap() {
        for s in tp["services"].as_array().unwrap() {
            let key = (
                tp["transport_stream_id"].as_u64().unwrap() as u16,
                s["service_id"].as_u64().unwrap() as u16,
            );
            let prev = m.insert(
                key,
                (
                    s["name"].as_str().unwrap().to_string(),
                    s["scrambled"].as_bool().unwrap(),
                ),
            );
            assert!(prev.is_none(), "{key:?} found twice in one scan");
        }
    }
    m
}

fn channel_list(db: &Path) -> Vec<Value> {
    let (code, stdout, stderr) = stb_app(&["channels", "--json", "--db", db.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    serde_json::from_str::<Value>(&stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn preset_scan_finds_exactly_the_generated_lineup() {
    let l = lineup("preset", false);
    let r = scan(&l, &["--mode", "preset"]);
    assert_eq!(
        found(&r),
        l.expected,
        "names (GB2312 with and without 0x13, GBK behind 0x13, Big5, Tibetan) and CA flags"
    );
    let list = channel_list(&l.dir.join("channels.db"));
    assert_eq!(list.len(), 40);
    for c in &list {
        let sid = c["service_id"].as_u64().unwrap();
        assert_eq!(
            c["number"].as_u64().unwrap(),
            sid,
            "logical channel numbers from the NIT become the numbers"
        );
    }
    // A second scan changes nothing and duplicates nothing.
    let again = scan(&l, &["--mode", "preset"]);
    assert_eq!(again["database"]["added"], 0);
    assert_eq!(again["database"]["vanished"], 0);
    assert_eq!(channel_list(&l.dir.join("channels.db")).len(), 40);
}

#[test]
fn network_scan_follows_the_nit_to_every_transponder_even_when_it_lies() {
    for lie in [false, true] {
        let l = lineup(if lie { "nit-lie" } else { "nit" }, lie);
        let r = scan(
            &l,
            &[
                "--mode", "nit", "--freq", "11840", "--pol", "r", "--sr", "28800",
            ],
        );
        assert_eq!(found(&r), l.expected, "lie: {lie}");
        let tps = r["transponders"].as_array().unwrap();
        let locked = tps.iter().filter(|t| t["locked"] == true).count();
        assert_eq!(locked, 8, "lie: {lie}");
        if lie {
            // The invented transponder was tried and found dead; the wrong polarisation was not a new transponder.
            assert!(tps
                .iter()
                .any(|t| t["frequency_khz"] == 11_900_000 && t["locked"] == false));
            assert_eq!(
                tps.iter()
                    .filter(|t| t["frequency_khz"] == 11_840_000)
                    .count(),
                1
            );
        } else {
            assert_eq!(tps.len(), 8);
        }
        assert_eq!(
            channel_list(&l.dir.join("channels.db")).len(),
            40,
            "lie: {lie}"
        );
    }
}

#[test]
fn blind_scan_sweeps_the_band_and_finds_every_transponder_once() {
    let l = lineup("blind", false);
    let r = scan(
        &l,
        &["--mode", "blind", "--sr", "28800", "--lock-timeout", "20"],
    );
    assert_eq!(found(&r), l.expected);
    let locked: Vec<(u64, String)> = r["transponders"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["locked"] == true)
        .map(|t| {
            (
                t["frequency_khz"].as_u64().unwrap(),
                t["polarisation"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    // Exactly the eight, at their real frequencies (from each one's own NIT entry), not at the sweep's steps.
    let mut expect: Vec<(u64, String)> = FREQS
        .iter()
        .map(|&(f, pol)| (u64::from(f), if pol == 3 { "R" } else { "L" }.to_string()))
        .collect();
    let mut got = locked.clone();
    expect.sort();
    got.sort();
    assert_eq!(got, expect);
    assert_eq!(channel_list(&l.dir.join("channels.db")).len(), 40);
}

#[test]
fn ctrl_c_stops_the_scan_and_keeps_what_it_found() {
    let l = lineup("cancel", false);
    // Only the first two transponders broadcast: the other six are dead and cost their lock timeout each.
    let lines = std::fs::read_to_string(l.dir.join("lineup")).unwrap();
    std::fs::write(
        l.dir.join("lineup"),
        lines
            .lines()
            .take(2)
            .map(|x| format!("{x}\n"))
            .collect::<String>(),
    )
    .unwrap();
    let db = l.dir.join("channels.db");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_stb-app"))
        .args([
            "scan",
            "--satellite",
            "92.2E",
            "--replay",
            l.dir.join("lineup").to_str().unwrap(),
            "--db",
            db.to_str().unwrap(),
        ])
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the scan reports the third transponder (dead: it waits for lock), then press Ctrl-C.
    let stderr = child.stderr.take().unwrap();
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(stderr));
    for line in lines.by_ref() {
        if line.unwrap().starts_with("[2/8]") {
            break;
        }
    }
    std::thread::sleep(std::time::Duration::from_millis(300));
    let pid = child.id().to_string();
    assert!(std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap()
        .success());
    let status = child.wait().unwrap();
    assert_eq!(
        status.code(),
        Some(130),
        "a cancelled scan says so in its status"
    );
    let kept = channel_list(&db);
    assert_eq!(
        kept.len(),
        10,
        "the two transponders scanned before Ctrl-C are kept"
    );
}

#[test]
fn an_initial_tuning_file_replaces_the_catalogue_list() {
    let l = lineup("tuning-file", false);
    let mut text = String::from("# dtv-scan-tables style\n");
    for (f, pol) in FREQS {
        let pol = if pol == 3 { "RIGHT" } else { "LEFT" };
        text += &format!("[CHANNEL]\n\tDELIVERY_SYSTEM = DVBS\n\tFREQUENCY = {f}\n\tPOLARIZATION = {pol}\n\tSYMBOL_RATE = 28800000\n\tINNER_FEC = 3/4\n\tMODULATION = QPSK\n");
    }
    let file = l.dir.join("initial.conf");
    std::fs::write(&file, text).unwrap();
    let r = scan(
        &l,
        &["--mode", "preset", "--tuning-file", file.to_str().unwrap()],
    );
    assert_eq!(found(&r), l.expected);
    std::fs::write(&file, "[CHANNEL]\n\tFREQUENCY = 11840000\n\tPOLARIZATION = RIGHT\n\tSYMBOL_RATE = 28800000\n\tINNER_FEC = 5/11\n").unwrap();
    let db = l.dir.join("channels.db");
    let (code, _, stderr) = stb_app(&[
        "scan",
        "--db",
        db.to_str().unwrap(),
        "--tuning-file",
        file.to_str().unwrap(),
        "--replay",
        l.dir.join("lineup").to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("initial.conf:5: unknown FEC '5/11'"),
        "{stderr}"
    );
}

#[test]
fn bad_lineups_and_channel_files_get_a_line_numbered_error_and_touch_nothing() {
    let l = lineup("bad", false);
    scan(&l, &["--mode", "preset"]);
    let db = l.dir.join("channels.db");
    let before = channel_list(&db);
    let bad = l.dir.join("bad.conf");
    std::fs::write(&bad, "[A]\n\tSERVICE_ID = 1\n\tPOLARIZATION = SIDEWAYS\n").unwrap();
    let (code, _, stderr) = stb_app(&[
        "channels",
        "--db",
        db.to_str().unwrap(),
        "--import",
        "dvbv5",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("bad.conf:3: polarization SIDEWAYS"),
        "{stderr}"
    );
    let bad_lineup = l.dir.join("bad.lineup");
    std::fs::write(&bad_lineup, "11840 r 28800 tp0.ts\n11880 r fast tp1.ts\n").unwrap();
    let (code, _, stderr) = stb_app(&[
        "scan",
        "--db",
        db.to_str().unwrap(),
        "--replay",
        bad_lineup.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("bad.lineup:2: symbol rate 'fast'"),
        "{stderr}"
    );
    let (code, _, stderr) = stb_app(&[
        "scan",
        "--db",
        db.to_str().unwrap(),
        "--satellite",
        "Moon 1",
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("unknown satellite 'Moon 1'"), "{stderr}");
    assert_eq!(channel_list(&db), before, "nothing stored was touched");
}
