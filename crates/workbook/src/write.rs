//! Writes a ledger as the office's workbook: the three lists (问题清单, 任务清单, 责任清单), the
//! evidence list, the statistics, and the header facts and outcomes — every ledger field on a
//! visible sheet, so that the workbook reads back to the same ledger.

use std::borrow::Cow;

use chrono::{Datelike, NaiveDate};
use rectify_domain::{
    Evidence, InspectionKind, Ledger, Measure, MeasureRef, PartialDate, Problem, ProblemRef, Responsibility, Status,
    WanYuan,
};
use rust_xlsxwriter::{Color, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

use rectify_domain::calendar::CALENDAR;
use rectify_domain::supervision::{self, Light, LightPolicy};

use crate::WorkbookError;
use crate::labels::{self, key};

/// The deadline light (预警) of a measure on a given day with its words, e.g.
/// (Red, "红灯：逾期3天"), by the round's thresholds; `None` without a deadline.
pub fn deadline_light(
    measure: &Measure,
    problem_status: Status,
    today: NaiveDate,
    policy: &LightPolicy,
) -> Option<(Light, String)> {
    let status = measure.status.unwrap_or(problem_status);
    let light = supervision::light(Some(status), measure.deadline, today, policy, &CALENDAR);
    if light == Light::Grey {
        return Some((light, "已完成".to_string()));
    }
    let days = supervision::days_left(measure.deadline?, today, policy, &CALENDAR);
    Some(match light {
        Light::Red => (light, format!("红灯：逾期{}天", -days)),
        Light::Yellow => (light, format!("黄灯：剩余{days}天")),
        _ => (light, "绿灯".to_string()),
    })
}

struct Formats {
    title: Format,
    header: Format,
    text: Format,
    centre: Format,
    date: Format,
    number: Format,
    money: Format,
    red: Format,
    yellow: Format,
    green: Format,
    grey: Format,
}

impl Formats {
    fn new() -> Self {
        let text = Format::new()
            .set_text_wrap()
            .set_align(FormatAlign::Top)
            .set_border(FormatBorder::Thin)
            .set_font_name("宋体")
            .set_font_size(10.5);
        let centre = text.clone().set_align(FormatAlign::Center);
        let light = |c: u32| centre.clone().set_background_color(Color::RGB(c));
        Formats {
            title: Format::new().set_bold().set_font_size(16).set_align(FormatAlign::Center).set_font_name("黑体"),
            header: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter)
                .set_border(FormatBorder::Thin)
                .set_background_color(Color::RGB(0xDDEBF7))
                .set_font_name("黑体"),
            date: centre.clone().set_num_format("yyyy\"年\"m\"月\"d\"日\""),
            number: centre.clone(),
            money: centre.clone().set_num_format("0.00####"),
            red: light(0xFFC7CE),
            yellow: light(0xFFEB9C),
            green: light(0xC6EFCE),
            grey: light(0xD9D9D9),
            centre,
            text,
        }
    }
}

/// Excel's limit on the text of one cell, in UTF-16 code units (32,767).
pub(crate) const CELL_LIMIT: usize = 32_767;
/// Put at the end of a text cut to fit in a cell (全文见系统: the whole text is in the system).
pub(crate) const CUT_MARKER: &str = "…（全文见系统）";

/// The text as it fits in one cell: unchanged when within Excel's limit, otherwise cut at a
/// character boundary and ended with [`CUT_MARKER`], so that a long progress note never makes
/// the whole workbook fail.
pub(crate) fn fit(text: &str) -> Cow<'_, str> {
    if text.len() <= CELL_LIMIT || text.encode_utf16().count() <= CELL_LIMIT {
        return Cow::Borrowed(text);
    }
    let room = CELL_LIMIT - CUT_MARKER.encode_utf16().count();
    let mut used = 0;
    let mut end = 0;
    for (i, c) in text.char_indices() {
        if used + c.len_utf16() > room {
            break;
        }
        used += c.len_utf16();
        end = i + c.len_utf8();
    }
    Cow::Owned(format!("{}{CUT_MARKER}", &text[..end]))
}

/// One value to put in a cell (or in a vertically merged block of cells).
enum Value<'a> {
    Text(Option<&'a str>),
    Number(f64),
    Date(Option<PartialDate>),
}

