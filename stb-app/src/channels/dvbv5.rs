//! The dvbv5 channel file (libdvbv5's "DVBV5" format, what `dvbv5-scan` writes and `dvbv5-zap` reads), to move
//! channel lists between this box and the LinuxTV tools.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::Channel;
use crate::lnb::Polarisation;
use crate::scan::{FoundService, ServiceKind, Stream, TransponderScan};
use crate::tuner::System;

#[derive(Debug, thiserror::Error)]
pub enum Dvbv5Error {
    #[error("{file}:{line}: {what}")]
    Syntax {
        file: PathBuf,
        line: usize,
        what: String,
    },
    #[error("{file}: {source}")]
    Io {
        file: PathBuf,
        source: std::io::Error,
    },
}

/// The LNB name libdvbv5 knows for the band and polarisation of a channel.
fn lnb_name(c: &Channel) -> &'static str {
    if c.frequency_khz < 5_000_000 {
        "C-BAND"
    } else if matches!(c.polarisation, Polarisation::Left | Polarisation::Right) {
        "L10750"
    } else {
        "UNIVERSAL"
    }
}

fn pol_name(p: Polarisation) -> &'static str {
    match p {
        Polarisation::Horizontal => "HORIZONTAL",
        Polarisation::Vertical => "VERTICAL",
        Polarisation::Left => "LEFT",
        Polarisation::Right => "RIGHT",
    }
}

/// Writes channels in the dvbv5 format.
pub fn export(channels: &[Channel]) -> String {
    let mut out = String::new();
    for c in channels {
        let _ = writeln!(out, "[{}]", c.name.replace(['[', ']'], ""));
        let _ = writeln!(out, "\tSERVICE_ID = {}", c.service_id);
        let _ = writeln!(out, "\tNETWORK_ID = {}", c.onid);
        let _ = writeln!(out, "\tTRANSPORT_ID = {}", c.tsid);
        if let Some(v) = c.video_pid {
            let _ = writeln!(out, "\tVIDEO_PID = {v}");
        }
        if !c.audio.is_empty() {
            let pids: Vec<String> = c.audio.iter().map(|a| a.pid.to_string()).collect();
            let _ = writeln!(out, "\tAUDIO_PID = {}", pids.join(" "));
        }
        let _ = writeln!(out, "\tLNB = {}", lnb_name(c));
        let _ = writeln!(out, "\tFREQUENCY = {}", c.frequency_khz);
        let _ = writeln!(out, "\tINVERSION = AUTO");
        let _ = writeln!(out, "\tSYMBOL_RATE = {}", c.symbol_rate);
        let _ = writeln!(out, "\tINNER_FEC = AUTO");
        let _ = writeln!(out, "\tPOLARIZATION = {}", pol_name(c.polarisation));
        let _ = writeln!(
            out,
            "\tDELIVERY_SYSTEM = {}",
            if c.system == "DVB-S2" {
                "DVBS2"
            } else {
                "DVBS"
            }
        );
        let _ = writeln!(out);
    }
    out
}

#[derive(Default)]
struct Entry {
    name: String,
    line: usize,
    fields: Vec<(String, String, usize)>,
}

