//! `stb-app render`: any screen, in any language, to a PNG file, headless (the software renderer, the pinned
//! fonts), for reviewers, translators and the golden-image tests.

use std::path::PathBuf;
use std::time::Instant;

use crate::shell;
use stb_app::ui::model::{self, Screen};

use stb_app::console::CliError;

/// `--size WIDTHxHEIGHT` of `stb-app render` and `stb-app ui --window`.
pub fn screen_size(s: &str) -> Result<slint::PhysicalSize, String> {
    shell::parse_size(s).ok_or_else(|| format!("bad size '{s}': WIDTHxHEIGHT, e.g. 1280x720"))
}

#[derive(clap::Args, Debug)]
pub struct RenderArgs {
    /// Name of the screen (see --list).
    #[arg(long, required_unless_present = "list")]
    pub screen: Option<String>,
    /// zh, bo or en.
    #[arg(long, default_value = "zh")]
    pub lang: String,
    #[arg(long, required_unless_present_any = ["list", "bench"])]
    pub out: Option<PathBuf>,
    /// Width x height in pixels (1280x720 and 720x576 are the screens' designed sizes).
    #[arg(long, default_value = "1280x720", value_parser = screen_size)]
    pub size: slint::PhysicalSize,
    /// Name the screens.
    #[arg(long)]
    pub list: bool,
    /// Show this channel database (as the box would right after installation) instead of the sample channels.
    #[arg(long)]
    pub db: Option<PathBuf>,
    /// Render the screen this many times and print the time of a full frame (benchmark).
    #[arg(long)]
    pub bench: Option<u32>,
}

pub fn run(args: &RenderArgs) -> Result<i32, CliError> {
    if args.list {
        for s in Screen::ALL {
            println!("{}", s.name());
        }
        return Ok(0);
    }
    let name = args.screen.as_deref().unwrap_or_default();
    let screen = Screen::from_name(name).ok_or_else(|| {
        CliError::usage(format!(
            "unknown screen '{name}': `stb-app render --list` names them"
        ))
    })?;
    let lang = model::lang_from_code(&args.lang).ok_or_else(|| {
        CliError::usage(format!("unknown language '{}': zh, bo or en", args.lang))
    })?;
    let size = args.size;
    let start = Instant::now();
    let frame = match &args.db {
        Some(db) => {
            let channels = stb_app::channels::ChannelDb::open(db)
                .and_then(|d| d.channels())
                .map_err(|e| CliError::usage(e.to_string()))?;
            shell::render_installed(screen, lang, size, channels)
        }
        None => shell::render_sample(screen, lang, size),
    }
    .map_err(|e| CliError::failed(format!("cannot render: {e}")))?;
    let first = start.elapsed();
    if let Some(n) = args.bench {
        let s =
            shell::open(size, None).map_err(|e| CliError::failed(format!("cannot render: {e}")))?;
        let now = Instant::now();
        let ui = stb_app::ui::samples::ui(screen, lang, now);
        s.show(&ui, now);
        let window = s
            .window
            .as_deref()
            .ok_or_else(|| CliError::failed("no window to time"))?;
        let mut times = crate::render::time_full_frames(window, n.max(1) as usize);
        times.sort_by(f64::total_cmp);
        let median = times[times.len() / 2];
        println!(
            "{{\"screen\":\"{}\",\"lang\":\"{}\",\"size\":\"{}x{}\",\"first_frame_ms\":{:.1},\"frames\":{},\"median_ms\":{:.3},\"min_ms\":{:.3}}}",
            screen.name(),
            args.lang,
            size.width,
            size.height,
            first.as_secs_f64() * 1000.0,
            times.len(),
            median,
            times[0]
        );
    }
    if let Some(out) = &args.out {
        frame
            .save_png(out)
            .map_err(|e| CliError::failed(e.to_string()))?;
    }
    Ok(0)
}
