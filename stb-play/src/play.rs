//! `stb-app play --channel N [--seconds S] [--json]`: plays a stored channel without the screens, as the UI
//! would (same tuner, same rule for who may watch), and says which codecs played and how soon the first sound and
//! the first picture came.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde::Serialize;
use stb_app::channels::{Channel, ChannelDb};
use stb_app::console::{data_dir, print_json, CliError};
use stb_app::dvb::Adapter;
use stb_app::lnb::Lnb;
use stb_app::tuner::{linux::LinuxTuner, replay::ReplayTuner, TuneRequest, Tuner};

use crate::player::{AudioOut, Player, PlayerEvent};
use crate::policy::{may_play, operator_networks, OPERATOR_NETWORKS};

#[derive(clap::Parser, Debug)]
#[command(
    name = "stb-app play",
    version,
    about = "Play a stored channel: sound to the box's sound card"
)]
pub struct PlayArgs {
    /// The channel's number in the channel list.
    #[arg(long)]
    pub channel: u32,
    /// Play this long, then stop.
    #[arg(long, default_value_t = 10.0)]
    pub seconds: f64,
    /// One JSON object per line.
    #[arg(long)]
    pub json: bool,
    #[arg(long, default_value_t = 0)]
    pub adapter: u32,
    /// The ALSA device for the sound ("default" when not given); `none` decodes and drops it.
    #[arg(long)]
    pub audio_device: Option<String>,
    /// Play from a replay lineup (transport-stream files) instead of the tuner.
    #[arg(long)]
    pub replay: Option<PathBuf>,
}

/// What `--json` prints once playback has run its time.
#[derive(Serialize, Debug)]
pub struct PlayReport {
    pub channel: u32,
    pub name: String,
    pub audio_codec: Option<String>,
    pub video_codec: Option<String>,
    /// From the start of playback (tuned and locked) to the first decoded sound at the sound card.
    pub first_audio_ms: Option<u64>,
    /// From the start of playback to the first decoded picture (null for radio).
    pub first_video_ms: Option<u64>,
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub lock_ms: u64,
    pub seconds: f64,
    pub errors: Vec<String>,
}

fn failed(e: impl std::fmt::Display) -> CliError {
    CliError::failed(e.to_string())
}

/// The activation status as the technician's command reports it (it reads the card): one source of truth.
fn activation_status() -> String {
    let out = std::process::Command::new("stb-app")
        .args(["activation", "status", "--json"])
        .output();
    out.ok()
        .and_then(|o| serde_json::from_slice::<serde_json::Value>(&o.stdout).ok())
        .and_then(|v| v["status"].as_str().map(str::to_string))
        .unwrap_or_else(|| "unknown".into())
}

