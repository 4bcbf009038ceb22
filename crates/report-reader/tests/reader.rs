//! Behaviour of the reader on the published seed reports, on fixtures written for each trap
//! of the genre, on generated .docx files, and on random input (proptest).

use std::io::Write;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use rectify_domain::{Ledger, Status};
use rectify_report_reader::{Document, Parsed, SourceKind, parse, parse_file, read_bytes, read_document};

fn seed(name: &str) -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/seeds")).join(name)
}

fn fixture(name: &str) -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures")).join(name)
}

fn parsed(path: &Path) -> Parsed {
    parse_file(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn date(d: Option<rectify_domain::PartialDate>) -> Option<String> {
    d.map(|d| d.to_string())
}

fn measure_counts(l: &Ledger) -> Vec<Vec<usize>> {
    l.aspects.iter().map(|a| a.problems.iter().map(|p| p.measures.len()).collect()).collect()
}

fn numbers(l: &Ledger) -> Vec<Vec<Option<String>>> {
    l.aspects.iter().map(|a| a.problems.iter().map(|p| p.number.clone()).collect()).collect()
}

fn wan(v: &[rectify_domain::WanYuan]) -> Vec<String> {
    v.iter().map(|w| w.to_string()).collect()
}

// ---------------------------------------------------------------- seed 001 (flat list)

#[test]
fn seed_001_structure_and_figures() {
    let p = parsed(&seed("001_3600beed019e1183.txt"));
    let l = &p.ledger;
    assert_eq!(date(l.report_date).as_deref(), Some("2024-07-23"));
    assert_eq!(l.title, None, "the text has no title line");
    assert!(l.unit.as_deref().is_some_and(|u| u.starts_with("中共") && u.ends_with("党组")));

    assert_eq!(l.aspects.len(), 1);
    assert_eq!((l.aspects[0].number.as_deref(), l.aspects[0].title.as_deref()), (None, None));
    let nums: Vec<String> = l.aspects[0].problems.iter().filter_map(|p| p.number.clone()).collect();
    let expected: Vec<String> = (1..=30).map(|n| n.to_string()).collect();
    assert_eq!(nums, expected, "30 problems numbered 1..30");

    let c = &l.claimed;
    assert_eq!((c.aspects, c.problems, c.measures), (Some(4), Some(30), Some(119)));
    assert_eq!(c.accountability.0, vec![("通报批评".to_string(), 3), ("批评教育".to_string(), 17)]);
    assert_eq!(c.completion_rate_percent, None);
}

#[test]
fn seed_001_measures_counted_by_hand() {
    let p = parsed(&seed("001_3600beed019e1183.txt"));
    let probs = &p.ledger.aspects[0].problems;
    // Counted on the printed text: 一是…三是 etc.; item 12 has "三对…" (its 是 is missing).
    for (number, count) in [(1, 3), (2, 6), (3, 3), (6, 7), (9, 3), (12, 3), (15, 3), (19, 3), (20, 3), (30, 4)] {
        assert_eq!(probs[number - 1].measures.len(), count, "problem {number}");
    }
    assert!(probs.iter().all(|p| p.status == Status::Unknown), "no status is printed");
}

#[test]
fn seed_001_glued_item_20_is_split_from_19() {
    let p = parsed(&seed("001_3600beed019e1183.txt"));
    let spans = &p.spans.aspects[0].problems;
    let (p19, p20) = (&spans[18], &spans[19]);
    assert_eq!(p19.token.as_deref(), Some("19."));
    assert_eq!(p20.token.as_deref(), Some("20."));
    assert_eq!(p20.line, p19.line + 1, "item 20 stands at the end of item 19's measures line");
    let probs = &p.ledger.aspects[0].problems;
    assert!(probs[19].title.contains("一把手"));
    assert!(!probs[18].measures.iter().any(|m| m.text.contains("一把手")));
}

#[test]
fn seed_001_amounts_dates_and_documents() {
    let p = parsed(&seed("001_3600beed019e1183.txt"));
    let spans = &p.spans.aspects[0].problems;
    assert_eq!(wan(&spans[14].title_amounts_wan_yuan), vec!["6.1万元"]);
    assert_eq!(wan(&spans[15].title_amounts_wan_yuan), vec!["50.68万元"]);
    assert_eq!(wan(&spans[16].title_amounts_wan_yuan), vec!["3.34万元"]);
    let probs = &p.ledger.aspects[0].problems;
    assert_eq!(wan(&probs[1].measures[0].amounts_wan_yuan), vec!["5万元"]);
    // "7月项目通过…" takes 2024 from "2024年4月" earlier in the same problem.
    assert_eq!(date(probs[2].measures[2].dates.first().copied()).as_deref(), Some("2024-07"));
    // "12月29日" follows "2023年10月26日" in the problem before it.
    assert_eq!(date(probs[7].measures[1].dates.first().copied()).as_deref(), Some("2023-12-29"));
    assert_eq!(probs[8].measures[2].documents.len(), 5);
    assert!(p.ledger.named_documents.len() >= 10);
}

#[test]
fn seed_001_contacts_without_the_site_footer() {
    let p = parsed(&seed("001_3600beed019e1183.txt"));
    let c = &p.ledger.contacts;
    assert_eq!(c.phones, vec!["027-53083210", "027-60830575"], "the footer's phone is chrome");
    assert_eq!(c.emails, vec!["2673660278@qq.com"]);
    assert_eq!(c.addresses.len(), 1);
    assert!(c.addresses[0].ends_with("19号"));
    let json = serde_json::to_string(&p.ledger).unwrap();
    assert!(!json.contains("ICP") && !json.contains("网站地图"));
}

#[test]
fn seed_001_claims_point_at_the_summary_line() {
    let p = parsed(&seed("001_3600beed019e1183.txt"));
    assert!(p.spans.claimed.len() >= 5);
    assert!(p.spans.claimed.iter().all(|c| c.line == 2));
    assert_eq!(p.spans.parts.iter().map(|h| h.line).collect::<Vec<_>>(), vec![1, 3, 63]);
}

// ---------------------------------------------------------------- seed 000 (aspects)

#[test]
fn seed_000_aspects_and_printed_numbers() {
    let p = parsed(&seed("000_df6283232ebd7fb8.txt"));
    let l = &p.ledger;
    let aspect_numbers: Vec<_> = l.aspects.iter().map(|a| a.number.clone()).collect();
    assert_eq!(aspect_numbers, ["一", "二", "三", "四"].map(|s| Some(s.to_string())).to_vec());
    let s = |v: &[&str]| v.iter().map(|x| Some(x.to_string())).collect::<Vec<_>>();
    assert_eq!(numbers(l), vec![s(&["1", "2", "3"]), s(&["1", "2", "5"]), s(&["1", "2", "4"]), vec![None]]);
    assert_eq!(measure_counts(l), vec![vec![2, 5, 3], vec![1, 3, 3], vec![1, 2, 4], vec![1]]);
    assert!(l.aspects[0].problems[0].title.starts_with("针对") && l.aspects[0].problems[0].title.ends_with("的问题"));
    assert_eq!(l.unit.as_deref().map(|u| u.ends_with("党组")), Some(true));
    assert!(l.title.as_deref().is_some_and(|t| t.ends_with("通报")));
    assert_eq!(l.report_date, None, "the extracted text carries no date");
}

#[test]
fn seed_000_inspection_claims_and_contacts() {
    let p = parsed(&seed("000_df6283232ebd7fb8.txt"));
    let l = &p.ledger;
    assert_eq!(date(l.inspection.start).as_deref(), Some("2022-07-04"));
    assert_eq!(date(l.inspection.end).as_deref(), Some("2022-09-20"), "the year carries over");
    assert_eq!(date(l.inspection.feedback_date).as_deref(), Some("2023-02-13"));
    assert!(l.inspection.inspector.as_deref().is_some_and(|g| g.ends_with("巡察组")));
    assert_eq!((l.claimed.aspects, l.claimed.problems), (Some(4), Some(22)));
    assert_eq!(l.contacts.postcodes, vec!["201199"]);
    assert_eq!(l.contacts.phones.len(), 1);
    assert_eq!(l.contacts.addresses.len(), 1);
    assert!(!l.contacts.addresses[0].contains("信封"), "the envelope note is not the address");
}

#[test]
fn seed_000_page_breaks_and_markup() {
    let p = parsed(&seed("000_df6283232ebd7fb8.txt"));
    let l = &p.ledger;
    let json = serde_json::to_string(l).unwrap();
    assert!(!json.contains("**"), "bold markers are removed");
    // The 二是 of aspect 1 problem 1 runs across a page break inside "副组|长".
    assert!(l.aspects[0].problems[0].measures[1].text.contains("副组长"));
    // The 二是 of problem 5 in aspect 2 continues in the next paragraph, up to 三是.
    let m = &l.aspects[1].problems[2].measures[1];
    assert!(m.text.contains("85.71%"));
    // A 4-digit year written with spaces ("2023 年") is still a date.
    assert!(l.aspects[1].problems[2].measures[2].dates.iter().any(|d| d.to_string() == "2023"));
    let spans = &p.spans.aspects[1].problems[2];
    assert_eq!(spans.token.as_deref(), Some("5."));
    assert!(spans.measures[2].line > spans.measures[1].line);
}

// ---------------------------------------------------------------- fixtures, one per trap

#[test]
fn gbk_file_with_status_lines_and_chinese_numeral_date() {
    let p = parsed(&fixture("classic_gbk.txt"));
    let doc = read_document(&fixture("classic_gbk.txt")).unwrap();
    assert_eq!(doc.encoding, "GB18030");
    let l = &p.ledger;
    assert_eq!(date(l.report_date).as_deref(), Some("2024-01-15"));
    assert_eq!(l.unit.as_deref(), Some("中共青石县林业局党组"));
    assert_eq!(l.inspection.inspector.as_deref(), Some("县委第二巡察组"));
    assert_eq!(date(l.inspection.start).as_deref(), Some("2023-03-06"));
    assert_eq!(date(l.inspection.end).as_deref(), Some("2023-05-12"));
    assert_eq!(date(l.inspection.feedback_date).as_deref(), Some("2023-07-18"));
    let c = &l.claimed;
    assert_eq!((c.aspects, c.problems, c.measures), (Some(3), Some(8), Some(26)));
    assert_eq!((c.completed, c.in_progress, c.rules_made_or_revised), (Some(6), Some(2), Some(9)));
    assert_eq!(c.completion_rate_percent, Some(75.0));
    assert_eq!(c.funds_recovered_wan_yuan.map(|w| w.to_string()).as_deref(), Some("3.5万元"));
    assert_eq!(c.accountability.0, vec![("诫勉谈话".to_string(), 1), ("批评教育".to_string(), 4)]);
    let statuses: Vec<Status> = l.problems().map(|p| p.status).collect();
    assert_eq!(statuses, vec![Status::Completed, Status::InProgress, Status::LongTerm]);
    assert_eq!(measure_counts(l), vec![vec![2, 2], vec![3]]);
    let dates: Vec<String> = l.aspects[0].problems[0].measures[1].dates.iter().map(|d| d.to_string()).collect();
    assert_eq!(dates, vec!["2023-09", "2023-10-15"]);
    assert_eq!(l.contacts.postcodes, vec!["999001"]);
    assert_eq!(l.contacts.emails, vec!["qsly_test@example.com"]);
    assert_eq!(p.spans.aspects[0].problems[0].status_line, Some(14));
}

#[test]
fn pdf_hard_wrap_with_page_numbers_and_crlf_reads_like_the_original() {
    let wrapped = parsed(&fixture("pdf_wrap_crlf.txt"));
    let original = parsed(&fixture("classic_gbk.txt"));
    assert_eq!(wrapped.ledger.aspects, original.ledger.aspects);
    assert_eq!(wrapped.ledger.claimed, original.ledger.claimed);
    assert_eq!(wrapped.ledger.inspection, original.ledger.inspection);
    assert_eq!(wrapped.ledger.contacts, original.ledger.contacts);
    assert_eq!(wrapped.ledger.report_date, original.ledger.report_date);
    // Line numbers are those of the wrapped file: the first problem follows page number "— 1 —".
    assert_eq!(wrapped.spans.aspects[0].problems[0].line, 16);
}

#[test]
fn utf16_files_with_labelled_problems_and_paren_measures() {
    for name in ["flat_utf16le.txt", "flat_utf16be.txt"] {
        let doc = read_document(&fixture(name)).unwrap();
        assert!(doc.encoding.starts_with("UTF-16"), "{name}");
        let l = parse(&doc).ledger;
        let s = |v: &[&str]| v.iter().map(|x| Some(x.to_string())).collect::<Vec<_>>();
        assert_eq!(numbers(&l), vec![s(&["一", "二", "三"])], "{name}");
        assert_eq!(measure_counts(&l), vec![vec![3, 2, 1]]);
        assert_eq!(l.unit.as_deref(), Some("中共白河市统计局党组"), "unit from the signature");
        assert_eq!(date(l.report_date).as_deref(), Some("2024-01-08"));
        // "11月起" in a report of January 2024 is November 2023.
        assert_eq!(date(l.aspects[0].problems[1].measures[1].dates.first().copied()).as_deref(), Some("2023-11"));
        assert_eq!((l.claimed.problems, l.claimed.measures), (Some(5), Some(12)));
        assert_eq!(l.claimed.accountability.get("提醒谈话"), Some(3));
        assert_eq!(wan(&l.aspects[0].problems[2].measures[0].amounts_wan_yuan), vec!["12.5万元"]);
    }
}

#[test]
fn three_levels_under_an_aspect() {
    let l = parsed(&fixture("threelevel.txt")).ledger;
    assert_eq!(l.aspects.len(), 2);
    assert_eq!(l.aspects[0].title.as_deref(), Some("在贯彻落实上级决策部署方面"));
    assert_eq!(measure_counts(&l), vec![vec![2, 1], vec![3]]);
    assert_eq!(l.aspects[0].problems[0].title.as_str(), "关于文化惠民工程推进缓慢问题的整改");
    assert_eq!(l.inspection.inspector.as_deref(), Some("区委第一巡察组"));
    assert_eq!(date(l.inspection.feedback_date).as_deref(), Some("2023-01-10"));
}

#[test]
fn circled_ordinal_and_targeted_problem_variants() {
    let p = parsed(&fixture("variants.txt"));
    let l = &p.ledger;
    assert_eq!(measure_counts(l), vec![vec![3, 3], vec![3, 1]]);
    assert!(l.problems().all(|p| p.number.is_none() && p.title.starts_with("针对") && p.title.ends_with("问题")));
    let tokens: Vec<Option<String>> = p.spans.aspects[0].problems[0].measures.iter().map(|m| m.token.clone()).collect();
    assert_eq!(tokens, vec![Some("①".into()), Some("②".into()), Some("③".into())]);
    let first = &p.spans.aspects[0].problems[1].measures[0];
    assert_eq!(first.token.as_deref(), Some("第一，"));
    assert_eq!(wan(&l.aspects[1].problems[1].measures[0].amounts_wan_yuan), vec!["4.5万元"]);
}

#[test]
fn problems_without_any_aspect_heading() {
    let l = parsed(&fixture("noaspects.txt")).ledger;
    assert_eq!(l.aspects.len(), 1);
    assert_eq!((l.aspects[0].number.clone(), l.aspects[0].title.clone()), (None, None));
    assert_eq!(measure_counts(&l), vec![vec![2, 2, 1]]);
    assert_eq!(date(l.report_date).as_deref(), Some("2024-05-06"), "date only under the signature");
    assert_eq!(l.unit.as_deref(), Some("市水务局"));
    assert_eq!(l.contacts.phones, vec!["12345678"]);
}

#[test]
fn website_chrome_is_not_part_of_the_report() {
    let p = parsed(&fixture("chrome.txt"));
    let l = &p.ledger;
    assert_eq!(l.title.as_deref(), Some("中共西坡区审计局党组关于巡察整改进展情况的通报"));
    assert_eq!(date(l.report_date).as_deref(), Some("2024-02-28"));
    assert_eq!(l.contacts.phones, vec!["0888-7654321"]);
    assert_eq!(measure_counts(l), vec![vec![2, 2]]);
    let json = serde_json::to_string(l).unwrap();
    for chrome in ["上一篇", "浏览次数", "打印", "ICP", "技术支持", "首页"] {
        assert!(!json.contains(chrome), "{chrome}");
    }
    assert_eq!(date(l.inspection.feedback_date).as_deref(), Some("2023-08-22"));
}

#[test]
fn markdown_bold_and_hashes() {
    let p = parsed(&fixture("markdown.txt"));
    let l = &p.ledger;
    assert_eq!(measure_counts(l), vec![vec![3, 2]]);
    assert_eq!(l.aspects[0].problems[0].measures[0].text.as_str(), "开展“走访群众”活动，走访群众200户。");
    assert!(!serde_json::to_string(l).unwrap().contains('*'));
    assert!(l.title.as_deref().is_some_and(|t| !t.starts_with('#')));
}

// ---------------------------------------------------------------- .docx

fn docx_bytes(paragraphs: &[&str]) -> Vec<u8> {
    let mut body = String::new();
    for p in paragraphs {
        let escaped = p.replace('&', "&amp;").replace('<', "&lt;");
        body.push_str(&format!(
            r#"<w:p><w:pPr><w:jc w:val="both"/></w:pPr><w:r><w:t xml:space="preserve">{escaped}</w:t></w:r></w:p>"#
        ));
    }
    let xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}<w:sectPr/></w:body></w:document>"#
    );
    let mut buf = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut buf);
    let opts = zip::write::SimpleFileOptions::default();
    zip.start_file("[Content_Types].xml", opts).unwrap();
    zip.write_all(
        br#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"#,
    )
    .unwrap();
    zip.start_file("word/document.xml", opts).unwrap();
    zip.write_all(xml.as_bytes()).unwrap();
    zip.finish().unwrap();
    buf.into_inner()
}

