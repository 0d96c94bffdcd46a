//! The GPS reader against an emulated receiver on a real pseudo-terminal.

#[path = "support/emulator.rs"]
mod emulator;

use std::time::{Duration, Instant};

use dish_align::gps::{BaudSetting, GpsEvent, GpsOptions, GpsReader};
use emulator::{Emulator, Script};

fn opts() -> GpsOptions {
    GpsOptions::default()
}

/// Read events until `pred` returns true or `limit` passes; returns all events seen.
fn until(
    r: &mut GpsReader,
    limit: Duration,
    mut pred: impl FnMut(&GpsEvent) -> bool,
) -> (Vec<GpsEvent>, bool) {
    let end = Instant::now() + limit;
    let mut seen = Vec::new();
    while Instant::now() < end {
        match r.poll(Duration::from_millis(200)) {
            Ok(Some(e)) => {
                let done = pred(&e);
                seen.push(e);
                if done {
                    return (seen, true);
                }
            }
            Ok(None) => {}
            Err(e) => panic!("reader failed: {e}"),
        }
    }
    (seen, false)
}

#[test]
fn fix_acquisition_with_progress_at_9600() {
    let emu = Emulator::start(Script {
        bursts_without_fix: 2,
        period: Duration::from_millis(600),
        ..Script::default()
    });
    let mut r = GpsReader::open(emu.slave_path.to_str().unwrap(), opts()).unwrap();
    assert_eq!(r.baud(), 9600);
    let (ev, ok) = until(&mut r, Duration::from_secs(15), |e| {
        matches!(e, GpsEvent::Fix(_))
    });
    assert!(ok, "no fix: {ev:?}");
    assert!(
        matches!(ev[0], GpsEvent::Connected { baud: 9600 }),
        "{ev:?}"
    );
    // Before the fix, progress lines report satellites seen and a poor HDOP.
    let progress: Vec<_> = ev
        .iter()
        .filter_map(|e| match e {
            GpsEvent::Progress { in_view, hdop, .. } => Some((*in_view, *hdop)),
            _ => None,
        })
        .collect();
    assert!(!progress.is_empty(), "{ev:?}");
    assert!(
        progress.iter().all(|&(_, h)| h == Some(99.99)),
        "{progress:?}"
    );
    // GSV follows GGA within a burst, so the count shows from the second burst on.
    assert!(progress.last().unwrap().0 >= 4, "{progress:?}");
    let GpsEvent::Fix(fix) = ev.last().unwrap() else {
        unreachable!()
    };
    assert!((fix.lat_deg - 31.14).abs() < 1e-6, "{fix:?}");
    assert!((fix.lon_deg - 97.17).abs() < 1e-6);
    assert!((fix.ellipsoidal_height_m - (3240.0 - 35.2)).abs() < 1e-6);
    assert_eq!(fix.date, Some(chrono::Utc::now().date_naive()));
}

#[test]
fn auto_baud_finds_a_4800_baud_receiver() {
    let emu = Emulator::start(Script {
        baud: 4800,
        ..Script::default()
    });
    let mut r = GpsReader::open(emu.slave_path.to_str().unwrap(), opts()).unwrap();
    assert_eq!(r.baud(), 4800);
    // The receiver really did talk garbage while the reader listened at 9600 first.
    assert!(emu.garbage_bytes.load(std::sync::atomic::Ordering::Relaxed) > 0);
    let (ev, ok) = until(&mut r, Duration::from_secs(10), |e| {
        matches!(e, GpsEvent::Fix(_))
    });
    assert!(ok, "{ev:?}");
    assert!(matches!(ev[0], GpsEvent::Connected { baud: 4800 }));
}

#[test]
fn fixed_baud_is_respected() {
    let emu = Emulator::start(Script {
        baud: 38400,
        ..Script::default()
    });
    let o = GpsOptions {
        baud: BaudSetting::Fixed(38400),
        ..opts()
    };
    let mut r = GpsReader::open(emu.slave_path.to_str().unwrap(), o).unwrap();
    let (ev, ok) = until(&mut r, Duration::from_secs(10), |e| {
        matches!(e, GpsEvent::Fix(_))
    });
    assert!(ok, "{ev:?}");
    assert_eq!(r.baud(), 38400);
}

#[test]
fn garbage_and_wrong_checksums_are_rejected() {
    let emu = Emulator::start(Script {
        corrupt_every: Some(3),
        noise_between_bursts: true,
        period: Duration::from_millis(300),
        ..Script::default()
    });
    let mut r = GpsReader::open(emu.slave_path.to_str().unwrap(), opts()).unwrap();
    let mut fixes = 0;
    let (ev, _) = until(&mut r, Duration::from_secs(20), |e| {
        if matches!(e, GpsEvent::Fix(_)) {
            fixes += 1;
        }
        fixes >= 5
    });
    let got: Vec<_> = ev
        .iter()
        .filter_map(|e| match e {
            GpsEvent::Fix(f) => Some(f),
            _ => None,
        })
        .collect();
    assert!(got.len() >= 5, "{ev:?}");
    // The corrupted sentences claim 10°N 10°E; none of them may get through.
    assert!(
        got.iter().all(|f| (f.lat_deg - 31.14).abs() < 1e-6),
        "{got:?}"
    );
    let st = r.stats();
    assert!(st.bad_checksums >= 3, "{st:?}");
}

#[test]
fn unplug_is_reported_and_the_port_reopened() {
    let dir = tempfile::tempdir().unwrap();
    let dev = dir.path().join("ttyGPS0");
    let first = Emulator::start(Script {
        period: Duration::from_millis(400),
        ..Script::default()
    });
    emulator::link(&dev, &first.slave_path);
    let mut r = GpsReader::open(dev.to_str().unwrap(), opts()).unwrap();
    let (ev, ok) = until(&mut r, Duration::from_secs(10), |e| {
        matches!(e, GpsEvent::Fix(_))
    });
    assert!(ok, "{ev:?}");

    // Pull the plug: the pty closes and the device node vanishes.
    first.unplug();
    std::fs::remove_file(&dev).unwrap();
    let (ev, ok) = until(&mut r, Duration::from_secs(10), |e| {
        matches!(e, GpsEvent::Disconnected { .. })
    });
    assert!(ok, "unplug not reported: {ev:?}");

    // Plug a receiver back in under the same name, somewhere else and at another speed.
    std::thread::sleep(Duration::from_millis(600));
    let second = Emulator::start(Script {
        baud: 4800,
        lat: 29.65,
        lon: 91.1,
        period: Duration::from_millis(400),
        ..Script::default()
    });
    emulator::link(&dev, &second.slave_path);
    let (ev, ok) = until(
        &mut r,
        Duration::from_secs(20),
        |e| matches!(e, GpsEvent::Fix(f) if (f.lat_deg - 29.65).abs() < 1e-6),
    );
    assert!(ok, "no fix after re-plug: {ev:?}");
    assert!(
        ev.iter()
            .any(|e| matches!(e, GpsEvent::Connected { baud: 4800 })),
        "{ev:?}"
    );
    assert!(r.stats().reconnects >= 1);
    drop(second);
}

#[test]
fn a_missing_device_is_one_clear_error() {
    let e = GpsReader::open("/dev/does-not-exist-gps", opts()).unwrap_err();
    assert!(e.to_string().contains("/dev/does-not-exist-gps"), "{e}");
}
