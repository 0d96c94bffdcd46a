//! The player: a GStreamer pipeline fed with the service's transport-stream packets by the box (which keeps the
//! tuner and the demux; never `dvbsrc`), `tsdemux` picking the service's program, `decodebin` choosing Debian's
//! decoders (gstreamer1.0-libav), the sound to ALSA through the remote's volume, the pictures to a sink.
//!
//! ```text
//! appsrc (video/mpegts) ─ tsdemux ─┬─ queue ─ decodebin ─ audioconvert ─ audioresample ─ volume ─ audio sink
//!                                  ├─ queue ─ decodebin ─ videoscale ─ videoconvert ─ picture file (or fakesink)
//!                                  └─ (further tracks) ─ fakesink
//! ```

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use gstreamer as gst;
use gstreamer::prelude::*;
use gstreamer_app as gst_app;
use gstreamer_video as gst_video;
use gstreamer_video::prelude::VideoFrameExt;
use stb_app::picture::PictureWriter;

use crate::codec::codec_name;

#[derive(Debug, thiserror::Error)]
pub enum PlayerError {
    #[error("GStreamer could not start: {0}")]
    Init(String),
    #[error(
        "the player is missing its {element} element (is the box's media disk mounted?): {detail}"
    )]
    Missing { element: String, detail: String },
    #[error("the player could not be built: {0}")]
    Build(String),
    #[error("the player stopped: {0}")]
    Stopped(String),
}

/// Where the sound goes.
#[derive(Clone, Debug)]
pub enum AudioOut {
    /// The box's sound card (ALSA; `None` is the "default" device).
    Alsa(Option<String>),
    /// Decoded, mono 48 kHz samples kept for whoever holds the buffer (tests listen to the box this way).
    Samples(Arc<Mutex<Heard>>),
    /// Decoded and dropped at the pace of the clock (a box without sound output).
    Discard,
}

/// The sound decoded into [`AudioOut::Samples`]: mono 48 kHz samples, and for each buffer of them the index of
/// its first sample and its presentation time (ns in the stream time the pictures' times are in).
#[derive(Clone, Debug, Default)]
pub struct Heard {
    pub samples: Vec<f32>,
    pub buffers: Vec<(usize, u64)>,
}

impl Heard {
    /// The presentation time of sample `i`, ns.
    pub fn time_of(&self, i: usize) -> Option<u64> {
        let at = self
            .buffers
            .partition_point(|(start, _)| *start <= i)
            .checked_sub(1)?;
        let (start, pts) = self.buffers[at];
        Some(pts + ((i - start) as u64 * 1_000_000_000) / 48_000)
    }
}

