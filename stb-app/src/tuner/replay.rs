//! A tuner that plays transport-stream files, like TSDuck's tuner emulator: each transponder of a lineup is a
//! `.ts` file, tuning picks the file whose frequency and polarisation match, and section filters run over it in
//! software. For development, demos and scan tests with generated streams; it never stands in for the kernel path
//! in tests that claim the kernel path.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::params::TuneRequest;
use super::{PacketSource, SectionSource, Signal, TuneError, Tuner};
use crate::dvb::frontend::{SignalStats, Stat};
use crate::dvb::{FrontendStatus, SectionFilter};
use crate::lnb::Polarisation;
use crate::textfile::{Comments, TextFile};

/// One transponder of the lineup: where it is on the dial and the file that carries its multiplex.
#[derive(Clone, Debug, PartialEq)]
pub struct ReplayTransponder {
    pub frequency_khz: u32,
    pub polarisation: Polarisation,
    pub symbol_rate: u32,
    pub file: PathBuf,
    /// The C/N the tuner reports while tuned to it.
    pub cnr_db: f64,
}

/// A lineup file that cannot be read, or a wrong line of it.
pub type ReplayError = crate::textfile::TextFileError;

/// Plays files; paced at the transponder's nominal bitrate, or as fast as it can read.
pub struct ReplayTuner {
    lineup: Vec<ReplayTransponder>,
    tuned: Option<(usize, TuneRequest)>,
    paced: bool,
}

impl ReplayTuner {
    pub fn new(lineup: Vec<ReplayTransponder>) -> Self {
        Self {
            lineup,
            tuned: None,
            paced: false,
        }
    }

    /// Deliver data no faster than the transponder would (its symbol rate, QPSK 3/4, RS 188/204).
    pub fn paced(mut self, on: bool) -> Self {
        self.paced = on;
        self
    }

    pub fn lineup(&self) -> &[ReplayTransponder] {
        &self.lineup
    }

    /// Reads a lineup file: one transponder a line, `FREQ_MHZ POL SR_KSPS FILE [CNR_DB]`, `#` starts a comment;
    /// relative file names are taken from the lineup file's folder.
    pub fn from_lineup_file(path: &Path) -> Result<Self, ReplayError> {
        let file = TextFile::read(path)?;
        let dir = path.parent().unwrap_or(Path::new("."));
        let mut lineup = Vec::new();
        for (n, line) in file.entries(Comments::Anywhere) {
            let bad = |what: String| file.error(n, what);
            let f: Vec<&str> = line.split_whitespace().collect();
            if !(4..=5).contains(&f.len()) {
                return Err(bad(format!(
                    "expected 'FREQ_MHZ POL SR_KSPS FILE [CNR_DB]', found '{line}'"
                )));
            }
            let mhz: f64 = f[0]
                .parse()
                .map_err(|_| bad(format!("frequency '{}' is not a number of MHz", f[0])))?;
            if !(mhz.is_finite() && mhz > 0.0 && mhz < 100_000.0) {
                return Err(bad(format!("frequency {mhz} MHz is impossible")));
            }
            let polarisation: Polarisation = f[1]
                .parse()
                .map_err(|e: crate::lnb::LnbError| bad(e.to_string()))?;
            let sr: u32 = f[2]
                .parse()
                .map_err(|_| bad(format!("symbol rate '{}' is not a number of kS/s", f[2])))?;
            let cnr_db = match f.get(4) {
                Some(c) => c
                    .parse()
                    .map_err(|_| bad(format!("C/N '{c}' is not a number of dB")))?,
                None => 12.0,
            };
            let file = dir.join(f[3]);
            if !file.is_file() {
                return Err(bad(format!("no such file {}", file.display())));
            }
            lineup.push(ReplayTransponder {
                frequency_khz: (mhz * 1000.0).round() as u32,
                polarisation,
                symbol_rate: sr.saturating_mul(1000),
                file,
                cnr_db,
            });
        }
        Ok(Self::new(lineup))
    }

