//! Round trips and imports of fictional ledgers built in the tests.

use calamine::{Data, Reader, Xlsx};
use chrono::NaiveDate;
use rectify_domain::{Ledger, MeasureKind, PartialDate, Status};

use rectify_workbook::{ImportError, ImportOptions, read_ledger_xlsx, write_ledger_xlsx};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

const RICH: &str = r#"{
  "title": "中共示例县某某局党组关于巡察整改进展情况的通报",
  "unit": "中共示例县某某局党组",
  "report_date": "2024-05-20",
  "inspection": { "inspector": "县委第二巡察组", "start": "2023-03-01", "end": "2023-04-30",
    "feedback_date": "2023-06-15", "round": "十四届县委第三轮", "kind": "巡察", "feedback_document": "《反馈意见》" },
  "claimed": { "aspects": 2, "problems": 3, "measures": 4, "completed": 1, "in_progress": 2,
    "completion_rate_percent": 33.33, "rules_made_or_revised": 2, "funds_recovered_wan_yuan": 6.1,
    "accountability": { "批评教育": 4, "诫勉": 1 } },
  "aspects": [
    { "number": "一", "title": "政治建设方面", "problems": [
      { "number": "1", "title": "学习制度落实不到位", "status": "completed", "category": "学习教育", "scope": "general",
        "description": "理论学习中心组学习次数不足。", "disclosure": "public",
        "responsibility": { "first_responsible": "甲书记", "leader": "乙副局长", "departments": ["办公室", "人事科"], "liaison": "丙" },
        "measures": [
          { "text": "制定学习计划，每月集中学习一次。", "dates": ["2023-08"], "amounts_wan_yuan": [], "documents": ["《学习制度》"],
            "kind": "time_limited", "deadline": "2023-08-31", "status": "completed",
            "responsibility": { "departments": ["办公室"], "liaison": "丁" },
            "progress": [
              { "date": "2023-07-10", "text": "起草学习计划。", "evidence": [] },
              { "date": "2023-08-30", "text": "印发学习计划。", "evidence": [ { "title": "学习计划文件", "kind": "通知", "date": "2023-08-30", "media_type": "application/pdf", "size_bytes": 12345, "sha256": "ab12" } ] }
            ],
            "evidence": [ { "title": "会议记录" } ] },
          { "text": "立行立改，清理过期文件。", "dates": [], "amounts_wan_yuan": [1.5, 0.25], "documents": [],
            "kind": "immediate", "deadline": null, "status": null, "progress": [], "evidence": [] }
        ] },
      { "number": "2", "title": "议事规则执行不严", "status": "in_progress", "scope": "specific", "disclosure": "withheld_other",
        "measures": [
          { "text": "修订议事规则。", "dates": [], "amounts_wan_yuan": [], "documents": [], "deadline": "2024-06", "status": "in_progress" }
        ] }
    ] },
    { "number": null, "title": null, "problems": [
      { "number": null, "title": "财务报销审核不严", "status": "long_term",
        "measures": [ { "text": "长期坚持财务审核。", "dates": [], "amounts_wan_yuan": [], "documents": [], "kind": "long_term", "deadline": "2024" } ] }
    ] },
    { "number": "三", "title": "空的方面", "problems": [] }
  ],
  "named_documents": ["《学习制度》", "《议事规则》"],
  "contacts": { "phones": ["0000-1234567"], "emails": ["xc@example.org"], "addresses": ["示例县人民路1号"], "postcodes": ["000000"] },
  "organisation": { "former_names": [ { "name": "示例县旧局", "until": "2022-12" } ],
    "leading_group": [ { "role": "组长", "name": "甲书记" }, { "role": "副组长", "name": "乙副局长" } ],
    "work_team": [ { "role": "成员", "name": "丙" } ], "liaison": "丁" },
  "outcomes": {
    "rules": [ { "title": "《学习制度》", "action": "made", "date": "2023-08-30", "measure": { "aspect": 0, "problem": 0, "measure": 0 } },
               { "title": "《议事规则》", "action": "revised" } ],
    "funds": [ { "kind": "refunded", "amount_wan_yuan": 6.1, "date": "2023-09", "measure": { "aspect": 0, "problem": 0, "measure": 1 }, "note": "清退违规补贴" } ],
    "accountability": [ { "kind": "批评教育", "count": 4, "counting": "persons", "persons": ["某甲", "某乙"], "problem": { "aspect": 0, "problem": 1 } },
                        { "kind": "诫勉", "count": 1, "counting": "person_times", "date": "2023-10-01" } ],
    "meetings": [ { "kind": "专题民主生活会", "date": "2023-07-05", "title": "巡察整改专题民主生活会", "decisions": ["认领问题", "制定方案"],
                    "problems": [ { "aspect": 0, "problem": 0 }, { "aspect": 1, "problem": 0 } ] } ]
  },
  "policy": { "long_term_counts_as_completed": true, "rate_decimals": 1 }
}"#;

