//! Canonical ledger columns and the header words that name them (domain brief §3.2).
//!
//! Headers are matched by meaning: whitespace and punctuation are ignored, and a header with a
//! parenthesised note ("完成时限（时间节点）") matches by its main words or by the note.

/// A column the importer understands, whatever the workbook calls it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Col {
    /// 序号 — the row's problem ordinal; joins the sheets of one workbook.
    Seq,
    /// 问题编号 — the number as printed in the feedback.
    ProblemNumber,
    /// 方面序号 — ordinal of the aspect, so that two aspects with the same name stay apart.
    AspectSeq,
    AspectNumber,
    /// 方面 — the group heading.
    Aspect,
    /// 问题类别 — a category beside the aspect; taken as the aspect when no 方面 column exists.
    Category,
    Problem,
    /// 问题表现 — the long description; taken as the problem when no 问题 column exists.
    Description,
    Scope,
    Disclosure,
    MeasureSeq,
    Measure,
    Kind,
    Deadline,
    Status,
    Warning,
    FirstResponsible,
    Leader,
    Departments,
    Liaison,
    ProgressDate,
    Progress,
    Evidence,
    TextDates,
    TextAmounts,
    TextDocuments,
    MeasureCount,
    Remark,
}

/// Header words per column, already normalised (see [`normalise`]). Order matters only for
/// readability; every entry is matched exactly.
const SYNONYMS: &[(Col, &[&str])] = &[
    (Col::Seq, &["序号", "问题序号", "顺序号"]),
    (Col::ProblemNumber, &["问题编号", "编号", "原编号"]),
    (Col::AspectSeq, &["方面序号"]),
    (Col::AspectNumber, &["方面编号"]),
    (Col::Aspect, &["方面", "所属方面", "问题方面", "巡察反馈方面", "反馈方面"]),
    (Col::Category, &["问题类别", "类别", "问题归类", "问题分类", "问题类型"]),
    (
        Col::Problem,
        &[
            "问题",
            "具体问题",
            "存在问题",
            "问题内容",
            "反馈问题",
            "问题名称",
            "问题标题",
            "主要问题",
            "巡察反馈问题",
            "审计发现的问题",
            "发现问题",
            "问题清单",
        ],
    ),
    (Col::Description, &["问题表现", "问题描述", "具体表现", "问题具体表现"]),
    (Col::Scope, &["问题性质", "问题层面"]),
    (Col::Disclosure, &["公开属性", "是否公开"]),
    (Col::MeasureSeq, &["措施序号", "措施编号", "任务序号"]),
    (Col::Measure, &["整改措施", "整改任务", "具体措施", "措施", "整改举措", "主要措施", "整改措施及要求"]),
    (Col::Kind, &["整改类型", "整改方式", "整改性质"]),
    (
        Col::Deadline,
        &["完成时限", "整改时限", "整改期限", "时间节点", "完成时间", "完成期限", "时限", "整改完成时限", "办结时限"],
    ),
    (Col::Status, &["整改状态", "完成情况", "是否完成", "整改结果", "状态", "办理状态", "问题整改状态"]),
    (Col::Warning, &["预警", "预警状态", "预警灯", "时限预警"]),
    (Col::FirstResponsible, &["第一责任人", "主要负责人"]),
    (Col::Leader, &["责任领导", "牵头领导", "分管领导", "分管责任领导", "领导责任人"]),
    (Col::Departments, &["责任部门", "牵头部门", "责任科室", "责任单位", "牵头单位", "责任处室", "牵头科室"]),
    (Col::Liaison, &["责任人", "具体经办人", "经办人", "联系人", "联络员", "具体责任人"]),
    (Col::ProgressDate, &["进展日期", "更新日期", "填报日期", "进展时间"]),
    (
        Col::Progress,
        &["整改进展", "进展情况", "目前进展", "整改进度", "整改落实情况", "整改情况", "推进情况", "整改完成情况"],
    ),
    (Col::Evidence, &["佐证材料", "证明材料", "佐证材料目录", "附件", "佐证材料清单", "佐证资料"]),
    (Col::TextDates, &["文中日期"]),
    (Col::TextAmounts, &["文中金额万元", "文中金额"]),
    (Col::TextDocuments, &["文中文件"]),
    (Col::MeasureCount, &["措施数", "措施条数"]),
    (Col::Remark, &["备注", "说明"]),
];

/// Keeps letters and digits only (CJK counts as letters), so "完成 时限：" and "完成时限" agree.
pub(crate) fn normalise(text: &str) -> String {
    text.chars().filter(|c| c.is_alphanumeric()).collect()
}

