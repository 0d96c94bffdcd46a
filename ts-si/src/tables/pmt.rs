use super::expect_tid;
use crate::bytes::Reader;
use crate::descriptors::DescriptorList;
use crate::section::{LongHeader, Section};
use crate::Result;

/// One elementary stream of a [`ProgramMapTable`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PmtStream {
    pub stream_type: u8,
    pub elementary_pid: u16,
    pub descriptors: DescriptorList,
}

/// Program Map Table (ISO/IEC 13818-1 §2.4.4.8), table_id 0x02.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgramMapTable {
    /// table_id_extension = program_number (= service_id).
    pub header: LongHeader,
    /// 0x1FFF: no PCR.
    pub pcr_pid: u16,
    pub descriptors: DescriptorList,
    pub streams: Vec<PmtStream>,
}

impl ProgramMapTable {
    pub const TABLE_ID: u8 = 0x02;
    pub fn program_number(&self) -> u16 {
        self.header.table_id_extension
    }
    pub fn parse<T: AsRef<[u8]>>(s: &Section<T>) -> Result<Self> {
        expect_tid(s, &[Self::TABLE_ID])?;
        let header = LongHeader::parse(s)?;
        let mut r = Reader::new(s.payload());
        let pcr_pid = r.u16()? & 0x1FFF;
        let descriptors = DescriptorList::read_len12(&mut r)?;
        let mut streams = Vec::new();
        while !r.is_empty() {
            streams.push(PmtStream {
                stream_type: r.u8()?,
                elementary_pid: r.u16()? & 0x1FFF,
                descriptors: DescriptorList::read_len12(&mut r)?,
            });
        }
        Ok(ProgramMapTable {
            header,
            pcr_pid,
            descriptors,
            streams,
        })
    }
    pub fn emit(&self) -> Result<Vec<u8>> {
        let mut p = Vec::new();
        p.extend_from_slice(&(0xE000 | self.pcr_pid).to_be_bytes());
        self.descriptors.emit_len12(&mut p)?;
        for st in &self.streams {
            p.push(st.stream_type);
            p.extend_from_slice(&(0xE000 | st.elementary_pid).to_be_bytes());
            st.descriptors.emit_len12(&mut p)?;
        }
        self.header.emit(false, &p)
    }
}

/// Human name of an ISO/IEC 13818-1 Table 2-34 stream_type (and common DVB/ATSC uses).
pub fn stream_type_name(t: u8) -> &'static str {
    match t {
        0x01 => "MPEG-1 Video",
        0x02 => "MPEG-2 Video",
        0x03 => "MPEG-1 Audio",
        0x04 => "MPEG-2 Audio",
        0x05 => "MPEG-2 Private sections",
        0x06 => "MPEG-2 PES private data",
        0x0B => "DSM-CC Sections",
        0x0D => "DSM-CC Sections",
        0x0F => "AAC Audio",
        0x11 => "MPEG-4 LATM AAC Audio",
        0x15 => "Metadata in PES",
        0x1B => "AVC Video",
        0x24 => "HEVC Video",
        0x42 => "AVS Video",
        0x81 => "AC-3 Audio",
        0x87 => "E-AC-3 Audio",
        _ => "unknown",
    }
}
