//! Ledgers in the layouts units keep them, built here with rust_xlsxwriter (no real ledger is
//! public yet): a title row, 是否完成 with 是/否, merged problem cells over several measure
//! rows, two header rows, one sheet per aspect, and separate 问题清单/任务清单/责任清单 sheets
//! joined by problem number. Each is read back and the ledger asserted exactly.

use rectify_domain::{MeasureKind, PartialDate, Status};
use rectify_workbook::{ImportOptions, Imported, read_ledger_xlsx};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet};

fn pd(s: &str) -> PartialDate {
    s.parse().expect("a date")
}

fn read(wb: &mut Workbook) -> Imported {
    let bytes = wb.save_to_buffer().expect("saved");
    read_ledger_xlsx(&bytes, &ImportOptions::default()).expect("a unit's ledger is never refused")
}

fn row(ws: &mut Worksheet, r: u32, cells: &[&str]) {
    for (c, v) in cells.iter().enumerate() {
        if !v.is_empty() {
            ws.write(r, c as u16, *v).expect("written");
        }
    }
}

/// Writes `text` over rows `first..=last` of a column, merged as units merge a problem's cells.
fn merged(ws: &mut Worksheet, (first, last): (u32, u32), col: u16, text: &str) {
    ws.merge_range(first, col, last, col, text, &Format::new()).expect("merged");
}

/// Title row with the as-of date, header with 存在问题/牵头领导/责任单位/整改时限/是否完成,
/// problem 1 merged down over its three measures, dates in several written forms.
#[test]
fn yes_no_ledger_with_a_title_row_and_merged_problem_cells() {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("Sheet1").expect("named");
    ws.merge_range(0, 0, 0, 7, "示例县某局巡察反馈问题整改台账（截至2024年6月30日）", &Format::new()).expect("title");
    row(ws, 1, &["序号", "存在问题", "整改措施", "牵头领导", "责任单位", "整改时限", "是否完成", "整改进展"]);
    merged(ws, (2, 4), 0, "1");
    merged(ws, (2, 4), 1, "理论学习不深入");
    merged(ws, (2, 4), 3, "张某");
    row(ws, 2, &["", "", "制定年度学习计划", "", "办公室", "2024.3.5", "是", "2024年3月1日：印发学习计划"]);
    row(ws, 3, &["", "", "开展专题研讨", "", "办公室、人事科", "3月底前", "√", ""]);
    row(ws, 4, &["", "", "建立学习督查机制", "", "人事科", "长期坚持", "否", "已起草督查办法"]);
    row(ws, 5, &["2", "公务用车管理不规范", "清理公务用车台账", "李某", "办公室", "立行立改", "是", ""]);
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let day = ExcelDateTime::from_ymd(2024, 9, 30).expect("a day");
    row(ws, 6, &["3", "财务报销审核不严", "修订报销办法", "李某", "财务科", "", "否", ""]);
    ws.write_datetime_with_format(6, 5, day, &date).expect("a date cell");
    row(ws, 7, &["4", "档案管理混乱", "整理干部档案", "张某", "人事科", "2024年12月", "×", ""]);
    row(ws, 9, &["填表人：王某", "", "", "", "", "", "", ""]);
    let imported = read(&mut wb);
    let l = &imported.ledger;
    assert_eq!(l.report_date, Some(pd("2024-06-30")));
    assert_eq!(l.aspects.len(), 1);
    let p = &l.aspects[0].problems;
    let titles: Vec<&str> = p.iter().map(|p| p.title.as_str()).collect();
    assert_eq!(titles, ["理论学习不深入", "公务用车管理不规范", "财务报销审核不严", "档案管理混乱"]);
    let p1 = &p[0];
    assert_eq!(p1.number.as_deref(), Some("1"));
    assert_eq!(p1.responsibility.leader.as_deref(), Some("张某"));
    let texts: Vec<&str> = p1.measures.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(texts, ["制定年度学习计划", "开展专题研讨", "建立学习督查机制"]);
    assert_eq!(p1.measures[0].deadline, Some(pd("2024-03-05")));
    // "3月底前" takes its year from the deadline before it.
    assert_eq!(p1.measures[1].deadline, Some(pd("2024-03")));
    assert_eq!((p1.measures[2].deadline, p1.measures[2].kind), (None, Some(MeasureKind::LongTerm)));
    let statuses: Vec<Option<Status>> = p1.measures.iter().map(|m| m.status).collect();
    assert_eq!(statuses, [Some(Status::Completed), Some(Status::Completed), Some(Status::NotDone)]);
    assert_eq!(p1.status, Status::InProgress);
    assert_eq!(p1.measures[1].responsibility.departments, ["办公室", "人事科"]);
    assert_eq!(p1.measures[0].progress[0].date, pd("2024-03-01"));
    assert_eq!(p1.measures[0].progress[0].text.as_str(), "印发学习计划");
    // Undated progress is dated by the as-of date of the title, with a warning.
    assert_eq!(p1.measures[2].progress[0].date, pd("2024-06-30"));
    assert_eq!(p1.measures[2].progress[0].text.as_str(), "已起草督查办法");
    assert_eq!((p[1].measures[0].kind, p[1].status), (Some(MeasureKind::Immediate), Status::Completed));
    assert_eq!(p[2].measures[0].deadline, Some(pd("2024-09-30")));
    assert_eq!(p[2].status, Status::NotDone);
    assert_eq!(p[3].measures[0].deadline, Some(pd("2024-12")));
    assert_eq!(p[3].responsibility.leader.as_deref(), Some("张某"));
    // The note under the table is warned about, not read as an aspect.
    assert!(imported.warnings.iter().any(|w| w.row == 10 && w.message.contains("note")), "{:?}", imported.warnings);
}

