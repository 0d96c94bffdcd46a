//! The box as a household meets it: boot, the first-install wizard appears on the screen (QEMU's screendump equals
//! the reviewed golden image), the remote's keys (QEMU's virtio keyboard, a real evdev device) walk the wizard,
//! the scan runs against the emulated sky through the kernel's vidtv tuner, the channel list on the screen is the
//! list the scan stored, and a zap by number tunes a DVB-S2 transponder as DVB-S2 and brings its guide.
//! Meanwhile the front panel (the kernel's i2c-stub standing in for its HT16K33) shows dashes, the channel, and
//! standby on POWER; the remote is unplugged and plugged back and still works.

use std::path::Path;
use std::time::{Duration, Instant};

use box_tests::{read_ppm, top, BoxRun};

fn png(path: &Path) -> (u32, u32, Vec<u8>) {
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(path).expect("golden image"),
    ));
    let mut reader = decoder.read_info().expect("png");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("png frame");
    assert_eq!(info.color_type, png::ColorType::Rgb);
    buf.truncate(info.buffer_size());
    (info.width, info.height, buf)
}

/// Share of pixels differing by more than 40 in a channel.
fn difference(a: &(u32, u32, Vec<u8>), b: &(u32, u32, Vec<u8>)) -> f64 {
    assert_eq!((a.0, a.1), (b.0, b.1), "screen sizes differ");
    let n =
        a.2.chunks_exact(3)
            .zip(b.2.chunks_exact(3))
            .filter(|(x, y)| x.iter().zip(y.iter()).any(|(p, q)| p.abs_diff(*q) > 40))
            .count();
    n as f64 / (a.0 * a.1) as f64
}

