//! `frontend0`: what the tuner can do, tuning through DVBv5 properties, LNB power and tone, DiSEqC, lock status and
//! the DVBv5 statistics (DTV_STAT_*).

use std::fs::File;
use std::os::fd::AsFd;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::sys::{self, dtv_property};
use super::{open_device, DvbError, Result};

/// `enum fe_delivery_system`, the systems this project deals with by name; others are kept by number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DeliverySystem {
    DvbcAnnexA,
    DvbcAnnexB,
    Dvbt,
    Dss,
    Dvbs,
    Dvbs2,
    Dvbt2,
    Isdbt,
    Atsc,
    Dtmb,
    Other(u32),
}

impl DeliverySystem {
    pub fn from_raw(v: u32) -> Self {
        match v {
            1 => Self::DvbcAnnexA,
            2 => Self::DvbcAnnexB,
            3 => Self::Dvbt,
            4 => Self::Dss,
            5 => Self::Dvbs,
            6 => Self::Dvbs2,
            8 => Self::Isdbt,
            11 => Self::Atsc,
            13 => Self::Dtmb,
            16 => Self::Dvbt2,
            n => Self::Other(n),
        }
    }

    pub fn raw(self) -> u32 {
        match self {
            Self::DvbcAnnexA => 1,
            Self::DvbcAnnexB => 2,
            Self::Dvbt => 3,
            Self::Dss => 4,
            Self::Dvbs => 5,
            Self::Dvbs2 => 6,
            Self::Isdbt => 8,
            Self::Atsc => 11,
            Self::Dtmb => 13,
            Self::Dvbt2 => 16,
            Self::Other(n) => n,
        }
    }

    /// The name `dvb-fe-tool` prints.
    pub fn name(self) -> String {
        match self {
            Self::DvbcAnnexA => "DVBC/ANNEX_A".into(),
            Self::DvbcAnnexB => "DVBC/ANNEX_B".into(),
            Self::Dvbt => "DVBT".into(),
            Self::Dss => "DSS".into(),
            Self::Dvbs => "DVBS".into(),
            Self::Dvbs2 => "DVBS2".into(),
            Self::Dvbt2 => "DVBT2".into(),
            Self::Isdbt => "ISDBT".into(),
            Self::Atsc => "ATSC".into(),
            Self::Dtmb => "DTMB".into(),
            Self::Other(n) => format!("SYS_{n}"),
        }
    }

    pub fn is_satellite(self) -> bool {
        matches!(self, Self::Dvbs | Self::Dvbs2 | Self::Dss)
    }
}

/// What FE_GET_INFO and DTV_ENUM_DELSYS say about the frontend.
#[derive(Clone, Debug, Serialize)]
pub struct FrontendInfo {
    pub name: String,
    pub api_version: String,
    pub delivery_systems: Vec<String>,
    /// Frequency range and step as the driver states them for its current system: kHz for satellite, Hz otherwise.
    pub frequency_min: u32,
    pub frequency_max: u32,
    pub frequency_step: u32,
    pub frequency_tolerance: u32,
    pub symbol_rate_min: u32,
    pub symbol_rate_max: u32,
    pub capabilities: Vec<&'static str>,
    #[serde(skip)]
    pub caps_raw: u32,
    #[serde(skip)]
    pub systems_raw: Vec<DeliverySystem>,
}

impl FrontendInfo {
    pub fn supports(&self, system: DeliverySystem) -> bool {
        self.systems_raw.contains(&system)
    }
}

/// `enum fe_caps` names, in the order of their bits (as dvb-fe-tool lists them).
const CAPS: &[(u32, &str)] = &[
    (0x1, "CAN_INVERSION_AUTO"),
    (0x2, "CAN_FEC_1_2"),
    (0x4, "CAN_FEC_2_3"),
    (0x8, "CAN_FEC_3_4"),
    (0x10, "CAN_FEC_4_5"),
    (0x20, "CAN_FEC_5_6"),
    (0x40, "CAN_FEC_6_7"),
    (0x80, "CAN_FEC_7_8"),
    (0x100, "CAN_FEC_8_9"),
    (0x200, "CAN_FEC_AUTO"),
    (0x400, "CAN_QPSK"),
    (0x800, "CAN_QAM_16"),
    (0x1000, "CAN_QAM_32"),
    (0x2000, "CAN_QAM_64"),
    (0x4000, "CAN_QAM_128"),
    (0x8000, "CAN_QAM_256"),
    (0x10000, "CAN_QAM_AUTO"),
    (0x20000, "CAN_TRANSMISSION_MODE_AUTO"),
    (0x40000, "CAN_BANDWIDTH_AUTO"),
    (0x80000, "CAN_GUARD_INTERVAL_AUTO"),
    (0x100000, "CAN_HIERARCHY_AUTO"),
    (0x200000, "CAN_8VSB"),
    (0x400000, "CAN_16VSB"),
    (0x800000, "HAS_EXTENDED_CAPS"),
    (0x2000000, "CAN_MULTISTREAM"),
    (0x4000000, "CAN_TURBO_FEC"),
    (0x8000000, "CAN_2G_MODULATION"),
    (0x10000000, "NEEDS_BENDING"),
    (0x20000000, "CAN_RECOVER"),
    (0x40000000, "CAN_MUTE_TS"),
];

