//! One section into every table parser (dispatch on table_id), then emit → parse → emit
//! must be stable.
#![no_main]
use libfuzzer_sys::fuzz_target;
use ts_si::section::Section;
use ts_si::tables::Table;

fn reparse(t: &Table) -> Option<Table> {
    let bytes = t.emit().ok()?;
    let s = Section::new_checked(&bytes[..]).expect("emitted section has a good CRC");
    Some(
        Table::parse(&s)
            .expect("emitted section parses")
            .expect("known table"),
    )
}

fuzz_target!(|data: &[u8]| {
    let s = Section::new_unchecked(data);
    let _ = Section::new_checked(data);
    if let Ok(Some(t)) = Table::parse(&s) {
        if let Some(t2) = reparse(&t) {
            if let Some(t3) = reparse(&t2) {
                assert_eq!(t2, t3);
            }
        }
    }
});
