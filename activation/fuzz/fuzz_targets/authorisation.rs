//! Everything that reads an authorisation from outside: the message itself (view, fields,
//! signature), the private section that carries it over the air, the file on a USB stick, the
//! QR payload and the household record. Never panics; what parses emits back the same.
#![no_main]
use activation::household::HouseholdRecord;
use activation::message::{parse_file, Authorisation, AuthorisationRepr};
use activation::request::ActivationRequest;
use activation::section::{AuthorisationSection, AuthorisationSectionRepr};
use ed25519_dalek::VerifyingKey;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let key = VerifyingKey::from_bytes(&activation::engine::FIRMWARE_OPERATOR_KEY).unwrap();
    if let Ok(view) = Authorisation::new_checked(data) {
        if let Ok(repr) = AuthorisationRepr::parse(&view) {
            assert_eq!(&repr.emit_unsigned().unwrap()[..], view.signed_part());
        }
    }
    let _ = AuthorisationRepr::verify(data, &key);
    if let Ok(s) = AuthorisationSection::new_checked(data) {
        let repr = AuthorisationSectionRepr::parse(&s);
        // Reserved bits may differ; everything else survives the round trip.
        let again = repr.to_bytes().unwrap();
        assert_eq!(again.len(), data.len());
        assert_eq!(
            AuthorisationSectionRepr::parse(
                &AuthorisationSection::new_checked(&again[..]).unwrap()
            ),
            repr
        );
        for m in s.messages().flatten() {
            let _ = AuthorisationRepr::verify(m, &key);
        }
    }
    if let Ok(msgs) = parse_file(data) {
        for m in msgs {
            let _ = AuthorisationRepr::verify(&m, &key);
        }
    }
    if let Ok(s) = std::str::from_utf8(data) {
        if let Some(r) = ActivationRequest::from_payload(s) {
            let _ = r.to_payload();
        }
        let _ = HouseholdRecord::from_json(s);
    }
});
