//! `stb-app scan` and `stb-app channels`: find the services of a satellite and keep them in the channel database.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use dish_align::catalogue::{Band, Catalogue, PolarisationKind, Satellite};
use serde::Serialize;
use stb_app::channels::{dvbv5, ApplyReport, ChannelDb};
use stb_app::dvb::Adapter;
use stb_app::lnb::{Lnb, Polarisation};
use stb_app::scan::{self, Progress, ScanOptions, Strategy, TransponderScan};
use stb_app::tuner::linux::LinuxTuner;
use stb_app::tuner::replay::ReplayTuner;
use stb_app::tuner::{Transponder, TuneRequest, Tuner};

use super::tune::TransponderArgs;
use super::{print_json, CliError, CliResult};

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The satellite's transponder list from the catalogue.
    Preset,
    /// The preset list (or the one transponder given), then every transponder the NITs announce.
    Nit,
    /// The one transponder given with --freq, --pol and --sr.
    Tp,
    /// Sweep the band the LNB receives on both polarisations, in steps of half the symbol rate, trying DVB-S
    /// and DVB-S2 at the symbol rates in use (or --sr).
    Blind,
}

#[derive(clap::Args, Debug)]
pub struct ScanArgs {
    /// Satellite by position or name (e.g. 92.2E, "ChinaSat 9C").
    #[arg(long, default_value = "92.2E")]
    pub satellite: String,
    #[arg(long, value_enum, default_value = "preset")]
    pub mode: Mode,
    /// The transponder for --mode tp, or where --mode nit starts; --sr alone sets --mode blind's symbol rate.
    #[command(flatten)]
    pub transponder: TransponderArgs,
    /// LNB name (default: the satellite's usual LNB).
    #[arg(long)]
    pub lnb: Option<String>,
    #[arg(long)]
    pub json: bool,
    /// Channel database (default: $STB_DATA_DIR/channels.db, or /var/lib/stb/channels.db).
    #[arg(long)]
    pub db: Option<PathBuf>,
    #[arg(long, default_value_t = 0)]
    pub adapter: u32,
    /// How long to wait for lock on each try, in ms (default 2000; 400 for --mode blind).
    #[arg(long)]
    pub lock_timeout: Option<u64>,
    /// Transponders from a dvbv5 / dtv-scan-tables initial tuning file instead of the catalogue's list.
    #[arg(long)]
    pub tuning_file: Option<PathBuf>,
    /// Scan a replay lineup (transport-stream files) instead of the tuner: for development and demos.
    #[arg(long)]
    pub replay: Option<PathBuf>,
}

pub fn default_db() -> PathBuf {
    super::data_dir().join("channels.db")
}

/// The LNB an installer fits for this satellite.
pub fn satellite_lnb(sat: &Satellite) -> Lnb {
    match (sat.band, sat.polarisation) {
        (Band::C, _) => Lnb::c_band_5150(),
        (_, PolarisationKind::Circular) => Lnb::ku_circular_10750(),
        _ => Lnb::universal(),
    }
}

/// The blind sweep: every step of half the smallest symbol rate across what the LNB receives (and the tuner's IF
/// range takes), on the polarisations this satellite uses, at each symbol rate in use, DVB-S then DVB-S2.
fn blind_candidates(sat: &Satellite, lnb: &Lnb, sr_ksps: Option<u32>) -> Vec<Transponder> {
    let mut rates: Vec<u32> = match sr_ksps {
        Some(sr) => vec![sr * 1000],
        None => sat
            .transponders
            .iter()
            .map(|t| t.symbol_rate_ksps * 1000)
            .collect(),
    };
    if rates.is_empty() {
        rates = vec![27_500_000, 28_800_000];
    }
    rates.sort_unstable();
    rates.dedup();
    let step = (rates[0] / 2000).max(2000);
    let pols: &[Polarisation] = match sat.polarisation {
        PolarisationKind::Circular => &[Polarisation::Right, Polarisation::Left],
        _ => &[Polarisation::Horizontal, Polarisation::Vertical],
    };
    let mut out = Vec::new();
    for &pol in pols {
        let mut f = lnb.min_khz;
        while f <= lnb.max_khz {
            if lnb.setting(f, pol).is_ok() {
                for &sr in &rates {
                    out.push(Transponder::dvbs(f, pol, sr));
                    out.push(Transponder::dvbs2_auto(f, pol, sr));
                }
            }
            f += step;
        }
    }
    out
}

#[derive(Serialize)]
struct ScanReport<'a> {
    satellite: String,
    mode: String,
    cancelled: bool,
    transponders: &'a [TransponderScan],
    services: usize,
    database: ApplyReport,
    elapsed_ms: u64,
}