#[test]
fn docx_paragraphs_are_lines() {
    let bytes = docx_bytes(&[
        "中共某县交通局党组关于巡察整改进展情况的通报",
        "",
        "二、反馈问题整改情况",
        "1.针对道路养护不到位的问题。一是制定《养护规程》；二是2023年5月完成修复。",
        "整改状态：已完成",
        "2.针对资金使用不规范的问题。一是追回资金2000元；二是开展培训。",
        "中共某县交通局党组",
        "2023年12月1日",
    ]);
    // Decided by content: the name says .txt.
    let doc = read_bytes(&bytes, Some("report.txt")).unwrap();
    assert_eq!(doc.kind, SourceKind::Docx);
    assert_eq!(doc.lines.len(), 8);
    let p = parse(&doc);
    let l = &p.ledger;
    assert_eq!(measure_counts(l), vec![vec![2, 2]]);
    assert_eq!(l.aspects[0].problems[0].status, Status::Completed);
    assert_eq!(p.spans.aspects[0].problems[1].line, 6, "the paragraph's 1-based index");
    assert_eq!(wan(&l.aspects[0].problems[1].measures[0].amounts_wan_yuan), vec!["0.2万元"]);
    assert_eq!(date(l.report_date).as_deref(), Some("2023-12-01"));
    assert_eq!(l.named_documents, vec!["《养护规程》"]);
}

