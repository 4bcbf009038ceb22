//! 双随机、一公开 spot checks: a unit's registry of supervised objects (监管对象, e.g. 人防工程)
//! and of its inspectors (执法检查人员), a check round (抽查批次) that draws objects and, for
//! each object, inspectors at random with a published seed, and the findings per object.
//!
//! The draw is [`crate::draw::draw`], as for look-backs. Objects are drawn with the round's seed;
//! the inspectors of the object drawn at place `k` with the seed `"{seed}/{object id}"`, from the
//! active inspectors that need not stand aside (回避): an inspector whose unit or department is
//! written exactly as the object's owner (产权/使用单位) is never drawn for that object. The
//! candidates used are kept with the round, so that a later change of the registry does not
//! change a past draw and anyone can re-run it from the seed.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::draw::{Candidate, draw};
use crate::limits;

/// Most objects or inspectors one round draws; most inspectors for one object.
pub const MAX_OBJECTS_PER_ROUND: u32 = 500;
pub const MAX_INSPECTORS_PER_OBJECT: u32 = 10;
/// Most hazards recorded for one object.
pub const MAX_HAZARDS: usize = 50;

/// A field that was refused, in Chinese (the column or field is named).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct FieldError(pub String);

/// One line of text: whitespace runs become one space; `None` if blank.
pub fn clean_line(text: &str) -> Option<String> {
    let t = text.split_whitespace().collect::<Vec<_>>().join(" ");
    (!t.is_empty()).then_some(t)
}

/// The value, or `None` with the error kept: every field is checked, all errors reported.
fn take<T>(errors: &mut Vec<FieldError>, r: Result<T, FieldError>) -> Option<T> {
    r.map_err(|e| errors.push(e)).ok()
}

fn required(what_zh: &str, text: &str, limit: limits::Limit) -> Result<String, FieldError> {
    let t = clean_line(text).ok_or_else(|| FieldError(format!("请填写{what_zh}")))?;
    optional(what_zh, Some(&t), limit).map(|o| o.unwrap_or(t))
}

fn optional(what_zh: &str, text: Option<&str>, limit: limits::Limit) -> Result<Option<String>, FieldError> {
    let Some(t) = text.and_then(clean_line) else { return Ok(None) };
    if t.chars().count() > limit.max_chars {
        return Err(FieldError(format!("{what_zh}不能超过{}个字", limit.max_chars)));
    }
    Ok(Some(t))
}

/// An area in square metres with at most two decimals, held exactly as hundredths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AreaM2(i64);

impl AreaM2 {
    /// Reads "1200", "1,200.5", "1200㎡" or "1200平方米"; refuses negatives and more than two
    /// decimals.
    pub fn parse(text: &str) -> Result<AreaM2, FieldError> {
        let t: String = text
            .trim()
            .trim_end_matches(['㎡', 'm', '²', '2'].as_slice())
            .trim_end_matches("平方米")
            .chars()
            .filter(|c| !matches!(c, ',' | '，' | ' '))
            .collect();
        let bad = || FieldError(format!("面积“{}”不是有效的数字（单位：平方米，最多两位小数）", text.trim()));
        let (whole, frac) = t.split_once('.').unwrap_or((&t, ""));
        if whole.is_empty()
            || !whole.chars().all(|c| c.is_ascii_digit())
            || frac.len() > 2
            || !frac.chars().all(|c| c.is_ascii_digit())
        {
            return Err(bad());
        }
        let whole: i64 = whole.parse().map_err(|_| bad())?;
        let frac: i64 = format!("{frac:0<2}").parse().map_err(|_| bad())?;
        whole
            .checked_mul(100)
            .and_then(|w| w.checked_add(frac))
            .filter(|v| *v <= 100_000_000_000)
            .map(AreaM2)
            .ok_or_else(bad)
    }

    pub fn hundredths(self) -> i64 {
        self.0
    }

    pub fn from_hundredths(n: i64) -> Option<AreaM2> {
        (0..=100_000_000_000).contains(&n).then_some(AreaM2(n))
    }
}

impl std::fmt::Display for AreaM2 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 % 100 {
            0 => write!(f, "{}", self.0 / 100),
            c if c % 10 == 0 => write!(f, "{}.{}", self.0 / 100, c / 10),
            c => write!(f, "{}.{c:02}", self.0 / 100),
        }
    }
}

/// The state of an object in the registry (e.g. of a civil-defence works).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectStatus {
    /// 在用: in use (平时使用).
    InUse,
    /// 在建: under construction.
    UnderConstruction,
    /// 闲置: idle.
    Idle,
    /// 停用: out of use (报废、拆除待办).
    Disused,
}