fn rich() -> Ledger {
    Ledger::from_json(RICH).unwrap()
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 5, 25).unwrap()
}

fn strict() -> ImportOptions {
    ImportOptions { skip_bad_rows: false }
}

#[test]
fn rich_ledger_round_trips_exactly() {
    let ledger = rich();
    let bytes = write_ledger_xlsx(&ledger, today()).unwrap();
    let back = read_ledger_xlsx(&bytes, &strict()).unwrap();
    assert_eq!(back.ledger, ledger);
    assert!(back.skipped.is_empty());
    for sheet in ["问题清单", "任务清单", "责任清单", "佐证材料", "基本信息", "成效"] {
        assert!(back.sheets_read.iter().any(|s| s == sheet), "{sheet} not read: {:?}", back.sheets_read);
    }
    assert!(!back.sheets_read.iter().any(|s| s == "统计"));
}

fn open(bytes: &[u8]) -> Xlsx<std::io::Cursor<Vec<u8>>> {
    Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap()
}

#[test]
fn written_workbook_has_the_lists_headers_dates_and_lights() {
    let bytes = write_ledger_xlsx(&rich(), today()).unwrap();
    let mut x = open(&bytes);
    assert_eq!(x.sheet_names(), ["问题清单", "任务清单", "责任清单", "佐证材料", "统计", "基本信息", "成效"]);
    let tasks = x.worksheet_range("任务清单").unwrap();
    let header: Vec<String> = (0..15).map(|c| tasks.get_value((1, c)).unwrap().to_string()).collect();
    assert_eq!(&header[..8], ["序号", "问题", "措施序号", "整改措施", "整改类型", "完成时限", "整改状态", "预警"]);
    // The first measure has two progress rows: its deadline is a real date cell, 2023-08-31.
    match tasks.get_value((2, 5)).unwrap() {
        Data::DateTime(d) => assert_eq!(d.as_f64(), 45169.0),
        other => panic!("deadline should be a date cell, got {other:?}"),
    }
    assert_eq!(tasks.get_value((2, 7)).unwrap().to_string(), "已完成");
    // Problem 2's measure (deadline 2024-06, in progress) has 36 days left on 25 May 2024: green.
    assert_eq!(tasks.get_value((5, 3)).unwrap().to_string(), "修订议事规则。");
    assert_eq!(tasks.get_value((5, 5)).unwrap().to_string(), "2024年6月");
    assert_eq!(tasks.get_value((5, 7)).unwrap().to_string(), "绿灯");
    // The long-term problem's measure ran to the end of 2024: green as well; status by problem.
    assert_eq!(tasks.get_value((6, 5)).unwrap().to_string(), "2024年");
    let merges = x.merge_cells_by_sheet_name("任务清单").unwrap();
    // Problem 1 spans rows 3–5 (two progress rows + one measure): 序号 and 问题 are merged.
    assert!(merges.iter().any(|m| m.start == (2, 0) && m.end == (4, 0)), "{merges:?}");
    assert!(merges.iter().any(|m| m.start == (2, 3) && m.end == (3, 3)), "{merges:?}");
    let stats = x.worksheet_range("统计").unwrap();
    let rows: Vec<(String, String, String)> = stats
        .rows()
        .map(|r| {
            (
                r[0].to_string(),
                r.get(1).map(|d| d.to_string()).unwrap_or_default(),
                r.get(2).map(|d| d.to_string()).unwrap_or_default(),
            )
        })
        .collect();
    let find = |k: &str| rows.iter().find(|r| r.0 == k).cloned().unwrap();
    assert_eq!(find("问题总数").1, "3");
    assert_eq!(find("问题：已完成").1, "1");
    assert_eq!(find("问题：长期坚持").1, "1");
    // Long-term counts as completed in this round: 2 of 3, printed with one decimal.
    assert_eq!(find("整改完成率").1, "66.7%");
    assert!(find("整改完成率").2.starts_with("2/3"));
    assert_eq!(find("资金：清退（万元）").2, "6.1万元");
    assert_eq!(find("问责：诫勉").2, "0人，1人次");
}

