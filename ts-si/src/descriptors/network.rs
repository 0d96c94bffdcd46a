//! Network-level descriptors (EN 300 468 §6.2) and the private logical channel descriptor.

use super::{DescriptorRepr, DvbString};
use crate::bytes::Reader;
use crate::{Error, Result};

/// network_name_descriptor (EN 300 468 §6.2.27).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkNameDescriptor {
    pub name: DvbString,
}

impl DescriptorRepr for NetworkNameDescriptor {
    const TAG: u8 = 0x40;
    fn parse_body(body: &[u8]) -> Result<Self> {
        Ok(NetworkNameDescriptor {
            name: DvbString(body.to_vec()),
        })
    }
    fn emit_body(&self, out: &mut Vec<u8>) -> Result<()> {
        out.extend_from_slice(&self.name.0);
        Ok(())
    }
}

/// bouquet_name_descriptor (EN 300 468 §6.2.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BouquetNameDescriptor {
    pub name: DvbString,
}

impl DescriptorRepr for BouquetNameDescriptor {
    const TAG: u8 = 0x47;
    fn parse_body(body: &[u8]) -> Result<Self> {
        Ok(BouquetNameDescriptor {
            name: DvbString(body.to_vec()),
        })
    }
    fn emit_body(&self, out: &mut Vec<u8>) -> Result<()> {
        out.extend_from_slice(&self.name.0);
        Ok(())
    }
}

/// service_list_descriptor (EN 300 468 §6.2.35): (service_id, service_type).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceListDescriptor {
    pub services: Vec<(u16, u8)>,
}

impl DescriptorRepr for ServiceListDescriptor {
    const TAG: u8 = 0x41;
    fn parse_body(body: &[u8]) -> Result<Self> {
        let mut r = Reader::new(body);
        let mut services = Vec::new();
        while !r.is_empty() {
            services.push((r.u16()?, r.u8()?));
        }
        Ok(ServiceListDescriptor { services })
    }
    fn emit_body(&self, out: &mut Vec<u8>) -> Result<()> {
        for (id, t) in &self.services {
            out.extend_from_slice(&id.to_be_bytes());
            out.push(*t);
        }
        Ok(())
    }
}

/// Strict BCD: a digit above 9 makes the descriptor malformed (and keeps emit exact).
fn bcd_to_u32(b: &[u8]) -> Result<u32> {
    b.iter().try_fold(0u32, |acc, &x| {
        if x >> 4 > 9 || x & 0x0F > 9 {
            return Err(Error::Invalid);
        }
        Ok(acc * 100 + ((x >> 4) as u32) * 10 + (x & 0x0F) as u32)
    })
}

fn u32_to_bcd(mut v: u32, n: usize) -> Vec<u8> {
    let mut out = vec![0u8; n];
    for b in out.iter_mut().rev() {
        *b = ((((v / 10) % 10) << 4) | (v % 10)) as u8;
        v /= 100;
    }
    out
}

/// satellite_delivery_system_descriptor (EN 300 468 §6.2.13.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SatelliteDeliverySystemDescriptor {
    /// Frequency in 10 kHz units (8 BCD digits: 011.36200 GHz → 1136200).
    pub frequency_10khz: u32,
    /// Orbital position in 0.1° (4 BCD digits: 092.2 → 922).
    pub orbital_position: u16,
    pub east: bool,
    /// 0 linear horizontal, 1 linear vertical, 2 circular left, 3 circular right.
    pub polarization: u8,
    /// 0: α=0.35, 1: 0.25, 2: 0.20 (DVB-S2 only).
    pub roll_off: u8,
    /// false DVB-S, true DVB-S2.
    pub s2: bool,
    /// 0 auto, 1 QPSK, 2 8PSK, 3 16-QAM.
    pub modulation_type: u8,
    /// Symbol rate in 100 sym/s units (7 BCD digits: 027.5000 Msym/s → 275000).
    pub symbol_rate_100sym: u32,
    /// FEC_inner (Table 35): 1 1/2, 2 2/3, 3 3/4, 4 5/6, 5 7/8, 6 8/9, 7 3/5, 8 4/5, 9 9/10.
    pub fec_inner: u8,
}

impl SatelliteDeliverySystemDescriptor {
    pub fn frequency_khz(&self) -> u64 {
        self.frequency_10khz as u64 * 10
    }
    pub fn symbol_rate_sym(&self) -> u64 {
        self.symbol_rate_100sym as u64 * 100
    }
}

impl DescriptorRepr for SatelliteDeliverySystemDescriptor {
    const TAG: u8 = 0x43;
    fn parse_body(body: &[u8]) -> Result<Self> {
        let mut r = Reader::new(body);
        let f = r.bytes(4)?;
        let o = r.bytes(2)?;
        let flags = r.u8()?;
        let sr = r.bytes(4)?;
        let s2 = flags & 0x04 != 0;
        if sr[3] >> 4 > 9 {
            return Err(Error::Invalid);
        }
        Ok(SatelliteDeliverySystemDescriptor {
            frequency_10khz: bcd_to_u32(f)?,
            orbital_position: bcd_to_u32(o)? as u16,
            east: flags & 0x80 != 0,
            polarization: (flags >> 5) & 3,
            roll_off: if s2 { (flags >> 3) & 3 } else { 0 },
            s2,
            modulation_type: flags & 3,
            symbol_rate_100sym: bcd_to_u32(&sr[..3])? * 10 + (sr[3] >> 4) as u32,
            fec_inner: sr[3] & 0x0F,
        })
    }
    fn emit_body(&self, out: &mut Vec<u8>) -> Result<()> {
        out.extend(u32_to_bcd(self.frequency_10khz, 4));
        out.extend(u32_to_bcd(self.orbital_position as u32, 2));
        out.push(
            ((self.east as u8) << 7)
                | ((self.polarization & 3) << 5)
                | if self.s2 { (self.roll_off & 3) << 3 } else { 0 }
                | ((self.s2 as u8) << 2)
                | (self.modulation_type & 3),
        );
        let sr = u32_to_bcd(self.symbol_rate_100sym / 10, 3);
        out.extend(sr);
        out.push((((self.symbol_rate_100sym % 10) as u8) << 4) | (self.fec_inner & 0x0F));
        Ok(())
    }
}

