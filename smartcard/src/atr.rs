//! Answer-to-reset, ISO/IEC 7816-3:2006 clause 8.
//!
//! [`Atr`] is a zero-copy view over the bytes of an ATR in *direct* convention (what a card using
//! the direct convention sends, or what [`inverse_to_direct`] made of an inverse-convention one);
//! [`AtrRepr`] is the decoded form you parse into and emit from.

use core::fmt;
use core::time::Duration;

/// Longest ATR allowed: TS plus 32 characters (ISO 7816-3 8.2.1).
pub const MAX_ATR_LEN: usize = 33;

/// TS of a direct-convention card.
pub const TS_DIRECT: u8 = 0x3B;
/// TS of an inverse-convention card, as decoded in inverse convention.
pub const TS_INVERSE: u8 = 0x3F;
/// TS of an inverse-convention card as a UART in direct convention reads it (0x3F bit-reversed
/// and inverted).
pub const TS_INVERSE_RAW: u8 = 0x03;

/// Reasons an ATR is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AtrError {
    #[error("ATR truncated")]
    Truncated,
    #[error("ATR longer than 33 bytes or bytes after its end")]
    TooLong,
    #[error("TS 0x{0:02X} is neither 0x3B (direct) nor 0x3F (inverse)")]
    BadTs(u8),
    #[error("TCK check failed")]
    BadTck,
    #[error("ATR description is inconsistent: {0}")]
    Invalid(&'static str),
}

/// Bit order and logic levels of the card (ISO 7816-3 8.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Convention {
    /// State Z is 1, least significant bit first.
    Direct,
    /// State Z is 0, most significant bit first.
    Inverse,
}

/// Converts one byte between what a direct-convention UART reads and the inverse-convention value
/// (and back: the conversion is its own inverse).
pub const fn inverse_byte(b: u8) -> u8 {
    !b.reverse_bits()
}

/// Converts bytes read by a direct-convention UART from an inverse-convention card, in place.
pub fn inverse_to_direct(bytes: &mut [u8]) {
    for b in bytes {
        *b = inverse_byte(*b);
    }
}

/// Convention announced by TS, accepting TS either decoded (0x3B, 0x3F) or raw inverse (0x03).
pub fn convention_of_raw_ts(ts: u8) -> Option<Convention> {
    match ts {
        TS_DIRECT => Some(Convention::Direct),
        TS_INVERSE | TS_INVERSE_RAW => Some(Convention::Inverse),
        _ => None,
    }
}

/// How far a received prefix of an ATR goes: used to read an ATR byte by byte from a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// At least this many bytes in total are needed.
    NeedAtLeast(usize),
    /// The ATR is complete at this length.
    Complete(usize),
}

/// Structure of an ATR (offsets of each interface group, historical bytes and TCK).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Layout {
    /// Total length including TCK.
    len: usize,
    historical_start: usize,
    historical_len: usize,
    tck_present: bool,
}

/// Walks the prefix; reports how many bytes it needs or the complete layout.
fn walk(buf: &[u8]) -> Result<Result<Layout, usize>, AtrError> {
    if buf.is_empty() {
        return Ok(Err(1));
    }
    if buf[0] != TS_DIRECT && buf[0] != TS_INVERSE {
        return Err(AtrError::BadTs(buf[0]));
    }
    if buf.len() < 2 {
        return Ok(Err(2));
    }
    let t0 = buf[1];
    let k = usize::from(t0 & 0x0F);
    let mut y = t0 >> 4;
    let mut pos = 2;
    let mut tck_present = false;
    loop {
        let count = y.count_ones() as usize;
        if buf.len() < pos + count {
            return Ok(Err(pos + count));
        }
        // TA, TB, TC precede TD in the group.
        let has_td = y & 0x8 != 0;
        pos += count;
        if pos > MAX_ATR_LEN {
            return Err(AtrError::TooLong);
        }
        if !has_td {
            break;
        }
        let td = buf[pos - 1];
        if td & 0x0F != 0 {
            tck_present = true;
        }
        y = td >> 4;
    }
    let historical_start = pos;
    let len = pos + k + usize::from(tck_present);
    if len > MAX_ATR_LEN {
        return Err(AtrError::TooLong);
    }
    if buf.len() < len {
        return Ok(Err(len));
    }
    Ok(Ok(Layout {
        len,
        historical_start,
        historical_len: k,
        tck_present,
    }))
}

/// How much of an ATR the bytes received so far hold.
pub fn progress(prefix: &[u8]) -> Result<Progress, AtrError> {
    Ok(match walk(prefix)? {
        Ok(layout) => Progress::Complete(layout.len),
        Err(n) => Progress::NeedAtLeast(n),
    })
}

