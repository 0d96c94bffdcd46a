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
use stb_app::picture::PictureWriter;
use stb_app::tuner::linux::{DemuxPackets, LinuxTuner};
use stb_app::tuner::{replay::ReplayTuner, PacketSource, TuneRequest, Tuner};

use crate::player::{AudioOut, Player, PlayerEvent};
use crate::programme::ProgrammeWatch;
use stb_app::policy::{may_play, operator_networks, Refusal, OPERATOR_NETWORKS};

use crate::authorise;

#[derive(clap::Parser, Debug)]
#[command(
    name = "stb-app play",
    version,
    about = "Play a stored channel: sound to the box's sound card"
)]
pub struct PlayArgs {
    /// The channel's number in the channel list (with --tuned --control it may be left out: the player waits for
    /// a `channel N` command).
    #[arg(long)]
    pub channel: Option<u32>,
    /// Only load GStreamer and make its plugin registry (init runs this once the media disk is mounted, so the
    /// first channel a household watches does not wait seconds for it).
    #[arg(long)]
    pub warm_up: bool,
    /// Play this long, then stop (default 10; with --control until its input ends).
    #[arg(long)]
    pub seconds: Option<f64>,
    /// One JSON object per line.
    #[arg(long)]
    pub json: bool,
    #[arg(long, default_value_t = 0)]
    pub adapter: u32,
    /// The ALSA device for the sound ("default" when not given); `none` decodes and drops it.
    #[arg(long)]
    pub audio_device: Option<String>,
    /// Play from a replay lineup (transport-stream files) instead of the tuner.
    #[arg(long, conflicts_with = "tuned")]
    pub replay: Option<PathBuf>,
    /// The caller (the box's screens) owns the tuner, has tuned the channel and applied the activation rule: only
    /// the demux is opened.
    #[arg(long)]
    pub tuned: bool,
    /// Read commands on standard input, one per line: `volume 0-100`, `mute 0|1`, and with --tuned `channel N`
    /// (play that channel next: its transponder tuned, a same-transponder zap only changes the PID filter) and
    /// `idle` (stop playing, keep the player ready); the end of the input stops.
    #[arg(long)]
    pub control: bool,
    /// The screens' picture file (shared memory they made at their size): decoded pictures are scaled into it.
    /// Without it pictures are decoded and counted, not shown.
    #[arg(long)]
    pub picture: Option<PathBuf>,
}

/// A command on the control input.
#[derive(Debug, PartialEq)]
enum Control {
    Volume(u8),
    Mute(bool),
    /// Play this stored channel instead (the caller has tuned its transponder), with the sound track on this PID
    /// (its first when not given).
    Channel(u32, Option<u16>),
    /// Stop playing and wait (the caller is about to tune elsewhere, or shows no television).
    Idle,
    Stop,
}

fn parse_control(line: &str) -> Option<Control> {
    let mut w = line.split_whitespace();
    match (w.next()?, w.next()) {
        ("idle", None) => Some(Control::Idle),
        ("volume", Some(v)) => v
            .parse::<u8>()
            .ok()
            .filter(|v| *v <= 100)
            .map(Control::Volume),
        ("mute", Some(m)) => Some(Control::Mute(m == "1")),
        ("channel", Some(n)) => {
            let number = n.parse().ok()?;
            match w.next() {
                None => Some(Control::Channel(number, None)),
                Some(pid) => pid
                    .parse::<u16>()
                    .ok()
                    .filter(|p| *p < 0x1fff)
                    .map(|p| Control::Channel(number, Some(p))),
            }
        }
        _ => None,
    }
}

/// Lines of standard input as commands, until it ends (the screens stopped or went away).
fn control_input() -> std::sync::mpsc::Receiver<Control> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::stdin().lock().lines() {
            let Ok(line) = line else { break };
            match parse_control(&line) {
                Some(c) => {
                    if tx.send(c).is_err() {
                        return;
                    }
                }
                None => eprintln!("stb-app: player: unknown command '{line}'"),
            }
        }
        let _ = tx.send(Control::Stop);
    });
    rx
}

/// What `--json` prints for each channel once it has played.
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

/// Channel `number` of the channel list as stored now (the screens may have renumbered or rescanned since the
/// player started).
fn stored_channel(number: u32) -> Result<Channel, CliError> {
    let db_path = data_dir().join("channels.db");
    let db =
        ChannelDb::open(&db_path).map_err(|e| failed(format!("{}: {e}", db_path.display())))?;
    db.channel(number).map_err(failed)?.ok_or_else(|| {
        CliError::failed(format!(
            "there is no channel {number} in the channel list (scan first: stb-app scan)"
        ))
    })
}