/// Writes `value` into rows `first..=last` of column `col`, merging them when there are several.
fn put(
    ws: &mut Worksheet,
    (first, last): (u32, u32),
    col: u16,
    value: Value<'_>,
    fmt: &Format,
    f: &Formats,
) -> Result<(), WorkbookError> {
    if last > first {
        ws.merge_range(first, col, last, col, "", fmt)?;
    }
    match value {
        Value::Text(Some(t)) if !t.is_empty() => {
            ws.write_string_with_format(first, col, fit(t), fmt)?;
        }
        Value::Text(_) | Value::Date(None) => {
            ws.write_blank(first, col, fmt)?;
        }
        Value::Number(n) => {
            ws.write_number_with_format(first, col, n, fmt)?;
        }
        Value::Date(Some(PartialDate::Day(d))) => match excel_date(d) {
            Ok(excel) => {
                ws.write_date_with_format(first, col, &excel, &f.date)?;
            }
            // A day Excel cannot hold as a date is kept as text rather than failing the workbook.
            Err(_) => {
                ws.write_string_with_format(first, col, PartialDate::Day(d).to_chinese(), fmt)?;
            }
        },
        Value::Date(Some(other)) => {
            ws.write_string_with_format(first, col, other.to_chinese(), fmt)?;
        }
    }
    Ok(())
}

fn excel_date(d: NaiveDate) -> Result<ExcelDateTime, WorkbookError> {
    let bad = || WorkbookError::Date(d.to_string());
    let year = u16::try_from(d.year()).map_err(|_| bad())?;
    ExcelDateTime::from_ymd(year, d.month() as u8, d.day() as u8).map_err(|_| bad())
}

/// Title row (merged over the table) and styled header row; returns the first data row.
fn table_head(ws: &mut Worksheet, title: &str, headers: &[(&str, f64)], f: &Formats) -> Result<u32, WorkbookError> {
    let last = headers.len().saturating_sub(1) as u16;
    if last > 0 {
        ws.merge_range(0, 0, 0, last, &fit(title), &f.title)?;
    } else {
        ws.write_string_with_format(0, 0, fit(title), &f.title)?;
    }
    ws.set_row_height(0, 28)?;
    for (i, (name, width)) in headers.iter().enumerate() {
        let col = i as u16;
        ws.write_string_with_format(1, col, *name, &f.header)?;
        ws.set_column_width(col, *width)?;
    }
    ws.set_freeze_panes(2, 0)?;
    Ok(2)
}

fn finish_table(ws: &mut Worksheet, next_row: u32, columns: usize) -> Result<(), XlsxError> {
    let last_col = columns.saturating_sub(1) as u16;
    ws.autofilter(1, 0, next_row.saturating_sub(1).max(1), last_col)?;
    Ok(())
}

/// Problem ordinals (序号) are counted across the whole ledger, 1-based, so that every sheet can
/// point at a problem even when printed numbers repeat across aspects.
struct Ordinals {
    starts: Vec<u32>,
}

impl Ordinals {
    fn new(ledger: &Ledger) -> Self {
        let mut next = 1;
        let starts = ledger
            .aspects
            .iter()
            .map(|a| {
                let s = next;
                next += a.problems.len() as u32;
                s
            })
            .collect();
        Ordinals { starts }
    }

    fn problem(&self, ledger: &Ledger, r: ProblemRef, path: &str) -> Result<u32, WorkbookError> {
        match (self.starts.get(r.aspect), ledger.problem(r)) {
            (Some(start), Some(_)) => Ok(start + r.problem as u32),
            _ => Err(WorkbookError::DanglingReference(path.to_string())),
        }
    }

    fn measure(&self, ledger: &Ledger, r: MeasureRef, path: &str) -> Result<(u32, u32), WorkbookError> {
        if ledger.measure(r).is_none() {
            return Err(WorkbookError::DanglingReference(path.to_string()));
        }
        let p = self.problem(ledger, ProblemRef { aspect: r.aspect, problem: r.problem }, path)?;
        Ok((p, r.measure as u32 + 1))
    }
}

fn join(items: &[String], sep: &str) -> String {
    items.join(sep)
}

fn title_of(ledger: &Ledger, list: &str) -> String {
    format!("{}巡察整改{list}", ledger.unit.as_deref().unwrap_or(""))
}

