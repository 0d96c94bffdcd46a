//! Application protocol data units, ISO/IEC 7816-4:2020 clause 5 (short length fields only).
//!
//! [`CommandApdu`] / [`ResponseApdu`] are zero-copy views; [`CommandRepr`] / [`ResponseRepr`]
//! are what you parse into and emit from.

use core::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ApduError {
    #[error("APDU truncated")]
    Truncated,
    #[error("APDU has bytes after its end")]
    TooLong,
    #[error("APDU malformed: {0}")]
    Malformed(&'static str),
}

/// The four cases of ISO 7816-4 5.1 (short form).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    /// No command data, no response data.
    Case1,
    /// No command data, response data expected (Le).
    Case2,
    /// Command data (Lc), no response data.
    Case3,
    /// Command data and response data.
    Case4,
}

/// Zero-copy view over a command APDU: CLA INS P1 P2 [Lc data] [Le].
#[derive(Debug, Clone)]
pub struct CommandApdu<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> CommandApdu<T> {
    /// Checks the body against the four short cases.
    pub fn new_checked(buffer: T) -> Result<Self, ApduError> {
        let apdu = CommandApdu { buffer };
        apdu.case()?;
        Ok(apdu)
    }

    fn bytes(&self) -> &[u8] {
        self.buffer.as_ref()
    }

    pub fn cla(&self) -> u8 {
        self.bytes()[0]
    }
    pub fn ins(&self) -> u8 {
        self.bytes()[1]
    }
    pub fn p1(&self) -> u8 {
        self.bytes()[2]
    }
    pub fn p2(&self) -> u8 {
        self.bytes()[3]
    }

    /// Case decoded from the body length (ISO 7816-4 5.1, short form).
    pub fn case(&self) -> Result<Case, ApduError> {
        let b = self.bytes();
        if b.len() < 4 {
            return Err(ApduError::Truncated);
        }
        let body = &b[4..];
        match body.len() {
            0 => Ok(Case::Case1),
            1 => Ok(Case::Case2),
            n => {
                let lc = usize::from(body[0]);
                if lc == 0 {
                    // Extended length is not supported by the T=0 cards this stack serves.
                    return Err(ApduError::Malformed("extended length or Lc=0"));
                }
                if n == 1 + lc {
                    Ok(Case::Case3)
                } else if n == 2 + lc {
                    Ok(Case::Case4)
                } else if n < 1 + lc {
                    Err(ApduError::Truncated)
                } else {
                    Err(ApduError::TooLong)
                }
            }
        }
    }

    /// Command data field (empty for cases 1 and 2).
    pub fn data(&self) -> &[u8] {
        let b = self.bytes();
        match self.case() {
            Ok(Case::Case3) | Ok(Case::Case4) => &b[5..5 + usize::from(b[4])],
            _ => &[],
        }
    }

    /// Ne, the maximum number of response bytes expected (Le=0 means 256).
    pub fn le(&self) -> Option<u16> {
        let b = self.bytes();
        match self.case() {
            Ok(Case::Case2) | Ok(Case::Case4) => Some(decode_le(b[b.len() - 1])),
            _ => None,
        }
    }
}

fn decode_le(le: u8) -> u16 {
    if le == 0 {
        256
    } else {
        u16::from(le)
    }
}

/// A command APDU.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandRepr<'a> {
    pub cla: u8,
    pub ins: u8,
    pub p1: u8,
    pub p2: u8,
    /// At most 255 bytes.
    pub data: &'a [u8],
    /// Ne in 1..=256; `None` when no response data is expected.
    pub le: Option<u16>,
}

impl<'a> CommandRepr<'a> {
    pub fn parse<T: AsRef<[u8]>>(apdu: &'a CommandApdu<T>) -> Self {
        CommandRepr {
            cla: apdu.cla(),
            ins: apdu.ins(),
            p1: apdu.p1(),
            p2: apdu.p2(),
            data: apdu.data(),
            le: apdu.le(),
        }
    }

    /// Parses bytes in one go.
    pub fn parse_bytes(bytes: &'a [u8]) -> Result<Self, ApduError> {
        let v = CommandApdu::new_checked(bytes)?;
        let le = v.le();
        let data = match v.case()? {
            Case::Case3 | Case::Case4 => &bytes[5..5 + usize::from(bytes[4])],
            _ => &[],
        };
        Ok(CommandRepr {
            cla: bytes[0],
            ins: bytes[1],
            p1: bytes[2],
            p2: bytes[3],
            data,
            le,
        })
    }

    pub fn case(&self) -> Case {
        match (self.data.is_empty(), self.le.is_some()) {
            (true, false) => Case::Case1,
            (true, true) => Case::Case2,
            (false, false) => Case::Case3,
            (false, true) => Case::Case4,
        }
    }

