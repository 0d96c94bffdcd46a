//! NMEA 0183 sentences from a GPS / BeiDou receiver: GGA, RMC, GSA, GSV and ZDA.
//!
//! Outside bytes: the parser never panics, never trusts a length, and refuses a sentence whose
//! checksum is missing or wrong. Talkers GP (GPS), GN (combined), BD and GB (BeiDou), GL, GA
//! and others are accepted; the NMEA 4.10 system-ID (GSA) and signal-ID (GSV) fields are read
//! when present. [`LineSplitter`] reassembles sentences that arrive split across reads and
//! drops line noise between them; [`FixState`] folds the sentences into the receiver's state.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{NaiveDate, NaiveTime};
use serde::Serialize;

/// Longest line kept by [`LineSplitter`]; NMEA allows 82 characters, receivers' proprietary
/// sentences run a little longer.
pub const MAX_LINE: usize = 128;

/// Why a line is not a usable sentence.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NmeaError {
    #[error("not a sentence (no leading '$')")]
    NoStart,
    #[error("sentence has non-ASCII or control bytes")]
    NotAscii,
    #[error("sentence has no '*hh' checksum")]
    NoChecksum,
    #[error("checksum mismatch: sentence says {stated:02X}, bytes give {computed:02X}")]
    BadChecksum { stated: u8, computed: u8 },
    #[error("sentence address is malformed")]
    BadAddress,
    #[error("{sentence} field '{field}' is malformed")]
    BadField {
        sentence: &'static str,
        field: &'static str,
    },
}

/// The two-letter talker ID (GP, GN, BD, GB, GL, GA, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Talker(pub [u8; 2]);

impl Talker {
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("??")
    }
    /// The constellation a talker speaks for, in words.
    pub fn system(&self) -> &'static str {
        match &self.0 {
            b"GP" => "GPS",
            b"BD" | b"GB" => "BeiDou",
            b"GL" => "GLONASS",
            b"GA" => "Galileo",
            b"GQ" | b"QZ" => "QZSS",
            b"GI" => "NavIC",
            b"GN" => "GNSS",
            _ => "other",
        }
    }
}

impl fmt::Display for Talker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Talker {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// GGA: time, position and fix data.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Gga {
    pub talker: Talker,
    pub time: Option<NaiveTime>,
    pub lat_deg: Option<f64>,
    pub lon_deg: Option<f64>,
    /// Fix quality: 0 none, 1 GPS, 2 DGPS, 4 RTK fixed, 5 RTK float, 6 dead reckoning, …
    pub quality: u8,
    pub satellites_used: Option<u8>,
    pub hdop: Option<f64>,
    /// Antenna altitude above mean sea level (geoid), metres.
    pub altitude_msl_m: Option<f64>,
    /// Geoid separation: ellipsoid height minus MSL height, metres (may be empty).
    pub geoid_separation_m: Option<f64>,
}

impl Gga {
    /// True when the receiver reports a position fix.
    pub fn has_fix(&self) -> bool {
        self.quality != 0 && self.lat_deg.is_some() && self.lon_deg.is_some()
    }
    /// Height above the WGS84 ellipsoid: GGA altitude + geoid separation. An empty separation
    /// counts as zero (the receiver then reports ellipsoidal height, or nothing better is known).
    pub fn ellipsoidal_height_m(&self) -> Option<f64> {
        self.altitude_msl_m
            .map(|a| a + self.geoid_separation_m.unwrap_or(0.0))
    }
}

/// RMC: recommended minimum data, the source of the date.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rmc {
    pub talker: Talker,
    pub time: Option<NaiveTime>,
    /// Status A (valid) or V (warning / no fix).
    pub valid: bool,
    pub lat_deg: Option<f64>,
    pub lon_deg: Option<f64>,
    pub speed_knots: Option<f64>,
    pub course_deg: Option<f64>,
    pub date: Option<NaiveDate>,
    /// NMEA 2.3+ mode indicator (A autonomous, D differential, N not valid, …).
    pub mode: Option<char>,
}