#[test]
fn unreadable_input_is_a_one_line_error() {
    let garbage = [0x81u8, 0x30, 0xFF, 0x00, 0xFE, 0x81, 0x7F, 0x80];
    for (bytes, name) in [(&garbage[..], "x.txt"), (b"PK\x03\x04not a zip", "x.docx"), (b"plain", "x.docx")] {
        let err = read_bytes(bytes, Some(name)).unwrap_err();
        assert!(!err.to_string().contains('\n'), "{err}");
    }
    let missing = read_document(Path::new("/nonexistent/report.txt")).unwrap_err();
    assert!(missing.to_string().contains("cannot read"));
    let no_document = {
        let mut buf = std::io::Cursor::new(Vec::new());
        let mut zip = zip::ZipWriter::new(&mut buf);
        zip.start_file("a.txt", zip::write::SimpleFileOptions::default()).unwrap();
        zip.finish().unwrap();
        buf.into_inner()
    };
    assert!(read_bytes(&no_document, None).unwrap_err().to_string().contains("word/document.xml"));
}

#[test]
fn empty_input_gives_an_empty_ledger() {
    let p = parse(&Document::from_text(""));
    assert!(p.ledger.aspects.is_empty());
    assert_eq!(p.ledger.title, None);
    assert!(rectify_report_reader::outline(&p).contains("0个问题"));
}