/// What the player tells as it plays.
#[derive(Clone, Debug, PartialEq)]
pub enum PlayerEvent {
    /// The service's elementary streams as the demultiplexer found them: (kind "audio"/"video", codec).
    Stream { kind: &'static str, codec: String },
    /// The first decoded sound reached the sound output.
    FirstAudio { codec: String, after: Duration },
    /// The first decoded picture reached the picture output.
    FirstVideo {
        codec: String,
        width: i32,
        height: i32,
        after: Duration,
    },
    /// A problem GStreamer reported; playback may go on (a decoder error on one frame) or not.
    Error(String),
}

/// One service being played.
pub struct Player {
    pipeline: gst::Pipeline,
    src: gst_app::AppSrc,
    volume: gst::Element,
    events: Receiver<PlayerEvent>,
    tx: Sender<PlayerEvent>,
    started: Instant,
    tracks: Arc<Tracks>,
    /// The latency the sinks were last told.
    latency: Mutex<Option<gst::ClockTime>>,
}

fn make(factory: &str) -> Result<gst::Element, PlayerError> {
    gst::ElementFactory::make(factory)
        .build()
        .map_err(|e| PlayerError::Missing {
            element: factory.to_string(),
            detail: e.to_string(),
        })
}

fn build_err(e: impl std::fmt::Display) -> PlayerError {
    PlayerError::Build(e.to_string())
}

/// Loads GStreamer and its plugin registry (made on first use, kept where GST_REGISTRY_1_0 says).
pub fn init() -> Result<(), PlayerError> {
    gst::init().map_err(|e| PlayerError::Init(e.to_string()))
}

impl Player {
    /// Builds the pipeline for `program` (the service id; tsdemux plays the first program of the PAT when
    /// `None`) and starts it; packets come through [`Player::push`]. The sound is the track on `audio_pid` (the
    /// household's language), or the first the demultiplexer finds when `None` or when the programme has no
    /// track there any more.
    ///
    /// Pictures go into `picture` (the screens' picture file) when given, else are decoded and dropped.
    pub fn start(
        program: Option<u16>,
        audio_pid: Option<u16>,
        audio: AudioOut,
        picture: Option<PictureWriter>,
    ) -> Result<Self, PlayerError> {
        init()?;
        let pipeline = gst::Pipeline::new();
        let caps = gst::Caps::builder("video/mpegts")
            .field("systemstream", true)
            .field("packetsize", 188i32)
            .build();
        let src = gst_app::AppSrc::builder()
            .caps(&caps)
            .is_live(true)
            .format(gst::Format::Time)
            .do_timestamp(true)
            .block(true)
            .max_bytes(2 * 1024 * 1024)
            .build();
        let demux = make("tsdemux")?;
        if let Some(p) = program {
            demux.set_property("program-number", i32::from(p));
        }
        // The sound chain exists from the start (so the remote's volume is there before the first sample).
        let convert = make("audioconvert")?;
        let resample = make("audioresample")?;
        let volume = make("volume")?;
        let sink = match &audio {
            AudioOut::Alsa(device) => {
                let s = make("alsasink")?;
                if let Some(d) = device {
                    s.set_property("device", d);
                }
                s
            }
            AudioOut::Samples(_) => {
                let s = gst_app::AppSink::builder()
                    .caps(
                        &gst::Caps::builder("audio/x-raw")
                            .field("format", "F32LE")
                            .field("channels", 1i32)
                            .field("rate", 48_000i32)
                            .field("layout", "interleaved")
                            .build(),
                    )
                    .sync(false)
                    .build();
                s.upcast()
            }
            AudioOut::Discard => make("fakesink")?,
        };
        pipeline
            .add_many([
                src.upcast_ref(),
                &demux,
                &convert,
                &resample,
                &volume,
                &sink,
            ])
            .map_err(build_err)?;
        src.link(&demux).map_err(build_err)?;
        gst::Element::link_many([&convert, &resample, &volume, &sink]).map_err(build_err)?;
        if let AudioOut::Samples(buffer) = &audio {
            let appsink = sink
                .clone()
                .dynamic_cast::<gst_app::AppSink>()
                .map_err(|_| PlayerError::Build("appsink is not an AppSink".into()))?;
            let buffer = buffer.clone();
            appsink.set_callbacks(
                gst_app::AppSinkCallbacks::builder()
                    .new_sample(move |s| {
                        let sample = s.pull_sample().map_err(|_| gst::FlowError::Eos)?;
                        if let Some(b) = sample.buffer() {
                            if let Ok(map) = b.map_readable() {
                                let mut out = buffer.lock().map_err(|_| gst::FlowError::Error)?;
                                if let Some(pts) = b.pts() {
                                    let start = out.samples.len();
                                    out.buffers.push((start, pts.nseconds()));
                                }
                                out.samples.extend(
                                    map.chunks_exact(4)
                                        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])),
                                );
                            }
                        }
                        Ok(gst::FlowSuccess::Ok)
                    })
                    .build(),
            );
        }

        let (tx, events) = mpsc::channel();
        let started = Instant::now();
        let tracks = Arc::new(Tracks {
            audio_pid,
            sound_taken: AtomicBool::new(false),
            sound_told: AtomicBool::new(false),
            audio_in: convert
                .static_pad("sink")
                .ok_or_else(|| build_err("audioconvert has no sink pad"))?,
            sound_sink: sink
                .static_pad("sink")
                .ok_or_else(|| build_err("the sound sink has no sink pad"))?,
            pictures_taken: AtomicBool::new(false),
            pictures_in: Mutex::new(None),
            picture: Mutex::new(picture),
            branches: Mutex::new(Vec::new()),
            programme: AtomicU32::new(NO_PROGRAMME),
            closing: AtomicBool::new(false),
            retired: Mutex::new(Vec::new()),
            tx: tx.clone(),
            started,
        });
        // pad-added may run on any streaming thread.
        let weak = pipeline.downgrade();
        let on_added = tracks.clone();
        demux.connect_pad_added(move |_, pad| {
            let Some(pipeline) = weak.upgrade().filter(|_| !on_added.closing()) else {
                return;
            };
            if let Err(e) = on_added.add(&pipeline, pad) {
                let _ = on_added.tx.send(PlayerEvent::Error(e.to_string()));
            }
        });
        // All the programme's tracks are there: when the chosen one was not among them (the operator moved it
        // since the scan), the household hears the first track there is rather than nothing.
        let weak = pipeline.downgrade();
        let on_all = tracks.clone();
        demux.connect_no_more_pads(move |_| {
            if let Some(pipeline) = weak.upgrade().filter(|_| !on_all.closing()) {
                for feeds in [Feeds::Sound, Feeds::Pictures] {
                    if let Err(e) = on_all.take_over(&pipeline, feeds) {
                        let _ = on_all.tx.send(PlayerEvent::Error(e.to_string()));
                    }
                }
            }
        });
        // The programme dropped a track (a new PMT version): its decoder goes, and what it fed is free for the
        // track that replaces it.
        let weak = pipeline.downgrade();
        let on_removed = tracks.clone();
        demux.connect_pad_removed(move |_, pad| {
            if let Some(pipeline) = weak.upgrade().filter(|_| !on_removed.closing()) {
                if let Err(e) = on_removed.remove(&pipeline, pad) {
                    let _ = on_removed.tx.send(PlayerEvent::Error(e.to_string()));
                }
            }
        });
        if pipeline.set_state(gst::State::Playing).is_err() {
            // Why is on the bus (an ALSA device that does not open, a missing decoder).
            let why = pipeline
                .bus()
                .and_then(|b| b.pop_filtered(&[gst::MessageType::Error]))
                .and_then(|m| match m.view() {
                    gst::MessageView::Error(e) => Some(format!(
                        "{}: {}",
                        e.src().map(|s| s.name().to_string()).unwrap_or_default(),
                        e.error()
                    )),
                    _ => None,
                })
                .unwrap_or_else(|| "no reason given".into());
            let _ = pipeline.set_state(gst::State::Null);
            return Err(PlayerError::Build(format!(
                "the pipeline does not start: {why}"
            )));
        }
        Ok(Self {
            pipeline,
            src,
            volume,
            events,
            tx,
            started,
            tracks,
            latency: Mutex::new(None),
        })
    }

    /// Hands transport-stream packets to the pipeline; waits while its queue is full (so a file plays at the pace
    /// of the sound card, and a tuner's packets are never dropped here).
    pub fn push(&self, packets: &[u8]) -> Result<(), PlayerError> {
        self.src
            .push_buffer(gst::Buffer::from_slice(packets.to_vec()))
            .map(|_| ())
            .map_err(|e| PlayerError::Stopped(format!("the pipeline refused data: {e:?}")))
    }

    /// Volume 0.0 to 1.0 (the remote's volume keys) and mute.
    pub fn set_volume(&self, volume: f64, mute: bool) {
        self.volume.set_property("volume", volume.clamp(0.0, 1.0));
        self.volume.set_property("mute", mute);
    }

    /// What happened since the last call: stream, first audio and video, and errors from GStreamer's bus. Called
    /// often (the player's loop does after every read): it also applies the latency changes the bus reports.
    pub fn events(&self) -> Vec<PlayerEvent> {
        if let Some(bus) = self.pipeline.bus() {
            while let Some(msg) = bus.pop_filtered(&[
                gst::MessageType::Error,
                gst::MessageType::Warning,
                gst::MessageType::Latency,
            ]) {
                if self.tracks.retired(&msg) {
                    continue;
                }
                let text = match msg.view() {
                    // A decoder linked while playing (each track's comes after the pipeline started) reports its
                    // delay: the sinks are told the pipeline's new latency, else a picture decoder's reordering
                    // delay could show pictures late against the sound.
                    gst::MessageView::Latency(_) => {
                        self.apply_latency();
                        continue;
                    }
                    gst::MessageView::Error(e) => format!("{}", e.error()),
                    gst::MessageView::Warning(w) => format!("{}", w.error()),
                    _ => continue,
                };
                let _ = self.tx.send(PlayerEvent::Error(text));
            }
        }
        self.events.try_iter().collect()
    }

    /// Tells the sinks the pipeline's latency when it changed (the decoders report theirs again and again: the
    /// sound decoder with nearly every frame).
    fn apply_latency(&self) {
        let mut query = gst::query::Latency::new();
        if !self.pipeline.query(&mut query) {
            return;
        }
        let (_, min, _) = query.result();
        if let Ok(mut applied) = self.latency.lock() {
            if *applied != Some(min) && self.pipeline.recalculate_latency().is_ok() {
                *applied = Some(min);
            }
        }
    }

    /// The input has ended (a file played to its end): waits until everything queued has been played, at most
    /// `timeout`; false if it took longer.
    pub fn finish(&self, timeout: Duration) -> bool {
        let _ = self.src.end_of_stream();
        let Some(bus) = self.pipeline.bus() else {
            return false;
        };
        let deadline = Instant::now() + timeout;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            let wait = gst::ClockTime::from_mseconds(left.as_millis() as u64);
            match bus.timed_pop_filtered(wait, &[gst::MessageType::Eos, gst::MessageType::Error]) {
                Some(msg) => match msg.view() {
                    gst::MessageView::Eos(_) => return true,
                    gst::MessageView::Error(_) if self.tracks.retired(&msg) => {}
                    gst::MessageView::Error(e) => {
                        let _ = self.tx.send(PlayerEvent::Error(format!("{}", e.error())));
                        return false;
                    }
                    _ => {}
                },
                None => return false,
            }
        }
        false
    }

    /// Time since the player started.
    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }
}