/// GSA: DOP and active satellites.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Gsa {
    pub talker: Talker,
    /// 1 no fix, 2 2-D, 3 3-D.
    pub fix_type: u8,
    pub prns: Vec<u16>,
    pub pdop: Option<f64>,
    pub hdop: Option<f64>,
    pub vdop: Option<f64>,
    /// NMEA 4.10 GNSS system ID (1 GPS, 2 GLONASS, 3 Galileo, 4 BeiDou, …).
    pub system_id: Option<u8>,
}

/// One satellite in a GSV sentence.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SatInView {
    pub prn: u16,
    pub elevation_deg: Option<u8>,
    pub azimuth_deg: Option<u16>,
    pub snr_db: Option<u8>,
}

/// GSV: satellites in view (one of several messages).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Gsv {
    pub talker: Talker,
    pub total_messages: u8,
    pub message_number: u8,
    pub satellites_in_view: u16,
    pub satellites: Vec<SatInView>,
    /// NMEA 4.10 signal ID.
    pub signal_id: Option<u8>,
}

/// ZDA: time and date.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Zda {
    pub talker: Talker,
    pub time: Option<NaiveTime>,
    pub date: Option<NaiveDate>,
}

/// A sentence with a valid checksum.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type")]
pub enum Sentence {
    Gga(Gga),
    Rmc(Rmc),
    Gsa(Gsa),
    Gsv(Gsv),
    Zda(Zda),
    /// A well-formed sentence of a type this tool does not need (VTG, GLL, TXT, proprietary).
    Other {
        address: String,
    },
}

impl Sentence {
    /// A one-line description for logs and tests, e.g. `GGA (GN): fix 29.483335,106.483338`
    /// or `RMC (GP): no fix`.
    pub fn summary(&self) -> String {
        match self {
            Sentence::Gga(g) => match (g.has_fix(), g.lat_deg, g.lon_deg) {
                (true, Some(la), Some(lo)) => format!(
                    "GGA ({}): fix {la:.6},{lo:.6}, {} satellites, HDOP {}",
                    g.talker,
                    g.satellites_used.unwrap_or(0),
                    g.hdop.map_or("-".into(), |h| format!("{h:.2}"))
                ),
                _ => format!("GGA ({}): no fix", g.talker),
            },
            Sentence::Rmc(r) => match (r.valid, r.lat_deg, r.lon_deg) {
                (true, Some(la), Some(lo)) => format!(
                    "RMC ({}): fix {la:.6},{lo:.6}, date {}",
                    r.talker,
                    r.date.map_or("-".into(), |d| d.to_string())
                ),
                _ => format!("RMC ({}): no fix", r.talker),
            },
            Sentence::Gsa(g) => {
                if g.fix_type >= 2 {
                    format!(
                        "GSA ({}): {}-D fix, {} satellites used",
                        g.talker,
                        g.fix_type,
                        g.prns.len()
                    )
                } else {
                    format!("GSA ({}): no fix", g.talker)
                }
            }
            Sentence::Gsv(g) => format!(
                "GSV ({}, {}): {} satellites in view",
                g.talker,
                g.talker.system(),
                g.satellites_in_view
            ),
            Sentence::Zda(z) => format!(
                "ZDA ({}): {}",
                z.talker,
                z.date.map_or("no date".into(), |d| d.to_string())
            ),
            Sentence::Other { address } => format!("{address}: not used"),
        }
    }
}

/// XOR of the bytes between `$` and `*`.
pub fn checksum(body: &[u8]) -> u8 {
    body.iter().fold(0u8, |a, b| a ^ b)
}

/// Wrap a sentence body (without `$` and `*hh`) into a full sentence with its checksum.
/// This is how tests and the GPS emulator build their input.
pub fn emit(body: &str) -> String {
    format!("${body}*{:02X}\r\n", checksum(body.as_bytes()))
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'A'..=b'F' => Some(b - b'A' + 10),
        b'a'..=b'f' => Some(b - b'a' + 10),
        _ => None,
    }
}