#[test]
fn outline_names_the_parts_of_the_report() {
    let p = parsed(&fixture("classic_gbk.txt"));
    let o = rectify_report_reader::outline(&p);
    for needle in [
        "标题：中共青石县林业局党组",
        "2024年1月15日",
        "县委第二巡察组",
        "方面3",
        "[已完成]",
        "[长期坚持]",
        "邮编：999001",
        "日期 2023-09、2023-10-15",
    ] {
        assert!(o.contains(needle), "{needle} missing in\n{o}");
    }
}

#[test]
fn parsed_ledgers_pass_the_domain_checks() {
    for path in [seed("000_df6283232ebd7fb8.txt"), seed("001_3600beed019e1183.txt"), fixture("classic_gbk.txt")] {
        let l = parsed(&path).ledger;
        let json = serde_json::to_string(&l).unwrap();
        let back = Ledger::from_json(&json).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(back.aspects.len(), l.aspects.len());
    }
}

// ---------------------------------------------------------------- property tests

/// Characters for generated titles and measures: no numerals, no 是/第, no punctuation, so
/// that generated text cannot contain markers by accident.
const POOL: &[char] = &[
    '党', '组', '建', '设', '制', '度', '落', '实', '管', '理', '资', '金', '学', '习', '工', '作', '监', '督', '责',
    '任', '规', '范', '干', '部', '教', '育', '推', '进', '检', '查', '会', '议', '整', '改', '机', '制', '风', '险',
    '防', '控', '宣', '传', '培', '训', '服', '务', '群', '众', '财', '务', '档', '案',
];

