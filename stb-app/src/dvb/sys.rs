//! The kernel's DVB API v5 as Rust: structures and ioctl numbers from `linux/dvb/frontend.h` and `linux/dvb/dmx.h`.
//!
//! Every `unsafe` of the DVB layer lives in this file; the modules beside it only call the safe functions here.
#![allow(non_camel_case_types)]

use std::os::fd::{AsRawFd, BorrowedFd};

use nix::errno::Errno;

/// `struct dvb_frontend_info` (frontend.h).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct dvb_frontend_info {
    pub name: [u8; 128],
    pub fe_type: u32,
    pub frequency_min: u32,
    pub frequency_max: u32,
    pub frequency_stepsize: u32,
    pub frequency_tolerance: u32,
    pub symbol_rate_min: u32,
    pub symbol_rate_max: u32,
    pub symbol_rate_tolerance: u32,
    pub notifier_delay: u32,
    pub caps: u32,
}

impl Default for dvb_frontend_info {
    fn default() -> Self {
        Self {
            name: [0; 128],
            fe_type: 0,
            frequency_min: 0,
            frequency_max: 0,
            frequency_stepsize: 0,
            frequency_tolerance: 0,
            symbol_rate_min: 0,
            symbol_rate_max: 0,
            symbol_rate_tolerance: 0,
            notifier_delay: 0,
            caps: 0,
        }
    }
}

/// `struct dvb_diseqc_master_cmd`: up to 6 bytes sent on the LNB cable.
#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct dvb_diseqc_master_cmd {
    pub msg: [u8; 6],
    pub msg_len: u8,
}

/// `struct dtv_stats` (packed): one statistics reading with its scale.
#[repr(C, packed)]
#[derive(Clone, Copy, Default)]
pub struct dtv_stats {
    pub scale: u8,
    pub value: u64,
}

/// `struct dtv_fe_stats` (packed): up to four layers of one statistic.
#[repr(C, packed)]
#[derive(Clone, Copy, Default)]
pub struct dtv_fe_stats {
    pub len: u8,
    pub stat: [dtv_stats; 4],
}

/// `struct dtv_property` (packed, 76 bytes). The union `u` is kept as bytes: `data` is its first `u32`, `st` a
/// `dtv_fe_stats`; the 56 bytes are the size of its largest member (`buffer`).
#[repr(C, packed)]
#[derive(Clone, Copy)]
pub struct dtv_property {
    pub cmd: u32,
    pub reserved: [u32; 3],
    pub u: [u8; 56],
    pub result: i32,
}

impl dtv_property {
    pub fn new(cmd: u32, data: u32) -> Self {
        let mut u = [0u8; 56];
        u[..4].copy_from_slice(&data.to_ne_bytes());
        Self {
            cmd,
            reserved: [0; 3],
            u,
            result: 0,
        }
    }

    pub fn data(&self) -> u32 {
        let u = self.u;
        u32::from_ne_bytes([u[0], u[1], u[2], u[3]])
    }

    /// The statistics member of the union.
    pub fn stats(&self) -> dtv_fe_stats {
        let u = self.u;
        // SAFETY: dtv_fe_stats is packed plain data of 37 bytes, fully inside the 56-byte union.
        unsafe { std::ptr::read_unaligned(u.as_ptr() as *const dtv_fe_stats) }
    }

    /// The `buffer` member: `data[32]` followed by `len` (used by DTV_ENUM_DELSYS).
    pub fn buffer(&self) -> &[u8] {
        let len = u32::from_ne_bytes([self.u[32], self.u[33], self.u[34], self.u[35]]) as usize;
        &self.u[..len.min(32)]
    }
}

/// `struct dtv_properties`.
#[repr(C)]
pub struct dtv_properties {
    pub num: u32,
    pub props: *mut dtv_property,
}

/// `struct dmx_filter`: byte 0 matches table_id, bytes 1.. match the section from byte 3 on (the kernel skips the
/// two length bytes).
#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct dmx_filter {
    pub filter: [u8; 16],
    pub mask: [u8; 16],
    pub mode: [u8; 16],
}

/// `struct dmx_sct_filter_params`.
#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct dmx_sct_filter_params {
    pub pid: u16,
    pub filter: dmx_filter,
    pub timeout: u32,
    pub flags: u32,
}

