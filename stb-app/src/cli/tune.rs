//! `stb-app tune`: tunes one transponder, waits for lock and says how long it took.

use std::time::{Duration, Instant};

use serde::Serialize;
use stb_app::dvb::{Adapter, SectionFilter};
use stb_app::lnb::{Burst, Diseqc, Lnb, LnbSetting, Polarisation};
use stb_app::tuner::linux::LinuxTuner;
use stb_app::tuner::{Modulation, Pilot, Rolloff, Signal, System, Transponder, TuneRequest, Tuner};

use super::{print_json, CliError, CliResult};

#[derive(clap::Args, Debug)]
pub struct TuneArgs {
    /// Downlink frequency in MHz (e.g. 11840).
    #[arg(long)]
    pub freq: f64,
    /// Polarisation: h, v, l (left-hand circular) or r (right-hand circular).
    #[arg(long)]
    pub pol: String,
    /// Symbol rate in kS/s (e.g. 28800).
    #[arg(long)]
    pub sr: u32,
    /// Delivery system: dvbs or dvbs2.
    #[arg(long, default_value = "dvbs")]
    pub system: String,
    /// Modulation (DVB-S2): qpsk, 8psk, 16apsk, 32apsk or auto.
    #[arg(long = "mod")]
    pub modulation: Option<String>,
    /// Inner code rate, e.g. 3/4, or auto.
    #[arg(long, default_value = "auto")]
    pub fec: String,
    /// LNB: universal, ku-circular-10750, c-band-5150 or user:LO_MHZ[,LO_HIGH_MHZ,SWITCH_MHZ].
    /// Default: ku-circular-10750 for l/r, universal for h/v.
    #[arg(long)]
    pub lnb: Option<String>,
    /// DiSEqC 1.0 committed switch port: A, B, C or D.
    #[arg(long)]
    pub diseqc: Option<String>,
    /// DiSEqC 1.1 uncommitted switch input: 1-16.
    #[arg(long)]
    pub uncommitted: Option<String>,
    /// Tone burst (mini DiSEqC): a or b.
    #[arg(long)]
    pub burst: Option<String>,
    /// How long to wait for lock, in seconds.
    #[arg(long, default_value_t = 5.0)]
    pub timeout: f64,
    /// After lock, also wait for the first complete PAT (proof that the stream flows) and report when it came.
    #[arg(long)]
    pub pat: bool,
    /// Keep the tuner tuned (and this command running) until interrupted, printing the signal every second.
    #[arg(long)]
    pub hold: bool,
    #[arg(long)]
    pub json: bool,
    #[arg(long, default_value_t = 0)]
    pub adapter: u32,
}

/// A transponder on the command line: `--freq MHZ --pol h|v|l|r --sr KSPS`, all three or none (for the commands
/// where tuning is optional; `stb-app tune` requires them).
#[derive(clap::Args, Debug, Default, Clone)]
pub struct TransponderArgs {
    /// Transponder frequency in MHz (e.g. 11840).
    #[arg(long)]
    pub freq: Option<f64>,
    /// Polarisation: h, v, l (left-hand circular) or r (right-hand circular).
    #[arg(long)]
    pub pol: Option<String>,
    /// Symbol rate in kS/s (e.g. 28800).
    #[arg(long)]
    pub sr: Option<u32>,
    /// Delivery system: dvbs (default) or dvbs2.
    #[arg(long)]
    pub system: Option<String>,
    /// Modulation (DVB-S2): qpsk, 8psk, 16apsk, 32apsk or auto (default).
    #[arg(long = "mod")]
    pub modulation: Option<String>,
    /// Inner code rate, e.g. 3/4, or auto (default).
    #[arg(long)]
    pub fec: Option<String>,
}

