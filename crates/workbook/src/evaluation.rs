//! The evaluation of a round as a workbook (整改评估汇总表): one row per unit, ranked, with the
//! outcomes counted, the computed score, the office's adjustment, the result and its tier. The
//! caller hands in plain rows; this crate knows no database.

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook};

use crate::WorkbookError;

/// The sheet's name.
pub const SHEET_EVALUATION: &str = "整改评估";

/// One unit of the round.
#[derive(Debug, Clone, PartialEq)]
pub struct EvaluationRow {
    pub rank: u32,
    pub unit: String,
    pub problems: u32,
    pub closed: u32,
    /// e.g. `90.00%`; `None` when nothing was fed back.
    pub completion_rate: Option<String>,
    pub overdue_measures: u32,
    pub relapses: u32,
    pub unanswered_feedback: u32,
    pub sent_back: u32,
    pub computed: f64,
    pub adjustment: f64,
    pub score: f64,
    /// 好, 较好, 一般 or 差.
    pub tier: String,
    pub vetoed: bool,
}

const HEADERS: [(&str, f64); 14] = [
    ("排名", 6.0),
    ("被巡察单位", 30.0),
    ("反馈问题", 8.0),
    ("已销号", 8.0),
    ("整改完成率", 10.0),
    ("逾期措施", 8.0),
    ("反弹问题", 8.0),
    ("逾期未答复意见", 10.0),
    ("退回重办", 8.0),
    ("计算得分", 9.0),
    ("调整分", 8.0),
    ("最终得分", 9.0),
    ("等次", 6.0),
    ("一票否决", 8.0),
];

/// Writes the round's evaluation: a title row, a header row, one row per unit.
pub fn write_evaluation_xlsx(title: &str, rows: &[EvaluationRow]) -> Result<Vec<u8>, WorkbookError> {
    let text = Format::new().set_border(FormatBorder::Thin).set_font_name("宋体").set_font_size(10.5).set_text_wrap();
    let centre = text.clone().set_align(FormatAlign::Center);
    let score = centre.clone().set_num_format("0.0");
    let header = centre.clone().set_bold().set_font_name("黑体");
    let heading = Format::new().set_bold().set_font_size(16).set_align(FormatAlign::Center).set_font_name("黑体");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name(SHEET_EVALUATION)?;
    ws.merge_range(0, 0, 0, HEADERS.len() as u16 - 1, title, &heading)?;
    for (col, (name, width)) in HEADERS.iter().enumerate() {
        ws.write_string_with_format(1, col as u16, *name, &header)?;
        ws.set_column_width(col as u16, *width)?;
    }
    ws.set_freeze_panes(2, 0)?;
    for (i, r) in rows.iter().enumerate() {
        let row = i as u32 + 2;
        ws.write_number_with_format(row, 0, f64::from(r.rank), &centre)?;
        ws.write_string_with_format(row, 1, &r.unit, &text)?;
        ws.write_number_with_format(row, 2, f64::from(r.problems), &centre)?;
        ws.write_number_with_format(row, 3, f64::from(r.closed), &centre)?;
        ws.write_string_with_format(row, 4, r.completion_rate.as_deref().unwrap_or("—"), &centre)?;
        ws.write_number_with_format(row, 5, f64::from(r.overdue_measures), &centre)?;
        ws.write_number_with_format(row, 6, f64::from(r.relapses), &centre)?;
        ws.write_number_with_format(row, 7, f64::from(r.unanswered_feedback), &centre)?;
        ws.write_number_with_format(row, 8, f64::from(r.sent_back), &centre)?;
        ws.write_number_with_format(row, 9, r.computed, &score)?;
        ws.write_number_with_format(row, 10, r.adjustment, &score)?;
        ws.write_number_with_format(row, 11, r.score, &score)?;
        ws.write_string_with_format(row, 12, &r.tier, &centre)?;
        ws.write_string_with_format(row, 13, if r.vetoed { "是" } else { "" }, &centre)?;
    }
    ws.autofilter(1, 0, (rows.len() as u32 + 1).max(1), HEADERS.len() as u16 - 1)?;
    Ok(wb.save_to_buffer()?)
}

#[cfg(test)]
mod tests {
    use calamine::{Data, Reader, Xlsx};

    use super::*;

    #[test]
    fn the_workbook_reads_back() {
        let row = EvaluationRow {
            rank: 1,
            unit: "甲局".into(),
            problems: 20,
            closed: 18,
            completion_rate: Some("90.00%".into()),
            overdue_measures: 2,
            relapses: 1,
            unanswered_feedback: 1,
            sent_back: 3,
            computed: 79.5,
            adjustment: 0.5,
            score: 80.0,
            tier: "较好".into(),
            vetoed: false,
        };
        let vetoed = EvaluationRow { rank: 2, unit: "乙局".into(), tier: "差".into(), vetoed: true, ..row.clone() };
        let bytes = write_evaluation_xlsx("区委第五轮巡察整改评估汇总表", &[row, vetoed]).unwrap();
        let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let range = wb.worksheet_range(SHEET_EVALUATION).unwrap();
        assert_eq!(range.get_value((0, 0)), Some(&Data::String("区委第五轮巡察整改评估汇总表".into())));
        assert_eq!(range.get_value((1, 11)), Some(&Data::String("最终得分".into())));
        assert_eq!(range.get_value((2, 1)), Some(&Data::String("甲局".into())));
        assert_eq!(range.get_value((2, 9)), Some(&Data::Float(79.5)));
        assert_eq!(range.get_value((2, 12)), Some(&Data::String("较好".into())));
        assert_eq!(range.get_value((3, 13)), Some(&Data::String("是".into())));
    }
}