/// Writes the ledger workbook. `today` sets the deadline lights (预警).
pub fn write_ledger_xlsx(ledger: &Ledger, today: NaiveDate) -> Result<Vec<u8>, WorkbookError> {
    let f = Formats::new();
    let ordinals = Ordinals::new(ledger);
    let mut wb = Workbook::new();
    write_problems(wb.add_worksheet().set_name(labels::SHEET_PROBLEMS)?, ledger, &f)?;
    write_measures(wb.add_worksheet().set_name(labels::SHEET_MEASURES)?, ledger, today, &f)?;
    write_responsibility(wb.add_worksheet().set_name(labels::SHEET_RESPONSIBILITY)?, ledger, &f)?;
    write_evidence(wb.add_worksheet().set_name(labels::SHEET_EVIDENCE)?, ledger, &f)?;
    write_statistics(wb.add_worksheet().set_name(labels::SHEET_STATISTICS)?, ledger, &f)?;
    write_info(wb.add_worksheet().set_name(labels::SHEET_INFO)?, ledger, &f)?;
    write_outcomes(wb.add_worksheet().set_name(labels::SHEET_OUTCOMES)?, ledger, &ordinals, &f)?;
    Ok(wb.save_to_buffer()?)
}

fn write_problems(ws: &mut Worksheet, ledger: &Ledger, f: &Formats) -> Result<(), WorkbookError> {
    let headers = [
        ("序号", 6.0),
        ("方面序号", 6.0),
        ("方面编号", 6.0),
        ("方面", 18.0),
        ("问题编号", 6.0),
        ("问题", 36.0),
        ("问题表现", 36.0),
        ("问题类别", 12.0),
        ("问题性质", 10.0),
        ("公开属性", 10.0),
        ("整改状态", 10.0),
        ("责任领导", 10.0),
        ("责任部门", 14.0),
        ("措施数", 6.0),
    ];
    let mut row = table_head(ws, &title_of(ledger, labels::SHEET_PROBLEMS), &headers, f)?;
    let mut seq = 0u32;
    for (ai, aspect) in ledger.aspects.iter().enumerate() {
        let aspect_cells = |ws: &mut Worksheet, row: u32| -> Result<(), WorkbookError> {
            put(ws, (row, row), 1, Value::Number(ai as f64 + 1.0), &f.number, f)?;
            put(ws, (row, row), 2, Value::Text(aspect.number.as_deref()), &f.centre, f)?;
            put(ws, (row, row), 3, Value::Text(aspect.title.as_deref()), &f.text, f)?;
            Ok(())
        };
        if aspect.problems.is_empty() {
            aspect_cells(ws, row)?;
            for col in [0u16, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13] {
                ws.write_blank(row, col, &f.text)?;
            }
            row += 1;
        }
        for p in &aspect.problems {
            seq += 1;
            aspect_cells(ws, row)?;
            let r = (row, row);
            put(ws, r, 0, Value::Number(f64::from(seq)), &f.number, f)?;
            put(ws, r, 4, Value::Text(p.number.as_deref()), &f.centre, f)?;
            put(ws, r, 5, Value::Text(Some(p.title.as_str())), &f.text, f)?;
            put(ws, r, 6, Value::Text(p.description.as_deref()), &f.text, f)?;
            put(ws, r, 7, Value::Text(p.category.as_deref()), &f.text, f)?;
            put(ws, r, 8, Value::Text(p.scope.map(labels::scope_label)), &f.centre, f)?;
            put(ws, r, 9, Value::Text(Some(labels::disclosure_label(p.disclosure))), &f.centre, f)?;
            put(ws, r, 10, Value::Text(Some(labels::status_label(p.status))), &f.centre, f)?;
            put(ws, r, 11, Value::Text(p.responsibility.leader.as_deref()), &f.centre, f)?;
            let departments = join(&p.responsibility.departments, "、");
            put(ws, r, 12, Value::Text(Some(&departments)), &f.text, f)?;
            put(ws, r, 13, Value::Number(p.measures.len() as f64), &f.number, f)?;
            row += 1;
        }
    }
    finish_table(ws, row, headers.len())?;
    Ok(())
}

