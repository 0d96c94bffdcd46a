//! DVB text strings (EN 300 468 Annex A): decoding and encoding of every character table.
//!
//! A string's first byte selects its table (A.2): none (0x20..=0xFF) means ISO 6937
//! (Figure A.1) unless the network says otherwise: Chinese broadcasters often send GB text
//! with no selector, so [`CharsetPolicy`] holds a default per original_network_id that the
//! user can set and the box persists (it serialises with serde and names round-trip through
//! [`Charset`]'s `FromStr`/`Display`).
//!
//! Choices, and why:
//! - 0x13 "GB-2312" is decoded with GB18030, a superset: broadcasters put GBK characters
//!   behind it, and GB18030 carries Tibetan too.
//! - 0x14 "Big5 subset of ISO/IEC 10646" is read by libdvbv5/FFmpeg as UCS-2 and by
//!   Enigma2 as Big5 bytes; broadcasters do both. We decide per string: the reading that
//!   is valid and looks like text wins (see [`decode_0x14`]).
//! - Control codes (A.1): 0x86/0x87 emphasis on/off are dropped, 0x8A CR/LF becomes '\n'
//!   (0xE086/0xE087/0xE08A in two-byte tables), other 0x80..=0x9F are dropped.

mod freesat;
mod freesat_tables;

pub use freesat::decode as decode_freesat;

use encoding_rs::Encoding;
use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use unicode_normalization::UnicodeNormalization;

/// A character table of EN 300 468 Annex A, plus the Chinese supersets used as defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Charset {
    /// ISO/IEC 6937 with the DVB euro sign (Figure A.1): the table used without selector.
    Iso6937,
    /// ISO/IEC 8859-n, n in 1..=15 (n = 12 does not exist).
    Iso8859(u8),
    /// ISO/IEC 10646 Basic Multilingual Plane as UCS-2 big endian (0x11).
    Ucs2,
    /// KS X 1001-2004 (Korean, 0x12), decoded as EUC-KR.
    KsX1001,
    /// GB-2312-1980 (0x13), decoded as GB18030.
    Gb2312,
    /// GB18030: superset of GB2312/GBK; the usual default for Chinese networks.
    Gb18030,
    /// "Big5 subset of ISO/IEC 10646" (0x14): UCS-2 or Big5 bytes, decided per string.
    Big5,
    /// UTF-8 (0x15).
    Utf8,
}

impl Charset {
    /// All tables, in selector order (for documentation and tests).
    pub const ALL: [Charset; 7] = [
        Charset::Iso6937,
        Charset::Ucs2,
        Charset::KsX1001,
        Charset::Gb2312,
        Charset::Gb18030,
        Charset::Big5,
        Charset::Utf8,
    ];

    /// The selector bytes that announce this table (empty for ISO 6937).
    pub fn selector(&self) -> Vec<u8> {
        match *self {
            Charset::Iso6937 => vec![],
            Charset::Iso8859(n) => match n {
                5..=11 => vec![n - 4],
                13..=15 => vec![n - 4],
                _ => vec![0x10, 0x00, n],
            },
            Charset::Ucs2 => vec![0x11],
            Charset::KsX1001 => vec![0x12],
            Charset::Gb2312 | Charset::Gb18030 => vec![0x13],
            Charset::Big5 => vec![0x14],
            Charset::Utf8 => vec![0x15],
        }
    }
}

impl fmt::Display for Charset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Charset::Iso6937 => f.write_str("iso6937"),
            Charset::Iso8859(n) => write!(f, "iso-8859-{n}"),
            Charset::Ucs2 => f.write_str("ucs-2"),
            Charset::KsX1001 => f.write_str("ks-x-1001"),
            Charset::Gb2312 => f.write_str("gb2312"),
            Charset::Gb18030 => f.write_str("gb18030"),
            Charset::Big5 => f.write_str("big5"),
            Charset::Utf8 => f.write_str("utf-8"),
        }
    }
}