pub fn run(a: &PlayArgs) -> Result<i32, CliError> {
    if !(a.seconds.is_finite() && a.seconds > 0.0 && a.seconds <= 86_400.0) {
        return Err(CliError::usage("--seconds must be between 0 and 86400"));
    }
    let db_path = data_dir().join("channels.db");
    let db =
        ChannelDb::open(&db_path).map_err(|e| failed(format!("{}: {e}", db_path.display())))?;
    let channels = db.channels().map_err(failed)?;
    let ch: Channel = channels
        .into_iter()
        .find(|c| c.number == a.channel)
        .ok_or_else(|| {
            CliError::failed(format!(
                "there is no channel {} in the channel list (scan first: stb-app scan)",
                a.channel
            ))
        })?;
    let operator = operator_networks(std::path::Path::new(OPERATOR_NETWORKS));
    let status = if a.replay.is_some() {
        "activated".to_string()
    } else {
        activation_status()
    };
    if let Err(refusal) = may_play(ch.onid, ch.scrambled, &status, operator.as_deref()) {
        return Err(CliError::failed(format!(
            "channel {} ({}) does not play: {refusal}",
            ch.number, ch.name
        )));
    }

    let mut tuner: Box<dyn Tuner> = match &a.replay {
        Some(lineup) => Box::new(
            ReplayTuner::from_lineup_file(lineup).map_err(|e| CliError::usage(e.to_string()))?,
        ),
        None => {
            Box::new(LinuxTuner::open(Adapter::open(a.adapter).map_err(failed)?).map_err(failed)?)
        }
    };
    let req = TuneRequest {
        transponder: ch.transponder(),
        lnb: Lnb::ku_circular_10750(),
        diseqc: Default::default(),
    };
    let start = Instant::now();
    tuner.tune(&req).map_err(failed)?;
    let lock = tuner
        .wait_for_lock(start, Duration::from_secs(5))
        .map_err(failed)?;
    if !lock.locked {
        return Err(CliError::failed(format!(
            "no signal on channel {} ({}): check the dish and the cable",
            ch.number, ch.name
        )));
    }
    let mut pids = vec![0u16, ch.pmt_pid];
    pids.extend(ch.pcr_pid);
    pids.extend(ch.video_pid);
    pids.extend(ch.audio.iter().map(|t| t.pid));
    pids.sort_unstable();
    pids.dedup();
    let mut source = tuner.packets(&pids).map_err(failed)?;
    let audio = match a.audio_device.as_deref() {
        Some("none") => AudioOut::Discard,
        d => AudioOut::Alsa(d.map(str::to_string)),
    };
    let mut warnings = Vec::new();
    if let AudioOut::Alsa(device) = &audio {
        let card = crate::mixer::card_of(device.as_deref());
        if let Err(e) = crate::mixer::open_up(&card) {
            warnings.push(format!(
                "the sound card's mixer ({card}) could not be opened up: {e}"
            ));
        }
    }
    let player = Player::start(Some(ch.service_id), audio).map_err(failed)?;
    let mut report = PlayReport {
        channel: ch.number,
        name: ch.name.clone(),
        audio_codec: None,
        video_codec: None,
        first_audio_ms: None,
        first_video_ms: None,
        width: None,
        height: None,
        lock_ms: lock.elapsed.as_millis() as u64,
        seconds: 0.0,
        errors: warnings,
    };
    for w in &report.errors {
        eprintln!("stb-app: {w}");
    }
    if !a.json {
        println!("playing {} {} ({} s)", ch.number, ch.name, a.seconds);
    }
    let limit = Duration::from_secs_f64(a.seconds);
    let mut buf = vec![0u8; 188 * 256];
    while player.elapsed() < limit {
        let n = source
            .read(&mut buf, Duration::from_millis(200))
            .map_err(failed)?;
        if n > 0 {
            player.push(&buf[..n]).map_err(failed)?;
        }
        for e in player.events() {
            match e {
                PlayerEvent::Stream {
                    kind: "audio",
                    codec,
                } => report.audio_codec = Some(codec),
                PlayerEvent::Stream { codec, .. } => report.video_codec = Some(codec),
                PlayerEvent::FirstAudio { after, .. } => {
                    report.first_audio_ms = Some(after.as_millis() as u64);
                    if !a.json {
                        println!("sound after {} ms", after.as_millis());
                    }
                }
                PlayerEvent::FirstVideo {
                    after,
                    width,
                    height,
                    ..
                } => {
                    report.first_video_ms = Some(after.as_millis() as u64);
                    report.width = Some(width);
                    report.height = Some(height);
                    if !a.json {
                        println!("picture {width}x{height} after {} ms", after.as_millis());
                    }
                }
                PlayerEvent::Error(text) => {
                    eprintln!("stb-app: player: {text}");
                    if report.errors.len() < 20 {
                        report.errors.push(text);
                    }
                }
            }
        }
    }
    report.seconds = player.elapsed().as_secs_f64();
    drop(player);
    if a.json {
        print_json(&report)?;
    }
    // Nothing heard is a failure the caller must see.
    Ok(if report.first_audio_ms.is_some() {
        0
    } else {
        1
    })
}