/// A zero-copy view over an ATR in direct convention.
#[derive(Debug, Clone)]
pub struct Atr<T: AsRef<[u8]>> {
    buffer: T,
    layout: Layout,
}

impl<T: AsRef<[u8]>> Atr<T> {
    /// Checks structure, length and TCK; the buffer must hold exactly one ATR.
    pub fn new_checked(buffer: T) -> Result<Self, AtrError> {
        let buf = buffer.as_ref();
        let layout = match walk(buf)? {
            Ok(l) => l,
            Err(_) => return Err(AtrError::Truncated),
        };
        if buf.len() != layout.len {
            return Err(AtrError::TooLong);
        }
        if layout.tck_present && buf[1..layout.len].iter().fold(0u8, |a, b| a ^ b) != 0 {
            return Err(AtrError::BadTck);
        }
        Ok(Atr { buffer, layout })
    }

    pub fn as_bytes(&self) -> &[u8] {
        self.buffer.as_ref()
    }

    pub fn ts(&self) -> u8 {
        self.buffer.as_ref()[0]
    }

    pub fn t0(&self) -> u8 {
        self.buffer.as_ref()[1]
    }

    pub fn convention(&self) -> Convention {
        if self.ts() == TS_DIRECT {
            Convention::Direct
        } else {
            Convention::Inverse
        }
    }

    /// The historical bytes (at most 15).
    pub fn historical_bytes(&self) -> &[u8] {
        let l = self.layout;
        &self.buffer.as_ref()[l.historical_start..l.historical_start + l.historical_len]
    }

    /// TCK, when the ATR must carry one (any protocol other than T=0 indicated).
    pub fn tck(&self) -> Option<u8> {
        self.layout
            .tck_present
            .then(|| self.buffer.as_ref()[self.layout.len - 1])
    }

    /// Interface bytes grouped as TAi, TBi, TCi, TDi (i = 1, 2, ...).
    pub fn interface_groups(&self) -> Vec<InterfaceGroup> {
        let buf = self.buffer.as_ref();
        let mut groups = Vec::new();
        let mut y = buf[1] >> 4;
        let mut pos = 2;
        loop {
            let mut g = InterfaceGroup::default();
            let mut take = |bit: u8| {
                if y & bit != 0 {
                    let b = buf[pos];
                    pos += 1;
                    Some(b)
                } else {
                    None
                }
            };
            g.ta = take(0x1);
            g.tb = take(0x2);
            g.tc = take(0x4);
            let td = take(0x8);
            g.protocol = td.map(|td| td & 0x0F);
            groups.push(g);
            match td {
                Some(td) => y = td >> 4,
                None => break,
            }
        }
        groups
    }
}

/// The interface characters of group i: TAi, TBi, TCi and the protocol T in TDi.
/// TDi is present iff `protocol` is `Some`, and then group i+1 follows (possibly empty).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InterfaceGroup {
    pub ta: Option<u8>,
    pub tb: Option<u8>,
    pub tc: Option<u8>,
    pub protocol: Option<u8>,
}

/// Decoded ATR.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AtrRepr {
    pub convention: Convention,
    /// Group 1 first; never empty.
    pub groups: Vec<InterfaceGroup>,
    pub historical: Vec<u8>,
}

/// Clock rate conversion integer Fi and its maximum clock (ISO 7816-3 table 7), by TA1 high nibble.
const FI_TABLE: [Option<(u16, u32)>; 16] = [
    Some((372, 4_000_000)),
    Some((372, 5_000_000)),
    Some((558, 6_000_000)),
    Some((744, 8_000_000)),
    Some((1116, 12_000_000)),
    Some((1488, 16_000_000)),
    Some((1860, 20_000_000)),
    None,
    None,
    Some((512, 5_000_000)),
    Some((768, 7_500_000)),
    Some((1024, 10_000_000)),
    Some((1536, 15_000_000)),
    Some((2048, 20_000_000)),
    None,
    None,
];
/// Baud rate adjustment integer Di (ISO 7816-3 table 8), by TA1 low nibble.
const DI_TABLE: [Option<u8>; 16] = [
    None,
    Some(1),
    Some(2),
    Some(4),
    Some(8),
    Some(16),
    Some(32),
    Some(64),
    Some(12),
    Some(20),
    None,
    None,
    None,
    None,
    None,
    None,
];

/// Default clock of Phoenix/Smartmouse readers: 3.5712 MHz gives 9600 bit/s with Fd=372, Dd=1.
pub const PHOENIX_CLOCK_HZ: u32 = 3_571_200;

