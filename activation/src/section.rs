//! The over-the-air carrier: authorisations in a private section on a PID that a CA descriptor
//! in the CAT announces (ISO/IEC 13818-1 2.4.4.10 private_section, 2.6.16 CA_descriptor).
//!
//! ```text
//! table_id                  8   0x90 (user private)
//! section_syntax_indicator  1   1
//! private_indicator         1   1
//! reserved                  2   11
//! section_length           12   <= 4093
//! table_id_extension       16   box group: CRC-32/MPEG-2 of the 16-byte box id, low 16 bits
//! reserved                  2   11
//! version_number            5
//! current_next_indicator    1   1
//! section_number            8
//! last_section_number       8
//! for each message { message_length 16, message bytes }
//! CRC_32                   32
//! ```
//! The group lets a demux section filter (table_id + table_id_extension) pass only the
//! sections that may carry this box's authorisation; the box still checks each message.

use smartcard::authorisation::BoxId;

use ts_si::crc::crc32_mpeg2;

pub const TABLE_ID: u8 = 0x90;
/// CA_system_ID announcing the activation stream in the CAT. A project value, not one
/// registered with DVB; the box image may override it.
pub const CA_SYSTEM_ID: u16 = 0x4AFF;
/// Private data bytes of the CA descriptor, so that a CA_system_ID clash is noticed.
pub const CA_PRIVATE_DATA: &[u8; 4] = b"HHTA";
pub const MAX_SECTION_LENGTH: usize = 4093;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SectionError {
    #[error("section truncated")]
    Truncated,
    #[error("section has bytes after its end")]
    TooLong,
    #[error("not an activation section (table_id 0x{0:02X})")]
    WrongTable(u8),
    #[error("section header malformed: {0}")]
    Malformed(&'static str),
    #[error("section CRC-32 mismatch")]
    BadCrc,
}

/// Group of a box (the table_id_extension that carries its authorisations).
pub fn box_group(box_id: &BoxId) -> u16 {
    (crc32_mpeg2(box_id.as_bytes()) & 0xFFFF) as u16
}

/// Zero-copy view of an activation section.
#[derive(Debug, Clone)]
pub struct AuthorisationSection<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> AuthorisationSection<T> {
    /// Checks header, length, CRC and the message loop. The buffer holds exactly one section.
    pub fn new_checked(buffer: T) -> Result<Self, SectionError> {
        let b = buffer.as_ref();
        if b.len() < 3 {
            return Err(SectionError::Truncated);
        }
        if b[0] != TABLE_ID {
            return Err(SectionError::WrongTable(b[0]));
        }
        if b[1] & 0xC0 != 0xC0 {
            return Err(SectionError::Malformed(
                "section_syntax_indicator and private_indicator must be 1",
            ));
        }
        let len = usize::from(u16::from_be_bytes([b[1], b[2]]) & 0x0FFF);
        if len > MAX_SECTION_LENGTH {
            return Err(SectionError::Malformed("section_length above 4093"));
        }
        if len < 9 {
            return Err(SectionError::Malformed("section_length too small"));
        }
        if b.len() < 3 + len {
            return Err(SectionError::Truncated);
        }
        if b.len() > 3 + len {
            return Err(SectionError::TooLong);
        }
        if crc32_mpeg2(b) != 0 {
            return Err(SectionError::BadCrc);
        }
        if b[5] & 1 == 0 {
            return Err(SectionError::Malformed("current_next_indicator is 0"));
        }
        if b[6] > b[7] {
            return Err(SectionError::Malformed(
                "section_number after last_section_number",
            ));
        }
        let s = AuthorisationSection { buffer };
        for m in s.messages() {
            m?;
        }
        Ok(s)
    }

    fn b(&self) -> &[u8] {
        self.buffer.as_ref()
    }
    pub fn group(&self) -> u16 {
        u16::from_be_bytes([self.b()[3], self.b()[4]])
    }
    pub fn version(&self) -> u8 {
        (self.b()[5] >> 1) & 0x1F
    }
    pub fn section_number(&self) -> u8 {
        self.b()[6]
    }
    pub fn last_section_number(&self) -> u8 {
        self.b()[7]
    }

    /// The messages carried, each still to be verified.
    pub fn messages(&self) -> impl Iterator<Item = Result<&[u8], SectionError>> {
        let b = self.b();
        let body = &b[8..b.len() - 4];
        let mut pos = 0;
        std::iter::from_fn(move || {
            if pos >= body.len() {
                return None;
            }
            if pos + 2 > body.len() {
                pos = body.len();
                return Some(Err(SectionError::Truncated));
            }
            let n = usize::from(u16::from_be_bytes([body[pos], body[pos + 1]]));
            if pos + 2 + n > body.len() {
                pos = body.len();
                return Some(Err(SectionError::Truncated));
            }
            let m = &body[pos + 2..pos + 2 + n];
            pos += 2 + n;
            Some(Ok(m))
        })
    }
}

/// An activation section to emit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorisationSectionRepr<'a> {
    pub group: u16,
    pub version: u8,
    pub section_number: u8,
    pub last_section_number: u8,
    pub messages: Vec<&'a [u8]>,
}