fn words(min: usize, max: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(proptest::sample::select(POOL), min..=max).prop_map(|v| v.into_iter().collect())
}

#[derive(Debug, Clone)]
struct GenProblem {
    gap: u32,
    title: String,
    measures: Vec<String>,
    status: Status,
}

fn gen_problem() -> impl Strategy<Value = GenProblem> {
    (
        0u32..3,
        words(2, 10),
        proptest::collection::vec(words(4, 30), 1..=5),
        proptest::sample::select(vec![Status::Completed, Status::InProgress, Status::LongTerm, Status::Unknown]),
    )
        .prop_map(|(gap, title, measures, status)| GenProblem { gap, title, measures, status })
}

fn gen_ledger() -> impl Strategy<Value = Vec<(String, Vec<GenProblem>)>> {
    proptest::collection::vec((words(2, 12), proptest::collection::vec(gen_problem(), 1..=4)), 1..=4)
}

const ORDINALS: [&str; 5] = ["一是", "二是", "三是", "四是", "五是"];

/// Writes a report in the seed-000 style, and the problem numbers it printed.
fn render(aspects: &[(String, Vec<GenProblem>)]) -> (String, Vec<Vec<String>>) {
    let mut t = String::from("中共某某区某某局党组 关于巡察整改进展情况的通报\n\n");
    t.push_str("根据区委统一部署，区委第一巡察组于2023年3月1日至5月30日对中共某某区某某局党组进行了巡察，并于7月5日反馈了巡察意见。\n\n");
    t.push_str("一、党组组织落实巡察整改工作情况\n\n党组高度重视，召开专题会议研究部署整改工作。\n\n");
    t.push_str("二、巡察反馈问题整改情况\n\n");
    let mut printed = Vec::new();
    for (ai, (title, problems)) in aspects.iter().enumerate() {
        t.push_str(&format!("（{}）关于{title}方面的整改\n\n", rectify_domain::numerals::to_chinese(ai as u32 + 1)));
        let mut n = 0;
        let mut numbers = Vec::new();
        for p in problems {
            n += 1 + p.gap;
            numbers.push(n.to_string());
            t.push_str(&format!("{n}. 针对{}的问题。", p.title));
            if p.measures.len() == 1 {
                t.push_str(&format!("{}。", p.measures[0]));
            } else {
                for (k, m) in p.measures.iter().enumerate() {
                    t.push_str(&format!("{}{m}。", ORDINALS[k]));
                }
            }
            t.push_str("\n\n");
            let status = match p.status {
                Status::Completed => Some("已完成"),
                Status::InProgress => Some("正在整改"),
                Status::LongTerm => Some("长期坚持"),
                _ => None,
            };
            if let Some(s) = status {
                t.push_str(&format!("整改状态：{s}\n\n"));
            }
        }
        printed.push(numbers);
    }
    t.push_str("三、下一步工作\n\n持续巩固整改成果。\n\n欢迎广大干部群众监督。联系电话：010-12345678\n");
    (t, printed)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn parsing_any_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..2000)) {
        if let Ok(doc) = read_bytes(&bytes, None) {
            let p = parse(&doc);
            let _ = rectify_report_reader::outline(&p);
        }
    }

    #[test]
    fn parsing_report_like_text_never_panics(
        lines in proptest::collection::vec(
            proptest::string::string_regex("[一二三四五（）()1-9.、是:：，。；第①②“”《》问题针对整改情况状态完成年月日元万 **—-]{0,40}").unwrap(),
            0..40,
        )
    ) {
        let p = parse(&Document::from_text(&lines.join("\n")));
        let _ = rectify_report_reader::outline(&p);
    }

    #[test]
    fn a_rendered_ledger_parses_back(aspects in gen_ledger()) {
        let (text, printed) = render(&aspects);
        let l = parse(&Document::from_text(&text)).ledger;
        prop_assert_eq!(l.aspects.len(), aspects.len(), "{}", text);
        for ((a, (title, problems)), numbers) in l.aspects.iter().zip(&aspects).zip(&printed) {
            prop_assert_eq!(a.title.clone(), Some(format!("关于{title}方面的整改")));
            prop_assert_eq!(a.problems.len(), problems.len(), "{}", text);
            for ((p, g), n) in a.problems.iter().zip(problems).zip(numbers) {
                prop_assert_eq!(p.number.as_deref(), Some(n.as_str()));
                prop_assert_eq!(p.title.as_str(), format!("针对{}的问题", g.title));
                prop_assert_eq!(p.measures.len(), g.measures.len(), "{}", text);
                prop_assert_eq!(p.status, g.status);
            }
        }
        prop_assert_eq!(l.inspection.feedback_date.map(|d| d.to_string()), Some("2023-07-05".to_string()));
    }
}