impl Drop for Player {
    fn drop(&mut self) {
        self.tracks.closing.store(true, Ordering::SeqCst);
        let _ = self.pipeline.set_state(gst::State::Null);
    }
}

/// What a track of the demultiplexer goes to.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Feeds {
    Sound,
    Pictures,
    Nothing,
}

/// A track of the demultiplexer and the elements it feeds (taken down when the programme drops the track).
struct Branch {
    pad: gst::Pad,
    /// "audio", "video" or another media type.
    kind: String,
    codec: String,
    feeds: Feeds,
    elements: Vec<gst::Element>,
    /// Its decoder may take the chain's input (cleared when the track is dropped: a dropped track's decoder that
    /// comes up late must not take the input from the track that replaced it).
    live: Arc<AtomicBool>,
}

/// The programme's tracks and where each goes: the sound chain takes the chosen track (by PID) or, failing it,
/// the first the programme has; the picture chain the first picture track; the others go to fakesinks, ready to
/// take over. A programme that changes (a new PMT version moving a track) gives its new track to the chain the
/// old one fed.
struct Tracks {
    audio_pid: Option<u16>,
    sound_taken: AtomicBool,
    /// The first sound has been told of (once per player, however many tracks follow).
    sound_told: AtomicBool,
    audio_in: gst::Pad,
    sound_sink: gst::Pad,
    pictures_taken: AtomicBool,
    /// The picture chain's input, made for the first picture track.
    pictures_in: Mutex<Option<gst::Pad>>,
    picture: Mutex<Option<PictureWriter>>,
    branches: Mutex<Vec<Branch>>,
    /// The demultiplexer's programme generation: tsdemux starts a new one, with new pads, when a PMT drops or
    /// changes a track.
    programme: AtomicU32,
    /// Elements of an earlier programme's tracks: their complaints as they are taken down (a queue finding its
    /// decoder unlinked) are not the household's problem.
    retired: Mutex<Vec<gst::Element>>,
    /// The player is being dropped: the pads tsdemux removes on its way down are not replaced.
    closing: AtomicBool,
    tx: Sender<PlayerEvent>,
    started: Instant,
}