impl AtrRepr {
    /// Parses and checks an ATR in direct convention.
    pub fn parse<T: AsRef<[u8]>>(atr: &Atr<T>) -> Self {
        AtrRepr {
            convention: atr.convention(),
            groups: atr.interface_groups(),
            historical: atr.historical_bytes().to_vec(),
        }
    }

    /// Parses bytes as read by a direct-convention UART: TS 0x03 means inverse convention and
    /// every byte is converted first.
    pub fn parse_raw(raw: &[u8]) -> Result<Self, AtrError> {
        let mut bytes = raw.to_vec();
        if bytes.first() == Some(&TS_INVERSE_RAW) {
            inverse_to_direct(&mut bytes);
        }
        Ok(Self::parse(&Atr::new_checked(&bytes[..])?))
    }

    /// Length of the emitted ATR, or why it cannot be emitted.
    pub fn buffer_len(&self) -> Result<usize, AtrError> {
        if self.groups.is_empty() {
            return Err(AtrError::Invalid("no interface group"));
        }
        if self.historical.len() > 15 {
            return Err(AtrError::Invalid("more than 15 historical bytes"));
        }
        let mut len = 2 + self.historical.len();
        for (i, g) in self.groups.iter().enumerate() {
            let last = i + 1 == self.groups.len();
            if g.protocol.is_some() == last {
                return Err(AtrError::Invalid("TDi present iff another group follows"));
            }
            if g.protocol.is_some_and(|t| t > 15) {
                return Err(AtrError::Invalid("protocol T above 15"));
            }
            len += [g.ta, g.tb, g.tc, g.protocol]
                .iter()
                .filter(|b| b.is_some())
                .count();
        }
        if self.tck_required() {
            len += 1;
        }
        if len > MAX_ATR_LEN {
            return Err(AtrError::TooLong);
        }
        Ok(len)
    }

    /// TCK is present as soon as a protocol other than T=0 is indicated.
    pub fn tck_required(&self) -> bool {
        self.groups
            .iter()
            .any(|g| g.protocol.is_some_and(|t| t != 0))
    }