#[test]
fn deadline_lights_follow_the_thresholds() {
    use rectify_domain::supervision::Light;
    use rectify_workbook::deadline_light;
    let ledger = rich();
    let m = &ledger.aspects[0].problems[1].measures[0];
    let on = |y, mo, d| {
        deadline_light(m, Status::InProgress, NaiveDate::from_ymd_opt(y, mo, d).unwrap(), &Default::default())
            .unwrap()
            .0
    };
    // Deadline "2024-06" runs to 30 June.
    assert_eq!(on(2024, 5, 1), Light::None, "far from the deadline: no warning yet");
    assert_eq!(on(2024, 6, 19), Light::Green);
    assert_eq!(on(2024, 6, 20), Light::Yellow);
    assert_eq!(on(2024, 6, 30), Light::Yellow);
    assert_eq!(on(2024, 7, 1), Light::Red);
    let closed = &ledger.aspects[0].problems[0].measures[0];
    assert_eq!(deadline_light(closed, Status::Completed, today(), &Default::default()).unwrap().0, Light::Grey);
    let undated = &ledger.aspects[0].problems[0].measures[1];
    assert_eq!(deadline_light(undated, Status::InProgress, today(), &Default::default()), None);
}

fn day(y: u16, m: u8, d: u8) -> ExcelDateTime {
    ExcelDateTime::from_ymd(y, m, d).unwrap()
}

fn pd(s: &str) -> PartialDate {
    s.parse().unwrap()
}

/// An office's own ledger: instructions sheet, a title row, a two-row header with 责任主体 over
/// 责任领导 | 责任部门, synonyms, merged problem cells, and a second ledger sheet.
fn office_workbook() -> Vec<u8> {
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let date = Format::new().set_num_format("yyyy/m/d");
    let notes = wb.add_worksheet().set_name("说明").unwrap();
    notes.write(0, 0, "填表说明：请按月更新整改进展。").unwrap();
    notes.write(1, 0, "序号").unwrap();
    let ws = wb.add_worksheet().set_name("整改台账").unwrap();
    ws.merge_range(0, 0, 0, 8, "示例局巡察反馈问题整改台账", &bold).unwrap();
    for (c, h) in [
        (0, "序号"),
        (1, "问题类别"),
        (2, "具体问题"),
        (3, "整改措施"),
        (6, "完成时限（时间节点）"),
        (7, "完成情况"),
        (8, "整改进展"),
    ] {
        ws.merge_range(1, c, 2, c, h, &bold).unwrap();
    }
    ws.merge_range(1, 4, 1, 5, "责任主体", &bold).unwrap();
    ws.write(2, 4, "责任领导").unwrap();
    ws.write(2, 5, "责任部门").unwrap();
    // Problem 1 over rows 4–5 (Excel numbering): two measures.
    ws.merge_range(3, 0, 4, 0, "", &Format::new()).unwrap();
    ws.write(3, 0, 1).unwrap();
    ws.merge_range(3, 1, 5, 1, "一、组织建设方面", &Format::new()).unwrap();
    ws.merge_range(3, 2, 4, 2, "干部档案管理不规范", &Format::new()).unwrap();
    ws.merge_range(3, 4, 4, 4, "张某", &Format::new()).unwrap();
    ws.write(3, 3, "开展档案专项审核").unwrap();
    ws.write(3, 5, "人事科、办公室").unwrap();
    ws.write_datetime_with_format(3, 6, day(2023, 6, 30), &date).unwrap();
    ws.write(3, 7, "已完成").unwrap();
    ws.write(3, 8, "2023年6月20日：完成审核").unwrap();
    ws.write(4, 3, "建立档案借阅登记制度").unwrap();
    ws.write(4, 5, "人事科").unwrap();
    ws.write(4, 6, "2023年9月").unwrap();
    ws.write(4, 7, "正在整改").unwrap();
    // Problem 2 (row 6), same aspect through the merged 类别 cell; month-only deadline.
    ws.write(5, 0, 2).unwrap();
    ws.write(5, 2, "发展党员程序不严").unwrap();
    ws.write(5, 3, "逐一复核近三年发展党员材料").unwrap();
    ws.write(5, 6, "6月底前").unwrap();
    ws.write(5, 7, "完成").unwrap();
    // Problem 3 (rows 7–8), a new aspect; an Excel serial typed as a number, then a dotted month
    // on a continuation row (the same problem, no problem text).
    ws.write(6, 0, 3).unwrap();
    ws.write(6, 1, "二、作风建设方面").unwrap();
    ws.write(6, 2, "公务接待超标准").unwrap();
    ws.write(6, 3, "清退超标准接待费用").unwrap();
    ws.write(6, 6, 45107).unwrap();
    ws.write(7, 3, "修订公务接待办法").unwrap();
    ws.write(7, 6, "2023.6").unwrap();
    ws.write(7, 7, "基本完成").unwrap();
    let ws2 = wb.add_worksheet().set_name("第二批").unwrap();
    for (c, h) in ["编号", "问题表现", "具体措施", "整改时限", "整改状态"].iter().enumerate() {
        ws2.write(0, c as u16, *h).unwrap();
    }
    let rows = [
        ["1", "会议记录不完整", "立即补齐会议记录", "立行立改", "已完成"],
        ["2", "制度执行不到位", "定期检查制度执行", "长期坚持", "长期坚持"],
        ["3", "资产台账未更新", "更新资产台账", "2023/06", "未完成"],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws2.write(r as u32 + 1, c as u16, *v).unwrap();
        }
    }
    wb.save_to_buffer().unwrap()
}

