use super::expect_tid;
use crate::bytes::Reader;
use crate::descriptors::DescriptorList;
use crate::section::{LongHeader, Section};
use crate::time::{bcd_duration, duration_bcd, UtcTime};
use crate::Result;

/// One event of an [`EventInformationTable`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EitEvent {
    pub event_id: u16,
    pub start_time: UtcTime,
    /// Duration as BCD hh:mm:ss on the wire; see [`EitEvent::duration_secs`].
    pub duration: [u8; 3],
    pub running_status: u8,
    pub free_ca_mode: bool,
    pub descriptors: DescriptorList,
}

impl EitEvent {
    pub fn duration_secs(&self) -> u32 {
        bcd_duration(self.duration)
    }
    pub fn set_duration_secs(&mut self, s: u32) {
        self.duration = duration_bcd(s);
    }
}

/// Event Information Table (EN 300 468 §5.2.4): 0x4E p/f actual, 0x4F p/f other,
/// 0x50..=0x5F schedule actual, 0x60..=0x6F schedule other.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventInformationTable {
    /// table_id_extension = service_id.
    pub header: LongHeader,
    pub transport_stream_id: u16,
    pub original_network_id: u16,
    pub segment_last_section_number: u8,
    pub last_table_id: u8,
    pub events: Vec<EitEvent>,
}

impl EventInformationTable {
    pub fn service_id(&self) -> u16 {
        self.header.table_id_extension
    }
    pub fn is_actual(&self) -> bool {
        matches!(self.header.table_id, 0x4E | 0x50..=0x5F)
    }
    pub fn is_present_following(&self) -> bool {
        matches!(self.header.table_id, 0x4E | 0x4F)
    }
    pub fn parse<T: AsRef<[u8]>>(s: &Section<T>) -> Result<Self> {
        if !(0x4E..=0x6F).contains(&s.table_id()) {
            expect_tid(s, &[0x4E])?;
        }
        let header = LongHeader::parse(s)?;
        let mut r = Reader::new(s.payload());
        let transport_stream_id = r.u16()?;
        let original_network_id = r.u16()?;
        let segment_last_section_number = r.u8()?;
        let last_table_id = r.u8()?;
        let mut events = Vec::new();
        while !r.is_empty() {
            let event_id = r.u16()?;
            let start_time = UtcTime::from_bytes(r.array()?);
            let duration = r.array()?;
            let b = r.u8()?;
            let len = (((b & 0x0F) as usize) << 8) | r.u8()? as usize;
            events.push(EitEvent {
                event_id,
                start_time,
                duration,
                running_status: b >> 5,
                free_ca_mode: b & 0x10 != 0,
                descriptors: DescriptorList::parse(r.bytes(len)?),
            });
        }
        Ok(EventInformationTable {
            header,
            transport_stream_id,
            original_network_id,
            segment_last_section_number,
            last_table_id,
            events,
        })
    }
    pub fn emit(&self) -> Result<Vec<u8>> {
        let mut p = Vec::new();
        p.extend_from_slice(&self.transport_stream_id.to_be_bytes());
        p.extend_from_slice(&self.original_network_id.to_be_bytes());
        p.push(self.segment_last_section_number);
        p.push(self.last_table_id);
        for e in &self.events {
            p.extend_from_slice(&e.event_id.to_be_bytes());
            p.extend_from_slice(&e.start_time.to_bytes());
            p.extend_from_slice(&e.duration);
            let mut d = Vec::new();
            e.descriptors.emit(&mut d)?;
            if d.len() > 0x0FFF {
                return Err(crate::Error::Overflow);
            }
            p.push(
                ((e.running_status & 7) << 5)
                    | ((e.free_ca_mode as u8) << 4)
                    | (d.len() >> 8) as u8,
            );
            p.push(d.len() as u8);
            p.extend_from_slice(&d);
        }
        self.header.emit(true, &p)
    }
}
