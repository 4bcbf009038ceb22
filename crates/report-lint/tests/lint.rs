//! Behaviour of the linter on the two published seed reports, on clean fictional reports (no
//! defect at all) and on one fictional report per defect kind.

use std::path::Path;

use proptest::prelude::*;
use rectify_domain::PartialDate;
use rectify_report_lint::{Context, Defect, DefectKind, lint_file, lint_lines, to_json, to_text};

const SEED_000: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/seeds/000_df6283232ebd7fb8.txt");
const SEED_001: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/seeds/001_3600beed019e1183.txt");

fn lint_text(text: &str) -> Vec<Defect> {
    let lines: Vec<&str> = text.lines().collect();
    lint_lines(&lines, &Context::default())
}

fn lines_of(defects: &[Defect], kind: DefectKind) -> Vec<usize> {
    defects.iter().filter(|d| d.kind == kind).map(|d| d.line).collect()
}

fn of_kind(defects: &[Defect], kind: DefectKind) -> Vec<&Defect> {
    defects.iter().filter(|d| d.kind == kind).collect()
}

fn seed(path: &str) -> Option<Vec<Defect>> {
    // The seeds live beside the repository; skip quietly where they are not checked out.
    Path::new(path).exists().then(|| lint_file(Path::new(path)).unwrap_or_else(|e| panic!("{path}: {e}")))
}

// ---------------------------------------------------------------- seeds

#[test]
fn seed_000_withheld_items_page_breaks_and_markup() {
    let Some(defects) = seed(SEED_000) else { return };
    // （二） has items 1, 2, 5 and （三） has 1, 2, 4.
    let gaps = of_kind(&defects, DefectKind::NumberingGap);
    assert_eq!(gaps.iter().map(|d| d.line).collect::<Vec<_>>(), [47, 63]);
    assert!(gaps.iter().all(|d| d.message.contains("original numbers")));
    assert!(gaps[0].message.contains("from 2 to 5") && gaps[0].message.contains("（二）"));
    assert!(gaps[1].message.contains("from 2 to 4") && gaps[1].message.contains("（三）"));
    // The claimed 22 problems against 9 numbered items plus the unnumbered paragraph of （四）.
    let counts = of_kind(&defects, DefectKind::CountMismatch);
    assert_eq!(counts.len(), 1);
    assert_eq!(counts[0].line, 9);
    assert!(counts[0].message.contains("22 problems") && counts[0].message.contains("lists 10"));
    assert!(counts[0].message.contains("withhold"));
    // Sentences cut by page breaks and ** markup.
    let breaks = lines_of(&defects, DefectKind::PageBreakArtifact);
    for line in [11, 21, 27, 29, 31, 43, 47, 55, 59, 61, 63, 65, 73, 85] {
        assert!(breaks.contains(&line), "no page_break_artifact on line {line}: {breaks:?}");
    }
    assert!(!breaks.contains(&3), "the title is not a broken sentence");
    assert!(!breaks.contains(&49), "line 49 ends with a full stop");
    let split = defects.iter().find(|d| d.line == 11 && d.kind == DefectKind::PageBreakArtifact);
    assert!(split.is_some_and(|d| d.excerpt.contains("“党 ⏎ 组")));
    // Only the ASCII ')' closing a full-width '（' on line 87.
    assert_eq!(lines_of(&defects, DefectKind::HalfwidthPunctuation), [87]);
    for kind in [
        DefectKind::ForeignPlace,
        DefectKind::BrokenEnumeration,
        DefectKind::DuplicateText,
        DefectKind::DateAfterReport,
    ] {
        assert!(lines_of(&defects, kind).is_empty(), "unexpected {kind}: {defects:#?}");
    }
}

