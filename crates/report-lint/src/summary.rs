//! Defects grouped by kind, so that a listing says "41 处半角标点（第 3、5、7… 行）" once instead
//! of 41 lines; for the CLI's text output and the import preview.

use std::fmt::Write as _;

use serde::Serialize;

use crate::{Defect, DefectKind};

/// Lines a group names before it says "…".
pub const GROUP_LINES: usize = 8;

/// All defects of one kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DefectGroup {
    pub kind: DefectKind,
    pub count: usize,
    /// "41 处半角标点".
    pub summary_zh: String,
    /// The first [`GROUP_LINES`] distinct lines, ascending.
    pub lines: Vec<usize>,
    /// Whether more lines have defects of this kind than `lines` shows.
    pub more_lines: bool,
    /// The first defect of the kind, as an example.
    pub first: Defect,
}

impl DefectKind {
    /// What the defect is called in Chinese, as a count noun: "41 处" + label.
    #[must_use]
    pub const fn label_zh(self) -> &'static str {
        match self {
            Self::NumberingGap => "编号不连续",
            Self::CountMismatch => "数字与所列不符",
            Self::BrokenEnumeration => "列举序号缺字",
            Self::HalfwidthPunctuation => "半角标点",
            Self::DateAfterReport => "日期晚于报告日期",
            Self::ForeignPlace => "外地地名",
            Self::PageBreakArtifact => "分页或排版残留",
            Self::DuplicateText => "重复语句",
            Self::RateMismatch => "完成率与数字不符",
            Self::VariantCharacter => "不规范字形",
        }
    }

    /// What a clerk should check for the defect, in Chinese (one sentence).
    #[must_use]
    pub const fn hint_zh(self) -> &'static str {
        match self {
            Self::NumberingGap => "序号跳号或重复；公开的通报可能有意略去个别条目，请核对编号是否应当连续。",
            Self::CountMismatch => "文中所述数量与实际列出的条目数不一致，请核对。",
            Self::BrokenEnumeration => "“一是、二是……”中缺少“是”字或序数，请补全。",
            Self::HalfwidthPunctuation => "中文行文中使用了半角标点，应改为全角标点。",
            Self::DateAfterReport => "所述已完成事项的日期晚于报告日期，请核对日期。",
            Self::ForeignPlace => "出现了非本地的地名，可能是套用其他材料，请核对。",
            Self::PageBreakArtifact => "疑似分页、换行或排版残留，请检查原文是否断句或粘连。",
            Self::DuplicateText => "同一句话重复出现，请确认是否重复粘贴。",
            Self::RateMismatch => "所述完成率与所列数量计算结果不符，请核对。",
            Self::VariantCharacter => "使用了不规范字形（如“台帐”应为“台账”），请改正。",
        }
    }
}

/// The defects grouped by kind, kinds in the order of their first defect in the text.
#[must_use]
pub fn group(defects: &[Defect]) -> Vec<DefectGroup> {
    let mut sorted: Vec<&Defect> = defects.iter().collect();
    sorted.sort_by_key(|d| (d.line, d.kind));
    let mut groups: Vec<DefectGroup> = Vec::new();
    for d in sorted {
        match groups.iter_mut().find(|g| g.kind == d.kind) {
            Some(g) => {
                g.count += 1;
                if g.lines.last() != Some(&d.line) {
                    if g.lines.len() < GROUP_LINES {
                        g.lines.push(d.line);
                    } else {
                        g.more_lines = true;
                    }
                }
            }
            None => groups.push(DefectGroup {
                kind: d.kind,
                count: 1,
                summary_zh: String::new(),
                lines: vec![d.line],
                more_lines: false,
                first: d.clone(),
            }),
        }
    }
    for g in &mut groups {
        g.summary_zh = format!("{} 处{}", g.count, g.kind.label_zh());
    }
    groups
}

/// Kinds with at most this many defects are listed defect by defect.
const LIST_AT_MOST: usize = 3;

/// The text listing with similar defects grouped: a kind with a few defects lists each as
/// [`crate::to_text`] does; a kind with more takes one line,
/// `41 处半角标点（halfwidth_punctuation）：第 3、5、7 行 等  例：L3 message  «excerpt»`.
#[must_use]
pub fn to_grouped_text(defects: &[Defect]) -> String {
    let mut out = String::new();
    for g in group(defects) {
        if g.count <= LIST_AT_MOST {
            let mut of_kind: Vec<Defect> = defects.iter().filter(|d| d.kind == g.kind).cloned().collect();
            of_kind.sort_by_key(|d| d.line);
            out.push_str(&crate::to_text(&of_kind));
            continue;
        }
        let lines: Vec<String> = g.lines.iter().map(usize::to_string).collect();
        let more = if g.more_lines { " 等" } else { "" };
        let _ = writeln!(
            out,
            "{}（{}）：第 {} 行{more}  例：L{} {}  «{}»",
            g.summary_zh,
            g.kind,
            lines.join("、"),
            g.first.line,
            g.first.message,
            g.first.excerpt
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_defect_kind_has_a_chinese_label() {
        for kind in [
            DefectKind::NumberingGap,
            DefectKind::CountMismatch,
            DefectKind::BrokenEnumeration,
            DefectKind::HalfwidthPunctuation,
            DefectKind::DateAfterReport,
            DefectKind::ForeignPlace,
            DefectKind::PageBreakArtifact,
            DefectKind::DuplicateText,
            DefectKind::RateMismatch,
            DefectKind::VariantCharacter,
        ] {
            assert!(kind.label_zh().chars().all(|c| !c.is_ascii()), "{kind:?}");
            assert!(kind.hint_zh().ends_with('。'), "{kind:?}");
        }
    }

    fn defect(kind: DefectKind, line: usize) -> Defect {
        Defect::new(kind, line, format!("excerpt {line}"), format!("message {line}"))
    }

    #[test]
    fn one_group_per_kind_with_its_first_lines() {
        let mut defects: Vec<Defect> = (1..=41).map(|l| defect(DefectKind::HalfwidthPunctuation, l * 2)).collect();
        defects.push(defect(DefectKind::NumberingGap, 5));
        defects.push(defect(DefectKind::NumberingGap, 5));
        let groups = group(&defects);
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0].kind, DefectKind::HalfwidthPunctuation);
        assert_eq!(groups[0].summary_zh, "41 处半角标点");
        assert_eq!(groups[0].lines, [2, 4, 6, 8, 10, 12, 14, 16]);
        assert!(groups[0].more_lines);
        assert_eq!(groups[1].summary_zh, "2 处编号不连续");
        assert_eq!(groups[1].lines, [5], "a line is named once");
        assert!(!groups[1].more_lines);
        assert_eq!(groups[1].first.line, 5);
        let text = to_grouped_text(&defects);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3, "{text}");
        assert!(lines[0].starts_with(
            "41 处半角标点（halfwidth_punctuation）：第 2、4、6、8、10、12、14、16 行 等  例：L2 message 2"
        ));
        assert_eq!(lines[1], "L5 numbering_gap: message 5  «excerpt 5»", "few defects are listed one by one");
        assert!(group(&[]).is_empty());
    }
}
