//! The card application (docs/activation-protocol.md, "Card application"): what runs inside the
//! card, here in software for the emulator and for tests, and the box-side client that drives it.
//!
//! No file system: four proprietary commands under CLA 0x80.
//!
//! | INS  | command                 | case | data in                  | data out                 |
//! |------|-------------------------|------|--------------------------|--------------------------|
//! | 0x10 | GET CARD INFO           | 2    |                          | 50 bytes, [`CardInfo`]    |
//! | 0x12 | READ ENTITLEMENT        | 2    |                          | the stored authorisation |
//! | 0x14 | INSTALL AUTHORISATION   | 3    | a signed authorisation   |                          |
//! | 0x88 | INTERNAL AUTHENTICATE   | 4    | 32-byte nonce            | 64-byte Ed25519 signature |
//!
//! The card's secret key never leaves it: no command reads it.

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};

use crate::apdu::{CommandRepr, ResponseRepr, StatusWord};
use crate::atr::{AtrRepr, Convention, InterfaceGroup};
use crate::authorisation::{Authorisation, AuthorisationRepr, BoxId, MESSAGE_LEN};
use crate::CardError;

pub const CLA: u8 = 0x80;
pub const INS_GET_CARD_INFO: u8 = 0x10;
pub const INS_READ_ENTITLEMENT: u8 = 0x12;
pub const INS_INSTALL_AUTHORISATION: u8 = 0x14;
pub const INS_INTERNAL_AUTHENTICATE: u8 = 0x88;

/// Application version in GET CARD INFO.
pub const APP_VERSION: u8 = 1;
/// Historical bytes by which the box recognises the card (E02 otherwise).
pub const HISTORICAL_BYTES: &[u8; 8] = b"HHT-CA01";
/// Length of GET CARD INFO data.
pub const CARD_INFO_LEN: usize = 50;
/// Domain separation of INTERNAL AUTHENTICATE signatures.
pub const AUTH_DOMAIN: &[u8; 16] = b"HHT-CARD-AUTH-1\0";

/// Status words specific to INSTALL AUTHORISATION.
pub const SW_WRONG_CARD: StatusWord = StatusWord::CONDITIONS_NOT_SATISFIED;
pub const SW_REPLAYED: StatusWord = StatusWord(0x6986);

/// The ATR the card sends: TA1=0x11 (Fi 372, Di 1), TC1=0, TD1 T=0 with TC2 WI=10.
pub fn card_atr(convention: Convention) -> AtrRepr {
    AtrRepr {
        convention,
        groups: vec![
            InterfaceGroup {
                ta: Some(0x11),
                tb: None,
                tc: Some(0x00),
                protocol: Some(0),
            },
            InterfaceGroup {
                ta: None,
                tb: None,
                tc: Some(10),
                protocol: None,
            },
        ],
        historical: HISTORICAL_BYTES.to_vec(),
    }
}

/// Entitlement state reported by GET CARD INFO.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardState {
    /// Never authorised.
    Blank = 0,
    /// Holds an authorisation.
    Entitled = 1,
}

/// GET CARD INFO: version(1) state(1) card number(8) card public key(32) sequence(8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CardInfo {
    pub version: u8,
    pub state: CardState,
    pub card_number: u64,
    pub public_key: [u8; 32],
    /// Sequence number of the stored authorisation, 0 when blank.
    pub sequence: u64,
}

impl CardInfo {
    pub fn to_bytes(&self) -> [u8; CARD_INFO_LEN] {
        let mut b = [0u8; CARD_INFO_LEN];
        b[0] = self.version;
        b[1] = self.state as u8;
        b[2..10].copy_from_slice(&self.card_number.to_be_bytes());
        b[10..42].copy_from_slice(&self.public_key);
        b[42..50].copy_from_slice(&self.sequence.to_be_bytes());
        b
    }
    pub fn parse(b: &[u8]) -> Result<Self, CardError> {
        if b.len() != CARD_INFO_LEN {
            return Err(CardError::BadResponse("card info length"));
        }
        let state = match b[1] {
            0 => CardState::Blank,
            1 => CardState::Entitled,
            _ => return Err(CardError::BadResponse("card state")),
        };
        let mut public_key = [0u8; 32];
        public_key.copy_from_slice(&b[10..42]);
        Ok(CardInfo {
            version: b[0],
            state,
            card_number: u64::from_be_bytes(
                b[2..10]
                    .try_into()
                    .map_err(|_| CardError::BadResponse("card info"))?,
            ),
            public_key,
            sequence: u64::from_be_bytes(
                b[42..50]
                    .try_into()
                    .map_err(|_| CardError::BadResponse("card info"))?,
            ),
        })
    }
}

