//! The operator's signed authorisation: the one message that pairs a card with a box and a
//! registered place (docs/activation-protocol.md, "Authorisation message").
//!
//! It lives in this crate because the card application verifies and keeps it (like an EMM, the
//! card defines it); the `activation` crate re-exports it.
//!
//! Fixed layout, big-endian, 160 bytes:
//!
//! ```text
//! 0   2  magic "HA"            44  16 box id (ASCII, NUL padded)   80  8 valid until (Unix s, UTC)
//! 2   1  format version = 1    60   4 home latitude (1e-7 deg)     88  8 sequence number
//! 3   1  operator key id       64   4 home longitude (1e-7 deg)    96 64 Ed25519 signature of 0..96
//! 4   8  card number           68   4 radius (m)
//! 12 32  card public key       72   8 valid from (Unix s, UTC)
//! ```

use core::fmt;
use core::str::FromStr;

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};

pub const MAGIC: [u8; 2] = *b"HA";
pub const VERSION: u8 = 1;
/// Length of the signed part.
pub const SIGNED_LEN: usize = 96;
/// Length of a whole version-1 message.
pub const MESSAGE_LEN: usize = SIGNED_LEN + 64;

mod field {
    use core::ops::Range;
    pub const MAGIC: Range<usize> = 0..2;
    pub const VERSION: usize = 2;
    pub const KEY_ID: usize = 3;
    pub const CARD_NUMBER: Range<usize> = 4..12;
    pub const CARD_KEY: Range<usize> = 12..44;
    pub const BOX_ID: Range<usize> = 44..60;
    pub const LAT: Range<usize> = 60..64;
    pub const LON: Range<usize> = 64..68;
    pub const RADIUS: Range<usize> = 68..72;
    pub const VALID_FROM: Range<usize> = 72..80;
    pub const VALID_UNTIL: Range<usize> = 80..88;
    pub const SEQUENCE: Range<usize> = 88..96;
    pub const SIGNATURE: Range<usize> = 96..160;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AuthorisationError {
    #[error("authorisation truncated ({0} bytes, {MESSAGE_LEN} expected)")]
    Truncated(usize),
    #[error("authorisation oversized ({0} bytes, {MESSAGE_LEN} expected)")]
    Oversized(usize),
    #[error("not an authorisation (bad magic)")]
    BadMagic,
    #[error("authorisation format version {0} not supported")]
    UnsupportedVersion(u8),
    #[error("authorisation field invalid: {0}")]
    InvalidField(&'static str),
    #[error("authorisation signature does not verify")]
    BadSignature,
}

/// Box identity provisioned in the box image: 1 to 16 characters of `0-9 A-Z -`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BoxId([u8; 16]);

impl BoxId {
    pub fn from_bytes(b: [u8; 16]) -> Result<Self, AuthorisationError> {
        let len = b.iter().position(|&c| c == 0).unwrap_or(16);
        if len == 0
            || !b[..len]
                .iter()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == b'-')
            || b[len..].iter().any(|&c| c != 0)
        {
            return Err(AuthorisationError::InvalidField("box id"));
        }
        Ok(BoxId(b))
    }
    pub fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }
    pub fn as_str(&self) -> &str {
        let len = self.0.iter().position(|&c| c == 0).unwrap_or(16);
        // Checked ASCII at construction.
        core::str::from_utf8(&self.0[..len]).unwrap_or("")
    }
}

impl FromStr for BoxId {
    type Err = AuthorisationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.is_empty() || s.len() > 16 {
            return Err(AuthorisationError::InvalidField("box id"));
        }
        let mut b = [0u8; 16];
        b[..s.len()].copy_from_slice(s.as_bytes());
        BoxId::from_bytes(b)
    }
}

impl fmt::Display for BoxId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
impl fmt::Debug for BoxId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BoxId({})", self.as_str())
    }
}

