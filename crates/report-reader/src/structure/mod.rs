//! The document structure: parts (一、), aspects (（一）), problems and their measures, and the
//! facts around them (title, unit, date, inspection, headline figures, contacts).

use rectify_domain::{Contacts, Inspection, Ledger};
use regex::Regex;

use crate::extract;
use crate::paragraphs::{Para, prepare};
use crate::{Confidence, Document, Genre, HeadingSpan, Note, Parsed, Spans, Topic};

mod figures;
mod headings;
mod measures;
mod metadata;
mod problems;
mod sections;

use figures::*;
use metadata::*;
use problems::*;
use sections::*;

pub(super) fn re(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap_or_else(|e| unreachable!("static regex {pattern}: {e}"))
}

/// Parses a document into a ledger. Works on any input and never panics.
pub fn parse(doc: &Document) -> Parsed {
    let prepared = prepare(doc);
    let paras = prepared.paras;
    let parts = find_parts(&paras);
    let lay = layout(&paras, &parts);
    let fr = frame(&paras, &lay.header, &lay.trailer, &prepared.meta);
    let mut notes: Vec<Note> = Vec::new();
    let mut note = |topic, confidence, line, message: String| notes.push(Note { topic, confidence, line, message });

    let title = fr.title.as_ref().map(|t| t.0.as_str());
    let (genre, genre_why) = genre(&paras, title, fr.unit.is_some(), !parts.is_empty());
    note(
        Topic::Genre,
        if fr.unit.is_some() { Confidence::High } else { Confidence::Medium },
        None,
        format!("按{}读：{genre_why}", genre.label_zh()),
    );

    let mut ledger = Ledger::empty();
    let mut spans = Spans::default();
    ledger.title = fr.title.as_ref().map(|t| t.0.clone());
    spans.title = fr.title.as_ref().map(|t| t.1);
    let report_date = match fr.report_date {
        Some((d, line)) => Some((d, line, "落款、标题下或网页发布日期", Confidence::High)),
        None => other_report_date(&paras, &lay.header).map(|(d, line, why)| {
            (d, line, why, if why.starts_with("新闻") { Confidence::Medium } else { Confidence::High })
        }),
    };
    match report_date {
        Some((d, line, why, conf)) => note(Topic::ReportDate, conf, Some(line), format!("{d}：取自{why}")),
        None => note(Topic::ReportDate, Confidence::Low, None, "文中没有写出带年份的报告日期".to_string()),
    }
    ledger.report_date = report_date.map(|d| d.0);
    spans.report_date = report_date.map(|d| d.1);
    spans.parts = parts
        .iter()
        .map(|p| HeadingSpan { line: paras[p.index].line(), token: Some(p.token.clone()), title: p.title.clone() })
        .collect();

    // Inspection facts from the opening text (the whole text when it lists no problems).
    let first_region = lay.regions.first().map_or(paras.len(), |(_, r)| r.start);
    let intro: Vec<&str> = paras[..first_region.min(paras.len())].iter().flat_map(|p| sentences(&p.text)).collect();
    let facts = extract::inspection_facts(&intro);
    let aggregate = genre == Genre::Aggregate;
    let round = title.and_then(|t| extract::inspection_facts(&[t]).round).or(facts.round);
    ledger.inspection = Inspection {
        inspector: facts.inspector.filter(|_| !aggregate),
        start: facts.start,
        end: facts.end,
        feedback_date: facts.feedback,
        round,
        kind: kind_of(genre, &paras, title),
        feedback_document: facts.feedback_document,
    };
    let i = &ledger.inspection;
    match &i.inspector {
        Some(g) => note(Topic::Inspector, Confidence::High, None, format!("{g}：讲述巡视巡察的句子中的巡视（巡察）组")),
        None if aggregate => {
            note(Topic::Inspector, Confidence::Medium, None, "综述涉及多个单位，不取某一巡察组".to_string())
        }
        None => note(Topic::Inspector, Confidence::Low, None, "文中未写出巡视（巡察）组".to_string()),
    }
    if let Some(r) = &i.round {
        note(Topic::Round, Confidence::High, None, format!("{r}：“第N轮”及其届次、派出机关"));
    }
    match &i.kind {
        Some(k) if genre == Genre::AuditReport => {
            note(Topic::Kind, Confidence::High, None, format!("{k}：审计整改报告"))
        }
        Some(k) => note(Topic::Kind, Confidence::Medium, None, format!("{k}：文中“巡视”“巡察”“审计”出现最多者")),
        None => note(Topic::Kind, Confidence::Low, None, "文中未提巡视、巡察或审计".to_string()),
    }

    let mut unit = fr.unit.map(|(u, line)| (u, line, "标题或落款", Confidence::High));
    if unit.is_none() && !aggregate {
        unit = unit_in_text(&paras)
            .filter(|_| genre == Genre::AuditReport)
            .map(|(u, l, why)| (u, l, why, Confidence::High));
    }
    if unit.is_none()
        && !aggregate
        && let Some(u) = facts.inspected
    {
        let line = paras.iter().find(|p| p.text.contains(&u)).map_or(0, Para::line);
        unit = Some((u, line, "讲述巡视巡察的句子（对…开展巡察）", Confidence::Medium));
    }
    if unit.is_none() && !aggregate {
        unit = unit_in_text(&paras).map(|(u, l, why)| (u, l, why, Confidence::Low));
    }
    match &unit {
        Some((u, line, why, conf)) => note(Topic::Unit, *conf, Some(*line), format!("{u}：取自{why}")),
        None if aggregate => note(Topic::Unit, Confidence::Medium, None, "综述涉及多个单位，不取单位".to_string()),
        None => note(Topic::Unit, Confidence::Low, None, "未找到单位名称".to_string()),
    }
    ledger.unit = unit.as_ref().map(|u| u.0.clone());
    spans.unit = unit.as_ref().map(|u| u.1);
    let context_year =
        ledger.report_date.map(|d| d.year_number()).or(ledger.inspection.feedback_date.map(|d| d.year_number()));

    // Claims are read outside the problems: the header, earlier parts and each region's
    // preface (the whole text when it lists no problems).
    let mut claim_paras: Vec<&Para> =
        paras[lay.header.clone()].iter().chain(paras[lay.before.clone()].iter()).collect();

    for (part, range) in &lay.regions {
        let region: Vec<Para> = paras[range.clone()].to_vec();
        let (aspects, preface) = read_region(region, *part, &parts, &paras, ledger.report_date, context_year);
        claim_paras.extend(paras[range.clone()].iter().take(preface));
        for (aspect, span) in aspects {
            ledger.aspects.push(aspect);
            spans.aspects.push(span);
        }
    }
    let listed: usize = ledger.aspects.iter().map(|a| a.problems.len()).sum();
    let list_conf = if lay.regions.is_empty() || listed > 0 { Confidence::High } else { Confidence::Low };
    let mut why = lay.why.clone();
    if !lay.regions.is_empty() && listed == 0 {
        why.push_str("；但其中没有编号的问题标题，只有叙述，未列问题");
    }
    note(Topic::ProblemList, list_conf, lay.regions.first().and_then(|(_, r)| paras.get(r.start)).map(Para::line), why);
    read_claims(&claim_paras, &mut ledger.claimed, &mut spans.claimed);
    let found: Vec<String> = spans.claimed.iter().map(|c| c.excerpt.clone()).collect();
    note(
        Topic::Figures,
        if found.is_empty() { Confidence::Low } else { Confidence::Medium },
        spans.claimed.first().map(|c| c.line),
        if found.is_empty() {
            "未找到通报所称数字".to_string()
        } else {
            format!("读到：{}（同类取最先出现者）", found.join("、"))
        },
    );

    let mut contacts = extract::FoundContacts::default();
    for p in paras[lay.trailer.clone()].iter().chain(paras[lay.header.clone()].iter()) {
        if extract::is_contact_text(&p.text) {
            extract::find_contacts(&p.text, &mut contacts);
            spans.contacts.push(p.line());
        }
    }
    ledger.contacts = Contacts {
        phones: contacts.phones,
        emails: contacts.emails,
        addresses: contacts.addresses,
        postcodes: contacts.postcodes,
    };
    let mut documents: Vec<String> = Vec::new();
    for p in &paras {
        for d in extract::find_documents(&p.text) {
            if !documents.contains(&d) {
                documents.push(d);
            }
        }
    }
    ledger.named_documents = documents;
    if !prepared.originals.is_empty() {
        let folded: Vec<String> = paras.iter().map(|p| p.text.clone()).collect();
        restore_script(&mut ledger, &folded, &prepared.originals);
    }
    Parsed { ledger, spans, genre, notes }
}

