//! The ledger (整改台账) of one inspected unit for one inspection round — the interchange format
//! of `../shared/contracts.md`, extended with what the workflow needs.
//!
//! Every key is always written (unknown values are `null`), so that the JSON shape never depends
//! on the data. On input the keys that the contract does not name may be missing and default to
//! empty, so a ledger printed by `rectify parse --json` imports as it is.

use std::collections::BTreeSet;

use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::date::PartialDate;
use crate::money::WanYuan;
use crate::status::{Disclosure, MeasureKind, ProblemScope, Status};
use crate::supervision::{LightPolicy, LightRecipients};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ledger {
    pub title: Option<String>,
    /// The publishing (inspected) organisation under its current name.
    pub unit: Option<String>,
    pub report_date: Option<PartialDate>,
    pub inspection: Inspection,
    pub claimed: Claimed,
    pub aspects: Vec<Aspect>,
    pub named_documents: Vec<String>,
    pub contacts: Contacts,
    #[serde(default)]
    pub organisation: Organisation,
    #[serde(default)]
    pub outcomes: Outcomes,
    #[serde(default)]
    pub policy: RoundPolicy,
}

/// The inspection facts: who inspected, when, and when the feedback came.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Inspection {
    /// 巡察组, e.g. "区委第五巡察组".
    pub inspector: Option<String>,
    pub start: Option<PartialDate>,
    pub end: Option<PartialDate>,
    pub feedback_date: Option<PartialDate>,
    /// 轮次, e.g. "七届区委第一轮".
    #[serde(default)]
    pub round: Option<String>,
    /// 巡视 / 巡察 / 审计 / 专项检查; JSON text that names none of them is refused with the
    /// four names (longer wordings such as 常规巡察 are read as their kind).
    #[serde(default)]
    pub kind: Option<crate::kind::InspectionKind>,
    /// The feedback document, e.g. 《关于对…党组巡察情况的反馈意见》.
    #[serde(default)]
    pub feedback_document: Option<String>,
}

/// The figures a report states about itself (its headline numbers), kept apart from what the
/// ledger lists so that the two can be compared.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Claimed {
    pub aspects: Option<u32>,
    pub problems: Option<u32>,
    pub measures: Option<u32>,
    pub completed: Option<u32>,
    pub in_progress: Option<u32>,
    pub completion_rate_percent: Option<f64>,
    pub rules_made_or_revised: Option<u32>,
    pub funds_recovered_wan_yuan: Option<WanYuan>,
    pub accountability: Tally,
}

/// 方面 — a group of problems. Problems without a heading live in one aspect with no number
/// and no title.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Aspect {
    pub number: Option<String>,
    pub title: Option<String>,
    pub problems: Vec<Problem>,
}

/// 问题 — one problem of the feedback's problem list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Problem {
    /// The number as printed, without punctuation ("1", "一"); public reports may skip numbers.
    pub number: Option<String>,
    pub title: NonEmptyText,
    pub status: Status,
    pub measures: Vec<Measure>,
    /// 问题类别 when the ledger gives one apart from the aspect.
    #[serde(default)]
    pub category: Option<String>,
    /// 面上 or 具体.
    #[serde(default)]
    pub scope: Option<ProblemScope>,
    /// 问题表现 — the longer description from the feedback, when known.
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub disclosure: Disclosure,
    #[serde(default)]
    pub responsibility: Responsibility,
}

/// 整改措施 — one enumerated measure of a problem.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Measure {
    pub text: NonEmptyText,
    /// Dates written in the text, in order.
    pub dates: Vec<PartialDate>,
    /// Amounts written in the text, in 万元.
    pub amounts_wan_yuan: Vec<WanYuan>,
    /// Documents named in the text, with their 《》.
    pub documents: Vec<String>,
    #[serde(default)]
    pub kind: Option<MeasureKind>,
    /// 完成时限.
    #[serde(default)]
    pub deadline: Option<PartialDate>,
    #[serde(default)]
    pub status: Option<Status>,
    #[serde(default)]
    pub responsibility: Responsibility,
    #[serde(default)]
    pub progress: Vec<ProgressEntry>,
    #[serde(default)]
    pub evidence: Vec<Evidence>,
}

