//! Codec names as the box says them (the channel list's and `stb-app play --json`'s), from the caps of the
//! demultiplexer's pads.

use gstreamer as gst;

/// "mp2", "aac", "ac3", "eac3", "s302m", "mpeg2", "h264", "h265" ...; otherwise the caps' own name.
pub fn codec_name(s: &gst::StructureRef) -> String {
    let name = s.name().as_str();
    let int = |field: &str| s.get::<i32>(field).ok();
    match name {
        "audio/mpeg" => match (int("mpegversion"), int("layer")) {
            (Some(1), Some(3)) => "mp3".into(),
            (Some(1), Some(1)) => "mp1".into(),
            (Some(1), _) => "mp2".into(),
            (Some(2 | 4), _) => "aac".into(),
            _ => name.into(),
        },
        "audio/x-ac3" => "ac3".into(),
        "audio/x-eac3" => "eac3".into(),
        "audio/x-smpte-302m" => "s302m".into(),
        "video/mpeg" => match int("mpegversion") {
            Some(1) => "mpeg1".into(),
            Some(2) => "mpeg2".into(),
            Some(4) => "mpeg4".into(),
            _ => name.into(),
        },
        "video/x-h264" => "h264".into(),
        "video/x-h265" => "h265".into(),
        _ => name.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caps(s: &str) -> gst::Caps {
        gst::init().unwrap();
        s.parse().unwrap()
    }

    #[test]
    fn broadcast_codecs_have_the_channel_lists_names() {
        for (c, want) in [
            ("audio/mpeg, mpegversion=(int)1, layer=(int)2", "mp2"),
            ("audio/mpeg, mpegversion=(int)1", "mp2"),
            (
                "audio/mpeg, mpegversion=(int)4, stream-format=(string)adts",
                "aac",
            ),
            ("audio/x-ac3", "ac3"),
            ("audio/x-smpte-302m", "s302m"),
            (
                "video/mpeg, mpegversion=(int)2, systemstream=(boolean)false",
                "mpeg2",
            ),
            ("video/x-h264, stream-format=(string)byte-stream", "h264"),
            ("audio/x-dts", "audio/x-dts"),
        ] {
            let caps = caps(c);
            assert_eq!(codec_name(caps.structure(0).unwrap()), want, "{c}");
        }
    }
}
