//! `demux0`: the kernel's hardware-style filters. A section filter hands over whole sections (one per read, CRC
//! checked by the kernel when asked); a PES filter routes PIDs to `dvr0`.

use std::fs::File;
use std::os::fd::AsFd;
use std::path::{Path, PathBuf};
use std::time::Duration;

use nix::errno::Errno;

use super::sys;
use super::{open_device, read_some, DvbError, Result};

/// The longest private section (ISO/IEC 13818-1 2.4.4.10): 4096 bytes with its 3-byte header.
pub const MAX_SECTION: usize = 4096 + 3;

/// What a section filter matches: the PID, and table_id (plus optional further header bytes) under a mask.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SectionFilter {
    pub pid: u16,
    /// Byte 0 matches table_id; bytes 1.. match the section from its 4th byte on (table_id_extension first).
    pub filter: Vec<u8>,
    pub mask: Vec<u8>,
    /// Let the kernel drop sections whose CRC-32 is wrong.
    pub check_crc: bool,
    /// Stop after the first matching section.
    pub oneshot: bool,
}

impl SectionFilter {
    /// Sections of one table_id on a PID (e.g. PAT: pid 0, table 0x00).
    pub fn table(pid: u16, table_id: u8) -> Self {
        Self {
            pid,
            filter: vec![table_id],
            mask: vec![0xff],
            check_crc: true,
            oneshot: false,
        }
    }

    /// Sections of a range of table ids: `table_id & mask == value` (e.g. EIT schedule 0x50..0x5F: 0x50/0xF0).
    pub fn table_masked(pid: u16, table_id: u8, mask: u8) -> Self {
        Self {
            pid,
            filter: vec![table_id],
            mask: vec![mask],
            check_crc: true,
            oneshot: false,
        }
    }

    /// Additionally match table_id_extension (program_number, transport_stream_id, service_id ...).
    pub fn with_extension(mut self, ext: u16) -> Self {
        self.filter.resize(3, 0);
        self.mask.resize(3, 0);
        self.filter[1..3].copy_from_slice(&ext.to_be_bytes());
        self.mask[1..3].copy_from_slice(&[0xff, 0xff]);
        self
    }

    fn params(&self, timeout_ms: u32) -> sys::dmx_sct_filter_params {
        let mut p = sys::dmx_sct_filter_params {
            pid: self.pid,
            timeout: timeout_ms,
            ..Default::default()
        };
        for (i, (f, m)) in self.filter.iter().zip(&self.mask).take(16).enumerate() {
            p.filter.filter[i] = *f;
            p.filter.mask[i] = *m;
        }
        p.flags = sys::DMX_IMMEDIATE_START
            | if self.check_crc {
                sys::DMX_CHECK_CRC
            } else {
                0
            }
            | if self.oneshot { sys::DMX_ONESHOT } else { 0 };
        p
    }
}

/// Where a TS filter delivers its packets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TsOutput {
    Dvr,
    Demux,
}

/// `demux0`, one filter per open file (the kernel's model).
pub struct Demux {
    file: File,
    path: PathBuf,
}

