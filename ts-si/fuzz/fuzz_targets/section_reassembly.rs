//! A byte stream through the whole engine: demux, reassembly, CRC, every table parser,
//! the collector and both reports.
#![no_main]
use libfuzzer_sys::fuzz_target;
use ts_si::collector::SiCollector;

fuzz_target!(|data: &[u8]| {
    let mut c = SiCollector::default();
    c.si.parse_repeats = true;
    // Odd chunking exercises the carry-over of cut packets.
    let cut = data.len() / 3;
    c.feed(&data[..cut]);
    c.feed(&data[cut..]);
    let _ = ts_si::analyze::analyze(&c, data.len() as u64);
    let _ = ts_si::analyze::epg(&c);
});
