//! Descriptor loops into every descriptor parser (dispatch on tag), emit → parse stable,
//! and event texts decoded and reassembled.
#![no_main]
use libfuzzer_sys::fuzz_target;
use ts_si::descriptors::{Descriptor, DescriptorList, ExtendedEventDescriptor};

fuzz_target!(|data: &[u8]| {
    let list = DescriptorList::parse(data);
    let mut bytes = Vec::new();
    if list.emit(&mut bytes).is_ok() {
        let l2 = DescriptorList::parse(&bytes);
        let mut b2 = Vec::new();
        if l2.emit(&mut b2).is_ok() {
            assert_eq!(DescriptorList::parse(&b2), l2);
        }
    }
    let ext: Vec<&ExtendedEventDescriptor> = list
        .iter()
        .filter_map(|d| match d {
            Descriptor::ExtendedEvent(x) => Some(x),
            _ => None,
        })
        .collect();
    let policy = ts_si::text::CharsetPolicy::default();
    let _ = ExtendedEventDescriptor::reassemble(&ext, &|b| policy.decode(b, None));
});