/// FE_READ_STATUS flags.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct FrontendStatus {
    pub raw: u32,
    pub signal: bool,
    pub carrier: bool,
    pub viterbi: bool,
    pub sync: bool,
    pub lock: bool,
    pub timed_out: bool,
}

impl FrontendStatus {
    pub fn from_raw(raw: u32) -> Self {
        Self {
            raw,
            signal: raw & sys::FE_HAS_SIGNAL != 0,
            carrier: raw & sys::FE_HAS_CARRIER != 0,
            viterbi: raw & sys::FE_HAS_VITERBI != 0,
            sync: raw & sys::FE_HAS_SYNC != 0,
            lock: raw & sys::FE_HAS_LOCK != 0,
            timed_out: raw & sys::FE_TIMEDOUT != 0,
        }
    }

    /// The flags as dvbv5-zap names them.
    pub fn flag_names(&self) -> Vec<&'static str> {
        let mut v = Vec::new();
        for (on, name) in [
            (self.signal, "SIGNAL"),
            (self.carrier, "CARRIER"),
            (self.viterbi, "VITERBI"),
            (self.sync, "SYNC"),
            (self.lock, "LOCK"),
            (self.timed_out, "TIMEDOUT"),
        ] {
            if on {
                v.push(name);
            }
        }
        v
    }
}

/// One DVBv5 statistic as the driver reported it (first layer).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(tag = "scale", content = "value", rename_all = "lowercase")]
pub enum Stat {
    /// In 0.001 dB (or dBm for signal strength).
    Decibel(i64),
    /// 0..65535.
    Relative(u64),
    Counter(u64),
}

/// The raw DVBv5 statistics (DTV_STAT_*), one reading each, `None` where the driver has none.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct SignalStats {
    pub signal: Option<Stat>,
    pub cnr: Option<Stat>,
    pub pre_error_bits: Option<u64>,
    pub pre_total_bits: Option<u64>,
    pub post_error_bits: Option<u64>,
    pub post_total_bits: Option<u64>,
    pub error_blocks: Option<u64>,
    pub total_blocks: Option<u64>,
}

fn first_stat(p: &dtv_property) -> Option<Stat> {
    let st = p.stats();
    if st.len == 0 {
        return None;
    }
    let s = st.stat[0];
    let value = s.value;
    match s.scale {
        sys::FE_SCALE_DECIBEL => Some(Stat::Decibel(value as i64)),
        sys::FE_SCALE_RELATIVE => Some(Stat::Relative(value)),
        sys::FE_SCALE_COUNTER => Some(Stat::Counter(value)),
        _ => None,
    }
}

fn counter(p: &dtv_property) -> Option<u64> {
    match first_stat(p) {
        Some(Stat::Counter(n)) => Some(n),
        _ => None,
    }
}

/// `frontend0`, opened non-blocking.
pub struct Frontend {
    file: File,
    path: PathBuf,
}

