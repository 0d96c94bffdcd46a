//! The sky as `sky.toml` describes it: satellites behind DiSEqC ports, their transponders with modulation and
//! signal figures, the services each carries (codecs, tones, names as broadcast), the faults of the diagnostics
//! transponder and the authorisations the operator sends. [`Sky::check`] refuses a description the generator or
//! the kernel could not honour, with the reason.

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// One loop of every multiplex, in 90 kHz ticks: 10.56 s, the shortest span of at least 10 s that holds a whole
/// number of 25 Hz video frames (264) and of MPEG-1 Layer II (440), AC-3 (330) and AAC (495) frames at 48 kHz, so
/// each service's pictures and sound repeat exactly and the loop has no seam.
pub const LOOP_90K: u64 = 950_400;
/// The same in seconds.
pub const LOOP_SECONDS: f64 = LOOP_90K as f64 / 90_000.0;

#[derive(Debug, thiserror::Error)]
pub enum DefinitionError {
    #[error("{0}: {1}")]
    Io(String, std::io::Error),
    #[error("{0}: {1}")]
    Toml(String, toml::de::Error),
    #[error("sky description: {0}")]
    Invalid(String),
}

/// The whole sky.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sky {
    #[serde(rename = "satellite")]
    pub satellites: Vec<Satellite>,
    #[serde(default, rename = "authorisation")]
    pub authorisations: Vec<Authorisation>,
    /// Where relative paths in the description start (the folder of the file).
    #[serde(skip)]
    pub base: PathBuf,
}

/// A satellite as the box's dish sees it: behind one DiSEqC port, through one LNB.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Satellite {
    pub name: String,
    /// Orbital position, degrees east.
    pub position: f64,
    /// The DiSEqC 1.0 committed port of the box's switch: "A" to "D".
    pub port: char,
    /// The LNB's local oscillator: IF = downlink frequency - LO.
    pub lnb_lo_mhz: u32,
    pub network_id: u16,
    pub original_network_id: u16,
    /// The network name as the NIT carries it (GB2312 without a charset byte, as ChinaSat sends it).
    pub network_name: String,
    #[serde(rename = "transponder")]
    pub transponders: Vec<Transponder>,
}

/// One transponder: its RF parameters, signal figures and multiplex.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Transponder {
    pub frequency_mhz: u32,
    /// "R", "L" (circular) or "H", "V" (linear).
    pub polarisation: char,
    pub symbol_rate_ksps: u32,
    /// "DVB-S" or "DVB-S2".
    pub system: String,
    /// "QPSK", "8PSK", "16APSK" or "32APSK".
    pub modulation: String,
    /// Code rate, e.g. "3/4".
    pub fec: String,
    /// 0.35, 0.25 or 0.20 (DVB-S is always 0.35).
    #[serde(default = "default_rolloff")]
    pub rolloff: f64,
    pub level_dbm: f64,
    pub cn_db: f64,
    pub transport_stream_id: u16,
    #[serde(rename = "service")]
    pub services: Vec<Service>,
    #[serde(default)]
    pub faults: Faults,
    /// How the kernel loops the multiplex: "restamp" (seamless: time stamps go on, the default) or
    /// "discontinuity" (time stamps begin again, announced by the discontinuity indicator).
    #[serde(default = "default_loop", rename = "loop")]
    pub looping: String,
}

fn default_loop() -> String {
    "restamp".into()
}

fn default_rolloff() -> f64 {
    0.35
}

/// Faults put into every loop of a transponder's multiplex, for diagnostics (counted, see `faults.json`).
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Faults {
    /// Video packets left out (each one continuity error).
    #[serde(default)]
    pub continuity_errors: u32,
    /// Consecutive packets with transport_error_indicator set.
    #[serde(default)]
    pub tei_packets: u32,
    /// SDT sections sent with a broken CRC.
    #[serde(default)]
    pub sdt_crc_errors: u32,
    /// A stretch without PAT, in milliseconds (over 500 is a PAT error).
    #[serde(default)]
    pub pat_gap_ms: u32,
}

impl Faults {
    pub fn any(&self) -> bool {
        *self != Faults::default()
    }
}

/// A service: TV or radio, its codecs and what its pictures and sound carry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Service {
    pub id: u16,
    pub name: String,
    pub provider: String,
    /// How the name is sent: "gb2312" (no charset byte, as ChinaSat does) or "utf8" (with 0x15).
    #[serde(default = "default_charset")]
    pub charset: String,
    pub lcn: u16,
    /// Drawn in the picture (the encoder's font is Latin only).
    pub label: String,
    /// Background colour of the picture, 0xRRGGBB.
    #[serde(default)]
    pub colour: Option<u32>,
    /// "mpeg2-sd", "h264-sd", "h264-hd", or absent for radio.
    #[serde(default)]
    pub video: Option<String>,
    /// "16:9" or "4:3".
    #[serde(default = "default_aspect")]
    pub aspect: String,
    pub audio: Vec<Audio>,
    /// Sent scrambled (CA descriptor, scrambling bits, undecodable payload).
    #[serde(default)]
    pub scrambled: bool,
    /// Programme titles of its guide ("news", "drama", "kids", "sport", "music", "education", "tibetan").
    #[serde(default = "default_genre")]
    pub guide: String,
}