impl Demux {
    pub fn open(path: &Path) -> Result<Self> {
        Ok(Self {
            file: open_device(path, true)?,
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn err(&self, call: &'static str) -> impl FnOnce(Errno) -> DvbError + '_ {
        move |errno| DvbError::Call {
            device: self.path.clone(),
            call,
            errno,
        }
    }

    /// Kernel buffer for this filter; a full multiplex of EIT needs more than the default 8 KiB.
    pub fn set_buffer_size(&self, bytes: usize) -> Result<()> {
        sys::dmx_set_buffer_size(self.file.as_fd(), bytes.min(i32::MAX as usize) as i32)
            .map_err(self.err("DMX_SET_BUFFER_SIZE"))
    }

    /// Starts a section filter (started at once).
    pub fn set_section_filter(&self, f: &SectionFilter) -> Result<()> {
        if f.filter.len() != f.mask.len() || f.filter.is_empty() || f.filter.len() > 16 {
            return Err(DvbError::Unexpected {
                device: self.path.clone(),
                what: "a section filter needs 1 to 16 filter bytes and as many mask bytes".into(),
            });
        }
        if f.pid > 0x1fff {
            return Err(DvbError::Unexpected {
                device: self.path.clone(),
                what: format!("PID {} is over 0x1FFF", f.pid),
            });
        }
        sys::dmx_set_filter(self.file.as_fd(), &f.params(0)).map_err(self.err("DMX_SET_FILTER"))
    }

    /// Routes `pid` (0x2000 = the whole stream) as TS packets to dvr0 ([`TsOutput::Dvr`]) or to this demux file
    /// itself ([`TsOutput::Demux`]: the only output the kernel lets take further PIDs with [`Demux::add_pid`]).
    /// The filter waits for [`Demux::start`], so every PID can be added first and the stream starts whole.
    pub fn set_ts_filter(&self, pid: u16, output: TsOutput) -> Result<()> {
        let p = sys::dmx_pes_filter_params {
            pid,
            input: sys::DMX_IN_FRONTEND,
            output: match output {
                TsOutput::Dvr => sys::DMX_OUT_TS_TAP,
                TsOutput::Demux => sys::DMX_OUT_TSDEMUX_TAP,
            },
            pes_type: sys::DMX_PES_OTHER,
            flags: 0,
        };
        sys::dmx_set_pes_filter(self.file.as_fd(), &p).map_err(self.err("DMX_SET_PES_FILTER"))
    }

    pub fn add_pid(&self, pid: u16) -> Result<()> {
        sys::dmx_add_pid(self.file.as_fd(), pid).map_err(self.err("DMX_ADD_PID"))
    }

    pub fn remove_pid(&self, pid: u16) -> Result<()> {
        sys::dmx_remove_pid(self.file.as_fd(), pid).map_err(self.err("DMX_REMOVE_PID"))
    }

    pub fn start(&self) -> Result<()> {
        sys::dmx_start(self.file.as_fd()).map_err(self.err("DMX_START"))
    }

    pub fn stop(&self) -> Result<()> {
        sys::dmx_stop(self.file.as_fd()).map_err(self.err("DMX_STOP"))
    }

    /// TS packets of a [`TsOutput::Demux`] filter: what is there, waiting at most `timeout`; 0 on timeout.
    pub fn read_ts(&mut self, buf: &mut [u8], timeout: Duration) -> Result<usize> {
        read_some(&mut self.file, &self.path, buf, timeout)
    }

    /// The next section of a section filter, waiting at most `timeout`. A buffer overflow (EOVERFLOW) lost data
    /// but the filter goes on: it is reported, and the caller may read again.
    pub fn read_section(&mut self, timeout: Duration) -> Result<Vec<u8>> {
        let mut buf = vec![0u8; MAX_SECTION];
        // A section filter hands over one whole section per read.
        match read_some(&mut self.file, &self.path, &mut buf, timeout)? {
            0 => Err(DvbError::Timeout {
                device: self.path.clone(),
                timeout_ms: timeout.as_millis() as u64,
            }),
            n => {
                buf.truncate(n);
                Ok(buf)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_filter_matches_table_id_only() {
        let p = SectionFilter::table(0x11, 0x42).params(0);
        assert_eq!(p.pid, 0x11);
        assert_eq!(p.filter.filter[0], 0x42);
        assert_eq!(p.filter.mask[0], 0xff);
        assert!(p.filter.mask[1..].iter().all(|&m| m == 0));
        assert_eq!(p.flags, sys::DMX_IMMEDIATE_START | sys::DMX_CHECK_CRC);
    }

    #[test]
    fn extension_filter_matches_the_two_bytes_after_the_length() {
        let p = SectionFilter::table(0x12, 0x4e)
            .with_extension(0x0880)
            .params(0);
        assert_eq!(&p.filter.filter[..3], &[0x4e, 0x08, 0x80]);
        assert_eq!(&p.filter.mask[..3], &[0xff, 0xff, 0xff]);
    }

    #[test]
    fn masked_filter_covers_a_range_of_tables() {
        let f = SectionFilter::table_masked(0x12, 0x50, 0xf0);
        for t in 0x50..=0x5f_u8 {
            assert_eq!(t & f.mask[0], f.filter[0]);
        }
        assert_ne!(0x4e & f.mask[0], f.filter[0]);
    }
}
