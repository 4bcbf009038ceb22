//! Words the workbook writes and reads back: one table per value kind, so that writing and
//! reading cannot drift apart.

use rectify_domain::{Counting, Disclosure, FundKind, MeasureKind, ProblemScope, RuleAction, Status};

pub(crate) const SHEET_PROBLEMS: &str = "问题清单";
pub(crate) const SHEET_MEASURES: &str = "任务清单";
pub(crate) const SHEET_RESPONSIBILITY: &str = "责任清单";
pub(crate) const SHEET_EVIDENCE: &str = "佐证材料";
pub(crate) const SHEET_INFO: &str = "基本信息";
pub(crate) const SHEET_OUTCOMES: &str = "成效";
pub(crate) const SHEET_STATISTICS: &str = "统计";

/// Header of the key–value sheet 基本信息.
pub(crate) const INFO_HEADER: [&str; 3] = ["项目", "内容", "补充"];
/// Header of the 佐证材料 sheet (evidence of measures and of progress entries).
pub(crate) const EVIDENCE_HEADER: [&str; 9] =
    ["序号", "措施序号", "进展序号", "材料名称", "材料类型", "日期", "文件类型", "大小（字节）", "SHA256"];
/// Header of the 成效 sheet (rules, funds, accountability, meetings in one table).
pub(crate) const OUTCOMES_HEADER: [&str; 9] =
    ["类别", "事项", "方式", "数额", "日期", "关联问题序号", "关联措施序号", "说明", "明细"];

pub(crate) const OUTCOME_RULE: &str = "建章立制";
pub(crate) const OUTCOME_FUND: &str = "资金";
pub(crate) const OUTCOME_ACCOUNTABILITY: &str = "问责";
pub(crate) const OUTCOME_MEETING: &str = "会议";

/// Keys of 基本信息, one per ledger header fact.
pub(crate) mod key {
    pub const TITLE: &str = "标题";
    pub const UNIT: &str = "单位";
    pub const REPORT_DATE: &str = "报告日期";
    pub const INSPECTOR: &str = "巡察组";
    pub const START: &str = "巡察开始日期";
    pub const END: &str = "巡察结束日期";
    pub const FEEDBACK_DATE: &str = "反馈日期";
    pub const ROUND: &str = "巡察轮次";
    pub const KIND: &str = "巡察类型";
    pub const FEEDBACK_DOCUMENT: &str = "反馈意见文件";
    pub const CLAIMED_ASPECTS: &str = "通报所述方面数";
    pub const CLAIMED_PROBLEMS: &str = "通报所述问题数";
    pub const CLAIMED_MEASURES: &str = "通报所述措施数";
    pub const CLAIMED_COMPLETED: &str = "通报所述已完成问题数";
    pub const CLAIMED_IN_PROGRESS: &str = "通报所述正在整改问题数";
    pub const CLAIMED_RATE: &str = "通报所述完成率（%）";
    pub const CLAIMED_RULES: &str = "通报所述建章立制数";
    pub const CLAIMED_FUNDS: &str = "通报所述资金（万元）";
    pub const CLAIMED_ACCOUNTABILITY: &str = "通报所述问责人数";
    pub const NAMED_DOCUMENT: &str = "文中提及文件";
    pub const PHONE: &str = "联系电话";
    pub const EMAIL: &str = "电子邮箱";
    pub const ADDRESS: &str = "通信地址";
    pub const POSTCODE: &str = "邮政编码";
    pub const FORMER_NAME: &str = "曾用名";
    pub const LEADING_GROUP: &str = "整改领导小组成员";
    pub const WORK_TEAM: &str = "工作专班成员";
    pub const LIAISON: &str = "整改联络员";
    pub const LONG_TERM_COUNTS: &str = "长期坚持计入完成";
    pub const RATE_DECIMALS: &str = "完成率小数位数";
    pub const GREEN_WITHIN: &str = "绿色预警（剩余天数）";
    pub const YELLOW_WITHIN: &str = "黄色预警（剩余天数）";
    pub const WORKING_DAYS: &str = "预警按工作日计算";
    pub const GREEN_TO: &str = "绿色预警通知对象";
    pub const YELLOW_TO: &str = "黄色预警通知对象";
    pub const RED_TO: &str = "红色预警通知对象";
}

