//! `stb-app card info` and `stb-app activation status|import`: the smart card and the box's activation from the
//! console, through the same reader and activation engine the UI uses.

use std::path::{Path, PathBuf};

use activation::engine::{Activation, BoxIdentity};
use activation::message::BoxId;
use activation::status::Lang;
use activation::store::Store;
use serde::Serialize;
use smartcard::reader::{Reader, ReaderConfig};

/// A reader on a terminal (UART, pty) or on a plain character device (a virtio serial port).
enum AnyReader {
    Tty(Reader<smartcard::line::PollLine<smartcard::reader::SerialFd>>),
    Device(Reader<smartcard::line::PollLine<std::fs::File>>),
}

impl AnyReader {
    fn reset(&mut self) -> Result<smartcard::atr::AtrRepr, smartcard::CardError> {
        match self {
            Self::Tty(r) => r.reset(),
            Self::Device(r) => r.reset(),
        }
    }

    fn channel(&mut self) -> &mut dyn smartcard::card_app::CardChannel {
        match self {
            Self::Tty(r) => r,
            Self::Device(r) => r,
        }
    }
}

use super::{print_json, CliError, CliResult};

#[derive(clap::Args, Debug, Clone)]
pub struct ReaderArgs {
    /// The card reader's serial device.
    #[arg(long, default_value = "/dev/smartcard")]
    pub reader: PathBuf,
    /// A Phoenix reader on a real UART (reset through RTS); otherwise a virtual line (pty, virtio port) that
    /// resets in-band.
    #[arg(long)]
    pub phoenix: bool,
}

/// The box id provisioned in the image (`/etc/stb/box-id`), or `STB_BOX_ID`.
fn box_id() -> Result<BoxId, CliError> {
    let text = match std::env::var("STB_BOX_ID") {
        Ok(v) => v,
        Err(_) => std::fs::read_to_string("/etc/stb/box-id").map_err(|e| {
            CliError::failed(format!(
                "no box id: /etc/stb/box-id: {e} (set STB_BOX_ID to override)"
            ))
        })?,
    };
    text.trim()
        .parse()
        .map_err(|e| CliError::failed(format!("box id '{}' is not valid: {e}", text.trim())))
}

fn state_dir() -> PathBuf {
    std::env::var_os("STB_DATA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/var/lib/stb"))
        .join("activation")
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

fn open_reader(a: &ReaderArgs) -> Result<AnyReader, CliError> {
    use std::io::IsTerminal;
    let path = a
        .reader
        .to_str()
        .ok_or_else(|| CliError::usage("the reader path is not UTF-8"))?;
    if !Path::new(path).exists() {
        return Err(CliError::failed(format!(
            "card reader {path} does not exist (check the cable and `ls -l {path}`)"
        )));
    }
    let config = if a.phoenix {
        ReaderConfig::phoenix(path)
    } else {
        ReaderConfig::virtual_line(path)
    };
    let is_tty = std::fs::File::open(path)
        .map(|f| f.is_terminal())
        .unwrap_or(true);
    let r = if is_tty {
        Reader::open(config).map(AnyReader::Tty)
    } else {
        Reader::open_char_device(config).map(AnyReader::Device)
    };
    r.map_err(|e| CliError::failed(format!("card reader {path}: {e}")))
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

fn activation() -> Result<Activation, CliError> {
    let identity = BoxIdentity::with_firmware_key(box_id()?);
    Activation::open(identity, Store::new(state_dir()))
        .map_err(|e| CliError::failed(format!("activation state: {e}")))
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