impl Tracks {
    fn closing(&self) -> bool {
        self.closing.load(Ordering::SeqCst)
    }

    /// tsdemux names its pads after the PID: audio_<program>_<pid, 4 hex digits>.
    fn chosen(&self, pad: &gst::Pad) -> bool {
        self.audio_pid
            .is_none_or(|pid| pad.name().ends_with(&format!("_{pid:04x}")))
    }

    /// A new track of the demultiplexer.
    fn add(&self, pipeline: &gst::Pipeline, pad: &gst::Pad) -> Result<(), PlayerError> {
        if let Some(programme) = programme_of(pad) {
            // Any other generation is an earlier one (tsdemux counts them in 4 bits, so they wrap).
            let before = self.programme.swap(programme, Ordering::SeqCst);
            if before != programme && before != NO_PROGRAMME {
                self.retire_all_but(programme);
            }
        }
        let caps = pad.current_caps();
        let Some(s) = caps.as_ref().and_then(|c| c.structure(0)) else {
            return Ok(());
        };
        let codec = codec_name(s);
        let kind = s.name().split('/').next().unwrap_or_default().to_string();
        let live = Arc::new(AtomicBool::new(true));
        let (feeds, elements) = if kind == "audio"
            && self.chosen(pad)
            && !self.sound_taken.swap(true, Ordering::SeqCst)
        {
            (
                Feeds::Sound,
                self.decode(pipeline, pad, &codec, Feeds::Sound, &live)?,
            )
        } else if kind == "video" && !self.pictures_taken.swap(true, Ordering::SeqCst) {
            let elements = self.decode(pipeline, pad, &codec, Feeds::Pictures, &live)?;
            (Feeds::Pictures, elements)
        } else {
            (Feeds::Nothing, vec![discard(pipeline, pad)?])
        };
        if let Ok(mut branches) = self.branches.lock() {
            branches.push(Branch {
                pad: pad.clone(),
                kind,
                codec,
                feeds,
                elements,
                live,
            });
        }
        Ok(())
    }