/// Two header rows (责任主体 over 责任领导 | 责任部门, 时间 over two columns), statuses as
/// percentages, 已完成/正在推进/阶段性完成/持续整改 words, aspect headings as merged rows.
#[test]
fn two_header_rows_percentages_and_aspect_heading_rows() {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("整改台账").expect("named");
    let f = Format::new();
    ws.merge_range(0, 0, 0, 7, "巡察整改落实情况台账", &f).expect("title");
    for (c, h) in [(0u16, "编号"), (1, "反馈问题"), (2, "整改任务"), (5, "完成时间"), (6, "完成情况"), (7, "进展情况")]
    {
        ws.merge_range(1, c, 2, c, h, &f).expect("header");
    }
    ws.merge_range(1, 3, 1, 4, "责任主体", &f).expect("group");
    row(ws, 2, &["", "", "", "分管领导", "牵头部门"]);
    ws.merge_range(3, 0, 3, 7, "一、党的政治建设方面", &f).expect("heading");
    row(ws, 4, &["1", "落实上级决策部署有差距", "制定落实清单", "赵某", "办公室", "2024-3-5", "100%", ""]);
    row(ws, 5, &["2", "议事规则执行不严", "修订议事规则", "钱某", "办公室", "2024/4/30", "正在推进", ""]);
    ws.merge_range(6, 0, 6, 7, "二、全面从严治党方面", &f).expect("heading");
    row(ws, 7, &["3", "廉政风险排查不到位", "开展风险排查", "孙某", "纪检组", "2024年5月", "阶段性完成", ""]);
    ws.write(8, 0, "4").expect("seq");
    row(ws, 8, &["", "警示教育不经常", "常态化开展警示教育", "孙某", "纪检组", "长期", "持续整改", ""]);
    ws.write_number(9, 0, 5.0).expect("seq");
    row(ws, 9, &["", "采购程序不规范", "修订采购办法", "李某", "财务科", "2024年6月底", "", ""]);
    ws.write_number(9, 6, 0.6).expect("a percent cell");
    let imported = read(&mut wb);
    let l = &imported.ledger;
    let heads: Vec<(Option<&str>, Option<&str>)> =
        l.aspects.iter().map(|a| (a.number.as_deref(), a.title.as_deref())).collect();
    assert_eq!(heads, [(Some("一"), Some("党的政治建设方面")), (Some("二"), Some("全面从严治党方面"))]);
    let a0 = &l.aspects[0].problems;
    assert_eq!(a0.len(), 2);
    assert_eq!(a0[0].responsibility.leader.as_deref(), Some("赵某"));
    assert_eq!(a0[0].measures[0].responsibility.departments, ["办公室"]);
    assert_eq!((a0[0].measures[0].deadline, a0[0].status), (Some(pd("2024-03-05")), Status::Completed));
    assert_eq!((a0[1].measures[0].deadline, a0[1].status), (Some(pd("2024-04-30")), Status::InProgress));
    let a1 = &l.aspects[1].problems;
    let numbers: Vec<Option<&str>> = a1.iter().map(|p| p.number.as_deref()).collect();
    assert_eq!(numbers, [Some("3"), Some("4"), Some("5")]);
    assert_eq!((a1[0].measures[0].deadline, a1[0].status), (Some(pd("2024-05")), Status::InProgress));
    assert_eq!(a1[1].measures[0].kind, Some(MeasureKind::LongTerm));
    assert_eq!(a1[1].status, Status::LongTerm);
    assert_eq!((a1[2].measures[0].deadline, a1[2].status), (Some(pd("2024-06")), Status::InProgress));
    assert!(imported.warnings.is_empty(), "{:?}", imported.warnings);
}

