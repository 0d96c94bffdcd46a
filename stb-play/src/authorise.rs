//! A box whose card is in the reader but not yet authorised waits for the operator's authorisation on the
//! transponder it has just tuned, as the screens do while a channel is watched: the operator repeats it every
//! second on each of its transponders, so `stb-app play` on a freshly installed box plays within seconds, with no
//! separate `stb-app activation listen` (issue 12).

use std::path::Path;
use std::time::{Duration, Instant};

use stb_app::card_reader::{CardReader, DEFAULT_PATH};
use stb_app::emm::EmmCollector;
use stb_app::tuner::Tuner;

/// How long a play waits for the authorisation before it says why it does not play.
pub const WAIT: Duration = Duration::from_secs(30);

/// Whether an authorisation over the air can end this activation state (as `stb-app activation status --json`
/// names it): a card with no authorisation yet, or one that lapsed. A missing, foreign or failing card, or a box
/// away from its place, needs the installer.
pub fn may_arrive(status: &str) -> bool {
    matches!(
        status,
        "not_activated" | "authorisation_lost" | "card_not_authorised"
    )
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Reads this box's activation sections on the tuned transponder for at most `wait` and installs them (in the
/// activation state and the card) as `stb-app activation listen` does. `Ok(true)` once one was accepted.
pub fn over_the_air(tuner: &mut dyn Tuner, wait: Duration) -> Result<bool, String> {
    let box_id = stb_app::console::box_id().map_err(|e| e.to_string())?;
    let mut act = stb_app::console::activation().map_err(|e| e.to_string())?;
    let mut reader = CardReader::open(Path::new(DEFAULT_PATH), false).ok();
    if let Some(r) = reader.as_mut() {
        act.card_inserted(r.channel(), now())
            .map_err(|e| format!("activation state: {e}"))?;
    }
    let mut emm = EmmCollector::start(tuner, &box_id).map_err(|e| e.to_string())?;
    let deadline = Instant::now() + wait;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(false);
        }
        let Some(section) = emm.next(tuner, left).map_err(|e| e.to_string())? else {
            return Ok(false);
        };
        let results =
            match act.import_section(&section, now(), reader.as_mut().map(|r| r.channel())) {
                Ok(r) => r,
                Err(e) => {
                    eprintln!("stb-app: a damaged activation section was skipped: {e}");
                    continue;
                }
            };
        for r in results {
            match r {
                Ok(_) => return Ok(true),
                Err(e) => eprintln!("stb-app: the operator's authorisation was refused: {e}"),
            }
        }
    }
}
