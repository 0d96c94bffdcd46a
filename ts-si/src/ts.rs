//! Transport stream packets (ISO/IEC 13818-1 §2.4.3.2) and adaptation field (§2.4.3.4).

use crate::{Error, Result};

pub const PACKET_SIZE: usize = 188;
pub const SYNC_BYTE: u8 = 0x47;
pub const NULL_PID: u16 = 0x1FFF;

/// Zero-copy view of one 188-byte transport packet.
#[derive(Debug, Clone, Copy)]
pub struct TsPacket<T: AsRef<[u8]>> {
    buffer: T,
}

/// Adaptation field control (§2.4.3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdaptationFieldControl {
    Reserved = 0,
    PayloadOnly = 1,
    AdaptationOnly = 2,
    AdaptationAndPayload = 3,
}

impl<T: AsRef<[u8]>> TsPacket<T> {
    /// Wraps a buffer without checks; accessors stay in bounds only after [`Self::check`].
    pub fn new_unchecked(buffer: T) -> Self {
        TsPacket { buffer }
    }
    /// Wraps and checks length and sync byte.
    pub fn new_checked(buffer: T) -> Result<Self> {
        let p = TsPacket { buffer };
        p.check()?;
        Ok(p)
    }
    pub fn check(&self) -> Result<()> {
        let b = self.buffer.as_ref();
        if b.len() < PACKET_SIZE {
            return Err(Error::Truncated);
        }
        if b[0] != SYNC_BYTE {
            return Err(Error::Sync);
        }
        Ok(())
    }
    fn b(&self) -> &[u8] {
        self.buffer.as_ref()
    }
    fn byte(&self, i: usize) -> u8 {
        self.b().get(i).copied().unwrap_or(0)
    }
    pub fn transport_error_indicator(&self) -> bool {
        self.byte(1) & 0x80 != 0
    }
    pub fn payload_unit_start_indicator(&self) -> bool {
        self.byte(1) & 0x40 != 0
    }
    pub fn transport_priority(&self) -> bool {
        self.byte(1) & 0x20 != 0
    }
    pub fn pid(&self) -> u16 {
        u16::from_be_bytes([self.byte(1) & 0x1F, self.byte(2)])
    }
    /// transport_scrambling_control: 0 clear, 1 reserved, 2 even key, 3 odd key.
    pub fn scrambling_control(&self) -> u8 {
        self.byte(3) >> 6
    }
    pub fn adaptation_field_control(&self) -> AdaptationFieldControl {
        match (self.byte(3) >> 4) & 3 {
            1 => AdaptationFieldControl::PayloadOnly,
            2 => AdaptationFieldControl::AdaptationOnly,
            3 => AdaptationFieldControl::AdaptationAndPayload,
            _ => AdaptationFieldControl::Reserved,
        }
    }
    pub fn has_adaptation_field(&self) -> bool {
        self.byte(3) & 0x20 != 0
    }
    pub fn has_payload(&self) -> bool {
        self.byte(3) & 0x10 != 0
    }
    pub fn continuity_counter(&self) -> u8 {
        self.byte(3) & 0x0F
    }
    /// The adaptation field, or `None` if absent or its length overruns the packet.
    pub fn adaptation_field(&self) -> Option<AdaptationField<&[u8]>> {
        if !self.has_adaptation_field() {
            return None;
        }
        let len = self.byte(4) as usize;
        let b = self.b().get(4..PACKET_SIZE)?;
        b.get(..1 + len).map(|buffer| AdaptationField { buffer })
    }
    /// The payload bytes, or `None` if there is none or the adaptation field is malformed
    /// (length > 183 with a payload, which ISO/IEC 13818-1 forbids).
    pub fn payload(&self) -> Option<&[u8]> {
        if !self.has_payload() {
            return None;
        }
        let start = if self.has_adaptation_field() {
            5 + self.byte(4) as usize
        } else {
            4
        };
        self.b().get(start..PACKET_SIZE)
    }
    pub fn into_inner(self) -> T {
        self.buffer
    }
}

/// Zero-copy view of an adaptation field, starting at its length byte.
#[derive(Debug, Clone, Copy)]
pub struct AdaptationField<T: AsRef<[u8]>> {
    buffer: T,
}

/// Program clock reference: 33-bit base at 90 kHz, 9-bit extension at 27 MHz.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pcr {
    pub base: u64,
    pub extension: u16,
}