fn default_charset() -> String {
    "gb2312".into()
}
fn default_aspect() -> String {
    "16:9".into()
}
fn default_genre() -> String {
    "news".into()
}

/// One audio track.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Audio {
    /// "mp2", "ac3" or "aac".
    pub codec: String,
    /// ISO 639-2 code of the track.
    pub language: String,
    /// The sine it carries: a multiple of 25 Hz, so it repeats exactly in a loop.
    pub tone_hz: u32,
}

/// An authorisation the operator broadcasts (EMM) for one box and card.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Authorisation {
    pub box_id: String,
    pub card_number: u64,
    /// The card's key file (its public key goes into the authorisation).
    pub card_key: PathBuf,
    /// The operator's signing key.
    pub operator_key: PathBuf,
    pub lat: f64,
    pub lon: f64,
    pub radius_m: u32,
    /// Valid from this many days before the sky is generated ...
    #[serde(default = "one")]
    pub valid_days_before: u32,
    /// ... until this many after.
    #[serde(default = "year")]
    pub valid_days_after: u32,
    pub sequence: u64,
}

fn one() -> u32 {
    1
}
fn year() -> u32 {
    365
}

/// The beep and flash every service carries for lip-sync checks: at these seconds of each loop, 40 ms long.
pub const SYNC_MARKS_S: [u32; 5] = [1, 3, 5, 7, 9];
/// The beep's pitch: above every service's own tone.
pub const BEEP_HZ: u32 = 3000;

impl Sky {
    /// Reads and checks a description.
    pub fn load(path: &Path) -> Result<Sky, DefinitionError> {
        let name = path.display().to_string();
        let text =
            std::fs::read_to_string(path).map_err(|e| DefinitionError::Io(name.clone(), e))?;
        let mut sky: Sky = toml::from_str(&text).map_err(|e| DefinitionError::Toml(name, e))?;
        sky.base = path.parent().unwrap_or(Path::new(".")).to_path_buf();
        sky.check()?;
        Ok(sky)
    }

    /// Every service with the transponder and satellite it is on.
    pub fn services(&self) -> impl Iterator<Item = (&Satellite, &Transponder, &Service)> {
        self.satellites.iter().flat_map(|sat| {
            sat.transponders
                .iter()
                .flat_map(move |tp| tp.services.iter().map(move |s| (sat, tp, s)))
        })
    }