/// The PIDs a channel's playback needs: PAT, PMT, PCR and its elementary streams.
fn pids_of(ch: &Channel) -> Vec<u16> {
    let mut pids = vec![0u16, ch.pmt_pid];
    pids.extend(ch.pcr_pid);
    pids.extend(ch.video_pid);
    pids.extend(ch.audio.iter().map(|t| t.pid));
    pids.sort_unstable();
    pids.dedup();
    pids
}

/// One channel being played: its pipeline, the PIDs its demux filter passes, and what will be reported about it.
struct Playing {
    player: Player,
    report: PlayReport,
    /// Passed by the filter: the stored channel's, and any its PMT has named since.
    pids: Vec<u16>,
    programme: ProgrammeWatch,
}

impl Playing {
    fn start(
        ch: &Channel,
        audio_pid: Option<u16>,
        audio: &AudioOut,
        picture: Option<&std::path::Path>,
        lock_ms: u64,
        errors: Vec<String>,
    ) -> Result<Self, CliError> {
        let picture = match picture {
            Some(path) => Some(PictureWriter::open(path, ch.number).map_err(failed)?),
            None => None,
        };
        let player = Player::start(Some(ch.service_id), audio_pid, audio.clone(), picture)
            .map_err(failed)?;
        Ok(Self {
            player,
            pids: pids_of(ch),
            programme: ProgrammeWatch::new(ch.service_id, ch.pmt_pid),
            report: PlayReport {
                channel: ch.number,
                name: ch.name.clone(),
                audio_codec: None,
                video_codec: None,
                first_audio_ms: None,
                first_video_ms: None,
                width: None,
                height: None,
                lock_ms,
                seconds: 0.0,
                errors,
            },
        })
    }

    /// Hands packets to the pipeline. When they bring a PMT naming PIDs the filter does not pass (the operator moved
    /// a track since the scan), the filter passes them from now on.
    fn push(&mut self, packets: &[u8], source: &mut dyn PacketSource) -> Result<(), CliError> {
        if let Some(needed) = self.programme.feed(packets) {
            let missing: Vec<u16> = needed
                .into_iter()
                .filter(|p| !self.pids.contains(p))
                .collect();
            if !missing.is_empty() {
                let mut pids = self.pids.clone();
                pids.extend(&missing);
                pids.sort_unstable();
                match source.set_pids(&pids) {
                    Ok(()) => {
                        eprintln!(
                            "stb-app: player: channel {} has moved streams since the scan: now also PIDs {missing:?}",
                            self.report.channel
                        );
                        self.pids = pids;
                    }
                    Err(e) => {
                        // Tried again at the PMT's next repetition.
                        self.programme.forget();
                        eprintln!("stb-app: player: the demux filter stays as scanned: {e}");
                    }
                }
            }
        }
        self.player.push(packets).map_err(failed)
    }

