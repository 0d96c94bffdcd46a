//! `stb-app status`: lock flags and the DVBv5 statistics of the frontend as it is tuned now.

use std::time::Duration;

use serde::Serialize;
use stb_app::dvb::{sys, Adapter, DeliverySystem, Frontend};
use stb_app::tuner::{Fec, Modulation, Signal, System};

use super::{print_json, CliResult};

/// The reading on one line, as a technician reads it. Figures only appear while locked.
pub fn one_line(s: &Signal) -> String {
    if !s.locked {
        let flags = if s.flags.is_empty() {
            "none".to_string()
        } else {
            s.flags.join(" ")
        };
        return format!(
            "NO LOCK (status: {flags}): no signal figures while the tuner is not locked"
        );
    }
    let mut out = String::from("LOCK");
    match s.level_dbm {
        Some(l) => out += &format!("  level {l:.1} dBm"),
        None => out += "  level n/a",
    }
    if let Some(p) = s.strength_percent {
        out += &format!(" ({p}%)");
    }
    match s.cnr_db {
        Some(c) => out += &format!("  C/N {c:.1} dB"),
        None => out += "  C/N n/a",
    }
    if let Some(q) = s.quality_percent {
        out += &format!(" (quality {q}%)");
    }
    let ber = |b: Option<f64>| {
        b.map_or("n/a".to_string(), |v| {
            if v == 0.0 {
                "0".into()
            } else {
                format!("{v:.1e}")
            }
        })
    };
    out += &format!("  pre-BER {}  post-BER {}", ber(s.pre_ber), ber(s.post_ber));
    out += &format!(
        "  UCB {}",
        s.uncorrected_blocks
            .map_or("n/a".to_string(), |n| n.to_string())
    );
    out
}

#[derive(Serialize)]
struct StatusReport {
    frontend: String,
    delivery_system: String,
    /// What the frontend is tuned to: IF in kHz (after the LNB), symbol rate in S/s.
    if_khz: u32,
    symbol_rate: u32,
    #[serde(flatten)]
    signal: Signal,
}

fn read(fe: &Frontend) -> Result<StatusReport, super::CliError> {
    let system = DeliverySystem::from_raw(fe.get(sys::DTV_DELIVERY_SYSTEM)?);
    let modcod = match system {
        DeliverySystem::Dvbs => Some(System::DvbS),
        DeliverySystem::Dvbs2 => Some(System::DvbS2),
        _ => None,
    }
    .map(|sys_| -> Result<_, super::CliError> {
        Ok((
            sys_,
            Modulation::from_raw(fe.get(sys::DTV_MODULATION)?),
            Fec::from_raw(fe.get(sys::DTV_INNER_FEC)?),
        ))
    })
    .transpose()?;
    let signal = Signal::from_frontend(fe.read_status()?, &fe.stats()?, modcod);
    Ok(StatusReport {
        frontend: fe.path().display().to_string(),
        delivery_system: system.name(),
        if_khz: fe.get(sys::DTV_FREQUENCY)?,
        symbol_rate: fe.get(sys::DTV_SYMBOL_RATE)?,
        signal,
    })
}

pub fn run(adapter: u32, watch: bool, json: bool, interval_ms: u64) -> CliResult {
    let fe = Adapter::open(adapter)?.frontend(false)?;
    loop {
        let r = read(&fe)?;
        if json {
            print_json(&r)?;
        } else {
            println!(
                "{}  [{} IF {} MHz {} kS/s]",
                one_line(&r.signal),
                r.delivery_system,
                f64::from(r.if_khz) / 1000.0,
                r.symbol_rate / 1000
            );
        }
        if !watch {
            return Ok(if r.signal.locked { 0 } else { 1 });
        }
        std::thread::sleep(Duration::from_millis(interval_ms.max(50)));
    }
}
