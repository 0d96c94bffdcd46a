//! Every way an authorisation can be wrong is refused with the right state, and none changes
//! what the box or the card stored. The cases are counted and the count printed (this target
//! runs without the libtest harness, which would capture it).

mod common;

use activation::engine::ImportError;
use activation::message::{AuthorisationError, AuthorisationRepr, MESSAGE_LEN};
use activation::section::{box_group, AuthorisationSectionRepr};
use activation::Status;
use common::*;
use ed25519_dalek::SigningKey;
use smartcard::card_app::{self, ActivationCard};

type Check = fn(&ImportError) -> bool;

fn main() {
    if std::env::args().any(|a| a == "--list") {
        println!("security: test");
        return;
    }
    hostile_authorisations_are_refused_and_change_nothing();
    println!("test result: ok. 1 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out");
}

fn hostile_authorisations_are_refused_and_change_nothing() {
    let dir = temp_dir("security");
    let mut stb = open_box(&dir, "HHT-0001");
    let mut card1: ActivationCard = card(CARD_1);
    assert_eq!(
        stb.card_inserted(&mut card1, NOW).unwrap(),
        Status::NotActivated
    );
    let good = auth(CARD_1, "HHT-0001", 5);
    assert_eq!(
        stb.import(&signed(&good), NOW, Some(&mut card1)).unwrap(),
        Status::Activated
    );

    let mut cases: Vec<(String, Vec<u8>, Check, Option<Status>)> = Vec::new();
    let mut add = |name: &str, bytes: Vec<u8>, check: Check, shown: Option<Status>| {
        cases.push((name.to_owned(), bytes, check, shown))
    };
    let with = |f: &dyn Fn(&mut AuthorisationRepr)| {
        let mut a = auth(CARD_1, "HHT-0001", 6);
        f(&mut a);
        a
    };

    // Forgeries.
    let forger = SigningKey::from_bytes(&[0x66; 32]);
    add(
        "signed by another key",
        with(&|_| {}).emit_signed(&forger).unwrap().to_vec(),
        |e| matches!(e, ImportError::Forged),
        None,
    );
    for pos in [4usize, 20, 50, 61, 70, 80, 90, 95, 100, 159] {
        let mut m = signed(&with(&|_| {}));
        m[pos] ^= 0x01;
        add(
            &format!("bit flipped at byte {pos}"),
            m.to_vec(),
            |e| matches!(e, ImportError::Forged),
            None,
        );
    }
    let mut zero_sig = signed(&with(&|_| {}));
    zero_sig[96..].fill(0);
    add(
        "all-zero signature",
        zero_sig.to_vec(),
        |e| matches!(e, ImportError::Forged),
        None,
    );
    add(
        "unknown operator key id",
        with(&|a| a.key_id = 7)
            .emit_signed(&operator())
            .unwrap()
            .to_vec(),
        |e| matches!(e, ImportError::UnknownKey(7)),
        None,
    );
    // Valid signatures, wrong content.
    add(
        "another box",
        signed(&auth(CARD_1, "HHT-0002", 6)).to_vec(),
        |e| matches!(e, ImportError::OtherBox(_)),
        Some(Status::CardBoxMismatch),
    );
    add(
        "another card",
        signed(&auth(CARD_2, "HHT-0001", 6)).to_vec(),
        |e| matches!(e, ImportError::OtherCard(_)),
        Some(Status::CardBoxMismatch),
    );
    add(
        "same card number, another card key (clone)",
        signed(&with(&|a| a.card_public_key = [9; 32])).to_vec(),
        |e| matches!(e, ImportError::OtherCard(_)),
        Some(Status::CardBoxMismatch),
    );
    add(
        "expired",
        signed(&with(&|a| {
            a.valid_from = NOW - 10 * DAY;
            a.valid_until = NOW - DAY
        }))
        .to_vec(),
        |e| matches!(e, ImportError::Expired),
        Some(Status::AuthorisationLost),
    );
    add(
        "expires this second",
        signed(&with(&|a| a.valid_until = NOW)).to_vec(),
        |e| matches!(e, ImportError::Expired),
        Some(Status::AuthorisationLost),
    );
    add(
        "not yet valid",
        signed(&with(&|a| a.valid_from = NOW + 1)).to_vec(),
        |e| matches!(e, ImportError::NotYetValid),
        Some(Status::CardNotAuthorised),
    );
    add(
        "replayed older sequence",
        signed(&auth(CARD_1, "HHT-0001", 4)).to_vec(),
        |e| matches!(e, ImportError::Replayed { .. }),
        None,
    );
    add(
        "replayed same sequence",
        signed(&good).to_vec(),
        |e| matches!(e, ImportError::Replayed { .. }),
        None,
    );
    add(
        "sequence zero",
        signed(&with(&|a| a.sequence = 0)).to_vec(),
        |e| matches!(e, ImportError::Replayed { .. }),
        None,
    );
    // Wrong sizes and shapes.
    let full = signed(&with(&|_| {}));
    for len in [0usize, 1, 2, 3, 4, 64, 95, 96, 97, 158, 159] {
        add(
            &format!("truncated to {len} bytes"),
            full[..len].to_vec(),
            |e| {
                matches!(
                    e,
                    ImportError::Malformed(
                        AuthorisationError::Truncated(_) | AuthorisationError::BadMagic
                    )
                )
            },
            None,
        );
    }
    for extra in [1usize, 2, 64, 96, 1000, 65_536] {
        let mut m = full.to_vec();
        m.resize(MESSAGE_LEN + extra, 0);
        add(
            &format!("oversized by {extra} bytes"),
            m,
            |e| matches!(e, ImportError::Malformed(AuthorisationError::Oversized(_))),
            None,
        );
    }
    let mut bad_magic = full;
    bad_magic[0] = b'X';
    add(
        "bad magic",
        bad_magic.to_vec(),
        |e| matches!(e, ImportError::Malformed(AuthorisationError::BadMagic)),
        None,
    );
    let mut v2 = full;
    v2[2] = 2;
    add(
        "future format version",
        v2.to_vec(),
        |e| {
            matches!(
                e,
                ImportError::Malformed(AuthorisationError::UnsupportedVersion(2))
            )
        },
        None,
    );
    add(
        "validity period inverted",
        signed_raw(&with(&|a| {
            a.valid_from = NOW + DAY;
            a.valid_until = NOW - DAY
        })),
        |e| {
            matches!(
                e,
                ImportError::Malformed(AuthorisationError::InvalidField(_))
            )
        },
        None,
    );
    add(
        "latitude out of range",
        signed_raw(&with(&|a| a.latitude_e7 = 950_000_000)),
        |e| {
            matches!(
                e,
                ImportError::Malformed(AuthorisationError::InvalidField(_))
            )
        },
        None,
    );
    add(
        "box id with lower case",
        {
            let mut m = signed(&with(&|_| {}));
            m[44] = b'h';
            resign(&mut m);
            m.to_vec()
        },
        |e| {
            matches!(
                e,
                ImportError::Malformed(AuthorisationError::InvalidField(_))
            )
        },
        None,
    );

    let store_before = std::fs::read(dir.join("state.bin")).unwrap();
    let card_before = card1.memory.clone();
    let status_before = stb.status(NOW);
    let mut refused = 0;
    for (name, bytes, check, shown) in &cases {
        let err = stb
            .import(&bytes[..], NOW, Some(&mut card1))
            .expect_err(name);
        assert!(check(&err), "{name}: refused for the wrong reason: {err:?}");
        assert_eq!(err.status(), *shown, "{name}: code shown");
        assert_eq!(stb.status(NOW), status_before, "{name}: state changed");
        assert_eq!(
            std::fs::read(dir.join("state.bin")).unwrap(),
            store_before,
            "{name}: store changed"
        );
        assert_eq!(card1.memory, card_before, "{name}: card changed");
        refused += 1;
    }
    // The same hostile messages over the air, in one section, change nothing either.
    let msgs: Vec<&[u8]> = cases
        .iter()
        .map(|c| &c.1[..])
        .filter(|m| m.len() <= 1000)
        .collect();
    for chunk in msgs.chunks(16) {
        let section = AuthorisationSectionRepr {
            group: box_group(&box_id("HHT-0001")),
            version: 1,
            section_number: 0,
            last_section_number: 0,
            messages: chunk.to_vec(),
        }
        .to_bytes()
        .unwrap();
        let results = stb.import_section(&section, NOW, Some(&mut card1)).unwrap();
        assert!(results.iter().all(|r| r.is_err()));
    }
    assert_eq!(std::fs::read(dir.join("state.bin")).unwrap(), store_before);
    assert_eq!(card1.memory, card_before);
    // And the card refuses what the box refused, on its own.
    let forged = with(&|_| {}).emit_signed(&forger).unwrap();
    assert!(card_app::install_authorisation(&mut card1, &forged).is_err());
    assert_eq!(card1.memory, card_before);

    println!("security: {} hostile authorisation cases tried, {refused} refused with the right state, store and card unchanged", cases.len());
    assert_eq!(refused, cases.len());
    assert!(cases.len() >= 40);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Signs without the field checks of `emit_signed`, to build messages a careless operator tool
/// could produce.
fn signed_raw(a: &AuthorisationRepr) -> Vec<u8> {
    let mut m = [0u8; MESSAGE_LEN];
    let ok = AuthorisationRepr {
        valid_from: 0,
        valid_until: 1,
        latitude_e7: 0,
        ..*a
    };
    m.copy_from_slice(&signed(&ok));
    m[60..64].copy_from_slice(&a.latitude_e7.to_be_bytes());
    m[72..80].copy_from_slice(&a.valid_from.to_be_bytes());
    m[80..88].copy_from_slice(&a.valid_until.to_be_bytes());
    resign(&mut m);
    m.to_vec()
}

fn resign(m: &mut [u8; MESSAGE_LEN]) {
    use ed25519_dalek::Signer;
    let sig = operator().sign(&m[..96]);
    m[96..].copy_from_slice(&sig.to_bytes());
}