    /// Takes in what the pipeline told since the last call; the first sound and picture are printed as they
    /// come (the screens read these lines).
    fn follow(&mut self, json: bool) {
        let report = &mut self.report;
        for e in self.player.events() {
            match e {
                PlayerEvent::Stream {
                    kind: "audio",
                    codec,
                } => report.audio_codec = Some(codec),
                PlayerEvent::Stream { codec, .. } => report.video_codec = Some(codec),
                PlayerEvent::FirstAudio { after, .. } => {
                    report.first_audio_ms = Some(after.as_millis() as u64);
                    if !json {
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
                    if !json {
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

    /// Stops the pipeline; prints the report with `--json`; whether any sound was heard.
    fn finish(mut self, json: bool) -> Result<bool, CliError> {
        self.follow(json);
        self.report.seconds = self.player.elapsed().as_secs_f64();
        drop(self.player);
        if json {
            print_json(&self.report)?;
        }
        Ok(self.report.first_audio_ms.is_some())
    }
}

pub fn run(a: &PlayArgs) -> Result<i32, CliError> {
    if a.warm_up {
        // The lowest priority: at boot the screens draw first. SAFETY: nice(2) takes a number and touches no
        // memory of ours.
        unsafe { libc::nice(19) };
        let started = Instant::now();
        crate::player::init().map_err(failed)?;
        eprintln!(
            "stb-play: GStreamer and its plugin registry ready in {} ms",
            started.elapsed().as_millis()
        );
        return Ok(0);
    }
    if a.channel.is_none() && !(a.tuned && a.control) {
        return Err(CliError::usage(
            "--channel N is needed (only a player that takes 'channel N' commands, --tuned --control, starts without one)",
        ));
    }
    let seconds = match (a.seconds, a.control) {
        (Some(s), _) => s,
        (None, false) => 10.0,
        (None, true) => 86_400.0,
    };
    if !(seconds.is_finite() && seconds > 0.0 && seconds <= 86_400.0) {
        return Err(CliError::usage("--seconds must be between 0 and 86400"));
    }
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
    for w in &warnings {
        eprintln!("stb-app: {w}");
    }
    // The tuner stays open while playing (dropped last).
    let mut tuner: Option<Box<dyn Tuner>> = None;
    let mut source: Option<Box<dyn PacketSource>> = None;
    let mut playing: Option<Playing> = None;
    if let Some(number) = a.channel {
        let ch = stored_channel(number)?;
        let pids = pids_of(&ch);
        let mut lock_ms = 0;
        source = Some(if a.tuned {
            let demux = Adapter::open(a.adapter)
                .and_then(|ad| ad.demux())
                .map_err(failed)?;
            Box::new(DemuxPackets::open(demux, &pids).map_err(failed)?)
        } else {
            let operator = operator_networks(std::path::Path::new(OPERATOR_NETWORKS));
            let status = if a.replay.is_some() {
                "activated".to_string()
            } else {
                activation_status()
            };
            let refused = |refusal: Refusal| {
                CliError::failed(format!(
                    "channel {} ({}) does not play: {refusal}",
                    ch.number, ch.name
                ))
            };
            // A card waiting for its authorisation waits for it on the channel's transponder, once tuned.
            let mut waiting = None;
            match may_play(ch.onid, ch.scrambled, &status, operator.as_deref()) {
                Ok(()) => {}
                Err(Refusal::NotActivated(s)) if authorise::may_arrive(&s) => {
                    waiting = Some(Refusal::NotActivated(s));
                }
                Err(refusal) => return Err(refused(refusal)),
            }
            let t = tuner.insert(match &a.replay {
                Some(lineup) => Box::new(
                    ReplayTuner::from_lineup_file(lineup)
                        .map_err(|e| CliError::usage(e.to_string()))?,
                ),
                None => Box::new(
                    LinuxTuner::open(Adapter::open(a.adapter).map_err(failed)?).map_err(failed)?,
                ),
            });
            let req = TuneRequest {
                transponder: ch.transponder(),
                lnb: Lnb::ku_circular_10750(),
                diseqc: Default::default(),
            };
            let start = Instant::now();
            t.tune(&req).map_err(failed)?;
            let lock = t
                .wait_for_lock(start, Duration::from_secs(5))
                .map_err(failed)?;
            if !lock.locked {
                return Err(CliError::failed(format!(
                    "no signal on channel {} ({}): check the dish and the cable",
                    ch.number, ch.name
                )));
            }
            lock_ms = lock.elapsed.as_millis() as u64;
            if let Some(refusal) = waiting {
                eprintln!(
                    "stb-app: this box is not activated yet: waiting up to {} s for the operator's authorisation on this transponder",
                    authorise::WAIT.as_secs()
                );
                let asked = Instant::now();
                match authorise::over_the_air(t.as_mut(), authorise::WAIT) {
                    Ok(true) => eprintln!(
                        "stb-app: the operator's authorisation arrived after {:.1} s: this box is activated",
                        asked.elapsed().as_secs_f64()
                    ),
                    Ok(false) => return Err(refused(refusal)),
                    Err(e) => {
                        eprintln!("stb-app: the authorisation cannot be read: {e}");
                        return Err(refused(refusal));
                    }
                }
                // The rule again, on the state the card and the box now have.
                may_play(
                    ch.onid,
                    ch.scrambled,
                    &activation_status(),
                    operator.as_deref(),
                )
                .map_err(refused)?;
            }
            t.packets(&pids).map_err(failed)?
        });
        if !a.json {
            println!("playing {} {} ({seconds} s)", ch.number, ch.name);
        }
        playing = Some(Playing::start(
            &ch,
            None,
            &audio,
            a.picture.as_deref(),
            lock_ms,
            warnings.clone(),
        )?);
    }
    let controls = a.control.then(control_input);
    let (mut volume, mut muted) = (100u8, false);
    // A player under the screens' control plays until its input ends, however long the box stays on.
    let limit = (a.seconds.is_some() || !a.control).then(|| Duration::from_secs_f64(seconds));
    let started = Instant::now();
    let mut heard = false;
    let mut read_errors = 0u32;
    let mut buf = vec![0u8; 188 * 256];
    'playing: while limit.is_none_or(|l| started.elapsed() < l) {
        let mut commands: Vec<Control> = controls.iter().flat_map(|rx| rx.try_iter()).collect();
        let volume_was = (volume, muted);
        let mut new_channel = false;
        if playing.is_none() && commands.is_empty() {
            // Nothing to play: wait for the next command.
            match controls
                .as_ref()
                .map(|rx| rx.recv_timeout(Duration::from_millis(200)))
            {
                Some(Ok(c)) => commands.push(c),
                Some(Err(std::sync::mpsc::RecvTimeoutError::Timeout)) => {}
                _ => break,
            }
        }
        for c in commands {
            match c {
                Control::Volume(v) => volume = v,
                Control::Mute(m) => muted = m,
                Control::Stop => break 'playing,
                Control::Idle => {
                    if let Some(p) = playing.take() {
                        heard |= p.finish(a.json)?;
                    }
                    source = None;
                }
                Control::Channel(number, audio_pid) => {
                    if let Some(p) = playing.take() {
                        heard |= p.finish(a.json)?;
                    }
                    if !a.tuned {
                        eprintln!(
                            "stb-app: player: only a player started with --tuned changes channel"
                        );
                        continue;
                    }
                    match switch(a.adapter, number, &mut source) {
                        Ok(ch) => {
                            if !a.json {
                                println!("playing {} {} ({seconds} s)", ch.number, ch.name);
                            }
                            match Playing::start(
                                &ch,
                                audio_pid,
                                &audio,
                                a.picture.as_deref(),
                                0,
                                warnings.clone(),
                            ) {
                                Ok(p) => {
                                    playing = Some(p);
                                    new_channel = true;
                                }
                                Err(e) => {
                                    // Unread, the demux filter would overflow: closed until the next channel.
                                    source = None;
                                    eprintln!("stb-app: player: {e}");
                                }
                            }
                        }
                        Err(e) => {
                            source = None;
                            eprintln!("stb-app: player: {e}");
                        }
                    }
                }
            }
        }
        let (Some(p), Some(s)) = (playing.as_mut(), source.as_mut()) else {
            continue;
        };
        if new_channel || (volume, muted) != volume_was {
            p.player.set_volume(f64::from(volume) / 100.0, muted);
        }
        match s.read(&mut buf, Duration::from_millis(200)) {
            Ok(n) => {
                read_errors = 0;
                if n > 0 {
                    p.push(&buf[..n], s.as_mut())?;
                }
            }
            // An overflowed demux buffer (a slow moment) loses some packets and reads on; a demux that keeps
            // failing ends the player (the screens start another and play the channel again).
            Err(e) => {
                read_errors += 1;
                eprintln!("stb-app: player: {e}");
                if read_errors >= 10 {
                    return Err(failed(e));
                }
            }
        }
        p.follow(a.json);
    }
    if let Some(p) = playing.take() {
        heard |= p.finish(a.json)?;
    }
    drop(source);
    drop(tuner);
    // Nothing heard is a failure the caller must see.
    Ok(if heard { 0 } else { 1 })
}

/// The packets of stored channel `number` from the demux of the transponder the caller has tuned: the PID filter
/// of the channel before changed in place when there is one (a zap on the same transponder), else a new one.
fn switch(
    adapter: u32,
    number: u32,
    source: &mut Option<Box<dyn PacketSource>>,
) -> Result<Channel, CliError> {
    let ch = stored_channel(number)?;
    let pids = pids_of(&ch);
    if let Some(s) = source.as_mut() {
        if s.set_pids(&pids).is_ok() {
            return Ok(ch);
        }
    }
    *source = None;
    let demux = Adapter::open(adapter)
        .and_then(|ad| ad.demux())
        .map_err(failed)?;
    *source = Some(Box::new(DemuxPackets::open(demux, &pids).map_err(failed)?));
    Ok(ch)
}

#[cfg(test)]
mod tests {
    use super::{parse_control, Control};

    #[test]
    fn control_lines_are_read_as_the_screens_write_them() {
        assert_eq!(parse_control("volume 55"), Some(Control::Volume(55)));
        assert_eq!(parse_control("volume 300"), None);
        assert_eq!(parse_control("volume 100"), Some(Control::Volume(100)));
        assert_eq!(parse_control("mute 1"), Some(Control::Mute(true)));
        assert_eq!(parse_control("mute 0"), Some(Control::Mute(false)));
        assert_eq!(parse_control("louder"), None);
        assert_eq!(parse_control(""), None);
        assert_eq!(
            parse_control("channel 12"),
            Some(Control::Channel(12, None))
        );
        assert_eq!(
            parse_control("channel 21 2210"),
            Some(Control::Channel(21, Some(2210)))
        );
        assert_eq!(parse_control("channel 21 8191"), None);
        assert_eq!(parse_control("channel 21 chi"), None);
        assert_eq!(parse_control("channel"), None);
        assert_eq!(parse_control("channel -1"), None);
        assert_eq!(parse_control("idle"), Some(Control::Idle));
    }
}