/// The text with parenthesised notes removed, and the notes themselves.
fn split_notes(text: &str) -> (String, Vec<String>) {
    let mut main = String::new();
    let mut notes = Vec::new();
    let mut depth = 0usize;
    let mut note = String::new();
    for c in text.chars() {
        match c {
            '（' | '(' | '【' | '[' => {
                depth += 1;
                note.clear();
            }
            '）' | ')' | '】' | ']' if depth > 0 => {
                depth -= 1;
                notes.push(std::mem::take(&mut note));
            }
            _ if depth > 0 => note.push(c),
            _ => main.push(c),
        }
    }
    (main, notes)
}

fn lookup(normalised: &str) -> Option<Col> {
    SYNONYMS.iter().find(|(_, words)| words.contains(&normalised)).map(|(col, _)| *col)
}

/// The column a header names, if any: by its synonyms, or else by the words it contains.
pub(crate) fn classify(header: &str) -> Option<Col> {
    classify_exact(header).or_else(|| by_words(&normalise(&split_notes(header).0)))
}

/// The column a header names by one of its synonyms (or the synonym in its note).
pub(crate) fn classify_exact(header: &str) -> Option<Col> {
    let whole = normalise(header);
    if whole.is_empty() {
        return None;
    }
    if let Some(col) = lookup(&whole) {
        return Some(col);
    }
    let (main, notes) = split_notes(header);
    lookup(&normalise(&main)).or_else(|| notes.iter().find_map(|n| lookup(&normalise(n))))
}

/// Headers that are no synonym, read by the words they contain ("整改责任领导", "牵头责任单位",
/// "计划完成时限"), in an order that puts the more telling word first. Long texts are no
/// header (a title row is not read as one).
fn by_words(header: &str) -> Option<Col> {
    if header.chars().count() > 12 {
        return None;
    }
    let has = |words: &[&str]| words.iter().any(|w| header.contains(w));
    let col = if has(&["序号", "编号"]) {
        if has(&["措施", "任务"]) { Col::MeasureSeq } else { Col::Seq }
    } else if has(&["配合", "协助", "协办"]) {
        return None;
    } else if has(&["时限", "期限", "完成时间", "时间节点", "完成日期"]) {
        Col::Deadline
    } else if has(&["是否完成", "完成情况", "整改状态", "完成状态", "是否整改"]) {
        Col::Status
    } else if has(&["进展", "进度", "落实情况"]) {
        Col::Progress
    } else if has(&["措施", "任务", "举措"]) {
        Col::Measure
    } else if has(&["领导"]) {
        Col::Leader
    } else if has(&["部门", "单位", "科室", "处室"]) {
        Col::Departments
    } else if has(&["责任人", "联系人", "经办"]) {
        Col::Liaison
    } else if has(&["佐证", "附件"]) {
        Col::Evidence
    } else if has(&["问题"]) {
        Col::Problem
    } else if has(&["备注"]) {
        Col::Remark
    } else {
        return None;
    };
    Some(col)
}

/// Columns whose blank cells mean "same record as the row above" and must not be filled from a
/// merged region: they decide where a problem, a measure or a progress entry begins.
pub(crate) fn is_identity(col: Col) -> bool {
    matches!(
        col,
        Col::Seq
            | Col::ProblemNumber
            | Col::AspectSeq
            | Col::AspectNumber
            | Col::Aspect
            | Col::Problem
            | Col::MeasureSeq
            | Col::Measure
            | Col::ProgressDate
            | Col::Progress
            | Col::Evidence
    )
}

/// Excel's column letters: 0 → A, 26 → AA.
pub(crate) fn letter(mut col: u32) -> String {
    let mut out = Vec::new();
    loop {
        out.push(char::from(b'A' + (col % 26) as u8));
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    out.iter().rev().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_match_by_meaning() {
        assert_eq!(classify("完成时限（时间节点）"), Some(Col::Deadline));
        assert_eq!(classify(" 整改 措施： "), Some(Col::Measure));
        assert_eq!(classify("（时间节点）"), Some(Col::Deadline));
        assert_eq!(classify("责任单位(部门)"), Some(Col::Departments));
        assert_eq!(classify("文中金额（万元）"), Some(Col::TextAmounts));
        assert_eq!(classify("合计"), None);
        assert_eq!(classify("整改责任领导"), Some(Col::Leader));
        assert_eq!(classify("牵头责任单位"), Some(Col::Departments));
        assert_eq!(classify("配合单位"), None);
        assert_eq!(classify("计划完成时限"), Some(Col::Deadline));
        assert_eq!(classify("巡察反馈问题描述"), Some(Col::Problem));
        assert_eq!(classify("某某局关于巡察反馈问题的整改台账"), None);
        assert_eq!(classify(""), None);
    }

    #[test]
    fn column_letters() {
        assert_eq!(letter(0), "A");
        assert_eq!(letter(25), "Z");
        assert_eq!(letter(26), "AA");
        assert_eq!(letter(27), "AB");
        assert_eq!(letter(701), "ZZ");
        assert_eq!(letter(702), "AAA");
    }
}