impl ObjectStatus {
    pub const ALL: [ObjectStatus; 4] =
        [ObjectStatus::InUse, ObjectStatus::UnderConstruction, ObjectStatus::Idle, ObjectStatus::Disused];

    pub fn as_str(self) -> &'static str {
        match self {
            ObjectStatus::InUse => "in_use",
            ObjectStatus::UnderConstruction => "under_construction",
            ObjectStatus::Idle => "idle",
            ObjectStatus::Disused => "disused",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            ObjectStatus::InUse => "在用",
            ObjectStatus::UnderConstruction => "在建",
            ObjectStatus::Idle => "闲置",
            ObjectStatus::Disused => "停用",
        }
    }

    /// The English name, the Chinese label or a common synonym; blank means in use.
    pub fn parse(text: &str) -> Result<ObjectStatus, FieldError> {
        let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        if t.is_empty() {
            return Ok(ObjectStatus::InUse);
        }
        if let Some(s) = ObjectStatus::ALL.into_iter().find(|s| s.as_str() == t || s.label_zh() == t) {
            return Ok(s);
        }
        let has = |words: &[&str]| words.iter().any(|w| t.contains(w));
        if has(&["停用", "报废", "拆除", "废弃"]) {
            Ok(ObjectStatus::Disused)
        } else if has(&["在建", "建设中", "施工"]) {
            Ok(ObjectStatus::UnderConstruction)
        } else if has(&["闲置", "空置", "未使用"]) {
            Ok(ObjectStatus::Idle)
        } else if has(&["使用", "在用", "正常", "开放", "经营"]) {
            Ok(ObjectStatus::InUse)
        } else {
            Err(FieldError(format!("状态“{t}”无法识别（可填：在用、在建、闲置、停用）")))
        }
    }

    /// Whether the object can be drawn: only objects that exist and are in use or idle.
    pub fn drawable(self) -> bool {
        matches!(self, ObjectStatus::InUse | ObjectStatus::Idle | ObjectStatus::UnderConstruction)
    }
}

/// A supervised object (监管对象) as typed, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectFields {
    /// 名称 (工程名称).
    pub name: String,
    /// 地址 (坐落位置).
    pub address: Option<String>,
    /// 产权/使用单位 (管理单位); also what 回避 is checked against.
    pub owner: Option<String>,
    /// 面积 (建筑面积, m²).
    pub area: Option<AreaM2>,
    pub status: ObjectStatus,
    /// 类别, free text (e.g. 结建工程、单建工程、早期人防工程).
    pub category: Option<String>,
}

/// An object's fields as typed, before checking.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectInput {
    pub name: String,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default)]
    pub area: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub category: Option<String>,
}

impl ObjectInput {
    /// The checked fields, or every refused field in Chinese.
    pub fn check(&self) -> Result<ObjectFields, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = take(&mut errors, required("名称", &self.name, limits::TITLE));
        let address = take(&mut errors, optional("地址", self.address.as_deref(), limits::TITLE));
        let owner = take(&mut errors, optional("产权（使用）单位", self.owner.as_deref(), limits::NAME));
        let area = take(
            &mut errors,
            match self.area.as_deref().and_then(clean_line) {
                None => Ok(None),
                Some(a) => AreaM2::parse(&a).map(Some),
            },
        );
        let status = take(&mut errors, ObjectStatus::parse(self.status.as_deref().unwrap_or_default()));
        let category = take(&mut errors, optional("类别", self.category.as_deref(), limits::NAME));
        match (name, address, owner, area, status, category) {
            (Some(name), Some(address), Some(owner), Some(area), Some(status), Some(category)) if errors.is_empty() => {
                Ok(ObjectFields { name, address, owner, area, status, category })
            }
            _ => Err(errors),
        }
    }
}

/// An inspector (执法检查人员) as typed, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InspectorFields {
    pub name: String,
    /// 所在单位/科室; what 回避 is checked against.
    pub department: Option<String>,
    /// 执法证号.
    pub certificate: Option<String>,
    pub active: bool,
}

/// An inspector as typed, before checking.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InspectorInput {
    pub name: String,
    #[serde(default)]
    pub department: Option<String>,
    #[serde(default)]
    pub certificate: Option<String>,
    /// Absent: active.
    #[serde(default)]
    pub active: Option<bool>,
}