/// A charset name that is not known.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown character set \"{0}\" (try gb18030, gb2312, big5, utf-8, ucs-2, iso6937, iso-8859-N, ks-x-1001)")]
pub struct UnknownCharset(pub String);

impl FromStr for Charset {
    type Err = UnknownCharset;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let n: String = s
            .trim()
            .to_ascii_lowercase()
            .chars()
            .filter(|c| !matches!(c, '-' | '_' | ' ' | '/'))
            .collect();
        let cs = match n.as_str() {
            "iso6937" | "6937" | "dvb" | "default" => Charset::Iso6937,
            "ucs2" | "utf16" | "utf16be" | "iso10646" | "unicode" => Charset::Ucs2,
            "ksx1001" | "ksc5601" | "euckr" | "korean" => Charset::KsX1001,
            "gb2312" | "gb" => Charset::Gb2312,
            "gb18030" | "gbk" | "cp936" | "chinese" => Charset::Gb18030,
            "big5" => Charset::Big5,
            "utf8" => Charset::Utf8,
            "latin1" => Charset::Iso8859(1),
            _ => {
                let part = n
                    .strip_prefix("iso8859")
                    .ok_or_else(|| UnknownCharset(s.into()))?;
                let p: u8 = part.parse().map_err(|_| UnknownCharset(s.into()))?;
                if !(1..=15).contains(&p) || p == 12 {
                    return Err(UnknownCharset(s.into()));
                }
                Charset::Iso8859(p)
            }
        };
        Ok(cs)
    }
}

impl serde::Serialize for Charset {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> serde::Deserialize<'de> for Charset {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Which table to use for strings that carry no selector byte. Persisted by the box (serde),
/// so a user's per-network choice survives upgrades: unknown fields are ignored and missing
/// ones take their default.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct CharsetPolicy {
    /// Used when no per-network default applies.
    pub default_charset: Charset,
    /// original_network_id → default table.
    pub per_network: HashMap<u16, Charset>,
}

impl Default for CharsetPolicy {
    fn default() -> Self {
        CharsetPolicy {
            default_charset: Charset::Iso6937,
            per_network: HashMap::new(),
        }
    }
}

impl CharsetPolicy {
    /// For receivers in mainland China: selector-less text is GB18030 (ASCII reads the same),
    /// which is what Chinese networks send.
    pub fn for_china() -> Self {
        Self::with_default(Charset::Gb18030)
    }
    pub fn with_default(default_charset: Charset) -> Self {
        CharsetPolicy {
            default_charset,
            per_network: HashMap::new(),
        }
    }
    /// The default table for strings of network `onid` (None: unknown network).
    pub fn default_for(&self, onid: Option<u16>) -> Charset {
        onid.and_then(|n| self.per_network.get(&n).copied())
            .unwrap_or(self.default_charset)
    }
    /// Decodes `bytes` from network `onid`.
    pub fn decode(&self, bytes: &[u8], onid: Option<u16>) -> String {
        decode(bytes, self.default_for(onid))
    }
}

/// How a string announced its table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Selected {
    /// A table we decode, and the body after the selector.
    Table(Charset, usize),
    /// 0x1F encoding_type_id (TS 101 162), body after two bytes: 0x01 and 0x02 are the
    /// Freesat Huffman tables ([`decode_freesat`]); others are shown as ISO 6937.
    EncodingTypeId(u8),
    /// Reserved selector value.
    Reserved(u8),
}