#[test]
fn office_ledger_reads_by_meaning() {
    let imported = read_ledger_xlsx(&office_workbook(), &strict()).unwrap();
    assert_eq!(imported.sheets_read, ["整改台账", "第二批"]);
    assert_eq!(imported.rows_read, 5 + 3);
    let l = &imported.ledger;
    assert_eq!(l.aspects.len(), 3);
    let a0 = &l.aspects[0];
    assert_eq!((a0.number.as_deref(), a0.title.as_deref()), (Some("一"), Some("组织建设方面")));
    assert_eq!(a0.problems.len(), 2);
    let p1 = &a0.problems[0];
    assert_eq!(p1.title.as_str(), "干部档案管理不规范");
    assert_eq!(p1.number.as_deref(), Some("1"));
    assert_eq!(p1.responsibility.leader.as_deref(), Some("张某"));
    assert_eq!(p1.measures.len(), 2);
    assert_eq!(p1.measures[0].deadline, Some(pd("2023-06-30")));
    assert_eq!(p1.measures[0].responsibility.departments, ["人事科", "办公室"]);
    assert_eq!(p1.measures[0].progress.len(), 1);
    assert_eq!(p1.measures[0].progress[0].date, pd("2023-06-20"));
    assert_eq!(p1.measures[0].progress[0].text.as_str(), "完成审核");
    assert_eq!(p1.measures[1].deadline, Some(pd("2023-09")));
    assert_eq!(p1.measures[1].status, Some(Status::InProgress));
    // Measures disagree: one done, one in progress.
    assert_eq!(p1.status, Status::InProgress);
    let p2 = &a0.problems[1];
    // "6月底前" takes its year from the previous deadline (2023-09).
    assert_eq!(p2.measures[0].deadline, Some(pd("2023-06")));
    assert_eq!(p2.status, Status::Completed);
    let a1 = &l.aspects[1];
    assert_eq!(a1.title.as_deref(), Some("作风建设方面"));
    let p3 = &a1.problems[0];
    assert_eq!(p3.measures.len(), 2);
    assert_eq!(p3.measures[0].deadline, Some(pd("2023-06-30")));
    assert_eq!(p3.measures[1].deadline, Some(pd("2023-06")));
    assert_eq!(p3.measures[1].status, Some(Status::BasicallyCompleted));
    // The second sheet has no aspect column: one aspect without number or title.
    let a2 = &l.aspects[2];
    assert_eq!((a2.number.as_deref(), a2.title.as_deref()), (None, None));
    let kinds: Vec<Option<MeasureKind>> = a2.problems.iter().map(|p| p.measures[0].kind).collect();
    assert_eq!(kinds, [Some(MeasureKind::Immediate), Some(MeasureKind::LongTerm), None]);
    assert_eq!(a2.problems[0].measures[0].deadline, None);
    assert_eq!(a2.problems[2].measures[0].deadline, Some(pd("2023-06")));
    assert_eq!(a2.problems[2].status, Status::NotDone);
    assert_eq!(a2.problems[1].number.as_deref(), Some("2"));
}

