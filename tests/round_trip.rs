//! Documents out and back in: a report rendered from a ledger parses back to the same structure
//! and figures, and the workbook imports back to the same ledger (issue 4.5).

use proptest::prelude::*;
use rectify_domain::arbitrary;
use rectify_domain::{Aspect, Disclosure, Ledger, Status};
use rectify_report_writer::{Audience, Layout, ReportOptions, render_markdown};

/// The statuses a published report can state and the parser reads back.
fn printable_status(s: Status) -> Status {
    match s {
        Status::Completed => Status::Completed,
        Status::LongTerm => Status::LongTerm,
        _ => Status::InProgress,
    }
}

/// A ledger as a unit would publish it: titled aspects, numbered problems with at least one
/// measure, every problem public.
fn publishable_ledger() -> impl Strategy<Value = Ledger> {
    arbitrary::ledger().prop_filter("has problems", |l| l.problems().count() > 0).prop_map(|mut l| {
        l.aspects.retain(|a| !a.problems.is_empty());
        let mut n = 0;
        for (ai, aspect) in l.aspects.iter_mut().enumerate() {
            let Aspect { number, title, problems } = aspect;
            *number = Some(rectify_domain::numerals::to_chinese(ai as u32 + 1));
            *title = Some(format!("关于{}方面的整改", title.clone().unwrap_or_else(|| "工作落实".into())));
            for p in problems.iter_mut() {
                n += 1;
                p.number = Some(n.to_string());
                p.disclosure = Disclosure::Public;
                p.status = printable_status(p.status);
                p.measures.retain(|m| !m.text.trim().is_empty());
                if p.measures.is_empty() {
                    p.measures.push(rectify_domain::Measure::from_text(
                        rectify_domain::NonEmptyText::new("制定整改工作方案").unwrap(),
                    ));
                }
            }
        }
        l
    })
}

fn parse_markdown(md: &str) -> Ledger {
    let doc = rectify_report_reader::read_bytes(md.as_bytes(), Some("report.md")).expect("markdown decodes");
    rectify_report_reader::parse(&doc).ledger
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn a_rendered_report_parses_back(l in publishable_ledger()) {
        let opts = ReportOptions { audience: Audience::Public, layout: Layout::ByAspect, ..ReportOptions::for_ledger(&l) };
        let md = render_markdown(&l, &opts);
        let back = parse_markdown(&md);

        prop_assert_eq!(back.aspects.len(), l.aspects.len(), "aspects\n{}", md);
        for (a, b) in l.aspects.iter().zip(&back.aspects) {
            prop_assert_eq!(a.problems.len(), b.problems.len(), "problems of {:?}\n{}", a.title, md);
            for (p, q) in a.problems.iter().zip(&b.problems) {
                prop_assert_eq!(&p.number, &q.number);
                prop_assert_eq!(p.title.as_str(), q.title.as_str());
                prop_assert_eq!(p.measures.len(), q.measures.len(), "measures of {}\n{}", p.title, md);
                prop_assert_eq!(p.status, q.status, "status of {}", p.title);
            }
        }
        // The headline figures the report states are the ledger's statistics.
        let stats = l.statistics();
        prop_assert_eq!(back.claimed.problems, Some(stats.problems.total));
        prop_assert_eq!(back.claimed.aspects, Some(stats.aspects));
        prop_assert_eq!(back.claimed.completed, Some(stats.problems.completed));
        prop_assert_eq!(back.statistics().problems, stats.problems);
    }

    #[test]
    fn a_workbook_imports_back_to_the_same_ledger(l in arbitrary::ledger()) {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let bytes = rectify_workbook::write_ledger_xlsx(&l, today).unwrap();
        let back = rectify_workbook::read_ledger_xlsx(&bytes, &rectify_workbook::ImportOptions::default()).unwrap();
        prop_assert_eq!(back.ledger.aspects.len(), l.aspects.len());
        prop_assert_eq!(back.ledger.statistics(), l.statistics());
        prop_assert_eq!(back.ledger, l);
    }
}
