//! The real DVB path: `stb-app` against the kernel's vidtv driver (its own multiplex) in the emulated box, checked
//! against the LinuxTV tools (dvb-fe-tool, dvbv5-scan) run in the same guest on the same adapter.

use std::collections::BTreeSet;

use box_tests::BoxRun;
use serde_json::Value;

/// The transponder vidtv carries by default: 11362 MHz H, 27500 kS/s, universal LNB.
const DVBV5_CHANNEL: &str = "[vidtv]
\tDELIVERY_SYSTEM = DVBS
\tFREQUENCY = 11362000
\tPOLARIZATION = HORIZONTAL
\tSYMBOL_RATE = 27500000
\tINNER_FEC = AUTO
";

/// dvb-fe-tool's "From: 51.0 MHz" style figures, in Hz.
fn hz(figure: &str) -> f64 {
    let mut it = figure.split_whitespace();
    let v: f64 = it
        .next()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no number in '{figure}'"));
    match it.next() {
        Some("GHz") => v * 1e9,
        Some("MHz") => v * 1e6,
        Some("kHz") => v * 1e3,
        other => panic!("unit {other:?} in '{figure}'"),
    }
}

#[test]
fn stb_app_drives_vidtv_like_the_linuxtv_tools() {
    let script = format!(
        r#"
echo '=== info ==='; stb-app frontend info --json
echo '=== fe-tool ==='; dvb-fe-tool
echo '=== tune-s ==='; stb-app tune --freq 11362 --pol h --sr 27500 --json
echo '=== tune-s-human ==='; stb-app tune --freq 11362 --pol h --sr 27500
echo '=== tune-s2 ==='; stb-app tune --freq 11362 --pol h --sr 27500 --system dvbs2 --mod 8psk --fec 3/4 --json
echo '=== tune-diseqc ==='; stb-app tune --freq 11362 --pol h --sr 27500 --diseqc B --uncommitted 2 --burst a --json
stb-app tune --freq 11362 --pol h --sr 27500 --system dvbs2 --mod 8psk --fec 3/4 >/dev/null
echo '=== status ==='; stb-app status --json
echo '=== femon ==='; timeout 3 dvb-fe-tool -m 2>&1 | grep 'C/N' | head -n 3
echo '=== capture-pids ==='; stb-app capture --pid 0 --pid 0x11 --packets 50 --out /tmp/two.ts --json
echo '=== capture-all ==='; stb-app capture --packets 3000 --out /tmp/all.ts --json; ls -l /tmp/all.ts | awk '{{print "size", $5}}'
echo '=== pat ==='; stb-app sections --pid 0 --table 0x00 --count 2 --json
echo '=== sdt ==='; stb-app sections --pid 0x11 --table 0x42 --json
echo '=== scan ==='; printf '{DVBV5_CHANNEL}' > /tmp/in.conf
dvbv5-scan -l UNIVERSAL -S 0 -o /tmp/out.conf /tmp/in.conf >/dev/null 2>&1; cat /tmp/out.conf
echo '=== end ==='
"#
    );
    // vidtv's own multiplex on its default transponder (the emulated sky is tested in sky.rs).
    let g = BoxRun::new()
        .vidtv("vidtv_valid_dvb_s_freqs=11362000")
        .run(&script);
    assert_eq!(g.status, 0, "stdout:\n{}\nstderr:\n{}", g.stdout, g.stderr);

    // frontend info == dvb-fe-tool
    let info = &g.json_lines("info")[0];
    let fe_tool = g.part("fe-tool");
    let first = fe_tool.lines().next().unwrap_or_default();
    let name = first
        .strip_prefix("Device ")
        .and_then(|l| l.split(" (/dev").next())
        .expect("dvb-fe-tool names the device");
    assert_eq!(info["name"], name);
    let mut tool_caps = BTreeSet::new();
    let mut tool_systems = BTreeSet::new();
    let mut section = "";
    let (mut from, mut to) = (None, None);
    for line in fe_tool.lines() {
        let t = line.trim();
        if line.starts_with("Device ") {
            section = "caps";
        } else if line.starts_with("Supported delivery systems") {
            section = "systems";
        } else if line.starts_with("DVB API") || line.starts_with("Frequency range") {
            section = "";
        } else if let Some(v) = t.strip_prefix("From:") {
            from = Some(hz(v));
        } else if let Some(v) = t.strip_prefix("To:") {
            to = Some(hz(v));
        } else if !t.is_empty() && section == "caps" {
            tool_caps.insert(t.to_string());
        } else if !t.is_empty() && section == "systems" {
            tool_systems.insert(t.trim_matches(['[', ']']).to_string());
        }
    }
    let ours = |k: &str| -> BTreeSet<String> {
        info[k]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ours("delivery_systems"), tool_systems);
    assert_eq!(ours("capabilities"), tool_caps);
    assert_eq!(
        info["frequency_min"].as_f64(),
        from,
        "minimum frequency (Hz) as dvb-fe-tool states it"
    );
    assert_eq!(
        info["frequency_max"].as_f64(),
        to,
        "maximum frequency (Hz) as dvb-fe-tool states it"
    );
    assert!(tool_systems.contains("DVBS") && tool_systems.contains("DVBS2"));

    // tune locks on DVB-S and DVB-S2 and says so
    for part in ["tune-s", "tune-s2"] {
        let t = &g.json_lines(part)[0];
        assert_eq!(t["locked"], true, "{part}: {t}");
        assert_eq!(t["lnb_setting"]["if_khz"], 1_612_000);
        assert_eq!(t["lnb_setting"]["voltage_18"], true, "horizontal is 18 V");
        assert!(t["signal"]["cnr_db"].as_f64().is_some());
    }
    assert_eq!(
        g.json_lines("tune-s2")[0]["request"]["transponder"]["system"],
        "DVB-S2"
    );
    assert!(
        g.part("tune-s-human").starts_with("LOCKED in "),
        "{}",
        g.part("tune-s-human")
    );

    // C/N within 2 dB of dvb-fe-tool's reading on the same frontend
    let status = &g.json_lines("status")[0];
    assert_eq!(status["locked"], true);
    assert_eq!(status["delivery_system"], "DVBS2");
    let ours_cn = status["cnr_db"].as_f64().expect("C/N in dB while locked");
    let femon = g.part("femon");
    let theirs_cn: f64 = femon
        .split("C/N=")
        .nth(1)
        .and_then(|r| r.split("dB").next())
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no C/N in dvb-fe-tool -m output:\n{femon}"));
    assert!(
        (ours_cn - theirs_cn).abs() <= 2.0,
        "stb-app C/N {ours_cn} dB vs dvb-fe-tool {theirs_cn} dB"
    );

    // dvr0: chosen PIDs through a TS filter plus DMX_ADD_PID, and the whole stream (PID 0x2000)
    let two = &g.json_lines("capture-pids")[0];
    assert_eq!(two["packets"], 50);
    assert_eq!(two["sync_errors"], 0);
    let pids: BTreeSet<&str> = two["pids"]
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    assert_eq!(pids, BTreeSet::from(["0", "17"]), "only the PIDs asked for");
    let all = &g.json_lines("capture-all")[0];
    assert_eq!(all["packets"], 3000);
    assert_eq!(all["sync_errors"], 0);
    let pids: BTreeSet<u64> = all["pids"]
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.parse().unwrap())
        .collect();
    for pid in [0x0000, 0x0010, 0x0011, 0x0012, 0x0101, 0x0111] {
        assert!(
            pids.contains(&pid),
            "PID 0x{pid:04x} missing from the whole stream: {pids:?}"
        );
    }
    assert!(
        g.part("capture-all")
            .contains(&format!("size {}", 3000 * 188)),
        "{}",
        g.part("capture-all")
    );

    // SDT actual through a kernel section filter, decoded by the SI engine
    let sdt = &g.json_lines("sdt")[0];
    assert_eq!(sdt["crc_ok"], true);
    let lines: Vec<&str> = sdt["decoded"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|l| l.as_str())
        .collect();
    assert!(lines.iter().any(|l| l.contains("\"Beethoven\"")), "{sdt}");

    // PAT through a kernel section filter: CRC checks, programs match what dvbv5-scan found
    let pats = g.json_lines("pat");
    assert_eq!(pats.len(), 2);
    let scan = g.part("scan");
    let scanned: BTreeSet<u64> = scan
        .lines()
        .filter_map(|l| l.trim().strip_prefix("SERVICE_ID = "))
        .map(|v| v.trim().parse().unwrap())
        .collect();
    assert!(!scanned.is_empty(), "dvbv5-scan found nothing:\n{scan}");
    for pat in &pats {
        assert_eq!(pat["table_id"], 0);
        assert_eq!(pat["crc_ok"], true);
        let programs: BTreeSet<u64> = pat["decoded"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|l| {
                l.as_str()?
                    .strip_prefix("program ")?
                    .split(' ')
                    .next()?
                    .parse()
                    .ok()
            })
            .collect();
        assert_eq!(
            programs, scanned,
            "PAT programs vs dvbv5-scan's service ids"
        );
        let ts_id = pat["header"]["table_id_extension"].as_u64();
        let scanned_ts: Option<u64> = scan
            .lines()
            .find_map(|l| l.trim().strip_prefix("TRANSPORT_ID = ")?.parse().ok());
        assert_eq!(ts_id, scanned_ts, "transport_stream_id");
    }
}