/// Reads the selector of `bytes` (Table A.3 / A.4).
pub fn select(bytes: &[u8], default: Charset) -> Selected {
    match bytes.first().copied() {
        None => Selected::Table(default, 0),
        Some(b) if b >= 0x20 => Selected::Table(default, 0),
        Some(n @ 0x01..=0x0B) => {
            if n == 0x08 {
                Selected::Reserved(n)
            } else {
                Selected::Table(Charset::Iso8859(n + 4), 1)
            }
        }
        Some(0x10) => match (bytes.get(1), bytes.get(2)) {
            (Some(0), Some(&n)) if (1..=15).contains(&n) && n != 12 => {
                Selected::Table(Charset::Iso8859(n), 3)
            }
            _ => Selected::Reserved(0x10),
        },
        Some(0x11) => Selected::Table(Charset::Ucs2, 1),
        Some(0x12) => Selected::Table(Charset::KsX1001, 1),
        Some(0x13) => Selected::Table(Charset::Gb2312, 1),
        Some(0x14) => Selected::Table(Charset::Big5, 1),
        Some(0x15) => Selected::Table(Charset::Utf8, 1),
        Some(0x1F) => Selected::EncodingTypeId(bytes.get(1).copied().unwrap_or(0)),
        Some(n) => Selected::Reserved(n),
    }
}

/// Decodes a DVB string; strings without selector use `default`.
pub fn decode(bytes: &[u8], default: Charset) -> String {
    match select(bytes, default) {
        Selected::Table(cs, skip) => decode_body(bytes.get(skip..).unwrap_or(&[]), cs),
        Selected::EncodingTypeId(id) => {
            let body = bytes.get(2..).unwrap_or(&[]);
            // 0x01/0x02: the Freesat Huffman tables. Other (unknown) encoding_type_ids:
            // show what ISO 6937 makes of the bytes rather than nothing.
            freesat::decode(id, body).unwrap_or_else(|| decode_body(body, Charset::Iso6937))
        }
        Selected::Reserved(_) => decode_body(bytes.get(1..).unwrap_or(&[]), default),
    }
}

/// Decodes the body (after the selector) with a known table.
pub fn decode_body(body: &[u8], cs: Charset) -> String {
    match cs {
        Charset::Iso6937 => decode_iso6937(body),
        Charset::Iso8859(n) => decode_8859(body, n),
        Charset::Ucs2 => clean_two_byte(decode_ucs2(body)),
        Charset::KsX1001 => clean_two_byte(decode_mb(encoding_rs::EUC_KR, body)),
        Charset::Gb2312 | Charset::Gb18030 => clean_two_byte(decode_mb(encoding_rs::GB18030, body)),
        Charset::Big5 => clean_two_byte(decode_0x14(body)),
        Charset::Utf8 => clean_two_byte(String::from_utf8_lossy(body).into_owned()),
    }
}

fn decode_mb(enc: &'static Encoding, body: &[u8]) -> String {
    enc.decode_without_bom_handling(body).0.into_owned()
}

fn decode_ucs2(body: &[u8]) -> String {
    let units = body
        .chunks_exact(2)
        .map(|c| u16::from_be_bytes([c[0], c[1]]));
    let mut s: String = char::decode_utf16(units)
        .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect();
    if body.len() % 2 == 1 {
        s.push(char::REPLACEMENT_CHARACTER);
    }
    s
}

/// Maps the two-byte control codes (A.1: 0xE080..=0xE09F) and C0/C1 controls.
fn clean_two_byte(s: String) -> String {
    if !s
        .chars()
        .any(|c| ('\u{E080}'..='\u{E09F}').contains(&c) || c.is_control())
    {
        return s;
    }
    s.chars()
        .filter_map(|c| match c {
            '\u{E08A}' | '\n' => Some('\n'),
            '\u{E080}'..='\u{E09F}' => None,
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect()
}

/// 0x14: UCS-2 (as the table's name and libdvbv5 say) or Big5 bytes (as Enigma2 and some
/// broadcasters do). Each reading is scored by how much of it is plausible Chinese text;
/// the better wins, UCS-2 on a tie.
pub fn decode_0x14(body: &[u8]) -> String {
    let ucs2 = body.len().is_multiple_of(2).then(|| {
        let units = body
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]));
        char::decode_utf16(units)
            .collect::<Result<String, _>>()
            .ok()
    });
    let ucs2 = ucs2.flatten();
    let big5 = encoding_rs::BIG5
        .decode_without_bom_handling_and_without_replacement(body)
        .map(|c| c.into_owned());
    match (ucs2, big5) {
        (Some(u), Some(b)) => {
            if plausibility(&b) > plausibility(&u) {
                b
            } else {
                u
            }
        }
        (Some(u), None) => u,
        (None, Some(b)) => b,
        (None, None) => decode_mb(encoding_rs::BIG5, body),
    }
}