impl Pcr {
    /// Value in 27 MHz ticks.
    pub fn ticks_27mhz(&self) -> u64 {
        self.base * 300 + self.extension as u64
    }
    fn parse(b: &[u8]) -> Option<Pcr> {
        let b = b.get(..6)?;
        let base = ((b[0] as u64) << 25)
            | ((b[1] as u64) << 17)
            | ((b[2] as u64) << 9)
            | ((b[3] as u64) << 1)
            | ((b[4] as u64) >> 7);
        let extension = (((b[4] & 1) as u16) << 8) | b[5] as u16;
        Some(Pcr { base, extension })
    }
    fn emit(&self) -> [u8; 6] {
        let b = self.base & 0x1_FFFF_FFFF;
        [
            (b >> 25) as u8,
            (b >> 17) as u8,
            (b >> 9) as u8,
            (b >> 1) as u8,
            (((b & 1) as u8) << 7) | 0x7E | ((self.extension >> 8) & 1) as u8,
            self.extension as u8,
        ]
    }
}

impl<T: AsRef<[u8]>> AdaptationField<T> {
    fn b(&self) -> &[u8] {
        self.buffer.as_ref()
    }
    fn flags(&self) -> u8 {
        self.b().get(1).copied().unwrap_or(0)
    }
    /// adaptation_field_length (bytes after the length byte).
    pub fn length(&self) -> usize {
        self.b().first().copied().unwrap_or(0) as usize
    }
    pub fn discontinuity_indicator(&self) -> bool {
        self.flags() & 0x80 != 0
    }
    pub fn random_access_indicator(&self) -> bool {
        self.flags() & 0x40 != 0
    }
    pub fn es_priority_indicator(&self) -> bool {
        self.flags() & 0x20 != 0
    }
    pub fn pcr(&self) -> Option<Pcr> {
        if self.flags() & 0x10 == 0 {
            return None;
        }
        Pcr::parse(self.b().get(2..)?)
    }
    pub fn opcr(&self) -> Option<Pcr> {
        if self.flags() & 0x08 == 0 {
            return None;
        }
        let off = 2 + if self.flags() & 0x10 != 0 { 6 } else { 0 };
        Pcr::parse(self.b().get(off..)?)
    }
    /// Number of trailing 0xFF stuffing bytes.
    pub fn stuffing_len(&self) -> usize {
        self.b()
            .iter()
            .skip(2)
            .rev()
            .take_while(|&&b| b == 0xFF)
            .count()
    }
}

/// Adaptation field contents we emit (the subset tests and muxers need).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AdaptationFieldRepr {
    pub discontinuity: bool,
    pub random_access: bool,
    pub es_priority: bool,
    pub pcr: Option<Pcr>,
    pub opcr: Option<Pcr>,
}

impl AdaptationFieldRepr {
    pub fn parse<T: AsRef<[u8]>>(af: &AdaptationField<T>) -> Self {
        AdaptationFieldRepr {
            discontinuity: af.discontinuity_indicator(),
            random_access: af.random_access_indicator(),
            es_priority: af.es_priority_indicator(),
            pcr: af.pcr(),
            opcr: af.opcr(),
        }
    }
    /// Bytes needed without stuffing, including the length byte (flags byte always present).
    pub fn min_len(&self) -> usize {
        2 + 6 * self.pcr.is_some() as usize + 6 * self.opcr.is_some() as usize
    }
}

/// A transport packet to emit. The payload is padded with adaptation-field stuffing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TsPacketRepr<'a> {
    pub pid: u16,
    pub payload_unit_start: bool,
    pub transport_error: bool,
    pub priority: bool,
    pub scrambling_control: u8,
    pub continuity_counter: u8,
    pub adaptation: Option<AdaptationFieldRepr>,
    pub payload: &'a [u8],
}

impl<'a> TsPacketRepr<'a> {
    pub fn parse<T: AsRef<[u8]>>(p: &'a TsPacket<T>) -> Result<Self> {
        p.check()?;
        Ok(TsPacketRepr {
            pid: p.pid(),
            payload_unit_start: p.payload_unit_start_indicator(),
            transport_error: p.transport_error_indicator(),
            priority: p.transport_priority(),
            scrambling_control: p.scrambling_control(),
            continuity_counter: p.continuity_counter(),
            adaptation: p.adaptation_field().map(|a| AdaptationFieldRepr::parse(&a)),
            payload: p.payload().unwrap_or(&[]),
        })
    }