/// Gives a text in traditional script its values as printed: every value that is a verbatim
/// piece of a (folded) paragraph is cut from the original paragraph.
fn restore_script(ledger: &mut Ledger, folded: &[String], originals: &[String]) {
    let fix = |s: &mut String| {
        if let Some(o) = crate::script::restore(s, folded, originals) {
            *s = o;
        }
    };
    for s in [&mut ledger.title, &mut ledger.unit, &mut ledger.inspection.inspector, &mut ledger.inspection.round]
        .into_iter()
        .flatten()
    {
        fix(s);
    }
    for d in &mut ledger.named_documents {
        fix(d);
    }
    for (k, _) in &mut ledger.claimed.accountability.0 {
        fix(k);
    }
}

#[cfg(test)]
mod tests {
    use rectify_domain::Status;

    use super::headings::split_title;
    use super::measures::{enumeration, status_from_text};

    #[test]
    fn titles_split_at_the_first_sentence_end_outside_quotes() {
        assert_eq!(split_title("针对“一岗双责。”落实的问题。一是").0, "针对“一岗双责。”落实的问题");
        assert_eq!(
            split_title("未及时收缴房屋租金6.1万元，经督促后才清收。").0,
            "未及时收缴房屋租金6.1万元，经督促后才清收"
        );
    }