/// Roles in one cell, as 责任部门、分管领导.
pub(crate) fn roles_text(roles: &[rectify_domain::roles::Role]) -> String {
    roles.iter().map(|r| r.label_zh()).collect::<Vec<_>>().join("、")
}

/// Reads [`roles_text`] back; `Err` names the word that is no role.
pub(crate) fn parse_roles(text: &str) -> Result<Vec<rectify_domain::roles::Role>, String> {
    text.split('、')
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .map(|w| rectify_domain::roles::Role::ALL.into_iter().find(|r| r.label_zh() == w).ok_or_else(|| w.to_string()))
        .collect()
}

pub(crate) const YES: &str = "是";
pub(crate) const NO: &str = "否";

/// A status as a ledger prints it; `Unknown` is printed as 未知 and read back.
pub(crate) fn status_label(status: Status) -> &'static str {
    status.label_zh()
}

pub(crate) fn parse_status(text: &str) -> Option<Status> {
    let t = text.trim();
    if t == Status::Unknown.label_zh() {
        return Some(Status::Unknown);
    }
    Status::from_chinese(t).or_else(|| Status::from_name(t))
}

pub(crate) fn kind_label(kind: MeasureKind) -> &'static str {
    kind.label_zh()
}

pub(crate) fn parse_kind(text: &str) -> Option<MeasureKind> {
    let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    MeasureKind::from_chinese(&t).or_else(|| MeasureKind::from_name(&t))
}

const SCOPES: [(ProblemScope, &str); 2] = [(ProblemScope::General, "面上问题"), (ProblemScope::Specific, "具体问题")];

pub(crate) fn scope_label(scope: ProblemScope) -> &'static str {
    SCOPES.iter().find(|(s, _)| *s == scope).map_or("", |(_, l)| l)
}

pub(crate) fn parse_scope(text: &str) -> Option<ProblemScope> {
    let t = text.trim();
    SCOPES.iter().find(|(_, l)| *l == t || l.trim_end_matches("问题") == t).map(|(s, _)| *s)
}

const DISCLOSURES: [(Disclosure, &str); 4] = [
    (Disclosure::Public, "公开"),
    (Disclosure::WithheldSecret, "涉密不公开"),
    (Disclosure::WithheldPendingCase, "在办案件不公开"),
    (Disclosure::WithheldOther, "其他不公开"),
];

pub(crate) fn disclosure_label(d: Disclosure) -> &'static str {
    DISCLOSURES.iter().find(|(x, _)| *x == d).map_or("", |(_, l)| l)
}

pub(crate) fn parse_disclosure(text: &str) -> Option<Disclosure> {
    let t = text.trim();
    match t {
        "是" => return Some(Disclosure::Public),
        "否" | "不公开" => return Some(Disclosure::WithheldOther),
        _ => {}
    }
    DISCLOSURES.iter().find(|(_, l)| *l == t).map(|(d, _)| *d)
}

pub(crate) fn parse_fund_kind(text: &str) -> Option<FundKind> {
    let t = text.trim();
    match t {
        "追回" | "追缴追回" => return Some(FundKind::Recovered),
        "挽回损失" => return Some(FundKind::LossesAvoided),
        _ => {}
    }
    FundKind::ALL.into_iter().find(|k| k.label_zh() == t || k.as_str() == t)
}

pub(crate) fn counting_label(c: Counting) -> &'static str {
    match c {
        Counting::Persons => "人",
        Counting::PersonTimes => "人次",
    }
}

pub(crate) fn parse_counting(text: &str) -> Option<Counting> {
    match text.trim() {
        "人" => Some(Counting::Persons),
        "人次" => Some(Counting::PersonTimes),
        _ => None,
    }
}

pub(crate) fn rule_action_label(a: RuleAction) -> &'static str {
    match a {
        RuleAction::Made => "制定",
        RuleAction::Revised => "修订",
    }
}

pub(crate) fn parse_rule_action(text: &str) -> Option<RuleAction> {
    match text.trim() {
        "制定" | "新制定" | "出台" => Some(RuleAction::Made),
        "修订" | "完善" | "修订完善" => Some(RuleAction::Revised),
        _ => None,
    }
}

/// Separators between several values in one cell (departments, lists of numbers).
pub(crate) fn split_list(text: &str) -> Vec<String> {
    text.split(['\n', '、', ',', '，', ';', '；'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// Several free texts in one cell, one per line.
pub(crate) fn split_lines(text: &str) -> Vec<String> {
    text.lines().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()
}