impl TransponderArgs {
    /// The transponder given, `None` when none is; a usage error when only some of --freq, --pol and --sr are
    /// given, or the system, modulation or code rate without them.
    pub fn given(&self) -> Result<Option<Transponder>, CliError> {
        let modcod = self.system.is_some() || self.modulation.is_some() || self.fec.is_some();
        match (self.freq, &self.pol, self.sr) {
            (Some(f), Some(p), Some(sr)) => with_modcod(
                transponder(f, p, sr)?,
                self.system.as_deref().unwrap_or("dvbs"),
                self.modulation.as_deref(),
                self.fec.as_deref().unwrap_or("auto"),
            )
            .map(Some),
            (None, None, None) if !modcod => Ok(None),
            _ => Err(CliError::usage(
                "give a transponder with all of --freq, --pol and --sr",
            )),
        }
    }
}

/// The transponder with the delivery system, modulation and code rate the command line names (a DVB-S2 one with
/// what it leaves out left to the demodulator); the combination is checked with the rest of the request.
pub fn with_modcod(
    t: Transponder,
    system: &str,
    modulation: Option<&str>,
    fec: &str,
) -> Result<Transponder, CliError> {
    let system: System = system.parse().map_err(CliError::usage)?;
    let modulation = match (modulation, system) {
        (Some(m), _) => m.parse::<Modulation>().map_err(CliError::usage)?,
        (None, System::DvbS) => Modulation::Qpsk,
        (None, System::DvbS2) => Modulation::Auto,
    };
    let t = Transponder {
        system,
        modulation,
        fec: fec.parse().map_err(CliError::usage)?,
        rolloff: if system == System::DvbS2 {
            Rolloff::Auto
        } else {
            Rolloff::R35
        },
        pilot: Pilot::Auto,
        ..t
    };
    Ok(t)
}

/// A DVB-S transponder from the command line's units (MHz, polarisation letter, kS/s), refusing a frequency no
/// tuner has; the tuner's own limits are checked later by [`TuneRequest::resolve`].
pub fn transponder(freq_mhz: f64, pol: &str, sr_ksps: u32) -> Result<Transponder, CliError> {
    let pol: Polarisation = pol
        .parse()
        .map_err(|e: stb_app::lnb::LnbError| CliError::usage(e.to_string()))?;
    if !freq_mhz.is_finite() || freq_mhz <= 0.0 || freq_mhz > 100_000.0 {
        return Err(CliError::usage(format!(
            "frequency {freq_mhz} MHz is impossible"
        )));
    }
    Ok(Transponder::dvbs(
        (freq_mhz * 1000.0).round() as u32,
        pol,
        sr_ksps.saturating_mul(1000),
    ))
}

/// The LNB named on the command line, or by default the one the polarisation implies: circular (l/r) is the
/// 户户通 single-LO 10750 MHz LNB, linear (h/v) the universal LNB.
pub fn lnb_for(pol: Polarisation, name: Option<&str>) -> Result<Lnb, CliError> {
    match name {
        Some(name) => name
            .parse()
            .map_err(|e: stb_app::lnb::LnbError| CliError::usage(e.to_string())),
        None if pol.is_circular() => Ok(Lnb::ku_circular_10750()),
        None => Ok(Lnb::universal()),
    }
}

/// Builds the request from the command line, refusing anything impossible before a device is touched.
pub fn request(a: &TuneArgs) -> Result<TuneRequest, CliError> {
    let given = transponder(a.freq, &a.pol, a.sr)?;
    let lnb = lnb_for(given.polarisation, a.lnb.as_deref())?;
    let transponder = with_modcod(given, &a.system, a.modulation.as_deref(), &a.fec)?;
    let mut diseqc = Diseqc::default();
    if let Some(p) = &a.diseqc {
        diseqc.committed = Some(Diseqc::parse_port(p).map_err(|e| CliError::usage(e.to_string()))?);
    }
    if let Some(u) = &a.uncommitted {
        diseqc.uncommitted =
            Some(Diseqc::parse_uncommitted(u).map_err(|e| CliError::usage(e.to_string()))?);
    }
    if let Some(b) = &a.burst {
        diseqc.burst = Some(match b.to_ascii_lowercase().as_str() {
            "a" => Burst::A,
            "b" => Burst::B,
            _ => {
                return Err(CliError::usage(format!(
                    "tone burst must be a or b, not '{b}'"
                )))
            }
        });
    }
    if !(a.timeout.is_finite() && a.timeout > 0.0 && a.timeout <= 600.0) {
        return Err(CliError::usage(
            "--timeout must be between 0 and 600 seconds",
        ));
    }
    let req = TuneRequest {
        transponder,
        lnb,
        diseqc,
    };
    req.resolve().map_err(CliError::from)?;
    Ok(req)
}