fn write_measures(ws: &mut Worksheet, ledger: &Ledger, today: NaiveDate, f: &Formats) -> Result<(), WorkbookError> {
    let headers = [
        ("序号", 6.0),
        ("问题", 30.0),
        ("措施序号", 6.0),
        ("整改措施", 44.0),
        ("整改类型", 10.0),
        ("完成时限", 14.0),
        ("整改状态", 10.0),
        ("预警", 14.0),
        ("责任部门", 14.0),
        ("进展日期", 14.0),
        ("整改进展", 36.0),
        ("佐证材料", 24.0),
        ("文中日期", 12.0),
        ("文中金额（万元）", 10.0),
        ("文中文件", 24.0),
    ];
    let mut row = table_head(ws, &title_of(ledger, labels::SHEET_MEASURES), &headers, f)?;
    for (seq, p) in (1u32..).zip(ledger.problems()) {
        let rows_of = |m: &Measure| m.progress.len().max(1) as u32;
        let height: u32 = p.measures.iter().map(rows_of).sum::<u32>().max(1);
        let span = (row, row + height - 1);
        put(ws, span, 0, Value::Number(f64::from(seq)), &f.number, f)?;
        put(ws, span, 1, Value::Text(Some(p.title.as_str())), &f.text, f)?;
        if p.measures.is_empty() {
            for col in 2..headers.len() as u16 {
                ws.write_blank(row, col, &f.text)?;
            }
        }
        let mut r = row;
        for (mi, m) in p.measures.iter().enumerate() {
            let span = (r, r + rows_of(m) - 1);
            let lights = LightsOn { today, policy: &ledger.policy.lights };
            write_measure(ws, span, (mi, m), p, &lights, f)?;
            r = span.1 + 1;
        }
        row += height;
    }
    finish_table(ws, row, headers.len())?;
    Ok(())
}

/// The day and the round's thresholds the deadline lights are computed for.
struct LightsOn<'a> {
    today: NaiveDate,
    policy: &'a LightPolicy,
}

fn write_measure(
    ws: &mut Worksheet,
    span: (u32, u32),
    (index, m): (usize, &Measure),
    p: &Problem,
    lights: &LightsOn,
    f: &Formats,
) -> Result<(), WorkbookError> {
    put(ws, span, 2, Value::Number(index as f64 + 1.0), &f.number, f)?;
    put(ws, span, 3, Value::Text(Some(m.text.as_str())), &f.text, f)?;
    put(ws, span, 4, Value::Text(m.kind.map(labels::kind_label)), &f.centre, f)?;
    put(ws, span, 5, Value::Date(m.deadline), &f.centre, f)?;
    put(ws, span, 6, Value::Text(m.status.map(labels::status_label)), &f.centre, f)?;
    let light = deadline_light(m, p.status, lights.today, lights.policy);
    let light_fmt = match light.as_ref().map(|(l, _)| *l) {
        Some(Light::Red) => &f.red,
        Some(Light::Yellow) => &f.yellow,
        Some(Light::Green | Light::None) => &f.green,
        Some(Light::Grey) => &f.grey,
        None => &f.centre,
    };
    put(ws, span, 7, Value::Text(light.as_ref().map(|(_, t)| t.as_str())), light_fmt, f)?;
    let departments = join(&m.responsibility.departments, "、");
    put(ws, span, 8, Value::Text(Some(&departments)), &f.text, f)?;
    if m.progress.is_empty() {
        ws.write_blank(span.0, 9, &f.text)?;
        ws.write_blank(span.0, 10, &f.text)?;
    }
    for (r, entry) in (span.0..).zip(&m.progress) {
        put(ws, (r, r), 9, Value::Date(Some(entry.date)), &f.centre, f)?;
        put(ws, (r, r), 10, Value::Text(Some(entry.text.as_str())), &f.text, f)?;
    }
    let evidence: Vec<String> = m.evidence.iter().map(|e| e.title.to_string()).collect();
    put(ws, span, 11, Value::Text(Some(&join(&evidence, "\n"))), &f.text, f)?;
    let dates: Vec<String> = m.dates.iter().map(PartialDate::to_string).collect();
    put(ws, span, 12, Value::Text(Some(&join(&dates, "\n"))), &f.centre, f)?;
    let amounts: Vec<String> = m.amounts_wan_yuan.iter().map(WanYuan::format_number).collect();
    put(ws, span, 13, Value::Text(Some(&join(&amounts, "\n"))), &f.centre, f)?;
    put(ws, span, 14, Value::Text(Some(&join(&m.documents, "\n"))), &f.text, f)?;
    Ok(())
}