// ---------------------------------------------------------------- reading by meaning

#[test]
fn an_organisational_section_is_not_a_problem_list() {
    let text = "根据市委统一部署，市委巡察三组于2023年3月1日至4月30日对市某某局党组开展了巡察，并于2023年6月1日反馈了巡察意见。现将巡察整改进展情况予以公布。\n\
一、提高政治站位，加强组织领导\n\
（一）提高思想认识。党组召开专题会议12次，研究部署整改工作。\n\
（二）压实整改责任。一是成立领导小组；二是制定整改方案；三是建立工作台账。\n";
    let p = parse(&Document::from_text(text));
    assert!(p.ledger.aspects.is_empty(), "{:?}", p.ledger.aspects);
    let why = p.notes.iter().find(|n| n.topic == rectify_report_reader::Topic::ProblemList).unwrap();
    assert!(why.message.contains("不列问题"), "{}", why.message);
    assert_eq!(p.ledger.inspection.inspector.as_deref(), Some("市委巡察三组"));
    assert_eq!(p.ledger.unit.as_deref(), Some("市某某局党组"));
    assert_eq!(p.ledger.inspection.kind, Some(rectify_domain::InspectionKind::Xuncha));
    assert!(rectify_report_reader::outline(&p).contains("识读说明"));
}

