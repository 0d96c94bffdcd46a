//! `stb-play`: the box's player program (`stb-app play` runs it). See the library's documentation.

use clap::Parser;

fn main() {
    // GStreamer's streaming threads (demux, two decoders, sinks) would each get a malloc arena of their own, which
    // keeps freed frames resident; two arenas hold the player's memory near what it uses (issue 12: ≤ 96 MB HD).
    // SAFETY: mallopt(3) sets a number in glibc's allocator before any thread is started.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
    let args = stb_play::play::PlayArgs::parse();
    match stb_play::play::run(&args) {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!("stb-app: {e}");
            std::process::exit(e.code);
        }
    }
}