/// Who answers for a problem or a measure.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Responsibility {
    /// 第一责任人 — usually the Party secretary.
    #[serde(default)]
    pub first_responsible: Option<String>,
    /// 责任领导 / 分管领导.
    #[serde(default)]
    pub leader: Option<String>,
    /// 责任部门 — the first is the lead department (牵头部门).
    #[serde(default)]
    pub departments: Vec<String>,
    /// 联络员 / 责任人.
    #[serde(default)]
    pub liaison: Option<String>,
}

impl Responsibility {
    pub fn is_empty(&self) -> bool {
        self == &Responsibility::default()
    }

    /// Each of these fields, else `inherited`'s: how a measure that names no department (or no
    /// leader) is its problem's responsible people's work. The one statement of that rule; see
    /// [`Measure::effective_responsibility`].
    pub fn or_inherited<'a>(&'a self, inherited: &'a Responsibility) -> EffectiveResponsibility<'a> {
        EffectiveResponsibility {
            first_responsible: self.first_responsible.as_deref().or(inherited.first_responsible.as_deref()),
            leader: self.leader.as_deref().or(inherited.leader.as_deref()),
            departments: if self.departments.is_empty() { &inherited.departments } else { &self.departments },
            liaison: self.liaison.as_deref().or(inherited.liaison.as_deref()),
        }
    }

    /// Fills the fields this one leaves open from `other` ([`Responsibility::or_inherited`]),
    /// e.g. when two rows of a spreadsheet describe one problem.
    pub fn fill_from(&mut self, other: &Responsibility) {
        *self = self.or_inherited(other).to_responsibility();
    }
}

/// The responsible people that apply to a measure: its own, field by field, else its problem's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EffectiveResponsibility<'a> {
    pub first_responsible: Option<&'a str>,
    pub leader: Option<&'a str>,
    /// 责任部门 — the first is the lead department (牵头部门).
    pub departments: &'a [String],
    pub liaison: Option<&'a str>,
}

impl EffectiveResponsibility<'_> {
    pub fn to_responsibility(self) -> Responsibility {
        Responsibility {
            first_responsible: self.first_responsible.map(str::to_owned),
            leader: self.leader.map(str::to_owned),
            departments: self.departments.to_vec(),
            liaison: self.liaison.map(str::to_owned),
        }
    }
}

/// A dated progress report on a measure (整改进展).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgressEntry {
    pub date: PartialDate,
    pub text: NonEmptyText,
    #[serde(default)]
    pub evidence: Vec<Evidence>,
}

/// 佐证材料 — metadata of a piece of evidence; the file itself lives in the evidence store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Evidence {
    pub title: NonEmptyText,
    /// 会议纪要, 制度文件, 通知, 照片 …
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub date: Option<PartialDate>,
    #[serde(default)]
    pub media_type: Option<String>,
    #[serde(default)]
    pub size_bytes: Option<u64>,
    /// Content address of the stored file (hex).
    #[serde(default)]
    pub sha256: Option<String>,
}

/// Public feedback channels printed at the end of a report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contacts {
    pub phones: Vec<String>,
    pub emails: Vec<String>,
    pub addresses: Vec<String>,
    pub postcodes: Vec<String>,
}

/// The unit's organisation for rectification and its name history.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Organisation {
    /// Earlier names, oldest first (the feedback may be addressed to one of them).
    #[serde(default)]
    pub former_names: Vec<FormerName>,
    /// 整改工作领导小组.
    #[serde(default)]
    pub leading_group: Vec<Member>,
    /// 工作专班.
    #[serde(default)]
    pub work_team: Vec<Member>,
    #[serde(default)]
    pub liaison: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormerName {
    pub name: NonEmptyText,
    /// The last day the name was used, when known.
    #[serde(default)]
    pub until: Option<PartialDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Member {
    /// 组长, 副组长, 成员 …
    pub role: NonEmptyText,
    pub name: NonEmptyText,
}

/// What the rectification achieved, entered once and counted everywhere.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outcomes {
    #[serde(default)]
    pub rules: Vec<Rule>,
    #[serde(default)]
    pub funds: Vec<Fund>,
    #[serde(default)]
    pub accountability: Vec<Accountability>,
    #[serde(default)]
    pub meetings: Vec<Meeting>,
}

/// Points at a problem by its position in the ledger (0-based), since printed numbers repeat
/// across aspects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProblemRef {
    pub aspect: usize,
    pub problem: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeasureRef {
    pub aspect: usize,
    pub problem: usize,
    pub measure: usize,
}

