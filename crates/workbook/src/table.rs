//! Plain tables as a workbook: the aggregate figures of a round, and whatever list a page shows
//! (its rows exactly as shown, for the office's own spreadsheets).

use rectify_domain::{Rate, RoundReport};
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook};

use crate::WorkbookError;

/// One cell of a [`Sheet`].
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    /// A count or an amount, written as a number.
    Number(f64),
    Empty,
}

impl Cell {
    pub fn text(t: impl Into<String>) -> Cell {
        Cell::Text(t.into())
    }

    pub fn count(n: u32) -> Cell {
        Cell::Number(f64::from(n))
    }

    /// A rate in percent as the domain rounds it (two decimals), empty for 0/0.
    pub fn percent(rate: Rate) -> Cell {
        rate.percent(2).and_then(|p| p.parse().ok()).map_or(Cell::Empty, Cell::Number)
    }
}

/// A sheet: a header row, then the rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    pub name: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// The sheets as an .xlsx file, the header frozen and filtered.
pub fn write_sheets(sheets: &[Sheet]) -> Result<Vec<u8>, WorkbookError> {
    let mut book = Workbook::new();
    let border = Format::new().set_border(FormatBorder::Thin).set_font_name("宋体").set_font_size(10.5);
    let header = border.clone().set_bold().set_align(FormatAlign::Center).set_font_name("黑体");
    let number = border.clone().set_num_format("0.######");
    for sheet in sheets {
        let ws = book.add_worksheet();
        ws.set_name(&sheet.name)?;
        for (c, h) in sheet.header.iter().enumerate() {
            let c = col(c);
            ws.write_string_with_format(0, c, h, &header)?;
            // Wide enough for the longer of the header and about 14 Han characters of text.
            let widest = sheet
                .rows
                .iter()
                .filter_map(|r| match r.get(usize::from(c)) {
                    Some(Cell::Text(t)) => Some(t.chars().count()),
                    _ => None,
                })
                .max()
                .unwrap_or(0)
                .max(h.chars().count());
            ws.set_column_width(c, (widest.min(30) as f64) * 2.0 + 2.0)?;
        }
        for (r, row) in sheet.rows.iter().enumerate() {
            let r = u32::try_from(r + 1).unwrap_or(u32::MAX);
            for (c, cell) in row.iter().enumerate() {
                match cell {
                    Cell::Text(t) => ws.write_string_with_format(r, col(c), t, &border)?,
                    Cell::Number(n) => ws.write_number_with_format(r, col(c), *n, &number)?,
                    Cell::Empty => ws.write_blank(r, col(c), &border)?,
                };
            }
        }
        ws.set_freeze_panes(1, 0)?;
        if !sheet.rows.is_empty() && !sheet.header.is_empty() {
            let last_row = u32::try_from(sheet.rows.len()).unwrap_or(u32::MAX);
            ws.autofilter(0, 0, last_row, col(sheet.header.len() - 1))?;
        }
    }
    Ok(book.save_to_buffer()?)
}

fn col(i: usize) -> u16 {
    u16::try_from(i).unwrap_or(u16::MAX)
}