/// Reads a dvbv5 channel file into transponder scans (one per frequency and polarisation), ready to merge.
pub fn import(path: &Path) -> Result<Vec<TransponderScan>, Dvbv5Error> {
    let text = std::fs::read_to_string(path).map_err(|source| Dvbv5Error::Io {
        file: path.into(),
        source,
    })?;
    let err = |line: usize, what: String| Dvbv5Error::Syntax {
        file: path.into(),
        line,
        what,
    };
    let mut entries: Vec<Entry> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[') {
            let name = name
                .strip_suffix(']')
                .ok_or_else(|| err(n, format!("'{line}' has no closing ]")))?;
            entries.push(Entry {
                name: name.to_string(),
                line: n,
                fields: Vec::new(),
            });
            continue;
        }
        let (k, v) = line
            .split_once('=')
            .ok_or_else(|| err(n, format!("expected KEY = VALUE, found '{line}'")))?;
        let entry = entries
            .last_mut()
            .ok_or_else(|| err(n, "a field before the first [channel]".into()))?;
        entry
            .fields
            .push((k.trim().to_ascii_uppercase(), v.trim().to_string(), n));
    }
    let mut scans: Vec<TransponderScan> = Vec::new();
    for e in entries {
        let get = |k: &str| {
            e.fields
                .iter()
                .find(|(key, _, _)| key == k)
                .map(|(_, v, n)| (v.as_str(), *n))
        };
        let num = |k: &str, required: bool| -> Result<Option<u32>, Dvbv5Error> {
            match get(k) {
                Some((v, n)) => v
                    .parse::<u32>()
                    .map(Some)
                    .map_err(|_| err(n, format!("{k} = {v} is not a number"))),
                None if required => Err(err(e.line, format!("channel [{}] has no {k}", e.name))),
                None => Ok(None),
            }
        };
        let system = match get("DELIVERY_SYSTEM") {
            Some(("DVBS", _)) | None => System::DvbS,
            Some(("DVBS2", _)) => System::DvbS2,
            Some((v, n)) => {
                return Err(err(n, format!("delivery system {v} is not DVBS or DVBS2")))
            }
        };
        let pol = match get("POLARIZATION") {
            Some((v, n)) => match v.to_ascii_uppercase().as_str() {
                "HORIZONTAL" => Polarisation::Horizontal,
                "VERTICAL" => Polarisation::Vertical,
                "LEFT" => Polarisation::Left,
                "RIGHT" => Polarisation::Right,
                _ => {
                    return Err(err(
                        n,
                        format!("polarization {v} is not HORIZONTAL, VERTICAL, LEFT or RIGHT"),
                    ))
                }
            },
            None => {
                return Err(err(
                    e.line,
                    format!("channel [{}] has no POLARIZATION", e.name),
                ))
            }
        };
        let freq = num("FREQUENCY", true)?.unwrap_or(0);
        let sr = num("SYMBOL_RATE", true)?.unwrap_or(0);
        let sid = num("SERVICE_ID", true)?.unwrap_or(0);
        let sid = u16::try_from(sid)
            .map_err(|_| err(e.line, format!("SERVICE_ID {sid} is over 65535")))?;
        let pid = |k: &str| -> Result<Vec<u16>, Dvbv5Error> {
            match get(k) {
                None => Ok(Vec::new()),
                Some((v, n)) => v
                    .split_whitespace()
                    .map(|p| {
                        p.parse::<u16>()
                            .ok()
                            .filter(|p| *p < 0x1fff)
                            .ok_or_else(|| err(n, format!("{k}: '{p}' is not a PID")))
                    })
                    .collect(),
            }
        };
        let video = pid("VIDEO_PID")?;
        let audio = pid("AUDIO_PID")?;
        let tsid = num("TRANSPORT_ID", false)?
            .and_then(|v| u16::try_from(v).ok())
            .unwrap_or(0);
        let onid = num("NETWORK_ID", false)?
            .and_then(|v| u16::try_from(v).ok())
            .unwrap_or(0);
        let service = FoundService {
            service_id: sid,
            name: e.name.clone(),
            provider: String::new(),
            service_type: 0,
            kind: if !video.is_empty() {
                ServiceKind::Tv
            } else if !audio.is_empty() {
                ServiceKind::Radio
            } else {
                ServiceKind::Data
            },
            scrambled: false,
            ca_system_ids: Vec::new(),
            pmt_pid: 0x1fff,
            pcr_pid: None,
            video: video.first().map(|&p| Stream {
                pid: p,
                stream_type: 0,
                codec: "video".into(),
                language: None,
            }),
            audio: audio
                .iter()
                .map(|&p| Stream {
                    pid: p,
                    stream_type: 0,
                    codec: "audio".into(),
                    language: None,
                })
                .collect(),
            other: Vec::new(),
            lcn: None,
        };
        match scans
            .iter_mut()
            .find(|s| s.frequency_khz == freq && s.polarisation == pol)
        {
            Some(s) => s.services.push(service),
            None => scans.push(TransponderScan {
                frequency_khz: freq,
                polarisation: pol,
                symbol_rate: sr,
                system,
                locked: true,
                signal: None,
                transport_stream_id: Some(tsid),
                original_network_id: Some(onid),
                network_id: None,
                network_name: None,
                services: vec![service],
                announced: Vec::new(),
                // An imported list says nothing about what vanished.
                complete: false,
                missing: Vec::new(),
                elapsed_ms: 0,
            }),
        }
    }
    Ok(scans)
}
