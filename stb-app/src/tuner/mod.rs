//! The tuner as the rest of the box sees it: a transponder to tune, a lock to wait for, a signal to measure and
//! sections to read. [`linux::LinuxTuner`] drives a DVB-S/S2 frontend through the kernel's DVB API v5; a vendor
//! ABS-S tuner or a transport-stream replay tuner implements the same [`Tuner`] trait.

pub mod linux;
pub mod params;
pub mod replay;
pub mod signal;

use std::time::{Duration, Instant};

pub use params::{Fec, Modulation, Pilot, Rolloff, System, Transponder, TuneRequest};
pub use signal::Signal;

use crate::dvb::{DvbError, SectionFilter};
use crate::lnb::LnbError;

#[derive(Debug, thiserror::Error)]
pub enum TuneError {
    #[error(transparent)]
    Device(#[from] DvbError),
    #[error(transparent)]
    Lnb(#[from] LnbError),
    #[error("{0}")]
    Invalid(String),
    #[error("this tuner cannot receive {0}")]
    Unsupported(String),
}

/// How a wait for lock ended.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LockOutcome {
    pub locked: bool,
    /// From the tune call to FE_HAS_LOCK (or to giving up).
    pub elapsed: Duration,
}

/// A stream of sections matching one filter.
pub trait SectionSource {
    /// The next section, waiting at most `timeout`; `Ok(None)` when nothing came in time.
    fn next_section(&mut self, timeout: Duration) -> Result<Option<Vec<u8>>, TuneError>;
}

/// Transport-stream packets of chosen PIDs of the tuned transponder: what the player reads. The PID set changes
/// without reopening anything (a zap on the same transponder).
pub trait PacketSource: Send {
    /// Whole 188-byte packets, what is there, waiting at most `timeout` for the first; 0 when nothing came.
    fn read(&mut self, buf: &mut [u8], timeout: Duration) -> Result<usize, TuneError>;
    /// From now on, these PIDs.
    fn set_pids(&mut self, pids: &[u16]) -> Result<(), TuneError>;
}

/// A satellite tuner of the box.
pub trait Tuner {
    /// What this tuner is, for logs and diagnostics ("Dummy demod for DVB-T/T2/C/S/S2 on adapter0").
    fn describe(&self) -> String;

    /// Checks the request against what this tuner can do, then starts tuning; does not wait for lock.
    fn tune(&mut self, req: &TuneRequest) -> Result<(), TuneError>;

    /// Lock state and signal figures now. Figures are only given while locked: unlocked drivers report garbage.
    fn signal(&mut self) -> Result<Signal, TuneError>;

    /// Whether the tuner is locked now; cheaper than [`Tuner::signal`] where the backend can tell without the
    /// statistics (the lock wait polls this every few milliseconds).
    fn is_locked(&mut self) -> Result<bool, TuneError> {
        Ok(self.signal()?.locked)
    }

    /// Starts a section filter on the tuned transponder.
    fn sections(&mut self, filter: &SectionFilter) -> Result<Box<dyn SectionSource>, TuneError>;

    /// Starts a stream of the tuned transponder's packets of `pids`.
    fn packets(&mut self, pids: &[u16]) -> Result<Box<dyn PacketSource>, TuneError>;

    /// Polls for lock until `timeout`. The clock starts at `since` (normally just before [`Tuner::tune`]).
    fn wait_for_lock(
        &mut self,
        since: Instant,
        timeout: Duration,
    ) -> Result<LockOutcome, TuneError> {
        loop {
            let locked = self.is_locked()?;
            let elapsed = since.elapsed();
            if locked || elapsed >= timeout {
                return Ok(LockOutcome { locked, elapsed });
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}