/// Share of characters that are usual in Chinese/Tibetan/Latin broadcast text, in 0..=1000.
fn plausibility(s: &str) -> u32 {
    let mut good = 0u32;
    let mut n = 0u32;
    for c in s.chars() {
        n += 1;
        let ok = matches!(c as u32,
            0x20..=0x7E | 0xA0..=0x24F | 0x0F00..=0x0FFF | 0x2000..=0x206F | 0x3000..=0x303F
            | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xFF00..=0xFFEF | 0xE08A);
        good += ok as u32;
    }
    if n == 0 {
        return 0;
    }
    good * 1000 / n
}

fn decode_8859(body: &[u8], part: u8) -> String {
    let enc: Option<&'static Encoding> = match part {
        2 => Some(encoding_rs::ISO_8859_2),
        3 => Some(encoding_rs::ISO_8859_3),
        4 => Some(encoding_rs::ISO_8859_4),
        5 => Some(encoding_rs::ISO_8859_5),
        6 => Some(encoding_rs::ISO_8859_6),
        7 => Some(encoding_rs::ISO_8859_7),
        8 => Some(encoding_rs::ISO_8859_8),
        // windows-1254 / windows-874 equal ISO 8859-9 / -11 outside 0x80..=0x9F, which
        // are DVB control codes here and never reach the decoder.
        9 => Some(encoding_rs::WINDOWS_1254),
        10 => Some(encoding_rs::ISO_8859_10),
        11 => Some(encoding_rs::WINDOWS_874),
        13 => Some(encoding_rs::ISO_8859_13),
        14 => Some(encoding_rs::ISO_8859_14),
        15 => Some(encoding_rs::ISO_8859_15),
        _ => None, // 8859-1: byte = code point
    };
    let mut out = String::with_capacity(body.len());
    for run in split_controls(body) {
        match run {
            Run::Text(t) => match enc {
                Some(e) => out.push_str(&e.decode_without_bom_handling(t).0),
                None => out.extend(t.iter().map(|&b| b as char)),
            },
            Run::Control(c) => push_control(&mut out, c),
        }
    }
    out
}

enum Run<'a> {
    Text(&'a [u8]),
    Control(u8),
}

/// Splits single-byte text at the A.1 control codes (0x80..=0x9F) and C0 controls.
fn split_controls(body: &[u8]) -> impl Iterator<Item = Run<'_>> {
    let mut rest = body;
    core::iter::from_fn(move || {
        let (&first, tail) = rest.split_first()?;
        if first < 0x20 || (0x80..=0x9F).contains(&first) {
            rest = tail;
            return Some(Run::Control(first));
        }
        let end = rest
            .iter()
            .position(|&b| b < 0x20 || (0x80..=0x9F).contains(&b))
            .unwrap_or(rest.len());
        let (t, r) = rest.split_at(end);
        rest = r;
        Some(Run::Text(t))
    })
}

fn push_control(out: &mut String, c: u8) {
    if c == 0x8A || c == 0x0A {
        out.push('\n');
    }
}