#[derive(Serialize)]
struct TuneReport<'a> {
    locked: bool,
    lock_ms: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pat_ms: Option<u64>,
    request: &'a TuneRequest,
    lnb_setting: LnbSetting,
    signal: &'a Signal,
}

pub fn run(a: &TuneArgs) -> CliResult {
    let req = request(a)?;
    let setting = req.resolve()?;
    let mut tuner = LinuxTuner::open(Adapter::open(a.adapter)?)?;
    let start = Instant::now();
    tuner.tune(&req)?;
    let timeout = Duration::from_secs_f64(a.timeout);
    let outcome = tuner.wait_for_lock(start, timeout)?;
    let pat_ms = if a.pat && outcome.locked {
        let mut pat = tuner.sections(&SectionFilter::table(0, 0))?;
        let left = timeout
            .saturating_sub(start.elapsed())
            .max(Duration::from_millis(100));
        pat.next_section(left)?
            .map(|_| start.elapsed().as_millis() as u64)
    } else {
        None
    };
    let signal = tuner.signal()?;
    let tp = &req.transponder;
    if a.json {
        print_json(&TuneReport {
            locked: outcome.locked,
            lock_ms: outcome.elapsed.as_millis() as u64,
            pat_ms,
            request: &req,
            lnb_setting: setting,
            signal: &signal,
        })?;
    } else {
        let what = format!(
            "{} MHz {} {} kS/s {} {} FEC {} (IF {} MHz via {} LNB, {} V, 22 kHz {})",
            f64::from(tp.frequency_khz) / 1000.0,
            tp.polarisation,
            tp.symbol_rate / 1000,
            tp.system,
            tp.modulation,
            tp.fec,
            f64::from(setting.if_khz) / 1000.0,
            req.lnb.name,
            if setting.voltage_18 { 18 } else { 13 },
            if setting.tone { "on" } else { "off" },
        );
        if outcome.locked {
            println!("LOCKED in {} ms: {what}", outcome.elapsed.as_millis());
            println!("{}", super::status::one_line(&signal));
            match (a.pat, pat_ms) {
                (true, Some(ms)) => {
                    println!("First PAT after {ms} ms: the transport stream flows.")
                }
                (true, None) => println!(
                    "Locked, but no PAT arrived: the stream carries no PSI or the demux is stuck."
                ),
                _ => {}
            }
        } else {
            println!(
                "NO LOCK after {:.1} s: {what}",
                outcome.elapsed.as_secs_f64()
            );
            if signal.flags.contains(&"SIGNAL") {
                println!(
                    "A carrier is there ({}) but does not lock with these parameters: check the symbol rate, \
                     the delivery system (--system dvbs2), modulation and FEC.",
                    signal.flags.join(" ")
                );
            } else {
                println!("No signal on this transponder: check the frequency, polarisation, LNB type and the dish.");
            }
        }
    }
    if a.hold {
        loop {
            std::thread::sleep(Duration::from_secs(1));
            let s = tuner.signal()?;
            if a.json {
                print_json(&s)?;
            } else {
                println!("{}", super::status::one_line(&s));
            }
        }
    }
    Ok(if outcome.locked { 0 } else { 1 })
}