/// Zero-copy view over an authorisation message. `new_checked` checks length, magic, version;
/// the signature is checked by [`AuthorisationRepr::verify`].
#[derive(Debug, Clone)]
pub struct Authorisation<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Authorisation<T> {
    pub fn new_checked(buffer: T) -> Result<Self, AuthorisationError> {
        let b = buffer.as_ref();
        if b.len() >= 3 {
            if b[field::MAGIC] != MAGIC {
                return Err(AuthorisationError::BadMagic);
            }
            if b[field::VERSION] != VERSION {
                return Err(AuthorisationError::UnsupportedVersion(b[field::VERSION]));
            }
        }
        if b.len() < MESSAGE_LEN {
            return Err(AuthorisationError::Truncated(b.len()));
        }
        if b.len() > MESSAGE_LEN {
            return Err(AuthorisationError::Oversized(b.len()));
        }
        Ok(Authorisation { buffer })
    }
    fn b(&self) -> &[u8] {
        self.buffer.as_ref()
    }
    fn arr<const N: usize>(&self, r: core::ops::Range<usize>) -> [u8; N] {
        let mut a = [0u8; N];
        a.copy_from_slice(&self.b()[r]);
        a
    }
    pub fn key_id(&self) -> u8 {
        self.b()[field::KEY_ID]
    }
    pub fn card_number(&self) -> u64 {
        u64::from_be_bytes(self.arr(field::CARD_NUMBER))
    }
    pub fn card_public_key(&self) -> [u8; 32] {
        self.arr(field::CARD_KEY)
    }
    pub fn box_id_bytes(&self) -> [u8; 16] {
        self.arr(field::BOX_ID)
    }
    pub fn latitude_e7(&self) -> i32 {
        i32::from_be_bytes(self.arr(field::LAT))
    }
    pub fn longitude_e7(&self) -> i32 {
        i32::from_be_bytes(self.arr(field::LON))
    }
    pub fn radius_m(&self) -> u32 {
        u32::from_be_bytes(self.arr(field::RADIUS))
    }
    pub fn valid_from(&self) -> i64 {
        i64::from_be_bytes(self.arr(field::VALID_FROM))
    }
    pub fn valid_until(&self) -> i64 {
        i64::from_be_bytes(self.arr(field::VALID_UNTIL))
    }
    pub fn sequence(&self) -> u64 {
        u64::from_be_bytes(self.arr(field::SEQUENCE))
    }
    pub fn signed_part(&self) -> &[u8] {
        &self.b()[..SIGNED_LEN]
    }
    pub fn signature(&self) -> [u8; 64] {
        self.arr(field::SIGNATURE)
    }
}

/// Decoded authorisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthorisationRepr {
    pub key_id: u8,
    pub card_number: u64,
    pub card_public_key: [u8; 32],
    pub box_id: BoxId,
    /// Registered place, WGS84, 1e-7 degree.
    pub latitude_e7: i32,
    pub longitude_e7: i32,
    pub radius_m: u32,
    /// Unix seconds, UTC, inclusive.
    pub valid_from: i64,
    /// Unix seconds, UTC, exclusive.
    pub valid_until: i64,
    pub sequence: u64,
}

impl AuthorisationRepr {
    /// Parses the fields; does not check the signature.
    pub fn parse<T: AsRef<[u8]>>(a: &Authorisation<T>) -> Result<Self, AuthorisationError> {
        let repr = AuthorisationRepr {
            key_id: a.key_id(),
            card_number: a.card_number(),
            card_public_key: a.card_public_key(),
            box_id: BoxId::from_bytes(a.box_id_bytes())?,
            latitude_e7: a.latitude_e7(),
            longitude_e7: a.longitude_e7(),
            radius_m: a.radius_m(),
            valid_from: a.valid_from(),
            valid_until: a.valid_until(),
            sequence: a.sequence(),
        };
        repr.check()?;
        Ok(repr)
    }

    fn check(&self) -> Result<(), AuthorisationError> {
        if !(-900_000_000..=900_000_000).contains(&self.latitude_e7) {
            return Err(AuthorisationError::InvalidField("latitude"));
        }
        if !(-1_800_000_000..=1_800_000_000).contains(&self.longitude_e7) {
            return Err(AuthorisationError::InvalidField("longitude"));
        }
        if self.valid_until <= self.valid_from {
            return Err(AuthorisationError::InvalidField("validity period"));
        }
        Ok(())
    }

    /// Parses and checks the Ed25519 signature (strict verification: no malleable signatures,
    /// no small-order keys).
    pub fn verify(bytes: &[u8], key: &VerifyingKey) -> Result<Self, AuthorisationError> {
        let a = Authorisation::new_checked(bytes)?;
        let repr = Self::parse(&a)?;
        let sig = Signature::from_bytes(&a.signature());
        key.verify_strict(a.signed_part(), &sig)
            .map_err(|_| AuthorisationError::BadSignature)?;
        Ok(repr)
    }

