//! Gathering the sections of one table until it is complete: every section_number from 0 to
//! last_section_number of one version, as ISO/IEC 13818-1 2.4.4.9 defines a table.

use std::collections::BTreeMap;

use ts_si::section::Section;

/// The sections of one table (one table_id and table_id_extension) being gathered.
#[derive(Debug, Default)]
pub struct TableGatherer {
    version: Option<u8>,
    last: u8,
    sections: BTreeMap<u8, Vec<u8>>,
}

impl TableGatherer {
    /// Takes a section; a new version restarts the gathering. Bad sections (length, CRC) are refused.
    pub fn push(&mut self, bytes: Vec<u8>) -> bool {
        let Ok(s) = Section::new_checked(bytes.as_slice()) else {
            return false;
        };
        if !s.section_syntax_indicator() || !s.current_next_indicator() {
            return false;
        }
        let (version, number, last) = (
            s.version_number(),
            s.section_number(),
            s.last_section_number(),
        );
        if number > last {
            return false;
        }
        if self.version != Some(version) || self.last != last {
            self.version = Some(version);
            self.last = last;
            self.sections.clear();
        }
        let len = s.total_len();
        let mut bytes = bytes;
        bytes.truncate(len);
        self.sections.insert(number, bytes);
        true
    }

    pub fn is_complete(&self) -> bool {
        self.version.is_some() && self.sections.len() == usize::from(self.last) + 1
    }

    /// The sections in order (complete or not).
    pub fn sections(&self) -> impl Iterator<Item = Section<&[u8]>> {
        self.sections
            .values()
            .map(|b| Section::new_unchecked(b.as_slice()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ts_si::section::LongHeader;

    fn section(version: u8, number: u8, last: u8) -> Vec<u8> {
        LongHeader {
            table_id: 0x42,
            table_id_extension: 7,
            version,
            current_next: true,
            section_number: number,
            last_section_number: last,
        }
        .emit(false, &[0, 1, 0xff])
        .unwrap()
    }

    #[test]
    fn complete_when_every_section_of_one_version_is_there() {
        let mut g = TableGatherer::default();
        assert!(g.push(section(3, 1, 2)));
        assert!(g.push(section(3, 0, 2)));
        assert!(!g.is_complete());
        assert!(g.push(section(3, 0, 2)), "a repeat is fine");
        assert!(!g.is_complete());
        assert!(g.push(section(3, 2, 2)));
        assert!(g.is_complete());
        assert_eq!(g.sections().count(), 3);
    }

    #[test]
    fn a_new_version_starts_again_and_bad_sections_are_refused() {
        let mut g = TableGatherer::default();
        g.push(section(3, 0, 1));
        g.push(section(4, 1, 1));
        assert!(
            !g.is_complete(),
            "section 0 of version 3 does not complete version 4"
        );
        let mut broken = section(4, 0, 1);
        let n = broken.len();
        broken[n - 1] ^= 0xff;
        assert!(!g.push(broken), "CRC");
        assert!(!g.push(vec![0x42, 0xb0]), "truncated");
        g.push(section(4, 0, 1));
        assert!(g.is_complete());
    }
}