#[test]
fn losing_lock_is_said_plainly_without_garbage_figures() {
    // 100 kHz off with vidtv's lock-dropping parameters: it may lock briefly, then drops.
    let script = r#"
echo '=== tune ==='; stb-app tune --freq 11362.1 --pol h --sr 27500 --system dvbs2 --mod qpsk --fec 3/4 --json
echo '=== watch ==='
i=0; while [ $i -lt 15 ]; do stb-app status --json; sleep 0.2; i=$((i+1)); done
echo '=== human ==='
i=0; while [ $i -lt 15 ]; do stb-app status; sleep 0.2; i=$((i+1)); done
echo '=== end ==='
"#;
    let g = BoxRun::new()
        .vidtv("max_frequency_shift_hz=255")
        .vidtv("drop_tslock_prob_on_low_snr=50")
        .vidtv("recover_tslock_prob_on_good_snr=0")
        .run(script);
    let readings = g.json_lines("watch");
    assert_eq!(readings.len(), 15, "{}", g.stdout);
    let unlocked: Vec<&Value> = readings.iter().filter(|r| r["locked"] == false).collect();
    assert!(
        !unlocked.is_empty(),
        "the tuner never lost lock 100 kHz off:\n{}",
        g.stdout
    );
    for r in &unlocked {
        assert!(
            r["level_dbm"].is_null() && r["cnr_db"].is_null() && r["pre_ber"].is_null(),
            "figures while unlocked: {r}"
        );
    }
    let human = g.part("human");
    let no_lock: Vec<&str> = human.lines().filter(|l| l.starts_with("NO LOCK")).collect();
    assert!(!no_lock.is_empty(), "{human}");
    for l in no_lock {
        assert!(
            !l.contains("dBm") && !l.contains("C/N"),
            "a figure shown while unlocked: {l}"
        );
    }
}