/// 建章立制 — a rule made or revised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// The title with its 《》.
    pub title: DocumentTitle,
    pub action: RuleAction,
    #[serde(default)]
    pub date: Option<PartialDate>,
    #[serde(default)]
    pub measure: Option<MeasureRef>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleAction {
    /// 制定
    Made,
    /// 修订 / 完善
    Revised,
}

/// Money dealt with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fund {
    pub kind: FundKind,
    pub amount_wan_yuan: WanYuan,
    #[serde(default)]
    pub date: Option<PartialDate>,
    #[serde(default)]
    pub measure: Option<MeasureRef>,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FundKind {
    /// 清退 — irregular payments refunded.
    Refunded,
    /// 追缴 / 追回 — money recovered.
    Recovered,
    /// 挽回经济损失 — losses avoided or recovered.
    LossesAvoided,
}

impl FundKind {
    pub const ALL: [FundKind; 3] = [FundKind::Refunded, FundKind::Recovered, FundKind::LossesAvoided];

    pub fn label_zh(self) -> &'static str {
        match self {
            FundKind::Refunded => "清退",
            FundKind::Recovered => "追缴",
            FundKind::LossesAvoided => "挽回经济损失",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            FundKind::Refunded => "refunded",
            FundKind::Recovered => "recovered",
            FundKind::LossesAvoided => "losses_avoided",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

/// 问责 — people held to account, by the measure's own Chinese name (批评教育, 诫勉 …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Accountability {
    pub kind: NonEmptyText,
    pub count: u32,
    /// 人 (people) or 人次 (person-times): never added together.
    pub counting: Counting,
    #[serde(default)]
    pub persons: Vec<String>,
    #[serde(default)]
    pub date: Option<PartialDate>,
    #[serde(default)]
    pub problem: Option<ProblemRef>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Counting {
    /// 人
    Persons,
    /// 人次
    PersonTimes,
}

/// A meeting held for the rectification (专题会议, 民主生活会, 调度会 …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Meeting {
    pub kind: NonEmptyText,
    #[serde(default)]
    pub date: Option<PartialDate>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub decisions: Vec<String>,
    #[serde(default)]
    pub problems: Vec<ProblemRef>,
}

/// Settings of the round that change how figures are counted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoundPolicy {
    /// Some places count long-term items whose stage target is met as completed.
    #[serde(default)]
    pub long_term_counts_as_completed: bool,
    /// Decimals of the printed completion rate (usually 2, sometimes 0; at most
    /// [`MAX_RATE_DECIMALS`]).
    #[serde(default = "default_rate_decimals")]
    pub rate_decimals: u8,
    /// Deadline-light thresholds of the round (预警规则).
    #[serde(default)]
    pub lights: LightPolicy,
    /// Who is told at each light.
    #[serde(default)]
    pub light_recipients: LightRecipients,
}

/// No report prints a completion rate with more decimals than this.
pub const MAX_RATE_DECIMALS: u8 = 6;

fn default_rate_decimals() -> u8 {
    2
}

impl Default for RoundPolicy {
    fn default() -> Self {
        Self {
            long_term_counts_as_completed: false,
            rate_decimals: default_rate_decimals(),
            lights: LightPolicy::default(),
            light_recipients: LightRecipients::default(),
        }
    }
}

/// Text that is not blank.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct NonEmptyText(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("text must not be empty")]
pub struct EmptyText;

