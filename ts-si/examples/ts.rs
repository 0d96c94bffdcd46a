//! `cargo run --example ts -- analyze FILE.ts [--json]`: the same command stb-app mounts.
use clap::Parser;

#[derive(Parser)]
struct Args {
    #[command(subcommand)]
    cmd: ts_si::cli::TsCommand,
}

fn main() {
    let a = Args::parse();
    let stdout = std::io::stdout();
    if let Err(e) = ts_si::cli::run(&a.cmd, &mut stdout.lock()) {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