    /// Decodes `pad` into the sound or picture chain; when that fails the chain is free again for another track.
    fn decode(
        &self,
        pipeline: &gst::Pipeline,
        pad: &gst::Pad,
        codec: &str,
        feeds: Feeds,
        live: &Arc<AtomicBool>,
    ) -> Result<Vec<gst::Element>, PlayerError> {
        let (result, taken) = match feeds {
            Feeds::Sound => (self.hear(pipeline, pad, codec, live), &self.sound_taken),
            _ => (self.show(pipeline, pad, codec, live), &self.pictures_taken),
        };
        if result.is_err() {
            taken.store(false, Ordering::SeqCst);
        }
        result
    }

    /// Decodes `pad` into the sound chain.
    fn hear(
        &self,
        pipeline: &gst::Pipeline,
        pad: &gst::Pad,
        codec: &str,
        live: &Arc<AtomicBool>,
    ) -> Result<Vec<gst::Element>, PlayerError> {
        let _ = self.tx.send(PlayerEvent::Stream {
            kind: "audio",
            codec: codec.to_string(),
        });
        if !self.sound_told.swap(true, Ordering::SeqCst) {
            first_buffer(
                &self.sound_sink,
                self.tx.clone(),
                self.started,
                codec.to_string(),
                None,
            );
        }
        decode_into(pipeline, pad, &self.audio_in, live, self.tx.clone(), false)
    }

    /// Decodes `pad` into the picture chain (made for the first picture track).
    fn show(
        &self,
        pipeline: &gst::Pipeline,
        pad: &gst::Pad,
        codec: &str,
        live: &Arc<AtomicBool>,
    ) -> Result<Vec<gst::Element>, PlayerError> {
        let _ = self.tx.send(PlayerEvent::Stream {
            kind: "video",
            codec: codec.to_string(),
        });
        let mut input = self
            .pictures_in
            .lock()
            .map_err(|_| build_err("the picture chain's lock is poisoned"))?;
        let into = match input.as_ref() {
            Some(i) => i.clone(),
            None => {
                let writer = self.picture.lock().ok().and_then(|mut p| p.take());
                let i = video_chain(
                    pipeline,
                    self.tx.clone(),
                    self.started,
                    codec.to_string(),
                    writer,
                )?;
                input.insert(i).clone()
            }
        };
        drop(input);
        decode_into(pipeline, pad, &into, live, self.tx.clone(), true)
    }

    /// When nothing feeds the sound (or the pictures), a track that goes to a fakesink takes over: the chosen
    /// sound track when it is there, else the first of its kind. Called once the demultiplexer has added all its
    /// pads (the chosen track was not in the programme: the operator moved it since the scan) and when the track
    /// feeding a chain is dropped.
    fn take_over(&self, pipeline: &gst::Pipeline, feeds: Feeds) -> Result<(), PlayerError> {
        let (kind, taken) = match feeds {
            Feeds::Sound => ("audio", &self.sound_taken),
            Feeds::Pictures => ("video", &self.pictures_taken),
            Feeds::Nothing => return Ok(()),
        };
        let mut branches = self
            .branches
            .lock()
            .map_err(|_| build_err("the tracks' lock is poisoned"))?;
        let waiting = |b: &Branch| b.feeds == Feeds::Nothing && b.kind == kind;
        let Some(i) = branches
            .iter()
            .position(|b| waiting(b) && (feeds != Feeds::Sound || self.chosen(&b.pad)))
            .or_else(|| branches.iter().position(waiting))
        else {
            return Ok(());
        };
        if taken.swap(true, Ordering::SeqCst) {
            return Ok(());
        }
        let branch = &mut branches[i];
        if let Some(peer) = branch.pad.peer() {
            let _ = branch.pad.unlink(&peer);
        }
        take_down(pipeline, std::mem::take(&mut branch.elements));
        branch.live = Arc::new(AtomicBool::new(true));
        branch.elements = self.decode(pipeline, &branch.pad, &branch.codec, feeds, &branch.live)?;
        branch.feeds = feeds;
        Ok(())
    }

