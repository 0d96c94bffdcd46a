//! The Linux DVB API v5 backend of [`Tuner`]: one adapter's frontend for tuning and the demux for sections.

use std::time::Duration;

use super::params::{Modulation, System, TuneRequest};
use super::{PacketSource, SectionSource, Signal, TuneError, Tuner};
use crate::dvb::{
    sys, Adapter, DeliverySystem, Demux, DvbError, Frontend, FrontendInfo, SectionFilter, TsOutput,
};
use crate::lnb::Burst;

/// Pause between LNB supply, DiSEqC messages and tone changes: the DiSEqC bus spec asks for at least 15 ms.
const DISEQC_GAP: Duration = Duration::from_millis(15);

/// A DVB-S/S2 frontend of the kernel.
pub struct LinuxTuner {
    adapter: Adapter,
    frontend: Frontend,
    info: FrontendInfo,
    tuned: Option<TuneRequest>,
}

impl LinuxTuner {
    /// Opens `frontend0` of the adapter for tuning.
    pub fn open(adapter: Adapter) -> Result<Self, TuneError> {
        let frontend = adapter.frontend(true)?;
        let info = frontend.info()?;
        Ok(Self {
            adapter,
            frontend,
            info,
            tuned: None,
        })
    }

    pub fn info(&self) -> &FrontendInfo {
        &self.info
    }

    pub fn frontend(&self) -> &Frontend {
        &self.frontend
    }

    /// The satellite range of the frontend in kHz (drivers state it in kHz for satellite systems).
    fn check_if(&self, if_khz: u32) -> Result<(), TuneError> {
        let (min, max) = (self.info.frequency_min, self.info.frequency_max);
        // A multi-standard frontend states its range in Hz (vidtv: 51 MHz - 2.15 GHz); scale it to kHz.
        let (min, max) = if max > 100_000_000 {
            (min / 1000, max / 1000)
        } else {
            (min, max)
        };
        if max > 0 && (if_khz < min || if_khz > max) {
            return Err(TuneError::Invalid(format!(
                "IF {} MHz is outside this tuner's range ({}-{} MHz)",
                f64::from(if_khz) / 1000.0,
                f64::from(min) / 1000.0,
                f64::from(max) / 1000.0
            )));
        }
        Ok(())
    }
}

impl Tuner for LinuxTuner {
    fn describe(&self) -> String {
        format!("{} on adapter{}", self.info.name, self.adapter.number())
    }

    fn tune(&mut self, req: &TuneRequest) -> Result<(), TuneError> {
        let setting = req.resolve()?;
        let tp = &req.transponder;
        let system = match tp.system {
            System::DvbS => DeliverySystem::Dvbs,
            System::DvbS2 => DeliverySystem::Dvbs2,
        };
        if !self.info.supports(system) {
            return Err(TuneError::Unsupported(format!(
                "{} (it offers {})",
                tp.system,
                self.info.delivery_systems.join(", ")
            )));
        }
        self.check_if(setting.if_khz)?;

        // LNB supply and switches first, tone last: DiSEqC talks over the 22 kHz carrier, so it must be off meanwhile.
        let fe = &self.frontend;
        fe.set_tone(false)?;
        fe.set_voltage(Some(setting.voltage_18))?;
        if !req.diseqc.is_empty() {
            std::thread::sleep(DISEQC_GAP);
            for msg in req.diseqc.messages(&setting) {
                fe.diseqc_send(&msg)?;
                std::thread::sleep(DISEQC_GAP);
            }
            if let Some(b) = req.diseqc.burst {
                fe.diseqc_burst(b == Burst::B)?;
                std::thread::sleep(DISEQC_GAP);
            }
        }
        if setting.tone {
            fe.set_tone(true)?;
        }

        let mut props = vec![
            (sys::DTV_DELIVERY_SYSTEM, system.raw()),
            (sys::DTV_FREQUENCY, setting.if_khz),
            (sys::DTV_SYMBOL_RATE, tp.symbol_rate),
            (sys::DTV_INNER_FEC, tp.fec.raw()),
            (sys::DTV_INVERSION, 2), // INVERSION_AUTO
        ];
        if tp.system == System::DvbS2 {
            props.push((sys::DTV_MODULATION, tp.modulation.raw()));
            props.push((sys::DTV_ROLLOFF, tp.rolloff.raw()));
            props.push((sys::DTV_PILOT, tp.pilot.raw()));
        } else {
            props.push((sys::DTV_MODULATION, Modulation::Qpsk.raw()));
        }
        fe.set_and_tune(&props)?;
        self.tuned = Some(req.clone());
        Ok(())
    }