/// S2_satellite_delivery_system_descriptor (EN 300 468 §6.2.13.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S2SatelliteDeliverySystemDescriptor {
    pub scrambling_sequence_index: Option<u32>,
    pub input_stream_identifier: Option<u8>,
    pub backwards_compatibility: bool,
    /// Later additions (timeslice, channel bonding), kept as bytes.
    pub extra: Vec<u8>,
}

impl DescriptorRepr for S2SatelliteDeliverySystemDescriptor {
    const TAG: u8 = 0x79;
    fn parse_body(body: &[u8]) -> Result<Self> {
        let mut r = Reader::new(body);
        let flags = r.u8()?;
        let ssi = if flags & 0x80 != 0 {
            Some(r.u24()? & 0x3FFFF)
        } else {
            None
        };
        let isi = if flags & 0x40 != 0 {
            Some(r.u8()?)
        } else {
            None
        };
        Ok(S2SatelliteDeliverySystemDescriptor {
            scrambling_sequence_index: ssi,
            input_stream_identifier: isi,
            backwards_compatibility: flags & 0x20 != 0,
            extra: r.take_rest().to_vec(),
        })
    }
    fn emit_body(&self, out: &mut Vec<u8>) -> Result<()> {
        out.push(
            ((self.scrambling_sequence_index.is_some() as u8) << 7)
                | ((self.input_stream_identifier.is_some() as u8) << 6)
                | ((self.backwards_compatibility as u8) << 5)
                | 0x1F,
        );
        if let Some(s) = self.scrambling_sequence_index {
            if s > 0x3FFFF {
                return Err(Error::Overflow);
            }
            out.extend_from_slice(&(0xFC_0000 | s).to_be_bytes()[1..]);
        }
        if let Some(i) = self.input_stream_identifier {
            out.push(i);
        }
        out.extend_from_slice(&self.extra);
        Ok(())
    }
}

/// linkage_descriptor (EN 300 468 §6.2.19); the type-specific part is kept as bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkageDescriptor {
    pub transport_stream_id: u16,
    pub original_network_id: u16,
    pub service_id: u16,
    pub linkage_type: u8,
    pub private_data: Vec<u8>,
}

impl DescriptorRepr for LinkageDescriptor {
    const TAG: u8 = 0x4A;
    fn parse_body(body: &[u8]) -> Result<Self> {
        let mut r = Reader::new(body);
        Ok(LinkageDescriptor {
            transport_stream_id: r.u16()?,
            original_network_id: r.u16()?,
            service_id: r.u16()?,
            linkage_type: r.u8()?,
            private_data: r.take_rest().to_vec(),
        })
    }
    fn emit_body(&self, out: &mut Vec<u8>) -> Result<()> {
        out.extend_from_slice(&self.transport_stream_id.to_be_bytes());
        out.extend_from_slice(&self.original_network_id.to_be_bytes());
        out.extend_from_slice(&self.service_id.to_be_bytes());
        out.push(self.linkage_type);
        out.extend_from_slice(&self.private_data);
        Ok(())
    }
}

/// One entry of [`LogicalChannelNumberDescriptor`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogicalChannel {
    pub service_id: u16,
    pub visible: bool,
    pub lcn: u16,
}

/// logical_channel_number_descriptor, private tag 0x83 (EACEM / NorDig / French DTT, used
/// in the NIT under a private_data_specifier): 10-bit channel number per service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogicalChannelNumberDescriptor {
    pub channels: Vec<LogicalChannel>,
}

impl DescriptorRepr for LogicalChannelNumberDescriptor {
    const TAG: u8 = 0x83;
    fn parse_body(body: &[u8]) -> Result<Self> {
        let mut r = Reader::new(body);
        let mut channels = Vec::new();
        while !r.is_empty() {
            let service_id = r.u16()?;
            let v = r.u16()?;
            channels.push(LogicalChannel {
                service_id,
                visible: v & 0x8000 != 0,
                lcn: v & 0x03FF,
            });
        }
        Ok(LogicalChannelNumberDescriptor { channels })
    }
    fn emit_body(&self, out: &mut Vec<u8>) -> Result<()> {
        for c in &self.channels {
            out.extend_from_slice(&c.service_id.to_be_bytes());
            out.extend_from_slice(
                &(((c.visible as u16) << 15) | 0x7C00 | (c.lcn & 0x3FF)).to_be_bytes(),
            );
        }
        Ok(())
    }
}

/// extension_descriptor (EN 300 468 §6.2.16): descriptor_tag_extension and its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtensionDescriptor {
    pub tag_extension: u8,
    pub data: Vec<u8>,
}

impl DescriptorRepr for ExtensionDescriptor {
    const TAG: u8 = 0x7F;
    fn parse_body(body: &[u8]) -> Result<Self> {
        let mut r = Reader::new(body);
        Ok(ExtensionDescriptor {
            tag_extension: r.u8()?,
            data: r.take_rest().to_vec(),
        })
    }
    fn emit_body(&self, out: &mut Vec<u8>) -> Result<()> {
        out.push(self.tag_extension);
        out.extend_from_slice(&self.data);
        Ok(())
    }
}