impl core::fmt::Display for CardInfo {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "card {}, application v{}, ",
            self.card_number, self.version
        )?;
        match self.state {
            CardState::Blank => write!(f, "not authorised yet"),
            CardState::Entitled => write!(f, "holds authorisation {}", self.sequence),
        }
    }
}

/// The message a card signs in INTERNAL AUTHENTICATE: it binds the box nonce to the card and to
/// the authorisation it holds, so a genuine card paired with another box cannot answer for this one.
pub fn auth_message(
    card_number: u64,
    box_id: Option<&BoxId>,
    sequence: u64,
    nonce: &[u8; 32],
) -> [u8; 80] {
    let mut m = [0u8; 80];
    m[..16].copy_from_slice(AUTH_DOMAIN);
    m[16..24].copy_from_slice(&card_number.to_be_bytes());
    if let Some(b) = box_id {
        m[24..40].copy_from_slice(b.as_bytes());
    }
    m[40..48].copy_from_slice(&sequence.to_be_bytes());
    m[48..80].copy_from_slice(nonce);
    m
}

/// Everything the card keeps in its non-volatile memory.
#[derive(Clone, PartialEq, Eq)]
pub struct CardMemory {
    pub card_number: u64,
    /// Ed25519 seed of the card key; personalised at the factory, never readable.
    pub secret: [u8; 32],
    /// Operator public key the card accepts authorisations from.
    pub operator_key: [u8; 32],
    pub entitlement: Option<[u8; MESSAGE_LEN]>,
    /// Highest sequence number ever installed (replay protection).
    pub highest_sequence: u64,
}

impl core::fmt::Debug for CardMemory {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("CardMemory")
            .field("card_number", &self.card_number)
            .field("entitled", &self.entitlement.is_some())
            .field("highest_sequence", &self.highest_sequence)
            .finish_non_exhaustive()
    }
}

const MEMORY_MAGIC: &[u8; 4] = b"HCM1";
const MEMORY_LEN: usize = 4 + 8 + 32 + 32 + 1 + MESSAGE_LEN + 8;

impl CardMemory {
    pub fn new(card_number: u64, secret: [u8; 32], operator_key: [u8; 32]) -> Self {
        CardMemory {
            card_number,
            secret,
            operator_key,
            entitlement: None,
            highest_sequence: 0,
        }
    }
    pub fn public_key(&self) -> [u8; 32] {
        SigningKey::from_bytes(&self.secret)
            .verifying_key()
            .to_bytes()
    }
    /// Image of the memory, for the emulator's state file.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(MEMORY_LEN);
        v.extend_from_slice(MEMORY_MAGIC);
        v.extend_from_slice(&self.card_number.to_be_bytes());
        v.extend_from_slice(&self.secret);
        v.extend_from_slice(&self.operator_key);
        v.push(u8::from(self.entitlement.is_some()));
        v.extend_from_slice(&self.entitlement.unwrap_or([0; MESSAGE_LEN]));
        v.extend_from_slice(&self.highest_sequence.to_be_bytes());
        v
    }
    pub fn from_bytes(b: &[u8]) -> Option<Self> {
        if b.len() != MEMORY_LEN || &b[..4] != MEMORY_MAGIC {
            return None;
        }
        let mut secret = [0u8; 32];
        secret.copy_from_slice(&b[12..44]);
        let mut operator_key = [0u8; 32];
        operator_key.copy_from_slice(&b[44..76]);
        let entitlement = match b[76] {
            0 => None,
            1 => {
                let mut e = [0u8; MESSAGE_LEN];
                e.copy_from_slice(&b[77..77 + MESSAGE_LEN]);
                Some(e)
            }
            _ => return None,
        };
        Some(CardMemory {
            card_number: u64::from_be_bytes(b[4..12].try_into().ok()?),
            secret,
            operator_key,
            entitlement,
            highest_sequence: u64::from_be_bytes(b[77 + MESSAGE_LEN..].try_into().ok()?),
        })
    }
}