    fn signal(&mut self) -> Result<Signal, TuneError> {
        let status = self.frontend.read_status()?;
        let stats = self.frontend.stats()?;
        let modcod = self.tuned.as_ref().map(|r| {
            (
                r.transponder.system,
                r.transponder.modulation,
                r.transponder.fec,
            )
        });
        Ok(Signal::from_frontend(status, &stats, modcod))
    }

    /// FE_READ_STATUS alone: the lock wait need not read the DVBv5 statistics every few milliseconds.
    fn is_locked(&mut self) -> Result<bool, TuneError> {
        Ok(self.frontend.read_status()?.lock)
    }

    fn sections(&mut self, filter: &SectionFilter) -> Result<Box<dyn SectionSource>, TuneError> {
        let demux = self.adapter.demux()?;
        demux.set_buffer_size(256 * 1024)?;
        demux.set_section_filter(filter)?;
        Ok(Box::new(DemuxSections { demux }))
    }

    fn packets(&mut self, pids: &[u16]) -> Result<Box<dyn PacketSource>, TuneError> {
        Ok(Box::new(DemuxPackets::open(self.adapter.demux()?, pids)?))
    }
}

/// A kernel TS filter with several PIDs, read from the demux file itself (the only output that takes more PIDs).
pub struct DemuxPackets {
    demux: Demux,
    pids: Vec<u16>,
    /// The part of a packet a read ended in.
    partial: Vec<u8>,
}

impl DemuxPackets {
    pub fn open(demux: Demux, pids: &[u16]) -> Result<Self, TuneError> {
        let (first, rest) = pids
            .split_first()
            .ok_or_else(|| TuneError::Invalid("a packet stream needs at least one PID".into()))?;
        // Room for about a second of an HD service: the player may be slow to start while packets arrive.
        demux.set_buffer_size(2 * 1024 * 1024)?;
        demux.set_ts_filter(*first, TsOutput::Demux)?;
        for p in rest {
            demux.add_pid(*p)?;
        }
        demux.start()?;
        Ok(Self {
            demux,
            pids: pids.to_vec(),
            partial: Vec::new(),
        })
    }
}

impl PacketSource for DemuxPackets {
    fn read(&mut self, buf: &mut [u8], timeout: Duration) -> Result<usize, TuneError> {
        let held = self.partial.len();
        buf[..held].copy_from_slice(&self.partial);
        let n = held + self.demux.read_ts(&mut buf[held..], timeout)?;
        let whole = n / 188 * 188;
        self.partial = buf[whole..n].to_vec();
        Ok(whole)
    }

    fn set_pids(&mut self, pids: &[u16]) -> Result<(), TuneError> {
        for p in pids.iter().filter(|p| !self.pids.contains(p)) {
            self.demux.add_pid(*p)?;
        }
        for p in self.pids.iter().filter(|p| !pids.contains(p)) {
            self.demux.remove_pid(*p)?;
        }
        self.pids = pids.to_vec();
        Ok(())
    }
}

/// Sections from a kernel section filter.
pub struct DemuxSections {
    demux: Demux,
}

impl DemuxSections {
    pub fn new(demux: Demux) -> Self {
        Self { demux }
    }
}

impl SectionSource for DemuxSections {
    fn next_section(&mut self, timeout: Duration) -> Result<Option<Vec<u8>>, TuneError> {
        match self.demux.read_section(timeout) {
            Ok(s) => Ok(Some(s)),
            Err(DvbError::Timeout { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }
}