/// `struct dmx_pes_filter_params`.
#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct dmx_pes_filter_params {
    pub pid: u16,
    pub input: u32,
    pub output: u32,
    pub pes_type: u32,
    pub flags: u32,
}

// frontend.h: property commands
pub const DTV_TUNE: u32 = 1;
pub const DTV_CLEAR: u32 = 2;
pub const DTV_FREQUENCY: u32 = 3;
pub const DTV_MODULATION: u32 = 4;
pub const DTV_INVERSION: u32 = 6;
pub const DTV_SYMBOL_RATE: u32 = 8;
pub const DTV_INNER_FEC: u32 = 9;
pub const DTV_VOLTAGE: u32 = 10;
pub const DTV_TONE: u32 = 11;
pub const DTV_PILOT: u32 = 12;
pub const DTV_ROLLOFF: u32 = 13;
pub const DTV_DELIVERY_SYSTEM: u32 = 17;
pub const DTV_API_VERSION: u32 = 35;
pub const DTV_STREAM_ID: u32 = 42;
pub const DTV_ENUM_DELSYS: u32 = 44;
pub const DTV_STAT_SIGNAL_STRENGTH: u32 = 62;
pub const DTV_STAT_CNR: u32 = 63;
pub const DTV_STAT_PRE_ERROR_BIT_COUNT: u32 = 64;
pub const DTV_STAT_PRE_TOTAL_BIT_COUNT: u32 = 65;
pub const DTV_STAT_POST_ERROR_BIT_COUNT: u32 = 66;
pub const DTV_STAT_POST_TOTAL_BIT_COUNT: u32 = 67;
pub const DTV_STAT_ERROR_BLOCK_COUNT: u32 = 68;
pub const DTV_STAT_TOTAL_BLOCK_COUNT: u32 = 69;

// enum fecap_scale_params
pub const FE_SCALE_NOT_AVAILABLE: u8 = 0;
pub const FE_SCALE_DECIBEL: u8 = 1;
pub const FE_SCALE_RELATIVE: u8 = 2;
pub const FE_SCALE_COUNTER: u8 = 3;

// enum fe_status
pub const FE_HAS_SIGNAL: u32 = 0x01;
pub const FE_HAS_CARRIER: u32 = 0x02;
pub const FE_HAS_VITERBI: u32 = 0x04;
pub const FE_HAS_SYNC: u32 = 0x08;
pub const FE_HAS_LOCK: u32 = 0x10;
pub const FE_TIMEDOUT: u32 = 0x20;
pub const FE_REINIT: u32 = 0x40;

// enum fe_sec_voltage, fe_sec_tone_mode, fe_sec_mini_cmd
pub const SEC_VOLTAGE_13: i32 = 0;
pub const SEC_VOLTAGE_18: i32 = 1;
pub const SEC_VOLTAGE_OFF: i32 = 2;
pub const SEC_TONE_ON: i32 = 0;
pub const SEC_TONE_OFF: i32 = 1;
pub const SEC_MINI_A: i32 = 0;
pub const SEC_MINI_B: i32 = 1;

// dmx.h
pub const DMX_CHECK_CRC: u32 = 1;
pub const DMX_ONESHOT: u32 = 2;
pub const DMX_IMMEDIATE_START: u32 = 4;
pub const DMX_IN_FRONTEND: u32 = 0;
pub const DMX_OUT_TS_TAP: u32 = 2;
pub const DMX_OUT_TSDEMUX_TAP: u32 = 3;
pub const DMX_PES_OTHER: u32 = 20;