impl<'a> AuthorisationSectionRepr<'a> {
    pub fn parse<T: AsRef<[u8]>>(s: &'a AuthorisationSection<T>) -> Self {
        AuthorisationSectionRepr {
            group: s.group(),
            version: s.version(),
            section_number: s.section_number(),
            last_section_number: s.last_section_number(),
            messages: s.messages().filter_map(Result::ok).collect(),
        }
    }

    pub fn buffer_len(&self) -> usize {
        3 + 5 + self.messages.iter().map(|m| 2 + m.len()).sum::<usize>() + 4
    }

    pub fn to_bytes(&self) -> Result<Vec<u8>, SectionError> {
        let len = self.buffer_len();
        if len - 3 > MAX_SECTION_LENGTH {
            return Err(SectionError::Malformed(
                "messages do not fit in one section",
            ));
        }
        if self.version > 31 || self.section_number > self.last_section_number {
            return Err(SectionError::Malformed("version or section numbers"));
        }
        let mut v = Vec::with_capacity(len);
        v.push(TABLE_ID);
        v.extend_from_slice(&(0xF000 | (len - 3) as u16).to_be_bytes());
        v.extend_from_slice(&self.group.to_be_bytes());
        v.push(0xC0 | self.version << 1 | 1);
        v.push(self.section_number);
        v.push(self.last_section_number);
        for m in &self.messages {
            let n =
                u16::try_from(m.len()).map_err(|_| SectionError::Malformed("message too long"))?;
            v.extend_from_slice(&n.to_be_bytes());
            v.extend_from_slice(m);
        }
        let crc = crc32_mpeg2(&v);
        v.extend_from_slice(&crc.to_be_bytes());
        Ok(v)
    }
}

/// CA_descriptor (tag 0x09) announcing the activation PID, for the CAT.
pub fn ca_descriptor(pid: u16) -> [u8; 10] {
    let mut d = [0u8; 10];
    d[0] = 0x09;
    d[1] = 8;
    d[2..4].copy_from_slice(&CA_SYSTEM_ID.to_be_bytes());
    d[4..6].copy_from_slice(&(0xE000 | (pid & 0x1FFF)).to_be_bytes());
    d[6..10].copy_from_slice(CA_PRIVATE_DATA);
    d
}

/// The activation PID if this CA descriptor (tag, length, body) announces one.
pub fn activation_pid(descriptor: &[u8]) -> Option<u16> {
    if descriptor.len() < 6
        || descriptor[0] != 0x09
        || usize::from(descriptor[1]) + 2 != descriptor.len()
    {
        return None;
    }
    if u16::from_be_bytes([descriptor[2], descriptor[3]]) != CA_SYSTEM_ID
        || &descriptor[6..] != CA_PRIVATE_DATA
    {
        return None;
    }
    Some(u16::from_be_bytes([descriptor[4], descriptor[5]]) & 0x1FFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn section_round_trip_and_damage() {
        let m1 = [1u8; 160];
        let m2 = [2u8; 160];
        let repr = AuthorisationSectionRepr {
            group: box_group(&"HHT-0001".parse().unwrap()),
            version: 5,
            section_number: 0,
            last_section_number: 0,
            messages: vec![&m1, &m2],
        };
        let bytes = repr.to_bytes().unwrap();
        let s = AuthorisationSection::new_checked(&bytes[..]).unwrap();
        assert_eq!(AuthorisationSectionRepr::parse(&s), repr);
        let mut bad = bytes.clone();
        bad[20] ^= 1;
        assert_eq!(
            AuthorisationSection::new_checked(&bad[..]).unwrap_err(),
            SectionError::BadCrc
        );
        assert_eq!(
            AuthorisationSection::new_checked(&bytes[..bytes.len() - 1]).unwrap_err(),
            SectionError::Truncated
        );
        let mut long = bytes.clone();
        long.push(0xFF);
        assert_eq!(
            AuthorisationSection::new_checked(&long[..]).unwrap_err(),
            SectionError::TooLong
        );
        bad = bytes.clone();
        bad[0] = 0x91;
        assert_eq!(
            AuthorisationSection::new_checked(&bad[..]).unwrap_err(),
            SectionError::WrongTable(0x91)
        );
    }

    #[test]
    fn ca_descriptor_announces_the_pid() {
        let d = ca_descriptor(0x1FF0);
        assert_eq!(activation_pid(&d), Some(0x1FF0));
        let mut other = d;
        other[3] ^= 1;
        assert_eq!(activation_pid(&other), None);
    }
}