fn write_responsibility(ws: &mut Worksheet, ledger: &Ledger, f: &Formats) -> Result<(), WorkbookError> {
    let headers = [
        ("序号", 6.0),
        ("问题", 36.0),
        ("措施序号", 8.0),
        ("第一责任人", 12.0),
        ("责任领导", 12.0),
        ("责任部门", 20.0),
        ("联络员", 12.0),
    ];
    let mut row = table_head(ws, &title_of(ledger, labels::SHEET_RESPONSIBILITY), &headers, f)?;
    let line =
        |ws: &mut Worksheet, row: u32, measure: Option<usize>, r: &Responsibility| -> Result<(), WorkbookError> {
            let at = (row, row);
            match measure {
                Some(i) => put(ws, at, 2, Value::Number(i as f64 + 1.0), &f.number, f)?,
                None => put(ws, at, 2, Value::Text(None), &f.number, f)?,
            }
            put(ws, at, 3, Value::Text(r.first_responsible.as_deref()), &f.centre, f)?;
            put(ws, at, 4, Value::Text(r.leader.as_deref()), &f.centre, f)?;
            put(ws, at, 5, Value::Text(Some(&join(&r.departments, "、"))), &f.text, f)?;
            put(ws, at, 6, Value::Text(r.liaison.as_deref()), &f.centre, f)?;
            Ok(())
        };
    for (seq, p) in (1u32..).zip(ledger.problems()) {
        let span = (row, row + p.measures.len() as u32);
        put(ws, span, 0, Value::Number(f64::from(seq)), &f.number, f)?;
        put(ws, span, 1, Value::Text(Some(p.title.as_str())), &f.text, f)?;
        line(ws, row, None, &p.responsibility)?;
        for (mi, m) in p.measures.iter().enumerate() {
            line(ws, row + 1 + mi as u32, Some(mi), &m.responsibility)?;
        }
        row = span.1 + 1;
    }
    finish_table(ws, row, headers.len())?;
    Ok(())
}

fn write_evidence(ws: &mut Worksheet, ledger: &Ledger, f: &Formats) -> Result<(), WorkbookError> {
    let widths = [6.0, 8.0, 8.0, 36.0, 12.0, 14.0, 16.0, 12.0, 24.0];
    let headers: Vec<(&str, f64)> = labels::EVIDENCE_HEADER.iter().copied().zip(widths).collect();
    let mut row = table_head(ws, &title_of(ledger, "佐证材料目录"), &headers, f)?;
    let mut line = |ws: &mut Worksheet, at: (u32, u32, Option<usize>), e: &Evidence| -> Result<(), WorkbookError> {
        let r = (row, row);
        put(ws, r, 0, Value::Number(f64::from(at.0)), &f.number, f)?;
        put(ws, r, 1, Value::Number(f64::from(at.1)), &f.number, f)?;
        match at.2 {
            Some(i) => put(ws, r, 2, Value::Number(i as f64 + 1.0), &f.number, f)?,
            None => put(ws, r, 2, Value::Text(None), &f.number, f)?,
        }
        put(ws, r, 3, Value::Text(Some(e.title.as_str())), &f.text, f)?;
        put(ws, r, 4, Value::Text(e.kind.as_deref()), &f.centre, f)?;
        put(ws, r, 5, Value::Date(e.date), &f.centre, f)?;
        put(ws, r, 6, Value::Text(e.media_type.as_deref()), &f.centre, f)?;
        // Sizes are written as text so that even huge files keep every digit.
        let size = e.size_bytes.map(|s| s.to_string());
        put(ws, r, 7, Value::Text(size.as_deref()), &f.centre, f)?;
        put(ws, r, 8, Value::Text(e.sha256.as_deref()), &f.text, f)?;
        row += 1;
        Ok(())
    };
    for (seq, p) in (1u32..).zip(ledger.problems()) {
        for (mseq, m) in (1u32..).zip(&p.measures) {
            for e in &m.evidence {
                line(ws, (seq, mseq, None), e)?;
            }
            for (pi, entry) in m.progress.iter().enumerate() {
                for e in &entry.evidence {
                    line(ws, (seq, mseq, Some(pi)), e)?;
                }
            }
        }
    }
    finish_table(ws, row, headers.len())?;
    Ok(())
}

