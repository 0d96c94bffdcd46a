use super::expect_tid;
use crate::bytes::Reader;
use crate::descriptors::DescriptorList;
use crate::section::{emit_short_section, Section};
use crate::time::UtcTime;
use crate::Result;

/// Time and Date Table (EN 300 468 §5.2.5), table_id 0x70: UTC, no CRC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeDateTable {
    pub utc_time: UtcTime,
}

impl TimeDateTable {
    pub const TABLE_ID: u8 = 0x70;
    pub fn parse<T: AsRef<[u8]>>(s: &Section<T>) -> Result<Self> {
        expect_tid(s, &[Self::TABLE_ID])?;
        Ok(TimeDateTable {
            utc_time: UtcTime::from_bytes(Reader::new(s.payload()).array()?),
        })
    }
    pub fn emit(&self) -> Result<Vec<u8>> {
        emit_short_section(Self::TABLE_ID, &self.utc_time.to_bytes(), false)
    }
}

/// Time Offset Table (EN 300 468 §5.2.6), table_id 0x73: UTC and local time offsets, CRC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeOffsetTable {
    pub utc_time: UtcTime,
    pub descriptors: DescriptorList,
}

impl TimeOffsetTable {
    pub const TABLE_ID: u8 = 0x73;
    pub fn parse<T: AsRef<[u8]>>(s: &Section<T>) -> Result<Self> {
        expect_tid(s, &[Self::TABLE_ID])?;
        let mut r = Reader::new(s.payload());
        let utc_time = UtcTime::from_bytes(r.array()?);
        let descriptors = DescriptorList::read_len12(&mut r)?;
        Ok(TimeOffsetTable {
            utc_time,
            descriptors,
        })
    }
    pub fn emit(&self) -> Result<Vec<u8>> {
        let mut p = self.utc_time.to_bytes().to_vec();
        self.descriptors.emit_len12(&mut p)?;
        emit_short_section(Self::TABLE_ID, &p, true)
    }
}