/// ISO/IEC 6937 0xA0..=0xFF as in EN 300 468 Figure A.1 (0 = unassigned; 0xC1..=0xCF are
/// non-spacing diacritics handled apart).
const ISO6937_HIGH: [u16; 96] = [
    0x00A0, 0x00A1, 0x00A2, 0x00A3, 0x20AC, 0x00A5, 0x0023, 0x00A7, 0x00A4, 0x2018, 0x201C, 0x00AB,
    0x2190, 0x2191, 0x2192, 0x2193, // A0
    0x00B0, 0x00B1, 0x00B2, 0x00B3, 0x00D7, 0x00B5, 0x00B6, 0x00B7, 0x00F7, 0x2019, 0x201D, 0x00BB,
    0x00BC, 0x00BD, 0x00BE, 0x00BF, // B0
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // C0: diacritics
    0x2015, 0x00B9, 0x00AE, 0x00A9, 0x2122, 0x266A, 0x00AC, 0x00A6, 0, 0, 0, 0, 0x215B, 0x215C,
    0x215D, 0x215E, // D0
    0x2126, 0x00C6, 0x0110, 0x00AA, 0x0126, 0, 0x0132, 0x013F, 0x0141, 0x00D8, 0x0152, 0x00BA,
    0x00DE, 0x0166, 0x014A, 0x0149, // E0
    0x0138, 0x00E6, 0x0111, 0x00F0, 0x0127, 0x0131, 0x0133, 0x0140, 0x0142, 0x00F8, 0x0153, 0x00DF,
    0x00FE, 0x0167, 0x014B, 0x00AD, // F0
];

/// Combining mark for the ISO 6937 diacritic byte 0xC1..=0xCF.
fn diacritic(b: u8) -> Option<char> {
    Some(match b {
        0xC1 => '\u{0300}',
        0xC2 => '\u{0301}',
        0xC3 => '\u{0302}',
        0xC4 => '\u{0303}',
        0xC5 => '\u{0304}',
        0xC6 => '\u{0306}',
        0xC7 => '\u{0307}',
        0xC8 => '\u{0308}',
        0xCA => '\u{030A}',
        0xCB => '\u{0327}',
        0xCD => '\u{030B}',
        0xCE => '\u{0328}',
        0xCF => '\u{030C}',
        _ => return None,
    })
}

fn iso6937_char(b: u8) -> Option<char> {
    match b {
        0x20..=0x7E => Some(b as char),
        0xA0..=0xFF => match ISO6937_HIGH[(b - 0xA0) as usize] {
            0 => None,
            c => char::from_u32(c as u32),
        },
        _ => None,
    }
}

/// ISO/IEC 6937 (Figure A.1): diacritic bytes precede their base letter and are composed
/// into precomposed characters (NFC).
pub fn decode_iso6937(body: &[u8]) -> String {
    let mut out = String::with_capacity(body.len());
    let mut i = 0;
    while let Some(&b) = body.get(i) {
        i += 1;
        if b < 0x20 || (0x7F..=0x9F).contains(&b) {
            push_control(&mut out, b);
            continue;
        }
        if let Some(mark) = diacritic(b) {
            match body.get(i).copied().and_then(iso6937_char) {
                Some(base) => {
                    i += 1;
                    out.extend([base, mark].into_iter().nfc());
                }
                None => out.push(mark),
            }
            continue;
        }
        if let Some(c) = iso6937_char(b) {
            out.push(c);
        }
    }
    out
}

/// Encodes `s` in ISO 6937; characters outside it become '?'.
pub fn encode_iso6937(s: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    for c in s.chars() {
        if c == '\n' {
            out.push(0x8A);
            continue;
        }
        if (' '..='~').contains(&c) {
            out.push(c as u8);
            continue;
        }
        if let Some(p) = ISO6937_HIGH
            .iter()
            .position(|&u| u != 0 && u as u32 == c as u32)
        {
            out.push(0xA0 + p as u8);
            continue;
        }
        let d: Vec<char> = core::iter::once(c).nfd().collect();
        let done = match d.as_slice() {
            [base, mark] if base.is_ascii() => (0xC1..=0xCFu8)
                .find(|&b| diacritic(b) == Some(*mark))
                .map(|b| {
                    out.push(b);
                    out.push(*base as u8);
                })
                .is_some(),
            _ => false,
        };
        if !done {
            out.push(b'?');
        }
    }
    out
}