/// The aggregate report of a round as a workbook: a sheet of totals (汇总) and a sheet with
/// one row per unit (各单位), the furthest behind first.
pub fn write_round_xlsx(report: &RoundReport) -> Result<Vec<u8>, WorkbookError> {
    let pair = |k: &str, v: Cell| vec![Cell::text(k), v];
    let (problems, closed) = (report.problems(), report.closed());
    let mut totals =
        vec![pair("轮次", Cell::text(report.name.clone())), pair("检查类别", Cell::text(report.kind.as_str()))];
    let details = &report.details;
    if let Some(committee) = details.committee() {
        totals.push(pair("派出巡察的党组织", Cell::text(committee)));
    }
    if details.start().is_some() || details.end().is_some() {
        let day = |d: Option<rectify_domain::PartialDate>| d.map_or_else(|| "—".to_owned(), |d| d.to_chinese());
        totals.push(pair("进驻时间", Cell::text(format!("{}至{}", day(details.start()), day(details.end())))));
    }
    if let Some(feedback) = details.feedback_date() {
        totals.push(pair("反馈时间", Cell::text(feedback.to_chinese())));
    }
    let unit_name = |id: i64| report.units.iter().find(|u| u.inspection_id == id).map(|u| u.unit.as_str());
    for group in details.groups() {
        let mut parts = Vec::new();
        if let Some(leader) = group.leader() {
            parts.push(format!("组长：{leader}"));
        }
        let units: Vec<&str> = group.units().iter().filter_map(|id| unit_name(*id)).collect();
        if !units.is_empty() {
            parts.push(format!("巡察单位：{}", units.join("、")));
        }
        totals.push(pair(&format!("巡察组：{}", group.name()), Cell::text(parts.join("；"))));
    }
    totals.extend([
        pair("统计日期", Cell::text(report.as_of.format("%Y-%m-%d").to_string())),
        pair("单位（家）", Cell::count(u32::try_from(report.units.len()).unwrap_or(u32::MAX))),
        pair("反馈问题（个）", Cell::count(problems)),
        pair("已完成整改（个）", Cell::count(closed)),
        pair("尚未完成（个）", Cell::count(problems.saturating_sub(closed))),
        pair("整改完成率（%）", Cell::percent(report.rate())),
        pair("超期未完成措施（项）", Cell::count(report.overdue_measures())),
        pair("建立完善制度（项）", Cell::count(report.rules_made + report.rules_revised)),
        pair("其中新建（项）", Cell::count(report.rules_made)),
        pair("其中修订（项）", Cell::count(report.rules_revised)),
    ]);
    for f in &report.funds {
        totals.push(pair(&format!("{}（万元）", f.kind.label_zh()), Cell::Number(f.amount.as_wan_yuan())));
    }
    totals.push(pair("资金合计（万元）", Cell::Number(report.funds_total().as_wan_yuan())));
    for a in &report.accountability {
        if a.persons > 0 {
            totals.push(pair(&format!("问责：{}（人）", a.kind), Cell::count(a.persons)));
        }
        if a.person_times > 0 {
            totals.push(pair(&format!("问责：{}（人次）", a.kind), Cell::count(a.person_times)));
        }
    }
    for m in &report.meetings {
        totals.push(pair(&format!("会议：{}（次）", m.kind), Cell::count(m.count)));
    }
    // The group that inspected a unit (the last column, so that the figures keep their places).
    let group_of = |id: i64| {
        details.groups().iter().find(|g| g.units().contains(&id)).map_or_else(String::new, |g| g.name().to_owned())
    };
    let units = report
        .units
        .iter()
        .enumerate()
        .map(|(i, u)| {
            vec![
                Cell::count(u32::try_from(i + 1).unwrap_or(u32::MAX)),
                Cell::text(u.unit.clone()),
                Cell::count(u.problems),
                Cell::count(u.closed),
                Cell::count(u.problems.saturating_sub(u.closed)),
                Cell::percent(u.rate()),
                Cell::count(u.overdue_measures),
                Cell::count(u.awaiting_verification),
                Cell::count(u.rules),
                Cell::Number(u.funds.as_wan_yuan()),
                Cell::count(u.accountability),
                Cell::count(u.meetings),
                Cell::text(group_of(u.inspection_id)),
            ]
        })
        .collect();
    let header = |names: &[&str]| names.iter().map(|s| s.to_string()).collect();
    write_sheets(&[
        Sheet { name: "汇总".into(), header: header(&["项目", "数值"]), rows: totals },
        Sheet {
            name: "各单位".into(),
            header: header(&[
                "序号",
                "单位",
                "反馈问题",
                "已完成整改",
                "尚未完成",
                "完成率（%）",
                "超期措施",
                "待核实",
                "建立完善制度",
                "资金（万元）",
                "问责人数",
                "会议次数",
                "巡察组",
            ]),
            rows: units,
        },
    ])
}
