//! The dvbv5 channel file (libdvbv5's "DVBV5" format, what `dvbv5-scan` writes and `dvbv5-zap` reads), to move
//! channel lists between this box and the LinuxTV tools.

use std::fmt::Write as _;
use std::path::Path;

use super::Channel;
use crate::lnb::Polarisation;
use crate::scan::{FoundService, ServiceKind, Stream, TransponderScan};
use crate::textfile::{Comments, TextFile};
use crate::tuner::{Fec, Modulation, Pilot, Rolloff, System, Transponder};

/// A dvbv5 file that cannot be read, or a wrong line of it.
pub type Dvbv5Error = crate::textfile::TextFileError;

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
        let t = c.transponder();
        let _ = writeln!(out, "\tSYMBOL_RATE = {}", c.symbol_rate);
        let _ = writeln!(
            out,
            "\tINNER_FEC = {}",
            t.fec.to_string().to_ascii_uppercase()
        );
        let _ = writeln!(out, "\tPOLARIZATION = {}", pol_name(c.polarisation));
        if t.system == System::DvbS2 {
            let m = match t.modulation {
                Modulation::Qpsk => "QPSK",
                Modulation::Psk8 => "PSK/8",
                Modulation::Apsk16 => "APSK/16",
                Modulation::Apsk32 => "APSK/32",
                Modulation::Auto => "QAM/AUTO",
            };
            let _ = writeln!(out, "\tMODULATION = {m}");
            let r = match t.rolloff {
                Rolloff::R35 => "35",
                Rolloff::R25 => "25",
                Rolloff::R20 => "20",
                Rolloff::Auto => "AUTO",
            };
            let _ = writeln!(out, "\tROLLOFF = {r}");
            let _ = writeln!(out, "\tPILOT = AUTO");
        }
        let _ = writeln!(
            out,
            "\tDELIVERY_SYSTEM = {}",
            if t.system == System::DvbS2 {
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

/// The `[name]` blocks of a dvbv5 file with their `KEY = VALUE` fields and line numbers.
fn entries(path: &Path) -> Result<Vec<Entry>, Dvbv5Error> {
    let file = TextFile::read(path)?;
    let err = |line: usize, what: String| file.error(line, what);
    let mut entries: Vec<Entry> = Vec::new();
    for (n, line) in file.entries(Comments::WholeLine) {
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
    Ok(entries)
}

impl Entry {
    fn get(&self, k: &str) -> Option<(&str, usize)> {
        self.fields
            .iter()
            .find(|(key, _, _)| key == k)
            .map(|(_, v, n)| (v.as_str(), *n))
    }

    fn num(&self, path: &Path, k: &str, required: bool) -> Result<Option<u32>, Dvbv5Error> {
        let err = |line: usize, what: String| Dvbv5Error::syntax(path, line, what);
        match self.get(k) {
            Some((v, n)) => v
                .parse::<u32>()
                .map(Some)
                .map_err(|_| err(n, format!("{k} = {v} is not a number"))),
            None if required => Err(err(
                self.line,
                format!("channel [{}] has no {k}", self.name),
            )),
            None => Ok(None),
        }
    }

    fn system(&self, path: &Path) -> Result<System, Dvbv5Error> {
        match self.get("DELIVERY_SYSTEM") {
            Some(("DVBS", _)) | None => Ok(System::DvbS),
            Some(("DVBS2", _)) => Ok(System::DvbS2),
            Some((v, n)) => Err(Dvbv5Error::syntax(
                path,
                n,
                format!("delivery system {v} is not DVBS or DVBS2"),
            )),
        }
    }

    fn polarisation(&self, path: &Path) -> Result<Polarisation, Dvbv5Error> {
        let err = |line: usize, what: String| Dvbv5Error::syntax(path, line, what);
        match self.get("POLARIZATION") {
            Some((v, n)) => match v.to_ascii_uppercase().as_str() {
                "HORIZONTAL" => Ok(Polarisation::Horizontal),
                "VERTICAL" => Ok(Polarisation::Vertical),
                "LEFT" => Ok(Polarisation::Left),
                "RIGHT" => Ok(Polarisation::Right),
                _ => Err(err(
                    n,
                    format!("polarization {v} is not HORIZONTAL, VERTICAL, LEFT or RIGHT"),
                )),
            },
            None => Err(err(
                self.line,
                format!("channel [{}] has no POLARIZATION", self.name),
            )),
        }
    }
}

impl Entry {
    /// The transponder of a block: DELIVERY_SYSTEM, FREQUENCY, POLARIZATION, SYMBOL_RATE, and optionally
    /// MODULATION, INNER_FEC and ROLLOFF; checked.
    fn transponder(&self, path: &Path) -> Result<Transponder, Dvbv5Error> {
        let e = self;
        let err = |line: usize, what: String| Dvbv5Error::syntax(path, line, what);
        let system = e.system(path)?;
        let modulation = match e.get("MODULATION") {
            None => Modulation::Auto,
            Some((v, n)) => match v.to_ascii_uppercase().as_str() {
                "QPSK" => Modulation::Qpsk,
                "PSK/8" | "8PSK" => Modulation::Psk8,
                "APSK/16" => Modulation::Apsk16,
                "APSK/32" => Modulation::Apsk32,
                "AUTO" | "QAM/AUTO" => Modulation::Auto,
                _ => {
                    return Err(err(
                        n,
                        format!("modulation {v} is not QPSK, PSK/8, APSK/16, APSK/32 or AUTO"),
                    ))
                }
            },
        };
        let fec = match e.get("INNER_FEC") {
            None => Fec::AUTO,
            Some((v, n)) => v.parse::<Fec>().map_err(|m| err(n, m))?,
        };
        let rolloff = match (system, e.get("ROLLOFF")) {
            (System::DvbS, _) => Rolloff::R35,
            (System::DvbS2, None) => Rolloff::Auto,
            (System::DvbS2, Some((v, n))) => v.parse::<Rolloff>().map_err(|m| err(n, m))?,
        };
        let polarisation = e.polarisation(path)?;
        let t = Transponder {
            frequency_khz: e.num(path, "FREQUENCY", true)?.unwrap_or(0),
            polarisation,
            symbol_rate: e.num(path, "SYMBOL_RATE", true)?.unwrap_or(0),
            system,
            modulation: if system == System::DvbS {
                Modulation::Qpsk
            } else {
                modulation
            },
            fec,
            rolloff,
            pilot: Pilot::Auto,
        };
        t.check()
            .map_err(|m| err(e.line, format!("[{}]: {m}", e.name)))?;
        Ok(t)
    }
}

/// Reads a dvbv5 / dtv-scan-tables initial tuning file (`[CHANNEL]` blocks with DELIVERY_SYSTEM, FREQUENCY,
/// POLARIZATION, SYMBOL_RATE, and optionally MODULATION, INNER_FEC and ROLLOFF) into transponders to scan.
pub fn tuning_file(path: &Path) -> Result<Vec<Transponder>, Dvbv5Error> {
    entries(path)?.iter().map(|e| e.transponder(path)).collect()
}

/// Reads a dvbv5 channel file into transponder scans (one per frequency and polarisation), ready to merge.
pub fn import(path: &Path) -> Result<Vec<TransponderScan>, Dvbv5Error> {
    let err = |line: usize, what: String| Dvbv5Error::syntax(path, line, what);
    let entries = entries(path)?;
    let mut scans: Vec<TransponderScan> = Vec::new();
    for e in entries {
        let get = |k: &str| e.get(k);
        let num = |k: &str, required: bool| e.num(path, k, required);
        let tp = e.transponder(path)?;
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
            raw_name: Vec::new(),
            raw_provider: Vec::new(),
            onid: Some(onid),
        };
        match scans
            .iter_mut()
            .find(|s| s.frequency_khz == tp.frequency_khz && s.polarisation == tp.polarisation)
        {
            Some(s) => s.services.push(service),
            None => scans.push(TransponderScan {
                frequency_khz: tp.frequency_khz,
                polarisation: tp.polarisation,
                symbol_rate: tp.symbol_rate,
                system: tp.system,
                modulation: tp.modulation,
                fec: tp.fec,
                rolloff: tp.rolloff,
                locked: true,
                carrier: true,
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
                nit: None,
            }),
        }
    }
    Ok(scans)
}
