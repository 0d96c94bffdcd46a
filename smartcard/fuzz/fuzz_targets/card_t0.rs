//! The card side: the emulator's T=0 engine and the card application fed arbitrary reader bytes
//! (reset requests, headers, data, GET RESPONSE), with and without echo and byte-by-byte
//! transfers. Never panics, always returns when the bytes run out.
#![no_main]
use std::io;
use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use smartcard::card_app::{ActivationCard, CardMemory};
use smartcard::emulator::{self, CardControl, EmulatorOptions};
use smartcard::line::ByteLine;

struct Reader<'a> {
    stream: &'a [u8],
    pos: usize,
    control: &'a CardControl,
}

impl ByteLine for Reader<'_> {
    fn send(&mut self, _: &[u8]) -> io::Result<()> {
        Ok(())
    }
    fn recv(&mut self, _: Duration) -> io::Result<Option<u8>> {
        let b = self.stream.get(self.pos).copied();
        self.pos += 1;
        if b.is_none() {
            self.control.stop();
        }
        Ok(b)
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&ctl, stream)) = data.split_first() else {
        return;
    };
    let control = CardControl::default();
    if ctl & 4 != 0 {
        control.pull_during_next_command();
    }
    let mut card = ActivationCard::new(CardMemory::new(
        8_100_000_001,
        [1; 32],
        [
            0x91, 0xca, 0x0f, 0xe5, 0xc9, 0x75, 0xd4, 0x49, 0x7e, 0x3c, 0xcd, 0x3e, 0x18, 0x4d,
            0x4f, 0x01, 0x96, 0x47, 0xab, 0x85, 0xc4, 0x19, 0x54, 0x36, 0x96, 0x0d, 0x3c, 0x0e,
            0x89, 0x51, 0xee, 0x8e,
        ],
    ));
    if ctl & 8 != 0 {
        card.convention = smartcard::atr::Convention::Inverse;
    }
    let opts = EmulatorOptions {
        echo: ctl & 1 != 0,
        byte_by_byte: ctl & 2 != 0,
    };
    let mut line = Reader {
        stream,
        pos: 0,
        control: &control,
    };
    emulator::run(&mut line, &mut card, opts, &control).expect("a line without errors");
});
