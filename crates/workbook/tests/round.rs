//! The aggregate figures of a round as a workbook, read back with calamine.

use calamine::{Data, Reader, Xlsx};
use chrono::NaiveDate;
use rectify_domain::stats::{AccountabilityTotal, FundTotal, MeetingTotal};
use rectify_domain::{
    FundKind, InspectionGroup, InspectionKind, PartialDate, RoundDetails, RoundReport, RoundUnitFigures, WanYuan,
};

fn unit(id: i64, name: &str, problems: u32, closed: u32) -> RoundUnitFigures {
    RoundUnitFigures {
        inspection_id: id,
        unit: name.to_string(),
        problems,
        closed,
        overdue_measures: 1,
        awaiting_verification: 2,
        rules: 3,
        funds: WanYuan::parse_wan_yuan("1.5").unwrap(),
        accountability: 4,
        meetings: 5,
    }
}

fn sheet(bytes: &[u8], name: &str) -> Vec<Vec<Data>> {
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    book.worksheet_range(name).unwrap().rows().map(|r| r.to_vec()).collect()
}

fn value<'a>(rows: &'a [Vec<Data>], key: &str) -> &'a Data {
    &rows.iter().find(|r| r[0] == Data::String(key.into())).unwrap_or_else(|| panic!("{key} missing"))[1]
}

#[test]
fn totals_sheet_and_one_row_per_unit() {
    let report = RoundReport {
        name: "区委第三轮巡察".into(),
        kind: InspectionKind::Xuncha,
        details: Default::default(),
        as_of: NaiveDate::from_ymd_opt(2024, 7, 23).unwrap(),
        units: vec![unit(7, "甲局党组", 3, 1), unit(9, "乙局党组", 0, 0)],
        rules_made: 2,
        rules_revised: 1,
        funds: vec![FundTotal { kind: FundKind::Refunded, amount: WanYuan::parse_wan_yuan("12.5").unwrap() }],
        accountability: vec![AccountabilityTotal { kind: "批评教育".into(), persons: 17, person_times: 2 }],
        meetings: vec![MeetingTotal { kind: "专题民主生活会".into(), count: 6 }],
    };
    let bytes = rectify_workbook::write_round_xlsx(&report).unwrap();
    let totals = sheet(&bytes, "汇总");
    assert_eq!(totals[0], vec![Data::String("项目".into()), Data::String("数值".into())]);
    assert_eq!(value(&totals, "轮次"), &Data::String("区委第三轮巡察".into()));
    assert_eq!(value(&totals, "检查类别"), &Data::String("巡察".into()));
    assert_eq!(value(&totals, "单位（家）"), &Data::Float(2.0));
    assert_eq!(value(&totals, "反馈问题（个）"), &Data::Float(3.0));
    assert_eq!(value(&totals, "已完成整改（个）"), &Data::Float(1.0));
    assert_eq!(value(&totals, "整改完成率（%）"), &Data::Float(33.33));
    assert_eq!(value(&totals, "建立完善制度（项）"), &Data::Float(3.0));
    assert_eq!(value(&totals, "清退（万元）"), &Data::Float(12.5));
    assert_eq!(value(&totals, "问责：批评教育（人）"), &Data::Float(17.0));
    assert_eq!(value(&totals, "问责：批评教育（人次）"), &Data::Float(2.0));
    assert_eq!(value(&totals, "会议：专题民主生活会（次）"), &Data::Float(6.0));

    let units = sheet(&bytes, "各单位");
    assert_eq!(units.len(), 3, "header and two units");
    assert_eq!(units[0][1], Data::String("单位".into()));
    assert_eq!(units[1][1], Data::String("甲局党组".into()));
    assert_eq!(units[1][5], Data::Float(33.33));
    assert_eq!(units[1][9], Data::Float(1.5));
    // No problems fed back: no rate, rather than a false 0 or 100.
    assert_eq!(units[2][5], Data::Empty);
}

/// What the office recorded about the round is in the workbook too: who sent it, when the groups
/// were on site and fed back, each group with its leader and units, and each unit's group.
#[test]
fn the_rounds_committee_dates_and_groups() {
    let day = |y, m, d| PartialDate::day(y, m, d).unwrap();
    let groups = vec![
        InspectionGroup::new("第一巡察组", Some("张三"), vec![7]).unwrap(),
        InspectionGroup::new("第二巡察组", None, vec![]).unwrap(),
    ];
    let details = RoundDetails::new(
        Some("区委巡察工作领导小组"),
        Some(day(2024, 4, 8)),
        Some(day(2024, 6, 5)),
        Some(PartialDate::month(2024, 8).unwrap()),
        groups,
    )
    .unwrap();
    let report = RoundReport {
        name: "区委第三轮巡察".into(),
        kind: InspectionKind::Xuncha,
        details,
        as_of: NaiveDate::from_ymd_opt(2024, 9, 1).unwrap(),
        units: vec![unit(7, "甲局党组", 3, 1), unit(9, "乙局党组", 0, 0)],
        rules_made: 0,
        rules_revised: 0,
        funds: vec![],
        accountability: vec![],
        meetings: vec![],
    };
    let bytes = rectify_workbook::write_round_xlsx(&report).unwrap();
    let totals = sheet(&bytes, "汇总");
    assert_eq!(value(&totals, "派出巡察的党组织"), &Data::String("区委巡察工作领导小组".into()));
    assert_eq!(value(&totals, "进驻时间"), &Data::String("2024年4月8日至2024年6月5日".into()));
    assert_eq!(value(&totals, "反馈时间"), &Data::String("2024年8月".into()));
    assert_eq!(value(&totals, "巡察组：第一巡察组"), &Data::String("组长：张三；巡察单位：甲局党组".into()));
    assert_eq!(value(&totals, "巡察组：第二巡察组"), &Data::Empty, "neither leader nor units on record");
    let units = sheet(&bytes, "各单位");
    assert_eq!(units[0][12], Data::String("巡察组".into()));
    assert_eq!(units[1][12], Data::String("第一巡察组".into()));
    assert_eq!(units[2][12], Data::Empty, "乙局党组 was inspected by no group on record");
}