/// Encodes `s` with `cs`, selector included (none for ISO 6937 / a network default when
/// `with_selector` is false). Unrepresentable characters become '?'.
pub fn encode(s: &str, cs: Charset, with_selector: bool) -> Vec<u8> {
    let mut out = if with_selector {
        cs.selector()
    } else {
        Vec::new()
    };
    match cs {
        Charset::Iso6937 => out.extend(encode_iso6937(s)),
        Charset::Iso8859(1) => out.extend(s.chars().map(|c| {
            if c == '\n' {
                0x8A
            } else if (c as u32) < 0x100 && !(0x80..0xA0).contains(&(c as u32)) {
                c as u8
            } else {
                b'?'
            }
        })),
        Charset::Iso8859(n) => {
            let enc = match n {
                9 => encoding_rs::WINDOWS_1254,
                11 => encoding_rs::WINDOWS_874,
                _ => Encoding::for_label(format!("iso-8859-{n}").as_bytes())
                    .unwrap_or(encoding_rs::WINDOWS_1252),
            };
            for part in s.split('\n').enumerate() {
                if part.0 > 0 {
                    out.push(0x8A);
                }
                out.extend_from_slice(&enc.encode(part.1).0);
            }
        }
        // 0x14 is emitted in its standard form, UCS-2; see encode_big5_bytes for the other.
        Charset::Ucs2 | Charset::Big5 => {
            for u in s.encode_utf16() {
                let u = if u == 0x0A { 0xE08A } else { u };
                out.extend_from_slice(&u.to_be_bytes());
            }
        }
        Charset::KsX1001 => out.extend_from_slice(&encoding_rs::EUC_KR.encode(s).0),
        Charset::Gb2312 | Charset::Gb18030 => {
            out.extend_from_slice(&encoding_rs::GB18030.encode(s).0)
        }
        Charset::Utf8 => out.extend_from_slice(s.as_bytes()),
    }
    out
}

/// Encodes `s` as compressed text: `0x1F encoding_type_id` and the Freesat Huffman body
/// (`encoding_type_id` 0x01 or 0x02; `None` for others).
pub fn encode_compressed(s: &str, encoding_type_id: u8) -> Option<Vec<u8>> {
    let mut out = vec![0x1F, encoding_type_id];
    out.extend(freesat::encode(encoding_type_id, s)?);
    Some(out)
}

