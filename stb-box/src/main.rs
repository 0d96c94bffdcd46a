//! `stb-box`: the box's main program (`stb-app ui`) and the screens drawn to PNG files (`stb-app render`).
//! `stb-app` runs it for those two commands; init starts it through `stb-app ui`.

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "stb-app",
    bin_name = "stb-app",
    version,
    about = "户户通 set-top box: the screens (ui) and their pictures (render)"
)]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Render a screen of the UI to a PNG file (headless), or list the screens.
    Render(stb_box::render_cmd::RenderArgs),
    /// The box's screens on the framebuffer, driven by the remote (the box's main program).
    Ui(stb_box::program::UiArgs),
}

fn main() {
    let args = Args::parse();
    let result = match &args.command {
        Command::Render(a) => stb_box::render_cmd::run(a),
        Command::Ui(a) => stb_box::program::run(a),
    };
    match result {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!("stb-app: {e}");
            std::process::exit(e.code);
        }
    }
}
