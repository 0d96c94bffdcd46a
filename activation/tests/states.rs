//! The box states a household sees: activation, pairing faults, recovery, expiry and the
//! position lock.

mod common;

use activation::store::Store;
use activation::{Fix, Status};
use common::*;
use smartcard::apdu::{CommandRepr, ResponseRepr, StatusWord};
use smartcard::card_app::{
    self, ActivationCard, CardChannel, CardMemory, CardState, INS_GET_CARD_INFO,
};
use smartcard::CardError;

#[test]
fn fresh_box_activates_and_pairs() {
    let dir = temp_dir("fresh");
    let mut stb = open_box(&dir, "HHT-0001");
    assert_eq!(stb.status(NOW), Status::NoCard);
    let mut c = card(CARD_1);
    assert_eq!(
        stb.card_inserted(&mut c, NOW).unwrap(),
        Status::NotActivated
    );
    let req = stb.request().to_payload();
    assert!(req.starts_with("HHT1/HHT-0001/8100000001/"), "{req}");
    assert_eq!(
        stb.import(&signed(&auth(CARD_1, "HHT-0001", 1)), NOW, Some(&mut c))
            .unwrap(),
        Status::Activated
    );
    // The card now holds the pairing too.
    let info = card_app::get_card_info(&mut c).unwrap();
    assert_eq!((info.state, info.sequence), (CardState::Entitled, 1));
    stb.card_removed();
    assert_eq!(stb.status(NOW), Status::NoCard);
    assert_eq!(stb.card_inserted(&mut c, NOW).unwrap(), Status::Activated);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn cards_and_boxes_that_do_not_match() {
    let dir = temp_dir("mismatch");
    let mut stb = open_box(&dir, "HHT-0001");
    let mut c1 = card(CARD_1);
    stb.card_inserted(&mut c1, NOW).unwrap();
    stb.import(&signed(&auth(CARD_1, "HHT-0001", 1)), NOW, Some(&mut c1))
        .unwrap();
    // Another household's blank card in this box.
    assert_eq!(
        stb.card_inserted(&mut card(CARD_2), NOW).unwrap(),
        Status::CardBoxMismatch
    );
    // This box's card in a neighbour's fresh box.
    let dir2 = temp_dir("mismatch2");
    let mut other = open_box(&dir2, "HHT-0002");
    assert_eq!(
        other.card_inserted(&mut c1, NOW).unwrap(),
        Status::CardBoxMismatch
    );
    // A clone: right card number, another key.
    let mut clone = ActivationCard::new(CardMemory::new(
        CARD_1,
        [0x77; 32],
        operator().verifying_key().to_bytes(),
    ));
    assert_eq!(
        stb.card_inserted(&mut clone, NOW).unwrap(),
        Status::CardBoxMismatch
    );
    assert_eq!(stb.card_inserted(&mut c1, NOW).unwrap(), Status::Activated);
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&dir2);
}

/// A card that claims the genuine card's identity but does not hold its key.
struct Impostor {
    real: ActivationCard,
    fake: ActivationCard,
}
impl CardChannel for Impostor {
    fn transmit(&mut self, cmd: &CommandRepr<'_>) -> Result<ResponseRepr, CardError> {
        if cmd.ins == INS_GET_CARD_INFO {
            self.real.transmit(cmd)
        } else {
            self.fake.transmit(cmd)
        }
    }
}

/// A card of another application: it knows none of our instructions.
struct Foreign;
impl CardChannel for Foreign {
    fn transmit(&mut self, _: &CommandRepr<'_>) -> Result<ResponseRepr, CardError> {
        Ok(ResponseRepr::status_only(StatusWord::INS_NOT_SUPPORTED))
    }
}

