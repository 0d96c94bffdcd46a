//! A GPS / BeiDou receiver on a serial port: auto-baud, fix tracking, and re-opening the
//! port when the receiver is unplugged and plugged back in.
//!
//! Auto-baud tries 9600 (u-blox NEO-6M, most BeiDou modules), 4800 (the NMEA 0183 default),
//! 38400 (u-blox F9) and 115200 in that order, and takes the first rate at which a sentence
//! with a valid checksum arrives. A wrong rate gives framing garbage that essentially never
//! passes an NMEA checksum, so the first good sentence settles it; a rate is abandoned early
//! once a burst worth of bytes has come in without one.

use std::collections::VecDeque;
use std::io::{self, Read};
use std::time::{Duration, Instant};

use serialport::{ClearBuffer, SerialPort};

use crate::nmea::{parse, Fix, FixState, LineSplitter, NmeaError, Sentence};

/// Baud rates tried by auto-baud, most likely first (time to first result matters).
pub const AUTO_BAUD_ORDER: [u32; 4] = [9600, 4800, 38400, 115200];

/// How the port's speed is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BaudSetting {
    Auto,
    Fixed(u32),
}

impl std::str::FromStr for BaudSetting {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.eq_ignore_ascii_case("auto") {
            return Ok(BaudSetting::Auto);
        }
        match s.parse::<u32>() {
            Ok(b) if (300..=4_000_000).contains(&b) => Ok(BaudSetting::Fixed(b)),
            _ => Err(format!(
                "'{s}' is not a baud rate (use auto, 4800, 9600, 38400 or 115200)"
            )),
        }
    }
}

/// Tuning knobs; the defaults suit a real 1 Hz receiver.
#[derive(Debug, Clone)]
pub struct GpsOptions {
    pub baud: BaudSetting,
    /// How long one candidate rate is listened to before moving on.
    pub probe_window: Duration,
    /// Bytes without a valid sentence after which a candidate rate is given up early.
    pub probe_give_up_bytes: u64,
    /// Pause between attempts to re-open a vanished port.
    pub reopen_interval: Duration,
}

impl Default for GpsOptions {
    fn default() -> Self {
        GpsOptions {
            baud: BaudSetting::Auto,
            probe_window: Duration::from_millis(1500),
            probe_give_up_bytes: 600,
            reopen_interval: Duration::from_millis(250),
        }
    }
}

/// What the reader has to tell.
#[derive(Debug, Clone, PartialEq)]
pub enum GpsEvent {
    /// The port is open and NMEA flows at this rate.
    Connected { baud: u32 },
    /// A GGA without a fix: satellites seen and used, HDOP.
    Progress {
        in_view: u16,
        used: Option<u8>,
        hdop: Option<f64>,
    },
    /// A GGA with a fix.
    Fix(Fix),
    /// The port failed (unplugged): the reader keeps trying to re-open it.
    Disconnected { reason: String },
    /// No valid NMEA at any candidate rate; the reader keeps trying.
    NoNmea,
}

/// Errors that end the reading.
#[derive(Debug, thiserror::Error)]
pub enum GpsError {
    #[error("cannot open {path}: {source}")]
    Open {
        path: String,
        #[source]
        source: serialport::Error,
    },
    #[error("no NMEA data on {path} at {rates} baud")]
    NoNmea { path: String, rates: String },
    #[error("serial port {path}: {source}")]
    Port {
        path: String,
        #[source]
        source: serialport::Error,
    },
}

/// Counters for diagnostics and tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    pub valid_sentences: u64,
    pub bad_checksums: u64,
    pub malformed: u64,
    pub reconnects: u64,
}

/// A GPS on a serial port.
pub struct GpsReader {
    path: String,
    opts: GpsOptions,
    port: Option<Box<dyn SerialPort>>,
    baud: u32,
    splitter: LineSplitter,
    state: FixState,
    pending: VecDeque<GpsEvent>,
    stats: Stats,
}

impl std::fmt::Debug for GpsReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GpsReader")
            .field("path", &self.path)
            .field("baud", &self.baud)
            .field("connected", &self.port.is_some())
            .finish()
    }
}

fn open_port(path: &str, baud: u32) -> Result<Box<dyn SerialPort>, serialport::Error> {
    serialport::new(path, baud)
        .timeout(Duration::from_millis(100))
        .open()
}

fn is_disconnect(e: &io::Error) -> bool {
    !matches!(
        e.kind(),
        io::ErrorKind::TimedOut | io::ErrorKind::Interrupted | io::ErrorKind::WouldBlock
    )
}

impl GpsReader {
    /// Open the port and find the baud rate. Fails when the port cannot be opened, or when
    /// no rate gives NMEA (a wrong device): both are worth one clear line to the user.
    pub fn open(path: &str, opts: GpsOptions) -> Result<GpsReader, GpsError> {
        let first = match opts.baud {
            BaudSetting::Fixed(b) => b,
            BaudSetting::Auto => AUTO_BAUD_ORDER[0],
        };
        let port = open_port(path, first).map_err(|source| GpsError::Open {
            path: path.to_string(),
            source,
        })?;
        let mut r = GpsReader {
            path: path.to_string(),
            opts,
            port: Some(port),
            baud: first,
            splitter: LineSplitter::new(),
            state: FixState::default(),
            pending: VecDeque::new(),
            stats: Stats::default(),
        };
        match r.settle_baud() {
            Ok(true) => Ok(r),
            Ok(false) => Err(GpsError::NoNmea {
                path: path.to_string(),
                rates: r.candidate_rates_label(),
            }),
            Err(e) => Err(GpsError::Port {
                path: path.to_string(),
                source: serialport::Error::from(e),
            }),
        }
    }

