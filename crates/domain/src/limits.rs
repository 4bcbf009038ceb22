//! Text limits on input (输入长度限制): the one table of how long each kind of text a person or a
//! file gives may be, counted in characters (Unicode scalar values, so that a Chinese character
//! counts as one).
//!
//! Why limits at all: one progress text of 9 MB was once accepted, after which every workbook
//! export failed (a spreadsheet cell holds at most 32,767 characters), every page that lists the
//! measure grew by 9 MB, and the audit entry carried it too (issue 13, finding 3). Why these
//! figures: the 31 real reports of the corpus give at most 713 characters for a measure, 360 for
//! a problem's description, 137 for a problem's title and 52 for a document's title; each limit
//! leaves several times that room, stays well under a workbook cell when joined with a few
//! others, and keeps one page of a ledger within a few megabytes.
//!
//! Where they are enforced: [`crate::Ledger::check`] (every import: JSON, workbook, report, with
//! the JSON path of the field), the closure workflow for reasons ([`crate::workflow::apply`]),
//! and storage for everything it accepts outside a ledger (progress, evidence, reminders,
//! look-back notes, hand-overs, feedback and answers, account names).

use std::fmt;

/// The limit of one kind of text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// What the text is, in English ("progress text").
    pub what: &'static str,
    /// The same in Chinese (整改进展).
    pub what_zh: &'static str,
    /// At most this many characters.
    pub max_chars: usize,
}

/// 整改进展: one progress report on a measure. About one typed page.
pub const PROGRESS_TEXT: Limit = Limit { what: "progress text", what_zh: "整改进展", max_chars: 5_000 };
/// 整改措施: a measure's text (longest real one: 713).
pub const MEASURE_TEXT: Limit = Limit { what: "measure text", what_zh: "整改措施", max_chars: 5_000 };
/// 问题表现: a problem's longer description (longest real one: 360).
pub const DESCRIPTION: Limit = Limit { what: "description", what_zh: "问题表现", max_chars: 10_000 };
/// Titles: of a problem (longest real one: 137), a document, a piece of evidence, a report, an
/// aspect, a meeting.
pub const TITLE: Limit = Limit { what: "title", what_zh: "标题", max_chars: 500 };
/// Reasons and notes: sending back, extensions, reopening, reminders, look-back notes, notes on
/// funds, decisions of meetings.
pub const REASON: Limit = Limit { what: "reason", what_zh: "理由或说明", max_chars: 1_000 };
/// 审核意见: the comment a reviewer may give with an approval (of a closure or an extension).
pub const REVIEW_COMMENT: Limit = Limit { what: "review comment", what_zh: "审核意见", max_chars: 1_000 };
/// Names and short labels: of people, units, departments, roles, kinds, rounds, inspection
/// groups, numbers, contact lines, media types.
pub const NAME: Limit = Limit { what: "name", what_zh: "名称", max_chars: 200 };
/// 意见建议: the subject of a citizen's feedback on the public portal.
pub const FEEDBACK_SUBJECT: Limit = Limit { what: "subject", what_zh: "标题", max_chars: 50 };
/// 意见建议: the body of a citizen's feedback.
pub const FEEDBACK_BODY: Limit = Limit { what: "feedback", what_zh: "意见建议内容", max_chars: 2_000 };
/// The name a citizen gives with a feedback.
pub const FEEDBACK_NAME: Limit = Limit { what: "name", what_zh: "姓名", max_chars: 50 };
/// The contact a citizen gives with a feedback.
pub const FEEDBACK_CONTACT: Limit = Limit { what: "contact", what_zh: "联系方式", max_chars: 100 };
/// The staff's answer to a feedback.
pub const FEEDBACK_ANSWER: Limit = Limit { what: "answer", what_zh: "答复", max_chars: 5_000 };

/// Every limit, for documentation and tests.
pub const ALL: [Limit; 12] = [
    PROGRESS_TEXT,
    MEASURE_TEXT,
    DESCRIPTION,
    TITLE,
    REASON,
    REVIEW_COMMENT,
    NAME,
    FEEDBACK_SUBJECT,
    FEEDBACK_BODY,
    FEEDBACK_NAME,
    FEEDBACK_CONTACT,
    FEEDBACK_ANSWER,
];

/// A text over its limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the {} is {chars} characters long; at most {} are accepted", .limit.what, .limit.max_chars)]
pub struct TooLong {
    pub limit: Limit,
    pub chars: usize,
}

impl TooLong {
    /// 整改进展过长（5,012字），最多5000字.
    pub fn message_zh(&self) -> String {
        format!("{}过长（{}字），最多{}字", self.limit.what_zh, self.chars, self.limit.max_chars)
    }
}

impl Limit {
    /// `Ok` when `text` is within the limit. Counts characters only when the bytes could be over.
    pub fn check(self, text: &str) -> Result<(), TooLong> {
        // A character takes at least one byte: few bytes, few characters.
        if text.len() <= self.max_chars {
            return Ok(());
        }
        let chars = text.chars().count();
        if chars <= self.max_chars { Ok(()) } else { Err(TooLong { limit: self, chars }) }
    }

    /// [`Limit::check`] of an optional text.
    pub fn check_opt(self, text: Option<&str>) -> Result<(), TooLong> {
        text.map_or(Ok(()), |t| self.check(t))
    }

    /// [`Limit::check`] of every text of a list.
    pub fn check_all<'a>(self, texts: impl IntoIterator<Item = &'a str>) -> Result<(), TooLong> {
        texts.into_iter().try_for_each(|t| self.check(t))
    }
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}): {} characters", self.what, self.what_zh, self.max_chars)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn characters_not_bytes_are_counted() {
        let at_limit = "进".repeat(PROGRESS_TEXT.max_chars);
        assert!(at_limit.len() > PROGRESS_TEXT.max_chars, "three bytes a character");
        assert_eq!(PROGRESS_TEXT.check(&at_limit), Ok(()));
        let over = format!("{at_limit}a");
        let err = PROGRESS_TEXT.check(&over).unwrap_err();
        assert_eq!(err.chars, PROGRESS_TEXT.max_chars + 1);
        assert_eq!(err.message_zh(), "整改进展过长（5001字），最多5000字");
        assert_eq!(err.to_string(), "the progress text is 5001 characters long; at most 5000 are accepted");
    }

    #[test]
    fn the_limits_leave_room_for_real_text_and_fit_a_workbook_cell() {
        // The longest texts of the 31 real reports of the corpus, by kind.
        for (limit, longest_real) in [(MEASURE_TEXT, 713), (DESCRIPTION, 360), (TITLE, 137), (NAME, 52)] {
            assert!(limit.max_chars >= 3 * longest_real, "{limit}");
        }
        for limit in ALL {
            assert!(limit.max_chars <= 32_767 / 3, "{limit}: three of them fit one spreadsheet cell");
        }
    }

    #[test]
    fn options_and_lists() {
        assert_eq!(NAME.check_opt(None), Ok(()));
        assert!(NAME.check_opt(Some(&"x".repeat(201))).is_err());
        assert!(NAME.check_all(["a", &"y".repeat(201)]).is_err());
    }
}
