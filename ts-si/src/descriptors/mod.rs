//! Descriptors (ISO/IEC 13818-1 §2.6, EN 300 468 §6): one `Repr` type per descriptor,
//! TSDuck naming, and [`Descriptor`] dispatching on the tag. Tags we do not model are kept
//! as raw bytes; a descriptor whose body does not parse is kept raw as
//! [`Descriptor::Malformed`] so nothing is lost and re-emitting gives the same bytes.

mod event;
mod mpeg;
mod network;
mod service;
mod time;

pub use event::*;
pub use mpeg::*;
pub use network::*;
pub use service::*;
pub use time::*;

use crate::bytes::Reader;
use crate::text::{decode, Charset, CharsetPolicy};
use crate::{Error, Result};

/// A DVB string as sent (selector byte included): decoded on demand, because which table
/// applies to selector-less text depends on the network and on the user's setting.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct DvbString(pub Vec<u8>);

impl DvbString {
    pub fn decode(&self, policy: &CharsetPolicy, onid: Option<u16>) -> String {
        policy.decode(&self.0, onid)
    }
    /// Decoded with ISO 6937 as default (for debugging output).
    pub fn to_default_string(&self) -> String {
        decode(&self.0, Charset::Iso6937)
    }
    /// Encodes text with the given table and its selector.
    pub fn encode(s: &str, cs: Charset) -> Self {
        DvbString(crate::text::encode(s, cs, true))
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl core::fmt::Debug for DvbString {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{:?}", self.to_default_string())
    }
}

impl From<&str> for DvbString {
    /// ISO 6937 without selector (ASCII stays ASCII).
    fn from(s: &str) -> Self {
        DvbString(crate::text::encode_iso6937(s))
    }
}

/// Every descriptor type implements this: body parsing and emission (without tag/length).
pub trait DescriptorRepr: Sized {
    const TAG: u8;
    fn parse_body(body: &[u8]) -> Result<Self>;
    fn emit_body(&self, out: &mut Vec<u8>) -> Result<()>;
    /// Full descriptor: tag, length, body.
    fn emit(&self, out: &mut Vec<u8>) -> Result<()> {
        let mut body = Vec::new();
        self.emit_body(&mut body)?;
        out.push(Self::TAG);
        crate::bytes::put_len8(out, &body)
    }
}

macro_rules! descriptors {
    ($($variant:ident($ty:ty)),* $(,)?) => {
        /// A parsed descriptor.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum Descriptor {
            $($variant($ty),)*
            /// A private or not modelled tag, kept as bytes.
            Unknown { tag: u8, data: Vec<u8> },
            /// A modelled tag whose body did not parse (or a descriptor cut by its loop).
            Malformed { tag: u8, data: Vec<u8> },
        }

        impl Descriptor {
            /// Parses one descriptor body given its tag. Never fails: bad bodies become
            /// [`Descriptor::Malformed`].
            pub fn parse(tag: u8, body: &[u8]) -> Descriptor {
                let r = match tag {
                    $(<$ty>::TAG => <$ty>::parse_body(body).map(Descriptor::$variant),)*
                    _ => return Descriptor::Unknown { tag, data: body.to_vec() },
                };
                r.unwrap_or_else(|_| Descriptor::Malformed { tag, data: body.to_vec() })
            }
            pub fn tag(&self) -> u8 {
                match self {
                    $(Descriptor::$variant(_) => <$ty>::TAG,)*
                    Descriptor::Unknown { tag, .. } | Descriptor::Malformed { tag, .. } => *tag,
                }
            }
            /// Appends tag, length and body.
            pub fn emit(&self, out: &mut Vec<u8>) -> Result<()> {
                match self {
                    $(Descriptor::$variant(d) => d.emit(out),)*
                    Descriptor::Unknown { tag, data } | Descriptor::Malformed { tag, data } => {
                        out.push(*tag);
                        crate::bytes::put_len8(out, data)
                    }
                }
            }
        }
        $(impl From<$ty> for Descriptor {
            fn from(d: $ty) -> Self { Descriptor::$variant(d) }
        })*
    };
}

descriptors! {
    Registration(RegistrationDescriptor),
    Ca(CaDescriptor),
    Iso639Language(Iso639LanguageDescriptor),
    NetworkName(NetworkNameDescriptor),
    ServiceList(ServiceListDescriptor),
    SatelliteDeliverySystem(SatelliteDeliverySystemDescriptor),
    BouquetName(BouquetNameDescriptor),
    Service(ServiceDescriptor),
    Linkage(LinkageDescriptor),
    ShortEvent(ShortEventDescriptor),
    ExtendedEvent(ExtendedEventDescriptor),
    Component(ComponentDescriptor),
    StreamIdentifier(StreamIdentifierDescriptor),
    CaIdentifier(CaIdentifierDescriptor),
    Content(ContentDescriptor),
    ParentalRating(ParentalRatingDescriptor),
    LocalTimeOffset(LocalTimeOffsetDescriptor),
    S2SatelliteDeliverySystem(S2SatelliteDeliverySystemDescriptor),
    LogicalChannelNumber(LogicalChannelNumberDescriptor),
    Extension(ExtensionDescriptor),
}

/// A descriptor loop as parsed: the descriptors and how many were malformed or cut short.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DescriptorList {
    pub items: Vec<Descriptor>,
}

impl DescriptorList {
    /// Parses a whole loop. A descriptor whose length runs past the loop is kept as
    /// `Malformed` with the bytes that are there.
    pub fn parse(mut buf: &[u8]) -> Self {
        let mut items = Vec::new();
        while let [tag, len, rest @ ..] = buf {
            let len = *len as usize;
            if len > rest.len() {
                items.push(Descriptor::Malformed {
                    tag: *tag,
                    data: rest.to_vec(),
                });
                buf = &[];
                break;
            }
            let (body, r) = rest.split_at(len);
            items.push(Descriptor::parse(*tag, body));
            buf = r;
        }
        if let [tag] = buf {
            items.push(Descriptor::Malformed {
                tag: *tag,
                data: Vec::new(),
            });
        }
        DescriptorList { items }
    }
    pub fn emit(&self, out: &mut Vec<u8>) -> Result<()> {
        for d in &self.items {
            d.emit(out)?;
        }
        Ok(())
    }
    /// Emits with a reserved(4)/length(12) prefix, as in PMT, NIT, SDT, EIT loops.
    pub fn emit_len12(&self, out: &mut Vec<u8>) -> Result<()> {
        let mut b = Vec::new();
        self.emit(&mut b)?;
        crate::bytes::put_len12(out, &b)
    }
    pub fn malformed_count(&self) -> usize {
        self.items
            .iter()
            .filter(|d| matches!(d, Descriptor::Malformed { .. }))
            .count()
    }
    pub fn iter(&self) -> core::slice::Iter<'_, Descriptor> {
        self.items.iter()
    }
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
    pub fn len(&self) -> usize {
        self.items.len()
    }
    /// Reads a 12-bit length prefixed loop from `r`.
    pub fn read_len12(r: &mut Reader<'_>) -> Result<Self> {
        Ok(Self::parse(r.len12_bytes()?))
    }
}

impl From<Vec<Descriptor>> for DescriptorList {
    fn from(items: Vec<Descriptor>) -> Self {
        DescriptorList { items }
    }
}

impl<'a> IntoIterator for &'a DescriptorList {
    type Item = &'a Descriptor;
    type IntoIter = core::slice::Iter<'a, Descriptor>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

pub(crate) fn need_empty(r: &Reader<'_>) -> Result<()> {
    if r.is_empty() {
        Ok(())
    } else {
        Err(Error::Length)
    }
}