impl InspectorInput {
    pub fn check(&self) -> Result<InspectorFields, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = take(&mut errors, required("姓名", &self.name, limits::NAME));
        let department = take(&mut errors, optional("单位（科室）", self.department.as_deref(), limits::NAME));
        let certificate = take(&mut errors, optional("执法证号", self.certificate.as_deref(), limits::NAME));
        match (name, department, certificate) {
            (Some(name), Some(department), Some(certificate)) if errors.is_empty() => {
                Ok(InspectorFields { name, department, certificate, active: self.active.unwrap_or(true) })
            }
            _ => Err(errors),
        }
    }
}

/// An object as the draw sees it: its id and its owner (for 回避).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectCandidate {
    pub id: i64,
    #[serde(default)]
    pub owner: Option<String>,
}

/// An inspector as the draw sees it: its id and its department (for 回避).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InspectorCandidate {
    pub id: i64,
    #[serde(default)]
    pub department: Option<String>,
}

impl Candidate for ObjectCandidate {
    fn draw_id(&self) -> i64 {
        self.id
    }
}

impl Candidate for InspectorCandidate {
    fn draw_id(&self) -> i64 {
        self.id
    }
}

/// What a round draws from: the candidates kept with it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidates {
    pub objects: Vec<ObjectCandidate>,
    pub inspectors: Vec<InspectorCandidate>,
}

/// How many a round draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawSize {
    pub objects: u32,
    pub inspectors_per_object: u32,
}

impl DrawSize {
    pub fn new(objects: u32, inspectors_per_object: u32) -> Result<DrawSize, FieldError> {
        if !(1..=MAX_OBJECTS_PER_ROUND).contains(&objects) {
            return Err(FieldError(format!("抽查对象数量应为1至{MAX_OBJECTS_PER_ROUND}")));
        }
        if !(1..=MAX_INSPECTORS_PER_OBJECT).contains(&inspectors_per_object) {
            return Err(FieldError(format!("每个对象的检查人员数应为1至{MAX_INSPECTORS_PER_OBJECT}")));
        }
        Ok(DrawSize { objects, inspectors_per_object })
    }
}

/// One drawn object with its drawn inspectors, in drawing order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    pub object: i64,
    pub inspectors: Vec<i64>,
}

/// Why a draw could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DrawError {
    #[error("名录中没有可抽取的监管对象")]
    NoObjects,
    #[error("名录中在岗的检查人员不足：每个对象需{needed}名，回避后可派{available}名（对象编号{object}）")]
    TooFewInspectors { object: i64, needed: u32, available: usize },
}

fn same_body(a: Option<&str>, b: Option<&str>) -> bool {
    match (a.map(str::trim), b.map(str::trim)) {
        (Some(a), Some(b)) => !a.is_empty() && a == b,
        _ => false,
    }
}

/// Whether an inspector stands aside (回避) for an object: the inspector's unit or department is
/// written exactly as the object's owner.
pub fn stands_aside(inspector: &InspectorCandidate, object: &ObjectCandidate) -> bool {
    same_body(inspector.department.as_deref(), object.owner.as_deref())
}

/// The seed of the inspectors' draw for one object.
pub fn inspector_seed(seed: &str, object: i64) -> String {
    format!("{seed}/{object}")
}

/// The round's draw from its candidates: `size.objects` objects (all if fewer), then for each
/// `size.inspectors_per_object` inspectors that need not stand aside for it.
pub fn draw_round(seed: &str, candidates: &Candidates, size: DrawSize) -> Result<Vec<Assignment>, DrawError> {
    if candidates.objects.is_empty() {
        return Err(DrawError::NoObjects);
    }
    let objects = draw(seed, &candidates.objects, size.objects as usize);
    let needed = size.inspectors_per_object;
    objects
        .into_iter()
        .map(|object| {
            let eligible: Vec<InspectorCandidate> =
                candidates.inspectors.iter().filter(|i| !stands_aside(i, &object)).cloned().collect();
            let drawn = draw(&inspector_seed(seed, object.id), &eligible, needed as usize);
            if drawn.len() < needed as usize {
                return Err(DrawError::TooFewInspectors { object: object.id, needed, available: drawn.len() });
            }
            Ok(Assignment { object: object.id, inspectors: drawn.into_iter().map(|i| i.id).collect() })
        })
        .collect()
}

/// One hazard (隐患、问题) found at an object, with its deadline for rectification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hazard {
    pub text: String,
    pub deadline: NaiveDate,
}

/// What the check of one object found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Finding {
    /// 未发现问题.
    Clear,
    /// 发现问题: at least one hazard.
    Hazards { hazards: Vec<Hazard> },
}