    /// Emits the ATR in direct convention (TS 0x3B or 0x3F); returns its length.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, AtrError> {
        let len = self.buffer_len()?;
        if buf.len() < len {
            return Err(AtrError::Truncated);
        }
        let presence = |g: &InterfaceGroup| {
            u8::from(g.ta.is_some())
                | u8::from(g.tb.is_some()) << 1
                | u8::from(g.tc.is_some()) << 2
                | u8::from(g.protocol.is_some()) << 3
        };
        buf[0] = match self.convention {
            Convention::Direct => TS_DIRECT,
            Convention::Inverse => TS_INVERSE,
        };
        buf[1] = presence(&self.groups[0]) << 4 | self.historical.len() as u8;
        let mut pos = 2;
        for (i, g) in self.groups.iter().enumerate() {
            for b in [g.ta, g.tb, g.tc].into_iter().flatten() {
                buf[pos] = b;
                pos += 1;
            }
            if let Some(t) = g.protocol {
                let next = presence(&self.groups[i + 1]);
                buf[pos] = next << 4 | t;
                pos += 1;
            }
        }
        buf[pos..pos + self.historical.len()].copy_from_slice(&self.historical);
        pos += self.historical.len();
        if self.tck_required() {
            buf[pos] = buf[1..pos].iter().fold(0, |a, b| a ^ b);
            pos += 1;
        }
        Ok(pos)
    }

    /// Emits to a vector.
    pub fn to_bytes(&self) -> Result<Vec<u8>, AtrError> {
        let mut v = vec![0; self.buffer_len()?];
        self.emit(&mut v)?;
        Ok(v)
    }

    /// Bytes as an inverse-convention card puts them on the line, read by a direct UART.
    pub fn to_line_bytes(&self) -> Result<Vec<u8>, AtrError> {
        let mut v = self.to_bytes()?;
        if self.convention == Convention::Inverse {
            inverse_to_direct(&mut v);
        }
        Ok(v)
    }

    fn group(&self, i: usize) -> Option<&InterfaceGroup> {
        self.groups.get(i - 1)
    }

    /// TA1 as (Fi, f max in Hz, Di); defaults Fd=372, Dd=1 when TA1 is absent.
    /// `None` when TA1 holds reserved values.
    pub fn fi_di(&self) -> Option<(u16, u32, u8)> {
        let ta1 = self.group(1).and_then(|g| g.ta).unwrap_or(0x11);
        let (fi, fmax) = FI_TABLE[usize::from(ta1 >> 4)]?;
        let di = DI_TABLE[usize::from(ta1 & 0x0F)]?;
        Some((fi, fmax, di))
    }

    /// Extra guard time N from TC1 (in etu; 255 has a protocol-specific meaning).
    pub fn extra_guard_time(&self) -> u8 {
        self.group(1).and_then(|g| g.tc).unwrap_or(0)
    }

    /// Waiting time integer WI for T=0 (TC2, default 10).
    pub fn waiting_integer(&self) -> u8 {
        match self.group(2).and_then(|g| g.tc) {
            Some(0) | None => 10,
            Some(wi) => wi,
        }
    }

    /// Work waiting time WT = WI x 960 x Fi / f (ISO 7816-3 10.2). Uses Fi from TA1 when the card
    /// runs in specific mode or has been switched by PPS; the caller says which via `fi`.
    pub fn work_waiting_time(&self, fi: u16, clock_hz: u32) -> Duration {
        let cycles = u64::from(self.waiting_integer()) * 960 * u64::from(fi);
        Duration::from_nanos(cycles * 1_000_000_000 / u64::from(clock_hz.max(1)))
    }

    /// Protocols the card offers, in TDi order; T=0 when no TDi says otherwise. T=15 denotes
    /// global interface bytes and is not a protocol.
    pub fn protocols(&self) -> Vec<u8> {
        let mut out: Vec<u8> = Vec::new();
        for t in self.groups.iter().filter_map(|g| g.protocol) {
            if t != 15 && !out.contains(&t) {
                out.push(t);
            }
        }
        if out.is_empty() {
            out.push(0);
        }
        out
    }

    /// Specific mode (TA2): the protocol imposed and whether parameters are implicit.
    pub fn specific_mode(&self) -> Option<(u8, bool)> {
        self.group(2)
            .and_then(|g| g.ta)
            .map(|ta2| (ta2 & 0x0F, ta2 & 0x10 != 0))
    }

    /// Bit rate at the given clock with the parameters the card starts with (Fd=372, Dd=1)
    /// unless in specific mode with explicit parameters, where TA1 applies.
    pub fn initial_baud(&self, clock_hz: u32) -> u32 {
        let (fi, di) = match (self.specific_mode(), self.fi_di()) {
            (Some((_, false)), Some((fi, _, di))) => (fi, di),
            _ => (372, 1),
        };
        (u64::from(clock_hz) * u64::from(di) / u64::from(fi)) as u32
    }
}