pub fn run(a: &ScanArgs) -> CliResult {
    let catalogue = Catalogue::builtin();
    let sat = catalogue.find(&a.satellite).ok_or_else(|| {
        let known: Vec<String> = catalogue
            .satellites
            .iter()
            .map(|s| format!("{} ({})", s.name, s.position_label()))
            .collect();
        CliError::usage(format!(
            "unknown satellite '{}': known are {}",
            a.satellite,
            known.join(", ")
        ))
    })?;
    let lnb = match &a.lnb {
        Some(n) => n
            .parse::<Lnb>()
            .map_err(|e| CliError::usage(e.to_string()))?,
        None => satellite_lnb(sat),
    };
    let tp = &a.transponder;
    let given = match (tp.freq, &tp.pol, tp.sr) {
        // A blind sweep takes only the symbol rate to try.
        (None, None, Some(_)) if a.mode == Mode::Blind => None,
        _ => tp.given()?,
    };
    let blind = a.mode == Mode::Blind;
    let list: Vec<Transponder> = match (a.mode, given) {
        (Mode::Blind, _) => blind_candidates(sat, &lnb, tp.sr),
        (Mode::Tp, Some(t)) => vec![t],
        (Mode::Tp, None) => return Err(CliError::usage("--mode tp needs --freq, --pol and --sr")),
        (Mode::Nit, Some(t)) => vec![t],
        (_, None) if a.tuning_file.is_some() => {
            let file = a.tuning_file.as_deref().unwrap_or(std::path::Path::new(""));
            dvbv5::tuning_file(file).map_err(|e| CliError::usage(e.to_string()))?
        }
        (_, _) => scan::preset_list(sat),
    };
    if list.is_empty() {
        return Err(CliError::usage(format!(
            "{} has no transponder list: give one with --mode tp",
            sat.name
        )));
    }
    // Refuse impossible transponders before touching the tuner.
    for t in &list {
        TuneRequest {
            transponder: *t,
            lnb: lnb.clone(),
            diseqc: Default::default(),
        }
        .resolve()?;
    }
    let db_path = a.db.clone().unwrap_or_else(default_db);
    // The database opens (and checks itself) while the tuner works; names are decoded again with the
    // household's charset policy once it is known.
    let opening = {
        let path = db_path.clone();
        std::thread::spawn(move || {
            ChannelDb::open(&path).and_then(|db| db.charset_policy().map(|p| (db, p)))
        })
    };

    let mut tuner: Box<dyn Tuner> = match &a.replay {
        Some(lineup) => Box::new(
            ReplayTuner::from_lineup_file(lineup).map_err(|e| CliError::usage(e.to_string()))?,
        ),
        None => Box::new(LinuxTuner::open(Adapter::open(a.adapter)?)?),
    };
    let cancel = Arc::new(AtomicBool::new(false));
    {
        let c = cancel.clone();
        // Ctrl-C stops the scan and keeps what it found.
        let _ = ctrlc::set_handler(move || c.store(true, Ordering::Relaxed));
    }
    // A blind sweep meets far more empty steps than transponders: each may cost little.
    let lock_ms = a.lock_timeout.unwrap_or(if blind { 400 } else { 2000 });
    if !(10..=60_000).contains(&lock_ms) {
        return Err(CliError::usage(
            "--lock-timeout must be between 10 and 60000 ms",
        ));
    }
    let opts = ScanOptions {
        lock_timeout: std::time::Duration::from_millis(lock_ms),
        ..Default::default()
    };
    let start = Instant::now();
    let strategy = match a.mode {
        Mode::Nit => Strategy::FollowNit {
            orbital_position: sat.position,
        },
        Mode::Blind => Strategy::Blind,
        Mode::Preset | Mode::Tp => Strategy::List,
    };
    let tty = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let outcome = scan::run(
        tuner.as_mut(),
        &lnb,
        list,
        strategy,
        &opts,
        &cancel,
        &mut |p: &Progress<'_>| {
            let r = p.result;
            if tty {
                // On a terminal: one bar, redrawn, and a line of its own for each transponder found.
                let width = 30;
                let done = (p.index + 1) * width / p.total.max(1);
                let bar = format!("{}{}", "#".repeat(done), "-".repeat(width - done));
                if r.locked {
                    eprintln!(
                        "\r\x1b[K{} MHz {}: {} services",
                        f64::from(r.frequency_khz) / 1000.0,
                        r.polarisation,
                        r.services.len()
                    );
                }
                eprint!(
                    "\r\x1b[K[{bar}] {}/{}  {} MHz {}  services: {}",
                    p.index + 1,
                    p.total,
                    f64::from(p.transponder.frequency_khz) / 1000.0,
                    p.transponder.polarisation,
                    p.services_so_far
                );
                return;
            }
            // A blind sweep reports what it finds and a sign of life every 20 steps, not every empty step.
            if strategy == Strategy::Blind && !r.locked && !(p.index + 1).is_multiple_of(20) {
                return;
            }
            let what = if !r.locked {
                "no signal".to_string()
            } else {
                format!(
                    "{} services{}{}",
                    r.services.len(),
                    r.signal
                        .as_ref()
                        .and_then(|s| s.cnr_db)
                        .map_or(String::new(), |c| format!(", C/N {c:.1} dB")),
                    if r.complete {
                        String::new()
                    } else {
                        format!(", incomplete: {}", r.missing.join(", "))
                    }
                )
            };
            eprintln!(
                "[{}/{}] {} MHz {} {} kS/s: {what}  (services so far: {})",
                p.index + 1,
                p.total,
                f64::from(p.transponder.frequency_khz) / 1000.0,
                p.transponder.polarisation,
                p.transponder.symbol_rate / 1000,
                p.services_so_far
            );
        },
    )?;
    if tty {
        eprintln!();
    }
    let cancelled = outcome.cancelled;
    let mut results = outcome.transponders;
    let (mut db, policy) = opening
        .join()
        .map_err(|_| CliError::failed("the channel database could not be opened"))?
        .map_err(|e| CliError::failed(e.to_string()))?;
    for s in results.iter_mut().flat_map(|r| r.services.iter_mut()) {
        s.redecode(&policy);
    }
    let report = db
        .apply_scan(&sat.position_label(), &results)
        .map_err(|e| CliError::failed(e.to_string()))?;
    let services: usize = results.iter().map(|r| r.services.len()).sum();
    if a.json {
        print_json(&ScanReport {
            satellite: sat.name.clone(),
            mode: format!("{:?}", a.mode).to_lowercase(),
            cancelled,
            transponders: &results,
            services,
            database: report,
            elapsed_ms: start.elapsed().as_millis() as u64,
        })?;
    } else {
        println!(
            "{}: {} transponders scanned, {} locked, {services} services in {:.1} s{}",
            sat.name,
            results.len(),
            results.iter().filter(|r| r.locked).count(),
            start.elapsed().as_secs_f64(),
            if cancelled {
                " (cancelled: kept what was found)"
            } else {
                ""
            }
        );
        println!(
            "Channel list {}: {} new, {} updated, {} no longer found",
            db_path.display(),
            report.added,
            report.updated,
            report.vanished
        );
    }
    Ok(if cancelled { 130 } else { 0 })
}

