//! Pictures and sound of each service, encoded by Debian's FFmpeg from generated sources (no recorded media):
//! a coloured picture with the channel number, the service's label and a running clock; a sine of the service's
//! own pitch on each audio track; a white square and a 3 kHz beep at the same instants for lip-sync checks.
//! Encodings are cached: a service is encoded again only when its command line or the FFmpeg version changes.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::definition::{Audio, Satellite, Service, BEEP_HZ, LOOP_SECONDS, SYNC_MARKS_S};

/// The timestamp FFmpeg gives the source's instant 0 (`-output_ts_offset 1`): every packet, audio encoder
/// priming included, then has a positive time stamp.
pub const SOURCE_ZERO_90K: u64 = 90_000;

/// The picture's background when the service names no colour.
pub const DEFAULT_COLOUR: u32 = 0x203040;

/// The font FFmpeg draws the labels with (Debian's fonts-dejavu-core).
pub const FONT: &str = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf";

#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    #[error("ffmpeg is missing (install Debian's ffmpeg package: images/host-deps does): {0}")]
    NoFfmpeg(std::io::Error),
    #[error("the label font {FONT} is missing (Debian's fonts-dejavu-core)")]
    NoFont,
    #[error("ffmpeg failed on {service}: {stderr}")]
    Ffmpeg { service: String, stderr: String },
    #[error("{0}: {1}")]
    Io(String, std::io::Error),
}

/// The cached encoding of one service: an MPEG-TS file with its video (if any) and audio tracks, in that order.
pub fn media_path(dir: &Path, sat: &Satellite, s: &Service) -> PathBuf {
    dir.join(format!("{:04x}-{:04x}.ts", sat.original_network_id, s.id))
}

/// The audio source of a track: its sine, and the beep at every sync mark.
fn audio_expr(a: &Audio) -> String {
    let marks: Vec<String> = SYNC_MARKS_S
        .iter()
        .map(|m| format!("between(t\\,{m}\\,{m}.04)"))
        .collect();
    let one = format!(
        "0.25*sin(2*PI*{}*t)+0.5*sin(2*PI*{BEEP_HZ}*t)*({})",
        a.tone_hz,
        marks.join("+")
    );
    format!(
        "aevalsrc=exprs={one}|{one}:s=48000:d={:.2}",
        LOOP_SECONDS + 0.5
    )
}

/// The picture: the channel number large, the label below, the clock at the top left and the sync square at the
/// top right at every sync mark.
fn video_filter(s: &Service, number: u16) -> (String, u32) {
    let (w, h) = match s.video.as_deref() {
        Some("h264-hd") => (1920, 1080),
        _ => (720, 576),
    };
    let scale = h / 576;
    let colour = s.colour.unwrap_or(DEFAULT_COLOUR);
    // Inside the quoted enable expression commas need no escaping. The frame is picked by its number (25 a
    // second): a time window of one frame's length misses it when the frame's time rounds to just below the mark.
    // (In drawbox `w` is the box's width; the picture's is `iw`.)
    let marks: Vec<String> = SYNC_MARKS_S
        .iter()
        .map(|m| format!("eq(n,{})", m * 25))
        .collect();
    let label = s.label.replace(['\'', ':', '\\', '%'], " ");
    let f = format!(
        "color=c=0x{colour:06x}:s={w}x{h}:r=25:d={LOOP_SECONDS:.2},format=yuv420p,\
         drawtext=fontfile={FONT}:text='{number}':fontsize={}:fontcolor=white:x=(w-tw)/2:y=(h-th)/2-{},\
         drawtext=fontfile={FONT}:text='{label}':fontsize={}:fontcolor=white:x=(w-tw)/2:y=h-{},\
         drawtext=fontfile={FONT}:text='%{{pts\\:hms}}':fontsize={}:fontcolor=yellow:x={}:y={},\
         drawbox=x=iw-{}:y={}:w={}:h={}:color=white:t=fill:enable='{}'",
        240 * scale,
        60 * scale,
        56 * scale,
        170 * scale,
        40 * scale,
        40 * scale,
        40 * scale,
        140 * scale,
        20 * scale,
        120 * scale,
        120 * scale,
        marks.join("+")
    );
    (f, scale)
}