mod raw {
    use super::*;
    nix::ioctl_read!(fe_get_info, b'o', 61, dvb_frontend_info);
    nix::ioctl_write_ptr!(fe_diseqc_send_master_cmd, b'o', 63, dvb_diseqc_master_cmd);
    nix::ioctl_write_int_bad!(fe_diseqc_send_burst, nix::request_code_none!(b'o', 65));
    nix::ioctl_write_int_bad!(fe_set_tone, nix::request_code_none!(b'o', 66));
    nix::ioctl_write_int_bad!(fe_set_voltage, nix::request_code_none!(b'o', 67));
    nix::ioctl_read!(fe_read_status, b'o', 69, u32);
    nix::ioctl_write_ptr!(fe_set_property, b'o', 82, dtv_properties);
    nix::ioctl_read!(fe_get_property, b'o', 83, dtv_properties);
    nix::ioctl_none!(dmx_start, b'o', 41);
    nix::ioctl_none!(dmx_stop, b'o', 42);
    nix::ioctl_write_ptr!(dmx_set_filter, b'o', 43, dmx_sct_filter_params);
    nix::ioctl_write_ptr!(dmx_set_pes_filter, b'o', 44, dmx_pes_filter_params);
    nix::ioctl_write_int_bad!(dmx_set_buffer_size, nix::request_code_none!(b'o', 45));
    nix::ioctl_write_ptr!(dmx_add_pid, b'o', 51, u16);
    nix::ioctl_write_ptr!(dmx_remove_pid, b'o', 52, u16);
}

// The safe surface: each takes a borrowed descriptor of the right device and plain values, so no caller can pass a
// dangling pointer or a wrong-sized buffer.

pub fn fe_get_info(fd: BorrowedFd<'_>) -> Result<dvb_frontend_info, Errno> {
    let mut info = dvb_frontend_info::default();
    // SAFETY: `info` is a properly sized, writable dvb_frontend_info for the duration of the call.
    unsafe { raw::fe_get_info(fd.as_raw_fd(), &mut info) }?;
    Ok(info)
}

pub fn fe_read_status(fd: BorrowedFd<'_>) -> Result<u32, Errno> {
    let mut status = 0u32;
    // SAFETY: `status` is a writable u32 (enum fe_status) for the duration of the call.
    unsafe { raw::fe_read_status(fd.as_raw_fd(), &mut status) }?;
    Ok(status)
}

/// FE_SET_PROPERTY with a list of properties; on failure the kernel's per-property results are left in `props`.
pub fn fe_set_property(fd: BorrowedFd<'_>, props: &mut [dtv_property]) -> Result<(), Errno> {
    let cmds = dtv_properties {
        num: props.len() as u32,
        props: props.as_mut_ptr(),
    };
    // SAFETY: `cmds` points at `props`, which stays borrowed mutably (and thus alive and unaliased) during the call.
    unsafe { raw::fe_set_property(fd.as_raw_fd(), &cmds) }?;
    Ok(())
}

/// FE_GET_PROPERTY: fills each property's union in place.
pub fn fe_get_property(fd: BorrowedFd<'_>, props: &mut [dtv_property]) -> Result<(), Errno> {
    let mut cmds = dtv_properties {
        num: props.len() as u32,
        props: props.as_mut_ptr(),
    };
    // SAFETY: as above; the kernel writes at most `num` properties into `props`.
    unsafe { raw::fe_get_property(fd.as_raw_fd(), &mut cmds) }?;
    Ok(())
}

pub fn fe_set_voltage(fd: BorrowedFd<'_>, voltage: i32) -> Result<(), Errno> {
    // SAFETY: the argument is passed by value.
    unsafe { raw::fe_set_voltage(fd.as_raw_fd(), voltage) }.map(drop)
}

pub fn fe_set_tone(fd: BorrowedFd<'_>, tone: i32) -> Result<(), Errno> {
    // SAFETY: the argument is passed by value.
    unsafe { raw::fe_set_tone(fd.as_raw_fd(), tone) }.map(drop)
}

pub fn fe_diseqc_send_burst(fd: BorrowedFd<'_>, burst: i32) -> Result<(), Errno> {
    // SAFETY: the argument is passed by value.
    unsafe { raw::fe_diseqc_send_burst(fd.as_raw_fd(), burst) }.map(drop)
}

pub fn fe_diseqc_send_master_cmd(
    fd: BorrowedFd<'_>,
    cmd: &dvb_diseqc_master_cmd,
) -> Result<(), Errno> {
    // SAFETY: `cmd` is a valid dvb_diseqc_master_cmd borrowed for the call.
    unsafe { raw::fe_diseqc_send_master_cmd(fd.as_raw_fd(), cmd) }.map(drop)
}

pub fn dmx_set_filter(fd: BorrowedFd<'_>, params: &dmx_sct_filter_params) -> Result<(), Errno> {
    // SAFETY: `params` is a valid dmx_sct_filter_params borrowed for the call.
    unsafe { raw::dmx_set_filter(fd.as_raw_fd(), params) }.map(drop)
}

