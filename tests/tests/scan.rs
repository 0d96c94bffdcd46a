//! Scans of ChinaSat 92.2°E in the emulated box, on the emulated sky through the kernel: `stb-app scan` must find
//! what `dvbv5-scan` finds there with the same video and audio PIDs, what the sky carries, and tune the DVB-S2
//! transponders as DVB-S2 (with their modulation, code rate and roll-off) in the scan and in what it stores.

use std::collections::BTreeMap;

use box_tests::BoxRun;
use serde_json::Value;

/// dvbv5-scan's input: every ChinaSat transponder with its exact parameters. Debian 12's libdvbv5 never switches
/// a single-LO LNB (`L10750`) to 18 V, so the left-hand transponders are out of its reach through it; a universal
/// LNB at IF + 9750 MHz (low band: no tone) switches the voltage by polarisation and lands on the same IFs.
const DVBV5_INPUT: &str = r#"
: > /tmp/in.conf
tp() { printf "[$1]\n\tDELIVERY_SYSTEM = $2\n\tFREQUENCY = $(( ($1 - 1000) * 1000 ))\n\tPOLARIZATION = $3\n\tSYMBOL_RATE = 28800000\n\tINNER_FEC = $4\n$5" >> /tmp/in.conf; }
tp 11840 DVBS RIGHT 3/4
tp 11880 DVBS2 RIGHT 3/4 "\tMODULATION = PSK/8\n\tROLLOFF = 20\n"
tp 11920 DVBS RIGHT 3/4
tp 11960 DVBS2 RIGHT 2/3 "\tMODULATION = QPSK\n\tROLLOFF = 25\n"
tp 12020 DVBS LEFT 3/4
tp 12060 DVBS LEFT 5/6
tp 12100 DVBS LEFT 3/4
tp 12140 DVBS LEFT 3/4
"#;

/// (frequency kHz as broadcast) -> [(service id, video PID, audio PIDs)] from a dvbv5 channel file written for the
/// universal-LNB stand-in (frequency + 1000 MHz).
fn dvbv5_services(conf: &str) -> BTreeMap<u64, Vec<(u64, u64, String)>> {
    let mut out: BTreeMap<u64, Vec<(u64, u64, String)>> = BTreeMap::new();
    for block in conf.split("\n[").filter(|b| !b.trim().is_empty()) {
        let field = |k: &str| {
            block.lines().find_map(|l| {
                l.trim()
                    .strip_prefix(&format!("{k} = "))
                    .map(str::to_string)
            })
        };
        let freq: u64 = field("FREQUENCY")
            .and_then(|v| v.parse().ok())
            .expect("FREQUENCY");
        let sid: u64 = field("SERVICE_ID")
            .and_then(|v| v.parse().ok())
            .expect("SERVICE_ID");
        let video = field("VIDEO_PID").and_then(|v| v.parse().ok()).unwrap_or(0);
        out.entry(freq + 1_000_000).or_default().push((
            sid,
            video,
            field("AUDIO_PID").unwrap_or_default(),
        ));
    }
    for v in out.values_mut() {
        v.sort();
    }
    out
}