/// FFmpeg's arguments for one service (`-y` and the output path last).
fn ffmpeg_args(s: &Service, out: &Path) -> Vec<String> {
    let mut a: Vec<String> = ["-hide_banner", "-loglevel", "error", "-nostdin"]
        .map(String::from)
        .to_vec();
    let mut maps = Vec::new();
    let mut input = 0;
    if s.video.is_some() {
        let (f, _) = video_filter(s, s.lcn);
        a.extend(["-f".into(), "lavfi".into(), "-i".into(), f]);
        maps.push(format!("{input}:v"));
        input += 1;
    }
    for t in &s.audio {
        a.extend(["-f".into(), "lavfi".into(), "-i".into(), audio_expr(t)]);
        maps.push(format!("{input}:a"));
        input += 1;
    }
    for m in maps {
        a.extend(["-map".into(), m]);
    }
    match s.video.as_deref() {
        Some("mpeg2-sd") => a.extend(
            "-c:v mpeg2video -b:v 1200k -maxrate 1800k -bufsize 1835k -g 12 -bf 2 -flags +cgop -sc_threshold 1000000000"
                .split(' ')
                .map(String::from),
        ),
        Some(v) => {
            let (rate, max, level) = if v == "h264-hd" {
                ("2000k", "3000k", "4.0")
            } else {
                ("600k", "900k", "3.0")
            };
            a.extend(
                format!(
                    "-c:v libx264 -preset veryfast -profile:v main -level {level} -b:v {rate} -maxrate {max} \
                     -bufsize {max} -g 24 -keyint_min 24 -sc_threshold 0 -bf 2 -x264-params open-gop=0"
                )
                .split_whitespace()
                .map(String::from),
            )
        }
        None => {}
    }
    if s.video.is_some() {
        a.extend(["-aspect".into(), s.aspect.clone()]);
    }
    for (i, t) in s.audio.iter().enumerate() {
        let (codec, rate) = match t.codec.as_str() {
            "ac3" => ("ac3", "192k"),
            "aac" => ("aac", "128k"),
            _ => ("mp2", "192k"),
        };
        a.extend([
            format!("-c:a:{i}"),
            codec.into(),
            format!("-b:a:{i}"),
            rate.into(),
        ]);
    }
    a.extend(
        "-ac 2 -ar 48000 -copyts -output_ts_offset 1 -f mpegts -pes_payload_size 0 -muxdelay 0 -muxpreload 0 -y"
            .split(' ')
            .map(String::from),
    );
    a.push(out.display().to_string());
    a
}

fn ffmpeg_version() -> Result<String, MediaError> {
    let out = Command::new("ffmpeg")
        .arg("-version")
        .output()
        .map_err(MediaError::NoFfmpeg)?;
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .next()
        .unwrap_or("")
        .to_string())
}

/// Encodes every service of `sats` into `dir` unless the cache already holds the same encoding. Reports each
/// service it encodes through `progress`.
pub fn encode_all(
    dir: &Path,
    sats: &[Satellite],
    progress: &mut dyn FnMut(&str),
) -> Result<(), MediaError> {
    std::fs::create_dir_all(dir).map_err(|e| MediaError::Io(dir.display().to_string(), e))?;
    let version = ffmpeg_version()?;
    if !Path::new(FONT).exists() {
        return Err(MediaError::NoFont);
    }
    for sat in sats {
        for tp in &sat.transponders {
            for s in &tp.services {
                let out = media_path(dir, sat, s);
                let tmp = out.with_extension("ts.tmp");
                let args = ffmpeg_args(s, &tmp);
                let key = format!("{version}\n{}\n", args.join("\n"));
                let key_file = out.with_extension("cmd");
                if out.exists() && std::fs::read_to_string(&key_file).ok().as_deref() == Some(&key)
                {
                    continue;
                }
                progress(&format!("encoding {} ({})", s.label, sat.name));
                let run = Command::new("ffmpeg")
                    .args(&args)
                    .output()
                    .map_err(MediaError::NoFfmpeg)?;
                if !run.status.success() {
                    return Err(MediaError::Ffmpeg {
                        service: s.label.clone(),
                        stderr: String::from_utf8_lossy(&run.stderr).trim().to_string(),
                    });
                }
                std::fs::rename(&tmp, &out)
                    .map_err(|e| MediaError::Io(out.display().to_string(), e))?;
                std::fs::write(&key_file, key)
                    .map_err(|e| MediaError::Io(key_file.display().to_string(), e))?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::definition::Audio;

    fn radio() -> Service {
        Service {
            id: 1,
            name: "x".into(),
            provider: "p".into(),
            charset: "gb2312".into(),
            lcn: 201,
            label: "CNR: 1".into(),
            colour: None,
            video: None,
            aspect: "16:9".into(),
            audio: vec![Audio {
                codec: "aac".into(),
                language: "chi".into(),
                tone_hz: 1500,
            }],
            scrambled: false,
            guide: "news".into(),
        }
    }

    #[test]
    fn every_sync_mark_beeps_and_the_source_outlasts_the_loop() {
        let e = audio_expr(&radio().audio[0]);
        for m in SYNC_MARKS_S {
            assert!(e.contains(&format!("between(t\\,{m}\\,{m}.04)")), "{e}");
        }
        assert!(e.contains("sin(2*PI*1500*t)") && e.contains(&format!("{BEEP_HZ}*t")));
        assert!(e.ends_with(":d=11.06"), "{e}");
    }

    #[test]
    fn a_radio_service_has_no_video_and_its_codec() {
        let a = ffmpeg_args(&radio(), Path::new("/tmp/x.ts"));
        assert!(!a
            .iter()
            .any(|x| x.contains("-c:v") || x.starts_with("color=")));
        let i = a.iter().position(|x| x == "-c:a:0").unwrap();
        assert_eq!(a[i + 1], "aac");
        assert_eq!(a.last().unwrap(), "/tmp/x.ts");
    }

    #[test]
    fn labels_cannot_break_the_filter_graph() {
        let mut s = radio();
        s.video = Some("mpeg2-sd".into());
        s.label = "A:'b'\\%".into();
        let (f, scale) = video_filter(&s, 7);
        assert_eq!(scale, 1);
        assert!(f.contains("text='A  b   '"), "{f}");
        assert!(f.contains("text='7'"));
    }
}