    /// A new programme replaces the tracks of earlier ones (tsdemux adds the new pads, then ends and removes the
    /// old): they are cut off from the demultiplexer, so their end of stream does not reach the sinks (which
    /// would take nothing more), and the sound and picture chains are free for the new tracks at once.
    fn retire_all_but(&self, programme: u32) {
        let Ok(mut branches) = self.branches.lock() else {
            return;
        };
        for b in branches
            .iter_mut()
            .filter(|b| programme_of(&b.pad).is_some_and(|p| p != programme))
        {
            b.live.store(false, Ordering::SeqCst);
            if let Some(peer) = b.pad.peer() {
                let _ = b.pad.unlink(&peer);
            }
            match b.feeds {
                Feeds::Sound => self.sound_taken.store(false, Ordering::SeqCst),
                Feeds::Pictures => self.pictures_taken.store(false, Ordering::SeqCst),
                Feeds::Nothing => {}
            }
            b.feeds = Feeds::Nothing;
            if let Ok(mut retired) = self.retired.lock() {
                // Those of programmes before are gone from the pipeline by now.
                retired.retain(|e| e.parent().is_some());
                retired.extend(b.elements.iter().cloned());
            }
        }
    }

    /// Whether a bus message comes from an element of a retired track.
    fn retired(&self, msg: &gst::Message) -> bool {
        let Some(src) = msg.src() else {
            return false;
        };
        self.retired.lock().is_ok_and(|r| {
            r.iter()
                .any(|e| e.upcast_ref::<gst::Object>() == src || src.has_as_ancestor(e))
        })
    }

    /// The demultiplexer removed `pad` (its programme dropped the track): its elements are taken down, and the
    /// chain it fed goes to the track that replaces it.
    fn remove(&self, pipeline: &gst::Pipeline, pad: &gst::Pad) -> Result<(), PlayerError> {
        let branch = self.branches.lock().ok().and_then(|mut branches| {
            let i = branches.iter().position(|b| &b.pad == pad)?;
            Some(branches.remove(i))
        });
        let Some(branch) = branch else {
            return Ok(());
        };
        branch.live.store(false, Ordering::SeqCst);
        let freed = match branch.feeds {
            Feeds::Sound => Some((&self.sound_taken, Some(self.audio_in.clone()))),
            Feeds::Pictures => Some((
                &self.pictures_taken,
                self.pictures_in.lock().ok().and_then(|i| i.clone()),
            )),
            Feeds::Nothing => None,
        };
        if let Some((taken, Some(input))) = freed {
            // Only this branch's decoder lets go of the input (a new track's may have taken it already).
            if let Some(peer) = input.peer() {
                if peer
                    .parent_element()
                    .is_some_and(|e| branch.elements.contains(&e))
                {
                    let _ = peer.unlink(&input);
                }
            }
            taken.store(false, Ordering::SeqCst);
        }
        take_down(pipeline, branch.elements);
        self.take_over(pipeline, branch.feeds)
    }
}

/// No programme yet.
const NO_PROGRAMME: u32 = u32::MAX;

/// The programme generation in a tsdemux pad's name (`audio_<generation>_<pid>`, both hexadecimal; the
/// generation is counted in 4 bits and wraps).
fn programme_of(pad: &gst::Pad) -> Option<u32> {
    let name = pad.name();
    let mut parts = name.split('_');
    parts.next()?;
    u32::from_str_radix(parts.next()?, 16).ok()
}

/// Stops and removes elements a track no longer needs, away from the streaming thread that asks (a queue's
/// thread may be blocked in the sink until its buffer is due). Locked first: the pipeline's own state changes
/// must not start them again.
fn take_down(pipeline: &gst::Pipeline, elements: Vec<gst::Element>) {
    if elements.is_empty() {
        return;
    }
    for e in &elements {
        e.set_locked_state(true);
    }
    let pipeline = pipeline.clone();
    std::thread::spawn(move || {
        for e in elements {
            let _ = e.set_state(gst::State::Null);
            let _ = pipeline.remove(&e);
        }
    });
}

/// Tells once when the first buffer crosses `pad` (the sink's input: decoded, converted, about to be heard or
/// shown).
fn first_buffer(
    pad: &gst::Pad,
    tx: Sender<PlayerEvent>,
    started: Instant,
    codec: String,
    decoded: Option<gst::Pad>,
) {
    pad.add_probe(gst::PadProbeType::BUFFER, move |_, _| {
        let after = started.elapsed();
        // A picture's size is the source's (before scaling to the screen).
        let event = if let Some(decoded) = &decoded {
            let (width, height) = decoded
                .current_caps()
                .and_then(|c| {
                    let s = c.structure(0)?;
                    Some((s.get::<i32>("width").ok()?, s.get::<i32>("height").ok()?))
                })
                .unwrap_or((0, 0));
            PlayerEvent::FirstVideo {
                codec: codec.clone(),
                width,
                height,
                after,
            }
        } else {
            PlayerEvent::FirstAudio {
                codec: codec.clone(),
                after,
            }
        };
        let _ = tx.send(event);
        gst::PadProbeReturn::Remove
    });
}