impl NonEmptyText {
    pub fn new(text: impl Into<String>) -> Result<Self, EmptyText> {
        let text = text.into();
        if text.trim().is_empty() { Err(EmptyText) } else { Ok(Self(text)) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl std::ops::Deref for NonEmptyText {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for NonEmptyText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for NonEmptyText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        NonEmptyText::new(s).map_err(serde::de::Error::custom)
    }
}

/// A document title written with its book-title marks: 《…》.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct DocumentTitle(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a document title is written as 《…》 with a name inside, got {0:?}")]
pub struct InvalidDocumentTitle(pub String);

impl DocumentTitle {
    /// Accepts `《名称》`, or a bare name, which gets its marks.
    pub fn new(text: &str) -> Result<Self, InvalidDocumentTitle> {
        let t = text.trim();
        let inner = t.strip_prefix('《').and_then(|r| r.strip_suffix('》')).unwrap_or(t);
        if inner.trim().is_empty() || inner.contains(['《', '》']) {
            return Err(InvalidDocumentTitle(text.to_string()));
        }
        Ok(Self(format!("《{inner}》")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for DocumentTitle {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        DocumentTitle::new(&s).map_err(serde::de::Error::custom)
    }
}

/// Counts by name in the order the source gives them (a JSON object on the wire).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally(pub Vec<(String, u32)>);

impl Tally {
    pub fn get(&self, name: &str) -> Option<u32> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, c)| *c)
    }

    pub fn add(&mut self, name: &str, count: u32) {
        match self.0.iter_mut().find(|(n, _)| n == name) {
            Some((_, c)) => *c = c.saturating_add(count),
            None => self.0.push((name.to_string(), count)),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Serialize for Tally {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Tally {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct TallyVisitor;
        impl<'de> Visitor<'de> for TallyVisitor {
            type Value = Tally;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object mapping names to counts")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Tally, A::Error> {
                let mut seen = BTreeSet::new();
                let mut out = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, u32>()? {
                    if k.trim().is_empty() {
                        return Err(serde::de::Error::custom("a name must not be empty"));
                    }
                    if !seen.insert(k.clone()) {
                        return Err(serde::de::Error::custom(format!("{k} is given twice")));
                    }
                    out.push((k, v));
                }
                Ok(Tally(out))
            }
        }
        d.deserialize_map(TallyVisitor)
    }
}

impl Ledger {
    /// An empty ledger, the starting point of parsers and importers.
    pub fn empty() -> Self {
        Ledger {
            title: None,
            unit: None,
            report_date: None,
            inspection: Inspection::default(),
            claimed: Claimed::default(),
            aspects: Vec::new(),
            named_documents: Vec::new(),
            contacts: Contacts::default(),
            organisation: Organisation::default(),
            outcomes: Outcomes::default(),
            policy: RoundPolicy::default(),
        }
    }

    pub fn problems(&self) -> impl Iterator<Item = &Problem> {
        self.aspects.iter().flat_map(|a| a.problems.iter())
    }

    pub fn measures(&self) -> impl Iterator<Item = &Measure> {
        self.problems().flat_map(|p| p.measures.iter())
    }

    pub fn problem(&self, r: ProblemRef) -> Option<&Problem> {
        self.aspects.get(r.aspect)?.problems.get(r.problem)
    }

    pub fn measure(&self, r: MeasureRef) -> Option<&Measure> {
        self.aspects.get(r.aspect)?.problems.get(r.problem)?.measures.get(r.measure)
    }
}

impl Measure {
    /// The responsible people of this measure: each of its own fields, else its problem's
    /// (责任部门 and 责任领导 are often given once per problem).
    pub fn effective_responsibility<'a>(&'a self, problem: &'a Problem) -> EffectiveResponsibility<'a> {
        self.responsibility.or_inherited(&problem.responsibility)
    }

    /// A measure known only by its text, as parsed from a report.
    pub fn from_text(text: NonEmptyText) -> Self {
        Measure {
            text,
            dates: Vec::new(),
            amounts_wan_yuan: Vec::new(),
            documents: Vec::new(),
            kind: None,
            deadline: None,
            status: None,
            responsibility: Responsibility::default(),
            progress: Vec::new(),
            evidence: Vec::new(),
        }
    }
}

impl Problem {
    pub fn new(number: Option<String>, title: NonEmptyText, status: Status) -> Self {
        Problem {
            number,
            title,
            status,
            measures: Vec::new(),
            category: None,
            scope: None,
            description: None,
            disclosure: Disclosure::Public,
            responsibility: Responsibility::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_measure_inherits_each_missing_field_from_its_problem() {
        let mut problem = Problem::new(None, NonEmptyText::new("问题").unwrap(), Status::InProgress);
        problem.responsibility = Responsibility {
            first_responsible: Some("书记".into()),
            leader: Some("王某".into()),
            departments: vec!["办公室".into()],
            liaison: None,
        };
        let mut measure = Measure::from_text(NonEmptyText::new("措施").unwrap());
        assert_eq!(measure.effective_responsibility(&problem).to_responsibility(), problem.responsibility);
        measure.responsibility.departments = vec!["财务科".into()];
        measure.responsibility.liaison = Some("李某".into());
        let effective = measure.effective_responsibility(&problem);
        assert_eq!(effective.departments, ["财务科".to_owned()]);
        assert_eq!((effective.leader, effective.liaison), (Some("王某"), Some("李某")));
        let mut merged = measure.responsibility.clone();
        merged.fill_from(&problem.responsibility);
        assert_eq!(merged, effective.to_responsibility());
    }
}
