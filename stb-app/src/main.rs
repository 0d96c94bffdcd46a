//! `stb-app`: the technician's commands on the box's console (the tuner, scans, the channel list, the card and
//! activation, transport-stream files). `stb-app ui` and `stb-app render` run the box's main program, `stb-box`,
//! which carries the screens and their libraries, so that these commands start without them.

mod cli;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "stb-app",
    version,
    about = "户户通 set-top box: tuner, signal and tables from the console"
)]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// The tuner (frontend) and what it can do.
    Frontend {
        #[command(subcommand)]
        what: FrontendCommand,
    },
    /// Tune a transponder and report lock and the time it took.
    Tune(cli::tune::TuneArgs),
    /// Lock flags and signal statistics (DVBv5) of the frontend as tuned now.
    Status {
        /// Keep printing until interrupted.
        #[arg(long)]
        watch: bool,
        #[arg(long)]
        json: bool,
        /// Milliseconds between readings with --watch.
        #[arg(long, default_value_t = 500)]
        interval: u64,
        #[arg(long, default_value_t = 0)]
        adapter: u32,
    },
    /// Read sections through a demux section filter.
    Sections(cli::sections::SectionsArgs),
    /// Scan a satellite for services and keep them in the channel list.
    Scan(cli::scan::ScanArgs),
    /// The channel list: show, export or import.
    Channels(cli::scan::ChannelsArgs),
    /// The smart card in the reader.
    Card {
        #[command(subcommand)]
        what: CardCommand,
    },
    /// The box's activation: state, and authorisations from a file.
    Activation {
        #[command(subcommand)]
        what: ActivationCommand,
    },
    /// Analyse a transport-stream file: services, tables, errors (`ts analyze`) or every EIT event (`ts epg`).
    Ts {
        #[command(subcommand)]
        what: ts_si::cli::TsCommand,
    },
    /// Print what each remote key does (checks a remote or a key-map file).
    Remote(cli::remote::RemoteArgs),
    /// Record the transport stream (all of it or some PIDs) from dvr0 into a file.
    Capture(cli::capture::CaptureArgs),
    /// Render a screen of the UI to a PNG file (headless), or list the screens (`stb-app render --help` for more).
    #[command(disable_help_flag = true)]
    Render {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Play a stored channel's sound (and decode its pictures) without the screens: `stb-app play --channel N
    /// [--seconds S] [--json]` (the player, `stb-play`, from the box's media disk; `stb-app play --help`).
    #[command(disable_help_flag = true)]
    Play {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// The box's screens on the framebuffer, driven by the remote: the box's main program (`stb-app ui --help`).
    #[command(disable_help_flag = true)]
    Ui {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
}

#[derive(Subcommand)]
enum CardCommand {
    /// The answer-to-reset decoded and the card number.
    Info {
        #[command(flatten)]
        reader: cli::card::ReaderArgs,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum ActivationCommand {
    /// Activation state, card, position and the activation request.
    Status {
        #[command(flatten)]
        reader: cli::card::ReaderArgs,
        #[arg(long)]
        json: bool,
    },
    /// Wait for this box's authorisation over the air (CAT, then the activation PID). With --freq, --pol and
    /// --sr the transponder is tuned first; without them the tuner stays where it is.
    Listen(cli::card::ListenArgs),
    /// Follow the positioning module and apply the position lock.
    Watch(cli::card::WatchArgs),
    /// Import a signed authorisation from a file (e.g. a USB stick).
    Import {
        file: std::path::PathBuf,
        #[command(flatten)]
        reader: cli::card::ReaderArgs,
    },
}

#[derive(Subcommand)]
enum FrontendCommand {
    /// Name, delivery systems, frequency range and capabilities.
    Info {
        #[arg(long)]
        json: bool,
        #[arg(long, default_value_t = 0)]
        adapter: u32,
    },
}

fn main() {
    let args = Args::parse();
    let result = match &args.command {
        Command::Frontend {
            what: FrontendCommand::Info { json, adapter },
        } => cli::frontend::info(*adapter, *json),
        Command::Tune(a) => cli::tune::run(a),
        Command::Status {
            watch,
            json,
            interval,
            adapter,
        } => cli::status::run(*adapter, *watch, *json, *interval),
        Command::Sections(a) => cli::sections::run(a),
        Command::Capture(a) => cli::capture::run(a),
        Command::Card {
            what: CardCommand::Info { reader, json },
        } => cli::card::info(reader, *json),
        Command::Activation {
            what: ActivationCommand::Status { reader, json },
        } => cli::card::status(reader, *json),
        Command::Activation {
            what: ActivationCommand::Import { file, reader },
        } => cli::card::import(reader, file),
        Command::Activation {
            what: ActivationCommand::Watch(a),
        } => cli::card::watch(a),
        Command::Activation {
            what: ActivationCommand::Listen(a),
        } => cli::card::listen(a),
        Command::Scan(a) => cli::scan::run(a),
        Command::Remote(a) => cli::remote::run(a),
        Command::Render { args } => cli::run_box_program("render", args),
        Command::Ui { args } => cli::run_box_program("ui", args),
        Command::Play { args } => cli::run_program("stb-play", None, args),
        Command::Ts { what } => {
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            ts_si::cli::run(what, &mut out)
                .map(|()| 0)
                .or_else(|e| match e {
                    // The reader went away (`| head`): not an error worth a message.
                    ts_si::cli::CliError::Write(ref io)
                        if io.kind() == std::io::ErrorKind::BrokenPipe =>
                    {
                        Ok(0)
                    }
                    e => Err(e),
                })
                .map_err(|e| match e {
                    ts_si::cli::CliError::Read { .. }
                    | ts_si::cli::CliError::NotTransportStream { .. } => {
                        cli::CliError::usage(e.to_string())
                    }
                    _ => cli::CliError::failed(e.to_string()),
                })
        }
        Command::Channels(a) => cli::scan::channels(a),
    };
    match result {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!("stb-app: {e}");
            std::process::exit(e.code);
        }
    }
}
