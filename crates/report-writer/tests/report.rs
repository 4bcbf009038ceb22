//! Behaviour of the report writer, read back from its outputs.

mod support;

use rectify_report_writer::*;
use support::*;

fn dump_dir() -> std::path::PathBuf {
    std::env::temp_dir().join("rectify-report-writer")
}

#[test]
#[ignore = "writes sample outputs for review"]
fn write_samples() {
    let dir = dump_dir();
    std::fs::create_dir_all(&dir).unwrap();
    for (name, ledger) in [("grouped", grouped_ledger()), ("flat", flat_ledger())] {
        let opts = ReportOptions::for_ledger(&ledger);
        std::fs::write(dir.join(format!("{name}.md")), render_markdown(&ledger, &opts)).unwrap();
        std::fs::write(dir.join(format!("{name}.html")), render_html(&ledger, &opts)).unwrap();
        std::fs::write(dir.join(format!("{name}.docx")), render_docx(&ledger, &opts).unwrap()).unwrap();
        let internal = ReportOptions { audience: Audience::Internal, ..opts };
        std::fs::write(dir.join(format!("{name}-internal.md")), render_markdown(&ledger, &internal)).unwrap();
    }
}

fn public(ledger: &rectify_domain::Ledger) -> ReportOptions {
    ReportOptions::for_ledger(ledger)
}

// ---------------------------------------------------------------- snapshots (reviewed by eye)

#[test]
fn snapshot_grouped_public_keeps_original_numbers() {
    let l = grouped_ledger();
    insta::assert_snapshot!("grouped_public", render_markdown(&l, &public(&l)));
}

#[test]
fn snapshot_grouped_public_renumbered() {
    let l = grouped_ledger();
    let opts = ReportOptions { renumber: true, ..public(&l) };
    insta::assert_snapshot!("grouped_public_renumbered", render_markdown(&l, &opts));
}

#[test]
fn snapshot_grouped_internal() {
    let l = grouped_ledger();
    let opts = ReportOptions { audience: Audience::Internal, ..public(&l) };
    insta::assert_snapshot!("grouped_internal", render_markdown(&l, &opts));
}

#[test]
fn snapshot_flat_layout_of_a_parsed_report() {
    let l = flat_ledger();
    assert_eq!(Layout::default_for(&l), Layout::Flat);
    insta::assert_snapshot!("flat_parsed", render_markdown(&l, &public(&l)));
}

#[test]
fn snapshot_fixed_accountability_template_with_zeros() {
    let l = grouped_ledger();
    let opts = ReportOptions {
        fixed_accountability_kinds: Some(vec!["政务处分".into(), "组织处理".into(), "诫勉".into(), "通报批评".into()]),
        layout: Layout::Flat,
        next_steps: vec!["（一）持续抓好整改。对照问题清单,逐项销号。".into()],
        ..public(&l)
    };
    insta::assert_snapshot!("fixed_accountability_flat", render_markdown(&l, &opts));
}

// ---------------------------------------------------------------- content rules

#[test]
fn statistics_sentence_states_rate_with_its_counts() {
    let l = counted_ledger(25, 19);
    let s = statistics_sentence(&l, &public(&l)).unwrap();
    assert!(s.contains("巡察反馈的25个问题中，已完成整改19个，正在整改6个，整改完成率76.00%（19/25）"), "{s}");
    let mut l = l;
    l.policy.rate_decimals = 0;
    let s = statistics_sentence(&l, &public(&l)).unwrap();
    assert!(s.contains("整改完成率76%（19/25）"), "{s}");
    assert!(s.ends_with('。'));
}

#[test]
fn statistics_sentence_without_statuses_claims_no_rate() {
    let l = flat_ledger();
    let s = statistics_sentence(&l, &public(&l)).unwrap();
    assert!(!s.contains("完成率") && !s.contains("已完成"), "{s}");
    // The ledger lists 6 measures; the figure is counted, not copied from the claims.
    assert!(s.contains("针对巡察反馈的2个方面4个问题，细化整改措施6条"), "{s}");
}

