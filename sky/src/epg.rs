//! The programme guide the sky broadcasts: a made-up but plausible week of programmes per service, the same for
//! the same service and day whenever the sky is generated. Chinese titles and descriptions; Tibetan for the
//! Tibetan-language service.

use crate::definition::Service;

/// One programme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Programme {
    /// Unique per service and week (EIT event_id).
    pub event_id: u16,
    /// Unix seconds, UTC.
    pub start: i64,
    pub duration: u32,
    pub title: String,
    pub text: String,
    /// EN 300 468 content_nibble_level_1 and _2 as one byte.
    pub genre: u8,
}

/// (title, description, genre) per guide kind.
fn titles(kind: &str) -> &'static [(&'static str, &'static str, u8)] {
    match kind {
        "drama" => &[
            (
                "电视剧：山海情",
                "讲述西海固移民吊庄、建设家园的故事。",
                0x10,
            ),
            ("电视剧：人世间", "周家三兄妹五十年的生活变迁。", 0x10),
            ("动物世界", "走进草原与高原的野生动物。", 0x90),
            ("今日说法", "以案说法，普及法律知识。", 0x20),
            ("生活圈", "身边的实用生活资讯。", 0xA0),
        ],
        "kids" => &[
            ("动画城", "精选国产动画片。", 0x50),
            ("智慧树", "学龄前儿童的益智节目。", 0x50),
            ("大风车", "少儿综合节目。", 0x50),
            ("第一动画乐园", "经典动画连播。", 0x50),
        ],
        "sport" => &[
            ("体育新闻", "国内外体育赛事消息。", 0x40),
            ("足球之夜", "中超联赛精彩回顾。", 0x40),
            ("篮球公园", "CBA与NBA赛事集锦。", 0x40),
            ("全民健身", "适合在家锻炼的健身方法。", 0x40),
        ],
        "music" => &[
            ("音乐之声", "流行与经典歌曲。", 0x60),
            ("民歌中国", "各地民歌欣赏。", 0x60),
            ("经典老歌", "怀旧金曲。", 0x60),
        ],
        "education" => &[
            ("农业科技", "种植养殖实用技术讲座。", 0x90),
            ("空中课堂", "中小学同步课程。", 0x90),
            ("健康之路", "常见疾病的预防与保健。", 0x90),
            ("致富经", "乡村创业致富的经验。", 0x90),
        ],
        "tibetan" => &[
            ("གསར་འགྱུར།", "ཉིན་རེའི་གསར་འགྱུར་གལ་ཆེན།", 0x20),
            ("གླུ་གཞས།", "བོད་ཀྱི་གླུ་གཞས་སྣ་ཚོགས།", 0x60),
            ("བརྙན་འཁོར།", "བོད་སྐད་ཀྱི་བརྙན་འཁོར།", 0x10),
            ("ཤེས་ཡོན།", "ཞིང་ལས་དང་འཕྲོད་བསྟེན་གྱི་ཤེས་བྱ།", 0x90),
        ],
        _ => &[
            ("新闻联播", "国内外重要新闻。", 0x20),
            ("朝闻天下", "早间新闻资讯。", 0x20),
            ("焦点访谈", "聚焦社会热点。", 0x20),
            ("新闻直播间", "滚动播出最新消息。", 0x20),
            ("天气预报", "全国主要城市天气。", 0x20),
            ("经济半小时", "经济领域的热点与分析。", 0x20),
        ],
    }
}

/// Programme lengths in minutes, cycled: a guide with short and long programmes, as real ones have.
const MINUTES: [u32; 7] = [30, 60, 45, 90, 30, 60, 45];

/// The programmes of `service` from `day0` (Unix seconds, a UTC midnight) for `days` days, back to back.
pub fn programmes(service: &Service, day0: i64, days: u32) -> Vec<Programme> {
    let list = titles(&service.guide);
    let end = day0 + i64::from(days) * 86_400;
    // Each service starts its cycles elsewhere, so channels differ at the same hour.
    let seed = usize::from(service.id);
    let mut t = day0;
    let mut out = Vec::new();
    let mut k = 0usize;
    while t < end {
        let minutes = MINUTES[(k + seed) % MINUTES.len()];
        let (title, text, genre) = list[(k + seed / 3) % list.len()];
        let duration = (minutes * 60).min((end - t) as u32);
        out.push(Programme {
            event_id: (k as u16).wrapping_add(1),
            start: t,
            duration,
            title: title.to_string(),
            text: text.to_string(),
            genre,
        });
        t += i64::from(duration);
        k += 1;
    }
    out
}

/// The programme on air at `now` and the one after it.
pub fn present_following(list: &[Programme], now: i64) -> (Option<&Programme>, Option<&Programme>) {
    let i = list
        .iter()
        .position(|p| p.start <= now && now < p.start + i64::from(p.duration));
    match i {
        Some(i) => (list.get(i), list.get(i + 1)),
        None => (None, list.iter().find(|p| p.start > now)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::definition::Audio;

    fn service(id: u16, guide: &str) -> Service {
        Service {
            id,
            name: "n".into(),
            provider: "p".into(),
            charset: "gb2312".into(),
            lcn: 1,
            label: "L".into(),
            colour: None,
            video: Some("mpeg2-sd".into()),
            aspect: "16:9".into(),
            audio: vec![Audio {
                codec: "mp2".into(),
                language: "chi".into(),
                tone_hz: 400,
            }],
            scrambled: false,
            guide: guide.into(),
        }
    }

    #[test]
    fn a_week_back_to_back_with_unique_ids() {
        let day0 = 1_764_720_000; // 2025-12-03 00:00 UTC
        let p = programmes(&service(101, "news"), day0, 8);
        assert_eq!(p[0].start, day0);
        for w in p.windows(2) {
            assert_eq!(w[0].start + i64::from(w[0].duration), w[1].start);
        }
        let last = p.last().unwrap();
        assert_eq!(last.start + i64::from(last.duration), day0 + 8 * 86_400);
        let mut ids: Vec<u16> = p.iter().map(|x| x.event_id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), p.len());
        assert_ne!(
            programmes(&service(102, "news"), day0, 1)[0].title,
            p[0].title,
            "channels differ at the same hour"
        );
    }

    #[test]
    fn now_and_next() {
        let p = programmes(&service(7, "kids"), 0, 1);
        let (now, next) = present_following(&p, 100);
        assert_eq!(now.unwrap().start, 0);
        assert_eq!(next.unwrap().start, p[1].start);
        let (now, next) = present_following(&p, p[1].start);
        assert_eq!(now.unwrap().event_id, p[1].event_id);
        assert_eq!(next.unwrap().event_id, p[2].event_id);
        assert_eq!(present_following(&p, 86_400), (None, None));
    }
}