/// Parse one line (with or without the trailing CR LF).
pub fn parse(line: &[u8]) -> Result<Sentence, NmeaError> {
    let mut end = line.len();
    while end > 0 && matches!(line[end - 1], b'\r' | b'\n' | b' ') {
        end -= 1;
    }
    let line = &line[..end];
    let Some((&first, rest)) = line.split_first() else {
        return Err(NmeaError::NoStart);
    };
    if first != b'$' {
        return Err(NmeaError::NoStart);
    }
    if !rest.iter().all(|b| (0x20..0x7f).contains(b)) {
        return Err(NmeaError::NotAscii);
    }
    let star = rest
        .iter()
        .rposition(|&b| b == b'*')
        .ok_or(NmeaError::NoChecksum)?;
    let (body, tail) = (&rest[..star], &rest[star + 1..]);
    let stated = match tail {
        [h, l] => match (hex(*h), hex(*l)) {
            (Some(h), Some(l)) => (h << 4) | l,
            _ => return Err(NmeaError::NoChecksum),
        },
        _ => return Err(NmeaError::NoChecksum),
    };
    let computed = checksum(body);
    if computed != stated {
        return Err(NmeaError::BadChecksum { stated, computed });
    }
    // Checked to be printable ASCII above, so this cannot fail; stay panic-free anyway.
    let body = std::str::from_utf8(body).map_err(|_| NmeaError::NotAscii)?;
    let mut fields = body.split(',');
    let address = fields.next().unwrap_or("");
    let ab = address.as_bytes();
    if ab.len() < 3 || !ab.iter().all(|b| b.is_ascii_alphanumeric()) {
        return Err(NmeaError::BadAddress);
    }
    if ab[0] == b'P' || ab.len() != 5 {
        return Ok(Sentence::Other {
            address: address.to_string(),
        });
    }
    let talker = Talker([ab[0], ab[1]]);
    let f: Vec<&str> = fields.collect();
    match &ab[2..5] {
        b"GGA" => parse_gga(talker, &f).map(Sentence::Gga),
        b"RMC" => parse_rmc(talker, &f).map(Sentence::Rmc),
        b"GSA" => parse_gsa(talker, &f).map(Sentence::Gsa),
        b"GSV" => parse_gsv(talker, &f).map(Sentence::Gsv),
        b"ZDA" => parse_zda(talker, &f).map(Sentence::Zda),
        _ => Ok(Sentence::Other {
            address: address.to_string(),
        }),
    }
}

fn get<'a>(f: &[&'a str], i: usize) -> &'a str {
    f.get(i).copied().unwrap_or("")
}

fn bad(sentence: &'static str, field: &'static str) -> NmeaError {
    NmeaError::BadField { sentence, field }
}

fn opt_num<T: std::str::FromStr>(
    s: &str,
    sentence: &'static str,
    field: &'static str,
) -> Result<Option<T>, NmeaError> {
    if s.is_empty() {
        Ok(None)
    } else {
        s.parse().map(Some).map_err(|_| bad(sentence, field))
    }
}

fn opt_f64(s: &str, sentence: &'static str, field: &'static str) -> Result<Option<f64>, NmeaError> {
    match opt_num::<f64>(s, sentence, field)? {
        Some(v) if !v.is_finite() => Err(bad(sentence, field)),
        v => Ok(v),
    }
}

