//! One TS packet: header, adaptation field, PCR, payload; emit of what was parsed.
#![no_main]
use libfuzzer_sys::fuzz_target;
use ts_si::ts::{PacketIter, TsPacket, TsPacketRepr};

fuzz_target!(|data: &[u8]| {
    for item in PacketIter::new(data).flatten() {
        let p = TsPacket::new_unchecked(item);
        let _ = (
            p.pid(),
            p.continuity_counter(),
            p.scrambling_control(),
            p.payload(),
        );
        if let Some(af) = p.adaptation_field() {
            let _ = (
                af.pcr(),
                af.opcr(),
                af.stuffing_len(),
                af.discontinuity_indicator(),
            );
        }
        if let Ok(r) = TsPacketRepr::parse(&p) {
            if let Ok(bytes) = r.emit() {
                let q = TsPacket::new_checked(&bytes[..]).expect("emitted packet is valid");
                assert_eq!(q.pid(), r.pid);
                assert_eq!(q.payload().unwrap_or(&[]), r.payload);
            }
        }
    }
});
