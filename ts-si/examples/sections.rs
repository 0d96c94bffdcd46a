//! Prints every distinct section of a capture with its parse (debugging aid):
//! `cargo run -p ts-si --example sections -- FILE.ts [extra PIDs in hex]`.
fn main() {
    let path = std::env::args().nth(1).unwrap();
    let data = std::fs::read(path).unwrap();
    let mut d = ts_si::demux::Demux::new();
    for p in std::env::args().skip(2) {
        d.add_pid(u16::from_str_radix(&p, 16).unwrap());
    }
    let mut seen = std::collections::HashSet::new();
    d.feed(&data, &mut |s| {
        if seen.insert(s.data.to_vec()) {
            let sec = ts_si::section::Section::new_unchecked(s.data);
            let t = ts_si::tables::Table::parse(&sec);
            println!(
                "pid {:#x} len {} {:02x?}\n  => {:?}",
                s.pid,
                s.data.len(),
                &s.data[..s.data.len().min(64)],
                t
            );
        }
    });
}