#[test]
fn the_wizard_on_the_box_screen_is_walked_with_the_remote_to_the_channel_list() {
    let script = r#"
echo '=== ui ==='
# QEMU's PC also has a PS/2 keyboard, which takes sendkey while the remote is unplugged: let it go, so every key
# below can only come through the virtio remote.
for d in /sys/bus/serio/drivers/atkbd/serio*; do
    [ -e "$d" ] && printf %s "${d##*/}" > /sys/bus/serio/drivers/atkbd/unbind
done
echo "ps2 keyboards bound: $(ls /sys/bus/serio/drivers/atkbd 2>/dev/null | grep -c '^serio')"
# init started the UI as on a household's first boot; its log is followed here.
tail -n +1 -f /var/log/stb-app.log &
follow=$!
i=0
while [ ! -e /job/wizard-seen ] && [ $i -lt 600 ]; do sleep 0.3; i=$((i+1)); done
# A front panel: the kernel's i2c-stub answers as the HT16K33 at 0x70, and what the box writes into its display
# RAM is printed whenever it changes (digit 4 at 0x08, the standby LED at 0x0a). The UI is stopped so that init
# starts it again with the panel, as after an installer fits one.
modprobe i2c-dev && modprobe i2c-stub chip_addr=0x70
bus=""
for d in /sys/class/i2c-dev/i2c-*; do grep -q "SMBus stub" "$d/name" && bus=$(basename "$d"); done
echo "ht16k33 /dev/$bus 0x70" > /etc/stb/front-panel
(
    last=""
    while true; do
        v="$(i2cget -y "${bus#i2c-}" 0x70 0x08 b 2>/dev/null) $(i2cget -y "${bus#i2c-}" 0x70 0x0a b 2>/dev/null)"
        [ "$v" != "$last" ] && echo "panel $v" && last="$v"
        sleep 0.3
    done
) &
panel=$!
kill $(pidof stb-box)
while pidof stb-box >/dev/null; do sleep 0.1; done
echo '=== restarted ==='
i=0
while [ ! -e /job/host-done ] && [ $i -lt 1800 ]; do sleep 0.3; i=$((i+1)); done
# Nothing else may write into the part below: stop following the log and the panel.
kill $follow $panel
sleep 1
cp /var/lib/stb/channels.db /job/channels.db 2>/dev/null
echo '=== channels ==='
stb-app channels --json
echo '=== sky ==='
dmesg | grep "vidtv sky" | grep -v "kHz off\|no carrier"
echo '=== end ==='
"#;
    let work = std::env::temp_dir().join(format!("stb-ui-e2e-{}", std::process::id()));
    std::fs::create_dir_all(&work).unwrap();
    let (wizard_shot, list_shot) = (work.join("wizard.ppm"), work.join("list.ppm"));
    let dish_shot = work.join("dish.ppm");
    let (w1, l1, d1) = (wizard_shot.clone(), list_shot.clone(), dish_shot.clone());
    let db = work.join("channels.db");
    let db_in_host = db.clone();
    let steps = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let log = steps.clone();
    let g = BoxRun::new().ui().run_with(script, move |ctl| {
        let deadline = Instant::now() + Duration::from_secs(900);
        // Markers count from the UI's restart on, once it has happened.
        let reached = |marker: &str| {
            let seen = ctl.wait_for(marker, Some("=== restarted ==="), deadline);
            if seen {
                log.lock().unwrap().push(marker.to_string());
            }
            seen
        };
        let done = || {
            let _ = std::fs::write(ctl.state.join("job/host-done"), b"");
        };
        if !reached("ui: ready") {
            return done();
        }
        // The first frame is drawn before "ready"; give the framebuffer a moment to reach QEMU's display.
        std::thread::sleep(Duration::from_secs(1));
        ctl.monitor(&format!("screendump {}", w1.display()));
        let _ = std::fs::write(ctl.state.join("job/wizard-seen"), b"");
        if !reached("=== restarted ===") || !reached("ui: ready") {
            return done();
        }
        for marker in ["ui: screen wizard-satellite", "ui: screen wizard-dish"] {
            ctl.monitor("sendkey ret");
            if !reached(marker) {
                return done();
            }
        }
        // The dish step reads the box's GPS UART: the positioning module reports Beijing until the UI has a fix.
        ctl.gps_fix_for_ui(Duration::from_secs(120));
        if !reached("ui: position fix") {
            return done();
        }
        std::thread::sleep(Duration::from_secs(1));
        ctl.monitor(&format!("screendump {}", d1.display()));
        for marker in ["ui: screen wizard-signal", "ui: screen wizard-scan"] {
            ctl.monitor("sendkey ret");
            if !reached(marker) {
                return done();
            }
        }
        if !reached("ui: scan finished") {
            return done();
        }
        for marker in [
            "ui: screen wizard-done",
            "ui: screen watching",
            "ui: screen channel-list",
        ] {
            ctl.monitor("sendkey ret");
            if !reached(marker) {
                return done();
            }
        }
        std::thread::sleep(Duration::from_secs(2));
        ctl.monitor(&format!("screendump {}", l1.display()));
        // The remote is unplugged and plugged in again: BACK still reaches the UI.
        ctl.monitor("device_del remote");
        std::thread::sleep(Duration::from_secs(2));
        ctl.monitor("device_add virtio-keyboard-pci,id=remote");
        let replugged = Instant::now() + Duration::from_secs(60);
        while Instant::now() < replugged && ctl.alive() {
            ctl.monitor("sendkey esc");
            std::thread::sleep(Duration::from_secs(1));
            let out = ctl.stdout_so_far();
            if out
                .rsplit("ui: screen ")
                .next()
                .is_some_and(|last| last.starts_with("watching"))
            {
                log.lock().unwrap().push("back after replug".into());
                break;
            }
        }
        // Channel 13 by number: CCTV-13 on the DVB-S2 8PSK transponder, which locks only when tuned as such;
        // its guide comes in.
        for key in ["1", "3", "ret"] {
            ctl.monitor(&format!("sendkey {key}"));
            std::thread::sleep(Duration::from_millis(300));
        }
        if reached("ui: guide: ") && ctl.wait_for("of 2 services", Some("sendkey"), deadline) {
            log.lock().unwrap().push("guide of channel 13".into());
        }
        // POWER: standby lights the panel's LED and darkens its digits.
        ctl.monitor("sendkey power");
        if reached("panel 0x00 0x01") {
            log.lock().unwrap().push("standby on the panel".into());
        }
        done();
        // The box copies its channel database out when the UI has stopped.
        if reached("=== channels ===") {
            let _ = std::fs::copy(ctl.state.join("job/channels.db"), &db_in_host);
        }
    });
    let stdout = g.stdout.clone();
    let reached = steps.lock().unwrap().clone();
    assert!(
        reached.iter().any(|m| m == "ui: screen channel-list"),
        "the walk stopped after {reached:?}:\n{stdout}"
    );
    assert!(
        stdout.contains("ps2 keyboards bound: 0"),
        "the PS/2 keyboard still takes keys, so the walk does not prove the remote:\n{stdout}"
    );
    // The dish step's angles from the box's own GPS are dish-align's for the same place (same library, but
    // the GPS UART, the NMEA reader and the UI's backend in between).
    let fix_line = stdout
        .lines()
        .find(|l| l.contains("ui: position fix"))
        .expect("a position fix");
    let nums: Vec<f64> = fix_line
        .split(|c: char| c.is_whitespace() || c == ':')
        .filter_map(|w| w.parse().ok())
        .collect();
    let [lat, lon, h, azimuth, elevation] = nums[..] else {
        panic!("fix line: {fix_line}")
    };
    assert!(
        (lat - 39.96247).abs() < 1e-4 && (lon - 116.44604).abs() < 1e-4,
        "{fix_line}"
    );
    // 88.1 m above the geoid, the geoid 8.0 m below the ellipsoid: 80.1 m above the ellipsoid.
    assert!(
        (h - 80.1).abs() < 0.05,
        "height above the ellipsoid: {fix_line}"
    );
    let peer = std::process::Command::new(top().join("target/release/dish-align"))
        .args([
            "--lat",
            &lat.to_string(),
            "--lon",
            &lon.to_string(),
            "--height",
            &h.to_string(),
            "--sat",
            "92.2E",
            "--json",
        ])
        .output()
        .expect("dish-align");
    let peer: serde_json::Value = serde_json::from_slice(&peer.stdout).expect("dish-align JSON");
    let az = peer["azimuth_true_deg"].as_f64().unwrap();
    let el = peer["elevation_deg"].as_f64().unwrap();
    assert!(
        (az - azimuth).abs() < 0.01 && (el - elevation).abs() < 0.01,
        "box {azimuth} {elevation}, dish-align {az} {el}"
    );
    let dish = read_ppm(&dish_shot).expect("a screendump of the dish step");
    let first = read_ppm(&wizard_shot).expect("a screendump of the first step");
    assert!(
        difference(&dish, &first) > 0.02,
        "the dish step looks like the language step"
    );

    // The front panel showed dashes during the wizard, then channel 1, then standby.
    let panel: Vec<&str> = stdout.lines().filter(|l| l.starts_with("panel ")).collect();
    let dashes = panel.iter().position(|l| *l == "panel 0x40 0x00");
    let one = panel.iter().position(|l| *l == "panel 0x06 0x00");
    assert!(
        dashes.is_some() && one > dashes,
        "front panel: {panel:?}\n{stdout}"
    );
    assert!(
        reached.iter().any(|m| m == "standby on the panel"),
        "front panel: {panel:?} after {reached:?}\n{stdout}"
    );
    assert!(
        reached.iter().any(|m| m == "back after replug"),
        "BACK did not arrive after the remote was replugged:\n{stdout}"
    );

    // The wizard's first screen on the box is the reviewed golden image, pixel for pixel within anti-aliasing.
    let shot = read_ppm(&wizard_shot).expect("screendump of the wizard");
    let golden = png(&top().join("stb-box/tests/golden/wizard-language-zh-1280x720.png"));
    let d = difference(&shot, &golden);
    assert!(
        d < 0.002,
        "the box's wizard differs from the golden image on {:.2} % of the screen",
        d * 100.0
    );

    // The scan stored what the sky carries (on ChinaSat 9C, port A) ...
    let channels: Vec<serde_json::Value> =
        serde_json::from_str(g.part("channels").trim()).expect("channel list JSON");
    let sky = g.sky.as_ref().expect("the emulated sky");
    let mut sky_names: Vec<&str> = sky["transponders"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["port"] == "A")
        .flat_map(|t| t["services"].as_array().unwrap().iter())
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    let mut names: Vec<&str> = channels
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    sky_names.sort_unstable();
    names.sort_unstable();
    assert_eq!(
        names, sky_names,
        "the scan did not store the sky's services:\n{stdout}"
    );
    // ... the guide came in for the channel's transponder, and the zap to channel 13 tuned its transponder as
    // DVB-S2 8PSK: after the scan (whose last transponder is 12140 L) the sky locked 11880 R again.
    assert!(
        reached.iter().any(|m| m == "guide of channel 13"),
        "no guide after the zap to channel 13:\n{stdout}"
    );
    let sky_log = g.part("sky");
    let after_scan = &sky_log[sky_log
        .rfind("12140L: locked")
        .expect("the scan reached 12140 L")..];
    assert!(
        after_scan.contains("11880R: locked"),
        "the zap to channel 13 did not lock its DVB-S2 transponder:\n{sky_log}"
    );
    // ... and the channel list on the screen is that list: the host renders the list screen from the box's
    // own database and the box's screen equals it.
    assert!(db.exists(), "the box's channel database did not come out");
    let expected = work.join("list.png");
    let status = std::process::Command::new(box_tests::host_program("stb-box"))
        .args(["render", "--screen", "channel-list", "--lang", "zh", "--db"])
        .arg(&db)
        .arg("--out")
        .arg(&expected)
        .status()
        .expect("stb-app render");
    assert!(status.success());
    let shot = read_ppm(&list_shot).expect("screendump of the channel list");
    let d = difference(&shot, &png(&expected));
    assert!(
        d < 0.002,
        "the box's channel list differs from its database on {:.2} % of the screen",
        d * 100.0
    );
    let wizard = read_ppm(&wizard_shot).unwrap();
    assert!(
        difference(&shot, &wizard) > 0.02,
        "the channel list looks like the wizard"
    );
}

#[test]
fn a_full_data_disk_is_said_on_screen_and_the_ui_keeps_going() {
    // The box's data disk fills up to the last block while the UI runs (started by init); the next thing the
    // household does (choosing a language) has to be saved and cannot be.
    let script = r#"
tail -n +1 -f /var/log/stb-app.log &
i=0
while ! grep -q "ui: ready" /var/log/stb-app.log && [ $i -lt 600 ]; do sleep 0.3; i=$((i+1)); done
dd if=/dev/zero of=/var/lib/stb/filler bs=1M 2>/dev/null
dd if=/dev/zero of=/var/lib/stb/filler-tail bs=1k 2>/dev/null
sync
df -k /var/lib/stb | tail -n1
ls -l /var/lib/stb
echo '=== disk full ==='
i=0
while [ ! -e /job/host-done ] && [ $i -lt 600 ]; do sleep 0.3; i=$((i+1)); done
pidof stb-box >/dev/null && echo "ui still running"
"#;
    let work = std::env::temp_dir().join(format!("stb-ui-full-{}", std::process::id()));
    std::fs::create_dir_all(&work).unwrap();
    let disk = work.join("data.img");
    let shot = work.join("full.ppm");
    let shot_in_host = shot.clone();
    let g = BoxRun::new().disk(&disk).ui().run_with(script, move |ctl| {
        let deadline = Instant::now() + Duration::from_secs(300);
        let reached = |marker: &str| ctl.wait_for(marker, None, deadline);
        if reached("=== disk full ===") {
            ctl.monitor("sendkey ret");
            if reached("ui: notice") && reached("ui: screen wizard-satellite") {
                std::thread::sleep(Duration::from_secs(2));
                ctl.monitor(&format!("screendump {}", shot_in_host.display()));
                // Still answering keys after the failure.
                ctl.monitor("sendkey esc");
                reached("ui: screen wizard-language");
            }
        }
        let _ = std::fs::write(ctl.state.join("job/host-done"), b"");
    });
    let stdout = &g.stdout;
    assert!(
        stdout.contains("ui: notice DiskFull"),
        "no disk-full notice:\n{stdout}"
    );
    assert!(
        stdout.contains("ui still running"),
        "the UI stopped:\n{stdout}"
    );
    assert!(
        stdout
            .rsplit("ui: screen ")
            .next()
            .is_some_and(|l| l.starts_with("wizard-language")),
        "keys stopped working after the failure:\n{stdout}"
    );
    // The notice band across the top of the screen, in the theme's alarm red (#e5534b).
    let (w, _, px) = read_ppm(&shot).expect("screendump");
    let at = |x: u32, y: u32| {
        let i = ((y * w + x) * 3) as usize;
        (px[i], px[i + 1], px[i + 2])
    };
    assert_eq!(at(640, 2), (0xe5, 0x53, 0x4b), "no notice on the screen");
    let _ = std::fs::remove_dir_all(&work);
}