fn time(s: &str, sentence: &'static str) -> Result<Option<NaiveTime>, NmeaError> {
    if s.is_empty() {
        return Ok(None);
    }
    let e = || bad(sentence, "time");
    let b = s.as_bytes();
    if b.len() < 6 || !b[..6].iter().all(u8::is_ascii_digit) {
        return Err(e());
    }
    let n = |i: usize| ((b[i] - b'0') * 10 + (b[i + 1] - b'0')) as u32;
    let (h, m, sec) = (n(0), n(2), n(4));
    let frac = &s[6..];
    let nanos = if frac.is_empty() {
        0
    } else {
        let fr: f64 = format!("0{frac}").parse().map_err(|_| e())?;
        if !(0.0..1.0).contains(&fr) {
            return Err(e());
        }
        (fr * 1e9) as u32
    };
    // Leap second 60 is folded into 59.999… (chrono's leap representation).
    let (sec, nanos) = if sec == 60 {
        (59, 1_000_000_000 + nanos.min(999_999_999))
    } else {
        (sec, nanos)
    };
    NaiveTime::from_hms_nano_opt(h, m, sec, nanos)
        .map(Some)
        .ok_or_else(e)
}

fn date_ddmmyy(s: &str, sentence: &'static str) -> Result<Option<NaiveDate>, NmeaError> {
    if s.is_empty() {
        return Ok(None);
    }
    let b = s.as_bytes();
    if b.len() != 6 || !b.iter().all(u8::is_ascii_digit) {
        return Err(bad(sentence, "date"));
    }
    let n = |i: usize| ((b[i] - b'0') * 10 + (b[i + 1] - b'0')) as u32;
    let yy = n(4) as i32;
    // NMEA's two-digit year: receivers of this century; 80-99 are last century's logs.
    let year = if yy >= 80 { 1900 + yy } else { 2000 + yy };
    NaiveDate::from_ymd_opt(year, n(2), n(0))
        .map(Some)
        .ok_or_else(|| bad(sentence, "date"))
}

/// `ddmm.mmmm` / `dddmm.mmmm` with hemisphere letter to signed degrees.
fn coord(
    v: &str,
    hemi: &str,
    deg_digits: usize,
    sentence: &'static str,
    field: &'static str,
) -> Result<Option<f64>, NmeaError> {
    if v.is_empty() && hemi.is_empty() {
        return Ok(None);
    }
    let e = || bad(sentence, field);
    let dot = v.find('.').unwrap_or(v.len());
    if dot != deg_digits + 2 || !v.as_bytes()[..dot].iter().all(u8::is_ascii_digit) {
        return Err(e());
    }
    let deg: f64 = v[..deg_digits].parse().map_err(|_| e())?;
    let min: f64 = v[deg_digits..].parse().map_err(|_| e())?;
    if !(0.0..60.0).contains(&min) {
        return Err(e());
    }
    let val = deg + min / 60.0;
    let (limit, neg) = match (deg_digits, hemi) {
        (2, "N") => (90.0, false),
        (2, "S") => (90.0, true),
        (3, "E") => (180.0, false),
        (3, "W") => (180.0, true),
        _ => return Err(e()),
    };
    if val > limit {
        return Err(e());
    }
    Ok(Some(if neg { -val } else { val }))
}

fn parse_gga(talker: Talker, f: &[&str]) -> Result<Gga, NmeaError> {
    const S: &str = "GGA";
    let quality = opt_num::<u8>(get(f, 5), S, "quality")?.unwrap_or(0);
    let alt = opt_f64(get(f, 8), S, "altitude")?;
    if alt.is_some() && !matches!(get(f, 9), "M" | "") {
        return Err(bad(S, "altitude unit"));
    }
    Ok(Gga {
        talker,
        time: time(get(f, 0), S)?,
        lat_deg: coord(get(f, 1), get(f, 2), 2, S, "latitude")?,
        lon_deg: coord(get(f, 3), get(f, 4), 3, S, "longitude")?,
        quality,
        satellites_used: opt_num(get(f, 6), S, "satellites")?,
        hdop: opt_f64(get(f, 7), S, "hdop")?,
        altitude_msl_m: alt,
        geoid_separation_m: opt_f64(get(f, 10), S, "geoid separation")?,
    })
}

