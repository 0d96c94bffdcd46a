//! The box side of activation: pairing with the card, importing authorisations, the position
//! lock, and the state shown on screen (docs/activation-protocol.md, "Box states").
//!
//! The caller supplies time (`now`, Unix seconds UTC, from the TDT or the RTC), the card (any
//! [`CardChannel`]: the reader, or the card application itself in tests) and position fixes.

use ed25519_dalek::VerifyingKey;
use serde::Serialize;
use smartcard::authorisation::{
    Authorisation, AuthorisationError, AuthorisationRepr, BoxId, MESSAGE_LEN,
};
use smartcard::card_app::{self, CardChannel, CardInfo, CardState, APP_VERSION};
use smartcard::CardError;

use crate::geo::{distance_m, Fix};
use crate::request::ActivationRequest;
use crate::section::{box_group, AuthorisationSection, SectionError};
use crate::status::{Lang, Status};
use crate::store::{Store, StoreError, StoredState};

/// Consecutive fixes outside the radius before the box locks: one stray fix never locks it.
pub const LOCK_AFTER_FIXES: u8 = 3;

/// Public key of the operator compiled into the firmware. This repository holds the TEST key
/// only (activation/testdata/TEST-operator.pub); a production image is built with its own.
pub const FIRMWARE_OPERATOR_KEY: [u8; 32] = hex32(include_str!("../testdata/TEST-operator.pub"));
/// Key id of [`FIRMWARE_OPERATOR_KEY`] in authorisations.
pub const FIRMWARE_KEY_ID: u8 = 0;

const fn hex32(s: &str) -> [u8; 32] {
    const fn nibble(c: u8) -> u8 {
        match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            b'A'..=b'F' => c - b'A' + 10,
            _ => panic!("operator public key file is not hex"),
        }
    }
    let b = s.as_bytes();
    assert!(b.len() >= 64, "operator public key file too short");
    let mut out = [0u8; 32];
    let mut i = 0;
    while i < 32 {
        out[i] = nibble(b[2 * i]) << 4 | nibble(b[2 * i + 1]);
        i += 1;
    }
    out
}

/// Why an authorisation was refused. Nothing stored changes.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("authorisation malformed: {0}")]
    Malformed(AuthorisationError),
    #[error("authorisation signed with an unknown operator key {0}")]
    UnknownKey(u8),
    #[error("authorisation signature is forged")]
    Forged,
    #[error("authorisation is for another box ({0})")]
    OtherBox(BoxId),
    #[error("authorisation is for another card ({0})")]
    OtherCard(u64),
    #[error("authorisation replayed: sequence {got} is not above {highest}")]
    Replayed { got: u64, highest: u64 },
    #[error("authorisation expired")]
    Expired,
    #[error("authorisation not valid yet")]
    NotYetValid,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ImportError {
    /// The code the installer is shown for this refusal, when one applies.
    pub fn status(&self) -> Option<Status> {
        match self {
            ImportError::OtherBox(_) | ImportError::OtherCard(_) => Some(Status::CardBoxMismatch),
            ImportError::Expired => Some(Status::AuthorisationLost),
            ImportError::NotYetValid => Some(Status::CardNotAuthorised),
            _ => None,
        }
    }
}

/// What the last look at the card found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CardCheck {
    Absent,
    Unrecognised,
    Security,
    Mismatch,
    Blank,
    Paired,
}

/// The box's identity: its id from the image and the operator keys it trusts.
#[derive(Debug, Clone)]
pub struct BoxIdentity {
    pub box_id: BoxId,
    pub operator_keys: Vec<(u8, VerifyingKey)>,
}

impl BoxIdentity {
    /// A box trusting the firmware key.
    pub fn with_firmware_key(box_id: BoxId) -> Self {
        let key = VerifyingKey::from_bytes(&FIRMWARE_OPERATOR_KEY)
            .expect("firmware operator key is a valid point");
        BoxIdentity {
            box_id,
            operator_keys: vec![(FIRMWARE_KEY_ID, key)],
        }
    }
}

/// Registered place as the report shows it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Home {
    pub lat: f64,
    pub lon: f64,
    pub radius_m: u32,
}

