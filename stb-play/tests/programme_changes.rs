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

/// `file` with its programme changed `changes` times in its first half (the last change halfway): the sound moves
/// to `moved_to` instead of its PID, back, and so on, and each time the PMT says so with its next version number
/// (what a multiplexer sends when the operator moves a track).
fn sound_moved(file: &std::path::Path, moved_to: u16, changes: usize) -> Vec<u8> {
    use ts_si::section::{packetize, Section};
    use ts_si::tables::ProgramMapTable;
    let mut bytes = std::fs::read(file).unwrap();
    let mut pmt_pid = None;
    let mut pmt = None;
    let mut si = ts_si::demux::Demux::new();
    si.feed_with_control(&bytes, &mut |s, control| {
        let Ok(section) = Section::new_checked(s.data) else {
            return;
        };
        if s.pid == 0 {
            if let Ok(pat) = ts_si::tables::ProgramAssociationTable::parse(&section) {
                for (_, pid) in pat.programs.iter().filter(|(p, _)| *p != 0) {
                    pmt_pid = Some(*pid);
                    control.push(*pid);
                }
            }
        } else if Some(s.pid) == pmt_pid && pmt.is_none() {
            pmt = ProgramMapTable::parse(&section).ok();
        }
    });
    let (pmt_pid, mut pmt) = (pmt_pid.unwrap(), pmt.expect("the file has a PMT"));
    let audio = pmt
        .streams
        .iter_mut()
        .find(|es| matches!(es.stream_type, 0x03 | 0x04))
        .expect("the programme has MPEG audio");
    let sound = audio.elementary_pid;
    let pid_after = |k: usize| if k % 2 == 1 { moved_to } else { sound };
    // The PMT after change k.
    let pmts: Vec<Vec<u8>> = (0..=changes)
        .map(|k| {
            let mut p = pmt.clone();
            if let Some(a) = p.streams.iter_mut().find(|es| es.elementary_pid == sound) {
                a.elementary_pid = pid_after(k);
            }
            p.header.version = ((usize::from(pmt.header.version) + k) & 0x1f) as u8;
            p.emit().unwrap()
        })
        .collect();
    let n = bytes.len() / 188;
    for (i, packet) in bytes.chunks_exact_mut(188).enumerate() {
        let k = (i * 2 * changes / n).min(changes);
        if k == 0 {
            continue;
        }
        let pid = u16::from_be_bytes([packet[1], packet[2]]) & 0x1fff;
        if pid == sound {
            let to = pid_after(k);
            packet[1] = (packet[1] & 0xe0) | (to >> 8) as u8;
            packet[2] = to as u8;
        } else if pid == pmt_pid {
            assert!(packet[1] & 0x40 != 0, "the PMT fits in one packet");
            let mut cc = packet[3] & 0x0f;
            let new = packetize(pmt_pid, std::slice::from_ref(&pmts[k]), &mut cc);
            assert_eq!(new.len(), 1);
            packet.copy_from_slice(&new[0]);
        }
    }
    bytes
}

#[test]
fn the_sound_goes_on_when_the_programme_moves_it_while_playing() {
    use stb_play::player::{AudioOut, Heard, Player};
    use std::sync::{Arc, Mutex};
    let (sky, media) = common::sky_media();
    let (sat, _, service) = sky
        .services()
        .find(|(_, _, s)| s.video.is_some() && s.audio.len() == 1 && s.audio[0].codec == "mp2")
        .expect("the sky has a television service with MPEG-1 Layer II sound");
    let file = sky::media::media_path(&media, sat, service);
    // At the pace of a tuner: what the decoders' queues hold when the programme changes is what a household
    // would lose of it.
    let seconds = sky::definition::LOOP_SECONDS;
    let play = |bytes: &[u8]| {
        let heard = Arc::new(Mutex::new(Heard::default()));
        let player = Player::start(None, None, AudioOut::Samples(heard.clone()), None).unwrap();
        let started = std::time::Instant::now();
        let chunk = 188 * 64;
        for (i, packets) in bytes.chunks(chunk).enumerate() {
            let due = Duration::from_secs_f64(seconds * (i * chunk) as f64 / bytes.len() as f64);
            std::thread::sleep(due.saturating_sub(started.elapsed()));
            player.push(packets).unwrap();
        }
        let ended = player.finish(Duration::from_secs(60));
        let events = player.events();
        assert!(ended, "the file did not play to its end: {events:?}");
        let heard = heard.lock().unwrap().clone();
        (heard, events)
    };
    let (whole, _) = play(&std::fs::read(&file).unwrap());
    let tone = f64::from(service.audio[0].tone_hz);
    // The file played with its programme changed `changes` times is heard within `allowed_s` of the whole file,
    // and its last quarter is the service's own tone.
    let heard_through = |changes: usize, allowed_s: f64| {
        let (heard, events) = play(&sound_moved(&file, 0x1ff0, changes));
        let lost = whole.samples.len() as f64 - heard.samples.len() as f64;
        eprintln!(
            "sound lost over {changes} change(s) of the programme: {:.0} ms",
            lost / 48.0
        );
        assert!(
            lost < allowed_s * 48_000.0,
            "{} of {} samples heard through {changes} change(s): {events:?}",
            heard.samples.len(),
            whole.samples.len()
        );
        let tail = &heard.samples[heard.samples.len() * 3 / 4..];
        assert!(
            common::power(tail, tone) > 100.0 * common::power(tail, tone * 1.37),
            "the service's {tone} Hz is not what is heard after {changes} change(s)"
        );
    };
    // The file's second half is heard as well as the first: what the old track's queue held when it was cut off
    // and a frame or two for the new decoder's start are lost (48 ms measured), not the rest of the programme.
    heard_through(1, 0.5);
    // Seventeen changes in the first half (tsdemux counts its programmes in 4 bits: the count wraps at the
    // sixteenth): the sound comes back after each, and the second half is heard (912 ms lost measured).
    heard_through(17, 3.0);
}
