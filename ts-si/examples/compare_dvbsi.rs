//! Counts typed sections per (PID, table_id) for ts-si and dvb-si on one capture.
use std::collections::BTreeMap;
fn main() {
    let data = std::fs::read(std::env::args().nth(1).unwrap()).unwrap();
    let pids = [0x20u16, 0x40, 0x64, 0xC8, 0x12C, 0x190, 0x1F4, 0x101, 0x444];
    let mut ours: BTreeMap<(u16, u8), (u32, u32)> = BTreeMap::new();
    let mut d = ts_si::demux::Demux::new();
    for p in pids {
        d.add_pid(p);
    }
    d.feed(&data, &mut |s| {
        if let Ok(Some(_)) =
            ts_si::tables::Table::parse(&ts_si::section::Section::new_unchecked(s.data))
        {
            ours.entry((s.pid, s.data[0])).or_default().0 += 1;
        }
    });
    let mut b = dvb_si::demux::SiDemux::builder().emit_repeats(true);
    for p in pids {
        b = b.pid(mpeg_ts::pid::Pid::new(p));
    }
    let mut dd = b.build();
    for p in data.chunks_exact(188) {
        for ev in dd.feed(p) {
            let ok = ev.table_section().is_ok();
            let e = ours
                .entry((u16::from(ev.pid()), ev.table_id()))
                .or_default();
            if ok {
                e.1 += 1
            } else {
                eprintln!(
                    "dvb-si parse error tid {:#x}: {:?}",
                    ev.table_id(),
                    ev.table_section().err()
                );
            }
        }
    }
    for (k, v) in ours {
        if v.0 != v.1 {
            println!(
                "pid {:#x} tid {:#x}: ts-si {} dvb-si {}",
                k.0, k.1, v.0, v.1
            );
        }
    }
}