/// Everything the activation screen and `stb-app activation status --json` show.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub status: Status,
    pub code: Option<&'static str>,
    pub message_zh: &'static str,
    pub message_bo: &'static str,
    pub message_en: &'static str,
    pub box_id: String,
    pub card_number: Option<u64>,
    pub fix: Option<Fix>,
    pub distance_m: Option<f64>,
    pub home: Option<Home>,
    pub valid_from: Option<i64>,
    pub valid_until: Option<i64>,
    pub sequence: Option<u64>,
    pub position_locked: bool,
}

/// The activation state machine of one box.
pub struct Activation {
    id: BoxIdentity,
    store: Store,
    state: StoredState,
    /// The store was unreadable at start: until a card or the air restores it, E04.
    store_lost: bool,
    card: CardCheck,
    card_info: Option<CardInfo>,
    fix: Option<Fix>,
    outside: u8,
}

impl Activation {
    /// Loads the stored state. A damaged store is not fatal: the box shows E04 and recovers the
    /// authorisation from the card or the air.
    pub fn open(id: BoxIdentity, store: Store) -> Result<Self, StoreError> {
        let (state, store_lost) = match store.load() {
            Ok(s) => (s, false),
            Err(StoreError::Corrupt(_)) => (StoredState::default(), true),
            Err(e) => return Err(e),
        };
        Ok(Activation {
            id,
            store,
            state,
            store_lost,
            card: CardCheck::Absent,
            card_info: None,
            fix: None,
            outside: 0,
        })
    }

    pub fn box_id(&self) -> &BoxId {
        &self.id.box_id
    }
    pub fn stored(&self) -> &StoredState {
        &self.state
    }
    pub fn card_info(&self) -> Option<&CardInfo> {
        self.card_info.as_ref()
    }

    fn verify(&self, bytes: &[u8]) -> Result<AuthorisationRepr, ImportError> {
        let view = Authorisation::new_checked(bytes).map_err(ImportError::Malformed)?;
        let key = self
            .id
            .operator_keys
            .iter()
            .find(|(id, _)| *id == view.key_id())
            .map(|(_, k)| k)
            .ok_or(ImportError::UnknownKey(view.key_id()))?;
        AuthorisationRepr::verify(bytes, key).map_err(|e| match e {
            AuthorisationError::BadSignature => ImportError::Forged,
            other => ImportError::Malformed(other),
        })
    }

    /// The authorisation in force (its signature checked again).
    pub fn authorisation(&self) -> Option<AuthorisationRepr> {
        self.state
            .authorisation
            .as_ref()
            .and_then(|a| self.verify(a).ok())
    }

    fn commit(&mut self, message: &[u8; MESSAGE_LEN], seq: u64) -> Result<(), StoreError> {
        let new = StoredState {
            authorisation: Some(*message),
            highest_sequence: seq.max(self.state.highest_sequence),
            position_locked: false,
        };
        self.store.save(&new)?;
        self.state = new;
        self.store_lost = false;
        self.outside = 0;
        Ok(())
    }

    /// The card was taken out (E01).
    pub fn card_removed(&mut self) {
        self.card = CardCheck::Absent;
        self.card_info = None;
    }

    /// A card is in: recognise it, reconcile the authorisation between box and card, and
    /// authenticate it. Returns the state to show.
    pub fn card_inserted<C: CardChannel + ?Sized>(
        &mut self,
        ch: &mut C,
        now: i64,
    ) -> Result<Status, StoreError> {
        self.card = self.check_card(ch)?;
        Ok(self.status(now))
    }