/// queue ! decodebin, its decoded pad linked to `into` while `live`. A `leaky` queue drops the
/// oldest data when its decoder falls behind (pictures on a slow box) instead of stalling the demultiplexer, which
/// would starve the sound: a household notices a gap in the sound far more than a skipped picture.
fn decode_into(
    pipeline: &gst::Pipeline,
    pad: &gst::Pad,
    into: &gst::Pad,
    live: &Arc<AtomicBool>,
    tx: Sender<PlayerEvent>,
    leaky: bool,
) -> Result<Vec<gst::Element>, PlayerError> {
    let queue = make("queue")?;
    if leaky {
        queue.set_property_from_str("leaky", "downstream");
    }
    let decode = make("decodebin")?;
    // decodebin waits for its decoder's output pad asynchronously (an H.264 stream: until its next key frame). Told
    // to the running pipeline, that wait "loses" its PLAYING state: the pipeline goes back to PAUSED until the
    // decoder is ready, the sound sink holds its first buffer, the sound queue fills, the demultiplexer stops, and
    // the picture's key frame never comes (the emulated box stalled so, black and silent, on 1 zap in 5 onto an
    // H.264 channel). The decodebin keeps its wait to itself.
    decode.set_property("async-handling", true);
    pipeline.add_many([&queue, &decode]).map_err(build_err)?;
    queue.link(&decode).map_err(build_err)?;
    let into = into.clone();
    let live = live.clone();
    decode.connect_pad_added(move |_, decoded| {
        // A decoder whose track was dropped meanwhile stays unlinked.
        if !live.load(Ordering::SeqCst) {
            return;
        }
        // The decoder of the track this one replaces may still hold the input.
        if let Some(old) = into.peer() {
            let _ = old.unlink(&into);
        }
        if let Err(e) = decoded.link(&into) {
            let _ = tx.send(PlayerEvent::Error(format!(
                "a decoder could not be linked: {e:?}"
            )));
        }
    });
    queue.sync_state_with_parent().map_err(build_err)?;
    decode.sync_state_with_parent().map_err(build_err)?;
    let sink = queue
        .static_pad("sink")
        .ok_or_else(|| build_err("queue has no sink pad"))?;
    pad.link(&sink).map_err(|e| build_err(format!("{e:?}")))?;
    Ok(vec![queue, decode])
}

/// The pictures: decoded and at a sink that keeps the clock, either scaled into the screens' picture file's size
/// (black bars, square pixels) and converted to its RGB (the screens draw the on-screen display over it), or,
/// without screens, counted and dropped. Scaled before the conversion: an HD picture is made smaller while it is
/// still YUV (1.5 bytes a pixel), so neither the memory nor the time for a full-size RGB copy is spent.
/// (`videoconvertscale`, both in one pass, lost the pictures of a 16:9 H.264 channel in the emulated box.)
/// Made for the first picture track; its input is returned for the decoders (a programme that changes its picture
/// track gives the next one the same chain).
fn video_chain(
    pipeline: &gst::Pipeline,
    tx: Sender<PlayerEvent>,
    started: Instant,
    codec: String,
    picture: Option<PictureWriter>,
) -> Result<gst::Pad, PlayerError> {
    let convert = make("videoconvert")?;
    let (input, sink) = match picture {
        Some(writer) => {
            let scale = make("videoscale")?;
            // Black bars keep the source's shape (4:3 in 16:9 pillarboxed, 16:9 in 4:3 letterboxed).
            scale.set_property("add-borders", true);
            let (width, height) = writer.size();
            let sink = picture_sink(writer, width, height)?;
            pipeline
                .add_many([&scale, &convert, sink.upcast_ref()])
                .map_err(build_err)?;
            gst::Element::link_many([&scale, &convert, sink.upcast_ref()]).map_err(build_err)?;
            scale.sync_state_with_parent().map_err(build_err)?;
            (scale, sink.upcast())
        }
        None => {
            let sink = make("fakesink")?;
            sink.set_property("sync", true);
            sink.set_property("async", false);
            pipeline.add_many([&convert, &sink]).map_err(build_err)?;
            convert.link(&sink).map_err(build_err)?;
            (convert.clone(), sink)
        }
    };
    convert.sync_state_with_parent().map_err(build_err)?;
    sink.sync_state_with_parent().map_err(build_err)?;
    let sink_pad = sink
        .static_pad("sink")
        .ok_or_else(|| build_err("the picture sink has no sink pad"))?;
    let input = input
        .static_pad("sink")
        .ok_or_else(|| build_err("the picture chain has no sink pad"))?;
    first_buffer(&sink_pad, tx, started, codec, Some(input.clone()));
    Ok(input)
}

