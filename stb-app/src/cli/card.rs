//! `stb-app card info` and `stb-app activation status|import`: the smart card and the box's activation from the
//! console, through the same reader and activation engine the UI uses.

use std::path::{Path, PathBuf};

use activation::status::Lang;
use serde::Serialize;
use stb_app::card_reader::{CardReader, ReaderError};

use super::{print_json, CliError, CliResult};
use stb_app::console::{activation, box_id};

#[derive(clap::Args, Debug, Clone)]
pub struct ReaderArgs {
    /// The card reader's serial device.
    #[arg(long, default_value = stb_app::card_reader::DEFAULT_PATH)]
    pub reader: PathBuf,
    /// A Phoenix reader on a real UART (reset through RTS); otherwise a virtual line (pty, virtio port) that
    /// resets in-band.
    #[arg(long)]
    pub phoenix: bool,
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

fn open_reader(a: &ReaderArgs) -> Result<CardReader, CliError> {
    CardReader::open(&a.reader, a.phoenix).map_err(|e| match e {
        ReaderError::NotUtf8(_) => CliError::usage(e.to_string()),
        e => CliError::failed(e.to_string()),
    })
}

#[derive(Serialize)]
struct CardReport {
    atr: String,
    atr_decoded: String,
    card_number: u64,
    state: String,
    sequence: u64,
    version: u8,
}

pub fn info(a: &ReaderArgs, json: bool) -> CliResult {
    let mut reader = open_reader(a)?;
    let atr = reader
        .reset()
        .map_err(|e| CliError::failed(format!("E01/E02: {e}")))?;
    let info = smartcard::card_app::get_card_info(reader.channel()).map_err(|e| {
        CliError::failed(format!(
            "E02: the card did not answer as an activation card: {e}"
        ))
    })?;
    let report = CardReport {
        atr: atr
            .to_line_bytes()
            .unwrap_or_default()
            .iter()
            .map(|b| format!("{b:02X}"))
            .collect::<Vec<_>>()
            .join(" "),
        atr_decoded: atr.to_string(),
        card_number: info.card_number,
        state: format!("{:?}", info.state),
        sequence: info.sequence,
        version: info.version,
    };
    if json {
        print_json(&report)?;
    } else {
        println!("ATR:          {}", report.atr);
        println!("              {}", report.atr_decoded);
        println!("Card number:  {}", report.card_number);
        println!(
            "Card state:   {} (authorisation sequence {})",
            report.state, report.sequence
        );
    }
    Ok(0)
}

pub fn status(a: &ReaderArgs, json: bool) -> CliResult {
    let mut act = activation()?;
    let t = now();
    // The card, when one answers; no reader or no card is a state to show (E01), not a failure of the command.
    if let Ok(mut reader) = open_reader(a) {
        act.card_inserted(reader.channel(), t)
            .map_err(|e| CliError::failed(format!("activation state: {e}")))?;
    }
    let report = act.report(t);
    if json {
        print_json(&report)?;
        return Ok(0);
    }
    let lang = Lang::from_locale(&std::env::var("LANG").unwrap_or_default());
    let code = report.code.map(|c| format!("[{c}] ")).unwrap_or_default();
    println!("{code}{}", report.status.message(lang));
    println!("Box id:       {}", report.box_id);
    println!(
        "Card number:  {}",
        report
            .card_number
            .map_or("-".to_string(), |n| n.to_string())
    );
    if let Some(d) = report.distance_m {
        println!("Distance from the registered place: {d:.0} m");
    }
    if let Ok(qr) = act.request().qr_text() {
        println!("Activation request (scan with the installer's phone):\n{qr}");
    }
    Ok(0)
}

pub fn import(a: &ReaderArgs, file: &Path) -> CliResult {
    let bytes =
        std::fs::read(file).map_err(|e| CliError::usage(format!("{}: {e}", file.display())))?;
    let messages = activation::message::parse_file(&bytes)
        .map_err(|e| CliError::usage(format!("{}: {e}", file.display())))?;
    let mut act = activation()?;
    let t = now();
    let mut reader = open_reader(a).ok();
    if let Some(r) = reader.as_mut() {
        act.card_inserted(r.channel(), t)
            .map_err(|e| CliError::failed(format!("activation state: {e}")))?;
    }
    let lang = Lang::from_locale(&std::env::var("LANG").unwrap_or_default());
    let mut failed = 0;
    for m in &messages {
        match act.import(m, t, reader.as_mut().map(|r| r.channel())) {
            Ok(s) => println!("{}", s.message(lang)),
            Err(e) => {
                failed += 1;
                let code = e
                    .status()
                    .and_then(|s| s.code())
                    .map(|c| format!("[{c}] "))
                    .unwrap_or_default();
                eprintln!("stb-app: refused: {code}{e}");
            }
        }
    }
    Ok(if failed == 0 { 0 } else { 1 })
}

#[derive(clap::Args, Debug)]
pub struct WatchArgs {
    /// The positioning module's serial port.
    #[arg(long, default_value = "/dev/gps")]
    pub gps: String,
    /// Its speed: auto, 4800, 9600, 38400 or 115200.
    #[arg(long, default_value = "auto")]
    pub baud: String,
    /// Stop after this many position fixes (default: run until interrupted).
    #[arg(long)]
    pub fixes: Option<u64>,
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub reader: ReaderArgs,
}

#[derive(Serialize)]
struct PositionReport<'a> {
    lat: Option<f64>,
    lon: Option<f64>,
    #[serde(flatten)]
    activation: &'a activation::engine::Report,
}

