//! The reader's T=0 engine fed an arbitrary stream of card bytes (procedure bytes, data, status
//! words, GET RESPONSE and Le-correction loops): never panics, never loops forever.
#![no_main]
use std::io;
use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use smartcard::apdu::CommandRepr;
use smartcard::line::ByteLine;
use smartcard::t0::{T0Config, T0};

struct Card<'a> {
    stream: &'a [u8],
    pos: usize,
    echo: bool,
    sent: Vec<u8>,
}

impl ByteLine for Card<'_> {
    fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        if self.echo {
            self.sent.extend_from_slice(bytes);
        }
        Ok(())
    }
    fn recv(&mut self, _: Duration) -> io::Result<Option<u8>> {
        if !self.sent.is_empty() {
            return Ok(Some(self.sent.remove(0)));
        }
        let b = self.stream.get(self.pos).copied();
        self.pos += 1;
        Ok(b)
    }
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let (ctl, stream) = (data[0], &data[1..]);
    let payload = [0xA5u8; 40];
    let cmd = match ctl & 3 {
        0 => CommandRepr {
            cla: 0x80,
            ins: 0x10,
            p1: 0,
            p2: 0,
            data: &[],
            le: None,
        },
        1 => CommandRepr {
            cla: 0x80,
            ins: 0x10,
            p1: 0,
            p2: 0,
            data: &[],
            le: Some(u16::from(ctl >> 2) + 1),
        },
        2 => CommandRepr {
            cla: 0x80,
            ins: 0x14,
            p1: 0,
            p2: 0,
            data: &payload[..usize::from(ctl >> 3) + 1],
            le: None,
        },
        _ => CommandRepr {
            cla: 0x80,
            ins: 0x88,
            p1: 0,
            p2: 0,
            data: &payload[..32],
            le: Some(256),
        },
    };
    let line = Card {
        stream,
        pos: 0,
        echo: ctl & 0x80 != 0,
        sent: Vec::new(),
    };
    let config = T0Config {
        wwt: Duration::ZERO,
        echo: ctl & 0x80 != 0,
        ..T0Config::default()
    };
    let mut t0 = T0::new(line, config);
    if let Ok(r) = t0.transmit(&cmd) {
        assert!(r.data.len() <= usize::from(cmd.le.unwrap_or(0)).max(256));
    }
});
