//! `sky`: builds the emulated satellite sky the patched vidtv plays to the box.
//!
//! ```text
//! sky media    [--sky sky/sky.toml] --out DIR                  encode every service's pictures and sound (cached)
//! sky generate [--sky sky/sky.toml] --media DIR --out DIR [--now UNIX_SECONDS]
//!                                                            multiplex every transponder, write sky.conf
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use sky::definition::Sky;

#[derive(Parser)]
#[command(
    name = "sky",
    about = "The emulated satellite sky for the box's virtual tuner"
)]
struct Cli {
    /// The sky's description.
    #[arg(long, global = true, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/sky.toml"))]
    sky: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Encodes every service's pictures and sound with FFmpeg (only what changed since the last run).
    Media {
        #[arg(long)]
        out: PathBuf,
    },
    /// Multiplexes every transponder from the encodings and writes the files vidtv plays.
    Generate {
        #[arg(long)]
        media: PathBuf,
        #[arg(long)]
        out: PathBuf,
        /// The moment the guide and the authorisations are dated from (default: now).
        #[arg(long)]
        now: Option<i64>,
    },
}

fn run() -> Result<(), String> {
    let cli = Cli::parse();
    let sky = Sky::load(&cli.sky).map_err(|e| e.to_string())?;
    let mut say = |m: &str| eprintln!("sky: {m}");
    match cli.command {
        Command::Media { out } => {
            sky::media::encode_all(&out, &sky.satellites, &mut say).map_err(|e| e.to_string())
        }
        Command::Generate { media, out, now } => {
            let now = match now {
                Some(n) => n,
                None => std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_err(|e| format!("the clock is before 1970: {e}"))?
                    .as_secs() as i64,
            };
            let m = sky::generate(&sky, &media, &out, now, &mut say).map_err(|e| e.to_string())?;
            eprintln!(
                "sky: {} transponders, {} services, {:.1} MB in {}",
                m.transponders.len(),
                m.transponders
                    .iter()
                    .map(|t| t.services.len())
                    .sum::<usize>(),
                m.bytes as f64 / 1e6,
                out.display()
            );
            Ok(())
        }
    }
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sky: {e}");
            ExitCode::from(1)
        }
    }
}