#[test]
fn seed_001_broken_enumeration_foreign_city_and_glued_item() {
    let Some(defects) = seed(SEED_001) else { return };
    let broken = of_kind(&defects, DefectKind::BrokenEnumeration);
    assert_eq!(broken.len(), 1);
    assert_eq!(broken[0].line, 27);
    assert!(broken[0].excerpt.contains("。三对"));
    // 襄阳 in an 鄂州 report; its own 鄂城区, short forms of counties and 马鞍山 (a hill name) stay quiet.
    let places = of_kind(&defects, DefectKind::ForeignPlace);
    assert_eq!(places.len(), 1, "{places:#?}");
    assert_eq!(places[0].line, 5);
    assert!(places[0].message.contains("襄阳") && places[0].message.contains("鄂州市"));
    // 30 problems listed as claimed; the measures add up to 114, not the claimed 119.
    let counts = of_kind(&defects, DefectKind::CountMismatch);
    assert_eq!(counts.len(), 1, "{counts:#?}");
    assert_eq!(counts[0].line, 2);
    assert!(counts[0].message.contains("119") && counts[0].message.contains("114"));
    assert!(lines_of(&defects, DefectKind::NumberingGap).is_empty(), "item 20 glued to 19 keeps the sequence");
    let glued = of_kind(&defects, DefectKind::PageBreakArtifact);
    assert_eq!(glued.len(), 1);
    assert_eq!(glued[0].line, 41);
    assert!(glued[0].excerpt.contains("。 20."));
    assert_eq!(lines_of(&defects, DefectKind::VariantCharacter), [62]);
    // The same self-criticism sentence in items 20 and 21, and another in items 17 and 22.
    assert_eq!(lines_of(&defects, DefectKind::DuplicateText), [44, 46]);
    let halfwidth = lines_of(&defects, DefectKind::HalfwidthPunctuation);
    for line in [2, 5, 12, 14, 32, 65, 69] {
        assert!(halfwidth.contains(&line), "no halfwidth_punctuation on line {line}");
    }
    for line in [1, 4, 6, 70, 71, 72, 73] {
        assert!(!halfwidth.contains(&line), "halfwidth_punctuation on line {line}");
    }
    let mut per_line = halfwidth.clone();
    per_line.dedup();
    assert_eq!(per_line, halfwidth, "at most one halfwidth_punctuation per line");
    assert!(lines_of(&defects, DefectKind::DateAfterReport).is_empty());
}

#[test]
fn defects_are_sorted_with_short_excerpts() {
    let Some(defects) = seed(SEED_001) else { return };
    assert!(defects.windows(2).all(|w| w[0].line <= w[1].line));
    assert!(defects.iter().all(|d| d.excerpt.chars().count() <= 40 && !d.message.is_empty()));
}

// ---------------------------------------------------------------- clean reports

const CLEAN_GROUPED: &str = "中共荆门市市场监督管理局党组关于巡察整改进展情况的通报

根据市委统一部署，市委第二巡察组于2023年4月10日至6月30日对中共荆门市市场监督管理局党组进行了巡察，并于2023年9月5日反馈了巡察意见。现将整改进展情况予以公布。

一、整改工作开展情况

局党组召开专题会议研究部署整改工作，对照反馈的3个方面5个问题，制定整改措施12条，建立整改台账，实行对账销号。截至目前，5个问题已全部完成整改。

二、反馈问题整改落实情况

（一）关于落实党中央决策部署方面

1. 针对食品安全监管不到位的问题。一是2023年10月开展食品安全专项检查，检查经营主体326家，下达整改通知书41份。二是修订《荆门市食品安全监督抽检工作规程》，确保抽检覆盖全部乡镇。三是加大理论学习力度，于2023年11月14日10:30组织执法人员培训，支出2.75万元。

2. 针对药品流通环节监管薄弱的问题。一是2023年11月对全市药品零售企业开展全覆盖检查，推广安全用药宣传。二是与东宝区、掇刀区市场监管分局建立联合检查机制。三是学习借鉴武汉市先进经验，完善监管流程。

（二）关于全面从严治党方面

1. 针对廉政风险防控不严的问题。一是2024年3月梳理廉政风险点46个，制定防控措施。二是对相关责任人批评教育2人。

2. 针对财务管理不规范的问题。一是2024年1月补齐报销附件，规范审批流程。二是建立财务报销月度检查制度，确保每笔支出有据可查。

（三）关于干部队伍建设方面

1. 针对年轻干部储备不足的问题。一是2024年5月通过公开招录引进专业人才4名。二是建立年轻干部培养台账，实行动态管理，推动队伍长治久安。

三、下一步工作打算

（一）持续巩固整改成果。对已完成的整改事项适时开展“回头看”，计划于2025年6月底前完成全部复查。

（二）健全长效机制。将整改工作与日常监管结合起来，力争2025年年底前形成制度化成果。

欢迎广大干部群众对巡察整改情况进行监督。联系电话：0724-1234567；电子邮箱：jmscjj@example.com；通讯地址：荆门市东宝区象山大道1号，邮政编码：448000。

中共荆门市市场监督管理局党组

2024年12月20日";