    fn check_card<C: CardChannel + ?Sized>(&mut self, ch: &mut C) -> Result<CardCheck, StoreError> {
        fn lost(e: &CardError) -> CardCheck {
            match e {
                CardError::NoCard | CardError::CardRemoved => CardCheck::Absent,
                _ => CardCheck::Unrecognised,
            }
        }
        self.card_info = None;
        let info = match card_app::get_card_info(ch) {
            Ok(i) if i.version == APP_VERSION => i,
            Ok(_) => return Ok(CardCheck::Unrecognised),
            Err(e) => return Ok(lost(&e)),
        };
        self.card_info = Some(info);
        let on_card = if info.state == CardState::Entitled {
            match card_app::read_entitlement(ch) {
                Ok(Some(bytes)) => match self.verify(&bytes) {
                    Ok(r) => <[u8; MESSAGE_LEN]>::try_from(bytes.as_slice())
                        .ok()
                        .map(|b| (b, r)),
                    // A card holding something the operator did not sign is not to be trusted.
                    Err(_) => return Ok(CardCheck::Security),
                },
                Ok(None) => None,
                Err(e) => return Ok(lost(&e)),
            }
        } else {
            None
        };
        if let Some((_, r)) = &on_card {
            if r.card_number != info.card_number || r.card_public_key != info.public_key {
                return Ok(CardCheck::Security);
            }
        }
        let stored = self.authorisation();
        let auth = match (stored, on_card) {
            (None, None) => return Ok(CardCheck::Blank),
            (None, Some((bytes, r))) => {
                if r.box_id != self.id.box_id {
                    return Ok(CardCheck::Mismatch);
                }
                if r.sequence < self.state.highest_sequence {
                    return Ok(CardCheck::Blank);
                }
                // The box lost its store (or is new): the card remembers the pairing.
                self.commit(&bytes, r.sequence)?;
                r
            }
            (Some(s), on_card) => {
                if s.card_number != info.card_number || s.card_public_key != info.public_key {
                    return Ok(CardCheck::Mismatch);
                }
                match on_card {
                    Some((bytes, r)) if r.sequence > s.sequence => {
                        if r.box_id != self.id.box_id {
                            return Ok(CardCheck::Mismatch);
                        }
                        self.commit(&bytes, r.sequence)?;
                        r
                    }
                    Some((_, r)) if r.sequence == s.sequence => s,
                    _ => {
                        // The card is behind (new card, or power lost between box and card
                        // writes): bring it up to date.
                        let Some(bytes) = self.state.authorisation else {
                            return Ok(CardCheck::Blank);
                        };
                        match card_app::install_authorisation(ch, &bytes) {
                            Ok(()) => s,
                            Err(CardError::Status(_)) => return Ok(CardCheck::Security),
                            Err(e) => return Ok(lost(&e)),
                        }
                    }
                }
            }
        };
        let mut nonce = [0u8; 32];
        if getrandom::fill(&mut nonce).is_err() {
            return Ok(CardCheck::Unrecognised);
        }
        let sig = match card_app::internal_authenticate(ch, &nonce) {
            Ok(s) => s,
            Err(CardError::Status(_)) => return Ok(CardCheck::Security),
            Err(e) => return Ok(lost(&e)),
        };
        if !card_app::verify_card_signature(
            &auth.card_public_key,
            info.card_number,
            &self.id.box_id,
            auth.sequence,
            &nonce,
            &sig,
        ) {
            return Ok(CardCheck::Security);
        }
        Ok(CardCheck::Paired)
    }

    /// Imports one authorisation (from the air or a file). On success it is stored first, then
    /// installed into the card when one is in; on refusal nothing changes.
    pub fn import<C: CardChannel + ?Sized>(
        &mut self,
        message: &[u8],
        now: i64,
        card: Option<&mut C>,
    ) -> Result<Status, ImportError> {
        let r = self.verify(message)?;
        if r.box_id != self.id.box_id {
            return Err(ImportError::OtherBox(r.box_id));
        }
        if let Some(info) = &self.card_info {
            if r.card_number != info.card_number || r.card_public_key != info.public_key {
                return Err(ImportError::OtherCard(r.card_number));
            }
        }
        if r.sequence <= self.state.highest_sequence {
            return Err(ImportError::Replayed {
                got: r.sequence,
                highest: self.state.highest_sequence,
            });
        }
        if now >= r.valid_until {
            return Err(ImportError::Expired);
        }
        if now < r.valid_from {
            return Err(ImportError::NotYetValid);
        }
        let bytes = <[u8; MESSAGE_LEN]>::try_from(message)
            .map_err(|_| ImportError::Malformed(AuthorisationError::Oversized(message.len())))?;
        self.commit(&bytes, r.sequence)?;
        if let Some(ch) = card {
            self.card = self.check_card(ch)?;
        }
        Ok(self.status(now))
    }

