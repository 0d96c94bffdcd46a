use super::expect_tid;
use crate::descriptors::DescriptorList;
use crate::section::{LongHeader, Section};
use crate::Result;

/// Conditional Access Table (ISO/IEC 13818-1 §2.4.4.6), table_id 0x01 on PID 1: CA
/// descriptors pointing at the EMM PIDs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConditionalAccessTable {
    pub header: LongHeader,
    pub descriptors: DescriptorList,
}

impl ConditionalAccessTable {
    pub const TABLE_ID: u8 = 0x01;
    pub fn parse<T: AsRef<[u8]>>(s: &Section<T>) -> Result<Self> {
        expect_tid(s, &[Self::TABLE_ID])?;
        Ok(ConditionalAccessTable {
            header: LongHeader::parse(s)?,
            descriptors: DescriptorList::parse(s.payload()),
        })
    }
    pub fn emit(&self) -> Result<Vec<u8>> {
        let mut p = Vec::new();
        self.descriptors.emit(&mut p)?;
        self.header.emit(false, &p)
    }
}