/// Which way data flows for a command: T=0 needs it to know what P3 counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    None,
    /// The card receives P3 bytes.
    In,
    /// The card sends P3 bytes.
    Out,
}

/// A card application as the T=0 engine of the emulator sees it.
pub trait CardApplication {
    fn atr(&self) -> AtrRepr;
    fn direction(&self, cla: u8, ins: u8) -> Direction;
    /// Runs one command; `le` is the Ne the reader asked for (or 256 for case 3/4 bodies).
    fn process(&mut self, cmd: &CommandRepr<'_>) -> ResponseRepr;
    /// Power-on or warm reset: volatile state is lost.
    fn reset(&mut self) {}
}

/// The activation card application.
#[derive(Debug, Clone)]
pub struct ActivationCard {
    pub memory: CardMemory,
    pub convention: Convention,
    /// Set after every change of non-volatile memory; the emulator saves and clears it.
    pub dirty: bool,
}

impl ActivationCard {
    pub fn new(memory: CardMemory) -> Self {
        ActivationCard {
            memory,
            convention: Convention::Direct,
            dirty: false,
        }
    }

    fn info(&self) -> CardInfo {
        let sequence = self
            .memory
            .entitlement
            .as_ref()
            .and_then(|e| Authorisation::new_checked(&e[..]).ok())
            .map(|a| a.sequence())
            .unwrap_or(0);
        CardInfo {
            version: APP_VERSION,
            state: if self.memory.entitlement.is_some() {
                CardState::Entitled
            } else {
                CardState::Blank
            },
            card_number: self.memory.card_number,
            public_key: self.memory.public_key(),
            sequence,
        }
    }

    fn install(&mut self, data: &[u8]) -> StatusWord {
        if data.len() != MESSAGE_LEN {
            return StatusWord::WRONG_LENGTH;
        }
        let Ok(op) = VerifyingKey::from_bytes(&self.memory.operator_key) else {
            return StatusWord::NO_PRECISE_DIAGNOSIS;
        };
        let repr = match AuthorisationRepr::verify(data, &op) {
            Ok(r) => r,
            Err(crate::authorisation::AuthorisationError::BadSignature) => {
                return StatusWord::SECURITY_STATUS_NOT_SATISFIED
            }
            Err(_) => return StatusWord::WRONG_DATA,
        };
        if repr.card_number != self.memory.card_number
            || repr.card_public_key != self.memory.public_key()
        {
            return SW_WRONG_CARD;
        }
        if repr.sequence <= self.memory.highest_sequence {
            // Installing the very message already held is harmless and lets the box retry.
            if self
                .memory
                .entitlement
                .as_ref()
                .is_some_and(|e| e[..] == *data)
            {
                return StatusWord::OK;
            }
            return SW_REPLAYED;
        }
        let mut e = [0u8; MESSAGE_LEN];
        e.copy_from_slice(data);
        self.memory.entitlement = Some(e);
        self.memory.highest_sequence = repr.sequence;
        self.dirty = true;
        StatusWord::OK
    }

    fn authenticate(&self, data: &[u8]) -> ResponseRepr {
        let Ok(nonce) = <[u8; 32]>::try_from(data) else {
            return ResponseRepr::status_only(StatusWord::WRONG_LENGTH);
        };
        let entitled = self.memory.entitlement.as_ref().and_then(|e| {
            let a = Authorisation::new_checked(&e[..]).ok()?;
            Some((BoxId::from_bytes(a.box_id_bytes()).ok()?, a.sequence()))
        });
        let (box_id, seq) = match &entitled {
            Some((b, s)) => (Some(b), *s),
            None => (None, 0),
        };
        let msg = auth_message(self.memory.card_number, box_id, seq, &nonce);
        let sig = SigningKey::from_bytes(&self.memory.secret).sign(&msg);
        ResponseRepr::new(sig.to_bytes().to_vec(), StatusWord::OK)
    }
}

impl CardApplication for ActivationCard {
    fn atr(&self) -> AtrRepr {
        card_atr(self.convention)
    }

    fn direction(&self, _cla: u8, ins: u8) -> Direction {
        match ins {
            INS_GET_CARD_INFO | INS_READ_ENTITLEMENT => Direction::Out,
            INS_INSTALL_AUTHORISATION | INS_INTERNAL_AUTHENTICATE => Direction::In,
            _ => Direction::None,
        }
    }

