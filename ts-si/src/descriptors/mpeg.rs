//! Descriptors of ISO/IEC 13818-1 §2.6.

use super::DescriptorRepr;
use crate::bytes::{Lang, Reader};
use crate::Result;

/// registration_descriptor (ISO/IEC 13818-1 §2.6.8): format identifier (SMPTE-RA).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationDescriptor {
    pub format_identifier: u32,
    pub additional_identification_info: Vec<u8>,
}

impl DescriptorRepr for RegistrationDescriptor {
    const TAG: u8 = 0x05;
    fn parse_body(body: &[u8]) -> Result<Self> {
        let mut r = Reader::new(body);
        Ok(RegistrationDescriptor {
            format_identifier: r.u32()?,
            additional_identification_info: r.take_rest().to_vec(),
        })
    }
    fn emit_body(&self, out: &mut Vec<u8>) -> Result<()> {
        out.extend_from_slice(&self.format_identifier.to_be_bytes());
        out.extend_from_slice(&self.additional_identification_info);
        Ok(())
    }
}

/// CA_descriptor (ISO/IEC 13818-1 §2.6.16): CA system and its ECM (PMT) or EMM (CAT) PID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaDescriptor {
    pub ca_system_id: u16,
    pub ca_pid: u16,
    pub private_data: Vec<u8>,
}

impl DescriptorRepr for CaDescriptor {
    const TAG: u8 = 0x09;
    fn parse_body(body: &[u8]) -> Result<Self> {
        let mut r = Reader::new(body);
        Ok(CaDescriptor {
            ca_system_id: r.u16()?,
            ca_pid: r.u16()? & 0x1FFF,
            private_data: r.take_rest().to_vec(),
        })
    }
    fn emit_body(&self, out: &mut Vec<u8>) -> Result<()> {
        out.extend_from_slice(&self.ca_system_id.to_be_bytes());
        out.extend_from_slice(&(0xE000 | self.ca_pid).to_be_bytes());
        out.extend_from_slice(&self.private_data);
        Ok(())
    }
}

/// ISO_639_language_descriptor (ISO/IEC 13818-1 §2.6.18).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Iso639LanguageDescriptor {
    /// (language, audio_type)
    pub entries: Vec<(Lang, u8)>,
}

impl DescriptorRepr for Iso639LanguageDescriptor {
    const TAG: u8 = 0x0A;
    fn parse_body(body: &[u8]) -> Result<Self> {
        let mut r = Reader::new(body);
        let mut entries = Vec::new();
        while !r.is_empty() {
            entries.push((Lang(r.array()?), r.u8()?));
        }
        Ok(Iso639LanguageDescriptor { entries })
    }
    fn emit_body(&self, out: &mut Vec<u8>) -> Result<()> {
        for (l, t) in &self.entries {
            out.extend_from_slice(&l.0);
            out.push(*t);
        }
        Ok(())
    }
}