    /// The signed part.
    pub fn emit_unsigned(&self) -> Result<[u8; SIGNED_LEN], AuthorisationError> {
        self.check()?;
        let mut b = [0u8; SIGNED_LEN];
        b[field::MAGIC].copy_from_slice(&MAGIC);
        b[field::VERSION] = VERSION;
        b[field::KEY_ID] = self.key_id;
        b[field::CARD_NUMBER].copy_from_slice(&self.card_number.to_be_bytes());
        b[field::CARD_KEY].copy_from_slice(&self.card_public_key);
        b[field::BOX_ID].copy_from_slice(self.box_id.as_bytes());
        b[field::LAT].copy_from_slice(&self.latitude_e7.to_be_bytes());
        b[field::LON].copy_from_slice(&self.longitude_e7.to_be_bytes());
        b[field::RADIUS].copy_from_slice(&self.radius_m.to_be_bytes());
        b[field::VALID_FROM].copy_from_slice(&self.valid_from.to_be_bytes());
        b[field::VALID_UNTIL].copy_from_slice(&self.valid_until.to_be_bytes());
        b[field::SEQUENCE].copy_from_slice(&self.sequence.to_be_bytes());
        Ok(b)
    }

    /// Emits the message signed with the operator's key.
    pub fn emit_signed(&self, key: &SigningKey) -> Result<[u8; MESSAGE_LEN], AuthorisationError> {
        let body = self.emit_unsigned()?;
        let sig = key.sign(&body);
        let mut out = [0u8; MESSAGE_LEN];
        out[..SIGNED_LEN].copy_from_slice(&body);
        out[field::SIGNATURE].copy_from_slice(&sig.to_bytes());
        Ok(out)
    }

    pub fn latitude(&self) -> f64 {
        f64::from(self.latitude_e7) / 1e7
    }
    pub fn longitude(&self) -> f64 {
        f64::from(self.longitude_e7) / 1e7
    }
}

/// Degrees to the 1e-7 degree fixed point of the message (rounded).
pub fn degrees_to_e7(deg: f64) -> Option<i32> {
    let v = (deg * 1e7).round();
    (v.is_finite() && v >= f64::from(i32::MIN) && v <= f64::from(i32::MAX)).then_some(v as i32)
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn sample() -> AuthorisationRepr {
        AuthorisationRepr {
            key_id: 1,
            card_number: 8_123_456_789_012,
            card_public_key: [7; 32],
            box_id: "HHT-0001".parse().unwrap(),
            latitude_e7: 296_520_000,
            longitude_e7: 910_400_000,
            radius_m: 500,
            valid_from: 1_780_000_000,
            valid_until: 1_800_000_000,
            sequence: 3,
        }
    }

    #[test]
    fn signed_round_trip_and_forgery() {
        let key = SigningKey::from_bytes(&[9; 32]);
        let repr = sample();
        let mut msg = repr.emit_signed(&key).unwrap();
        assert_eq!(
            AuthorisationRepr::verify(&msg, &key.verifying_key()).unwrap(),
            repr
        );
        msg[95] ^= 1;
        assert_eq!(
            AuthorisationRepr::verify(&msg, &key.verifying_key()),
            Err(AuthorisationError::BadSignature)
        );
        let other = SigningKey::from_bytes(&[8; 32]);
        let msg = repr.emit_signed(&other).unwrap();
        assert_eq!(
            AuthorisationRepr::verify(&msg, &key.verifying_key()),
            Err(AuthorisationError::BadSignature)
        );
    }

    #[test]
    fn lengths_are_exact() {
        let key = SigningKey::from_bytes(&[9; 32]);
        let msg = sample().emit_signed(&key).unwrap();
        assert_eq!(
            Authorisation::new_checked(&msg[..159]).unwrap_err(),
            AuthorisationError::Truncated(159)
        );
        let mut long = msg.to_vec();
        long.push(0);
        assert_eq!(
            Authorisation::new_checked(&long[..]).unwrap_err(),
            AuthorisationError::Oversized(161)
        );
        assert_eq!(
            Authorisation::new_checked(&b"HB\x01"[..]).unwrap_err(),
            AuthorisationError::BadMagic
        );
        assert_eq!(
            Authorisation::new_checked(&b"HA\x02"[..]).unwrap_err(),
            AuthorisationError::UnsupportedVersion(2)
        );
    }

    #[test]
    fn box_ids_are_validated() {
        assert!("HHT-0001".parse::<BoxId>().is_ok());
        assert!("hht".parse::<BoxId>().is_err());
        assert!("".parse::<BoxId>().is_err());
        assert!("ABCDEFGHIJKLMNOPQ".parse::<BoxId>().is_err());
        let mut b = [0u8; 16];
        b[0] = b'A';
        b[2] = b'B';
        assert!(BoxId::from_bytes(b).is_err(), "bytes after the NUL padding");
    }
}