    /// A transponder answers within half its symbol rate (in kHz) of its frequency, like a real demodulator's
    /// capture range, and only on its own polarisation.
    fn find(&self, req: &TuneRequest) -> Option<usize> {
        let tp = &req.transponder;
        self.lineup.iter().position(|t| {
            let range = (t.symbol_rate / 2000).max(1000);
            t.polarisation == tp.polarisation && t.frequency_khz.abs_diff(tp.frequency_khz) <= range
        })
    }
}

impl Tuner for ReplayTuner {
    fn describe(&self) -> String {
        format!("replay tuner ({} transponders)", self.lineup.len())
    }

    fn tune(&mut self, req: &TuneRequest) -> Result<(), TuneError> {
        req.resolve()?;
        self.tuned = self.find(req).map(|i| (i, req.clone()));
        Ok(())
    }

    fn signal(&mut self) -> Result<Signal, TuneError> {
        let Some((i, req)) = &self.tuned else {
            return Ok(Signal::from_frontend(
                FrontendStatus::default(),
                &SignalStats::default(),
                None,
            ));
        };
        let t = &self.lineup[*i];
        let stats = SignalStats {
            signal: Some(Stat::Decibel(-45_000)),
            cnr: Some(Stat::Decibel((t.cnr_db * 1000.0) as i64)),
            error_blocks: Some(0),
            ..Default::default()
        };
        let tp = &req.transponder;
        Ok(Signal::from_frontend(
            FrontendStatus::from_raw(0x1f),
            &stats,
            Some((tp.system, tp.modulation, tp.fec)),
        ))
    }

    fn sections(&mut self, filter: &SectionFilter) -> Result<Box<dyn SectionSource>, TuneError> {
        let Some((i, _)) = &self.tuned else {
            return Ok(Box::new(NoSections));
        };
        let t = &self.lineup[*i];
        let file = File::open(&t.file)
            .map_err(|e| TuneError::Invalid(format!("{}: {e}", t.file.display())))?;
        // QPSK 3/4 with Reed-Solomon 188/204: the useful bitrate of a typical DVB-S transponder.
        let bitrate = f64::from(t.symbol_rate) * 2.0 * 0.75 * 188.0 / 204.0;
        Ok(Box::new(ReplaySections::new(
            file,
            t.file.clone(),
            filter.clone(),
            self.paced.then_some(bitrate),
        )))
    }

    fn packets(&mut self, pids: &[u16]) -> Result<Box<dyn PacketSource>, TuneError> {
        let Some((i, _)) = &self.tuned else {
            return Err(TuneError::Invalid(
                "nothing is tuned: no packets to play".into(),
            ));
        };
        let t = &self.lineup[*i];
        let file = File::open(&t.file)
            .map_err(|e| TuneError::Invalid(format!("{}: {e}", t.file.display())))?;
        Ok(Box::new(ReplayPackets {
            file,
            path: t.file.clone(),
            pids: pids.to_vec(),
            clock: None,
            last_pcr: 0,
        }))
    }
}

/// The packets of chosen PIDs of a looping file, at the pace its PCRs give (a file played as it was broadcast).
struct ReplayPackets {
    file: File,
    path: PathBuf,
    pids: Vec<u16>,
    /// The first PCR seen (27 MHz) and when it was handed out; later PCRs wait for their time.
    clock: Option<(u64, Instant)>,
    /// PCRs that went back (the file looped): the clock starts again.
    last_pcr: u64,
}