fn write_statistics(ws: &mut Worksheet, ledger: &Ledger, f: &Formats) -> Result<(), WorkbookError> {
    let headers = [("指标", 24.0), ("数值", 14.0), ("说明", 30.0)];
    let mut row = table_head(ws, &title_of(ledger, "统计"), &headers, f)?;
    let s = ledger.statistics();
    let c = s.problems;
    let mut counts: Vec<(String, f64, String)> = vec![
        ("方面数".into(), f64::from(s.aspects), String::new()),
        ("问题总数".into(), f64::from(c.total), String::new()),
    ];
    for (status, n) in [
        (Status::Completed, c.completed),
        (Status::InProgress, c.in_progress),
        (Status::NotStarted, c.not_started),
        (Status::BasicallyCompleted, c.basically_completed),
        (Status::PendingVerification, c.pending_verification),
        (Status::Extended, c.extended),
        (Status::LongTerm, c.long_term),
        (Status::NotDone, c.not_done),
        (Status::Unknown, c.unknown),
    ] {
        counts.push((format!("问题：{}", status.label_zh()), f64::from(n), String::new()));
    }
    counts.push(("整改措施总数".into(), f64::from(s.measures_total), String::new()));
    counts.push(("已完成整改措施".into(), f64::from(s.measures_completed), String::new()));
    counts.push(("建章立制：制定".into(), f64::from(s.rules_made), String::new()));
    counts.push(("建章立制：修订".into(), f64::from(s.rules_revised), String::new()));
    for (label, value, note) in &counts {
        ws.write_string_with_format(row, 0, fit(label), &f.text)?;
        ws.write_number_with_format(row, 1, *value, &f.number)?;
        ws.write_string_with_format(row, 2, fit(note), &f.text)?;
        row += 1;
    }
    let rate = s.completion_percent(ledger.policy.rate_decimals);
    ws.write_string_with_format(row, 0, "整改完成率", &f.text)?;
    ws.write_string_with_format(row, 1, rate.map(|r| format!("{r}%")).unwrap_or_default(), &f.centre)?;
    let basis = if ledger.policy.long_term_counts_as_completed { "（长期坚持计入完成）" } else { "" };
    let note = format!("{}/{}{basis}", s.completion.numerator, s.completion.denominator);
    ws.write_string_with_format(row, 2, note, &f.text)?;
    row += 1;
    for fund in &s.funds {
        ws.write_string_with_format(row, 0, format!("资金：{}（万元）", fund.kind.label_zh()), &f.text)?;
        ws.write_number_with_format(row, 1, fund.amount.as_wan_yuan(), &f.money)?;
        ws.write_string_with_format(row, 2, fund.amount.to_string(), &f.text)?;
        row += 1;
    }
    for a in &s.accountability {
        ws.write_string_with_format(row, 0, fit(&format!("问责：{}", a.kind)), &f.text)?;
        ws.write_number_with_format(row, 1, f64::from(a.persons), &f.number)?;
        ws.write_string_with_format(row, 2, format!("{}人，{}人次", a.persons, a.person_times), &f.text)?;
        row += 1;
    }
    for m in &s.meetings {
        ws.write_string_with_format(row, 0, fit(&format!("会议：{}", m.kind)), &f.text)?;
        ws.write_number_with_format(row, 1, f64::from(m.count), &f.number)?;
        ws.write_string_with_format(row, 2, format!("{}次", m.count), &f.text)?;
        row += 1;
    }
    finish_table(ws, row, headers.len())?;
    Ok(())
}

