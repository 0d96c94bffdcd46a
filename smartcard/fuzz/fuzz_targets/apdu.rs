//! Command and response APDU parsers, and the card application behind them: never panic;
//! commands that parse emit back to the same bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;
use smartcard::apdu::{CommandApdu, CommandRepr, ResponseApdu, ResponseRepr};
use smartcard::card_app::{ActivationCard, CardApplication, CardMemory};

fuzz_target!(|data: &[u8]| {
    if let Ok(view) = CommandApdu::new_checked(data) {
        let repr = CommandRepr::parse(&view);
        assert_eq!(repr.to_bytes().expect("parsed APDU emits"), data);
        let mut card = ActivationCard::new(CardMemory::new(
            1,
            [1; 32],
            [
                0x91, 0xca, 0x0f, 0xe5, 0xc9, 0x75, 0xd4, 0x49, 0x7e, 0x3c, 0xcd, 0x3e, 0x18, 0x4d,
                0x4f, 0x01, 0x96, 0x47, 0xab, 0x85, 0xc4, 0x19, 0x54, 0x36, 0x96, 0x0d, 0x3c, 0x0e,
                0x89, 0x51, 0xee, 0x8e,
            ],
        ));
        let r = card.process(&repr);
        let _ = r.status.to_string();
    }
    if let Ok(view) = ResponseApdu::new_checked(data) {
        let repr = ResponseRepr::parse(&view);
        assert_eq!(repr.to_bytes(), data);
        let _ = repr.status.meaning();
    }
});
