//! `stb-app ts analyze` / `stb-app ts epg` as stb-app runs them: through [`run`].

use std::path::PathBuf;

use clap::Parser;
use ts_si::cli::{run, CliError, TsCommand};

#[derive(Parser)]
struct App {
    #[command(subcommand)]
    ts: TsCommand,
}

fn file(name: &str) -> PathBuf {
    PathBuf::from(format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR")))
}

fn run_args(args: &[&str]) -> Result<String, CliError> {
    let app =
        App::try_parse_from(std::iter::once("ts").chain(args.iter().copied())).expect("arguments");
    let mut out = Vec::new();
    run(&app.ts, &mut out)?;
    Ok(String::from_utf8(out).expect("UTF-8 output"))
}

#[test]
fn analyze_json_lists_services_transponders_and_errors() {
    let p = file("test-184.ts");
    let out = run_args(&["analyze", p.to_str().unwrap(), "--json"]).unwrap();
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["transport_stream_id"], 4);
    assert_eq!(v["original_network_id"], 0x20FA);
    let names: Vec<&str> = v["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["M6", "W9", "Arte", "France 5", "6ter"]);
    assert_eq!(v["services"][0]["logical_channel_number"], 6);
    assert_eq!(v["services"][0]["provider"], "Multi4");
    assert_eq!(v["networks"][0]["transports"].as_array().unwrap().len(), 7);
    assert_eq!(v["errors"]["crc_errors"], 1);
    assert_eq!(v["errors"]["cc_errors"], 0);
    let eit = v["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["table_id"] == 0x4E)
        .unwrap();
    assert_eq!(eit["sections"], 597);
    // The clock comes from the TDT/TOT when there is no PCR.
    assert!(eit["repetition_ms_avg"].as_u64().is_some());
}

#[test]
fn analyze_text_is_aligned_and_shows_ca_systems() {
    let p = file("test-030.out.ts");
    let out = run_args(&["analyze", p.to_str().unwrap()]).unwrap();
    assert!(
        out.contains("0x1811  Nagravision  EMM PID 0x1449  02 FE 22"),
        "{out}"
    );
    assert!(
        out.contains("0x0500  Viaccess     EMM PID 0x1690  13 01 20 14 03 03 28 30 14 03 D0 00 C0"),
        "{out}"
    );
    let p = file("vidtv-dvbs-beethoven.ts");
    let out = run_args(&[
        "analyze",
        p.to_str().unwrap(),
        "--default-charset",
        "gb18030",
    ])
    .unwrap();
    assert!(out.contains("Beethoven"));
    assert!(out.contains("gb18030"));
    assert!(out.contains("SMPTE 302M Audio"));
}

#[test]
fn epg_lists_every_event() {
    let p = file("test-184.ts");
    let out = run_args(&["epg", p.to_str().unwrap(), "--json"]).unwrap();
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let events = v["events"].as_array().unwrap();
    assert_eq!(events.len(), 346);
    let first = &events[0];
    assert_eq!(first["service_name"], "TF1");
    assert_eq!(first["start_utc"], "2019-01-22 12:00:00");
    assert_eq!(first["duration_s"], 3300);
    assert_eq!(first["title"], "Le journal");
    assert_eq!(first["short_text"], "HD. Présenté par Jean-Pierre Pernaut.");
    assert_eq!(first["language"], "fre");
    let text = run_args(&["epg", p.to_str().unwrap()]).unwrap();
    assert!(
        text.contains("1. TF1 (service 0x0601, TS 0x0006, network 0x20FA)"),
        "{text}"
    );
    assert!(
        text.contains("  2019-01-22 12:00:00 UTC    0:55  Le journal  [fre]"),
        "{text}"
    );
}

#[test]
fn bad_files_give_clear_errors() {
    let missing = run_args(&["analyze", "/nonexistent/x.ts"]).unwrap_err();
    assert!(matches!(missing, CliError::Read { .. }));
    assert!(missing.to_string().contains("/nonexistent/x.ts"));
    let dir = std::env::temp_dir().join(format!("ts-si-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let junk = dir.join("junk.ts");
    std::fs::write(&junk, vec![0u8; 5000]).unwrap();
    let e = run_args(&["epg", junk.to_str().unwrap()]).unwrap_err();
    assert!(matches!(e, CliError::NotTransportStream { .. }), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
    // An unknown charset name is refused by the argument parser with the valid names.
    let err = App::try_parse_from(["ts", "analyze", "x.ts", "--default-charset", "klingon"])
        .err()
        .unwrap();
    assert!(err.to_string().contains("gb18030"), "{err}");
}
