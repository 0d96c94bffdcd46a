//! Shared by the activation tests: TEST keys, a box, cards and authorisations.
#![allow(dead_code)]

use std::path::PathBuf;

use activation::message::{AuthorisationRepr, BoxId, MESSAGE_LEN};
use activation::store::Store;
use activation::{Activation, BoxIdentity};
use ed25519_dalek::SigningKey;
use smartcard::card_app::{ActivationCard, CardMemory};
use smartcard::keyfile::parse_hex32;

pub const NOW: i64 = 1_795_000_000; // 2026-11-18
pub const DAY: i64 = 86_400;
pub const HOME: (f64, f64) = (29.652, 91.172);
pub const CARD_1: u64 = 8_100_000_001;
pub const CARD_2: u64 = 8_100_000_002;

pub fn operator() -> SigningKey {
    SigningKey::from_bytes(
        &parse_hex32(include_str!("../../testdata/TEST-operator-signing.key")).unwrap(),
    )
}

pub fn card_secret(n: u64) -> [u8; 32] {
    match n {
        CARD_1 => parse_hex32(include_str!(
            "../../../smartcard/testdata/TEST-card-8100000001.key"
        ))
        .unwrap(),
        CARD_2 => parse_hex32(include_str!(
            "../../../smartcard/testdata/TEST-card-8100000002.key"
        ))
        .unwrap(),
        other => [(other & 0xFF) as u8; 32],
    }
}

pub fn card(n: u64) -> ActivationCard {
    ActivationCard::new(CardMemory::new(
        n,
        card_secret(n),
        operator().verifying_key().to_bytes(),
    ))
}

pub fn box_id(s: &str) -> BoxId {
    s.parse().unwrap()
}

pub fn temp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("hht-act-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

pub fn open_box(dir: &std::path::Path, id: &str) -> Activation {
    Activation::open(BoxIdentity::with_firmware_key(box_id(id)), Store::new(dir)).unwrap()
}

pub fn auth(card_number: u64, box_id_s: &str, seq: u64) -> AuthorisationRepr {
    AuthorisationRepr {
        key_id: 0,
        card_number,
        card_public_key: SigningKey::from_bytes(&card_secret(card_number))
            .verifying_key()
            .to_bytes(),
        box_id: box_id(box_id_s),
        latitude_e7: (HOME.0 * 1e7) as i32,
        longitude_e7: (HOME.1 * 1e7) as i32,
        radius_m: 500,
        valid_from: NOW - DAY,
        valid_until: NOW + 365 * DAY,
        sequence: seq,
    }
}

pub fn signed(a: &AuthorisationRepr) -> [u8; MESSAGE_LEN] {
    a.emit_signed(&operator()).unwrap()
}