    pub fn buffer_len(&self) -> usize {
        4 + if self.data.is_empty() {
            0
        } else {
            1 + self.data.len()
        } + usize::from(self.le.is_some())
    }

    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, ApduError> {
        if self.data.len() > 255 {
            return Err(ApduError::Malformed("more than 255 bytes of command data"));
        }
        if self.le.is_some_and(|le| le == 0 || le > 256) {
            return Err(ApduError::Malformed("Le outside 1..=256"));
        }
        let len = self.buffer_len();
        if buf.len() < len {
            return Err(ApduError::Truncated);
        }
        buf[..4].copy_from_slice(&[self.cla, self.ins, self.p1, self.p2]);
        let mut pos = 4;
        if !self.data.is_empty() {
            buf[4] = self.data.len() as u8;
            buf[5..5 + self.data.len()].copy_from_slice(self.data);
            pos = 5 + self.data.len();
        }
        if let Some(le) = self.le {
            buf[pos] = (le & 0xFF) as u8;
            pos += 1;
        }
        Ok(pos)
    }

    pub fn to_bytes(&self) -> Result<Vec<u8>, ApduError> {
        let mut v = vec![0; self.buffer_len()];
        self.emit(&mut v)?;
        Ok(v)
    }
}

/// Zero-copy view over a response APDU: data SW1 SW2.
#[derive(Debug, Clone)]
pub struct ResponseApdu<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> ResponseApdu<T> {
    pub fn new_checked(buffer: T) -> Result<Self, ApduError> {
        let len = buffer.as_ref().len();
        if len < 2 {
            return Err(ApduError::Truncated);
        }
        if len > 258 {
            return Err(ApduError::TooLong);
        }
        Ok(ResponseApdu { buffer })
    }
    pub fn data(&self) -> &[u8] {
        let b = self.buffer.as_ref();
        &b[..b.len() - 2]
    }
    pub fn status(&self) -> StatusWord {
        let b = self.buffer.as_ref();
        StatusWord(u16::from_be_bytes([b[b.len() - 2], b[b.len() - 1]]))
    }
}

/// A response APDU.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseRepr {
    pub data: Vec<u8>,
    pub status: StatusWord,
}

impl ResponseRepr {
    pub fn new(data: Vec<u8>, status: StatusWord) -> Self {
        ResponseRepr { data, status }
    }
    pub fn status_only(status: StatusWord) -> Self {
        ResponseRepr {
            data: Vec::new(),
            status,
        }
    }
    pub fn parse<T: AsRef<[u8]>>(apdu: &ResponseApdu<T>) -> Self {
        ResponseRepr {
            data: apdu.data().to_vec(),
            status: apdu.status(),
        }
    }
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut v = self.data.clone();
        v.extend_from_slice(&self.status.0.to_be_bytes());
        v
    }
}

/// SW1-SW2 (ISO 7816-4 5.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StatusWord(pub u16);

impl StatusWord {
    pub const OK: StatusWord = StatusWord(0x9000);
    pub const WRONG_LENGTH: StatusWord = StatusWord(0x6700);
    pub const SECURITY_STATUS_NOT_SATISFIED: StatusWord = StatusWord(0x6982);
    pub const AUTHENTICATION_METHOD_BLOCKED: StatusWord = StatusWord(0x6983);
    pub const CONDITIONS_NOT_SATISFIED: StatusWord = StatusWord(0x6985);
    pub const WRONG_DATA: StatusWord = StatusWord(0x6A80);
    pub const REFERENCED_DATA_NOT_FOUND: StatusWord = StatusWord(0x6A88);
    pub const WRONG_P1P2: StatusWord = StatusWord(0x6B00);
    pub const INS_NOT_SUPPORTED: StatusWord = StatusWord(0x6D00);
    pub const CLA_NOT_SUPPORTED: StatusWord = StatusWord(0x6E00);
    pub const NO_PRECISE_DIAGNOSIS: StatusWord = StatusWord(0x6F00);
    pub const MEMORY_FAILURE: StatusWord = StatusWord(0x6581);

    pub fn sw1(self) -> u8 {
        (self.0 >> 8) as u8
    }
    pub fn sw2(self) -> u8 {
        self.0 as u8
    }
    /// 9000 or 61xx.
    pub fn is_success(self) -> bool {
        self.0 == 0x9000 || self.sw1() == 0x61
    }
    /// A valid SW1 value for T=0 (0x6X except 0x60, or 0x9X).
    pub fn is_valid_sw1(sw1: u8) -> bool {
        (sw1 & 0xF0 == 0x60 && sw1 != 0x60) || sw1 & 0xF0 == 0x90
    }

