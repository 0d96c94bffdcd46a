//! EN 300 468 Annex A decoding (the first byte picks the default table, the rest is the
//! string), and encoding of the result.
#![no_main]
use libfuzzer_sys::fuzz_target;
use ts_si::text::{decode, decode_0x14, decode_freesat, encode, encode_compressed, Charset};

fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let mut all: Vec<Charset> = Charset::ALL.to_vec();
    all.extend((1..=15).filter(|&n| n != 12).map(Charset::Iso8859));
    let cs = all[pick as usize % all.len()];
    let s = decode(body, cs);
    let b = encode(&s, cs, pick & 0x80 != 0);
    let _ = decode(&b, cs);
    if pick == 0xFF {
        let _ = decode_0x14(body);
    }
    // Freesat Huffman (0x1F 0x01/0x02): any bytes decode; the text re-encodes and decodes
    // back (controls, which the format cannot carry, as spaces).
    for id in [1u8, 2] {
        if let Some(s) = decode_freesat(id, body) {
            let b = encode_compressed(&s, id).expect("tables 1 and 2 encode");
            let spaced: String = s.chars().map(|c| if c < ' ' { ' ' } else { c }).collect();
            assert_eq!(decode(&b, cs), spaced);
        }
    }
    if let Ok(s) = std::str::from_utf8(body) {
        // UTF-8 carries any text exactly (controls aside).
        assert_eq!(
            decode(&encode(s, Charset::Utf8, true), Charset::Iso6937),
            clean(s)
        );
    }
});

fn clean(s: &str) -> String {
    s.chars()
        .filter_map(|c| match c {
            '\n' | '\u{E08A}' => Some('\n'),
            '\u{E080}'..='\u{E09F}' => None,
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect()
}