#[test]
fn statistics_sentence_keeps_persons_and_person_times_apart() {
    let l = grouped_ledger();
    let s = statistics_sentence(&l, &public(&l)).unwrap();
    assert!(s.contains("对相关责任人通报批评2人、提醒谈话3人次"), "{s}");
    assert!(s.contains("清退资金7.132万元"), "{s}");
    assert!(s.contains("制定修订制度2项（新制定1项、修订完善1项）"), "{s}");
    assert!(!s.contains("诫勉"), "{s}");
    let fixed =
        ReportOptions { fixed_accountability_kinds: Some(vec!["诫勉".into(), "提醒谈话".into()]), ..public(&l) };
    let s = statistics_sentence(&l, &fixed).unwrap();
    assert!(s.contains("对相关责任人诫勉0人、提醒谈话3人次、通报批评2人"), "{s}");
}

#[test]
fn public_version_withholds_items_and_names_but_keeps_numbers() {
    let l = grouped_ledger();
    let md = render_markdown(&l, &public(&l));
    assert!(!md.contains("招标"), "withheld problem printed");
    for name in PERSONS {
        assert!(!md.contains(name), "{name} named in the public version");
    }
    assert!(md.contains("#### 2.针对公务用车管理不规范的问题\n\n整改情况：建立公务用车使用台账，每季度检查一次。"));
    assert!(md.contains("#### 4.针对廉政风险排查不全面的问题"));
    assert!(!md.contains("#### 3."));
    let renumbered = render_markdown(&l, &ReportOptions { renumber: true, ..public(&l) });
    assert!(renumbered.contains("#### 3.针对廉政风险排查不全面的问题"));
}

#[test]
fn internal_version_keeps_everything() {
    let l = grouped_ledger();
    let md = render_markdown(&l, &ReportOptions { audience: Audience::Internal, ..public(&l) });
    assert!(md.contains("#### 3.针对某项目招标程序问题"));
    assert!(md.contains("公开属性：不予公开（涉及正在查办的案件）。"));
    assert!(md.contains("第一责任人：甄士隐；责任领导：贾雨村；责任部门：办公室。"));
    assert!(md.contains("组长甄士隐，副组长贾雨村、冷子兴"));
    assert!(md.contains("通报批评2人（封肃、娇杏）"));
    assert!(md.contains("现将巡察整改进展情况通报如下。"));
}

#[test]
fn measures_are_numbered_once_with_full_width_marks() {
    let l = grouped_ledger();
    let md = render_markdown(&l, &public(&l));
    assert!(!md.contains("一是一是") && !md.contains("二是二是"));
    assert!(md.contains("整改情况：一是制定《党组理论学习中心组学习制度》，每月集中学习一次。二是开展专题读书班2期。"));
    let flat = flat_ledger();
    let md = render_markdown(&flat, &public(&flat));
    assert!(md.contains("一是建设宣传示范点1个；二是发放资料500余份（含手册）。"), "{md}");
}

#[test]
fn opening_dates_signature_and_meetings_read_as_official_text() {
    let l = grouped_ledger();
    let blocks = build_blocks(&l, &public(&l));
    assert_eq!(blocks.first(), Some(&Block::Title("中共某某县文化和旅游局党组关于巡察整改进展情况的通报".into())));
    let opening = blocks.get(1).map(Block::text).unwrap();
    assert!(opening.starts_with(
        "县委第二巡察组于2023年3月6日至5月12日对中共某某县文化和旅游局党组进行了巡察，并于2023年6月20日反馈了巡察意见。"
    ));
    assert_eq!(blocks.iter().rev().nth(1), Some(&Block::Signature("中共某某县文化和旅游局党组".into())));
    assert_eq!(blocks.last(), Some(&Block::Date("2024年7月23日".into())));
    let md = render_markdown(&l, &public(&l));
    assert!(md.contains("2023年7月10日召开专题民主生活会，召开党组会2次（2023年6月25日、8月15日）"), "{md}");
    let headings: Vec<&str> =
        blocks.iter().filter_map(|b| if let Block::Heading1(t) = b { Some(t.as_str()) } else { None }).collect();
    assert_eq!(headings, ["一、巡察整改工作开展情况", "二、巡察反馈问题整改落实情况", "三、下一步工作措施"]);
}

#[test]
fn nothing_is_invented_for_an_empty_ledger() {
    let l = rectify_domain::Ledger::empty();
    let md = render_markdown(&l, &ReportOptions::for_ledger(&l));
    assert!(md.starts_with("# 关于巡察整改进展情况的通报\n"));
    for absent in ["年月", "于至", "个方面", "联系电话", "完成率", "截至"] {
        assert!(!md.contains(absent), "{absent} in {md}");
    }
    assert!(!md.contains("## 二、巡察反馈问题"));
}

