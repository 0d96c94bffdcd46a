//! The preset scan of ChinaSat 92.2°E in the emulated box: vidtv answers on the eight transponders' IFs through the
//! 10750 MHz LNB, and `stb-app scan` must find what `dvbv5-scan` finds there, transponder by transponder.

use std::collections::BTreeMap;

use box_tests::BoxRun;

/// vidtv takes Ku frequencies and subtracts 9750 MHz (it assumes a universal LNB): IF + 9750 MHz makes it answer
/// on the IF a ChinaSat transponder has through the 10750 MHz LNB.
use box_tests::CHINASAT_VIDTV;

const DVBV5_INPUT: &str = r#"
: > /tmp/in.conf
for f in 11840 11880 11920 11960; do printf "[R$f]\n\tDELIVERY_SYSTEM = DVBS\n\tFREQUENCY = ${f}000\n\tPOLARIZATION = RIGHT\n\tSYMBOL_RATE = 28800000\n\tINNER_FEC = AUTO\n" >> /tmp/in.conf; done
for f in 12020 12060 12100 12140; do printf "[L$f]\n\tDELIVERY_SYSTEM = DVBS\n\tFREQUENCY = ${f}000\n\tPOLARIZATION = LEFT\n\tSYMBOL_RATE = 28800000\n\tINNER_FEC = AUTO\n" >> /tmp/in.conf; done
"#;

/// (frequency kHz) -> [(service id, name, audio PIDs)] from a dvbv5 channel file.
fn dvbv5_services(conf: &str) -> BTreeMap<u64, Vec<(u64, String, String)>> {
    let mut out: BTreeMap<u64, Vec<(u64, String, String)>> = BTreeMap::new();
    for block in conf.split("\n[").filter(|b| !b.trim().is_empty()) {
        let name = block
            .trim_start_matches('[')
            .lines()
            .next()
            .unwrap_or_default()
            .trim_end_matches(']')
            .to_string();
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
        out.entry(freq)
            .or_default()
            .push((sid, name, field("AUDIO_PID").unwrap_or_default()));
    }
    out
}

#[test]
fn preset_scan_finds_what_dvbv5_scan_finds_on_every_transponder() {
    let script = format!(
        r#"{DVBV5_INPUT}
dvbv5-scan -l L10750 -S 0 -o /tmp/out.conf /tmp/in.conf >/dev/null 2>&1
echo '=== ours ==='; stb-app scan --satellite 92.2E --mode preset --db /tmp/ch.db --json 2>/dev/null
echo '=== channels ==='; stb-app channels --db /tmp/ch.db --json
echo '=== export ==='; stb-app channels --db /tmp/ch.db --export dvbv5 /tmp/ours.conf >/dev/null
dvbv5-zap -c /tmp/ours.conf -l L10750 -x Beethoven >/dev/null 2>&1 && echo zap-ok
echo '=== dvbv5 ==='; cat /tmp/out.conf
"#
    );
    let g = BoxRun::new().vidtv(CHINASAT_VIDTV).run(&script);
    assert_eq!(g.status, 0, "stdout:\n{}\nstderr:\n{}", g.stdout, g.stderr);
    let theirs = dvbv5_services(g.part("dvbv5"));
    assert_eq!(
        theirs.len(),
        8,
        "dvbv5-scan should find all eight transponders:\n{}",
        g.part("dvbv5")
    );
    let ours = &g.json_lines("ours")[0];
    let tps = ours["transponders"].as_array().unwrap();
    assert_eq!(tps.len(), 8);
    for tp in tps {
        let freq = tp["frequency_khz"].as_u64().unwrap();
        assert_eq!(tp["locked"], true, "{freq}");
        assert_eq!(tp["complete"], true, "{freq}: missing {}", tp["missing"]);
        let found: Vec<(u64, String, String)> = tp["services"]
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
                    s["name"].as_str().unwrap().to_string(),
                    audio.join(" "),
                )
            })
            .collect();
        assert_eq!(Some(&found), theirs.get(&freq), "services on {freq} kHz");
    }
    // One transport stream carried eight times is one channel in the list, not eight.
    let channels = &g.json_lines("channels")[0];
    assert_eq!(channels.as_array().unwrap().len(), 1, "{channels}");
    assert_eq!(channels[0]["name"], "Beethoven");
    assert_eq!(channels[0]["number"], 1);
    // What we export, dvbv5-zap tunes.
    assert!(g.part("export").contains("zap-ok"), "{}", g.part("export"));
}
