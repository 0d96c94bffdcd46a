//! Writes the seed corpus of the fuzz targets (fuzz/corpus/<target>/) from the captures in
//! tests/data: `cargo run -p ts-si --example make_fuzz_corpus`.
use std::collections::BTreeSet;
use std::path::Path;

use ts_si::demux::Demux;
use ts_si::descriptors::{Descriptor, DescriptorList};
use ts_si::section::Section;
use ts_si::tables::Table;
use ts_si::text::{encode, encode_big5_bytes, encode_compressed, Charset};

fn fnv(b: &[u8]) -> u64 {
    b.iter().fold(0xcbf29ce484222325u64, |h, &x| {
        (h ^ x as u64).wrapping_mul(0x100000001b3)
    })
}

fn write_all(dir: &Path, items: &BTreeSet<Vec<u8>>, max: usize) {
    std::fs::create_dir_all(dir).unwrap();
    // Spread the picks over the set rather than taking the smallest.
    let step = (items.len() / max).max(1);
    for it in items.iter().step_by(step).take(max) {
        std::fs::write(dir.join(format!("{:016x}", fnv(it))), it).unwrap();
    }
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let corpus = root.join("fuzz/corpus");
    let files = [
        "test-184.ts",
        "test-030.out.ts",
        "test-103.ts",
        "vidtv-dvbs-beethoven.ts",
    ];
    let (mut packets, mut streams, mut sections, mut loops, mut texts) = (
        BTreeSet::new(),
        BTreeSet::new(),
        BTreeSet::new(),
        BTreeSet::new(),
        BTreeSet::new(),
    );
    for f in files {
        let data = std::fs::read(root.join("tests/data").join(f)).unwrap();
        let si_pids = [0u16, 1, 0x10, 0x11, 0x12, 0x14, 0x20, 0x40, 0x101, 0x444];
        let si: Vec<&[u8]> = data
            .chunks_exact(188)
            .filter(|p| si_pids.contains(&(u16::from_be_bytes([p[1] & 0x1F, p[2]]))))
            .collect();
        for p in data.chunks_exact(188).step_by(97).take(40) {
            packets.insert(p.to_vec());
        }
        for w in si.chunks(24).step_by(3).take(20) {
            streams.insert(w.concat());
        }
        let mut d = Demux::new();
        d.add_pid(0x444);
        d.add_pid(0x20);
        d.add_pid(0x40);
        d.add_pid(0x101);
        d.feed(&data, &mut |s| {
            sections.insert(s.data.to_vec());
        });
    }
    for s in &sections {
        let Ok(Some(t)) = Table::parse(&Section::new_unchecked(&s[..])) else {
            continue;
        };
        let mut lists: Vec<&DescriptorList> = Vec::new();
        match &t {
            Table::Eit(e) => lists.extend(e.events.iter().map(|e| &e.descriptors)),
            Table::Sdt(e) => lists.extend(e.services.iter().map(|e| &e.descriptors)),
            Table::Nit(n) => {
                lists.push(&n.descriptors);
                lists.extend(n.transports.iter().map(|t| &t.descriptors));
            }
            Table::Cat(c) => lists.push(&c.descriptors),
            Table::Pmt(p) => lists.extend(p.streams.iter().map(|s| &s.descriptors)),
            Table::Tot(t) => lists.push(&t.descriptors),
            _ => {}
        }
        for l in lists {
            let mut b = Vec::new();
            if l.emit(&mut b).is_ok() {
                loops.insert(b);
            }
            for d in l.iter() {
                match d {
                    Descriptor::ShortEvent(x) => {
                        texts.insert(x.event_name.0.clone());
                    }
                    Descriptor::ExtendedEvent(x) => {
                        texts.insert(x.text.0.clone());
                    }
                    Descriptor::Service(x) => {
                        texts.insert(x.service_name.0.clone());
                    }
                    _ => {}
                }
            }
        }
    }
    for (s, cs) in [
        ("中央电视台综合频道", Charset::Gb2312),
        ("镕堃", Charset::Gb18030),
        ("བོད་ལྗོངས་རྒྱང་བསྒྲགས", Charset::Ucs2),
        ("བོད་ལྗོངས་རྒྱང་བསྒྲགས", Charset::Utf8),
        ("台灣電視公司", Charset::Big5),
        ("Первый канал", Charset::Iso8859(5)),
        ("Télé Ça\nÆØß", Charset::Iso6937),
        ("한국방송", Charset::KsX1001),
    ] {
        texts.insert(encode(s, cs, true));
    }
    texts.insert(encode_big5_bytes("台灣電視公司"));
    write_all(&corpus.join("ts_packet"), &packets, 120);
    write_all(&corpus.join("section_reassembly"), &streams, 60);
    write_all(&corpus.join("tables"), &sections, 250);
    write_all(&corpus.join("descriptors"), &loops, 200);
    write_all(&corpus.join("text"), &texts, 150);
    // Freesat Huffman strings (0x1F 0x01/0x02), behind a first byte that picks ISO 6937.
    let mut compressed = BTreeSet::new();
    for (s, id) in [
        ("The Country Channel", 1),
        ("Doctor Who: The Christmas Invasion (2005)", 1),
        ("Café crème, 中文, བོད་ཡིག {escape} ~", 1),
        ("5.00am News - headline news update; 5.08am Sport", 2),
        ("QI XL. Stephen Fry & Alan Davies!", 2),
        ("Ærø naïve façade", 2),
    ] {
        let mut b = vec![0u8];
        b.extend(encode_compressed(s, id).unwrap());
        compressed.insert(b);
    }
    write_all(&corpus.join("text"), &compressed, 10);
    for t in [
        "ts_packet",
        "section_reassembly",
        "tables",
        "descriptors",
        "text",
    ] {
        let n = std::fs::read_dir(corpus.join(t)).unwrap().count();
        println!("{t}: {n} seeds");
    }
}
