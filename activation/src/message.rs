//! The authorisation message (defined with the card application in
//! [`smartcard::authorisation`]) and the file that carries it on a USB stick.
//!
//! An authorisation file is either
//! * binary: exactly one 160-byte message (it starts with `HA` and version byte 0x01), or
//! * text: UTF-8 lines; blank lines and lines starting with `#` are ignored; every other line is
//!   one message in standard base64 (RFC 4648, padded). Files above 64 KiB are refused.

use base64::Engine as _;
pub use smartcard::authorisation::*;

/// Largest authorisation file read.
pub const MAX_FILE_LEN: usize = 64 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    #[error("authorisation file larger than 64 KiB")]
    TooLarge,
    #[error("authorisation file is neither a binary message nor base64 text")]
    NotText,
    #[error("line {0}: not base64")]
    BadBase64(usize),
    #[error("authorisation file holds no message")]
    Empty,
}

/// Splits an authorisation file into messages (each still to be verified).
pub fn parse_file(bytes: &[u8]) -> Result<Vec<Vec<u8>>, FileError> {
    if bytes.len() > MAX_FILE_LEN {
        return Err(FileError::TooLarge);
    }
    if bytes.len() >= 3 && bytes[..2] == MAGIC && bytes[2] == VERSION {
        return Ok(vec![bytes.to_vec()]);
    }
    let text = std::str::from_utf8(bytes).map_err(|_| FileError::NotText)?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let m = base64::engine::general_purpose::STANDARD
            .decode(line)
            .map_err(|_| FileError::BadBase64(i + 1))?;
        out.push(m);
    }
    if out.is_empty() {
        return Err(FileError::Empty);
    }
    Ok(out)
}

/// A text authorisation file for one message, with a comment saying what it is for.
pub fn to_text_file(message: &[u8], comment: &str) -> String {
    let mut s = String::new();
    for line in comment.lines() {
        s.push_str("# ");
        s.push_str(line);
        s.push('\n');
    }
    s.push_str(&base64::engine::general_purpose::STANDARD.encode(message));
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_and_text_files() {
        let mut msg = vec![0u8; MESSAGE_LEN];
        msg[..3].copy_from_slice(b"HA\x01");
        assert_eq!(parse_file(&msg).unwrap(), vec![msg.clone()]);
        let text = to_text_file(&msg, "box HHT-0001\ncard 8100000001");
        assert!(text.starts_with("# box HHT-0001\n# card"));
        assert_eq!(parse_file(text.as_bytes()).unwrap(), vec![msg.clone()]);
        assert_eq!(parse_file(b"# nothing\n\n"), Err(FileError::Empty));
        assert_eq!(parse_file(b"not base64!\n"), Err(FileError::BadBase64(1)));
        assert_eq!(parse_file(&[0xFF, 0xFE, 0x00]), Err(FileError::NotText));
        assert_eq!(
            parse_file(&vec![b'A'; MAX_FILE_LEN + 1]),
            Err(FileError::TooLarge)
        );
    }
}