#[test]
fn html_is_a_complete_escaped_page() {
    let mut l = grouped_ledger();
    l.title = Some("<script>alert(1)</script>通报".into());
    let html = render_html(&l, &public(&l));
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"zh-CN\">"));
    assert!(html.trim_end().ends_with("</html>"));
    assert!(!html.contains("<script>"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;通报"));
    assert!(!html.contains("src=") && !html.contains("href="), "self-contained");
    assert!(html.contains("<h4>4.针对廉政风险排查不全面的问题</h4>"));
    assert!(html.contains("<p class=\"date\""));
}

#[test]
fn markdown_html_and_docx_carry_the_same_text() {
    let l = grouped_ledger();
    let opts = public(&l);
    let html = render_html(&l, &opts);
    let document = docx_part(&render_docx(&l, &opts).unwrap(), "word/document.xml");
    for block in build_blocks(&l, &opts) {
        let escaped = block.text().replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
        assert!(html.contains(&escaped), "{block:?} missing in html");
        assert!(document.contains(&escaped), "{block:?} missing in docx");
    }
}

// ---------------------------------------------------------------- .docx read back

fn docx_part(docx: &[u8], name: &str) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx)).unwrap();
    let mut out = String::new();
    zip.by_name(name).unwrap().read_to_string(&mut out).unwrap();
    out
}

