//! Names of the languages a channel's sound tracks are in (ISO 639-2 codes of the PMT's ISO_639_language_descriptor,
//! EN 300 468 6.2.19), in the language the screens speak. The languages of China's satellite channels are named;
//! any other shows its code.

use super::model::Lang;

/// (ISO 639-2 codes, bibliographic and terminological) → names in Chinese, Tibetan, English.
const NAMES: &[(&[&str], &str, &str, &str)] = &[
    (&["chi", "zho"], "中文", "རྒྱ་སྐད།", "Chinese"),
    (&["bod", "tib"], "藏语", "བོད་སྐད།", "Tibetan"),
    (&["eng"], "英语", "དབྱིན་སྐད།", "English"),
    (&["uig"], "维吾尔语", "ཡུ་གུར་སྐད།", "Uyghur"),
    (&["mon"], "蒙古语", "སོག་སྐད།", "Mongolian"),
    (&["kaz"], "哈萨克语", "ཧ་སག་སྐད།", "Kazakh"),
    (&["kor"], "朝鲜语", "ཀོ་རེ་ཡའི་སྐད།", "Korean"),
    (&["yue"], "粤语", "ཡུའེ་སྐད།", "Cantonese"),
];

/// The name of the language `code` in `lang`; an unknown or missing code shows as it is (upper case) or as "?".
pub fn language_name(code: Option<&str>, lang: Lang) -> String {
    let Some(code) = code.map(str::trim).filter(|c| !c.is_empty()) else {
        return "?".into();
    };
    let lower = code.to_ascii_lowercase();
    NAMES
        .iter()
        .find(|(codes, ..)| codes.contains(&lower.as_str()))
        .map(|(_, zh, bo, en)| match lang {
            Lang::Zh => *zh,
            Lang::Bo => *bo,
            Lang::En => *en,
        })
        .map(str::to_string)
        .unwrap_or_else(|| code.to_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_codes_are_named_in_the_screens_language_and_others_show_their_code() {
        assert_eq!(language_name(Some("bod"), Lang::Zh), "藏语");
        assert_eq!(language_name(Some("TIB"), Lang::Bo), "བོད་སྐད།");
        assert_eq!(language_name(Some("zho"), Lang::En), "Chinese");
        assert_eq!(language_name(Some("fra"), Lang::Zh), "FRA");
        assert_eq!(language_name(Some(" "), Lang::En), "?");
        assert_eq!(language_name(None, Lang::En), "?");
    }
}
