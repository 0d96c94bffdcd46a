//! Bounds-checked big-endian reader and a writer for length-prefixed fields.
//!
//! Every parser reads through [`Reader`], so a short buffer becomes [`Error::Truncated`]
//! instead of a panic.

use crate::{Error, Result};

/// A cursor over untrusted bytes.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    buf: &'a [u8],
}

impl<'a> Reader<'a> {
    pub fn new(buf: &'a [u8]) -> Self {
        Reader { buf }
    }
    pub fn remaining(&self) -> usize {
        self.buf.len()
    }
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }
    /// The bytes not read yet.
    pub fn rest(&self) -> &'a [u8] {
        self.buf
    }
    pub fn u8(&mut self) -> Result<u8> {
        let (&b, rest) = self.buf.split_first().ok_or(Error::Truncated)?;
        self.buf = rest;
        Ok(b)
    }
    pub fn u16(&mut self) -> Result<u16> {
        let b = self.bytes(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }
    pub fn u24(&mut self) -> Result<u32> {
        let b = self.bytes(3)?;
        Ok(u32::from_be_bytes([0, b[0], b[1], b[2]]))
    }
    pub fn u32(&mut self) -> Result<u32> {
        let b = self.bytes(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
    pub fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let b = self.bytes(N)?;
        let mut a = [0u8; N];
        a.copy_from_slice(b);
        Ok(a)
    }
    pub fn bytes(&mut self, n: usize) -> Result<&'a [u8]> {
        if n > self.buf.len() {
            return Err(Error::Truncated);
        }
        let (a, b) = self.buf.split_at(n);
        self.buf = b;
        Ok(a)
    }
    /// Reads an 8-bit length then that many bytes.
    pub fn len8_bytes(&mut self) -> Result<&'a [u8]> {
        let n = self.u8()? as usize;
        self.bytes(n)
    }
    /// Reads a 12-bit length (upper 4 bits reserved) then that many bytes.
    pub fn len12_bytes(&mut self) -> Result<&'a [u8]> {
        let n = (self.u16()? & 0x0FFF) as usize;
        self.bytes(n)
    }
    pub fn take_rest(&mut self) -> &'a [u8] {
        let r = self.buf;
        self.buf = &[];
        r
    }
}

/// Appends an 8-bit length and the bytes.
pub fn put_len8(out: &mut Vec<u8>, data: &[u8]) -> Result<()> {
    let n = u8::try_from(data.len()).map_err(|_| Error::Overflow)?;
    out.push(n);
    out.extend_from_slice(data);
    Ok(())
}

/// Appends `reserved(4) | length(12)` and the bytes.
pub fn put_len12(out: &mut Vec<u8>, data: &[u8]) -> Result<()> {
    if data.len() > 0x0FFF {
        return Err(Error::Overflow);
    }
    out.extend_from_slice(&(0xF000 | data.len() as u16).to_be_bytes());
    out.extend_from_slice(data);
    Ok(())
}

/// Three-letter language or country code (ISO 639-2 / ISO 3166), kept as bytes.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
pub struct Lang(pub [u8; 3]);

impl Lang {
    pub fn new(s: &str) -> Self {
        let mut a = [b' '; 3];
        for (d, s) in a.iter_mut().zip(s.bytes()) {
            *d = s;
        }
        Lang(a)
    }
    /// Printable form; non-printable bytes become '?'.
    pub fn as_string(&self) -> String {
        self.0
            .iter()
            .map(|&b| {
                if (0x20..0x7F).contains(&b) {
                    b as char
                } else {
                    '?'
                }
            })
            .collect()
    }
}

impl core::fmt::Display for Lang {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.as_string())
    }
}