/// `stb-app activation watch`: feeds the positioning module's fixes to the position lock and says what changes,
/// as the box does all the time (no fix is not the same as moved).
pub fn watch(a: &WatchArgs) -> CliResult {
    use dish_align::gps::{GpsEvent, GpsOptions, GpsReader};
    let baud = a.baud.parse().map_err(CliError::usage)?;
    let mut act = activation()?;
    if let Ok(mut reader) = open_reader(&a.reader) {
        act.card_inserted(reader.channel(), now())
            .map_err(|e| CliError::failed(format!("activation state: {e}")))?;
    }
    let mut gps = GpsReader::open(
        &a.gps,
        GpsOptions {
            baud,
            ..Default::default()
        },
    )
    .map_err(|e| CliError::failed(format!("positioning module: {e}")))?;
    let lang = Lang::from_locale(&std::env::var("LANG").unwrap_or_default());
    let mut fixes = 0u64;
    let mut last_status = None;
    loop {
        let event = gps
            .next_event()
            .map_err(|e| CliError::failed(format!("positioning module: {e}")))?;
        let fix = match event {
            GpsEvent::Fix(f) => activation::geo::Fix::new(f.lat_deg, f.lon_deg),
            GpsEvent::Progress { .. } => None,
            GpsEvent::Disconnected { reason } => {
                eprintln!("stb-app: positioning module lost ({reason}); retrying");
                continue;
            }
            GpsEvent::Connected { .. } | GpsEvent::NoNmea => continue,
        };
        act.position(fix)
            .map_err(|e| CliError::failed(format!("activation state: {e}")))?;
        let report = act.report(now());
        if a.json {
            print_json(&PositionReport {
                lat: fix.map(|f| f.lat),
                lon: fix.map(|f| f.lon),
                activation: &report,
            })?;
        } else if last_status != Some(report.status) {
            let code = report.code.map(|c| format!("[{c}] ")).unwrap_or_default();
            println!("{code}{}", report.status.message(lang));
        }
        last_status = Some(report.status);
        if fix.is_some() {
            fixes += 1;
            if a.fixes.is_some_and(|n| fixes >= n) {
                return Ok(0);
            }
        }
    }
}