impl Finding {
    /// A finding from typed hazards: none is [`Finding::Clear`]; each text at most a measure's
    /// length, each deadline not before the check.
    pub fn new(hazards: Vec<(String, NaiveDate)>, checked_on: NaiveDate) -> Result<Finding, FieldError> {
        if hazards.len() > MAX_HAZARDS {
            return Err(FieldError(format!("一个对象最多记录{MAX_HAZARDS}个问题")));
        }
        let mut out = Vec::with_capacity(hazards.len());
        for (n, (text, deadline)) in hazards.into_iter().enumerate() {
            let text = required(&format!("第{}个问题的内容", n + 1), &text, limits::MEASURE_TEXT)?;
            if deadline < checked_on {
                return Err(FieldError(format!("第{}个问题的整改期限早于检查日期", n + 1)));
            }
            out.push(Hazard { text, deadline });
        }
        Ok(if out.is_empty() { Finding::Clear } else { Finding::Hazards { hazards: out } })
    }

    pub fn hazards(&self) -> &[Hazard] {
        match self {
            Finding::Clear => &[],
            Finding::Hazards { hazards } => hazards,
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn candidates(objects: usize, inspectors: usize) -> Candidates {
        Candidates {
            objects: (1..=objects as i64)
                .map(|id| ObjectCandidate { id, owner: Some(format!("单位{}", id % 3)) })
                .collect(),
            inspectors: (100..100 + inspectors as i64)
                .map(|id| InspectorCandidate { id, department: Some(format!("单位{}", id % 3)) })
                .collect(),
        }
    }

    #[test]
    fn areas_read_as_people_write_them() {
        assert_eq!(AreaM2::parse("1,200.5㎡").unwrap().to_string(), "1200.5");
        assert_eq!(AreaM2::parse("350平方米").unwrap().hundredths(), 35_000);
        assert_eq!(AreaM2::parse("12.05").unwrap().to_string(), "12.05");
        assert!(AreaM2::parse("-3").is_err());
        assert!(AreaM2::parse("1.234").is_err());
        assert!(AreaM2::parse("约300").is_err());
    }

    #[test]
    fn statuses_and_fields_are_checked() {
        assert_eq!(ObjectStatus::parse("平时使用").unwrap(), ObjectStatus::InUse);
        assert_eq!(ObjectStatus::parse("").unwrap(), ObjectStatus::InUse);
        assert!(ObjectStatus::parse("不知道").is_err());
        let errors =
            ObjectInput { name: " ".into(), area: Some("很大".into()), ..Default::default() }.check().unwrap_err();
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(errors[0].0.contains("名称") && errors[1].0.contains("面积"));
    }

    #[test]
    fn inspectors_stand_aside_for_objects_of_their_own_unit() {
        let c = candidates(30, 9);
        let drawn = draw_round("2026-双随机-1", &c, DrawSize::new(10, 2).unwrap()).unwrap();
        assert_eq!(drawn.len(), 10);
        for a in &drawn {
            let object = c.objects.iter().find(|o| o.id == a.object).unwrap();
            assert_eq!(a.inspectors.len(), 2);
            assert_ne!(a.inspectors[0], a.inspectors[1]);
            for id in &a.inspectors {
                let inspector = c.inspectors.iter().find(|i| i.id == *id).unwrap();
                assert!(!stands_aside(inspector, object), "{a:?}");
            }
        }
        // Three inspectors, one of each unit: two remain for every object, three are too many.
        let few = candidates(5, 3);
        assert!(draw_round("s", &few, DrawSize::new(5, 2).unwrap()).is_ok());
        assert!(matches!(
            draw_round("s", &few, DrawSize::new(5, 3).unwrap()),
            Err(DrawError::TooFewInspectors { needed: 3, available: 2, .. })
        ));
        assert_eq!(draw_round("s", &Candidates::default(), DrawSize::new(1, 1).unwrap()), Err(DrawError::NoObjects));
    }

    proptest! {
        #[test]
        fn the_round_draw_ignores_the_order_of_the_registry(
            seed in "[0-9a-f]{1,16}",
            objects in 1_usize..40,
            n in 1_u32..50,
            reverse in any::<bool>(),
        ) {
            let c = candidates(objects, 12);
            let size = DrawSize::new(n, 2).unwrap();
            let drawn = draw_round(&seed, &c, size).unwrap();
            let mut other = c.clone();
            if reverse {
                other.objects.reverse();
                other.inspectors.reverse();
            } else {
                other.objects.rotate_left(objects / 2);
                other.inspectors.rotate_left(5);
            }
            prop_assert_eq!(&drawn, &draw_round(&seed, &other, size).unwrap());
            prop_assert_eq!(drawn.len(), objects.min(n as usize));
        }
    }
}