impl fmt::Display for AtrRepr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let conv = match self.convention {
            Convention::Direct => "direct",
            Convention::Inverse => "inverse",
        };
        write!(f, "convention {conv}; protocols")?;
        for t in self.protocols() {
            write!(f, " T={t}")?;
        }
        match self.fi_di() {
            Some((fi, fmax, di)) => {
                write!(f, "; Fi={fi} (f max {} MHz) Di={di}", fmax as f64 / 1e6)?
            }
            None => write!(f, "; TA1 reserved")?,
        }
        write!(
            f,
            "; N={}; WI={}",
            self.extra_guard_time(),
            self.waiting_integer()
        )?;
        if let Some((t, implicit)) = self.specific_mode() {
            write!(
                f,
                "; specific mode T={t}{}",
                if implicit { " implicit" } else { "" }
            )?;
        }
        write!(f, "; historical bytes")?;
        for b in &self.historical {
            write!(f, " {b:02X}")?;
        }
        let printable: String = self
            .historical
            .iter()
            .map(|&b| {
                if (0x20..0x7F).contains(&b) {
                    b as char
                } else {
                    '.'
                }
            })
            .collect();
        write!(f, " \"{printable}\"")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        s.split_whitespace()
            .map(|h| u8::from_str_radix(h, 16).unwrap())
            .collect()
    }

    #[test]
    fn parses_t0_only_atr_without_tck() {
        // A common GSM SIM style ATR: TA1=0x94 (Fi 512, Di 8), TC1, TD1 T=0, TC2 WI.
        let bytes = hex("3B 9F 94 80 1F C3 80 31 E0 73 FE 21 1B 63 3A 20 4E 83 00 90 00 95");
        // 3B 9F: TA1 and TD1 present, 15 historical bytes; TD1=80 -> TD2 present T=0 (no TCK? TD2=1F -> T=15)
        let atr = Atr::new_checked(&bytes[..]).unwrap();
        let repr = AtrRepr::parse(&atr);
        assert_eq!(repr.convention, Convention::Direct);
        assert_eq!(repr.groups[0].ta, Some(0x94));
        assert_eq!(repr.fi_di(), Some((512, 5_000_000, 8)));
        assert_eq!(repr.protocols(), vec![0]);
        assert!(repr.tck_required(), "T=15 in TD2 makes TCK mandatory");
        assert_eq!(repr.historical.len(), 15);
        assert_eq!(repr.to_bytes().unwrap(), bytes);
    }

    #[test]
    fn default_parameters_without_interface_bytes() {
        let bytes = hex("3B 00");
        let repr = AtrRepr::parse(&Atr::new_checked(&bytes[..]).unwrap());
        assert_eq!(
            repr.fi_di(),
            Some((372, 5_000_000, 1)),
            "ISO 7816-3 defaults: Fd=372, f max 5 MHz"
        );
        assert_eq!(repr.waiting_integer(), 10);
        assert_eq!(repr.initial_baud(PHOENIX_CLOCK_HZ), 9600);
        // 10 x 960 x 372 / 3.5712 MHz = 1 s exactly.
        assert_eq!(
            repr.work_waiting_time(372, PHOENIX_CLOCK_HZ),
            Duration::from_secs(1)
        );
    }

    #[test]
    fn tck_is_checked_when_t1_offered() {
        let repr = AtrRepr {
            convention: Convention::Direct,
            groups: vec![
                InterfaceGroup {
                    ta: Some(0x13),
                    protocol: Some(0),
                    ..Default::default()
                },
                InterfaceGroup {
                    protocol: Some(1),
                    ..Default::default()
                },
                InterfaceGroup {
                    ta: Some(0xFE),
                    tb: Some(0x45),
                    ..Default::default()
                },
            ],
            historical: b"TEST".to_vec(),
        };
        let mut bytes = repr.to_bytes().unwrap();
        assert_eq!(AtrRepr::parse(&Atr::new_checked(&bytes[..]).unwrap()), repr);
        assert_eq!(repr.protocols(), vec![0, 1]);
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        assert_eq!(Atr::new_checked(&bytes[..]).unwrap_err(), AtrError::BadTck);
    }

    #[test]
    fn inverse_convention_round_trip() {
        assert_eq!(inverse_byte(TS_INVERSE), TS_INVERSE_RAW);
        assert_eq!(inverse_byte(inverse_byte(0x5A)), 0x5A);
        let repr = AtrRepr {
            convention: Convention::Inverse,
            groups: vec![InterfaceGroup {
                ta: Some(0x11),
                ..Default::default()
            }],
            historical: vec![0x80, 0x01],
        };
        let line = repr.to_line_bytes().unwrap();
        assert_eq!(line[0], 0x03);
        assert_eq!(AtrRepr::parse_raw(&line).unwrap(), repr);
    }

    #[test]
    fn truncated_and_long_atrs_are_refused() {
        let bytes = hex("3B 95 11 80 01 02 03 04 05");
        // TD1=80: group 2 has TD2? no: 0x80 -> TD2 present, needs another byte.
        assert!(Atr::new_checked(&bytes[..]).is_err());
        let ok = hex("3B 12 11 48 48");
        assert!(Atr::new_checked(&ok[..]).is_ok());
        assert_eq!(Atr::new_checked(&ok[..4]).unwrap_err(), AtrError::Truncated);
        let mut long = ok.clone();
        long.push(0);
        assert_eq!(Atr::new_checked(&long[..]).unwrap_err(), AtrError::TooLong);
        assert_eq!(
            Atr::new_checked(&hex("3C 00")[..]).unwrap_err(),
            AtrError::BadTs(0x3C)
        );
        // 16 TDi chained: exceeds 33 bytes.
        let mut chain = vec![0x3B, 0x80];
        chain.extend(std::iter::repeat_n(0x80, 40));
        assert_eq!(Atr::new_checked(&chain[..]).unwrap_err(), AtrError::TooLong);
    }

    #[test]
    fn progress_reports_needed_bytes() {
        let full = hex("3B D8 11 00 40 0A 48 48 54 2D 43 41 30 31");
        assert_eq!(progress(&full[..1]).unwrap(), Progress::NeedAtLeast(2));
        assert_eq!(progress(&full[..2]).unwrap(), Progress::NeedAtLeast(5));
        assert_eq!(progress(&full).unwrap(), Progress::Complete(full.len()));
        let repr = AtrRepr::parse(&Atr::new_checked(&full[..]).unwrap());
        assert_eq!(repr.waiting_integer(), 10);
        assert_eq!(repr.historical, b"HHT-CA01");
    }
}
