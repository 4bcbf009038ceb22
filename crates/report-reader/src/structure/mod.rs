//! The document structure: parts (一、), aspects (（一）), problems and their measures, and the
//! facts around them (title, unit, date, inspection, headline figures, contacts).

use rectify_domain::{Contacts, Inspection, Ledger};
use regex::Regex;

use crate::extract;
use crate::paragraphs::{Para, prepare};
use crate::{Document, HeadingSpan, Parsed, Spans};

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

    let mut ledger = Ledger::empty();
    let mut spans = Spans::default();
    ledger.title = fr.title.as_ref().map(|t| t.0.clone());
    spans.title = fr.title.as_ref().map(|t| t.1);
    ledger.report_date = fr.report_date.map(|d| d.0);
    spans.report_date = fr.report_date.map(|d| d.1);
    spans.parts = parts
        .iter()
        .map(|p| HeadingSpan { line: paras[p.index].line(), token: Some(p.token.clone()), title: p.title.clone() })
        .collect();

    // Inspection facts from the opening text.
    let first_region = lay.regions.first().map_or(0, |(_, r)| r.start);
    let intro: Vec<&str> = paras[..first_region.min(paras.len())].iter().flat_map(|p| sentences(&p.text)).collect();
    let facts = extract::inspection_facts(&intro);
    ledger.inspection = Inspection {
        inspector: facts.inspector,
        start: facts.start,
        end: facts.end,
        feedback_date: facts.feedback,
        round: facts.round,
        kind: facts.kind,
        feedback_document: facts.feedback_document,
    };
    let mut unit = fr.unit;
    if unit.is_none()
        && let Some(u) = facts.inspected
    {
        let line = paras.iter().find(|p| p.text.contains(&u)).map_or(0, Para::line);
        unit = Some((u, line));
    }
    ledger.unit = unit.as_ref().map(|u| u.0.clone());
    spans.unit = unit.as_ref().map(|u| u.1);
    let context_year =
        ledger.report_date.map(|d| d.year_number()).or(ledger.inspection.feedback_date.map(|d| d.year_number()));

    // Claims are read outside the problems: the header, earlier parts and each region's
    // preface.
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
    read_claims(&claim_paras, &mut ledger.claimed, &mut spans.claimed);

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
    Parsed { ledger, spans }
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
