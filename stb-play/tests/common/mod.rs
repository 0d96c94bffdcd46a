//! What the player's tests share: the emulated sky's services, encoded once, and a tone's power in the sound.

// Each test binary uses part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::Mutex;

pub fn top() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// The sky's services encoded (cached under build/sky/media).
pub fn sky_media() -> (sky::definition::Sky, PathBuf) {
    let sky = sky::definition::Sky::load(&top().join("sky/sky.toml")).unwrap();
    let media = top().join("build/sky/media");
    let sats: Vec<_> = sky.satellites.clone();
    // One encoding at a time: the tests of this file run on several threads and share the cache.
    static ENCODING: Mutex<()> = Mutex::new(());
    let _one = ENCODING.lock().unwrap_or_else(|e| e.into_inner());
    sky::media::encode_all(&media, &sats, &mut |_| {}).expect("the sky's media encode (ffmpeg)");
    (sky, media)
}

/// Power of `f` Hz in 48 kHz samples (Goertzel).
pub fn power(samples: &[f32], f: f64) -> f64 {
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
