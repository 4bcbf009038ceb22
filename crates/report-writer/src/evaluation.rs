//! The evaluation sheet (整改评估表) of one unit: how its score was earned, what was deducted,
//! the office's adjustments with their reasons, the result and its tier — printed in the
//! official layout of the progress report. The caller hands in plain figures; this crate knows
//! no database.

use chrono::NaiveDate;
use rectify_domain::PartialDate;

use crate::docx::blocks_to_docx;
use crate::{Block, WriteError};

/// One line of the sheet: an indicator or a deduction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetLine {
    /// e.g. 整改完成率.
    pub name: String,
    /// What was counted, e.g. `已销号18个／反馈问题20个`.
    pub detail: String,
    /// The points, e.g. `45` or `-2`.
    pub points: String,
}

/// One adjustment by the office.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetAdjustment {
    /// e.g. `+1.5`, `-2`, or `一票否决`.
    pub change: String,
    pub reason: String,
    /// Who, and when (as people read it).
    pub by: String,
}

/// A unit's evaluation sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvaluationSheet {
    /// The round, e.g. 区委第五轮巡察.
    pub round: String,
    pub unit: String,
    /// Who evaluates, e.g. 区委巡察工作领导小组办公室.
    pub issuer: String,
    pub date: NaiveDate,
    pub indicators: Vec<SheetLine>,
    pub deductions: Vec<SheetLine>,
    /// The score the outcomes earn, e.g. `79.5`.
    pub computed: String,
    pub adjustments: Vec<SheetAdjustment>,
    pub score: String,
    /// 好, 较好, 一般 or 差.
    pub tier: String,
    /// Why the unit was vetoed (一票否决), when it was.
    pub veto: Option<String>,
    /// (rank, units in the round).
    pub rank: Option<(u32, u32)>,
}

impl EvaluationSheet {
    pub fn blocks(&self) -> Vec<Block> {
        let mut blocks = vec![Block::Title(format!("{}整改评估表", self.round))];
        blocks.push(Block::Paragraph(format!("被评估单位：{}", self.unit)));
        blocks.push(Block::Heading1("一、评分指标".to_owned()));
        for (i, line) in self.indicators.iter().enumerate() {
            blocks.push(Block::Heading3(format!("{}.{}", i + 1, line.name)));
            blocks.push(Block::Paragraph(format!("{}，得{}分。", line.detail, line.points)));
        }
        blocks.push(Block::Heading1("二、扣分情况".to_owned()));
        let counted: Vec<&SheetLine> = self.deductions.iter().filter(|d| d.points != "0").collect();
        if counted.is_empty() {
            blocks.push(Block::Paragraph("无扣分事项。".to_owned()));
        }
        for (i, line) in counted.iter().enumerate() {
            blocks.push(Block::Heading3(format!("{}.{}", i + 1, line.name)));
            blocks.push(Block::Paragraph(format!("{}，扣{}分。", line.detail, line.points.trim_start_matches('-'))));
        }
        blocks.push(Block::Heading1("三、评估结果".to_owned()));
        blocks.push(Block::Paragraph(format!("按评分标准计算得分{}分。", self.computed)));
        for a in &self.adjustments {
            blocks.push(Block::Paragraph(format!(
                "巡察机构调整：{}，理由：{}（{}）。",
                a.change,
                a.reason.trim_end_matches('。'),
                a.by
            )));
        }
        let mut result = format!("最终得分{}分，评定等次为“{}”", self.score, self.tier);
        if let Some((rank, of)) = self.rank {
            result.push_str(&format!("，在本轮{of}个被巡察单位中排第{rank}名"));
        }
        result.push('。');
        blocks.push(Block::Paragraph(result));
        if let Some(why) = &self.veto {
            blocks.push(Block::Paragraph(format!("一票否决：{}。", why.trim_end_matches('。'))));
        }
        blocks.push(Block::Signature(self.issuer.clone()));
        blocks.push(Block::Date(PartialDate::from(self.date).to_chinese()));
        blocks
    }
}

/// The sheet as a .docx in the official layout of the progress report.
pub fn render_evaluation_sheet(sheet: &EvaluationSheet) -> Result<Vec<u8>, WriteError> {
    blocks_to_docx(&sheet.blocks())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet() -> EvaluationSheet {
        let line = |name: &str, detail: &str, points: &str| SheetLine {
            name: name.into(),
            detail: detail.into(),
            points: points.into(),
        };
        EvaluationSheet {
            round: "区委第五轮巡察".into(),
            unit: "某某局党组".into(),
            issuer: "区委巡察工作领导小组办公室".into(),
            date: NaiveDate::from_ymd_opt(2026, 12, 4).unwrap(),
            indicators: vec![line("整改完成率", "已销号18个／反馈问题20个", "45")],
            deductions: vec![line("逾期未完成整改措施", "2项", "-2"), line("销号申请被退回", "0次", "0")],
            computed: "79.5".into(),
            adjustments: vec![SheetAdjustment {
                change: "+0.5分".into(),
                reason: "主动公开整改情况。".into(),
                by: "office，2026年12月3日".into(),
            }],
            score: "80".into(),
            tier: "较好".into(),
            veto: None,
            rank: Some((2, 12)),
        }
    }

    #[test]
    fn the_sheet_says_what_was_earned_deducted_and_adjusted() {
        let text: Vec<String> = sheet().blocks().iter().map(|b| b.text().to_owned()).collect();
        let all = text.join("\n");
        assert_eq!(text[0], "区委第五轮巡察整改评估表");
        assert!(all.contains("已销号18个／反馈问题20个，得45分。"), "{all}");
        assert!(all.contains("1.逾期未完成整改措施\n2项，扣2分。"), "{all}");
        assert!(!all.contains("销号申请被退回"), "a deduction of nothing is left out: {all}");
        assert!(all.contains("巡察机构调整：+0.5分，理由：主动公开整改情况（office，2026年12月3日）。"), "{all}");
        assert!(all.contains("最终得分80分，评定等次为“较好”，在本轮12个被巡察单位中排第2名。"), "{all}");
        assert_eq!(text.last().map(String::as_str), Some("2026年12月4日"));
    }

    #[test]
    fn the_sheet_is_a_docx() {
        let bytes = render_evaluation_sheet(&sheet()).unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut xml = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("word/document.xml").unwrap(), &mut xml).unwrap();
        assert!(xml.contains("整改评估表") && xml.contains("评定等次"), "{xml}");
    }
}
