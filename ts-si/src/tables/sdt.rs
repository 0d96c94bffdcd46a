use super::expect_tid;
use crate::bytes::Reader;
use crate::descriptors::DescriptorList;
use crate::section::{LongHeader, Section};
use crate::Result;

/// One service of a [`ServiceDescriptionTable`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SdtService {
    pub service_id: u16,
    pub eit_schedule: bool,
    pub eit_present_following: bool,
    /// Table 6: 0 undefined, 1 not running, 2 starts soon, 3 pausing, 4 running, 5 off-air.
    pub running_status: u8,
    pub free_ca_mode: bool,
    pub descriptors: DescriptorList,
}

/// Service Description Table (EN 300 468 §5.2.3): 0x42 actual, 0x46 other TS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceDescriptionTable {
    /// table_id_extension = transport_stream_id.
    pub header: LongHeader,
    pub original_network_id: u16,
    pub services: Vec<SdtService>,
}

impl ServiceDescriptionTable {
    pub const TABLE_ID_ACTUAL: u8 = 0x42;
    pub const TABLE_ID_OTHER: u8 = 0x46;
    pub fn transport_stream_id(&self) -> u16 {
        self.header.table_id_extension
    }
    pub fn is_actual(&self) -> bool {
        self.header.table_id == Self::TABLE_ID_ACTUAL
    }
    pub fn parse<T: AsRef<[u8]>>(s: &Section<T>) -> Result<Self> {
        expect_tid(s, &[Self::TABLE_ID_ACTUAL, Self::TABLE_ID_OTHER])?;
        let header = LongHeader::parse(s)?;
        let mut r = Reader::new(s.payload());
        let original_network_id = r.u16()?;
        r.u8()?;
        let mut services = Vec::new();
        while !r.is_empty() {
            let service_id = r.u16()?;
            let f = r.u8()?;
            let b = r.u8()?;
            // descriptors_loop_length shares its byte with running_status/free_CA_mode.
            let len = (((b & 0x0F) as usize) << 8) | r.u8()? as usize;
            let d = r.bytes(len)?;
            services.push(SdtService {
                service_id,
                eit_schedule: f & 0x02 != 0,
                eit_present_following: f & 0x01 != 0,
                running_status: b >> 5,
                free_ca_mode: b & 0x10 != 0,
                descriptors: DescriptorList::parse(d),
            });
        }
        Ok(ServiceDescriptionTable {
            header,
            original_network_id,
            services,
        })
    }
    pub fn emit(&self) -> Result<Vec<u8>> {
        let mut p = Vec::new();
        p.extend_from_slice(&self.original_network_id.to_be_bytes());
        p.push(0xFF);
        for s in &self.services {
            p.extend_from_slice(&s.service_id.to_be_bytes());
            p.push(0xFC | ((s.eit_schedule as u8) << 1) | s.eit_present_following as u8);
            let mut d = Vec::new();
            s.descriptors.emit(&mut d)?;
            if d.len() > 0x0FFF {
                return Err(crate::Error::Overflow);
            }
            p.push(
                ((s.running_status & 7) << 5)
                    | ((s.free_ca_mode as u8) << 4)
                    | (d.len() >> 8) as u8,
            );
            p.push(d.len() as u8);
            p.extend_from_slice(&d);
        }
        self.header.emit(true, &p)
    }
}
