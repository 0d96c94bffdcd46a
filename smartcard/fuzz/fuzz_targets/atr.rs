//! ATR parser: never panics; whatever parses emits back to the same bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;
use smartcard::atr::{self, Atr, AtrRepr};

fuzz_target!(|data: &[u8]| {
    let _ = atr::progress(data);
    if let Ok(view) = Atr::new_checked(data) {
        let _ = view.tck();
        let repr = AtrRepr::parse(&view);
        assert_eq!(repr.to_bytes().expect("parsed ATR emits"), data);
        let _ = repr.to_string();
        let _ = repr.fi_di();
        let _ = repr.work_waiting_time(372, atr::PHOENIX_CLOCK_HZ);
        let _ = repr.initial_baud(atr::PHOENIX_CLOCK_HZ);
    }
    if let Ok(repr) = AtrRepr::parse_raw(data) {
        // Raw inverse-convention bytes (TS read as 03) come back as line bytes, the rest as is.
        let again = if data[0] == atr::TS_INVERSE_RAW {
            repr.to_line_bytes()
        } else {
            repr.to_bytes()
        };
        assert_eq!(again.expect("parsed ATR emits"), data);
    }
});