impl PacketSource for ReplayPackets {
    fn read(&mut self, buf: &mut [u8], timeout: Duration) -> Result<usize, TuneError> {
        let started = Instant::now();
        let mut n = 0;
        let mut packet = [0u8; 188];
        while n + 188 <= buf.len() && started.elapsed() < timeout {
            match self.file.read_exact(&mut packet) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                    self.file
                        .seek(SeekFrom::Start(0))
                        .map_err(|e| TuneError::Invalid(format!("{}: {e}", self.path.display())))?;
                    continue;
                }
                Err(e) => return Err(TuneError::Invalid(format!("{}: {e}", self.path.display()))),
            }
            let Ok(view) = ts_si::ts::TsPacket::new_checked(&packet[..]) else {
                continue;
            };
            let pid = view.pid();
            let pcr = view
                .adaptation_field()
                .and_then(|a| a.pcr())
                .map(|p| p.ticks_27mhz());
            if let Some(pcr) = pcr {
                match self.clock {
                    Some((first, at)) if pcr >= self.last_pcr => {
                        let due = at + Duration::from_nanos((pcr - first) * 1000 / 27);
                        let now = Instant::now();
                        if due > now {
                            if n > 0 {
                                // Hand over what is ready; this packet waits for its time in the next read.
                                self.file.seek(SeekFrom::Current(-188)).map_err(|e| {
                                    TuneError::Invalid(format!("{}: {e}", self.path.display()))
                                })?;
                                return Ok(n);
                            }
                            std::thread::sleep((due - now).min(timeout));
                        }
                    }
                    _ => self.clock = Some((pcr, Instant::now())),
                }
                self.last_pcr = pcr;
            }
            if self.pids.contains(&pid) {
                buf[n..n + 188].copy_from_slice(&packet);
                n += 188;
            }
        }
        Ok(n)
    }

    fn set_pids(&mut self, pids: &[u16]) -> Result<(), TuneError> {
        self.pids = pids.to_vec();
        Ok(())
    }
}

/// What a section filter gives while nothing is tuned: nothing, after the timeout, as a real demux.
struct NoSections;

impl SectionSource for NoSections {
    fn next_section(&mut self, timeout: Duration) -> Result<Option<Vec<u8>>, TuneError> {
        std::thread::sleep(timeout.min(Duration::from_millis(50)));
        Ok(None)
    }
}

/// A software section filter over a looping file.
struct ReplaySections {
    file: File,
    path: PathBuf,
    filter: SectionFilter,
    demux: ts_si::demux::Demux,
    ready: VecDeque<Vec<u8>>,
    bitrate: Option<f64>,
    started: Instant,
    bytes: u64,
    /// Bytes of the file read since the last wrap; a file with no matching section is read once per wait.
    since_wrap: u64,
}

impl ReplaySections {
    fn new(file: File, path: PathBuf, filter: SectionFilter, bitrate: Option<f64>) -> Self {
        Self {
            file,
            path,
            demux: Self::demux_for(&filter),
            filter,
            ready: VecDeque::new(),
            bitrate,
            started: Instant::now(),
            bytes: 0,
            since_wrap: 0,
        }
    }

    fn demux_for(filter: &SectionFilter) -> ts_si::demux::Demux {
        let mut d = ts_si::demux::Demux::empty();
        d.add_pid(filter.pid);
        d
    }

    /// The kernel's matching rule: byte 0 is table_id, bytes 1.. are compared from the section's 4th byte on.
    fn matches(&self, s: &[u8]) -> bool {
        self.filter
            .filter
            .iter()
            .zip(&self.filter.mask)
            .enumerate()
            .all(|(i, (f, m))| {
                let at = if i == 0 { 0 } else { i + 2 };
                s.get(at).is_some_and(|b| b & m == f & m)
            })
    }
}