fn parse_rmc(talker: Talker, f: &[&str]) -> Result<Rmc, NmeaError> {
    const S: &str = "RMC";
    let valid = match get(f, 1) {
        "A" => true,
        "V" | "" => false,
        _ => return Err(bad(S, "status")),
    };
    let mode = get(f, 11).chars().next();
    Ok(Rmc {
        talker,
        time: time(get(f, 0), S)?,
        valid: valid && mode != Some('N'),
        lat_deg: coord(get(f, 2), get(f, 3), 2, S, "latitude")?,
        lon_deg: coord(get(f, 4), get(f, 5), 3, S, "longitude")?,
        speed_knots: opt_f64(get(f, 6), S, "speed")?,
        course_deg: opt_f64(get(f, 7), S, "course")?,
        date: date_ddmmyy(get(f, 8), S)?,
        mode,
    })
}

fn parse_gsa(talker: Talker, f: &[&str]) -> Result<Gsa, NmeaError> {
    const S: &str = "GSA";
    if f.len() < 17 {
        return Err(bad(S, "field count"));
    }
    let mut prns = Vec::with_capacity(12);
    for p in &f[2..14] {
        if let Some(v) = opt_num::<u16>(p, S, "prn")? {
            prns.push(v);
        }
    }
    Ok(Gsa {
        talker,
        fix_type: opt_num(get(f, 1), S, "fix type")?.unwrap_or(1),
        prns,
        pdop: opt_f64(get(f, 14), S, "pdop")?,
        hdop: opt_f64(get(f, 15), S, "hdop")?,
        vdop: opt_f64(get(f, 16), S, "vdop")?,
        system_id: opt_num(get(f, 17), S, "system id")?,
    })
}

fn parse_gsv(talker: Talker, f: &[&str]) -> Result<Gsv, NmeaError> {
    const S: &str = "GSV";
    if f.len() < 3 {
        return Err(bad(S, "field count"));
    }
    let total_messages = opt_num(f[0], S, "message count")?.ok_or(bad(S, "message count"))?;
    let message_number = opt_num(f[1], S, "message number")?.ok_or(bad(S, "message number"))?;
    let satellites_in_view = opt_num(f[2], S, "satellites in view")?.unwrap_or(0);
    let rest = &f[3..];
    // Groups of four per satellite, plus one trailing signal ID in NMEA 4.10.
    let (groups, signal) = match rest.len() % 4 {
        0 => (rest, None),
        1 => (&rest[..rest.len() - 1], rest.last().copied()),
        _ => return Err(bad(S, "field count")),
    };
    let mut satellites = Vec::with_capacity(groups.len() / 4);
    for g in groups.chunks_exact(4) {
        if g.iter().all(|s| s.is_empty()) {
            continue;
        }
        let prn = opt_num(g[0], S, "prn")?.ok_or(bad(S, "prn"))?;
        satellites.push(SatInView {
            prn,
            elevation_deg: opt_num(g[1], S, "elevation")?,
            azimuth_deg: opt_num(g[2], S, "azimuth")?,
            snr_db: opt_num(g[3], S, "snr")?,
        });
    }
    Ok(Gsv {
        talker,
        total_messages,
        message_number,
        satellites_in_view,
        satellites,
        signal_id: match signal {
            Some(s) => opt_num(s, S, "signal id")?,
            None => None,
        },
    })
}

fn parse_zda(talker: Talker, f: &[&str]) -> Result<Zda, NmeaError> {
    const S: &str = "ZDA";
    let d: Option<u32> = opt_num(get(f, 1), S, "day")?;
    let m: Option<u32> = opt_num(get(f, 2), S, "month")?;
    let y: Option<i32> = opt_num(get(f, 3), S, "year")?;
    let date = match (y, m, d) {
        (Some(y), Some(m), Some(d)) => {
            Some(NaiveDate::from_ymd_opt(y, m, d).ok_or(bad(S, "date"))?)
        }
        _ => None,
    };
    Ok(Zda {
        talker,
        time: time(get(f, 0), S)?,
        date,
    })
}

