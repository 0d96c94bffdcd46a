//! The emulated satellite sky: from `sky.toml`, the multiplex of every transponder (pictures and sound encoded by
//! FFmpeg, SI and EPG from ts-si, activation EMMs signed as the operator signs them, counted faults on the
//! diagnostics transponder) and `sky.conf`, the description the patched vidtv (`kernel/`) tunes and plays.
//!
//! Two steps: [`media::encode_all`] (slow, cached) and [`generate`] (fast, run for every boot, so the guide and
//! the authorisations are dated from the moment the box starts).

pub mod definition;
pub mod emm;
pub mod epg;
pub mod faults;
pub mod media;
pub mod mux;
pub mod pes;
pub mod si;

use std::fmt::Write as _;
use std::path::Path;

use serde::Serialize;

use definition::{Satellite, Service, Sky, Transponder, LOOP_90K};
use faults::FaultReport;
use mux::{EsInput, MuxError, MuxInput};
use pes::PesPacket;
use si::ServicePids;

/// The whole sky's files stay below this (the budget: the guest keeps them in memory).
pub const MAX_BYTES: u64 = 64 << 20;
/// Presentation time of a loop's first picture after the loop's start: how far ahead of the decoder the
/// multiplex runs (90 kHz).
const PRESENTATION_DELAY_90K: u64 = 72_000;
/// How early a PES may be sent before its DTS (90 kHz): video up to 0.7 s, audio 0.25 s.
const VIDEO_EARLY_90K: u64 = 63_000;
const AUDIO_EARLY_90K: u64 = 22_500;