    fn candidate_rates(&self) -> Vec<u32> {
        match self.opts.baud {
            BaudSetting::Fixed(b) => vec![b],
            BaudSetting::Auto => AUTO_BAUD_ORDER.to_vec(),
        }
    }

    fn candidate_rates_label(&self) -> String {
        self.candidate_rates()
            .iter()
            .map(|b| b.to_string())
            .collect::<Vec<_>>()
            .join("/")
    }

    /// The current baud rate.
    pub fn baud(&self) -> u32 {
        self.baud
    }

    /// The receiver state folded from all sentences so far.
    pub fn state(&self) -> &FixState {
        &self.state
    }

    pub fn stats(&self) -> Stats {
        self.stats
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    /// Feed one candidate line; true when it was a valid sentence.
    fn take_line(&mut self, line: &[u8]) -> bool {
        match parse(line) {
            Ok(s) => {
                self.stats.valid_sentences += 1;
                self.fold(&s);
                true
            }
            Err(NmeaError::BadChecksum { .. }) | Err(NmeaError::NoChecksum) => {
                self.stats.bad_checksums += 1;
                false
            }
            Err(_) => {
                self.stats.malformed += 1;
                false
            }
        }
    }

    fn fold(&mut self, s: &Sentence) {
        let is_gga = matches!(s, Sentence::Gga(_));
        match self.state.update(s) {
            Some(fix) => self.pending.push_back(GpsEvent::Fix(fix)),
            None if is_gga => self.pending.push_back(GpsEvent::Progress {
                in_view: self.state.satellites_in_view(),
                used: self.state.satellites_used,
                hdop: self.state.hdop,
            }),
            None => {}
        }
    }

    fn feed(&mut self, bytes: &[u8]) -> u64 {
        let mut lines = Vec::new();
        self.splitter.push(bytes, |l| lines.push(l.to_vec()));
        let mut good = 0;
        for l in lines {
            if self.take_line(&l) {
                good += 1;
            }
        }
        good
    }

    /// Find the rate (or check the fixed one). Ok(false): nothing valid at any rate.
    /// Err: the port failed.
    fn settle_baud(&mut self) -> io::Result<bool> {
        let rates = self.candidate_rates();
        let fixed = matches!(self.opts.baud, BaudSetting::Fixed(_));
        for rate in rates {
            let Some(port) = self.port.as_mut() else {
                return Err(io::Error::new(io::ErrorKind::NotConnected, "port closed"));
            };
            port.set_baud_rate(rate).map_err(io::Error::from)?;
            port.clear(ClearBuffer::Input).map_err(io::Error::from)?;
            self.baud = rate;
            self.splitter.reset();
            let start = Instant::now();
            let mut seen: u64 = 0;
            let mut buf = [0u8; 512];
            while start.elapsed() < self.opts.probe_window {
                let Some(port) = self.port.as_mut() else {
                    return Err(io::Error::new(io::ErrorKind::NotConnected, "port closed"));
                };
                match port.read(&mut buf) {
                    Ok(0) => return Err(io::Error::new(io::ErrorKind::BrokenPipe, "end of file")),
                    Ok(n) => {
                        seen += n as u64;
                        if self.feed(&buf[..n]) > 0 {
                            self.pending.push_front(GpsEvent::Connected { baud: rate });
                            return Ok(true);
                        }
                    }
                    Err(e) if !is_disconnect(&e) => {}
                    Err(e) => return Err(e),
                }
                if !fixed && seen >= self.opts.probe_give_up_bytes {
                    break;
                }
            }
            if fixed {
                // A fixed rate is the user's word: take it even if the receiver is quiet.
                self.pending.push_front(GpsEvent::Connected { baud: rate });
                return Ok(true);
            }
        }
        Ok(false)
    }

    fn disconnect(&mut self, reason: String) {
        self.port = None;
        self.splitter.reset();
        self.state.forget_receiver();
        self.pending.push_back(GpsEvent::Disconnected { reason });
    }

    /// Wait up to `timeout` for the next event. `Ok(None)`: nothing happened in time.
    pub fn poll(&mut self, timeout: Duration) -> Result<Option<GpsEvent>, GpsError> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(e) = self.pending.pop_front() {
                return Ok(Some(e));
            }
            if Instant::now() >= deadline {
                return Ok(None);
            }
            if self.port.is_none() {
                match open_port(&self.path, self.baud) {
                    Ok(p) => {
                        self.port = Some(p);
                        self.stats.reconnects += 1;
                        match self.settle_baud() {
                            Ok(true) => {}
                            Ok(false) => self.pending.push_back(GpsEvent::NoNmea),
                            Err(e) => self.disconnect(e.to_string()),
                        }
                    }
                    Err(_) => {
                        let left = deadline.saturating_duration_since(Instant::now());
                        std::thread::sleep(self.opts.reopen_interval.min(left));
                    }
                }
                continue;
            }
            let mut buf = [0u8; 512];
            let r = match self.port.as_mut() {
                Some(p) => p.read(&mut buf),
                None => continue,
            };
            match r {
                Ok(0) => self.disconnect("end of file".into()),
                Ok(n) => {
                    self.feed(&buf[..n]);
                }
                Err(e) if !is_disconnect(&e) => {}
                Err(e) => self.disconnect(e.to_string()),
            }
        }
    }

    /// Block until the next event.
    pub fn next_event(&mut self) -> Result<GpsEvent, GpsError> {
        loop {
            if let Some(e) = self.poll(Duration::from_secs(3600))? {
                return Ok(e);
            }
        }
    }
}