#[test]
fn a_news_item_gives_its_unit_and_date_but_no_problems() {
    let text = "6月5日下午，某某镇党委召开巡察整改推进会。会议指出，对区委第二巡察组于2022年11月反馈的3个方面12个问题，要逐项整改，已完成整改10个。\n";
    let p = parse(&Document::from_text(text));
    let l = &p.ledger;
    assert!(l.aspects.is_empty());
    assert_eq!(p.genre, rectify_report_reader::Genre::News);
    assert_eq!(l.unit.as_deref(), Some("某某镇党委"));
    assert_eq!(date(l.report_date).as_deref(), Some("2023-06-05"), "the event follows the feedback of 2022-11");
    assert_eq!((l.claimed.aspects, l.claimed.problems, l.claimed.completed), (Some(3), Some(12), Some(10)));
}

#[test]
fn an_aggregate_has_round_totals_and_no_unit() {
    let text = "十届区委第三轮巡察整改情况综述\n区委第三轮巡察对12家单位开展了常规巡察。截至目前，被巡察党组织和单位共有48个问题未完成整改，已对150个完成整改的问题予以销号。\n";
    let p = parse(&Document::from_text(text));
    let l = &p.ledger;
    assert_eq!(p.genre, rectify_report_reader::Genre::Aggregate);
    assert_eq!((l.unit.as_deref(), l.inspection.inspector.as_deref()), (None, None));
    assert_eq!(l.inspection.round.as_deref(), Some("十届区委第三轮"));
    assert_eq!((l.claimed.in_progress, l.claimed.completed, l.claimed.problems), (Some(48), Some(150), None));
    assert!(l.aspects.is_empty());
}