/// Reassembles sentences from a byte stream that arrives in arbitrary pieces.
///
/// A `$` always starts a new sentence (whatever came before it without a line end is line
/// noise); CR or LF ends one; a line longer than [`MAX_LINE`] is dropped.
#[derive(Debug, Default, Clone)]
pub struct LineSplitter {
    buf: Vec<u8>,
    in_sentence: bool,
    /// Bytes seen that were not part of any complete sentence.
    pub noise_bytes: u64,
}

impl LineSplitter {
    pub fn new() -> Self {
        Self::default()
    }

    /// Feed bytes; `out` is called with every complete candidate line (checksum not yet checked).
    pub fn push(&mut self, bytes: &[u8], mut out: impl FnMut(&[u8])) {
        for &b in bytes {
            match b {
                b'$' => {
                    self.noise_bytes += self.buf.len() as u64;
                    self.buf.clear();
                    self.buf.push(b);
                    self.in_sentence = true;
                }
                b'\r' | b'\n' => {
                    if self.in_sentence && self.buf.len() > 1 {
                        out(&self.buf);
                    }
                    self.buf.clear();
                    self.in_sentence = false;
                }
                _ if self.in_sentence => {
                    if self.buf.len() >= MAX_LINE {
                        self.noise_bytes += self.buf.len() as u64 + 1;
                        self.buf.clear();
                        self.in_sentence = false;
                    } else {
                        self.buf.push(b);
                    }
                }
                _ => self.noise_bytes += 1,
            }
        }
    }

    /// Forget any partial line (after a baud-rate change or reconnect).
    pub fn reset(&mut self) {
        self.buf.clear();
        self.in_sentence = false;
    }
}

/// A position fix as the pointing maths needs it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Fix {
    pub lat_deg: f64,
    pub lon_deg: f64,
    /// GGA altitude + geoid separation.
    pub ellipsoidal_height_m: f64,
    pub altitude_msl_m: Option<f64>,
    pub geoid_separation_m: Option<f64>,
    pub quality: u8,
    pub satellites_used: Option<u8>,
    pub hdop: Option<f64>,
    pub time: Option<NaiveTime>,
    /// From RMC or ZDA only; GGA carries no date.
    pub date: Option<NaiveDate>,
}

/// The receiver's state folded from the sentences seen so far.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FixState {
    pub fix: Option<Fix>,
    pub satellites_used: Option<u8>,
    pub hdop: Option<f64>,
    /// Satellites in view per talker and signal, from the latest GSV of each.
    #[serde(skip)]
    in_view: BTreeMap<(Talker, u8), u16>,
    pub date: Option<NaiveDate>,
    pub time: Option<NaiveTime>,
    /// Valid sentences seen.
    pub sentences: u64,
}

impl FixState {
    /// Satellites in view across constellations (each constellation counted once even when
    /// it reports several signals).
    pub fn satellites_in_view(&self) -> u16 {
        let mut per: BTreeMap<Talker, u16> = BTreeMap::new();
        for (&(t, _), &n) in &self.in_view {
            let e = per.entry(t).or_default();
            *e = (*e).max(n);
        }
        per.values().sum()
    }

    /// A different receiver may come back after an unplug: forget everything but the date.
    pub fn forget_receiver(&mut self) {
        *self = FixState {
            date: self.date,
            ..FixState::default()
        };
    }

