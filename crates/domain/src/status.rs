//! The statuses practice uses (domain brief §6.2) and the kinds of rectification (§1.3).

use serde::{Deserialize, Serialize};

/// Where a problem or a measure stands. The JSON names are the interchange format's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// 未启动 — nothing done yet.
    NotStarted,
    /// 正在整改 — work under way within its deadline.
    InProgress,
    /// 基本完成 — main work done, some continues; never counted as completed.
    BasicallyCompleted,
    /// 已完成待核 — the unit declares it done with evidence; an outside verifier has not closed it.
    PendingVerification,
    /// 已完成 / 已销号 — completed; in the workflow, verified and closed.
    Completed,
    /// 延期整改 — an approved extension is running.
    Extended,
    /// 长期坚持 — stage target met, stays open for monitoring.
    LongTerm,
    /// 未完成 — final state at report time: not done.
    NotDone,
    /// The source does not say.
    Unknown,
}

impl Status {
    pub const ALL: [Status; 9] = [
        Status::NotStarted,
        Status::InProgress,
        Status::BasicallyCompleted,
        Status::PendingVerification,
        Status::Completed,
        Status::Extended,
        Status::LongTerm,
        Status::NotDone,
        Status::Unknown,
    ];

    /// The name used in the interchange format and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::NotStarted => "not_started",
            Status::InProgress => "in_progress",
            Status::BasicallyCompleted => "basically_completed",
            Status::PendingVerification => "pending_verification",
            Status::Completed => "completed",
            Status::Extended => "extended",
            Status::LongTerm => "long_term",
            Status::NotDone => "not_done",
            Status::Unknown => "unknown",
        }
    }

    pub fn from_name(name: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// The words a report or a ledger uses.
    pub fn label_zh(self) -> &'static str {
        match self {
            Status::NotStarted => "未启动",
            Status::InProgress => "正在整改",
            Status::BasicallyCompleted => "基本完成",
            Status::PendingVerification => "已完成待核",
            Status::Completed => "已完成",
            Status::Extended => "延期整改",
            Status::LongTerm => "长期坚持",
            Status::NotDone => "未完成",
            Status::Unknown => "未知",
        }
    }

    /// Reads the status words found in reports and spreadsheets ("整改状态:完成").
    pub fn from_chinese(text: &str) -> Option<Status> {
        let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let t = t.trim_matches(|c: char| "。.；;：:，,".contains(c));
        let status = match t {
            "未启动" | "未开始" | "尚未启动" => Status::NotStarted,
            "正在整改" | "整改中" | "推进中" | "进行中" | "持续推进" | "正在推进" | "阶段性完成" => {
                Status::InProgress
            }
            "基本完成" | "基本完成整改" | "取得阶段性成果" => Status::BasicallyCompleted,
            "已完成待核" | "待核" | "待销号" | "申请销号" => Status::PendingVerification,
            "完成" | "已完成" | "已整改" | "完成整改" | "已完成整改" | "整改完成" | "已销号" | "销号" | "已办结"
            | "办结" => Status::Completed,
            "延期" | "延期整改" | "申请延期" | "申请延期整改" => Status::Extended,
            "长期坚持" | "持续整改" | "长期整改" | "长期推进" => Status::LongTerm,
            "未完成" | "未整改" | "尚未整改" | "未完成整改" => Status::NotDone,
            _ => return None,
        };
        Some(status)
    }
}

/// 整改类型 — how a measure is meant to be carried out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeasureKind {
    /// 立行立改 — fixed at once.
    Immediate,
    /// 限期整改 — fixed by a deadline.
    TimeLimited,
    /// 长期坚持 — lasting work, reported periodically and closed in stages.
    LongTerm,
}

impl MeasureKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MeasureKind::Immediate => "immediate",
            MeasureKind::TimeLimited => "time_limited",
            MeasureKind::LongTerm => "long_term",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        [MeasureKind::Immediate, MeasureKind::TimeLimited, MeasureKind::LongTerm]
            .into_iter()
            .find(|k| k.as_str() == name)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            MeasureKind::Immediate => "立行立改",
            MeasureKind::TimeLimited => "限期整改",
            MeasureKind::LongTerm => "长期坚持",
        }
    }

    pub fn from_chinese(text: &str) -> Option<Self> {
        match text.trim() {
            "立行立改" | "即知即改" | "立巡立改" => Some(MeasureKind::Immediate),
            "限期整改" | "限时整改" | "分阶段整改" => Some(MeasureKind::TimeLimited),
            "长期坚持" | "长期整改" | "持续整改" | "持续推进" => Some(MeasureKind::LongTerm),
            _ => None,
        }
    }
}

/// 面上问题 (a general problem found across the unit) or 具体问题 (a specific case).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemScope {
    General,
    Specific,
}

/// Whether a problem may appear in the public report (domain brief §1.6: five withheld kinds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Disclosure {
    #[default]
    Public,
    /// 涉及党和国家秘密
    WithheldSecret,
    /// 正在初核或已立案尚未公布的案件
    WithheldPendingCase,
    /// 其他经领导小组同意不予公开的事项
    WithheldOther,
}

impl Disclosure {
    pub fn is_public(self) -> bool {
        self == Disclosure::Public
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_name_reads_back() {
        for s in Status::ALL {
            assert_eq!(Status::from_name(s.as_str()), Some(s));
            let json = serde_json::to_string(&s).unwrap();
            assert_eq!(json, format!("\"{}\"", s.as_str()));
        }
    }

    #[test]
    fn chinese_status_lines() {
        assert_eq!(Status::from_chinese("完成"), Some(Status::Completed));
        assert_eq!(Status::from_chinese(" 阶段性完成。"), Some(Status::InProgress));
        assert_eq!(Status::from_chinese("长期坚持"), Some(Status::LongTerm));
        assert_eq!(Status::from_chinese("很好"), None);
    }
}
