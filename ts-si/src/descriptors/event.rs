//! Event descriptors (EN 300 468 §6.2).

use super::{need_empty, DescriptorRepr, DvbString};
use crate::bytes::{put_len8, Lang, Reader};
use crate::Result;

/// short_event_descriptor (EN 300 468 §6.2.37): title and short text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShortEventDescriptor {
    pub language: Lang,
    pub event_name: DvbString,
    pub text: DvbString,
}

impl DescriptorRepr for ShortEventDescriptor {
    const TAG: u8 = 0x4D;
    fn parse_body(body: &[u8]) -> Result<Self> {
        let mut r = Reader::new(body);
        Ok(ShortEventDescriptor {
            language: Lang(r.array()?),
            event_name: DvbString(r.len8_bytes()?.to_vec()),
            text: DvbString(r.len8_bytes()?.to_vec()),
        })
    }
    fn emit_body(&self, out: &mut Vec<u8>) -> Result<()> {
        out.extend_from_slice(&self.language.0);
        put_len8(out, &self.event_name.0)?;
        put_len8(out, &self.text.0)
    }
}

/// One item (description, text) of an extended event descriptor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtendedEventItem {
    pub description: DvbString,
    pub item: DvbString,
}

/// extended_event_descriptor (EN 300 468 §6.2.15). Long texts span several descriptors
/// numbered 0..=last; [`ExtendedEventDescriptor::reassemble`] joins them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtendedEventDescriptor {
    pub descriptor_number: u8,
    pub last_descriptor_number: u8,
    pub language: Lang,
    pub items: Vec<ExtendedEventItem>,
    pub text: DvbString,
}

impl DescriptorRepr for ExtendedEventDescriptor {
    const TAG: u8 = 0x4E;
    fn parse_body(body: &[u8]) -> Result<Self> {
        let mut r = Reader::new(body);
        let n = r.u8()?;
        let language = Lang(r.array()?);
        let mut ir = Reader::new(r.len8_bytes()?);
        let mut items = Vec::new();
        while !ir.is_empty() {
            items.push(ExtendedEventItem {
                description: DvbString(ir.len8_bytes()?.to_vec()),
                item: DvbString(ir.len8_bytes()?.to_vec()),
            });
        }
        let text = DvbString(r.len8_bytes()?.to_vec());
        need_empty(&r)?;
        Ok(ExtendedEventDescriptor {
            descriptor_number: n >> 4,
            last_descriptor_number: n & 0x0F,
            language,
            items,
            text,
        })
    }
    fn emit_body(&self, out: &mut Vec<u8>) -> Result<()> {
        out.push((self.descriptor_number << 4) | (self.last_descriptor_number & 0x0F));
        out.extend_from_slice(&self.language.0);
        let mut items = Vec::new();
        for it in &self.items {
            put_len8(&mut items, &it.description.0)?;
            put_len8(&mut items, &it.item.0)?;
        }
        put_len8(out, &items)?;
        put_len8(out, &self.text.0)
    }
}

/// The text of a multi-descriptor extended event, joined.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ExtendedEventText {
    pub language: Lang,
    pub items: Vec<(String, String)>,
    pub text: String,
}

impl ExtendedEventDescriptor {
    /// Joins the descriptors of one language, in descriptor_number order.
    ///
    /// Text bytes are joined *before* decoding when a part has no selector of its own, so
    /// a multi-byte character or a charset selected in part 0 carries into later parts.
    pub fn reassemble(
        parts: &[&ExtendedEventDescriptor],
        decode: &dyn Fn(&[u8]) -> String,
    ) -> ExtendedEventText {
        let mut sorted: Vec<&ExtendedEventDescriptor> = parts.to_vec();
        sorted.sort_by_key(|d| d.descriptor_number);
        let mut text = String::new();
        let mut run: Vec<u8> = Vec::new();
        let mut items = Vec::new();
        for d in &sorted {
            let t = &d.text.0;
            let has_selector = t.first().is_some_and(|&b| b < 0x20);
            if has_selector && !run.is_empty() {
                text.push_str(&decode(&run));
                run.clear();
            }
            if !has_selector && !run.is_empty() && run.first().is_some_and(|&b| b < 0x20) {
                run.extend_from_slice(t);
            } else {
                if !run.is_empty() {
                    text.push_str(&decode(&run));
                    run.clear();
                }
                run.extend_from_slice(t);
            }
            for it in &d.items {
                items.push((decode(&it.description.0), decode(&it.item.0)));
            }
        }
        if !run.is_empty() {
            text.push_str(&decode(&run));
        }
        ExtendedEventText {
            language: sorted.first().map(|d| d.language).unwrap_or_default(),
            items,
            text,
        }
    }
}