impl Frontend {
    pub fn open(path: &Path, write: bool) -> Result<Self> {
        Ok(Self {
            file: open_device(path, write)?,
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn err(&self, call: &'static str) -> impl FnOnce(nix::errno::Errno) -> DvbError + '_ {
        move |errno| DvbError::Call {
            device: self.path.clone(),
            call,
            errno,
        }
    }

    pub fn info(&self) -> Result<FrontendInfo> {
        let raw = sys::fe_get_info(self.file.as_fd()).map_err(self.err("FE_GET_INFO"))?;
        let mut props = [
            dtv_property::new(sys::DTV_API_VERSION, 0),
            dtv_property::new(sys::DTV_ENUM_DELSYS, 0),
        ];
        sys::fe_get_property(self.file.as_fd(), &mut props).map_err(self.err("FE_GET_PROPERTY"))?;
        let api = props[0].data();
        let systems_raw: Vec<DeliverySystem> = props[1]
            .buffer()
            .iter()
            .map(|&b| DeliverySystem::from_raw(u32::from(b)))
            .collect();
        let name_len = raw
            .name
            .iter()
            .position(|&b| b == 0)
            .unwrap_or(raw.name.len());
        Ok(FrontendInfo {
            name: String::from_utf8_lossy(&raw.name[..name_len]).into_owned(),
            api_version: format!("{}.{}", api >> 8, api & 0xff),
            delivery_systems: systems_raw.iter().map(|s| s.name()).collect(),
            frequency_min: raw.frequency_min,
            frequency_max: raw.frequency_max,
            frequency_step: raw.frequency_stepsize,
            frequency_tolerance: raw.frequency_tolerance,
            symbol_rate_min: raw.symbol_rate_min,
            symbol_rate_max: raw.symbol_rate_max,
            capabilities: CAPS
                .iter()
                .filter(|(bit, _)| raw.caps & bit != 0)
                .map(|(_, n)| *n)
                .collect(),
            caps_raw: raw.caps,
            systems_raw,
        })
    }

    /// DTV_CLEAR followed by the given properties and DTV_TUNE, in one FE_SET_PROPERTY call.
    pub fn set_and_tune(&self, props: &[(u32, u32)]) -> Result<()> {
        let mut clear = [dtv_property::new(sys::DTV_CLEAR, 0)];
        sys::fe_set_property(self.file.as_fd(), &mut clear)
            .map_err(self.err("FE_SET_PROPERTY(DTV_CLEAR)"))?;
        let mut list: Vec<dtv_property> = props
            .iter()
            .map(|&(cmd, data)| dtv_property::new(cmd, data))
            .collect();
        list.push(dtv_property::new(sys::DTV_TUNE, 0));
        sys::fe_set_property(self.file.as_fd(), &mut list)
            .map_err(self.err("FE_SET_PROPERTY(DTV_TUNE)"))
    }

    pub fn read_status(&self) -> Result<FrontendStatus> {
        sys::fe_read_status(self.file.as_fd())
            .map(FrontendStatus::from_raw)
            .map_err(self.err("FE_READ_STATUS"))
    }

    /// Reads one property value (DTV_FREQUENCY, DTV_SYMBOL_RATE, ...) as the driver currently has it.
    pub fn get(&self, cmd: u32) -> Result<u32> {
        let mut p = [dtv_property::new(cmd, 0)];
        sys::fe_get_property(self.file.as_fd(), &mut p).map_err(self.err("FE_GET_PROPERTY"))?;
        Ok(p[0].data())
    }

    pub fn stats(&self) -> Result<SignalStats> {
        let mut p = [
            dtv_property::new(sys::DTV_STAT_SIGNAL_STRENGTH, 0),
            dtv_property::new(sys::DTV_STAT_CNR, 0),
            dtv_property::new(sys::DTV_STAT_PRE_ERROR_BIT_COUNT, 0),
            dtv_property::new(sys::DTV_STAT_PRE_TOTAL_BIT_COUNT, 0),
            dtv_property::new(sys::DTV_STAT_POST_ERROR_BIT_COUNT, 0),
            dtv_property::new(sys::DTV_STAT_POST_TOTAL_BIT_COUNT, 0),
            dtv_property::new(sys::DTV_STAT_ERROR_BLOCK_COUNT, 0),
            dtv_property::new(sys::DTV_STAT_TOTAL_BLOCK_COUNT, 0),
        ];
        sys::fe_get_property(self.file.as_fd(), &mut p)
            .map_err(self.err("FE_GET_PROPERTY(DTV_STAT_*)"))?;
        Ok(SignalStats {
            signal: first_stat(&p[0]),
            cnr: first_stat(&p[1]),
            pre_error_bits: counter(&p[2]),
            pre_total_bits: counter(&p[3]),
            post_error_bits: counter(&p[4]),
            post_total_bits: counter(&p[5]),
            error_blocks: counter(&p[6]),
            total_blocks: counter(&p[7]),
        })
    }

    /// LNB supply: `Some(true)` 18 V, `Some(false)` 13 V, `None` off.
    pub fn set_voltage(&self, v18: Option<bool>) -> Result<()> {
        let v = match v18 {
            Some(true) => sys::SEC_VOLTAGE_18,
            Some(false) => sys::SEC_VOLTAGE_13,
            None => sys::SEC_VOLTAGE_OFF,
        };
        sys::fe_set_voltage(self.file.as_fd(), v).map_err(self.err("FE_SET_VOLTAGE"))
    }

    pub fn set_tone(&self, on: bool) -> Result<()> {
        let t = if on {
            sys::SEC_TONE_ON
        } else {
            sys::SEC_TONE_OFF
        };
        sys::fe_set_tone(self.file.as_fd(), t).map_err(self.err("FE_SET_TONE"))
    }

    /// A DiSEqC master command (3 to 6 bytes).
    pub fn diseqc_send(&self, msg: &[u8]) -> Result<()> {
        if !(3..=6).contains(&msg.len()) {
            return Err(DvbError::Unexpected {
                device: self.path.clone(),
                what: format!("a DiSEqC message has 3 to 6 bytes, not {}", msg.len()),
            });
        }
        let mut cmd = sys::dvb_diseqc_master_cmd {
            msg_len: msg.len() as u8,
            ..Default::default()
        };
        cmd.msg[..msg.len()].copy_from_slice(msg);
        sys::fe_diseqc_send_master_cmd(self.file.as_fd(), &cmd)
            .map_err(self.err("FE_DISEQC_SEND_MASTER_CMD"))
    }

    /// Tone burst (mini DiSEqC): satellite A or B.
    pub fn diseqc_burst(&self, b: bool) -> Result<()> {
        let m = if b { sys::SEC_MINI_B } else { sys::SEC_MINI_A };
        sys::fe_diseqc_send_burst(self.file.as_fd(), m).map_err(self.err("FE_DISEQC_SEND_BURST"))
    }
}
