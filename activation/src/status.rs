//! What the box shows: its activation state, the code installers know, and one sentence in
//! Chinese, Tibetan and English that tells the household what to do.

use serde::Serialize;

/// Activation state of the box, as shown on screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Authorised, paired and at its registered place.
    Activated,
    /// A recognised card, no authorisation yet ("加密卡未开卡").
    NotActivated,
    /// E01: no card in the reader.
    NoCard,
    /// E02: the card does not answer as an activation card.
    CardNotRecognised,
    /// E04: the authorisation expired or was lost.
    AuthorisationLost,
    /// E06: the card is not (yet) authorised.
    CardNotAuthorised,
    /// E11: the card failed its authentication.
    CardSecurity,
    /// E14: this card belongs to another box, or this box to another card.
    CardBoxMismatch,
    /// The box is away from its registered place ("位置信息改变").
    PositionChanged,
}

/// Languages of the on-screen text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    Bo,
    En,
}

impl Lang {
    /// From a locale such as `zh_CN.UTF-8`, `bo_CN`, `en_US`; Chinese by default.
    pub fn from_locale(locale: &str) -> Lang {
        let l = locale.to_ascii_lowercase();
        if l.starts_with("bo") {
            Lang::Bo
        } else if l.starts_with("en") {
            Lang::En
        } else {
            Lang::Zh
        }
    }
}

impl Status {
    pub const ALL: [Status; 9] = [
        Status::Activated,
        Status::NotActivated,
        Status::NoCard,
        Status::CardNotRecognised,
        Status::AuthorisationLost,
        Status::CardNotAuthorised,
        Status::CardSecurity,
        Status::CardBoxMismatch,
        Status::PositionChanged,
    ];

    /// The code installers know, `None` for states that are not faults.
    pub fn code(self) -> Option<&'static str> {
        match self {
            Status::NoCard => Some("E01"),
            Status::CardNotRecognised => Some("E02"),
            Status::AuthorisationLost => Some("E04"),
            Status::CardNotAuthorised => Some("E06"),
            Status::CardSecurity => Some("E11"),
            Status::CardBoxMismatch => Some("E14"),
            Status::Activated | Status::NotActivated | Status::PositionChanged => None,
        }
    }

    /// Whether programmes may be shown.
    pub fn can_watch(self) -> bool {
        self == Status::Activated
    }

    /// One sentence that says what happened and what to do.
    pub fn message(self, lang: Lang) -> &'static str {
        use Lang::*;
        use Status::*;
        match (self, lang) {
            (Activated, Zh) => "安装成功，已激活，可以正常收看。",
            (Activated, Bo) => "སྒུལ་སློང་ལེགས་གྲུབ་བྱུང་། བརྙན་འཕྲིན་ལ་ལྟ་ཆོག",
            (Activated, En) => "Activated: you can watch.",
            (NotActivated, Zh) => "加密卡未开卡：请联系安装人员扫描屏幕上的二维码办理开通。",
            (NotActivated, Bo) => "ཁཱ་ཌ་སྒུལ་སློང་བྱས་མེད། སྒྲིག་སྦྱོར་བ་ལ་འབྲེལ་བ་གནང་རོགས།",
            (NotActivated, En) => "Card not activated yet: ask your installer to scan the QR code on screen.",
            (NoCard, Zh) => "E01 未插卡：请插入智能卡。",
            (NoCard, Bo) => "E01 ཁཱ་ཌ་མེད། ཁཱ་ཌ་བཙུད་རོགས།",
            (NoCard, En) => "E01 No card: please insert the smart card.",
            (CardNotRecognised, Zh) => "E02 无法识别智能卡：请拔出后重新插入，仍不行请联系安装人员。",
            (CardNotRecognised, Bo) => "E02 ཁཱ་ཌ་ངོས་འཛིན་བྱེད་མ་ཐུབ། ཁཱ་ཌ་ཕྱིར་བཏོན་ནས་ཡང་བསྐྱར་བཙུད་རོགས།",
            (CardNotRecognised, En) => "E02 Card not recognised: take it out and insert it again; if it persists, call your installer.",
            (AuthorisationLost, Zh) => "E04 授权已失效：请保持开机收看，等待授权恢复；如未恢复请联系安装人员。",
            (AuthorisationLost, Bo) => "E04 ཆོག་མཆན་བརླག་སོང་། སྒམ་ཆུང་གི་གློག་ཁ་ཕྱེ་ནས་སྒུག་རོགས། ཡང་ན་སྒྲིག་སྦྱོར་བ་ལ་འབྲེལ་བ་གནང་རོགས།",
            (AuthorisationLost, En) => "E04 Authorisation lost: leave the box on and wait; if it does not return, call your installer.",
            (CardNotAuthorised, Zh) => "E06 智能卡未授权：请联系安装人员办理授权。",
            (CardNotAuthorised, Bo) => "E06 ཁཱ་ཌ་ལ་ཆོག་མཆན་མེད། སྒྲིག་སྦྱོར་བ་ལ་འབྲེལ་བ་གནང་རོགས།",
            (CardNotAuthorised, En) => "E06 Card not authorised: call your installer to have it authorised.",
            (CardSecurity, Zh) => "E11 智能卡安全异常：请联系安装人员更换智能卡。",
            (CardSecurity, Bo) => "E11 ཁཱ་ཌ་ལ་བདེ་འཇགས་ཀྱི་དཀའ་ངལ་འདུག སྒྲིག་སྦྱོར་བ་ལ་འབྲེལ་བ་གནང་རོགས།",
            (CardSecurity, En) => "E11 Card security problem: call your installer to replace the card.",
            (CardBoxMismatch, Zh) => "E14 机卡不匹配：请插入本机配对的智能卡，或联系安装人员重新配对。",
            (CardBoxMismatch, Bo) => "E14 ཁཱ་ཌ་དང་སྒམ་ཆུང་གཉིས་མི་མཐུན། རང་གི་ཁཱ་ཌ་བཙུད་རོགས།",
            (CardBoxMismatch, En) => "E14 Card and box do not match: insert this box's own card, or call your installer.",
            (PositionChanged, Zh) => "位置信息改变：请将机顶盒放回登记地址，或联系安装人员办理迁移。",
            (PositionChanged, Bo) => "གནས་ཡུལ་འགྱུར་འདུག སྒམ་ཆུང་ཐོ་འགོད་བྱས་པའི་ས་གནས་སུ་སླར་འཁྱེར་རོགས།",
            (PositionChanged, En) => "Position changed: take the box back to its registered address, or call your installer to register the move.",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_speaks_three_languages() {
        for s in Status::ALL {
            for l in [Lang::Zh, Lang::Bo, Lang::En] {
                let m = s.message(l);
                if let Some(code) = s.code() {
                    assert!(m.starts_with(code), "{s:?} {l:?}");
                }
            }
            // Tibetan text is in the Tibetan block, Chinese in CJK.
            assert!(s
                .message(Lang::Bo)
                .chars()
                .any(|c| ('\u{0F00}'..='\u{0FFF}').contains(&c)));
            assert!(s
                .message(Lang::Zh)
                .chars()
                .any(|c| ('\u{4E00}'..='\u{9FFF}').contains(&c)));
        }
        assert_eq!(Lang::from_locale("bo_CN.UTF-8"), Lang::Bo);
        assert_eq!(Lang::from_locale("en_GB"), Lang::En);
        assert_eq!(Lang::from_locale("zh_CN.UTF-8"), Lang::Zh);
    }
}