#[test]
fn impostor_and_foreign_cards() {
    let dir = temp_dir("impostor");
    let mut stb = open_box(&dir, "HHT-0001");
    let mut c1 = card(CARD_1);
    stb.card_inserted(&mut c1, NOW).unwrap();
    stb.import(&signed(&auth(CARD_1, "HHT-0001", 1)), NOW, Some(&mut c1))
        .unwrap();
    let mut fake = ActivationCard::new(CardMemory::new(
        CARD_1,
        [0x78; 32],
        operator().verifying_key().to_bytes(),
    ));
    fake.memory.entitlement = c1.memory.entitlement;
    let mut impostor = Impostor {
        real: c1.clone(),
        fake,
    };
    assert_eq!(
        stb.card_inserted(&mut impostor, NOW).unwrap(),
        Status::CardSecurity
    );
    assert_eq!(
        stb.card_inserted(&mut Foreign, NOW).unwrap(),
        Status::CardNotRecognised
    );
    assert_eq!(stb.status(NOW).code(), Some("E02"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn lost_store_is_recovered_from_the_card_and_card_catches_up() {
    let dir = temp_dir("recover");
    let mut stb = open_box(&dir, "HHT-0001");
    let mut c1 = card(CARD_1);
    stb.card_inserted(&mut c1, NOW).unwrap();
    stb.import(&signed(&auth(CARD_1, "HHT-0001", 1)), NOW, Some(&mut c1))
        .unwrap();
    // Flash damaged: the box shows E04 until the card is read, then recovers the pairing.
    let mut bytes = std::fs::read(dir.join("state.bin")).unwrap();
    bytes[30] ^= 0xFF;
    std::fs::write(dir.join("state.bin"), &bytes).unwrap();
    let mut stb = open_box(&dir, "HHT-0001");
    assert_eq!(
        stb.card_inserted(&mut card(CARD_2), NOW).unwrap(),
        Status::AuthorisationLost
    );
    assert_eq!(stb.card_inserted(&mut c1, NOW).unwrap(), Status::Activated);
    assert_eq!(Store::new(&dir).load().unwrap().highest_sequence, 1);
    // Power lost after the box stored seq 2 but before the card got it: the card catches up.
    stb.card_removed();
    stb.import::<ActivationCard>(&signed(&auth(CARD_1, "HHT-0001", 2)), NOW, None)
        .unwrap();
    assert_eq!(card_app::get_card_info(&mut c1).unwrap().sequence, 1);
    assert_eq!(stb.card_inserted(&mut c1, NOW).unwrap(), Status::Activated);
    assert_eq!(card_app::get_card_info(&mut c1).unwrap().sequence, 2);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn authorisation_expires() {
    let dir = temp_dir("expiry");
    let mut stb = open_box(&dir, "HHT-0001");
    let mut c1 = card(CARD_1);
    stb.card_inserted(&mut c1, NOW).unwrap();
    let a = auth(CARD_1, "HHT-0001", 1);
    stb.import(&signed(&a), NOW, Some(&mut c1)).unwrap();
    assert_eq!(stb.status(a.valid_until - 1), Status::Activated);
    assert_eq!(stb.status(a.valid_until), Status::AuthorisationLost);
    assert_eq!(stb.status(a.valid_from - 1), Status::CardNotAuthorised);
    // A renewal arrives and the box works again.
    let later = a.valid_until + DAY;
    let mut renewal = auth(CARD_1, "HHT-0001", 2);
    renewal.valid_from = later - DAY;
    renewal.valid_until = later + 365 * DAY;
    assert_eq!(
        stb.import(&signed(&renewal), later, Some(&mut c1)).unwrap(),
        Status::Activated
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Walks north from home in 100 m steps to 1 km and back.
#[test]
fn position_lock_walking_away_and_back() {
    let dir = temp_dir("walk");
    let mut stb = open_box(&dir, "HHT-0001");
    let mut c1 = card(CARD_1);
    stb.card_inserted(&mut c1, NOW).unwrap();
    stb.import(&signed(&auth(CARD_1, "HHT-0001", 1)), NOW, Some(&mut c1))
        .unwrap();
    let step = 100.0 / 110_850.0; // degrees of latitude per 100 m near 29.65°N
    let at = |k: i32| Some(Fix::new(HOME.0 + f64::from(k) * step, HOME.1).unwrap());
    let mut seen = Vec::new();
    for k in (0..=10).chain((0..10).rev()) {
        stb.position(at(k)).unwrap();
        seen.push((k, stb.status(NOW)));
        if k == 10 {
            // No fix far away: still locked (no fix is not the same as being back).
            stb.position(None).unwrap();
            assert_eq!(stb.status(NOW), Status::PositionChanged);
            // A restart far away keeps the lock.
            let mut again = open_box(&dir, "HHT-0001");
            again.card_inserted(&mut c1, NOW).unwrap();
            assert_eq!(again.status(NOW), Status::PositionChanged);
        }
    }
    let status_at = |k: i32, back: bool| {
        let hits: Vec<_> = seen.iter().filter(|(s, _)| *s == k).collect();
        if back {
            hits[1].1
        } else {
            hits[0].1
        }
    };
    // Within 500 m: fine. 600 and 700 m: outside, but fewer than 3 fixes. 800 m: locked.
    assert_eq!(status_at(5, false), Status::Activated);
    assert_eq!(status_at(6, false), Status::Activated);
    assert_eq!(status_at(7, false), Status::Activated);
    assert_eq!(status_at(8, false), Status::PositionChanged);
    assert_eq!(status_at(6, true), Status::PositionChanged);
    assert_eq!(
        status_at(4, true),
        Status::Activated,
        "back inside the radius unlocks"
    );
    // No fix at home never locks an unlocked box.
    stb.position(None).unwrap();
    assert_eq!(stb.status(NOW), Status::Activated);
    let report = stb.report(NOW);
    assert_eq!(report.home.unwrap().radius_m, 500);
    assert!(!report.position_locked);
    // Moved for good: a new authorisation for the new place unlocks.
    for _ in 0..3 {
        stb.position(at(30)).unwrap();
    }
    assert_eq!(stb.status(NOW), Status::PositionChanged);
    let mut moved = auth(CARD_1, "HHT-0001", 2);
    moved.latitude_e7 = ((HOME.0 + 30.0 * step) * 1e7) as i32;
    assert_eq!(
        stb.import(&signed(&moved), NOW, Some(&mut c1)).unwrap(),
        Status::Activated
    );
    stb.position(at(30)).unwrap();
    assert_eq!(stb.status(NOW), Status::Activated);
    let json = serde_json::to_string(&stb.report(NOW)).unwrap();
    assert!(json.contains("\"status\":\"activated\""), "{json}");
    let _ = std::fs::remove_dir_all(&dir);
}