#[derive(clap::Args, Debug)]
pub struct ChannelsArgs {
    #[arg(long)]
    pub json: bool,
    /// Write the list as FORMAT (dvbv5) to FILE.
    #[arg(long, num_args = 2, value_names = ["FORMAT", "FILE"])]
    pub export: Option<Vec<String>>,
    /// Merge a list in FORMAT (dvbv5) from FILE.
    #[arg(long, num_args = 2, value_names = ["FORMAT", "FILE"], conflicts_with = "export")]
    pub import: Option<Vec<String>>,
    #[arg(long)]
    pub db: Option<PathBuf>,
}

fn format_file(v: &[String]) -> Result<PathBuf, CliError> {
    match v {
        [f, file] if f.eq_ignore_ascii_case("dvbv5") => Ok(PathBuf::from(file)),
        [f, _] => Err(CliError::usage(format!(
            "unknown channel file format '{f}': use dvbv5"
        ))),
        _ => Err(CliError::usage(
            "give a format and a file, e.g. --export dvbv5 channels.conf",
        )),
    }
}

pub fn channels(a: &ChannelsArgs) -> CliResult {
    // Check the file before the database is touched.
    let import = a.import.as_deref().map(format_file).transpose()?;
    let export = a.export.as_deref().map(format_file).transpose()?;
    let scans = match &import {
        Some(file) => Some(dvbv5::import(file).map_err(|e| CliError::usage(e.to_string()))?),
        None => None,
    };
    let db_path = a.db.clone().unwrap_or_else(default_db);
    let mut db = ChannelDb::open(&db_path).map_err(|e| CliError::failed(e.to_string()))?;
    if let Some(scans) = scans {
        let r = db
            .apply_scan("imported", &scans)
            .map_err(|e| CliError::failed(e.to_string()))?;
        println!("Imported: {} new, {} updated", r.added, r.updated);
        return Ok(0);
    }
    let list = db.channels().map_err(|e| CliError::failed(e.to_string()))?;
    if let Some(file) = export {
        std::fs::write(&file, dvbv5::export(&list))
            .map_err(|e| CliError::failed(format!("{}: {e}", file.display())))?;
        println!("Wrote {} channels to {}", list.len(), file.display());
        return Ok(0);
    }
    if a.json {
        print_json(&list)?;
        return Ok(0);
    }
    for c in &list {
        println!(
            "{:>4}  {:<24} {:<6} {}{}{}  {} MHz {} ({})",
            c.number,
            c.name,
            format!("{:?}", c.kind).to_lowercase(),
            if c.scrambled { "$" } else { " " },
            if c.favourite { "*" } else { " " },
            if c.vanished { " [gone]" } else { "" },
            f64::from(c.frequency_khz) / 1000.0,
            c.polarisation,
            c.satellite
        );
    }
    if list.is_empty() {
        println!("No channels yet: run `stb-app scan`.");
    }
    Ok(0)
}