/// (service id, video PID, audio PIDs) of a scan's transponder report.
fn ours(tp: &Value) -> Vec<(u64, u64, String)> {
    let mut v: Vec<(u64, u64, String)> = tp["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let audio: Vec<String> = s["audio"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["pid"].as_u64().unwrap().to_string())
                .collect();
            (
                s["service_id"].as_u64().unwrap(),
                s["video"]["pid"].as_u64().unwrap_or(0),
                audio.join(" "),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn network_and_preset_scans_find_what_dvbv5_scan_and_the_sky_have_and_tune_dvb_s2_as_dvb_s2() {
    let script = format!(
        r#"{DVBV5_INPUT}
dvbv5-scan -l UNIVERSAL -S 0 -F -o /tmp/out.conf /tmp/in.conf >/dev/null 2>&1
echo '=== nit ==='; stb-app scan --satellite 92.2E --mode nit --db /tmp/nit.db --json 2>/dev/null
echo '=== preset ==='; stb-app scan --satellite 92.2E --mode preset --db /tmp/ch.db --json 2>/dev/null
echo '=== channels ==='; stb-app channels --db /tmp/ch.db --json
echo '=== export ==='; stb-app channels --db /tmp/ch.db --export dvbv5 /tmp/ours.conf >/dev/null
dvbv5-zap -c /tmp/ours.conf -l L10750 -x 'CCTV-13 新闻' >/dev/null 2>&1 && echo zap-ok
grep -A16 'CCTV-13' /tmp/ours.conf
echo '=== dvbv5 ==='; cat /tmp/out.conf
"#
    );
    let g = BoxRun::new().run(&script);
    assert_eq!(g.status, 0, "stdout:\n{}\nstderr:\n{}", g.stdout, g.stderr);
    let sky = g.sky.as_ref().expect("the emulated sky");
    let theirs = dvbv5_services(g.part("dvbv5"));
    assert_eq!(
        theirs.len(),
        8,
        "dvbv5-scan should find all eight transponders:\n{}",
        g.part("dvbv5")
    );
    let chinasat: Vec<&Value> = sky["transponders"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["port"] == "A")
        .collect();
    for mode in ["nit", "preset"] {
        let report = &g.json_lines(mode)[0];
        let tps = report["transponders"].as_array().unwrap();
        assert_eq!(tps.len(), 8, "{mode}: {report}");
        for tp in tps {
            let freq = tp["frequency_khz"].as_u64().unwrap();
            assert_eq!(tp["locked"], true, "{mode} {freq}");
            assert_eq!(
                tp["complete"], true,
                "{mode} {freq}: missing {}",
                tp["missing"]
            );
            // The same services and PIDs as dvbv5-scan ...
            assert_eq!(
                Some(&ours(tp)),
                theirs.get(&freq),
                "{mode}: services on {freq} kHz"
            );
            // ... the same as the sky's, with the names as broadcast (GB2312 and Tibetan in UTF-8) ...
            let want = chinasat
                .iter()
                .find(|t| t["frequency_mhz"].as_u64().unwrap() * 1000 == freq)
                .unwrap_or_else(|| panic!("{freq} is not in the sky"));
            let mut names: Vec<&str> = tp["services"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["name"].as_str().unwrap())
                .collect();
            let mut sky_names: Vec<&str> = want["services"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["name"].as_str().unwrap())
                .collect();
            names.sort_unstable();
            sky_names.sort_unstable();
            assert_eq!(names, sky_names, "{mode}: names on {freq} kHz");
            // ... and tuned as they are sent: DVB-S2 with its modulation where the sky sends DVB-S2.
            assert_eq!(tp["system"], want["system"], "{mode} {freq}");
            if want["system"] == "DVB-S2" {
                assert_eq!(tp["modulation"], want["modulation"], "{mode} {freq}");
            }
        }
    }
    // What is stored tunes each channel as the scan did: CCTV-13 on the 8PSK transponder.
    let channels = &g.json_lines("channels")[0];
    let cctv13 = channels
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["number"] == 13)
        .unwrap_or_else(|| panic!("no channel 13: {channels}"));
    assert_eq!(
        (
            &cctv13["system"],
            &cctv13["modulation"],
            &cctv13["fec"],
            &cctv13["rolloff"]
        ),
        (
            &Value::from("DVB-S2"),
            &Value::from("8PSK"),
            &Value::from("3/4"),
            &Value::from("0.20")
        ),
        "{cctv13}"
    );
    assert_eq!(channels.as_array().unwrap().len(), 15, "{channels}");
    // What we export, dvbv5-zap tunes: DVB-S2 8PSK included.
    let export = g.part("export");
    assert!(export.contains("zap-ok"), "{export}");
    assert!(
        export.contains("MODULATION = PSK/8") && export.contains("DELIVERY_SYSTEM = DVBS2"),
        "{export}"
    );
}
