//! The emulated box's other parts, each reached the way the box's software reaches it: the GPS on a UART, the
//! smart-card reader on a virtio serial port, the remote as an evdev device, the screen through QEMU's screendump.

use std::io::{BufRead, BufReader, Write};
use std::time::{Duration, Instant};

use box_tests::BoxRun;

const GGA: &str = "$GPGGA,053152,3957.7484,N,11626.7626,E,1,06,1.5,88.1,M,-8.0,M,,*64\r\n";

#[test]
fn gps_uart_card_port_remote_and_screen_work_from_inside_the_box() {
    let script = r#"
echo '=== gps ==='
stty -F /dev/gps 9600 raw -echo
timeout 20 head -n 3 /dev/gps
echo '=== card ==='
exec 3<>/dev/smartcard
echo hello-card >&3
read -t 20 line <&3 && echo "$line"
echo '=== keys ==='
ev=$(grep -A5 'Virtio Keyboard' /proc/bus/input/devices | sed -n 's/.*Handlers=.*\(event[0-9]*\).*/\1/p')
echo "device $ev"
timeout 30 dd if=/dev/input/$ev bs=24 count=6 2>/dev/null | od -An -v -tx1
echo '=== end ==='
"#;
    let shot = std::env::temp_dir().join(format!("stb-screen-{}.ppm", std::process::id()));
    let shot_in_host = shot.clone();
    let g = BoxRun::new().run_with(script, move |ctl| {
        // Each part waits for the box to reach it (its marker in the output), so nothing piles up in a socket
        // before the box reads; every wait is bounded, and writes never block.
        let deadline = Instant::now() + Duration::from_secs(240);
        let reached = |marker: &str| ctl.wait_for(marker, None, deadline);
        if !reached("=== gps ===") {
            return;
        }
        let mut gps = ctl.gps();
        gps.set_write_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        while !ctl.stdout_so_far().contains("=== card ===")
            && ctl.alive()
            && Instant::now() < deadline
        {
            let _ = gps.write_all(GGA.as_bytes());
            std::thread::sleep(Duration::from_millis(150));
        }
        let card = ctl.card();
        card.set_read_timeout(Some(Duration::from_millis(100)))
            .unwrap();
        let mut card_lines = BufReader::new(card.try_clone().unwrap());
        let mut card = card;
        while !ctl.stdout_so_far().contains("=== keys ===")
            && ctl.alive()
            && Instant::now() < deadline
        {
            let mut line = String::new();
            if card_lines.read_line(&mut line).is_ok() && line.ends_with('\n') {
                card.write_all(format!("card-echo: {line}").as_bytes())
                    .unwrap();
            }
        }
        let mut shot_taken = false;
        while ctl.alive() && Instant::now() < deadline {
            ctl.monitor("sendkey up");
            if !shot_taken {
                ctl.monitor(&format!("screendump {}", shot_in_host.display()));
                shot_taken = true;
            }
            std::thread::sleep(Duration::from_millis(300));
        }
    });
    assert_eq!(g.status, 0, "stdout:\n{}\nstderr:\n{}", g.stdout, g.stderr);

    let gps = g.part("gps");
    assert!(
        gps.lines().any(|l| l.trim_end() == GGA.trim_end()),
        "no whole GGA sentence on /dev/gps:\n{gps}"
    );

    assert_eq!(g.part("card").trim(), "card-echo: hello-card");

    let keys = g.part("keys");
    let hex: Vec<u8> = keys
        .lines()
        .skip(1)
        .flat_map(|l| {
            l.split_whitespace()
                .map(|b| u8::from_str_radix(b, 16).unwrap())
        })
        .collect();
    assert!(keys.starts_with("device event"), "{keys}");
    // struct input_event: 16 bytes of time, then type, code (u16) and value (i32), little-endian.
    let events: Vec<(u16, u16, i32)> = hex
        .chunks_exact(24)
        .map(|e| {
            (
                u16::from_le_bytes([e[16], e[17]]),
                u16::from_le_bytes([e[18], e[19]]),
                i32::from_le_bytes([e[20], e[21], e[22], e[23]]),
            )
        })
        .collect();
    assert!(
        events.contains(&(1, 103, 1)),
        "no KEY_UP press (EV_KEY 103 1) in {events:?}"
    );
    assert!(
        events.contains(&(1, 103, 0)),
        "no KEY_UP release in {events:?}"
    );

    let ppm = std::fs::read(&shot).expect("screendump wrote the screen");
    let header = String::from_utf8_lossy(&ppm[..ppm.len().min(20)]).into_owned();
    let mut fields = header.split_whitespace();
    assert_eq!(fields.next(), Some("P6"));
    let (w, h): (usize, usize) = (
        fields.next().unwrap().parse().unwrap(),
        fields.next().unwrap().parse().unwrap(),
    );
    assert!(w >= 720 && h >= 576, "a TV-sized screen, got {w}x{h}");
    assert!(ppm.len() >= w * h * 3, "a whole frame of pixels");
    let _ = std::fs::remove_file(&shot);
}

#[test]
fn the_remote_keeps_working_after_it_is_unplugged_and_plugged_back() {
    let script = r#"
echo '=== keys ==='
stb-app remote --count 6 --timeout 120
echo '=== end ==='
"#;
    let g = BoxRun::new().run_with(script, |ctl| {
        assert!(
            ctl.wait_for(
                "Press keys",
                None,
                Instant::now() + Duration::from_secs(120)
            ),
            "stb-app remote never started"
        );
        std::thread::sleep(Duration::from_millis(500));
        let lines = || ctl.stdout_so_far().lines().count();
        // Each key waits until the box has printed it, so none is sent into a device that is not read yet.
        let send = |key: &str| {
            let before = lines();
            for _ in 0..10 {
                ctl.monitor(&format!("sendkey {key}"));
                let t = Instant::now();
                while lines() == before && t.elapsed() < Duration::from_secs(3) {
                    std::thread::sleep(Duration::from_millis(50));
                }
                if lines() > before {
                    return;
                }
            }
            panic!("the box never saw key {key}");
        };
        send("up");
        send("ret");
        send("esc");
        // Unplug the remote, plug it back: the box finds it again by itself.
        ctl.monitor("device_del remote");
        std::thread::sleep(Duration::from_secs(2));
        ctl.monitor("device_add virtio-keyboard-pci,id=remote");
        std::thread::sleep(Duration::from_secs(2));
        send("1");
        send("down");
        send("pgup");
    });
    assert_eq!(g.status, 0, "stdout:\n{}\nstderr:\n{}", g.stdout, g.stderr);
    let keys: Vec<&str> = g.part("keys").lines().skip(1).collect();
    assert_eq!(
        keys,
        vec!["Up", "Ok", "Back", "Digit(1)", "Down", "ChannelUp"],
        "{}",
        g.stdout
    );
}