#[test]
fn traditional_script_is_read_and_printed_as_printed() {
    let text = "根據省委統一部署，省委第二巡視組對省某某廳黨組開展了常規巡視。\n處分3人。\n";
    let p = parse(&Document::from_text(text));
    let l = &p.ledger;
    assert_eq!(l.inspection.inspector.as_deref(), Some("省委第二巡視組"));
    assert_eq!(l.unit.as_deref(), Some("省某某廳黨組"));
    assert_eq!(l.inspection.kind, Some(rectify_domain::InspectionKind::Xunshi));
    assert_eq!(l.claimed.accountability.get("處分"), Some(3));
}

#[test]
fn an_audit_report_session_line_without_its_dash_and_a_speaker_inside_a_clause() {
    let text = "2019年11月20日在某某市十七届人大常委会第二十次会议上\n市审计局局长 某某\n主任、各位副主任、各位委员：\n我受市人民政府委托，向市人大常委会报告2018年度审计查出问题的整改情况，请予审议。";
    let p = parse(&Document::from_text(text));
    assert_eq!(date(p.ledger.report_date).as_deref(), Some("2019-11-20"));
    // A sentence that mentions a session is not the session line.
    let text = "主任、各位副主任、各位委员：\n2019年11月20日在市人大常委会会议上，审议了审计工作报告，提出了整改要求。";
    assert_eq!(parse(&Document::from_text(text)).ledger.report_date, None);
    let text = "受省政府委托，11月24日，省审计厅厅长某某在省人大常委会会议上作了《关于2021年度省级预算执行和其他财政收支审计查出问题整改情况的报告》。";
    assert_eq!(parse(&Document::from_text(text)).ledger.unit.as_deref(), Some("省审计厅"));
}