    /// What the status word means, in English (ISO 7816-4 table 5 and 6).
    pub fn meaning(self) -> &'static str {
        match (self.sw1(), self.sw2()) {
            (0x90, 0x00) => "normal processing",
            (0x61, _) => "response bytes still available",
            (0x62, 0x81) => "part of returned data may be corrupted",
            (0x62, _) => "warning: non-volatile memory unchanged",
            (0x63, 0xC0..=0xCF) => "verification failed, counter in SW2",
            (0x63, _) => "warning: non-volatile memory changed",
            (0x64, _) => "execution error: non-volatile memory unchanged",
            (0x65, 0x81) => "memory failure",
            (0x65, _) => "execution error: non-volatile memory changed",
            (0x66, _) => "security-related issue",
            (0x67, 0x00) => "wrong length",
            (0x68, 0x81) => "logical channel not supported",
            (0x68, 0x82) => "secure messaging not supported",
            (0x68, _) => "functions in CLA not supported",
            (0x69, 0x82) => "security status not satisfied",
            (0x69, 0x83) => "authentication method blocked",
            (0x69, 0x84) => "reference data not usable",
            (0x69, 0x85) => "conditions of use not satisfied",
            (0x69, 0x86) => "command not allowed (no current EF)",
            (0x69, _) => "command not allowed",
            (0x6A, 0x80) => "incorrect parameters in the command data field",
            (0x6A, 0x82) => "file or application not found",
            (0x6A, 0x84) => "not enough memory space",
            (0x6A, 0x86) => "incorrect parameters P1-P2",
            (0x6A, 0x88) => "referenced data not found",
            (0x6A, _) => "wrong parameters P1-P2",
            (0x6B, 0x00) => "wrong parameters P1-P2",
            (0x6C, _) => "wrong Le field, exact length in SW2",
            (0x6D, 0x00) => "instruction code not supported or invalid",
            (0x6E, 0x00) => "class not supported",
            (0x6F, 0x00) => "no precise diagnosis",
            _ => "unknown status",
        }
    }
}

impl fmt::Display for StatusWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04X} ({})", self.0, self.meaning())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn four_cases_round_trip() {
        let data = [1u8, 2, 3];
        for (cmd, case) in [
            (
                CommandRepr {
                    cla: 0x80,
                    ins: 0x10,
                    p1: 0,
                    p2: 0,
                    data: &[],
                    le: None,
                },
                Case::Case1,
            ),
            (
                CommandRepr {
                    cla: 0x80,
                    ins: 0x10,
                    p1: 0,
                    p2: 0,
                    data: &[],
                    le: Some(256),
                },
                Case::Case2,
            ),
            (
                CommandRepr {
                    cla: 0x80,
                    ins: 0x14,
                    p1: 1,
                    p2: 2,
                    data: &data,
                    le: None,
                },
                Case::Case3,
            ),
            (
                CommandRepr {
                    cla: 0x80,
                    ins: 0x88,
                    p1: 0,
                    p2: 0,
                    data: &data,
                    le: Some(64),
                },
                Case::Case4,
            ),
        ] {
            let bytes = cmd.to_bytes().unwrap();
            let view = CommandApdu::new_checked(&bytes[..]).unwrap();
            assert_eq!(view.case().unwrap(), case);
            assert_eq!(CommandRepr::parse_bytes(&bytes).unwrap(), cmd);
        }
        assert_eq!(
            CommandRepr::parse_bytes(&[0x80, 0x10, 0, 0, 0]).unwrap().le,
            Some(256)
        );
    }

    #[test]
    fn malformed_lengths_are_refused() {
        assert_eq!(
            CommandApdu::new_checked(&[0x80, 0x10, 0][..]).unwrap_err(),
            ApduError::Truncated
        );
        assert_eq!(
            CommandApdu::new_checked(&[0x80, 0x10, 0, 0, 3, 1][..]).unwrap_err(),
            ApduError::Truncated
        );
        assert_eq!(
            CommandApdu::new_checked(&[0x80, 0x10, 0, 0, 1, 1, 2, 3][..]).unwrap_err(),
            ApduError::TooLong
        );
        assert!(CommandApdu::new_checked(&[0x80, 0x10, 0, 0, 0, 1][..]).is_err());
        let big = [0u8; 256];
        let cmd = CommandRepr {
            cla: 0,
            ins: 0,
            p1: 0,
            p2: 0,
            data: &big,
            le: None,
        };
        assert!(cmd.to_bytes().is_err());
    }

    #[test]
    fn status_words_have_meaning() {
        let r = ResponseApdu::new_checked(&[0xAA, 0x69, 0x82][..]).unwrap();
        assert_eq!(r.data(), &[0xAA]);
        assert_eq!(r.status(), StatusWord::SECURITY_STATUS_NOT_SATISFIED);
        assert_eq!(r.status().meaning(), "security status not satisfied");
        assert_eq!(
            StatusWord(0x6C10).to_string(),
            "6C10 (wrong Le field, exact length in SW2)"
        );
        assert!(StatusWord(0x6105).is_success());
        assert!(!StatusWord::is_valid_sw1(0x60));
        assert!(StatusWord::is_valid_sw1(0x6C));
        assert!(ResponseApdu::new_checked(&[0x90][..]).is_err());
    }
}