/// Encodes Big5 bytes behind the 0x14 selector (the Enigma2 reading), for tests and
/// for muxers that must feed such boxes.
pub fn encode_big5_bytes(s: &str) -> Vec<u8> {
    let mut out = vec![0x14];
    out.extend_from_slice(&encoding_rs::BIG5.encode(s).0);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for cs in Charset::ALL
            .into_iter()
            .chain((1..=15).filter(|&n| n != 12).map(Charset::Iso8859))
        {
            assert_eq!(cs.to_string().parse::<Charset>().unwrap(), cs);
        }
        assert_eq!("GB2312".parse::<Charset>().unwrap(), Charset::Gb2312);
        assert_eq!(
            "ISO-8859-5".parse::<Charset>().unwrap(),
            Charset::Iso8859(5)
        );
        assert!("iso-8859-12".parse::<Charset>().is_err());
        assert!("klingon".parse::<Charset>().is_err());
    }

    #[test]
    fn policy_persists_and_tolerates_old_files() {
        let mut p = CharsetPolicy::with_default(Charset::Iso6937);
        p.per_network.insert(0x1234, Charset::Gb18030);
        let json = serde_json::to_string(&p).unwrap();
        let back: CharsetPolicy = serde_json::from_str(&json).unwrap();
        assert_eq!(back, p);
        let old: CharsetPolicy =
            serde_json::from_str(r#"{"per_network":{"1":"big5"},"removed_field":3}"#).unwrap();
        assert_eq!(old.default_for(Some(1)), Charset::Big5);
        assert_eq!(old.default_for(Some(2)), Charset::Iso6937);
    }

    #[test]
    fn gb_with_and_without_selector_and_gbk_behind_0x13() {
        let gb = encoding_rs::GB18030.encode("中央电视台").0.into_owned();
        let mut with = vec![0x13];
        with.extend_from_slice(&gb);
        assert_eq!(decode(&with, Charset::Iso6937), "中央电视台");
        assert_eq!(decode(&gb, Charset::Gb18030), "中央电视台");
        // "镕" (0xE946) and "堃" (0x88D2) are GBK, not GB2312: FFmpeg's GB2312 decoder fails.
        let gbk = [0x13, 0xE9, 0x46, 0x88, 0xD2];
        assert_eq!(decode(&gbk, Charset::Iso6937), "镕堃");
    }

    #[test]
    fn big5_decided_per_string() {
        let big5 = encode_big5_bytes("台灣電視公司");
        assert_eq!(decode(&big5, Charset::Iso6937), "台灣電視公司");
        let ucs2 = encode("台灣電視公司", Charset::Big5, false);
        let mut u = vec![0x14];
        u.extend(ucs2);
        assert_eq!(decode(&u, Charset::Iso6937), "台灣電視公司");
        let mixed = encode_big5_bytes("TVBS 新聞台");
        assert_eq!(decode(&mixed, Charset::Iso6937), "TVBS 新聞台");
    }

    #[test]
    fn tibetan_round_trips() {
        let name = "བོད་ལྗོངས་རྒྱང་བསྒྲགས་བརྙན་འཕྲིན་ཁང་";
        for cs in [Charset::Ucs2, Charset::Utf8, Charset::Gb18030] {
            let b = encode(name, cs, true);
            assert_eq!(decode(&b, Charset::Iso6937), name, "{cs}");
        }
    }

    #[test]
    fn iso6937_accents_and_controls() {
        // "Télé" with diacritic-first coding, emphasis around "Un", CR/LF.
        let b = [
            b'T', 0xC2, b'e', b'l', 0xC2, b'e', b' ', 0x86, b'U', b'n', 0x87, 0x8A, b'x', 0xA4,
        ];
        assert_eq!(decode(&b, Charset::Iso6937), "Télé Un\nx€");
        let s = "Ça commence aujourd'hui, Météo à la carte ÆØß €";
        assert_eq!(decode(&encode_iso6937(s), Charset::Iso6937), s);
    }

    #[test]
    fn iso8859_5_and_other_parts() {
        let b = [0x01, 0xBF, 0xD5, 0xE0, 0xD2, 0xEB, 0xD9];
        assert_eq!(decode(&b, Charset::Iso6937), "Первый");
        let b = [0x10, 0x00, 0x05, 0xBF, 0xD5, 0x8A, 0xE0];
        assert_eq!(decode(&b, Charset::Iso6937), "Пе\nр");
        let b = [0x10, 0x00, 0x01, b'C', 0xE9, 0x86, b'!', 0x87];
        assert_eq!(decode(&b, Charset::Iso6937), "Cé!");
        for n in (1..=15).filter(|&n| n != 12) {
            let s = "Hello";
            assert_eq!(
                decode(&encode(s, Charset::Iso8859(n), true), Charset::Iso6937),
                s
            );
        }
    }

    #[test]
    fn ucs2_controls() {
        let b = [
            0x11, 0x4E, 0x2D, 0xE0, 0x86, 0x65, 0x87, 0xE0, 0x8A, 0x00, 0x41,
        ];
        assert_eq!(decode(&b, Charset::Iso6937), "中文\nA");
    }
}
