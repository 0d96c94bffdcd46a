//! The operator's authorisations over the air (its EMMs): the CAT of the tuned transponder names the activation
//! PID with a CA descriptor (CA_system_ID 0x4AFF, "HHTA"); sections of table 0x90 with this box's group as their
//! extension carry the signed messages. `stb-app activation listen` and the box's screens (all the while a channel
//! is watched) collect them the same way, through any [`Tuner`].

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use activation::message::BoxId;
use activation::section::{activation_pid, box_group, TABLE_ID};

use crate::dvb::SectionFilter;
use crate::tuner::{SectionSource, TuneError, Tuner};

/// How many section CRCs are remembered as already handed out (the operator repeats each section every second;
/// a box's group carries a handful of distinct ones at a time).
const REMEMBERED: usize = 64;

enum Stage {
    /// Reading the CAT for the activation PID.
    Cat(Box<dyn SectionSource>),
    /// Reading this box's group on the activation PID.
    Group {
        pid: u16,
        sections: Box<dyn SectionSource>,
    },
}

/// Collects the activation sections of one box from the tuned transponder. Tuning elsewhere ends its use: the
/// next transponder's CAT may name another PID.
pub struct EmmCollector {
    group: u16,
    stage: Stage,
    /// CRC_32 of the sections already handed out, so a repeated section is handed out once.
    seen: VecDeque<u32>,
}

impl EmmCollector {
    /// Starts reading the CAT of the tuned transponder.
    pub fn start(tuner: &mut dyn Tuner, box_id: &BoxId) -> Result<Self, TuneError> {
        Ok(Self {
            group: box_group(box_id),
            stage: Stage::Cat(tuner.sections(&SectionFilter::table(0x0001, 0x01))?),
            seen: VecDeque::new(),
        })
    }

    /// The activation PID, once the CAT has named it.
    pub fn pid(&self) -> Option<u16> {
        match self.stage {
            Stage::Cat(_) => None,
            Stage::Group { pid, .. } => Some(pid),
        }
    }

    /// The next activation section of this box's group not handed out before, waiting at most `timeout`
    /// (`Duration::ZERO` takes only what has already arrived). CRC-damaged and foreign sections are skipped.
    pub fn next(
        &mut self,
        tuner: &mut dyn Tuner,
        timeout: Duration,
    ) -> Result<Option<Vec<u8>>, TuneError> {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match &mut self.stage {
                Stage::Cat(cat) => {
                    let Some(bytes) = cat.next_section(left)? else {
                        return Ok(None);
                    };
                    if let Some(pid) = pid_in_cat(&bytes) {
                        let filter = SectionFilter::table(pid, TABLE_ID).with_extension(self.group);
                        self.stage = Stage::Group {
                            pid,
                            sections: tuner.sections(&filter)?,
                        };
                    }
                }
                Stage::Group { sections, .. } => {
                    let Some(bytes) = sections.next_section(left)? else {
                        return Ok(None);
                    };
                    let Ok(s) = ts_si::section::Section::new_checked(bytes.as_slice()) else {
                        continue;
                    };
                    if s.table_id() != TABLE_ID {
                        continue;
                    }
                    let Some(crc) = bytes
                        .get(bytes.len().saturating_sub(4)..)
                        .and_then(|b| <[u8; 4]>::try_from(b).ok())
                        .map(u32::from_be_bytes)
                    else {
                        continue;
                    };
                    if self.seen.contains(&crc) {
                        continue;
                    }
                    if self.seen.len() == REMEMBERED {
                        self.seen.pop_front();
                    }
                    self.seen.push_back(crc);
                    return Ok(Some(bytes));
                }
            }
        }
    }
}

/// The activation PID a CAT section names, if any (a damaged section names none).
pub fn pid_in_cat(section: &[u8]) -> Option<u16> {
    let s = ts_si::section::Section::new_checked(section).ok()?;
    let t = ts_si::tables::ConditionalAccessTable::parse(&s).ok()?;
    t.descriptors.iter().find_map(|d| {
        let mut raw = Vec::new();
        d.emit(&mut raw).ok()?;
        activation_pid(&raw)
    })
}
