use super::expect_tid;
use crate::bytes::Reader;
use crate::section::{LongHeader, Section};
use crate::Result;

/// Program Association Table (ISO/IEC 13818-1 §2.4.4.3), table_id 0x00 on PID 0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgramAssociationTable {
    /// table_id_extension = transport_stream_id.
    pub header: LongHeader,
    /// (program_number, PID); program 0 points at the NIT.
    pub programs: Vec<(u16, u16)>,
}

impl ProgramAssociationTable {
    pub const TABLE_ID: u8 = 0x00;
    pub fn transport_stream_id(&self) -> u16 {
        self.header.table_id_extension
    }
    pub fn network_pid(&self) -> Option<u16> {
        self.programs.iter().find(|p| p.0 == 0).map(|p| p.1)
    }
    pub fn parse<T: AsRef<[u8]>>(s: &Section<T>) -> Result<Self> {
        expect_tid(s, &[Self::TABLE_ID])?;
        let header = LongHeader::parse(s)?;
        let mut r = Reader::new(s.payload());
        let mut programs = Vec::with_capacity(r.remaining() / 4);
        while r.remaining() >= 4 {
            programs.push((r.u16()?, r.u16()? & 0x1FFF));
        }
        Ok(ProgramAssociationTable { header, programs })
    }
    pub fn emit(&self) -> Result<Vec<u8>> {
        let mut p = Vec::with_capacity(self.programs.len() * 4);
        for (n, pid) in &self.programs {
            p.extend_from_slice(&n.to_be_bytes());
            p.extend_from_slice(&(0xE000 | pid).to_be_bytes());
        }
        self.header.emit(false, &p)
    }
}