    #[test]
    fn enumerations_pick_one_family_in_sequence() {
        let m = enumeration("一是学习（1）甲（2）乙。二是制度；三是检查。");
        let tokens: Vec<&str> = m.iter().map(|m| m.token.as_str()).collect();
        assert_eq!(tokens, vec!["一是", "二是", "三是"]);
        let m = enumeration("一是学习。二是建章立制。三对应收未收款追缴。三年来持续。");
        assert_eq!(m.iter().map(|m| m.number).collect::<Vec<_>>(), vec![1, 2, 3]);
        assert!(enumeration("统一是前提。").is_empty());
    }

    #[test]
    fn statuses_fold_onto_four() {
        assert_eq!(status_from_text("已完成"), Some(Status::Completed));
        assert_eq!(status_from_text("阶段性完成"), Some(Status::InProgress));
        assert_eq!(status_from_text("长期坚持"), Some(Status::LongTerm));
        assert_eq!(status_from_text("基本完成，持续推进"), Some(Status::InProgress));
        assert_eq!(status_from_text("很好"), None);
    }
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::figures::find_claims;
    use crate::paragraphs::Para;

    /// Text made of the genre's cue characters, so that the new patterns get exercised.
    fn cue_text() -> impl Strategy<Value = String> {
        proptest::string::string_regex(
            "[一二三五十0-9届轮第中央省市区委党组巡视察审计对开展进行了召在镇局长书记到和等每个项条大类方面具体问题完成率%—-：，。日月年下午黨組視會（）()?a-zū是 ]{0,80}",
        )
        .unwrap_or_else(|e| unreachable!("{e}"))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn figure_and_name_finders_never_panic(text in cue_text(), any in any::<String>()) {
            for t in [&text, &any] {
                let _ = find_claims(t);
                let _ = crate::extract::find_inspectors(t);
                let _ = crate::extract::trim_name_start(t);
                let folded = crate::script::fold(t);
                prop_assert_eq!(folded.len(), t.len());
                let _ = crate::script::strip_glosses(t);
                let _ = crate::script::restore(t, std::slice::from_ref(&folded), std::slice::from_ref(t));
            }
        }

        #[test]
        fn metadata_readers_never_panic(lines in proptest::collection::vec(cue_text(), 0..12)) {
            let paras: Vec<Para> = lines.iter().enumerate().map(|(i, t)| Para::new(t.clone(), i + 1)).collect();
            let header = 0..paras.len().min(3);
            let _ = super::metadata::other_report_date(&paras, &header);
            let _ = super::metadata::unit_in_text(&paras);
            let (genre, _) = super::metadata::genre(&paras, lines.first().map(String::as_str), false, false);
            let _ = super::metadata::kind_of(genre, &paras, None);
            let _ = super::sections::has_problem_list(&paras);
            let parsed = super::parse(&crate::Document::from_text(&lines.join("\n")));
            prop_assert!(!parsed.notes.is_empty());
        }
    }
}
