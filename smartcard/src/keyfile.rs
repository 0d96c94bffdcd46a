//! 32-byte key files: 64 hexadecimal characters (whitespace around allowed) or 32 raw bytes.

use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    #[error("cannot read key file {0}: {1}")]
    Io(String, std::io::Error),
    #[error("key file {0} holds neither 64 hex digits nor 32 bytes")]
    Format(String),
}

/// Parses 64 hex digits.
pub fn parse_hex32(s: &str) -> Option<[u8; 32]> {
    let s = s.trim();
    if s.len() != 64 || !s.is_ascii() {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

pub fn to_hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

pub fn read_key_file(path: &Path) -> Result<[u8; 32], KeyFileError> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| KeyFileError::Io(name.clone(), e))?;
    if let Some(k) = std::str::from_utf8(&bytes).ok().and_then(parse_hex32) {
        return Ok(k);
    }
    <[u8; 32]>::try_from(bytes.as_slice()).map_err(|_| KeyFileError::Format(name))
}

#[cfg(test)]
mod tests {
    #[test]
    fn hex_keys() {
        let k = super::parse_hex32(&format!("{}\n", "0f".repeat(32))).unwrap();
        assert_eq!(k, [0x0F; 32]);
        assert_eq!(super::to_hex(&k), "0f".repeat(32));
        assert!(super::parse_hex32("0f").is_none());
        assert!(super::parse_hex32(&"zz".repeat(32)).is_none());
    }
}