#[derive(clap::Args, Debug)]
pub struct ListenArgs {
    /// Tune this transponder first; otherwise the tuner stays where it is.
    #[command(flatten)]
    pub transponder: super::tune::TransponderArgs,
    /// LNB name (default: from the polarisation, as `stb-app tune`).
    #[arg(long)]
    pub lnb: Option<String>,
    /// Give up after this many seconds without an authorisation for this box.
    #[arg(long, default_value_t = 30.0)]
    pub timeout: f64,
    #[arg(long, default_value_t = 0)]
    pub adapter: u32,
    /// Listen on a replay lineup (transport-stream files) instead of the tuner.
    #[arg(long)]
    pub replay: Option<PathBuf>,
    #[command(flatten)]
    pub reader: ReaderArgs,
}

/// `stb-app activation listen`: the authorisation over the air. The CAT names the activation PID with a CA
/// descriptor (CA_system_ID 0x4AFF, "HHTA"); sections of table 0x90 for this box's group carry the messages.
pub fn listen(a: &ListenArgs) -> CliResult {
    use stb_app::dvb::Adapter;
    use stb_app::tuner::{linux::LinuxTuner, replay::ReplayTuner, Tuner};
    use std::time::{Duration, Instant};
    if !(a.timeout.is_finite() && a.timeout > 0.0 && a.timeout <= 3600.0) {
        return Err(CliError::usage(
            "--timeout must be between 0 and 3600 seconds",
        ));
    }
    // The command line is checked before any device is opened.
    let given = a.transponder.given()?;
    let mut tuner: Box<dyn Tuner> = match &a.replay {
        Some(lineup) => Box::new(
            ReplayTuner::from_lineup_file(lineup).map_err(|e| CliError::usage(e.to_string()))?,
        ),
        None => Box::new(LinuxTuner::open(Adapter::open(a.adapter)?)?),
    };
    if let Some(transponder) = given {
        let req = stb_app::tuner::TuneRequest {
            transponder,
            lnb: super::tune::lnb_for(transponder.polarisation, a.lnb.as_deref())?,
            diseqc: Default::default(),
        };
        req.resolve()?;
        let start = Instant::now();
        tuner.tune(&req)?;
        if !tuner.wait_for_lock(start, Duration::from_secs(5))?.locked {
            return Err(CliError::failed(
                "no signal on that transponder: the authorisation cannot arrive",
            ));
        }
    }
    let mut act = activation()?;
    let mut reader = open_reader(&a.reader).ok();
    if let Some(r) = reader.as_mut() {
        act.card_inserted(r.channel(), now())
            .map_err(|e| CliError::failed(format!("activation state: {e}")))?;
    }
    let deadline = Instant::now() + Duration::from_secs_f64(a.timeout);
    let left = || deadline.saturating_duration_since(Instant::now());
    // The CAT names the activation PID; this box's group is read there.
    let mut emm = stb_app::emm::EmmCollector::start(tuner.as_mut(), &box_id()?)?;
    let lang = Lang::from_locale(&std::env::var("LANG").unwrap_or_default());
    while !left().is_zero() {
        let Some(bytes) = emm.next(tuner.as_mut(), left())? else {
            break;
        };
        let results = match act.import_section(&bytes, now(), reader.as_mut().map(|r| r.channel()))
        {
            Ok(r) => r,
            Err(e) => {
                eprintln!("stb-app: a damaged activation section was skipped: {e}");
                continue;
            }
        };
        for r in results {
            match r {
                Ok(s) => {
                    println!("{}", s.message(lang));
                    return Ok(0);
                }
                Err(e) => {
                    let code = e
                        .status()
                        .and_then(|s| s.code())
                        .map(|c| format!("[{c}] "))
                        .unwrap_or_default();
                    eprintln!("stb-app: refused: {code}{e}");
                }
            }
        }
    }
    let Some(pid) = emm.pid() else {
        return Err(CliError::failed(
            "no activation PID in the CAT of this transponder (is it the operator's?)",
        ));
    };
    Err(CliError::failed(format!(
        "no authorisation for this box arrived on PID 0x{pid:04x} within {:.0} s",
        a.timeout
    )))
}
