//! `ts-si`: the MPEG-TS / PSI / DVB-SI engine of the set-top box.
//!
//! Layout follows smoltcp's `wire` style: zero-copy views over bytes
//! ([`ts::TsPacket`], [`section::Section`]) plus plain `Repr` structs (one per table and per
//! descriptor, named as in TSDuck) that are parsed from and emitted to bytes. Emitting is how
//! tests build their input streams.
//!
//! - [`ts`]: transport packets (ISO/IEC 13818-1 §2.4.3), adaptation field, PCR.
//! - [`section`]: PSI/SI sections, CRC-32/MPEG-2, reassembly per PID, completeness tracking.
//! - [`tables`]: PAT, CAT, PMT, NIT, BAT, SDT, EIT, TDT, TOT.
//! - [`descriptors`]: the descriptors of ISO/IEC 13818-1 and EN 300 468 the box uses.
//! - [`text`]: EN 300 468 Annex A text (ISO 6937, ISO 8859, UCS-2, KS X 1001, GB, Big5, UTF-8).
//! - [`demux`]: packet stream → sections, with error counters.
//! - [`collector`]: gathers services, networks and events out of the tables.
//! - [`analyze`]: report types for `stb-app ts analyze` / `stb-app ts epg`.
//! - [`cli`]: the `stb-app ts` subcommand.
//!
//! Nothing here panics on outside input: every read goes through [`bytes::Reader`].
//!
//! ```
//! use ts_si::collector::SiCollector;
//! use ts_si::section::{packetize, LongHeader};
//! use ts_si::tables::ProgramAssociationTable;
//!
//! // Build a PAT, cut it into packets, and read it back as a receiver would.
//! let header = LongHeader { table_id: 0, table_id_extension: 7, version: 0, current_next: true,
//!                           section_number: 0, last_section_number: 0 };
//! let pat = ProgramAssociationTable { header, programs: vec![(0, 0x10), (1, 0x100)] };
//! let mut cc = 0;
//! let mut c = SiCollector::default();
//! for p in packetize(0x0000, &[pat.emit().unwrap()], &mut cc) {
//!     c.feed(&p);
//! }
//! assert_eq!(c.si.transport_stream_id(), Some(7));
//! assert_eq!(c.si.pmt_pids.get(&1), Some(&0x100));
//! ```

pub mod analyze;
pub mod bytes;
pub mod cli;
pub mod collector;
pub mod crc;
pub mod demux;
pub mod descriptors;
pub mod section;
pub mod tables;
pub mod text;
pub mod time;
pub mod ts;

/// Errors of the wire layer: what is wrong with some outside bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// Fewer bytes than the structure needs.
    #[error("truncated data")]
    Truncated,
    /// A TS packet does not start with 0x47.
    #[error("lost sync byte")]
    Sync,
    /// A length field disagrees with the bytes around it.
    #[error("inconsistent length field")]
    Length,
    /// CRC-32/MPEG-2 does not match.
    #[error("CRC-32 mismatch")]
    Crc,
    /// A table_id that this parser does not handle.
    #[error("unexpected table_id 0x{0:02X}")]
    TableId(u8),
    /// A descriptor whose tag does not match the parser.
    #[error("unexpected descriptor tag 0x{0:02X}")]
    Tag(u8),
    /// A field holds a value its type forbids (e.g. a BCD digit above 9).
    #[error("invalid field value")]
    Invalid,
    /// A value that cannot be emitted (too long for its length field, out of range).
    #[error("value does not fit its field")]
    Overflow,
}

pub type Result<T> = core::result::Result<T, Error>;
