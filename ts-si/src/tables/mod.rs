//! Tables (ISO/IEC 13818-1 §2.4.4, EN 300 468 §5.2): one `Repr` per table section, TSDuck
//! naming. `parse` takes a checked [`Section`] view, `emit` returns the section bytes with
//! CRC. A table of several sections is several values (one per section_number).

mod cat;
mod eit;
mod nit;
mod pat;
mod pmt;
mod sdt;
mod tdt;

pub use cat::*;
pub use eit::*;
pub use nit::*;
pub use pat::*;
pub use pmt::*;
pub use sdt::*;
pub use tdt::*;

use crate::section::Section;
use crate::Result;

/// Well-known PIDs (ISO/IEC 13818-1 Table 2-3, EN 300 468 Table 1).
pub mod pid {
    pub const PAT: u16 = 0x0000;
    pub const CAT: u16 = 0x0001;
    pub const NIT: u16 = 0x0010;
    pub const SDT_BAT: u16 = 0x0011;
    pub const EIT: u16 = 0x0012;
    pub const TDT_TOT: u16 = 0x0014;
}

/// Any table section we model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Table {
    Pat(ProgramAssociationTable),
    Cat(ConditionalAccessTable),
    Pmt(ProgramMapTable),
    Nit(NetworkInformationTable),
    Bat(BouquetAssociationTable),
    Sdt(ServiceDescriptionTable),
    Eit(EventInformationTable),
    Tdt(TimeDateTable),
    Tot(TimeOffsetTable),
}

impl Table {
    /// Parses by table_id. `Ok(None)` for table ids we do not model.
    pub fn parse<T: AsRef<[u8]>>(s: &Section<T>) -> Result<Option<Table>> {
        Ok(Some(match s.table_id() {
            0x00 => Table::Pat(ProgramAssociationTable::parse(s)?),
            0x01 => Table::Cat(ConditionalAccessTable::parse(s)?),
            0x02 => Table::Pmt(ProgramMapTable::parse(s)?),
            0x40 | 0x41 => Table::Nit(NetworkInformationTable::parse(s)?),
            0x4A => Table::Bat(BouquetAssociationTable::parse(s)?),
            0x42 | 0x46 => Table::Sdt(ServiceDescriptionTable::parse(s)?),
            0x4E..=0x6F => Table::Eit(EventInformationTable::parse(s)?),
            0x70 => Table::Tdt(TimeDateTable::parse(s)?),
            0x73 => Table::Tot(TimeOffsetTable::parse(s)?),
            _ => return Ok(None),
        }))
    }
    pub fn emit(&self) -> Result<Vec<u8>> {
        match self {
            Table::Pat(t) => t.emit(),
            Table::Cat(t) => t.emit(),
            Table::Pmt(t) => t.emit(),
            Table::Nit(t) => t.emit(),
            Table::Bat(t) => t.emit(),
            Table::Sdt(t) => t.emit(),
            Table::Eit(t) => t.emit(),
            Table::Tdt(t) => t.emit(),
            Table::Tot(t) => t.emit(),
        }
    }
}

/// Checks that a section has one of the expected table ids.
pub(crate) fn expect_tid<T: AsRef<[u8]>>(s: &Section<T>, ok: &[u8]) -> Result<()> {
    if ok.contains(&s.table_id()) {
        Ok(())
    } else {
        Err(crate::Error::TableId(s.table_id()))
    }
}
