//! Service-level descriptors (EN 300 468 §6.2).

use super::{DescriptorRepr, DvbString};
use crate::bytes::{put_len8, Reader};
use crate::Result;

/// service_descriptor (EN 300 468 §6.2.33).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceDescriptor {
    /// Table 87: 0x01 digital TV, 0x02 digital radio, 0x0C data, 0x16..0x19 AVC SD/HD, ...
    pub service_type: u8,
    pub provider_name: DvbString,
    pub service_name: DvbString,
}

impl DescriptorRepr for ServiceDescriptor {
    const TAG: u8 = 0x48;
    fn parse_body(body: &[u8]) -> Result<Self> {
        let mut r = Reader::new(body);
        Ok(ServiceDescriptor {
            service_type: r.u8()?,
            provider_name: DvbString(r.len8_bytes()?.to_vec()),
            service_name: DvbString(r.len8_bytes()?.to_vec()),
        })
    }
    fn emit_body(&self, out: &mut Vec<u8>) -> Result<()> {
        out.push(self.service_type);
        put_len8(out, &self.provider_name.0)?;
        put_len8(out, &self.service_name.0)
    }
}

/// stream_identifier_descriptor (EN 300 468 §6.2.39).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamIdentifierDescriptor {
    pub component_tag: u8,
}

impl DescriptorRepr for StreamIdentifierDescriptor {
    const TAG: u8 = 0x52;
    fn parse_body(body: &[u8]) -> Result<Self> {
        Ok(StreamIdentifierDescriptor {
            component_tag: Reader::new(body).u8()?,
        })
    }
    fn emit_body(&self, out: &mut Vec<u8>) -> Result<()> {
        out.push(self.component_tag);
        Ok(())
    }
}

/// CA_identifier_descriptor (EN 300 468 §6.2.5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaIdentifierDescriptor {
    pub ca_system_ids: Vec<u16>,
}

impl DescriptorRepr for CaIdentifierDescriptor {
    const TAG: u8 = 0x53;
    fn parse_body(body: &[u8]) -> Result<Self> {
        let mut r = Reader::new(body);
        let mut ca_system_ids = Vec::new();
        while !r.is_empty() {
            ca_system_ids.push(r.u16()?);
        }
        Ok(CaIdentifierDescriptor { ca_system_ids })
    }
    fn emit_body(&self, out: &mut Vec<u8>) -> Result<()> {
        for id in &self.ca_system_ids {
            out.extend_from_slice(&id.to_be_bytes());
        }
        Ok(())
    }
}