fn write_info(ws: &mut Worksheet, ledger: &Ledger, f: &Formats) -> Result<(), WorkbookError> {
    let headers: Vec<(&str, f64)> = labels::INFO_HEADER.iter().copied().zip([24.0, 40.0, 20.0]).collect();
    let mut row = table_head(ws, &title_of(ledger, "基本信息"), &headers, f)?;
    let mut line = |ws: &mut Worksheet, name: &str, a: Value<'_>, b: Value<'_>| -> Result<(), WorkbookError> {
        ws.write_string_with_format(row, 0, name, &f.text)?;
        put(ws, (row, row), 1, a, &f.text, f)?;
        put(ws, (row, row), 2, b, &f.text, f)?;
        row += 1;
        Ok(())
    };
    let none = || Value::Text(None);
    let count = |n: Option<u32>| n.map_or(Value::Text(None), |n| Value::Number(f64::from(n)));
    let insp = &ledger.inspection;
    line(ws, key::TITLE, text(&ledger.title), none())?;
    line(ws, key::UNIT, text(&ledger.unit), none())?;
    line(ws, key::REPORT_DATE, Value::Date(ledger.report_date), none())?;
    line(ws, key::INSPECTOR, text(&insp.inspector), none())?;
    line(ws, key::START, Value::Date(insp.start), none())?;
    line(ws, key::END, Value::Date(insp.end), none())?;
    line(ws, key::FEEDBACK_DATE, Value::Date(insp.feedback_date), none())?;
    line(ws, key::ROUND, text(&insp.round), none())?;
    line(ws, key::KIND, Value::Text(insp.kind.map(InspectionKind::as_str)), none())?;
    line(ws, key::FEEDBACK_DOCUMENT, text(&insp.feedback_document), none())?;
    let c = &ledger.claimed;
    line(ws, key::CLAIMED_ASPECTS, count(c.aspects), none())?;
    line(ws, key::CLAIMED_PROBLEMS, count(c.problems), none())?;
    line(ws, key::CLAIMED_MEASURES, count(c.measures), none())?;
    line(ws, key::CLAIMED_COMPLETED, count(c.completed), none())?;
    line(ws, key::CLAIMED_IN_PROGRESS, count(c.in_progress), none())?;
    line(ws, key::CLAIMED_RATE, c.completion_rate_percent.map_or(none(), Value::Number), none())?;
    line(ws, key::CLAIMED_RULES, count(c.rules_made_or_revised), none())?;
    let funds = c.funds_recovered_wan_yuan.map(|w| w.format_number());
    line(ws, key::CLAIMED_FUNDS, Value::Text(funds.as_deref()), none())?;
    for (kind, n) in &c.accountability.0 {
        line(ws, key::CLAIMED_ACCOUNTABILITY, Value::Text(Some(kind)), Value::Number(f64::from(*n)))?;
    }
    for d in &ledger.named_documents {
        line(ws, key::NAMED_DOCUMENT, Value::Text(Some(d)), none())?;
    }
    let contacts = &ledger.contacts;
    for (name, values) in [
        (key::PHONE, &contacts.phones),
        (key::EMAIL, &contacts.emails),
        (key::ADDRESS, &contacts.addresses),
        (key::POSTCODE, &contacts.postcodes),
    ] {
        for v in values {
            line(ws, name, Value::Text(Some(v)), none())?;
        }
    }
    let org = &ledger.organisation;
    for n in &org.former_names {
        line(ws, key::FORMER_NAME, Value::Text(Some(n.name.as_str())), Value::Date(n.until))?;
    }
    for (name, members) in [(key::LEADING_GROUP, &org.leading_group), (key::WORK_TEAM, &org.work_team)] {
        for m in members {
            line(ws, name, Value::Text(Some(m.role.as_str())), Value::Text(Some(m.name.as_str())))?;
        }
    }
    line(ws, key::LIAISON, text(&org.liaison), none())?;
    let yes_no = if ledger.policy.long_term_counts_as_completed { labels::YES } else { labels::NO };
    line(ws, key::LONG_TERM_COUNTS, Value::Text(Some(yes_no)), none())?;
    line(ws, key::RATE_DECIMALS, Value::Number(f64::from(ledger.policy.rate_decimals)), none())?;
    let lights = &ledger.policy.lights;
    line(ws, key::GREEN_WITHIN, count(lights.green_within), none())?;
    line(ws, key::YELLOW_WITHIN, Value::Number(f64::from(lights.yellow_within)), none())?;
    let yes_no = if lights.working_days { labels::YES } else { labels::NO };
    line(ws, key::WORKING_DAYS, Value::Text(Some(yes_no)), none())?;
    let to = &ledger.policy.light_recipients;
    let (green, yellow, red) =
        (labels::roles_text(&to.green), labels::roles_text(&to.yellow), labels::roles_text(&to.red));
    line(ws, key::GREEN_TO, Value::Text(Some(&green)), none())?;
    line(ws, key::YELLOW_TO, Value::Text(Some(&yellow)), none())?;
    line(ws, key::RED_TO, Value::Text(Some(&red)), none())?;
    finish_table(ws, row, headers.len())?;
    Ok(())
}

fn text(t: &Option<String>) -> Value<'_> {
    Value::Text(t.as_deref())
}

