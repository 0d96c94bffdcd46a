//! `stb-play`: the box's player program (`stb-app play` runs it). See the library's documentation.

use clap::Parser;

fn main() {
    let args = stb_play::play::PlayArgs::parse();
    match stb_play::play::run(&args) {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!("stb-app: {e}");
            std::process::exit(e.code);
        }
    }
}