fn bad_workbook() -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("台账").unwrap();
    for (c, h) in ["序号", "问题", "整改措施", "完成时限", "整改状态"].iter().enumerate() {
        ws.write(0, c as u16, *h).unwrap();
    }
    let rows = [
        ["1", "", "措施甲", "2023年6月", "已完成"],
        ["2", "问题乙", "措施乙", "明年再说", "已完成"],
        ["3", "问题丙", "措施丙", "2023年7月", "很好"],
        ["4", "问题丁", "措施丁", "2023年8月31日", "正在整改"],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                ws.write(r as u32 + 1, c as u16, *v).unwrap();
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

/// Unknown values never refuse a unit's ledger: each is a warning with its sheet, row and
/// column, the row is read without the value, and a row that cannot be placed is warned about.
#[test]
fn unreadable_values_are_warnings_with_their_place_and_the_rows_are_kept() {
    for opts in [strict(), ImportOptions { skip_bad_rows: true }] {
        let imported = read_ledger_xlsx(&bad_workbook(), &opts).unwrap();
        assert!(imported.skipped.is_empty());
        let places: Vec<(String, u32, Option<String>)> =
            imported.warnings.iter().map(|e| (e.sheet.clone(), e.row, e.column.clone())).collect();
        assert_eq!(
            places,
            [
                ("台账".to_string(), 2, Some("B（问题）".to_string())),
                ("台账".to_string(), 3, Some("D（完成时限）".to_string())),
                ("台账".to_string(), 4, Some("E（整改状态）".to_string())),
            ]
        );
        let w = &imported.warnings;
        assert!(w[0].message.contains("row not read"), "{}", w[0].message);
        assert!(w[1].message.contains("明年再说"), "{}", w[1].message);
        assert!(w[2].message.contains("很好"), "{}", w[2].message);
        let l = &imported.ledger;
        let titles: Vec<&str> = l.problems().map(|p| p.title.as_str()).collect();
        assert_eq!(titles, ["问题乙", "问题丙", "问题丁"]);
        let p = &l.aspects[0].problems;
        assert_eq!((p[0].measures[0].deadline, p[0].status), (None, Status::Completed));
        assert_eq!(p[1].measures[0].deadline, Some(pd("2023-07")));
        assert_eq!((p[1].measures[0].status, p[1].status), (None, Status::Unknown));
        assert_eq!(p[2].measures[0].deadline, Some(pd("2023-08-31")));
        assert_eq!(p[2].status, Status::InProgress);
    }
}

#[test]
fn garbage_and_sheets_without_a_ledger_are_refused() {
    assert!(matches!(read_ledger_xlsx(b"not a zip", &strict()), Err(ImportError::NotAWorkbook(_))));
    let mut wb = Workbook::new();
    wb.add_worksheet().set_name("说明").unwrap().write(0, 0, "本表无数据").unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    match read_ledger_xlsx(&bytes, &strict()) {
        Err(ImportError::NoLedgerSheet(sheets)) => assert_eq!(sheets, ["说明"]),
        other => panic!("expected NoLedgerSheet, got {other:?}"),
    }
}

#[test]
fn month_only_deadline_without_any_year_is_a_warning() {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["问题", "整改措施", "整改期限"].iter().enumerate() {
        ws.write(0, c as u16, *h).unwrap();
    }
    ws.write(1, 0, "问题甲").unwrap();
    ws.write(1, 1, "措施甲").unwrap();
    ws.write(1, 2, "6月底前").unwrap();
    let imported = read_ledger_xlsx(&wb.save_to_buffer().unwrap(), &strict()).unwrap();
    let rows = &imported.warnings;
    assert!(!rows.is_empty(), "{imported:#?}");
    assert_eq!(rows[0].row, 2);
    assert_eq!(rows[0].column.as_deref(), Some("C（整改期限）"));
    assert!(rows[0].message.contains("gives no year"), "{}", rows[0].message);
    assert_eq!(imported.ledger.aspects[0].problems[0].measures[0].deadline, None);
}

/// Found by `cargo fuzz run xlsx_import`: a cell reference whose column overflows inside calamine.
#[test]
fn a_damaged_cell_reference_is_an_error_not_a_crash() {
    let bytes = include_bytes!("fixtures/fuzz-overflowing-cell-reference.xlsx");
    let result = read_ledger_xlsx(bytes, &ImportOptions { skip_bad_rows: true });
    assert!(matches!(result, Err(ImportError::NotAWorkbook(_))), "{result:?}");
}

#[test]
fn a_cell_far_outside_any_ledger_is_refused_without_allocating_the_sheet() {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "序号").unwrap();
    sheet.write_string(1_048_575, 16_383, "x").unwrap();
    let bytes = book.save_to_buffer().unwrap();
    let result = read_ledger_xlsx(&bytes, &ImportOptions::default());
    assert!(matches!(&result, Err(ImportError::NotAWorkbook(m)) if m.contains("beyond")), "{result:?}");
}