/// An appsink taking RGB frames of the picture file's size, on the clock, each copied into the file as it is due.
/// Not prerolled (`async` off): added to a playing live pipeline, a sink that waits for its first frame would take
/// the whole pipeline back to PAUSED with it (see [`decode_into`]).
/// The first frame after a zap is copied the moment it is decoded, not when it is due: the stream sends pictures
/// up to 0.7 s before their time, and a household sees the new channel that much sooner (a still picture until
/// the sound's clock reaches it, then moving with its sound, as the best boxes do).
fn picture_sink(
    writer: PictureWriter,
    width: u32,
    height: u32,
) -> Result<gst_app::AppSink, PlayerError> {
    let caps = gst::Caps::builder("video/x-raw")
        .field("format", "RGB")
        .field("width", width as i32)
        .field("height", height as i32)
        .field("pixel-aspect-ratio", gst::Fraction::new(1, 1))
        .build();
    let sink = gst_app::AppSink::builder()
        .caps(&caps)
        .sync(true)
        .max_buffers(1)
        .drop(true)
        .async_(false)
        .build();
    let writer = Arc::new(Mutex::new(writer));
    let first = writer.clone();
    let input = sink
        .static_pad("sink")
        .ok_or_else(|| build_err("appsink has no sink pad"))?;
    input.add_probe(gst::PadProbeType::BUFFER, move |pad, info| {
        if let (Some(buffer), Some(caps)) = (info.buffer(), pad.current_caps()) {
            if let Ok(mut w) = first.lock() {
                let _ = write_frame(&mut w, buffer, &caps);
            }
        }
        gst::PadProbeReturn::Remove
    });
    sink.set_callbacks(
        gst_app::AppSinkCallbacks::builder()
            .new_sample(move |s| {
                let sample = s.pull_sample().map_err(|_| gst::FlowError::Eos)?;
                let (Some(buffer), Some(caps)) = (sample.buffer(), sample.caps()) else {
                    return Ok(gst::FlowSuccess::Ok);
                };
                let mut w = writer.lock().map_err(|_| gst::FlowError::Error)?;
                write_frame(&mut w, buffer, caps)?;
                Ok(gst::FlowSuccess::Ok)
            })
            .build(),
    );
    Ok(sink)
}

/// Copies one RGB frame of the picture file's size into it.
fn write_frame(
    writer: &mut PictureWriter,
    buffer: &gst::BufferRef,
    caps: &gst::CapsRef,
) -> Result<(), gst::FlowError> {
    let (width, height) = writer.size();
    let row = width as usize * 3;
    let info = gst_video::VideoInfo::from_caps(caps).map_err(|_| gst::FlowError::NotNegotiated)?;
    let frame = gst_video::VideoFrameRef::from_buffer_ref_readable(buffer, &info)
        .map_err(|_| gst::FlowError::Error)?;
    let stride = frame.plane_stride()[0] as usize;
    let data = frame.plane_data(0).map_err(|_| gst::FlowError::Error)?;
    if info.width() != width
        || info.height() != height
        || data.len() < stride * (height as usize).saturating_sub(1) + row
    {
        return Err(gst::FlowError::NotNegotiated);
    }
    writer.write(buffer.pts().map(|t| t.nseconds()), |pixels| {
        for (y, out) in pixels.chunks_exact_mut(row).enumerate() {
            out.copy_from_slice(&data[y * stride..y * stride + row]);
        }
    });
    Ok(())
}

/// A further track of the service (a second language): not decoded.
fn discard(pipeline: &gst::Pipeline, pad: &gst::Pad) -> Result<gst::Element, PlayerError> {
    let sink = make("fakesink")?;
    sink.set_property("sync", false);
    sink.set_property("async", false);
    pipeline.add(&sink).map_err(build_err)?;
    sink.sync_state_with_parent().map_err(build_err)?;
    let input = sink
        .static_pad("sink")
        .ok_or_else(|| build_err("fakesink has no sink pad"))?;
    pad.link(&input).map_err(|e| build_err(format!("{e:?}")))?;
    Ok(sink)
}
