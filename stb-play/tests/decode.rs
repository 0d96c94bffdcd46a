//! Every audio codec of the emulated sky's services, through the box's pipeline (tsdemux, Debian's libav
//! decoders), is heard as the service's own sine: the sound a household would hear, measured.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use stb_play::player::{AudioOut, Player, PlayerEvent};

fn top() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// Power of `f` Hz in 48 kHz samples (Goertzel).
fn power(samples: &[f32], f: f64) -> f64 {
    let w = 2.0 * std::f64::consts::PI * f / 48_000.0;
    let c = 2.0 * w.cos();
    let (mut s1, mut s2) = (0.0f64, 0.0f64);
    for &x in samples {
        let s0 = f64::from(x) + c * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    (s1 * s1 + s2 * s2 - c * s1 * s2) / samples.len() as f64
}

/// Plays a whole file and returns the decoded samples and the player's events.
fn play(file: &Path) -> (Vec<f32>, Vec<PlayerEvent>) {
    let samples = Arc::new(Mutex::new(Vec::new()));
    let player =
        Player::start(None, AudioOut::Samples(samples.clone())).expect("the player starts");
    let bytes = std::fs::read(file).unwrap();
    let mut events = Vec::new();
    for chunk in bytes.chunks(188 * 64) {
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
    let sky = sky::definition::Sky::load(&top().join("sky/sky.toml")).unwrap();
    let media = top().join("build/sky/media");
    let sats: Vec<_> = sky.satellites.clone();
    sky::media::encode_all(&media, &sats, &mut |_| {}).expect("the sky's media encode (ffmpeg)");
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
