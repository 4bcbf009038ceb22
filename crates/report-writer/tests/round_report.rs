//! The aggregate report of a round, read back from its outputs.

use chrono::NaiveDate;
use rectify_domain::stats::{AccountabilityTotal, FundTotal, MeetingTotal};
use rectify_domain::{FundKind, InspectionGroup, InspectionKind, RoundDetails, RoundReport, RoundUnitFigures, WanYuan};
use rectify_report_writer::*;

fn unit(id: i64, name: &str, problems: u32, closed: u32, overdue: u32) -> RoundUnitFigures {
    RoundUnitFigures {
        inspection_id: id,
        unit: name.to_string(),
        problems,
        closed,
        overdue_measures: overdue,
        awaiting_verification: 0,
        rules: 0,
        funds: WanYuan::ZERO,
        accountability: 0,
        meetings: 0,
    }
}

fn wan(text: &str) -> WanYuan {
    WanYuan::parse_wan_yuan(text).unwrap()
}

/// Three units: one done, one behind with overdue measures, one barely started.
fn report(name: &str, kind: InspectionKind) -> RoundReport {
    RoundReport {
        name: name.to_string(),
        kind,
        details: RoundDetails::default(),
        as_of: NaiveDate::from_ymd_opt(2024, 7, 23).unwrap(),
        units: vec![
            unit(1, "中共某某区文化和旅游局党组", 25, 25, 0),
            unit(2, "中共某某区卫生健康委员会党委", 30, 24, 2),
            unit(3, "中共某某街道工作委员会", 12, 3, 5),
        ],
        rules_made: 9,
        rules_revised: 3,
        funds: vec![
            FundTotal { kind: FundKind::Refunded, amount: wan("7.132") },
            FundTotal { kind: FundKind::Recovered, amount: wan("5.4") },
            FundTotal { kind: FundKind::LossesAvoided, amount: WanYuan::ZERO },
        ],
        accountability: vec![
            AccountabilityTotal { kind: "批评教育".into(), persons: 17, person_times: 0 },
            AccountabilityTotal { kind: "通报批评".into(), persons: 3, person_times: 2 },
        ],
        meetings: vec![MeetingTotal { kind: "专题民主生活会".into(), count: 3 }],
    }
}

fn day(text: &str) -> Option<rectify_domain::PartialDate> {
    Some(text.parse().unwrap())
}

/// The round's record as the office entered it: committee, on-site dates, feedback, a group.
fn details() -> RoundDetails {
    let group = InspectionGroup::new("区委第一巡察组", Some("张某某"), vec![1, 2]).unwrap();
    RoundDetails::new(
        Some("区委巡察工作领导小组"),
        day("2024-03-04"),
        day("2024-05-20"),
        day("2024-07-15"),
        vec![group],
    )
    .unwrap()
}

#[test]
fn snapshot_round_markdown() {
    let mut r = report("区委第三轮巡察", InspectionKind::Xuncha);
    r.details = details();
    insta::assert_snapshot!(render_round_markdown(&r));
}

#[test]
fn the_opening_names_the_committee_and_the_dates_it_knows() {
    let mut r = report("区委第三轮巡察", InspectionKind::Xuncha);
    r.details = details();
    let md = render_round_markdown(&r);
    assert!(
        md.contains(
            "根据区委巡察工作领导小组统一部署，区委第三轮巡察于2024年3月4日至5月20日共对3家单位开展巡察，\
             2024年7月15日反馈问题67个。"
        ),
        "{md}"
    );
    // Across a new year the end keeps its year; a start alone says since when; no committee,
    // no 根据.
    r.details = RoundDetails::new(None, day("2023-12-11"), day("2024-01"), None, vec![]).unwrap();
    let md = render_round_markdown(&r);
    assert!(md.contains("区委第三轮巡察于2023年12月11日至2024年1月共对3家单位开展巡察，反馈问题67个。"), "{md}");
    assert!(!md.contains("根据"), "{md}");
    r.details = RoundDetails::new(Some("区委"), day("2024-03"), None, None, vec![]).unwrap();
    let md = render_round_markdown(&r);
    assert!(md.contains("根据区委统一部署，区委第三轮巡察自2024年3月起共对3家单位开展巡察，反馈问题67个。"), "{md}");
    // A round named without its kind gets it once, after the dates are placed.
    let mut r = report("七届区委第一轮", InspectionKind::Xuncha);
    r.details = details();
    let md = render_round_markdown(&r);
    assert!(md.contains("统一部署，七届区委第一轮巡察于2024年3月4日"), "{md}");
    assert!(!md.contains("巡察巡察"), "{md}");
}

#[test]
fn snapshot_round_html() {
    insta::assert_snapshot!(render_round_html(&report("七届区委第一轮", InspectionKind::Xuncha)));
}

