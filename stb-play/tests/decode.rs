//! Every audio codec of the emulated sky's services, through the box's pipeline (tsdemux, Debian's libav
//! decoders), is heard as the service's own sine: the sound a household would hear, measured. Every video codec
//! is seen in the screens' picture file as the service's own colour, in the shape of its source (black bars where
//! the screen's shape differs).

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use stb_app::picture::{self, PictureReader, PictureWriter};
use stb_play::player::{AudioOut, Heard, Player, PlayerEvent};

mod common;
use common::{power, sky_media};

/// Plays a whole file and returns the decoded samples and the player's events.
fn play(file: &Path) -> (Vec<f32>, Vec<PlayerEvent>) {
    let (heard, events) = play_with(file, None, None, None);
    (heard.samples, events)
}

/// Plays a whole file, the sound track on `audio_pid` when given, its pictures into `picture` when given; at the pace of a tuner when `seconds` (the file's
/// length) is given, else as fast as the pipeline takes it.
fn play_with(
    file: &Path,
    audio_pid: Option<u16>,
    picture: Option<PictureWriter>,
    seconds: Option<f64>,
) -> (Heard, Vec<PlayerEvent>) {
    let samples = Arc::new(Mutex::new(Heard::default()));
    let player = Player::start(None, audio_pid, AudioOut::Samples(samples.clone()), picture)
        .expect("the player starts");
    let bytes = std::fs::read(file).unwrap();
    let mut events = Vec::new();
    let started = std::time::Instant::now();
    for (i, chunk) in bytes.chunks(188 * 64).enumerate() {
        if let Some(s) = seconds {
            let due = Duration::from_secs_f64(s * (i * 188 * 64) as f64 / bytes.len() as f64);
            std::thread::sleep(due.saturating_sub(started.elapsed()));
        }
        player.push(chunk).unwrap();
        events.extend(player.events());
    }
    assert!(
        player.finish(Duration::from_secs(60)),
        "{} did not play to its end",
        file.display()
    );
    events.extend(player.events());
    let s = samples.lock().unwrap().clone();
    (s, events)
}