impl SectionSource for ReplaySections {
    fn next_section(&mut self, timeout: Duration) -> Result<Option<Vec<u8>>, TuneError> {
        let deadline = Instant::now() + timeout;
        let mut buf = vec![0u8; 188 * 64];
        let mut wrapped_empty = 0;
        loop {
            if let Some(s) = self.ready.pop_front() {
                return Ok(Some(s));
            }
            if Instant::now() >= deadline {
                return Ok(None);
            }
            let n = self
                .file
                .read(&mut buf)
                .map_err(|e| TuneError::Invalid(format!("{}: {e}", self.path.display())))?;
            if n == 0 {
                // Loop the file like a carousel; a new demux, so the jump is not counted as a CC error.
                if self.since_wrap == 0 || wrapped_empty > 1 {
                    std::thread::sleep(deadline.saturating_duration_since(Instant::now()));
                    return Ok(None);
                }
                wrapped_empty += 1;
                self.since_wrap = 0;
                self.file
                    .seek(SeekFrom::Start(0))
                    .map_err(|e| TuneError::Invalid(format!("{}: {e}", self.path.display())))?;
                self.demux = Self::demux_for(&self.filter);
                continue;
            }
            self.bytes += n as u64;
            self.since_wrap += n as u64;
            let mut found = Vec::new();
            self.demux
                .feed(&buf[..n], &mut |s| found.push(s.data.to_vec()));
            for s in found {
                if self.matches(&s) {
                    self.ready.push_back(s);
                    wrapped_empty = 0;
                }
            }
            if let Some(rate) = self.bitrate {
                let due = Duration::from_secs_f64(self.bytes as f64 * 8.0 / rate);
                let now = self.started.elapsed();
                if due > now {
                    std::thread::sleep(
                        (due - now).min(deadline.saturating_duration_since(Instant::now())),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lnb::Lnb;
    use crate::tuner::{Transponder, Tuner};

    fn capture() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/vidtv-dvbs-beethoven.ts")
    }

    fn request(mhz: u32, pol: Polarisation) -> TuneRequest {
        TuneRequest {
            transponder: Transponder::dvbs(mhz * 1000, pol, 27_500_000),
            lnb: Lnb::universal(),
            diseqc: Default::default(),
        }
    }

    fn tuner() -> ReplayTuner {
        ReplayTuner::new(vec![ReplayTransponder {
            frequency_khz: 11_362_000,
            polarisation: Polarisation::Horizontal,
            symbol_rate: 27_500_000,
            file: capture(),
            cnr_db: 11.0,
        }])
    }

    #[test]
    fn locks_only_on_its_transponders_and_reads_their_sections() {
        let mut t = tuner();
        t.tune(&request(11_362, Polarisation::Vertical)).unwrap();
        assert!(!t.signal().unwrap().locked, "wrong polarisation");
        let mut none = t.sections(&SectionFilter::table(0, 0)).unwrap();
        assert_eq!(none.next_section(Duration::from_millis(10)).unwrap(), None);

        t.tune(&request(11_362, Polarisation::Horizontal)).unwrap();
        let s = t.signal().unwrap();
        assert!(s.locked);
        assert_eq!(s.cnr_db, Some(11.0));

        let mut pat = t.sections(&SectionFilter::table(0, 0)).unwrap();
        let first = pat
            .next_section(Duration::from_secs(5))
            .unwrap()
            .expect("a PAT");
        assert_eq!(first[0], 0x00);
        assert_eq!(ts_si::crc::crc32_mpeg2(&first), 0);
        // The SDT of the capture carries service 0x0880 'Beethoven'.
        let mut sdt = t
            .sections(&SectionFilter::table(0x11, 0x42).with_extension(0x4081))
            .unwrap();
        let sdt = sdt
            .next_section(Duration::from_secs(5))
            .unwrap()
            .expect("an SDT");
        assert!(sdt.windows(9).any(|w| w == b"Beethoven"));
        // A filter nothing matches times out instead of spinning forever.
        let mut nothing = t.sections(&SectionFilter::table(0x11, 0x46)).unwrap();
        assert_eq!(
            nothing.next_section(Duration::from_millis(200)).unwrap(),
            None
        );
    }

    #[test]
    fn lineup_files_are_read_and_errors_name_the_line() {
        let dir = std::env::temp_dir().join(format!("stb-lineup-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::copy(capture(), dir.join("a.ts")).unwrap();
        let good = dir.join("good.lineup");
        std::fs::write(
            &good,
            "# ChinaSat test\n11840 r 28800 a.ts 9.5\n12140 L 28800 a.ts\n",
        )
        .unwrap();
        let t = ReplayTuner::from_lineup_file(&good).unwrap();
        assert_eq!(t.lineup().len(), 2);
        assert_eq!(t.lineup()[0].cnr_db, 9.5);
        assert_eq!(t.lineup()[1].polarisation, Polarisation::Left);
        let bad = dir.join("bad.lineup");
        std::fs::write(&bad, "11840 r 28800 a.ts\n12140 x 28800 a.ts\n").unwrap();
        let e = ReplayTuner::from_lineup_file(&bad)
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("bad.lineup:2: unknown polarisation 'x'"), "{e}");
        std::fs::write(&bad, "11840 r 28800 missing.ts\n").unwrap();
        let e = ReplayTuner::from_lineup_file(&bad)
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains(":1: no such file"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