const CLEAN_FLAT: &str = "一、整改工作总体情况
巡察反馈后，局党组成立整改工作领导小组，对照反馈的3个问题，细化整改措施7条，建立问题、任务、责任三张清单。
二、具体问题整改情况
1.主体责任落实不到位。
整改情况：一是2024年3月召开党组会专题研究整改工作。二是制定《徐汇区某某局党组工作规则》。三是与浦东新区同类部门交流工作经验。
2.制度执行不严格。
整改情况：一是修订完善内部控制制度。二是组织全体干部学习制度汇编，确保制度落到实处。
3.档案管理不规范。
整改情况：一是2024年5月完成历年档案整理，共整理档案1,250卷。二是聘请第三方机构开展档案数字化工作，详见https://www.example.gov.cn/dangan。
三、下一步工作措施
下一步，局党组将持续巩固整改成果，计划于2025年3月前完成档案数字化工作。
欢迎广大干部群众监督。联系电话：021-12345678。
中共上海市徐汇区某某局党组
二〇二四年八月十五日";

#[test]
fn clean_grouped_report_has_no_defects() {
    let defects = lint_text(CLEAN_GROUPED);
    assert!(defects.is_empty(), "{}", to_text(&defects));
}

#[test]
fn clean_flat_report_has_no_defects() {
    let defects = lint_text(CLEAN_FLAT);
    assert!(defects.is_empty(), "{}", to_text(&defects));
}

// ---------------------------------------------------------------- one report per kind

/// A short flat report of an 鄂州 unit dated 2024-07-23 with the given problem lines.
fn report(summary: &str, items: &str) -> String {
    format!(
        "一、整改工作开展情况\n{summary}\n二、整改落实情况\n{items}\n三、下一步工作措施\n下一步，继续抓好整改。\n\
         中共鄂州市某某局党组\n2024年7月23日"
    )
}

#[test]
fn numbering_gap_says_items_may_be_withheld() {
    let text = report(
        "对照反馈问题逐项整改。",
        "1.问题甲。\n整改情况：已整改。\n2.问题乙。\n整改情况：已整改。\n4.问题丁。\n整改情况：已整改。",
    );
    let defects = lint_text(&text);
    let gaps = of_kind(&defects, DefectKind::NumberingGap);
    assert_eq!(gaps.len(), 1, "{defects:#?}");
    assert_eq!(gaps[0].line, 8);
    assert!(gaps[0].message.contains("3 not printed") && gaps[0].message.contains("original numbers"));

    let repeated = lint_text(&report("逐项整改。", "1.问题甲。\n2.问题乙。\n2.问题丙。"));
    assert!(of_kind(&repeated, DefectKind::NumberingGap).iter().any(|d| d.line == 6 && d.message.contains("repeats")));
}

#[test]
fn count_mismatch_compares_claims_with_the_list() {
    let text = report(
        "对照反馈的5个问题，制定整改措施4条。",
        "1.问题甲。\n整改情况：一是整改甲。二是整改乙。\n2.问题乙。\n整改情况：一是整改丙。\n3.问题丙。\n整改情况：已整改。",
    );
    let counts = of_kind(&lint_text(&text), DefectKind::CountMismatch).into_iter().cloned().collect::<Vec<_>>();
    assert_eq!(counts.len(), 1, "{counts:#?}");
    assert_eq!(counts[0].line, 2);
    assert!(counts[0].message.contains("claims 5 problems but lists 3"));
    // 2 + 1 + 1 measures = 4 as claimed: no second defect.
}

#[test]
fn broken_enumeration_finds_the_lost_shi() {
    let text = report(
        "逐项整改。",
        "1.问题甲。\n整改情况：一是建立制度。二是开展培训。三加强督查检查。\n2.问题乙。\n整改情况：一是三年一轮开展检查。二是已整改。",
    );
    let broken = of_kind(&lint_text(&text), DefectKind::BrokenEnumeration).into_iter().cloned().collect::<Vec<_>>();
    assert_eq!(broken.len(), 1, "{broken:#?}");
    assert_eq!(broken[0].line, 5);
    assert!(broken[0].excerpt.contains("三加强"));
}

#[test]
fn halfwidth_punctuation_once_per_line_and_not_for_numbers() {
    let text = report(
        "巡察反馈后,办党组立即召开党组会,研究部署整改工作.",
        "1.问题甲。\n整改情况：一是于2024年3月5日9:30召开会议，投入资金12.5万元，网址www.example.cn。",
    );
    let defects = lint_text(&text);
    let hw = of_kind(&defects, DefectKind::HalfwidthPunctuation);
    assert_eq!(hw.len(), 1, "{defects:#?}");
    assert_eq!(hw[0].line, 2);
    assert!(hw[0].message.contains("'，'") && hw[0].message.contains("2 more"));
}