/// component_descriptor (EN 300 468 §6.2.8).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComponentDescriptor {
    pub stream_content_ext: u8,
    pub stream_content: u8,
    pub component_type: u8,
    pub component_tag: u8,
    pub language: Lang,
    pub text: DvbString,
}

impl DescriptorRepr for ComponentDescriptor {
    const TAG: u8 = 0x50;
    fn parse_body(body: &[u8]) -> Result<Self> {
        let mut r = Reader::new(body);
        let b = r.u8()?;
        Ok(ComponentDescriptor {
            stream_content_ext: b >> 4,
            stream_content: b & 0x0F,
            component_type: r.u8()?,
            component_tag: r.u8()?,
            language: Lang(r.array()?),
            text: DvbString(r.take_rest().to_vec()),
        })
    }
    fn emit_body(&self, out: &mut Vec<u8>) -> Result<()> {
        out.push((self.stream_content_ext << 4) | (self.stream_content & 0x0F));
        out.push(self.component_type);
        out.push(self.component_tag);
        out.extend_from_slice(&self.language.0);
        out.extend_from_slice(&self.text.0);
        Ok(())
    }
}

/// One classification of [`ContentDescriptor`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContentNibbles {
    /// content_nibble_level_1 (Table 28: 1 movie, 2 news, 3 show, 4 sports, 5 children...).
    pub level1: u8,
    pub level2: u8,
    pub user_byte: u8,
}

/// content_descriptor (EN 300 468 §6.2.9): genre.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentDescriptor {
    pub entries: Vec<ContentNibbles>,
}

impl DescriptorRepr for ContentDescriptor {
    const TAG: u8 = 0x54;
    fn parse_body(body: &[u8]) -> Result<Self> {
        let mut r = Reader::new(body);
        let mut entries = Vec::new();
        while !r.is_empty() {
            let n = r.u8()?;
            entries.push(ContentNibbles {
                level1: n >> 4,
                level2: n & 0x0F,
                user_byte: r.u8()?,
            });
        }
        Ok(ContentDescriptor { entries })
    }
    fn emit_body(&self, out: &mut Vec<u8>) -> Result<()> {
        for e in &self.entries {
            out.push((e.level1 << 4) | (e.level2 & 0x0F));
            out.push(e.user_byte);
        }
        Ok(())
    }
}

/// parental_rating_descriptor (EN 300 468 §6.2.28): rating 0x01..=0x0F = minimum age − 3.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParentalRatingDescriptor {
    pub ratings: Vec<(Lang, u8)>,
}

impl DescriptorRepr for ParentalRatingDescriptor {
    const TAG: u8 = 0x55;
    fn parse_body(body: &[u8]) -> Result<Self> {
        let mut r = Reader::new(body);
        let mut ratings = Vec::new();
        while !r.is_empty() {
            ratings.push((Lang(r.array()?), r.u8()?));
        }
        Ok(ParentalRatingDescriptor { ratings })
    }
    fn emit_body(&self, out: &mut Vec<u8>) -> Result<()> {
        for (c, r) in &self.ratings {
            out.extend_from_slice(&c.0);
            out.push(*r);
        }
        Ok(())
    }
}