fn aspect_sheet(wb: &mut Workbook, name: &str, rows: &[[&str; 6]]) {
    let ws = wb.add_worksheet().set_name(name).expect("named");
    ws.merge_range(0, 0, 0, 5, name, &Format::new()).expect("title");
    row(ws, 1, &["序号", "问题描述", "整改措施", "责任领导", "完成时限", "整改进展"]);
    for (i, r) in rows.iter().enumerate() {
        row(ws, i as u32 + 2, r);
    }
}

/// One sheet per aspect, numbering restarting at 1 on each, with the status written in the
/// progress column (no status column).
#[test]
fn one_sheet_per_aspect() {
    let mut wb = Workbook::new();
    aspect_sheet(
        &mut wb,
        "政治建设",
        &[
            ["1", "学习贯彻不深入", "完善学习制度", "甲", "2024年3月", "已完成"],
            ["2", "请示报告不及时", "建立报告台账", "乙", "2024年4月", "未完成"],
        ],
    );
    aspect_sheet(&mut wb, "作风建设", &[["1", "文山会海问题突出", "精简会议文件", "丙", "2024年5月", "正在推进"]]);
    let imported = read(&mut wb);
    let l = &imported.ledger;
    let heads: Vec<Option<&str>> = l.aspects.iter().map(|a| a.title.as_deref()).collect();
    assert_eq!(heads, [Some("政治建设"), Some("作风建设")]);
    let statuses: Vec<Status> = l.problems().map(|p| p.status).collect();
    assert_eq!(statuses, [Status::Completed, Status::NotDone, Status::InProgress]);
    assert!(l.problems().all(|p| p.measures[0].progress.is_empty()));
    assert_eq!(l.aspects[1].problems[0].responsibility.leader.as_deref(), Some("丙"));
    assert_eq!(imported.sheets_read, ["政治建设", "作风建设"]);
}

/// 问题清单, 任务清单 (its own 序号 and a 问题序号, no problem text) and 责任清单 apart, joined
/// by problem number.
#[test]
fn three_lists_apart_joined_by_problem_number() {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("问题清单").expect("named");
    row(ws, 0, &["序号", "问题", "问题类别"]);
    row(ws, 1, &["1", "主体责任落实不到位", "党的建设"]);
    row(ws, 2, &["2", "干部选拔程序不规范", "选人用人"]);
    let ws = wb.add_worksheet().set_name("任务清单").expect("named");
    row(ws, 0, &["序号", "问题序号", "整改任务", "完成时限", "完成情况"]);
    row(ws, 1, &["1", "1", "制定主体责任清单", "2024年2月", "已完成"]);
    row(ws, 2, &["2", "1", "开展专项检查", "2024年4月", "正在推进"]);
    row(ws, 3, &["3", "2", "复核干部档案", "2024年3月", "是"]);
    let ws = wb.add_worksheet().set_name("责任清单").expect("named");
    row(ws, 0, &["编号", "反馈问题", "分管领导", "责任部门", "责任人"]);
    row(ws, 1, &["1", "主体责任落实不到位", "甲书记", "办公室", "丁"]);
    row(ws, 2, &["2", "干部选拔程序不规范", "乙部长", "组织人事科", "戊"]);
    let imported = read(&mut wb);
    let l = &imported.ledger;
    // 问题类别 stands for the aspect when there is no 方面 column.
    let heads: Vec<Option<&str>> = l.aspects.iter().map(|a| a.title.as_deref()).collect();
    assert_eq!(heads, [Some("党的建设"), Some("选人用人")]);
    let p: Vec<&rectify_domain::Problem> = l.problems().collect();
    let titles: Vec<&str> = p.iter().map(|p| p.title.as_str()).collect();
    assert_eq!(titles, ["主体责任落实不到位", "干部选拔程序不规范"]);
    let texts: Vec<&str> = p[0].measures.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(texts, ["制定主体责任清单", "开展专项检查"]);
    assert_eq!(p[0].measures[1].deadline, Some(pd("2024-04")));
    assert_eq!(p[0].status, Status::InProgress);
    assert_eq!(p[1].measures.len(), 1);
    assert_eq!(p[1].status, Status::Completed);
    let r = &p[1].responsibility;
    assert_eq!(
        (r.leader.as_deref(), r.departments.as_slice(), r.liaison.as_deref()),
        (Some("乙部长"), &["组织人事科".to_string()][..], Some("戊"))
    );
    assert_eq!(imported.sheets_read, ["问题清单", "任务清单", "责任清单"]);
    assert!(imported.warnings.is_empty(), "{:?}", imported.warnings);
}