#[test]
fn date_after_report_only_for_work_given_as_done() {
    let text = report(
        "逐项整改。",
        "1.问题甲。\n整改情况：一是于2024年9月完成系统升级。二是计划于2024年10月完成验收。三是2024年12月底前完成全部整改。\n\
         2.问题乙。\n整改情况：一是2024年6月完成整改。二是截至2024年8月已整改问题3个。",
    );
    let dates = of_kind(&lint_text(&text), DefectKind::DateAfterReport).into_iter().cloned().collect::<Vec<_>>();
    assert_eq!(dates.iter().map(|d| d.line).collect::<Vec<_>>(), [5, 7], "{dates:#?}");
    assert!(dates[0].message.contains("2024年9月") && dates[0].message.contains("2024年7月23日"));

    // The same text dated later has nothing after its date.
    let context = Context { report_date: PartialDate::day(2024, 12, 31).ok(), ..Context::default() };
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines_of(&lint_lines(&lines, &context), DefectKind::DateAfterReport).is_empty());
}

#[test]
fn foreign_place_flags_another_prefecture() {
    let text = report(
        "逐项整改。",
        "1.问题甲。\n整改情况：一是借鉴襄阳经验开展整改。二是向省国动办和武汉市汇报。\n\
         2.问题乙。\n整改情况：一是学习《襄阳市人防工程管理办法》。二是指导鄂城区、华容区开展检查，确保山区工程安全。",
    );
    let defects = lint_text(&text);
    let places = of_kind(&defects, DefectKind::ForeignPlace);
    assert_eq!(places.iter().map(|d| d.line).collect::<Vec<_>>(), [5, 7], "{defects:#?}");
    assert!(places.iter().all(|d| d.message.contains("襄阳") && d.message.contains("鄂州市")));
    // Without any hint of the unit's place the check stays quiet.
    let anonymous = "一、情况\n借鉴襄阳经验开展整改。";
    assert!(lint_text(anonymous).is_empty());
}

#[test]
fn foreign_county_only_when_written_in_full() {
    let text = report(
        "逐项整改。",
        "1.问题甲。\n整改情况：一是赴洪山区调研。二是赴西昌曦城项目检查。三是赴江夏调研。四是赴樊城区调研。",
    );
    let places = of_kind(&lint_text(&text), DefectKind::ForeignPlace).into_iter().cloned().collect::<Vec<_>>();
    // 洪山区 is in 武汉 (the provincial capital); 西昌 and 江夏 are short forms; 樊城区 is in 襄阳.
    assert_eq!(places.len(), 1, "{places:#?}");
    assert!(places[0].message.contains("樊城区") && places[0].message.contains("襄阳市"));
}

#[test]
fn page_break_artifacts_split_sentences_and_markup() {
    let text =
        "一、工作情况\n\n全面落实“一岗\n\n双责”要求，加强日常监督。**二是**加强督查。\n\n二、下一步\n\n继续整改。";
    let defects = lint_text(text);
    assert_eq!(lines_of(&defects, DefectKind::PageBreakArtifact), [3, 5], "{defects:#?}");
}

#[test]
fn duplicate_text_across_problems() {
    let text = report(
        "逐项整改。",
        "1.问题甲。\n整改情况：一是组织全体党员干部集中学习党章党规和廉政法规。二是完善制度。\n\
         2.问题乙。\n整改情况：一是组织全体党员干部集中学习党章党规和廉政法规。二是加强学习。",
    );
    let dups = of_kind(&lint_text(&text), DefectKind::DuplicateText).into_iter().cloned().collect::<Vec<_>>();
    assert_eq!(dups.len(), 1, "{dups:#?}");
    assert_eq!(dups[0].line, 7);
    assert!(dups[0].message.contains("line 5"));
}

#[test]
fn rate_mismatch_when_the_rate_does_not_follow() {
    let wrong = report("共反馈问题20个，已完成整改18个，整改完成率为95%。", "1.问题甲。\n整改情况：已整改。");
    let rates = of_kind(&lint_text(&wrong), DefectKind::RateMismatch).into_iter().cloned().collect::<Vec<_>>();
    assert_eq!(rates.len(), 1, "{rates:#?}");
    assert!(rates[0].message.contains("18 of 20") && rates[0].message.contains("90.0%"));
    let right = report("共反馈问题22个，已完成整改20个，整改完成率为90.91%。", "1.问题甲。\n整改情况：已整改。");
    assert!(lines_of(&lint_text(&right), DefectKind::RateMismatch).is_empty());
}

