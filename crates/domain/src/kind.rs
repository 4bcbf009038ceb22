//! The kind of inspection (检查类别): a closed list of four, read from the wording of imported
//! text; it decides the wording of the reports.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The kind of inspection (检查类别) whose findings a ledger rectifies; it decides the wording
/// of the reports (巡察整改 / 审计整改 …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum InspectionKind {
    /// 巡视: by the Central Committee or a provincial committee.
    Xunshi,
    /// 巡察: by a city or county committee, or an institution over its own sub-units.
    #[default]
    Xuncha,
    /// 审计: the state audit track (审计机关 → 被审计单位).
    Audit,
    /// 专项检查: special checks such as the 双随机、一公开 spot checks.
    SpotCheck,
}

/// Text that names none of the four kinds.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("未知的检查类别「{0}」，应为 巡视、巡察、审计 或 专项检查")]
pub struct UnknownInspectionKind(pub String);

impl InspectionKind {
    pub const ALL: [InspectionKind; 4] =
        [InspectionKind::Xunshi, InspectionKind::Xuncha, InspectionKind::Audit, InspectionKind::SpotCheck];

    /// The Chinese name, which is also the stored and the JSON form.
    pub fn as_str(self) -> &'static str {
        match self {
            InspectionKind::Xunshi => "巡视",
            InspectionKind::Xuncha => "巡察",
            InspectionKind::Audit => "审计",
            InspectionKind::SpotCheck => "专项检查",
        }
    }

    /// Reads the kind from imported text: the four names, and the longer forms reports use
    /// (常规巡察, 专项巡视, 经济责任审计, 双随机、一公开检查 …). Blank text is no kind (`None`
    /// inside `Ok`); anything else is an error that names the four kinds.
    pub fn parse_text(text: &str) -> Result<Option<Self>, UnknownInspectionKind> {
        let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        if t.is_empty() {
            return Ok(None);
        }
        // 巡视 before 巡察: "巡视巡察" (a combined office's wording) reads as the higher level.
        // Traditional characters too, as the report reader accepts them.
        let has = |words: &[&str]| words.iter().any(|w| t.contains(w));
        let kind = if has(&["巡视", "巡視"]) {
            InspectionKind::Xunshi
        } else if has(&["巡察"]) {
            InspectionKind::Xuncha
        } else if has(&["审计", "審計"]) {
            InspectionKind::Audit
        } else if has(&["双随机", "雙隨機", "检查", "檢查", "抽查"]) {
            InspectionKind::SpotCheck
        } else {
            return Err(UnknownInspectionKind(t.chars().take(40).collect()));
        };
        Ok(Some(kind))
    }

    /// `{name}{kind}` without saying the kind twice: 第三轮 + 巡察 → 第三轮巡察, but
    /// 区委第三轮巡察 stays as it is.
    pub fn after(self, name: &str) -> String {
        let name = name.trim();
        if name.ends_with(self.as_str()) { name.to_string() } else { format!("{name}{}", self.as_str()) }
    }

    /// The office that reports on a round: 巡察工作领导小组办公室; `None` for audits and spot
    /// checks, whose office differs from place to place.
    pub fn office(self) -> Option<String> {
        matches!(self, InspectionKind::Xunshi | InspectionKind::Xuncha)
            .then(|| format!("{}工作领导小组办公室", self.as_str()))
    }
}

impl fmt::Display for InspectionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for InspectionKind {
    type Err = UnknownInspectionKind;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        InspectionKind::parse_text(s)?.ok_or_else(|| UnknownInspectionKind(String::new()))
    }
}

impl Serialize for InspectionKind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for InspectionKind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_read_from_report_wording() {
        let read = |t: &str| InspectionKind::parse_text(t);
        assert_eq!(read("巡察"), Ok(Some(InspectionKind::Xuncha)));
        assert_eq!(read(" 常规巡察 "), Ok(Some(InspectionKind::Xuncha)));
        assert_eq!(read("专项巡视"), Ok(Some(InspectionKind::Xunshi)));
        assert_eq!(read("巡視"), Ok(Some(InspectionKind::Xunshi)));
        assert_eq!(read("经济责任审计"), Ok(Some(InspectionKind::Audit)));
        assert_eq!(read("双随机、一公开"), Ok(Some(InspectionKind::SpotCheck)));
        assert_eq!(read("专项检查"), Ok(Some(InspectionKind::SpotCheck)));
        assert_eq!(read("  "), Ok(None));
        let err = read("座谈").unwrap_err();
        assert!(err.to_string().contains("座谈") && err.to_string().contains("专项检查"), "{err}");
    }

    #[test]
    fn the_name_is_the_parse_of_its_own_text_and_its_json() {
        for kind in InspectionKind::ALL {
            assert_eq!(kind.as_str().parse::<InspectionKind>(), Ok(kind));
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
            assert_eq!(serde_json::from_str::<InspectionKind>(&json).unwrap(), kind);
        }
        assert!(serde_json::from_str::<InspectionKind>("\"座谈\"").is_err());
    }

    #[test]
    fn the_kind_is_not_said_twice_after_a_round_name() {
        assert_eq!(InspectionKind::Xuncha.after("区委第三轮巡察"), "区委第三轮巡察");
        assert_eq!(InspectionKind::Xuncha.after("七届区委第一轮"), "七届区委第一轮巡察");
        assert_eq!(InspectionKind::Audit.after("2023年度预算执行"), "2023年度预算执行审计");
    }
}
