//! The programme's PMT as it passes through the player: the PIDs its playback needs now. The demux filter is
//! opened with the PIDs the channel list stored at the scan; an operator who has since moved a sound track (or the
//! picture) to another PID would otherwise leave the household in silence until the next scan. The PMT's PID is in
//! the filter from the start, so its first repetition (at most every 0.1–0.5 s on air) corrects the filter.

use ts_si::demux::Demux;
use ts_si::section::Section;
use ts_si::tables::ProgramMapTable;

/// Follows one programme's PMT (ISO/IEC 13818-1 §2.4.4.8) in the packets given to the player.
pub struct ProgrammeWatch {
    demux: Demux,
    service_id: u16,
    pmt_pid: u16,
    /// The version of the last PMT taken in (each repetition of it is skipped).
    version: Option<u8>,
}

impl ProgrammeWatch {
    pub fn new(service_id: u16, pmt_pid: u16) -> Self {
        let mut demux = Demux::empty();
        // Only the PMT is reassembled; the pictures and sound passing through cost a bit test each.
        demux.set_account_all_pids(false);
        demux.add_pid(pmt_pid);
        Self {
            demux,
            service_id,
            pmt_pid,
            version: None,
        }
    }

    /// Takes in packets; when they complete a PMT of the programme not seen before (the first, or a new version),
    /// the PIDs its playback needs: PAT, PMT, PCR, pictures and every sound track.
    pub fn feed(&mut self, packets: &[u8]) -> Option<Vec<u16>> {
        let mut found = None;
        let (service_id, pmt_pid) = (self.service_id, self.pmt_pid);
        let version = &mut self.version;
        self.demux.feed(packets, &mut |s| {
            let Ok(section) = Section::new_checked(s.data) else {
                return;
            };
            if s.repeat
                || section.table_id() != ProgramMapTable::TABLE_ID
                || section.table_id_extension() != service_id
                || !section.current_next_indicator()
                || *version == Some(section.version_number())
            {
                return;
            }
            let Ok(pmt) = ProgramMapTable::parse(&section) else {
                return;
            };
            *version = Some(section.version_number());
            found = Some(needed_pids(&pmt, pmt_pid));
        });
        found
    }

    /// The PIDs the last PMT named could not be applied: the next repetition of the same PMT gives them again.
    pub fn forget(&mut self) {
        self.version = None;
    }
}

/// PAT, PMT, PCR and the programme's pictures and sound (not its teletext, subtitles or data: they are not
/// played, and a data carousel can be larger than the programme).
fn needed_pids(pmt: &ProgramMapTable, pmt_pid: u16) -> Vec<u16> {
    let mut pids = vec![0, pmt_pid];
    if pmt.pcr_pid != 0x1fff {
        pids.push(pmt.pcr_pid);
    }
    pids.extend(
        pmt.streams
            .iter()
            .filter(|es| {
                stb_app::scan::classify(es.stream_type, &es.descriptors)
                    .0
                    .is_some()
            })
            .map(|es| es.elementary_pid),
    );
    pids.sort_unstable();
    pids.dedup();
    pids
}

#[cfg(test)]
mod tests {
    use super::ProgrammeWatch;
    use ts_si::descriptors::DescriptorList;
    use ts_si::section::{packetize, LongHeader};
    use ts_si::tables::{PmtStream, ProgramMapTable};

    fn pmt(service_id: u16, version: u8, streams: &[(u8, u16)]) -> Vec<u8> {
        ProgramMapTable {
            header: LongHeader {
                table_id: ProgramMapTable::TABLE_ID,
                table_id_extension: service_id,
                version,
                current_next: true,
                section_number: 0,
                last_section_number: 0,
            },
            pcr_pid: 0x100,
            descriptors: DescriptorList::default(),
            streams: streams
                .iter()
                .map(|&(stream_type, elementary_pid)| PmtStream {
                    stream_type,
                    elementary_pid,
                    descriptors: DescriptorList::default(),
                })
                .collect(),
        }
        .emit()
        .unwrap()
    }

    fn packets(pid: u16, sections: &[Vec<u8>], cc: &mut u8) -> Vec<u8> {
        packetize(pid, sections, cc).concat()
    }

    #[test]
    fn the_pids_follow_the_programme_and_each_version_is_taken_once() {
        let mut watch = ProgrammeWatch::new(21, 0x1000);
        let mut cc = 0;
        // MPEG-2 video, MPEG-1 audio, DVB teletext as a private stream without its descriptor (not needed).
        let first = pmt(21, 3, &[(0x02, 0x100), (0x03, 0x101), (0x06, 0x102)]);
        assert_eq!(
            watch.feed(&packets(0x1000, std::slice::from_ref(&first), &mut cc)),
            Some(vec![0, 0x100, 0x101, 0x1000])
        );
        // Repetitions change nothing, nor does another programme's PMT on the same PID.
        assert_eq!(watch.feed(&packets(0x1000, &[first], &mut cc)), None);
        let other = pmt(22, 7, &[(0x02, 0x200), (0x04, 0x201)]);
        assert_eq!(watch.feed(&packets(0x1000, &[other], &mut cc)), None);
        // The operator moves the sound to 0x1a0 and adds AAC on 0x1a1.
        let moved = pmt(21, 4, &[(0x02, 0x100), (0x03, 0x1a0), (0x0f, 0x1a1)]);
        let bytes = packets(0x1000, &[moved], &mut cc);
        // Cut anywhere: what the demux read returns is not aligned to sections.
        assert_eq!(watch.feed(&bytes[..100]), None);
        assert_eq!(
            watch.feed(&bytes[100..]),
            Some(vec![0, 0x100, 0x1a0, 0x1a1, 0x1000])
        );
    }

    #[test]
    fn damaged_bytes_change_nothing() {
        let mut watch = ProgrammeWatch::new(21, 0x1000);
        let mut cc = 0;
        let mut bytes = packets(0x1000, &[pmt(21, 1, &[(0x03, 0x101)])], &mut cc);
        // A bit error in the section: its CRC fails.
        bytes[20] ^= 0x40;
        assert_eq!(watch.feed(&bytes), None);
        assert_eq!(watch.feed(&[0x47; 1000]), None);
        assert_eq!(watch.feed(&[]), None);
    }
}