#[test]
fn each_sky_audio_codec_plays_its_services_tone() {
    let (sky, media) = sky_media();
    let mut codecs_heard = std::collections::BTreeSet::new();
    for (sat, _, service) in sky.services() {
        let Some(track) = service.audio.first() else {
            continue;
        };
        if codecs_heard.contains(&track.codec) {
            continue;
        }
        let file = sky::media::media_path(&media, sat, service);
        let (samples, events) = play(&file);
        let errors: Vec<_> = events
            .iter()
            .filter(|e| matches!(e, PlayerEvent::Error(_)))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", service.name);
        assert!(
            events.iter().any(
                |e| matches!(e, PlayerEvent::FirstAudio { codec, .. } if *codec == track.codec)
            ),
            "{}: no first audio of codec {}: {events:?}",
            service.name,
            track.codec
        );
        assert!(
            samples.len() > 48_000,
            "{}: only {} samples",
            service.name,
            samples.len()
        );
        // Skip the decoder's start; the service's tone must stand far above its neighbours.
        let body = &samples[4_800..];
        let tone = f64::from(track.tone_hz);
        let at = power(body, tone);
        for other in [tone - 100.0, tone + 100.0, tone * 2.0 + 50.0] {
            let p = power(body, other);
            assert!(
                at > 100.0 * p,
                "{} ({}): {tone} Hz {at:.3e} vs {other} Hz {p:.3e}",
                service.name,
                track.codec
            );
        }
        codecs_heard.insert(track.codec.clone());
    }
    let want: std::collections::BTreeSet<String> = ["aac", "ac3", "mp2"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(codecs_heard, want);
}

/// The elementary streams (stream type, PID) of a file's programme, as its PMT lists them.
fn programme_streams(file: &Path) -> Vec<(u8, u16)> {
    let mut si = ts_si::collector::SiCollector::default();
    si.feed(&std::fs::read(file).unwrap());
    let pmt = si.si.pmts.values().next().expect("the file has a PMT");
    pmt.streams
        .iter()
        .map(|s| (s.stream_type, s.elementary_pid))
        .collect()
}

#[test]
fn the_chosen_sound_track_is_heard_and_a_track_gone_from_the_programme_gives_the_first_one() {
    let (sky, media) = sky_media();
    let (sat, _, service) = sky
        .services()
        .find(|(_, _, s)| s.audio.len() >= 2 && s.audio[1].codec == "mp2")
        .expect("the sky has a service with a second, MPEG-1 Layer II track");
    let file = sky::media::media_path(&media, sat, service);
    // MPEG audio (stream types 3 and 4) is the second track; the first is AC-3 (private data, type 6).
    let second = programme_streams(&file)
        .into_iter()
        .find(|(t, _)| matches!(t, 3 | 4))
        .map(|(_, pid)| pid)
        .expect("the programme lists its MPEG audio track");
    let tone_of = |heard: &Heard| {
        let body = &heard.samples[heard.samples.len().min(4_800)..];
        let first = power(body, f64::from(service.audio[0].tone_hz));
        let other = power(body, f64::from(service.audio[1].tone_hz));
        (first, other)
    };
    for (audio_pid, want, label) in [
        (Some(second), 1, "the chosen second track"),
        (
            Some(0x1ffe),
            0,
            "the first track, the chosen one being gone",
        ),
    ] {
        let (heard, events) = play_with(&file, audio_pid, None, None);
        assert!(
            heard.samples.len() > 48_000,
            "{label}: only {} samples: {events:?}",
            heard.samples.len()
        );
        let (first, other) = tone_of(&heard);
        let (got, not) = if want == 0 {
            (first, other)
        } else {
            (other, first)
        };
        assert!(
            got > 100.0 * not,
            "{label}: {} Hz {first:.3e}, {} Hz {other:.3e}",
            service.audio[0].tone_hz,
            service.audio[1].tone_hz
        );
        let codec = &service.audio[want].codec;
        assert!(
            events.iter().any(
                |e| matches!(e, PlayerEvent::Stream { kind: "audio", codec: c } if c == codec)
            ),
            "{label}: {events:?}"
        );
    }
}

/// Share of the pixels in columns `x0..x1` of rows `y0..y1` within 40 of `rgb` in every channel.
fn share_near(f: &picture::Frame, (x0, x1): (u32, u32), (y0, y1): (u32, u32), rgb: u32) -> f64 {
    let want = [(rgb >> 16) as u8, (rgb >> 8) as u8, rgb as u8];
    let (mut near, mut all) = (0usize, 0usize);
    for y in y0..y1 {
        for x in x0..x1 {
            let at = ((y * f.width + x) * 3) as usize;
            let px = &f.pixels[at..at + 3];
            all += 1;
            if px.iter().zip(want).all(|(&a, b)| a.abs_diff(b) <= 40) {
                near += 1;
            }
        }
    }
    near as f64 / all.max(1) as f64
}

#[test]
fn each_sky_video_codec_shows_its_services_colour_in_the_shape_of_its_source() {
    let (sky, media) = sky_media();
    let dir = std::env::temp_dir().join(format!("stb-play-picture-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // (service, screen size, where the picture lies on it: x0, x1, y0, y1)
    let cases = [
        // 16:9 MPEG-2 on a 16:9 screen: the whole screen.
        ("CCTV-1 综合", (1280, 720), (0, 1280, 0, 720)),
        // 4:3 MPEG-2 on a 16:9 screen: pillarboxed to 960 columns.
        ("CCTV-2 财经", (1280, 720), (160, 1120, 0, 720)),
        // 16:9 H.264 (anamorphic 720x576) on a 16:9 screen: the whole screen.
        ("CCTV-13 新闻", (1280, 720), (0, 1280, 0, 720)),
        // 16:9 H.264 on the 720x576 output for 4:3 TVs: letterboxed to 405 rows.
        ("CCTV-13 新闻", (720, 576), (0, 720, 86, 491)),
    ];
    for (name, (w, h), (x0, x1, y0, y1)) in cases {
        let (sat, _, service) = sky
            .services()
            .find(|(_, _, s)| s.name == name)
            .unwrap_or_else(|| panic!("{name} is not in the sky"));
        let colour = service.colour.expect("a TV service has a colour");
        let path = dir.join(format!("picture-{}", service.lcn));
        picture::create(&path, w, h).unwrap();
        let mut reader = PictureReader::open(&path).unwrap();
        let writer = PictureWriter::open(&path, u32::from(service.lcn)).unwrap();
        let (_, events) = play_with(
            &sky::media::media_path(&media, sat, service),
            None,
            Some(writer),
            None,
        );
        assert!(
            events
                .iter()
                .any(|e| matches!(e, PlayerEvent::FirstVideo { width, .. } if *width == 720)),
            "{name}: no 720-wide picture decoded: {events:?}"
        );
        let f = reader.take().expect("the last picture is in the file");
        assert_eq!(f.channel, u32::from(service.lcn));
        // Inside, away from the labels: the service's colour.
        let (qx, qy) = ((x1 - x0) / 8, (y1 - y0) / 8);
        let inside = share_near(
            &f,
            (x0 + qx, x0 + 2 * qx),
            (y0 + 3 * qy, y1 - 3 * qy),
            colour,
        );
        assert!(
            inside > 0.9,
            "{name}: only {inside:.2} of the picture is its colour #{colour:06x}"
        );
        // Outside: black bars, where the shapes differ.
        // (2 pixels left out beside the picture: the scaler rounds its borders.)
        let bars = [
            ((0, x0.saturating_sub(2)), (0, h)),
            ((x1 + 2, w), (0, h)),
            ((0, w), (0, y0.saturating_sub(2))),
            ((0, w), (y1 + 2, h)),
        ];
        for (bx, by) in bars {
            if bx.0 < bx.1 && by.0 < by.1 {
                let black = share_near(&f, bx, by, 0x000000);
                assert!(
                    black > 0.99,
                    "{name}: bar {bx:?} {by:?} is {black:.2} black"
                );
            }
        }
        // And the picture reaches its edges (no bar where the shapes agree).
        let edge = share_near(&f, (x0 + 2, x0 + 6), (y0 + 3 * qy, y1 - 3 * qy), colour);
        assert!(
            edge > 0.9,
            "{name}: the picture's left edge is {edge:.2} its colour"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_flash_and_the_beep_of_each_video_codec_are_shown_and_heard_within_40_ms() {
    // Every sky service shows a white square at the top right for one frame and beeps at 3 kHz for 40 ms at the
    // same instants (sky::definition::SYNC_MARKS_S). Played at a tuner's pace, each flash's presentation time in
    // the picture file and the beep's presentation time in the decoded sound (both on the stream's time line,
    // which the sinks keep to the clock) must agree.
    let (sky, media) = sky_media();
    let dir = std::env::temp_dir().join(format!("stb-play-lipsync-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut report = Vec::new();
    for name in ["CCTV-1 综合", "CCTV-13 新闻", "CCTV-7 国防军事"] {
        let (sat, _, service) = sky.services().find(|(_, _, s)| s.name == name).unwrap();
        let path = dir.join(format!("picture-{}", service.lcn));
        let (w, h) = (1280u32, 720u32);
        picture::create(&path, w, h).unwrap();
        let writer = PictureWriter::open(&path, 1).unwrap();
        // Every frame shown is looked at (a frame lasts 40 ms; the file is looked at every 2 ms).
        let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let watcher = {
            let (path, done) = (path.clone(), done.clone());
            std::thread::spawn(move || {
                let mut reader = PictureReader::open(&path).unwrap();
                let mut flashes = Vec::new();
                while !done.load(std::sync::atomic::Ordering::Relaxed) {
                    if let Some(f) = reader.take() {
                        // The square: source (w-140..w-20, 20..140) of 720x576, here at about (1140, 100).
                        let at = ((100 * f.width + 1140) * 3) as usize;
                        if f.pixels[at..at + 3].iter().all(|&c| c > 200) {
                            flashes.extend(f.pts_ns);
                        }
                    }
                    std::thread::sleep(Duration::from_millis(2));
                }
                flashes
            })
        };
        let file = sky::media::media_path(&media, sat, service);
        let (heard, _) = play_with(
            &file,
            None,
            Some(writer),
            Some(sky::definition::LOOP_SECONDS),
        );
        done.store(true, std::sync::atomic::Ordering::Relaxed);
        let flashes = watcher.join().unwrap();
        // Beep onsets: 5 ms windows with the 3 kHz beep, after one without.
        let window = 240;
        let beeping: Vec<bool> = heard
            .samples
            .chunks_exact(window)
            .map(|c| power(c, f64::from(sky::definition::BEEP_HZ)) > 1.0)
            .collect();
        let beeps: Vec<i64> = (1..beeping.len())
            .filter(|&i| beeping[i] && !beeping[i - 1])
            .filter_map(|i| heard.time_of(i * window).map(|t| t as i64))
            .collect();
        assert!(flashes.len() >= 3, "{name}: {} flashes seen", flashes.len());
        assert!(beeps.len() >= 3, "{name}: {} beeps heard", beeps.len());
        for f in &flashes {
            let offset_ms = beeps
                .iter()
                .map(|b| (b - *f as i64) as f64 / 1e6)
                .min_by(|a, b| a.abs().total_cmp(&b.abs()))
                .unwrap();
            report.push((name, *f, offset_ms));
        }
    }
    let lines: Vec<String> = report
        .iter()
        .map(|(name, f, o)| format!("{name}: flash at {:.3} s, beep {o:+.1} ms", *f as f64 / 1e9))
        .collect();
    println!("{}", lines.join("\n"));
    // The first mark falls while the player settles on the stream's clock (the first second after a zap): the
    // marks after it are held to 40 ms, and there are at least three of them on every service.
    for name in ["CCTV-1 综合", "CCTV-13 新闻", "CCTV-7 国防军事"] {
        let settled = report
            .iter()
            .filter(|(n, f, _)| *n == name && *f >= 2_000_000_000);
        assert!(
            settled.count() >= 3,
            "{name}: too few flashes\n{}",
            lines.join("\n")
        );
    }
    for (name, f, offset_ms) in report.iter().filter(|(_, f, _)| *f >= 2_000_000_000) {
        assert!(
            offset_ms.abs() <= 40.0,
            "{name}: the beep is {offset_ms:+.1} ms from the flash at {f} ns\n{}",
            lines.join("\n")
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