    fn process(&mut self, cmd: &CommandRepr<'_>) -> ResponseRepr {
        if cmd.cla != CLA {
            return ResponseRepr::status_only(StatusWord::CLA_NOT_SUPPORTED);
        }
        if cmd.p1 != 0 || cmd.p2 != 0 {
            return ResponseRepr::status_only(StatusWord::WRONG_P1P2);
        }
        match cmd.ins {
            INS_GET_CARD_INFO => ResponseRepr::new(self.info().to_bytes().to_vec(), StatusWord::OK),
            INS_READ_ENTITLEMENT => match &self.memory.entitlement {
                Some(e) => ResponseRepr::new(e.to_vec(), StatusWord::OK),
                None => ResponseRepr::status_only(StatusWord::REFERENCED_DATA_NOT_FOUND),
            },
            INS_INSTALL_AUTHORISATION => ResponseRepr::status_only(self.install(cmd.data)),
            INS_INTERNAL_AUTHENTICATE => self.authenticate(cmd.data),
            _ => ResponseRepr::status_only(StatusWord::INS_NOT_SUPPORTED),
        }
    }
}

/// Anything that carries command APDUs to a card: a reader, a bare T=0 line, or the card
/// application itself (tests).
pub trait CardChannel {
    fn transmit(&mut self, cmd: &CommandRepr<'_>) -> Result<ResponseRepr, CardError>;
}

impl CardChannel for ActivationCard {
    fn transmit(&mut self, cmd: &CommandRepr<'_>) -> Result<ResponseRepr, CardError> {
        let mut r = self.process(cmd);
        if let Some(le) = cmd.le {
            r.data.truncate(usize::from(le));
        }
        Ok(r)
    }
}

impl<L: crate::line::ByteLine> CardChannel for crate::t0::T0<L> {
    fn transmit(&mut self, cmd: &CommandRepr<'_>) -> Result<ResponseRepr, CardError> {
        crate::t0::T0::transmit(self, cmd).map_err(CardError::from)
    }
}

fn expect_ok(r: ResponseRepr) -> Result<Vec<u8>, CardError> {
    if r.status == StatusWord::OK {
        Ok(r.data)
    } else {
        Err(CardError::Status(r.status))
    }
}

/// GET CARD INFO. Asks for Le=256 so the card corrects it (6Cxx) when the length changes.
pub fn get_card_info<C: CardChannel + ?Sized>(ch: &mut C) -> Result<CardInfo, CardError> {
    let cmd = CommandRepr {
        cla: CLA,
        ins: INS_GET_CARD_INFO,
        p1: 0,
        p2: 0,
        data: &[],
        le: Some(256),
    };
    CardInfo::parse(&expect_ok(ch.transmit(&cmd)?)?)
}

/// READ ENTITLEMENT: the authorisation the card holds, `None` when blank.
pub fn read_entitlement<C: CardChannel + ?Sized>(ch: &mut C) -> Result<Option<Vec<u8>>, CardError> {
    let cmd = CommandRepr {
        cla: CLA,
        ins: INS_READ_ENTITLEMENT,
        p1: 0,
        p2: 0,
        data: &[],
        le: Some(256),
    };
    let r = ch.transmit(&cmd)?;
    if r.status == StatusWord::REFERENCED_DATA_NOT_FOUND {
        return Ok(None);
    }
    expect_ok(r).map(Some)
}

/// INSTALL AUTHORISATION.
pub fn install_authorisation<C: CardChannel + ?Sized>(
    ch: &mut C,
    message: &[u8],
) -> Result<(), CardError> {
    let cmd = CommandRepr {
        cla: CLA,
        ins: INS_INSTALL_AUTHORISATION,
        p1: 0,
        p2: 0,
        data: message,
        le: None,
    };
    expect_ok(ch.transmit(&cmd)?).map(|_| ())
}

/// INTERNAL AUTHENTICATE: the card's signature over [`auth_message`].
pub fn internal_authenticate<C: CardChannel + ?Sized>(
    ch: &mut C,
    nonce: &[u8; 32],
) -> Result<[u8; 64], CardError> {
    let cmd = CommandRepr {
        cla: CLA,
        ins: INS_INTERNAL_AUTHENTICATE,
        p1: 0,
        p2: 0,
        data: nonce,
        le: Some(64),
    };
    let data = expect_ok(ch.transmit(&cmd)?)?;
    <[u8; 64]>::try_from(data.as_slice()).map_err(|_| CardError::BadResponse("signature length"))
}

/// Checks a card's INTERNAL AUTHENTICATE answer against the public key the authorisation pins.
pub fn verify_card_signature(
    card_public_key: &[u8; 32],
    card_number: u64,
    box_id: &BoxId,
    sequence: u64,
    nonce: &[u8; 32],
    signature: &[u8; 64],
) -> bool {
    let Ok(key) = VerifyingKey::from_bytes(card_public_key) else {
        return false;
    };
    let msg = auth_message(card_number, Some(box_id), sequence, nonce);
    key.verify_strict(&msg, &Signature::from_bytes(signature))
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card_and_key() -> (ActivationCard, SigningKey) {
        let op = SigningKey::from_bytes(&[1; 32]);
        (
            ActivationCard::new(CardMemory::new(42, [2; 32], op.verifying_key().to_bytes())),
            op,
        )
    }

    fn auth(card: &ActivationCard, seq: u64) -> AuthorisationRepr {
        AuthorisationRepr {
            key_id: 0,
            card_number: card.memory.card_number,
            card_public_key: card.memory.public_key(),
            box_id: "BOX-1".parse().unwrap(),
            latitude_e7: 0,
            longitude_e7: 0,
            radius_m: 100,
            valid_from: 0,
            valid_until: 10,
            sequence: seq,
        }
    }

    #[test]
    fn install_then_authenticate() {
        let (mut card, op) = card_and_key();
        assert_eq!(get_card_info(&mut card).unwrap().state, CardState::Blank);
        assert_eq!(read_entitlement(&mut card).unwrap(), None);
        let a = auth(&card, 5);
        let msg = a.emit_signed(&op).unwrap();
        install_authorisation(&mut card, &msg).unwrap();
        let info = get_card_info(&mut card).unwrap();
        assert_eq!((info.state, info.sequence), (CardState::Entitled, 5));
        assert_eq!(
            info.to_string(),
            "card 42, application v1, holds authorisation 5"
        );
        assert_eq!(read_entitlement(&mut card).unwrap().unwrap(), msg.to_vec());
        let nonce = [3u8; 32];
        let sig = internal_authenticate(&mut card, &nonce).unwrap();
        assert!(verify_card_signature(
            &info.public_key,
            42,
            &a.box_id,
            5,
            &nonce,
            &sig
        ));
        let other_box: BoxId = "BOX-2".parse().unwrap();
        assert!(!verify_card_signature(
            &info.public_key,
            42,
            &other_box,
            5,
            &nonce,
            &sig
        ));
    }

    #[test]
    fn card_refuses_forged_foreign_and_replayed() {
        let (mut card, op) = card_and_key();
        let m5 = auth(&card, 5).emit_signed(&op).unwrap();
        install_authorisation(&mut card, &m5).unwrap();
        let forged = auth(&card, 6)
            .emit_signed(&SigningKey::from_bytes(&[9; 32]))
            .unwrap();
        let status = |r: Result<(), CardError>| match r {
            Err(CardError::Status(sw)) => sw,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            status(install_authorisation(&mut card, &forged)),
            StatusWord::SECURITY_STATUS_NOT_SATISFIED
        );
        let mut foreign = auth(&card, 7);
        foreign.card_number = 43;
        assert_eq!(
            status(install_authorisation(
                &mut card,
                &foreign.emit_signed(&op).unwrap()
            )),
            SW_WRONG_CARD
        );
        let m4 = auth(&card, 4).emit_signed(&op).unwrap();
        assert_eq!(status(install_authorisation(&mut card, &m4)), SW_REPLAYED);
        assert_eq!(
            status(install_authorisation(&mut card, &[0; 10])),
            StatusWord::WRONG_LENGTH
        );
        assert_eq!(get_card_info(&mut card).unwrap().sequence, 5);
    }

    #[test]
    fn memory_image_round_trips() {
        let (mut card, op) = card_and_key();
        let m5 = auth(&card, 5).emit_signed(&op).unwrap();
        install_authorisation(&mut card, &m5).unwrap();
        let img = card.memory.to_bytes();
        assert_eq!(CardMemory::from_bytes(&img).unwrap(), card.memory);
        assert!(CardMemory::from_bytes(&img[1..]).is_none());
    }
}