    /// Imports what an activation section carries for this box; messages for other boxes of the
    /// same group are skipped silently (the air carries everybody's).
    pub fn import_section<C: CardChannel + ?Sized>(
        &mut self,
        section: &[u8],
        now: i64,
        mut card: Option<&mut C>,
    ) -> Result<Vec<Result<Status, ImportError>>, SectionError> {
        let s = AuthorisationSection::new_checked(section)?;
        if s.group() != box_group(&self.id.box_id) {
            return Ok(Vec::new());
        }
        let mut out = Vec::new();
        for m in s.messages() {
            let m = m?;
            match self.import(m, now, card.as_deref_mut()) {
                Err(ImportError::OtherBox(_)) => {}
                // The same authorisation is broadcast again and again.
                Err(ImportError::Replayed { got, highest }) if got == highest => {}
                r => out.push(r),
            }
        }
        Ok(out)
    }

    /// A position fix, or `None` when the module has none (no fix is not the same as moved: it
    /// neither locks nor unlocks). Locks after [`LOCK_AFTER_FIXES`] consecutive fixes outside the
    /// registered radius; unlocks at the first fix back inside it, or with a new authorisation.
    pub fn position(&mut self, fix: Option<Fix>) -> Result<(), StoreError> {
        self.fix = fix;
        let (Some(fix), Some(auth)) = (fix, self.authorisation()) else {
            return Ok(());
        };
        let home = Fix {
            lat: auth.latitude(),
            lon: auth.longitude(),
        };
        let outside = distance_m(home, fix) > f64::from(auth.radius_m);
        let locked = if outside {
            self.outside = self.outside.saturating_add(1);
            self.state.position_locked || self.outside >= LOCK_AFTER_FIXES
        } else {
            self.outside = 0;
            false
        };
        if locked != self.state.position_locked {
            let new = StoredState {
                position_locked: locked,
                ..self.state.clone()
            };
            self.store.save(&new)?;
            self.state = new;
        }
        Ok(())
    }

    /// The state to show now.
    pub fn status(&self, now: i64) -> Status {
        match self.card {
            CardCheck::Absent => Status::NoCard,
            CardCheck::Unrecognised => Status::CardNotRecognised,
            CardCheck::Security => Status::CardSecurity,
            CardCheck::Mismatch => Status::CardBoxMismatch,
            CardCheck::Blank if self.store_lost => Status::AuthorisationLost,
            CardCheck::Blank => Status::NotActivated,
            CardCheck::Paired => match self.authorisation() {
                None => Status::AuthorisationLost,
                Some(a) if now >= a.valid_until => Status::AuthorisationLost,
                Some(a) if now < a.valid_from => Status::CardNotAuthorised,
                Some(_) if self.state.position_locked => Status::PositionChanged,
                Some(_) => Status::Activated,
            },
        }
    }

    pub fn report(&self, now: i64) -> Report {
        let status = self.status(now);
        let auth = self.authorisation();
        let home = auth.map(|a| Home {
            lat: a.latitude(),
            lon: a.longitude(),
            radius_m: a.radius_m,
        });
        Report {
            status,
            code: status.code(),
            message_zh: status.message(Lang::Zh),
            message_bo: status.message(Lang::Bo),
            message_en: status.message(Lang::En),
            box_id: self.id.box_id.to_string(),
            card_number: self.card_info.map(|c| c.card_number),
            fix: self.fix,
            distance_m: match (home, self.fix) {
                (Some(h), Some(f)) => Some(distance_m(
                    Fix {
                        lat: h.lat,
                        lon: h.lon,
                    },
                    f,
                )),
                _ => None,
            },
            home,
            valid_from: auth.map(|a| a.valid_from),
            valid_until: auth.map(|a| a.valid_until),
            sequence: auth.map(|a| a.sequence),
            position_locked: self.state.position_locked,
        }
    }

    /// The activation request for the QR code on the activation screen.
    pub fn request(&self) -> ActivationRequest {
        let mut nonce = [0u8; 8];
        // Without entropy the nonce is only less unique; the request is still valid.
        let _ = getrandom::fill(&mut nonce);
        ActivationRequest {
            box_id: self.id.box_id,
            card_number: self.card_info.map(|c| c.card_number),
            fix: self.fix,
            nonce,
        }
    }
}