#[test]
fn variant_characters() {
    let text = report("建立整改台帐，实行对帐销号。", "1.问题甲。\n整改情况：已整改。");
    let variants = of_kind(&lint_text(&text), DefectKind::VariantCharacter).into_iter().cloned().collect::<Vec<_>>();
    assert_eq!(variants.len(), 2);
    assert!(variants.iter().all(|d| d.line == 2));
}

// ---------------------------------------------------------------- output

// ---------------------------------------------------------------- rules the real corpus asked for

#[test]
fn an_enumeration_that_skips_an_ordinal_is_a_numbering_gap() {
    let text =
        report("对照反馈问题逐项整改。", "1.问题甲。\n整改情况：一是建立台账。二是召开专题会议。四是开展专项检查。");
    let defects = lint_text(&text);
    let gaps = of_kind(&defects, DefectKind::NumberingGap);
    assert_eq!(gaps.len(), 1, "{gaps:#?}");
    assert_eq!(gaps[0].line, 5);
    assert!(gaps[0].message.contains("四是") && gaps[0].message.contains("三是"));
    assert!(gaps[0].message.contains("leave out"), "a gap may be withheld on purpose");
    // A new enumeration starting again at 一是 is no gap.
    let text = report(
        "对照反馈问题逐项整改。",
        "1.问题甲。\n整改情况：一是建立台账。二是召开会议。\n一是开展检查。二是完善制度。",
    );
    assert!(lines_of(&lint_text(&text), DefectKind::NumberingGap).is_empty());
}

#[test]
fn a_first_marker_that_lost_its_shi_is_found() {
    let text =
        report("对照反馈问题逐项整改。", "1.问题甲。\n整改情况：一建立台账。二是召开专题会议。三是开展专项检查。");
    assert_eq!(lines_of(&lint_text(&text), DefectKind::BrokenEnumeration), [5]);
    // Paragraphs that each open with their numeral: 一是… then 二靠前指挥….
    let text = "一、组织领导情况\n一是及时研究，周密部署。召开会议5次。\n二靠前指挥，带头整改。主动领办重点问题。";
    assert_eq!(lines_of(&lint_text(text), DefectKind::BrokenEnumeration), [3]);
    // 一要/二要 and quantities after a numeral are not enumerations that lost 是.
    let text = "一、组织领导情况\n提出要求：一要提高站位。二是要压实责任。\n二〇二三年召开会议。";
    assert!(lines_of(&lint_text(text), DefectKind::BrokenEnumeration).is_empty());
}

#[test]
fn a_count_after_a_list_and_totals_must_add_up() {
    let text = "一、整改情况\n同步建立问题、任务、责任四张清单，逐项明确责任。\n建立问题、任务、责任三张清单。";
    let defects = lint_text(text);
    let counts = of_kind(&defects, DefectKind::CountMismatch);
    assert_eq!(counts.iter().map(|d| d.line).collect::<Vec<_>>(), [2]);
    assert!(counts[0].message.contains("3 items"));
    // 等 names examples; numerals inside the items (解决一个、销号一个) are no list count.
    let text = "一、整改情况\n围绕党建、业务等三个方面。坚持解决一个、销号一个、巩固一个,确保件件落实。";
    assert!(lines_of(&lint_text(text), DefectKind::CountMismatch).is_empty());
    let text = "一、整改情况\n共计50项具体问题,已整改40项,正在整改11项。\n其中问题6项,已整改2项,部分整改4项。";
    let defects = lint_text(text);
    let counts = of_kind(&defects, DefectKind::CountMismatch);
    assert_eq!(counts.iter().map(|d| d.line).collect::<Vec<_>>(), [2], "{counts:#?}");
    assert!(counts[0].message.contains("51") && counts[0].message.contains("50"));
}

#[test]
fn a_paragraph_pasted_twice_is_duplicate_text_but_a_repeated_title_is_not() {
    let para = "市政府高度重视审计查出问题的整改工作，多次召开专题会议研究部署整改任务。";
    let title = "关于2020年度市本级预算执行审计查出问题整改情况的报告";
    let text = format!("{title}\n\n{title}\n\n{para}\n\n{para}");
    let defects = lint_text(&text);
    assert_eq!(lines_of(&defects, DefectKind::DuplicateText), [7]);
    assert!(of_kind(&defects, DefectKind::DuplicateText)[0].message.contains("line 5"));
}