    /// Writes the packet. Fails if header, adaptation field and payload exceed 188 bytes.
    pub fn emit(&self) -> Result<[u8; PACKET_SIZE]> {
        let mut out = [0xFFu8; PACKET_SIZE];
        let af_min = self.adaptation.map(|a| a.min_len()).unwrap_or(0);
        if 4 + af_min + self.payload.len() > PACKET_SIZE {
            return Err(Error::Overflow);
        }
        let need_af = self.adaptation.is_some() || self.payload.len() < PACKET_SIZE - 4;
        let has_payload = !self.payload.is_empty();
        out[0] = SYNC_BYTE;
        out[1] = ((self.transport_error as u8) << 7)
            | ((self.payload_unit_start as u8) << 6)
            | ((self.priority as u8) << 5)
            | ((self.pid >> 8) as u8 & 0x1F);
        out[2] = self.pid as u8;
        out[3] = ((self.scrambling_control & 3) << 6)
            | ((need_af as u8) << 5)
            | ((has_payload as u8) << 4)
            | (self.continuity_counter & 0x0F);
        let mut pos = 4;
        if need_af {
            let af_total = PACKET_SIZE - 4 - self.payload.len();
            out[4] = (af_total - 1) as u8;
            if af_total >= 2 {
                let a = self.adaptation.unwrap_or_default();
                out[5] = ((a.discontinuity as u8) << 7)
                    | ((a.random_access as u8) << 6)
                    | ((a.es_priority as u8) << 5)
                    | ((a.pcr.is_some() as u8) << 4)
                    | ((a.opcr.is_some() as u8) << 3);
                let mut p = 6;
                for pcr in [a.pcr, a.opcr].into_iter().flatten() {
                    out[p..p + 6].copy_from_slice(&pcr.emit());
                    p += 6;
                }
            }
            pos += af_total;
        }
        out[pos..].copy_from_slice(self.payload);
        Ok(out)
    }
}

/// Splits a byte buffer into 188-byte packets, resynchronising on 0x47 after garbage.
/// Yields `Err(offset)` once per lost-sync region so callers can count it.
pub struct PacketIter<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> PacketIter<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        PacketIter { data, pos: 0 }
    }
}

impl<'a> Iterator for PacketIter<'a> {
    type Item = core::result::Result<&'a [u8], usize>;
    fn next(&mut self) -> Option<Self::Item> {
        let rest = self.data.get(self.pos..)?;
        if rest.len() < PACKET_SIZE {
            return None;
        }
        if rest[0] == SYNC_BYTE {
            self.pos += PACKET_SIZE;
            return Some(Ok(&rest[..PACKET_SIZE]));
        }
        // Lost sync: find the next offset with sync bytes 188 apart (or the last one).
        let lost_at = self.pos;
        let mut i = 1;
        while i + PACKET_SIZE <= rest.len() {
            if rest[i] == SYNC_BYTE && rest.get(i + PACKET_SIZE).is_none_or(|&b| b == SYNC_BYTE) {
                break;
            }
            i += 1;
        }
        self.pos += i;
        Some(Err(lost_at))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emit_parse_roundtrip_with_pcr() {
        let payload = [1u8, 2, 3, 4, 5];
        let repr = TsPacketRepr {
            pid: 0x1234 & 0x1FFF,
            payload_unit_start: true,
            transport_error: false,
            priority: true,
            scrambling_control: 2,
            continuity_counter: 9,
            adaptation: Some(AdaptationFieldRepr {
                discontinuity: true,
                random_access: true,
                es_priority: false,
                pcr: Some(Pcr {
                    base: 0x1_2345_6789,
                    extension: 299,
                }),
                opcr: None,
            }),
            payload: &payload,
        };
        let bytes = repr.emit().unwrap();
        let p = TsPacket::new_checked(&bytes[..]).unwrap();
        assert_eq!(p.pid(), 0x1234);
        assert_eq!(p.payload(), Some(&payload[..]));
        let af = p.adaptation_field().unwrap();
        assert!(af.discontinuity_indicator() && af.random_access_indicator());
        assert_eq!(
            af.pcr(),
            Some(Pcr {
                base: 0x1_2345_6789,
                extension: 299
            })
        );
        assert_eq!(af.stuffing_len(), 188 - 4 - 5 - 8);
        assert_eq!(TsPacketRepr::parse(&p).unwrap(), repr);
    }

    #[test]
    fn bad_adaptation_length_gives_no_payload() {
        let mut b = [0xFFu8; 188];
        b[0] = 0x47;
        b[3] = 0x30;
        b[4] = 200;
        let p = TsPacket::new_checked(&b[..]).unwrap();
        assert!(p.payload().is_none());
        assert!(p.adaptation_field().is_none());
    }

    #[test]
    fn resync_after_garbage() {
        let pkt = TsPacketRepr {
            pid: 0x100,
            payload_unit_start: false,
            transport_error: false,
            priority: false,
            scrambling_control: 0,
            continuity_counter: 0,
            adaptation: None,
            payload: &[0u8; 184],
        }
        .emit()
        .unwrap();
        let mut data = pkt.to_vec();
        data.extend_from_slice(&[0x12, 0x47, 0x00]);
        data.extend_from_slice(&pkt);
        data.extend_from_slice(&pkt);
        let items: Vec<_> = PacketIter::new(&data).collect();
        assert_eq!(items.len(), 4);
        assert!(items[1].is_err());
        assert!(items[2].is_ok() && items[3].is_ok());
    }
}
