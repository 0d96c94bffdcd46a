//! NMEA bytes straight from a serial port: the splitter, the parser and the fix state must
//! never panic, whatever arrives. Also checks that whatever parses survives a re-emit.
#![no_main]

use dish_align::nmea::{checksum, parse, FixState, LineSplitter, Sentence};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // As one line.
    if let Ok(s) = parse(data) {
        let _ = s.summary();
    }
    // As a stream in two pieces split at a data-chosen point.
    let cut = data.first().map_or(0, |&b| b as usize % (data.len() + 1));
    let mut sp = LineSplitter::new();
    let mut st = FixState::default();
    let mut lines = Vec::new();
    sp.push(&data[..cut], |l| lines.push(l.to_vec()));
    sp.push(&data[cut..], |l| lines.push(l.to_vec()));
    sp.push(b"\r\n", |l| lines.push(l.to_vec()));
    for l in &lines {
        if let Ok(s) = parse(l) {
            if let Some(f) = st.update(&s) {
                assert!(f.lat_deg.abs() <= 90.0 && f.lon_deg.abs() <= 180.0);
            }
            // A sentence that parsed had a valid checksum.
            if !matches!(s, Sentence::Other { .. }) {
                let star = l.iter().rposition(|&b| b == b'*').unwrap();
                let hex = std::str::from_utf8(&l[star + 1..]).unwrap().trim();
                assert_eq!(u8::from_str_radix(hex, 16).unwrap(), checksum(&l[1..star]));
            }
        }
    }
    let _ = st.satellites_in_view();
});