/// The `w:style` element with this id.
fn style_xml<'a>(styles: &'a str, id: &str) -> &'a str {
    let start = styles.find(&format!(r#"w:styleId="{id}""#)).unwrap();
    let end = start + styles[start..].find("</w:style>").unwrap();
    &styles[start..end]
}

#[test]
fn docx_page_follows_gbt_9704() {
    let l = grouped_ledger();
    let docx = render_docx(&l, &public(&l)).unwrap();
    let doc = docx_part(&docx, "word/document.xml");
    assert!(doc.contains(r#"<w:pgSz w:w="11906" w:h="16838" />"#), "A4");
    for margin in [r#"w:top="2098""#, r#"w:bottom="1984""#, r#"w:left="1587""#, r#"w:right="1474""#] {
        assert!(doc.contains(margin), "{margin}");
    }
    assert!(doc.contains(r#"<w:docGrid w:type="lines" w:linePitch="579" />"#));
    assert!(
        doc.contains(r#"<w:footerReference w:type="default""#) && doc.contains(r#"<w:footerReference w:type="even""#)
    );
    let settings = docx_part(&docx, "word/settings.xml");
    assert!(settings.contains("<w:evenAndOddHeaders />"));
}

#[test]
fn docx_styles_name_fonts_sizes_and_spacing() {
    let l = grouped_ledger();
    let styles = docx_part(&render_docx(&l, &public(&l)).unwrap(), "word/styles.xml");
    let title = style_xml(&styles, "RectifyTitle");
    assert!(title.contains(r#"w:eastAsia="方正小标宋简体""#) && title.contains(r#"w:ascii="方正小标宋简体""#));
    assert!(title.contains(r#"<w:sz w:val="44" />"#) && title.contains(r#"<w:jc w:val="center" />"#));
    for (id, font) in [
        ("RectifyBody", "仿宋_GB2312"),
        ("RectifyHeading1", "黑体"),
        ("RectifyHeading2", "楷体_GB2312"),
        ("RectifyHeading3", "仿宋_GB2312"),
    ] {
        let s = style_xml(&styles, id);
        assert!(s.contains(&format!(r#"w:eastAsia="{font}""#)) && s.contains(&format!(r#"w:hAnsi="{font}""#)), "{id}");
        assert!(s.contains(r#"<w:sz w:val="32" />"#), "{id} 3号");
        assert!(s.contains(r#"w:line="579" w:lineRule="exact""#), "{id} exact 28.95 pt");
        assert!(s.contains(r#"w:firstLine="640""#), "{id} two-character indent");
        assert!(s.contains(r#"<w:spacing w:val="-5" />"#), "{id} 28 characters a line");
    }
    assert!(style_xml(&styles, "RectifySignature").contains(r#"<w:jc w:val="right" />"#));
    let fonts = docx_part(&render_docx(&l, &public(&l)).unwrap(), "word/fontTable.xml");
    assert!(fonts.contains(r#"<w:font w:name="仿宋_GB2312"><w:altName w:val="FangSong_GB2312"/>"#));
    assert!(fonts.contains(r#"<w:charset w:val="86"/>"#));
}

#[test]
fn docx_footers_number_pages_at_the_outer_corners() {
    let l = grouped_ledger();
    let docx = render_docx(&l, &public(&l)).unwrap();
    let odd = docx_part(&docx, "word/footer1.xml");
    let even = docx_part(&docx, "word/footer2.xml");
    for footer in [&odd, &even] {
        assert!(footer.contains("<w:instrText>PAGE</w:instrText>"));
        assert!(footer.contains(">— </w:t>") && footer.contains("> —</w:t>"));
        assert!(footer.contains(r#"<w:sz w:val="28" />"#) && footer.contains(r#"w:eastAsia="宋体""#));
    }
    assert!(odd.contains(r#"<w:jc w:val="right" />"#) && odd.contains(r#"w:right="280""#));
    assert!(even.contains(r#"<w:jc w:val="left" />"#) && even.contains(r#"w:left="280""#));
}

#[test]
fn docx_signature_and_date_are_indented_per_the_standard() {
    let l = grouped_ledger();
    let doc = docx_part(&render_docx(&l, &public(&l)).unwrap(), "word/document.xml");
    // Name of 13 characters: right indent 2 characters (640 twips); date 7.75 characters wide
    // starts 2 characters right of the name: right indent 13 − 7.75 = 5.25 characters (1680).
    // In CT_PPr order: the signature keeps with the date (keepNext) before its indent.
    assert!(
        doc.contains(r#"<w:pStyle w:val="RectifySignature" /><w:keepNext /><w:ind w:left="0" w:right="640" />"#),
        "{doc}"
    );
    assert!(doc.contains(r#"<w:pStyle w:val="RectifyDate" /><w:ind w:left="0" w:right="1680" />"#));
    assert!(doc.contains(">2024年7月23日</w:t>"));
}

// ---------------------------------------------------------------- template

fn letterhead(body_runs: &[&str]) -> Vec<u8> {
    use docx_rs::*;
    let mut body = Paragraph::new();
    for run in body_runs {
        body = body.add_run(Run::new().add_text(*run));
    }
    let docx = Docx::new()
        .page_margin(PageMargin::new().top(1000).bottom(1100).left(1200).right(1300))
        .header(Header::new().add_paragraph(Paragraph::new().add_run(Run::new().add_text("某某县文化和旅游局文件"))))
        .footer(
            Footer::new().add_paragraph(Paragraph::new().add_run(Run::new().add_text("某某县文化和旅游局办公室印发"))),
        )
        .add_style(Style::new("Letterhead", StyleType::Paragraph).name("红头"))
        .add_paragraph(
            Paragraph::new().align(AlignmentType::Center).add_run(Run::new().bold().size(36).add_text("{{标题}}")),
        )
        .add_paragraph(body)
        .add_paragraph(
            Paragraph::new().add_run(Run::new().add_text("成文日期：{{日")).add_run(Run::new().add_text("期}}")),
        );
    let mut out = std::io::Cursor::new(Vec::new());
    docx.build().pack(&mut out).unwrap();
    out.into_inner()
}

#[test]
fn template_is_filled_and_keeps_its_letterhead() {
    let l = grouped_ledger();
    let template = letterhead(&["{{正", "文}}"]);
    let out = render_docx_with_template(&l, &public(&l), &template).unwrap();
    let doc = docx_part(&out, "word/document.xml");
    assert!(!doc.contains("{{") && !doc.contains("}}"), "placeholders left: {doc}");
    assert!(doc.contains(r#"w:top="1000""#) && doc.contains(r#"w:right="1300""#), "page setup kept");
    assert!(doc.contains("整改状态：已完成。") && doc.contains("一、巡察整改工作开展情况"));
    // The title took the place of {{标题}} with that paragraph's formatting, and is not repeated.
    assert_eq!(doc.matches("中共某某县文化和旅游局党组关于巡察整改进展情况的通报").count(), 1);
    assert!(doc.contains(r#"<w:b />"#) && doc.contains(r#"<w:jc w:val="center" />"#));
    assert!(doc.contains("成文日期：2024年7月23日"));
    assert!(!doc.contains(r#"RectifyDate"#), "the date went to its placeholder");
    assert!(docx_part(&out, "word/header1.xml").contains("某某县文化和旅游局文件"));
    assert!(docx_part(&out, "word/footer1.xml").contains("某某县文化和旅游局办公室印发"));
    let styles = docx_part(&out, "word/styles.xml");
    assert!(styles.contains(r#"w:styleId="Letterhead""#) && styles.contains(r#"w:styleId="RectifyBody""#));
    // Filling the result again adds no second copy of the styles.
    let again = render_docx_with_template(&l, &public(&l), &letterhead(&["{{正文}}"])).unwrap();
    assert_eq!(docx_part(&again, "word/styles.xml").matches(r#"w:styleId="RectifyBody""#).count(), 1);
}

#[test]
fn template_errors_are_reported() {
    let l = grouped_ledger();
    let opts = public(&l);
    assert!(matches!(render_docx_with_template(&l, &opts, b"not a zip"), Err(WriteError::TemplateZip(_))));
    let no_body = letterhead(&["正文"]);
    let err = render_docx_with_template(&l, &opts, &no_body).unwrap_err();
    assert!(matches!(err, WriteError::TemplateNoBodyPlaceholder));
    assert_eq!(err.to_string(), "the template has no paragraph holding the placeholder {{正文}}");
}

// ---------------------------------------------------------------- properties

mod properties {
    use proptest::prelude::*;
    use rectify_domain::*;
    use rectify_report_writer::*;

    use super::support::*;

    fn arb_problem(id: usize) -> impl Strategy<Value = (Problem, Vec<String>)> {
        (any::<bool>(), 0usize..3, prop::sample::subsequence(PERSONS.to_vec(), 0..3), 0usize..9).prop_map(
            move |(public, nmeasures, persons, status)| {
                let status = Status::ALL[status];
                let measures: Vec<&str> =
                    ["一是完善制度", "二是开展培训", "加强督查"].into_iter().take(nmeasures).collect();
                let mut p = problem(&(id + 1).to_string(), &format!("针对第{id}号事项的问题"), status, &measures);
                if !public {
                    p.disclosure = Disclosure::WithheldOther;
                }
                let names: Vec<String> = persons.iter().map(|s| s.to_string()).collect();
                p.responsibility.leader = names.first().cloned();
                p.responsibility.liaison = names.get(1).cloned();
                (p, names)
            },
        )
    }

    fn arb_ledger() -> impl Strategy<Value = Ledger> {
        (1usize..4, prop::collection::vec(any::<bool>(), 1..4), any::<bool>()).prop_flat_map(|(aspects, _, titled)| {
            let per_aspect = 1usize..5;
            prop::collection::vec(per_aspect, aspects).prop_flat_map(move |sizes| {
                let mut strategies = Vec::new();
                let mut id = 0;
                for size in &sizes {
                    let problems: Vec<_> = (0..*size).map(|i| arb_problem(id + i)).collect();
                    id += size;
                    strategies.push(problems);
                }
                strategies.prop_map(move |aspects| {
                    let mut l = Ledger::empty();
                    l.unit = Some("中共某某区某某局党组".into());
                    let mut group = Vec::new();
                    for (i, problems) in aspects.into_iter().enumerate() {
                        let problems: Vec<Problem> = problems
                            .into_iter()
                            .map(|(p, names)| {
                                group.extend(names.into_iter().map(|n| member("成员", &n)));
                                p
                            })
                            .collect();
                        l.aspects.push(Aspect {
                            number: Some(numerals::to_chinese(i as u32 + 1)),
                            title: titled.then(|| format!("关于第{}方面", i + 1)),
                            problems,
                        });
                    }
                    l.organisation.leading_group = group;
                    l
                })
            })
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn public_markdown_shows_exactly_the_public_problems_and_no_names(
            ledger in arb_ledger(), flat in any::<bool>(), renumber in any::<bool>()
        ) {
            let layout = if flat { Layout::Flat } else { Layout::ByAspect };
            let opts = ReportOptions { layout, renumber, ..ReportOptions::for_ledger(&ledger) };
            let md = render_markdown(&ledger, &opts);
            for p in ledger.problems() {
                prop_assert_eq!(md.contains(p.title.as_str()), p.disclosure.is_public(), "{}", p.title);
            }
            for name in PERSONS {
                prop_assert!(!md.contains(name), "{} named", name);
            }
            let internal = render_markdown(&ledger, &ReportOptions { audience: Audience::Internal, ..opts });
            for p in ledger.problems() {
                prop_assert!(internal.contains(p.title.as_str()));
            }
        }
    }
}
