use super::expect_tid;
use crate::bytes::{put_len12, Reader};
use crate::descriptors::DescriptorList;
use crate::section::{LongHeader, Section};
use crate::Result;

/// One transport stream entry of a NIT or BAT.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransportStreamInfo {
    pub transport_stream_id: u16,
    pub original_network_id: u16,
    pub descriptors: DescriptorList,
}

fn parse_transports(buf: &[u8]) -> Result<Vec<TransportStreamInfo>> {
    let mut lr = Reader::new(buf);
    let mut transports = Vec::new();
    while !lr.is_empty() {
        transports.push(TransportStreamInfo {
            transport_stream_id: lr.u16()?,
            original_network_id: lr.u16()?,
            descriptors: DescriptorList::read_len12(&mut lr)?,
        });
    }
    Ok(transports)
}

fn parse_ts_loop(r: &mut Reader<'_>) -> Result<(DescriptorList, Vec<TransportStreamInfo>)> {
    let descriptors = DescriptorList::read_len12(r)?;
    let before = r.rest();
    let transports = match r.len12_bytes().map(parse_transports) {
        Ok(Ok(t)) => t,
        // transport_stream_loop_length too short for its entries (Linux vidtv sends such
        // NITs): the entries still lie within the section, so read them from there.
        _ => {
            let t = parse_transports(before.get(2..).ok_or(crate::Error::Truncated)?)?;
            *r = Reader::new(&[]);
            t
        }
    };
    Ok((descriptors, transports))
}

fn emit_ts_loop(d: &DescriptorList, ts: &[TransportStreamInfo]) -> Result<Vec<u8>> {
    let mut p = Vec::new();
    d.emit_len12(&mut p)?;
    let mut l = Vec::new();
    for t in ts {
        l.extend_from_slice(&t.transport_stream_id.to_be_bytes());
        l.extend_from_slice(&t.original_network_id.to_be_bytes());
        t.descriptors.emit_len12(&mut l)?;
    }
    put_len12(&mut p, &l)?;
    Ok(p)
}

/// Network Information Table (EN 300 468 §5.2.1): 0x40 actual, 0x41 other network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkInformationTable {
    /// table_id_extension = network_id.
    pub header: LongHeader,
    pub descriptors: DescriptorList,
    pub transports: Vec<TransportStreamInfo>,
}

impl NetworkInformationTable {
    pub const TABLE_ID_ACTUAL: u8 = 0x40;
    pub const TABLE_ID_OTHER: u8 = 0x41;
    pub fn network_id(&self) -> u16 {
        self.header.table_id_extension
    }
    pub fn is_actual(&self) -> bool {
        self.header.table_id == Self::TABLE_ID_ACTUAL
    }
    pub fn parse<T: AsRef<[u8]>>(s: &Section<T>) -> Result<Self> {
        expect_tid(s, &[Self::TABLE_ID_ACTUAL, Self::TABLE_ID_OTHER])?;
        let header = LongHeader::parse(s)?;
        let (descriptors, transports) = parse_ts_loop(&mut Reader::new(s.payload()))?;
        Ok(NetworkInformationTable {
            header,
            descriptors,
            transports,
        })
    }
    pub fn emit(&self) -> Result<Vec<u8>> {
        self.header
            .emit(true, &emit_ts_loop(&self.descriptors, &self.transports)?)
    }
}

/// Bouquet Association Table (EN 300 468 §5.2.2), table_id 0x4A.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BouquetAssociationTable {
    /// table_id_extension = bouquet_id.
    pub header: LongHeader,
    pub descriptors: DescriptorList,
    pub transports: Vec<TransportStreamInfo>,
}

impl BouquetAssociationTable {
    pub const TABLE_ID: u8 = 0x4A;
    pub fn bouquet_id(&self) -> u16 {
        self.header.table_id_extension
    }
    pub fn parse<T: AsRef<[u8]>>(s: &Section<T>) -> Result<Self> {
        expect_tid(s, &[Self::TABLE_ID])?;
        let header = LongHeader::parse(s)?;
        let (descriptors, transports) = parse_ts_loop(&mut Reader::new(s.payload()))?;
        Ok(BouquetAssociationTable {
            header,
            descriptors,
            transports,
        })
    }
    pub fn emit(&self) -> Result<Vec<u8>> {
        self.header
            .emit(true, &emit_ts_loop(&self.descriptors, &self.transports)?)
    }
}