fn write_outcomes(ws: &mut Worksheet, ledger: &Ledger, ordinals: &Ordinals, f: &Formats) -> Result<(), WorkbookError> {
    let widths = [10.0, 30.0, 8.0, 10.0, 14.0, 10.0, 10.0, 24.0, 30.0];
    let headers: Vec<(&str, f64)> = labels::OUTCOMES_HEADER.iter().copied().zip(widths).collect();
    let mut row = table_head(ws, &title_of(ledger, "成效"), &headers, f)?;
    struct Line<'a> {
        category: &'static str,
        item: &'a str,
        how: Option<&'static str>,
        amount: Value<'a>,
        date: Option<PartialDate>,
        problem: Option<String>,
        measure: Option<u32>,
        note: Option<&'a str>,
        detail: String,
    }
    let mut lines = Vec::new();
    let o = &ledger.outcomes;
    for (i, r) in o.rules.iter().enumerate() {
        let at = r.measure.map(|m| ordinals.measure(ledger, m, &format!("outcomes.rules[{i}].measure"))).transpose()?;
        lines.push(Line {
            category: labels::OUTCOME_RULE,
            item: r.title.as_str(),
            how: Some(labels::rule_action_label(r.action)),
            amount: Value::Text(None),
            date: r.date,
            problem: at.map(|(p, _)| p.to_string()),
            measure: at.map(|(_, m)| m),
            note: None,
            detail: String::new(),
        });
    }
    let amounts: Vec<String> = o.funds.iter().map(|x| x.amount_wan_yuan.format_number()).collect();
    for (i, (fund, amount)) in o.funds.iter().zip(&amounts).enumerate() {
        let at =
            fund.measure.map(|m| ordinals.measure(ledger, m, &format!("outcomes.funds[{i}].measure"))).transpose()?;
        lines.push(Line {
            category: labels::OUTCOME_FUND,
            item: fund.kind.label_zh(),
            how: None,
            amount: Value::Text(Some(amount)),
            date: fund.date,
            problem: at.map(|(p, _)| p.to_string()),
            measure: at.map(|(_, m)| m),
            note: fund.note.as_deref(),
            detail: String::new(),
        });
    }
    for (i, a) in o.accountability.iter().enumerate() {
        let p = a.problem.map(|p| ordinals.problem(ledger, p, &format!("outcomes.accountability[{i}].problem")));
        lines.push(Line {
            category: labels::OUTCOME_ACCOUNTABILITY,
            item: a.kind.as_str(),
            how: Some(labels::counting_label(a.counting)),
            amount: Value::Number(f64::from(a.count)),
            date: a.date,
            problem: p.transpose()?.map(|p| p.to_string()),
            measure: None,
            note: None,
            detail: a.persons.join("\n"),
        });
    }
    for (i, m) in o.meetings.iter().enumerate() {
        let refs = m
            .problems
            .iter()
            .enumerate()
            .map(|(j, r)| ordinals.problem(ledger, *r, &format!("outcomes.meetings[{i}].problems[{j}]")))
            .map(|r| r.map(|n| n.to_string()))
            .collect::<Result<Vec<_>, _>>()?;
        lines.push(Line {
            category: labels::OUTCOME_MEETING,
            item: m.kind.as_str(),
            how: None,
            amount: Value::Text(None),
            date: m.date,
            problem: (!refs.is_empty()).then(|| refs.join("、")),
            measure: None,
            note: m.title.as_deref(),
            detail: m.decisions.join("\n"),
        });
    }
    for l in lines {
        let r = (row, row);
        put(ws, r, 0, Value::Text(Some(l.category)), &f.centre, f)?;
        put(ws, r, 1, Value::Text(Some(l.item)), &f.text, f)?;
        put(ws, r, 2, Value::Text(l.how), &f.centre, f)?;
        put(ws, r, 3, l.amount, &f.centre, f)?;
        put(ws, r, 4, Value::Date(l.date), &f.centre, f)?;
        put(ws, r, 5, Value::Text(l.problem.as_deref()), &f.centre, f)?;
        put(ws, r, 6, l.measure.map_or(Value::Text(None), |m| Value::Number(f64::from(m))), &f.number, f)?;
        put(ws, r, 7, Value::Text(l.note), &f.text, f)?;
        put(ws, r, 8, Value::Text(Some(&l.detail)), &f.text, f)?;
        row += 1;
    }
    finish_table(ws, row, headers.len())?;
    Ok(())
}