#[test]
fn the_figures_are_the_sums_and_the_rate_is_closed_over_fed_back() {
    let md = render_round_markdown(&report("区委第三轮巡察", InspectionKind::Xuncha));
    // 52 of 67 closed: 77.61%, not the mean of the three units' rates (72.67%).
    assert!(md.contains("共对3家单位开展巡察，反馈问题67个"), "{md}");
    assert!(md.contains("已完成整改52个，尚未完成15个，整改完成率77.61%（52/67）"), "{md}");
    assert!(md.contains("建立完善制度12项（新建9项、修订3项）"), "{md}");
    assert!(md.contains("清退资金7.132万元、追缴资金5.4万元，合计12.532万元"), "{md}");
    assert!(md.contains("批评教育17人、通报批评3人、通报批评2人次"), "{md}");
    assert!(md.contains("召开专题民主生活会3次"), "{md}");
    // The unit that is done is not listed as behind; the lowest rate comes first.
    let street = md.find("1\\.中共某某街道工作委员会").expect("street first");
    let health = md.find("2\\.中共某某区卫生健康委员会党委").expect("health second");
    assert!(street < health);
    assert!(!md.contains("文化和旅游局党组："), "{md}");
}

#[test]
fn the_kind_decides_the_wording_and_is_never_said_twice() {
    for (name, kind, title) in [
        ("区委第三轮巡察", InspectionKind::Xuncha, "关于区委第三轮巡察整改情况的报告"),
        ("七届区委第一轮", InspectionKind::Xuncha, "关于七届区委第一轮巡察整改情况的报告"),
        ("省委第二轮巡视", InspectionKind::Xunshi, "关于省委第二轮巡视整改情况的报告"),
        ("2023年度预算执行", InspectionKind::Audit, "关于2023年度预算执行审计整改情况的报告"),
        ("人防工程双随机", InspectionKind::SpotCheck, "关于人防工程双随机专项检查整改情况的报告"),
    ] {
        let md = render_round_markdown(&report(name, kind));
        assert!(md.starts_with(&format!("# {title}\n")), "{md}");
        for doubled in ["巡察巡察", "巡视巡视", "审计审计", "专项检查专项检查"] {
            assert!(!md.contains(doubled), "{doubled} in {md}");
        }
        assert!(md.contains(&format!("开展{}", kind.as_str())), "{md}");
    }
    // Only the inspection offices sign; an audit's report carries the date alone.
    assert!(
        render_round_markdown(&report("区委第三轮巡察", InspectionKind::Xuncha)).contains("巡察工作领导小组办公室")
    );
    assert!(!render_round_markdown(&report("预算执行", InspectionKind::Audit)).contains("领导小组办公室"));
}

#[test]
fn an_empty_round_claims_nothing() {
    let mut r = report("区委第四轮巡察", InspectionKind::Xuncha);
    r.units.clear();
    r.rules_made = 0;
    r.rules_revised = 0;
    r.funds.clear();
    r.accountability.clear();
    r.meetings.clear();
    let md = render_round_markdown(&r);
    assert!(md.contains("共对0家单位开展巡察，各单位台账尚未记入反馈问题。"), "{md}");
    assert!(!md.contains('%'), "{md}");
    assert!(!md.contains("滞后的单位"), "{md}");
}

fn docx_part(docx: &[u8], name: &str) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx)).unwrap();
    let mut out = String::new();
    zip.by_name(name).unwrap().read_to_string(&mut out).unwrap();
    out
}

#[test]
fn the_docx_holds_every_block_on_the_gbt_9704_page() {
    let r = report("区委第三轮巡察", InspectionKind::Xuncha);
    let docx = render_round_docx(&r).unwrap();
    let doc = docx_part(&docx, "word/document.xml");
    for block in round_blocks(&r) {
        let escaped = block.text().replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
        assert!(doc.contains(&escaped), "{block:?} missing in docx");
    }
    // The page and the fonts of the unit's report.
    assert!(doc.contains(r#"<w:pgSz w:w="11906" w:h="16838" />"#), "A4");
    for margin in [r#"w:top="2098""#, r#"w:bottom="1984""#, r#"w:left="1587""#, r#"w:right="1474""#] {
        assert!(doc.contains(margin), "{margin}");
    }
    assert!(doc.contains(r#"<w:docGrid w:type="lines" w:linePitch="579" />"#));
    assert!(doc.contains(r#"w:pStyle w:val="RectifyTitle""#) && doc.contains(r#"w:pStyle w:val="RectifyHeading1""#));
    let styles = docx_part(&docx, "word/styles.xml");
    assert!(styles.contains(r#"w:eastAsia="方正小标宋简体""#) && styles.contains(r#"w:eastAsia="仿宋_GB2312""#));
    assert!(styles.contains(r#"w:eastAsia="黑体""#));
    assert!(docx_part(&docx, "word/footer1.xml").contains("PAGE"));
}