    /// Fold in one sentence. Returns the new fix when this sentence is a GGA with a fix.
    pub fn update(&mut self, s: &Sentence) -> Option<Fix> {
        self.sentences += 1;
        match s {
            Sentence::Gga(g) => {
                self.satellites_used = g.satellites_used;
                self.hdop = g.hdop;
                if g.time.is_some() {
                    self.time = g.time;
                }
                match (g.has_fix(), g.lat_deg, g.lon_deg) {
                    (true, Some(lat), Some(lon)) => {
                        let f = Fix {
                            lat_deg: lat,
                            lon_deg: lon,
                            ellipsoidal_height_m: g.ellipsoidal_height_m().unwrap_or(0.0),
                            altitude_msl_m: g.altitude_msl_m,
                            geoid_separation_m: g.geoid_separation_m,
                            quality: g.quality,
                            satellites_used: g.satellites_used,
                            hdop: g.hdop,
                            time: g.time,
                            date: self.date,
                        };
                        self.fix = Some(f);
                        Some(f)
                    }
                    _ => {
                        self.fix = None;
                        None
                    }
                }
            }
            Sentence::Rmc(r) => {
                if r.date.is_some() {
                    self.date = r.date;
                }
                None
            }
            Sentence::Zda(z) => {
                if z.date.is_some() {
                    self.date = z.date;
                }
                None
            }
            Sentence::Gsa(g) => {
                if g.hdop.is_some() && self.hdop.is_none() {
                    self.hdop = g.hdop;
                }
                None
            }
            Sentence::Gsv(g) => {
                self.in_view
                    .insert((g.talker, g.signal_id.unwrap_or(0)), g.satellites_in_view);
                None
            }
            Sentence::Other { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The reference sentences from the project's geodesy notes.
    const GGA1: &str = "$GPGGA,053152,3957.7484,N,11626.7626,E,1,06,1.5,88.1,M,-8.0,M,,*64";
    const GGA2: &str =
        "$GNGGA,021152.000,2929.000108,N,10629.000282,E,1,15,0.66,323.232,M,-37.445,M,,*53";
    const GSA: &str = "$BDGSA,A,3,08,10,19,20,23,27,,,,,,,1.25,0.66,1.06*15";
    const GSV: &str = "$GBGSV,1,1,02,27,42,121,,30,,,24,0*41";
    const GGA_NOFIX: &str = "$GPGGA,,,,,,0,00,99.99,,,,,,*48";
    const RMC_NOFIX: &str = "$GPRMC,,V,,,,,,,,,,N*53";

    #[test]
    fn reference_gga_sentences() {
        let Sentence::Gga(g) = parse(GGA1.as_bytes()).unwrap() else {
            panic!("not GGA")
        };
        assert!(g.has_fix());
        assert!((g.lat_deg.unwrap() - (39.0 + 57.7484 / 60.0)).abs() < 1e-12);
        assert!((g.lon_deg.unwrap() - (116.0 + 26.7626 / 60.0)).abs() < 1e-12);
        assert_eq!(g.satellites_used, Some(6));
        assert!((g.ellipsoidal_height_m().unwrap() - 80.1).abs() < 1e-9);
        assert_eq!(g.time, NaiveTime::from_hms_opt(5, 31, 52));

        let Sentence::Gga(g) = parse(GGA2.as_bytes()).unwrap() else {
            panic!("not GGA")
        };
        assert_eq!(g.talker.as_str(), "GN");
        assert!((g.lat_deg.unwrap() - (29.0 + 29.000108 / 60.0)).abs() < 1e-12);
        assert!((g.ellipsoidal_height_m().unwrap() - (323.232 - 37.445)).abs() < 1e-9);
        assert_eq!(g.hdop, Some(0.66));
    }

    #[test]
    fn reference_gsa_and_gsv() {
        let Sentence::Gsa(g) = parse(GSA.as_bytes()).unwrap() else {
            panic!("not GSA")
        };
        assert_eq!(g.talker.system(), "BeiDou");
        assert_eq!(g.prns, vec![8, 10, 19, 20, 23, 27]);
        assert_eq!(
            (g.pdop, g.hdop, g.vdop),
            (Some(1.25), Some(0.66), Some(1.06))
        );
        let Sentence::Gsv(v) = parse(GSV.as_bytes()).unwrap() else {
            panic!("not GSV")
        };
        assert_eq!(v.satellites_in_view, 2);
        assert_eq!(v.satellites.len(), 2);
        assert_eq!(v.satellites[0].elevation_deg, Some(42));
        assert_eq!(v.satellites[1].snr_db, Some(24));
        assert_eq!(v.signal_id, Some(0));
    }

    #[test]
    fn no_fix_sentences_say_no_fix() {
        let g = parse(GGA_NOFIX.as_bytes()).unwrap();
        assert!(g.summary().contains("no fix"), "{}", g.summary());
        let r = parse(RMC_NOFIX.as_bytes()).unwrap();
        assert!(r.summary().contains("no fix"), "{}", r.summary());
        let mut st = FixState::default();
        assert!(st.update(&g).is_none());
        assert!(st.update(&r).is_none());
        assert!(st.fix.is_none());
    }

    #[test]
    fn wrong_or_missing_checksums_are_refused() {
        let bad = GGA1.replace("*64", "*65");
        assert!(matches!(
            parse(bad.as_bytes()),
            Err(NmeaError::BadChecksum { .. })
        ));
        let none = GGA1.replace("*64", "");
        assert_eq!(parse(none.as_bytes()), Err(NmeaError::NoChecksum));
        let flipped = GGA1.replace("3957", "3958");
        assert!(parse(flipped.as_bytes()).is_err());
    }

    #[test]
    fn rmc_gives_the_date_and_emit_round_trips() {
        let s = emit("GNRMC,021152.000,A,2929.000108,N,10629.000282,E,0.00,0.00,291126,,,A,V");
        let Sentence::Rmc(r) = parse(s.as_bytes()).unwrap() else {
            panic!("not RMC")
        };
        assert_eq!(r.date, NaiveDate::from_ymd_opt(2026, 11, 29));
        assert!(r.valid);
        let mut st = FixState::default();
        st.update(&Sentence::Rmc(r));
        let f = st.update(&parse(GGA2.as_bytes()).unwrap()).unwrap();
        assert_eq!(f.date, NaiveDate::from_ymd_opt(2026, 11, 29));
    }

    #[test]
    fn splitter_reassembles_and_drops_noise() {
        let stream = format!("\x7f\u{80}garbage{GGA1}\r\n$GPG{GSA}\r\n{}", &GSV[..10]);
        let mut sp = LineSplitter::new();
        let mut lines = Vec::new();
        for chunk in stream.as_bytes().chunks(7) {
            sp.push(chunk, |l| lines.push(l.to_vec()));
        }
        sp.push(&GSV.as_bytes()[10..], |l| lines.push(l.to_vec()));
        sp.push(b"\n", |l| lines.push(l.to_vec()));
        let ok: Vec<_> = lines.iter().filter_map(|l| parse(l).ok()).collect();
        assert_eq!(ok.len(), 3, "{lines:?}");
        assert!(sp.noise_bytes > 0);
    }

    #[test]
    fn gsv_counts_each_constellation_once() {
        let mut st = FixState::default();
        for body in [
            "GPGSV,1,1,04,01,40,083,46,02,17,308,41,12,07,344,39,14,22,228,45,1",
            "GPGSV,1,1,03,01,40,083,30,02,17,308,31,12,07,344,32,8",
            "GBGSV,1,1,02,27,42,121,,30,,,24,0",
        ] {
            st.update(&parse(emit(body).as_bytes()).unwrap());
        }
        assert_eq!(st.satellites_in_view(), 6);
    }

    #[test]
    fn hostile_inputs_are_errors_not_panics() {
        for s in [
            "",
            "$",
            "$*",
            "$*00",
            "$GPGGA*",
            "$GP*17",
            "$\u{7f}*00",
            "$GPGSV,*00",
            "$GPGSV,9,9*00",
        ] {
            let _ = parse(s.as_bytes());
        }
        let e = emit("GPGGA,999999,9999.9999,N,11626.7626,E,1,06,1.5,88.1,M,-8.0,M,,");
        assert!(parse(e.as_bytes()).is_err());
        let e = emit("GPGGA,053152,9100.0000,N,11626.7626,E,1,06,1.5,88.1,M,-8.0,M,,");
        assert!(parse(e.as_bytes()).is_err());
    }
}