#[test]
fn a_page_break_in_the_first_paragraph_is_not_a_title() {
    let text = "根据市委统一部署，市委第二巡察组于2023年4月对市局党组进行了巡察，并于2023年9月\n\n反馈了巡察意见。现将整改进展情况予以公布。";
    assert_eq!(lines_of(&lint_text(text), DefectKind::PageBreakArtifact), [1]);
}

#[test]
fn a_byline_name_is_not_a_foreign_place() {
    let text = "慈溪市人民政府关于审计查出问题整改情况的报告\n市审计局局长 俞金华\n慈溪市各部门认真整改。";
    assert!(lines_of(&lint_text(text), DefectKind::ForeignPlace).is_empty());
    let text = "慈溪市人民政府关于审计查出问题整改情况的报告\n慈溪市各部门学习金华市经验认真整改。";
    assert_eq!(lines_of(&lint_text(text), DefectKind::ForeignPlace), [2]);
}

#[test]
fn a_plan_word_elsewhere_in_the_sentence_does_not_hide_a_late_date() {
    let text = report(
        "对照反馈问题逐项整改。",
        "1.问题甲。\n整改情况：一是统筹谋划中长期发展规划，于2025年1月编制完成“十四五”规划。二是计划于2025年6月完成复查。",
    );
    assert_eq!(lines_of(&lint_text(&text), DefectKind::DateAfterReport), [5]);
    assert_eq!(of_kind(&lint_text(&text), DefectKind::DateAfterReport).len(), 1);
}

#[test]
fn json_and_text_shapes() {
    let defects = lint_text("一、情况\n2.问题乙。");
    assert_eq!(defects.len(), 1);
    let json = to_json(&defects);
    assert_eq!(json["defects"][0]["kind"], "numbering_gap");
    assert_eq!(json["defects"][0]["line"], 2);
    assert!(json["defects"][0]["excerpt"].as_str().is_some_and(|e| e.starts_with("2.问题乙")));
    assert!(json["defects"][0]["message"].is_string());
    assert_eq!(to_json(&[])["defects"].as_array().map(Vec::len), Some(0));
    let text = to_text(&defects);
    assert!(text.starts_with("L2 numbering_gap: ") && text.ends_with("«2.问题乙。»\n"), "{text}");
}

#[test]
fn linting_time_grows_linearly_with_the_report() {
    // A guard against quadratic rules, not a speed figure (that is measured in benchmarks): a
    // report ten times longer may take about ten times as long, never a hundred. The ratio of two
    // runs on the same machine holds under load where a wall-clock limit would not.
    let one = report(
        "对照反馈的3个问题,制定整改措施5条。",
        "1.问题甲。\n整改情况:一是于2024年9月完成。二是借鉴襄阳经验。\n2.问题乙。\n\n整改情况：一是落实“一岗\n\n双责”要求。",
    );
    let time = |bytes: usize| {
        let text = one.repeat(1 + bytes / one.len());
        let lines: Vec<&str> = text.lines().collect();
        let start = std::time::Instant::now();
        let defects = lint_lines(&lines, &Context::default());
        assert!(!defects.is_empty());
        start.elapsed().as_secs_f64()
    };
    let small = (0..3).map(|_| time(100_000)).fold(f64::INFINITY, f64::min);
    let large = (0..3).map(|_| time(1_000_000)).fold(f64::INFINITY, f64::min);
    assert!(large < small * 40.0, "100 KB: {small:.4} s, 1 MB: {large:.4} s");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn never_panics_on_arbitrary_lines(lines in prop::collection::vec(
        prop::string::string_regex("[一二三四五是对、（）()。，,.:：；;“”《》*0-9 年月日襄阳鄂州市区县党组问题措施个条方面完成率%\n\t]{0,40}").unwrap(),
        0..30,
    )) {
        let defects = lint_lines(&lines, &Context::default());
        for d in &defects {
            prop_assert!(d.line >= 1 && d.line <= lines.len());
            prop_assert!(d.excerpt.chars().count() <= 40);
        }
    }

    #[test]
    fn never_panics_on_any_unicode(lines in prop::collection::vec(any::<String>(), 0..10)) {
        let _ = lint_lines(&lines, &Context::default());
    }
}
