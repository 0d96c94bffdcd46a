//! A channel whose programme changed after the scan still plays: an operator who moves a service's sound to
//! another PID must not leave a household in silence until it scans again. The player's demux filter follows the
//! programme's PMT, not only the channel list (the replay tuner filters PIDs as the kernel's demux does).

use std::process::Command;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use stb_app::channels::ChannelDb;
use stb_app::lnb::{Lnb, Polarisation};
use stb_app::scan::{scan_transponder, ScanOptions};
use stb_app::tuner::replay::ReplayTuner;
use stb_app::tuner::{Transponder, TuneRequest};

mod common;

#[test]
fn a_channel_whose_sound_moved_since_the_scan_is_still_heard() {
    let (sky, media) = common::sky_media();
    let (sat, _, service) = sky
        .services()
        .find(|(_, _, s)| s.video.is_some() && !s.audio.is_empty())
        .expect("the sky has a television service");
    let file = sky::media::media_path(&media, sat, service);
    let dir = std::env::temp_dir().join(format!("stb-play-moved-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let lineup = dir.join("lineup");
    std::fs::write(&lineup, format!("11880 r 27500 {}\n", file.display())).unwrap();

    // The scan as the box makes it, then the operator moves every sound track: the channel list names PIDs the
    // programme no longer has.
    let mut tuner = ReplayTuner::from_lineup_file(&lineup).unwrap();
    let req = TuneRequest {
        transponder: Transponder::dvbs(11_880_000, Polarisation::Right, 27_500_000),
        lnb: Lnb::ku_circular_10750(),
        diseqc: Default::default(),
    };
    let opts = ScanOptions {
        // The encoder's file has no NIT: no need to wait for one.
        nit_timeout: Duration::from_millis(500),
        ..Default::default()
    };
    let mut scan = scan_transponder(&mut tuner, &req, &opts, &AtomicBool::new(false), &[]).unwrap();
    assert_eq!(scan.services.len(), 1, "{scan:?}");
    let found = &mut scan.services[0];
    assert!(
        !found.audio.is_empty(),
        "the scan found no sound: {found:?}"
    );
    for (i, track) in found.audio.iter_mut().enumerate() {
        track.pid = 0x1ff0 + i as u16;
    }
    let mut db = ChannelDb::open(&dir.join("channels.db")).unwrap();
    db.apply_scan("92.2E", &[scan]).unwrap();
    let number = db.channels().unwrap()[0].number;
    drop(db);

    let out = Command::new(env!("CARGO_BIN_EXE_stb-play"))
        .args(["--channel", &number.to_string(), "--replay"])
        .arg(&lineup)
        .args(["--audio-device", "none", "--seconds", "4", "--json"])
        .env("STB_DATA_DIR", &dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let report: serde_json::Value = stdout
        .lines()
        .last()
        .and_then(|l| serde_json::from_str(l).ok())
        .unwrap_or_else(|| panic!("no report: {stdout}\n{stderr}"));
    assert!(
        report["first_audio_ms"].is_u64(),
        "no sound from the moved track: {report}\n{stderr}"
    );
    assert!(report["audio_codec"].is_string(), "{report}");
    assert!(
        stderr.contains("has moved streams since the scan"),
        "the box's log does not say why the filter changed: {stderr}"
    );
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}