#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    #[error(transparent)]
    Pes(#[from] pes::PesError),
    #[error(transparent)]
    Emm(#[from] emm::EmmError),
    #[error("{transponder}: {source}")]
    Mux {
        transponder: String,
        source: MuxError,
    },
    #[error("{0}: its encoding does not hold one whole loop ({1}); run `sky media` again")]
    Media(String, String),
    #[error("{0}: {1}")]
    Io(String, std::io::Error),
    #[error("the sky would take {0} bytes, more than the {MAX_BYTES} allowed")]
    TooBig(u64),
}

/// What the box should find: every transponder and service with its PIDs, for tests and for people.
#[derive(Debug, Serialize)]
pub struct Manifest {
    pub generated_at: i64,
    pub loop_seconds: f64,
    pub transponders: Vec<TransponderInfo>,
    pub bytes: u64,
}

#[derive(Debug, Serialize)]
pub struct TransponderInfo {
    pub satellite: String,
    pub position: f64,
    pub port: char,
    pub frequency_mhz: u32,
    pub polarisation: char,
    pub symbol_rate_ksps: u32,
    pub system: String,
    pub modulation: String,
    pub fec: String,
    pub rolloff: f64,
    pub if_khz: u32,
    pub level_dbm: f64,
    pub cn_db: f64,
    pub original_network_id: u16,
    pub transport_stream_id: u16,
    pub rate_bps: u64,
    pub file: String,
    /// "restamp" or "discontinuity".
    #[serde(rename = "loop")]
    pub looping: String,
    pub services: Vec<ServiceInfo>,
}

#[derive(Debug, Serialize)]
pub struct ServiceInfo {
    pub service_id: u16,
    pub name: String,
    pub lcn: u16,
    pub radio: bool,
    pub scrambled: bool,
    pub video: Option<String>,
    pub video_pid: Option<u16>,
    /// The picture's background colour (0xRRGGBB) and shape ("16:9", "4:3"): what a screen showing it must show.
    pub colour: Option<u32>,
    pub aspect: String,
    pub pmt_pid: u16,
    pub audio: Vec<AudioInfo>,
}

#[derive(Debug, Serialize)]
pub struct AudioInfo {
    pub pid: u16,
    pub codec: String,
    pub language: String,
    pub tone_hz: u32,
}

/// The PES packets of one loop of one elementary stream, re-timed to the loop: the packets whose presentation
/// starts in [0, loop) of the source (to half a frame), shifted by the presentation delay.
fn one_loop(packets: &[PesPacket], what: &str) -> Result<Vec<PesPacket>, GenerateError> {
    let mut pts: Vec<u64> = packets.iter().map(|p| p.pts).collect();
    pts.sort_unstable();
    let frame = pts
        .windows(2)
        .map(|w| w[1] - w[0])
        .filter(|d| *d > 0)
        .min()
        .ok_or_else(|| GenerateError::Media(what.into(), "fewer than two frames".into()))?;
    let from = media::SOURCE_ZERO_90K - frame / 2;
    let to = from + LOOP_90K;
    let mut out: Vec<PesPacket> = packets
        .iter()
        .filter(|p| (from..to).contains(&p.pts))
        .map(|p| {
            let shift = |t: u64| t + PRESENTATION_DELAY_90K - media::SOURCE_ZERO_90K;
            PesPacket {
                bytes: p.bytes.clone(),
                pts: shift(p.pts),
                dts: shift(p.dts),
            }
        })
        .collect();
    out.sort_by_key(|p| p.dts);
    if !LOOP_90K.is_multiple_of(frame) || out.len() as u64 != LOOP_90K / frame {
        return Err(GenerateError::Media(
            what.into(),
            format!("{} frames of {} ticks", out.len(), frame),
        ));
    }
    Ok(out)
}

/// Every service of the sky in order, for its PIDs.
fn service_index(sky: &Sky, s: &Service) -> usize {
    sky.services()
        .position(|(_, _, x)| std::ptr::eq(x, s))
        .unwrap_or(0)
}

/// One transponder's loop: its packets, how many there are, its faults, and the services it carries.
struct Loop {
    packets: Vec<[u8; 188]>,
    per_loop: u32,
    faults: Option<FaultReport>,
    services: Vec<ServiceInfo>,
}

/// Builds one transponder's loop.
fn transponder(
    sky: &Sky,
    sat: &Satellite,
    tp: &Transponder,
    media_dir: &Path,
    ctx: &si::Context<'_>,
) -> Result<Loop, GenerateError> {
    let mut es = Vec::new();
    let mut pcr_pids = Vec::new();
    let mut infos = Vec::new();
    let mut first_video = None;
    for s in &tp.services {
        let pids = ServicePids::of(service_index(sky, s));
        let streams = pes::read(&media::media_path(media_dir, sat, s))?;
        let expected = usize::from(s.video.is_some()) + s.audio.len();
        if streams.len() != expected {
            return Err(GenerateError::Media(
                s.label.clone(),
                format!("{} streams, {expected} expected", streams.len()),
            ));
        }
        let mut streams = streams.into_iter();
        if s.video.is_some() {
            let v = streams.next().expect("counted");
            es.push(EsInput {
                pid: pids.video,
                pes: one_loop(&v.packets, &s.label)?,
                early_90k: VIDEO_EARLY_90K,
                scrambled: s.scrambled,
            });
            first_video.get_or_insert(pids.video);
        }
        for (n, a) in streams.enumerate() {
            es.push(EsInput {
                pid: pids.audio + n as u16,
                pes: one_loop(&a.packets, &s.label)?,
                early_90k: AUDIO_EARLY_90K,
                scrambled: s.scrambled,
            });
        }
        pcr_pids.push(pids.pcr(s));
        infos.push(ServiceInfo {
            service_id: s.id,
            name: s.name.clone(),
            lcn: s.lcn,
            radio: s.is_radio(),
            scrambled: s.scrambled,
            video: s.video.clone(),
            video_pid: s.video.as_ref().map(|_| pids.video),
            colour: s
                .video
                .as_ref()
                .map(|_| s.colour.unwrap_or(media::DEFAULT_COLOUR)),
            aspect: s.aspect.clone(),
            pmt_pid: pids.pmt,
            audio: s
                .audio
                .iter()
                .enumerate()
                .map(|(n, a)| AudioInfo {
                    pid: pids.audio + n as u16,
                    codec: a.codec.clone(),
                    language: a.language.clone(),
                    tone_hz: a.tone_hz,
                })
                .collect(),
        });
    }
    let mut tables = si::tables(ctx, sat, tp);
    let mut report = tp.faults.any().then(|| FaultReport {
        transponder: tp.name(),
        ..Default::default()
    });
    if let Some(r) = report.as_mut() {
        faults::before_mux(&tp.faults, &mut tables, r);
    }

    // A first rate from what must be sent, then up in steps until every PES arrives in time.
    let es_bytes: usize = es
        .iter()
        .flat_map(|e| e.pes.iter().map(|p| p.bytes.len().div_ceil(184) * 188))
        .sum();
    let si_bytes: usize = tables
        .iter()
        .map(|s| {
            s.items
                .iter()
                .map(|i| i.1.len().div_ceil(183) * 188)
                .sum::<usize>()
        })
        .sum();
    let loop_s = LOOP_90K as f64 / 90_000.0;
    let pcr_bps = pcr_pids.len() as f64 * 188.0 * 8.0 / 0.035;
    let mut bps = ((es_bytes + si_bytes) as f64 * 8.0 / loop_s * 1.15 + pcr_bps) as u64;
    let mut input = MuxInput {
        packets: mux::packets_for(bps),
        es,
        si: tables,
        pcr_pids,
        periodic: tp.looping == "restamp",
    };
    let mut packets = loop {
        match mux::mux(&input) {
            Ok(p) => break p,
            Err(MuxError::TooSlow { .. } | MuxError::NotPeriodic { .. }) if bps < 60_000_000 => {
                bps = bps * 23 / 20;
                input.packets = mux::packets_for(bps);
            }
            Err(e) => {
                return Err(GenerateError::Mux {
                    transponder: tp.name(),
                    source: e,
                })
            }
        }
    };
    if let Some(r) = report.as_mut() {
        r.packets_per_loop = input.packets;
        faults::after_mux(&tp.faults, first_video.unwrap_or(0x1FFF), &mut packets, r);
    }
    Ok(Loop {
        packets,
        per_loop: input.packets,
        faults: report,
        services: infos,
    })
}

/// Generates the sky into `out`: one `NAME.ts` per transponder, `sky.conf` for vidtv, `sky.json` (what the box
/// should find) and `faults.json`. `now` dates the guide and the authorisations (Unix seconds).
pub fn generate(
    sky: &Sky,
    media_dir: &Path,
    out: &Path,
    now: i64,
    progress: &mut dyn FnMut(&str),
) -> Result<Manifest, GenerateError> {
    let io = |p: &Path| {
        let p = p.display().to_string();
        move |e| GenerateError::Io(p, e)
    };
    std::fs::create_dir_all(out).map_err(io(out))?;
    let activation = emm::activation_sections(sky, now)?;
    let index_of = |s: &Service| service_index(sky, s);
    let ctx = si::Context {
        sky,
        now,
        index_of: &index_of,
        activation_sections: &activation,
    };
    let mut conf = String::from(
        "# The emulated sky for the patched vidtv (sky/kernel/): one transponder per line.\n\
         # Made by `sky generate` from sky/sky.toml; see drivers/media/test-drivers/vidtv/vidtv_sky.h.\n",
    );
    let mut manifest = Manifest {
        generated_at: now,
        loop_seconds: definition::LOOP_SECONDS,
        transponders: Vec::new(),
        bytes: 0,
    };
    let mut reports = Vec::new();
    for sat in &sky.satellites {
        for tp in &sat.transponders {
            progress(&format!("multiplexing {} {}", sat.name, tp.name()));
            let Loop {
                packets,
                per_loop: n,
                faults: report,
                services,
            } = transponder(sky, sat, tp, media_dir, &ctx)?;
            let file = format!("{}-{}.ts", sat.port, tp.name());
            let path = out.join(&file);
            let bytes: Vec<u8> = packets.iter().flatten().copied().collect();
            std::fs::write(&path, &bytes).map_err(io(&path))?;
            manifest.bytes += bytes.len() as u64;
            let rate = mux::rate_bps(n);
            let _ = writeln!(
                conf,
                "tp name={} if={} voltage={} tone=off port={} system={} modulation={} sr={} fec={} rolloff={} \
                 level={} cn={} rate={} ts={} loop={}",
                tp.name(),
                tp.if_khz(sat),
                tp.voltage(),
                sat.port,
                tp.vidtv_system().expect("checked"),
                tp.vidtv_modulation().expect("checked"),
                tp.symbol_rate_ksps * 1000,
                tp.vidtv_fec().expect("checked"),
                tp.vidtv_rolloff().expect("checked"),
                (tp.level_dbm * 1000.0).round() as i64,
                (tp.cn_db * 1000.0).round() as i64,
                rate,
                file,
                tp.looping
            );
            manifest.transponders.push(TransponderInfo {
                satellite: sat.name.clone(),
                position: sat.position,
                port: sat.port,
                frequency_mhz: tp.frequency_mhz,
                polarisation: tp.polarisation,
                symbol_rate_ksps: tp.symbol_rate_ksps,
                system: tp.system.clone(),
                modulation: tp.modulation.clone(),
                fec: tp.fec.clone(),
                rolloff: tp.rolloff,
                if_khz: tp.if_khz(sat),
                level_dbm: tp.level_dbm,
                cn_db: tp.cn_db,
                original_network_id: sat.original_network_id,
                transport_stream_id: tp.transport_stream_id,
                rate_bps: rate,
                file,
                looping: tp.looping.clone(),
                services,
            });
            reports.extend(report);
        }
    }
    if manifest.bytes > MAX_BYTES {
        return Err(GenerateError::TooBig(manifest.bytes));
    }
    let write = |name: &str, text: String| {
        let p = out.join(name);
        std::fs::write(&p, text).map_err(io(&p))
    };
    write("sky.conf", conf)?;
    write(
        "sky.json",
        serde_json::to_string_pretty(&manifest).expect("serialises"),
    )?;
    write(
        "faults.json",
        serde_json::to_string_pretty(&reports).expect("serialises"),
    )?;
    Ok(manifest)
}