    /// Refuses what cannot be generated or tuned, naming the transponder or service.
    pub fn check(&self) -> Result<(), DefinitionError> {
        let bad = |m: String| Err(DefinitionError::Invalid(m));
        let mut ids = std::collections::HashSet::new();
        let mut lcns = std::collections::HashSet::new();
        let mut ifs = std::collections::HashSet::new();
        if self.satellites.is_empty() {
            return bad("no satellite".into());
        }
        for sat in &self.satellites {
            if !('A'..='D').contains(&sat.port) {
                return bad(format!("{}: port {} is not A-D", sat.name, sat.port));
            }
            for tp in &sat.transponders {
                let at = format!("{} {} {}", sat.name, tp.frequency_mhz, tp.polarisation);
                if !"RLHV".contains(tp.polarisation) {
                    return bad(format!("{at}: polarisation must be R, L, H or V"));
                }
                let if_mhz = tp.if_khz(sat) / 1000;
                if !(950..=2150).contains(&if_mhz) {
                    return bad(format!("{at}: IF {if_mhz} MHz is outside 950-2150 MHz"));
                }
                if !ifs.insert((sat.port, tp.polarisation, tp.frequency_mhz)) {
                    return bad(format!("{at}: two transponders at the same place"));
                }
                tp.vidtv_system()
                    .map_err(|e| DefinitionError::Invalid(format!("{at}: {e}")))?;
                tp.vidtv_modulation()
                    .map_err(|e| DefinitionError::Invalid(format!("{at}: {e}")))?;
                tp.vidtv_fec()
                    .map_err(|e| DefinitionError::Invalid(format!("{at}: {e}")))?;
                tp.vidtv_rolloff()
                    .map_err(|e| DefinitionError::Invalid(format!("{at}: {e}")))?;
                if !["restamp", "discontinuity"].contains(&tp.looping.as_str()) {
                    return bad(format!("{at}: loop must be restamp or discontinuity"));
                }
                if tp.system == "DVB-S" && tp.modulation != "QPSK" {
                    return bad(format!("{at}: DVB-S is QPSK only"));
                }
                if tp.services.is_empty() {
                    return bad(format!("{at}: no service"));
                }
                for s in &tp.services {
                    let at = format!("{at} service {} ({})", s.id, s.label);
                    if !ids.insert((sat.original_network_id, s.id)) {
                        return bad(format!("{at}: service id used twice"));
                    }
                    if !lcns.insert(s.lcn) {
                        return bad(format!("{at}: channel number {} used twice", s.lcn));
                    }
                    if !["gb2312", "utf8"].contains(&s.charset.as_str()) {
                        return bad(format!("{at}: charset must be gb2312 or utf8"));
                    }
                    if let Some(v) = &s.video {
                        if !["mpeg2-sd", "h264-sd", "h264-hd"].contains(&v.as_str()) {
                            return bad(format!(
                                "{at}: video {v}: use mpeg2-sd, h264-sd or h264-hd"
                            ));
                        }
                    }
                    if !["16:9", "4:3"].contains(&s.aspect.as_str()) {
                        return bad(format!("{at}: aspect must be 16:9 or 4:3"));
                    }
                    if s.audio.is_empty() {
                        return bad(format!("{at}: no audio"));
                    }
                    for a in &s.audio {
                        if !["mp2", "ac3", "aac"].contains(&a.codec.as_str()) {
                            return bad(format!("{at}: audio {}: use mp2, ac3 or aac", a.codec));
                        }
                        if a.tone_hz % 25 != 0 || a.tone_hz == 0 || a.tone_hz >= BEEP_HZ {
                            return bad(format!(
                                "{at}: tone {} Hz must be a multiple of 25 Hz below {BEEP_HZ} Hz",
                                a.tone_hz
                            ));
                        }
                        if a.language.len() != 3 {
                            return bad(format!("{at}: language {} is not ISO 639-2", a.language));
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

impl Transponder {
    /// The IF the tuner sees this transponder on, in kHz.
    pub fn if_khz(&self, sat: &Satellite) -> u32 {
        (self.frequency_mhz.abs_diff(sat.lnb_lo_mhz)) * 1000
    }

    /// The LNB voltage that selects this polarisation: RHCP and vertical 13 V, LHCP and horizontal 18 V.
    pub fn voltage(&self) -> u32 {
        if matches!(self.polarisation, 'R' | 'V') {
            13
        } else {
            18
        }
    }

    /// A short name: "11840R".
    pub fn name(&self) -> String {
        format!("{}{}", self.frequency_mhz, self.polarisation)
    }

    pub fn vidtv_system(&self) -> Result<&'static str, String> {
        match self.system.as_str() {
            "DVB-S" => Ok("dvbs"),
            "DVB-S2" => Ok("dvbs2"),
            s => Err(format!("system {s}: use DVB-S or DVB-S2")),
        }
    }

    pub fn vidtv_modulation(&self) -> Result<&'static str, String> {
        match self.modulation.as_str() {
            "QPSK" => Ok("qpsk"),
            "8PSK" => Ok("8psk"),
            "16APSK" => Ok("16apsk"),
            "32APSK" => Ok("32apsk"),
            m => Err(format!("modulation {m}: use QPSK, 8PSK, 16APSK or 32APSK")),
        }
    }

    pub fn vidtv_fec(&self) -> Result<&str, String> {
        const RATES: [&str; 11] = [
            "1/2", "2/3", "3/4", "4/5", "5/6", "6/7", "7/8", "8/9", "3/5", "9/10", "2/5",
        ];
        RATES
            .iter()
            .find(|r| **r == self.fec)
            .copied()
            .ok_or_else(|| format!("FEC {}: use a code rate such as 3/4", self.fec))
    }

    pub fn vidtv_rolloff(&self) -> Result<&'static str, String> {
        match (self.rolloff * 100.0).round() as u32 {
            35 => Ok("35"),
            25 => Ok("25"),
            20 => Ok("20"),
            _ => Err(format!("roll-off {}: use 0.35, 0.25 or 0.20", self.rolloff)),
        }
    }

    /// FEC_inner of the satellite delivery system descriptor (EN 300 468 table 35).
    pub fn si_fec(&self) -> u8 {
        match self.fec.as_str() {
            "1/2" => 1,
            "2/3" => 2,
            "3/4" => 3,
            "5/6" => 4,
            "7/8" => 5,
            "8/9" => 6,
            "3/5" => 7,
            "4/5" => 8,
            "9/10" => 9,
            _ => 15,
        }
    }

    /// Polarisation of the satellite delivery system descriptor: 0 H, 1 V, 2 L, 3 R.
    pub fn si_polarisation(&self) -> u8 {
        match self.polarisation {
            'H' => 0,
            'V' => 1,
            'L' => 2,
            _ => 3,
        }
    }
}

impl Service {
    pub fn is_radio(&self) -> bool {
        self.video.is_none()
    }

    /// service_type of the service descriptor: digital radio 0x02, HD (AVC) 0x19, SD (AVC) 0x16, TV 0x01.
    pub fn service_type(&self) -> u8 {
        match self.video.as_deref() {
            None => 0x02,
            Some("h264-hd") => 0x19,
            Some("h264-sd") => 0x16,
            Some(_) => 0x01,
        }
    }
}

impl Satellite {
    pub fn port_index(&self) -> u8 {
        self.port as u8 - b'A'
    }
}