pub fn dmx_set_pes_filter(fd: BorrowedFd<'_>, params: &dmx_pes_filter_params) -> Result<(), Errno> {
    // SAFETY: `params` is a valid dmx_pes_filter_params borrowed for the call.
    unsafe { raw::dmx_set_pes_filter(fd.as_raw_fd(), params) }.map(drop)
}

pub fn dmx_set_buffer_size(fd: BorrowedFd<'_>, size: i32) -> Result<(), Errno> {
    // SAFETY: the argument is passed by value.
    unsafe { raw::dmx_set_buffer_size(fd.as_raw_fd(), size) }.map(drop)
}

pub fn dmx_start(fd: BorrowedFd<'_>) -> Result<(), Errno> {
    // SAFETY: no argument.
    unsafe { raw::dmx_start(fd.as_raw_fd()) }.map(drop)
}

pub fn dmx_stop(fd: BorrowedFd<'_>) -> Result<(), Errno> {
    // SAFETY: no argument.
    unsafe { raw::dmx_stop(fd.as_raw_fd()) }.map(drop)
}

pub fn dmx_add_pid(fd: BorrowedFd<'_>, pid: u16) -> Result<(), Errno> {
    // SAFETY: `pid` is a valid u16 borrowed for the call.
    unsafe { raw::dmx_add_pid(fd.as_raw_fd(), &pid) }.map(drop)
}

pub fn dmx_remove_pid(fd: BorrowedFd<'_>, pid: u16) -> Result<(), Errno> {
    // SAFETY: `pid` is a valid u16 borrowed for the call.
    unsafe { raw::dmx_remove_pid(fd.as_raw_fd(), &pid) }.map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The layouts must match the kernel's byte for byte, or every ioctl number (which encodes the size) is wrong.
    #[test]
    fn struct_sizes_match_the_kernel_abi() {
        assert_eq!(std::mem::size_of::<dvb_frontend_info>(), 168);
        assert_eq!(std::mem::size_of::<dtv_stats>(), 9);
        assert_eq!(std::mem::size_of::<dtv_fe_stats>(), 37);
        assert_eq!(std::mem::size_of::<dtv_property>(), 76);
        assert_eq!(std::mem::size_of::<dtv_properties>(), 16);
        assert_eq!(std::mem::size_of::<dvb_diseqc_master_cmd>(), 7);
        assert_eq!(std::mem::size_of::<dmx_sct_filter_params>(), 60);
        assert_eq!(std::mem::size_of::<dmx_pes_filter_params>(), 20);
    }

    #[test]
    fn ioctl_numbers_match_the_headers() {
        // Values computed by the kernel headers' _IOR/_IOW macros on x86_64.
        assert_eq!(
            nix::request_code_read!(b'o', 61, std::mem::size_of::<dvb_frontend_info>()),
            0x80a8_6f3d
        );
        assert_eq!(
            nix::request_code_write!(b'o', 82, std::mem::size_of::<dtv_properties>()),
            0x4010_6f52
        );
        assert_eq!(
            nix::request_code_read!(b'o', 83, std::mem::size_of::<dtv_properties>()),
            0x8010_6f53
        );
        assert_eq!(
            nix::request_code_write!(b'o', 43, std::mem::size_of::<dmx_sct_filter_params>()),
            0x403c_6f2b
        );
        assert_eq!(nix::request_code_read!(b'o', 69, 4), 0x8004_6f45);
    }

    #[test]
    fn property_union_views() {
        let p = dtv_property::new(DTV_FREQUENCY, 1_612_000);
        assert_eq!(p.data(), 1_612_000);
        let mut p = dtv_property::new(DTV_STAT_CNR, 0);
        p.u[0] = 1;
        p.u[1] = FE_SCALE_DECIBEL;
        p.u[2..10].copy_from_slice(&33_700i64.to_ne_bytes());
        let st = p.stats();
        assert_eq!(st.len, 1);
        let first = st.stat[0];
        assert_eq!({ first.scale }, FE_SCALE_DECIBEL);
        assert_eq!({ first.value } as i64, 33_700);
    }
}
