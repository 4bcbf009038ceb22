//! The values of one row of a sheet, by the column they stand in.

use calamine::Data;

use super::grid::{EMPTY, Grid};
use super::layout::Columns;
use crate::columns::Col;

/// The values of one row in a problem or ledger sheet.
pub(super) struct RowView<'a> {
    pub(super) grid: &'a Grid,
    pub(super) cols: &'a Columns,
    pub(super) row: usize,
}

impl RowView<'_> {
    pub(super) fn text(&self, col: Col) -> Option<String> {
        self.cols.at(col).and_then(|c| self.grid.text(self.row, c))
    }

    pub(super) fn data(&self, col: Col) -> &Data {
        self.cols.at(col).map_or(&EMPTY, |c| self.grid.get(self.row, c))
    }

    pub(super) fn column(&self, col: Col) -> Option<String> {
        self.cols.at(col).map(|c| self.cols.describe(c))
    }

    /// The text of a note under or inside the table (注：…, 填表人：…, 合计) that is no data.
    pub(super) fn note(&self) -> Option<String> {
        let text = (0..self.grid.width()).find_map(|c| self.grid.text(self.row, c))?;
        let t = text.trim_start();
        let noted = ["注：", "注:", "注1", "注 ", "注．", "注."].iter().any(|p| t.starts_with(p));
        let words = [
            "备注",
            "说明：",
            "说明:",
            "填表",
            "填报人",
            "填报单位",
            "填报日期",
            "填报时间",
            "制表",
            "审核人",
            "审核：",
            "审核:",
            "负责人",
            "联系人",
            "联系电话",
            "合计",
            "小计",
            "总计",
            "签字",
            "签名",
            "盖章",
            "单位盖章",
        ];
        (noted || words.iter().any(|w| t.starts_with(w))).then(|| text.chars().take(40).collect())
    }

    /// The one filled cell of a heading row such as "一、政治建设方面", merged across the table.
    pub(super) fn heading(&self) -> Option<String> {
        let filled: Vec<usize> = (0..self.grid.width()).filter(|&c| self.grid.text(self.row, c).is_some()).collect();
        let [c] = filled.as_slice() else { return None };
        let structural = match self.cols.col_of(*c) {
            None => true,
            Some(col) => matches!(col, Col::Seq | Col::ProblemNumber | Col::Aspect | Col::AspectNumber | Col::Problem),
        };
        let text = self.grid.text(self.row, *c)?;
        (structural && text.parse::<f64>().is_err()).then_some(text)
    }
}
