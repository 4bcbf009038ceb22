//! Facts around the problems: title, unit, report date.

use std::ops::Range;

use rectify_domain::PartialDate;

use crate::extract;
use crate::paragraphs::{Para, is_marker_start};

/// Collects the facts that come before and after the problems.
pub(super) struct Frame {
    pub(super) title: Option<(String, usize)>,
    pub(super) unit: Option<(String, usize)>,
    pub(super) report_date: Option<(PartialDate, usize)>,
}

pub(super) const UNIT_SUFFIXES: [&str; 14] = [
    "党组",
    "党委",
    "党工委",
    "党总支",
    "党支部",
    "委员会",
    "办公室",
    "局",
    "委",
    "院",
    "中心",
    "公司",
    "集团",
    "学校",
];

pub(super) fn looks_like_unit(s: &str) -> bool {
    let n = s.chars().count();
    (4..=40).contains(&n) && UNIT_SUFFIXES.iter().any(|x| s.ends_with(x)) && !s.contains(['，', '。', '：'])
}

pub(super) fn frame(paras: &[Para], header: &Range<usize>, trailer: &Range<usize>, meta: &[(usize, String)]) -> Frame {
    let title_words = ["通报", "报告", "情况", "公告", "公示", "公开"];
    let mut title = None;
    for i in header.clone() {
        let t = &paras[i].text;
        if t.contains(['，', '。']) || is_marker_start(t) || t.chars().count() > 80 {
            continue;
        }
        if title_words.iter().any(|w| t.contains(w)) {
            let mut text = t.clone();
            let mut line = paras[i].line();
            if let Some(prev) = i.checked_sub(1).filter(|&j| j >= header.start).map(|j| &paras[j])
                && t.starts_with("关于")
                && looks_like_unit(&prev.text)
            {
                text = format!("{}{}", prev.text, t);
                line = prev.line();
            }
            title = Some((text, line));
            break;
        }
    }
    let date_in = |range: Range<usize>, last: bool| {
        let mut it = range.filter_map(|i| extract::date_only(&paras[i].text).map(|d| (d, i)));
        if last { it.next_back() } else { it.next() }
    };
    let dated = date_in(trailer.clone(), true).or_else(|| date_in(header.clone(), false));
    let report_date = dated.map(|(d, i)| (d, paras[i].line())).or_else(|| {
        meta.iter().find_map(|(line, text)| {
            let mut ctx = None;
            extract::find_dates(text, &mut ctx, None).into_iter().find(|d| d.explicit_year).map(|d| (d.date, *line))
        })
    });
    let signature = dated
        .and_then(|(_, i)| i.checked_sub(1))
        .and_then(|j| paras.get(j))
        .filter(|p| looks_like_unit(&p.text))
        .map(|p| (p.text.clone(), p.line()));
    let from_title = title.as_ref().and_then(|(t, line)| {
        let pos = t.find("关于").filter(|&p| p > 0)?;
        let unit = t[..pos].trim();
        looks_like_unit(unit).then(|| (unit.to_string(), *line))
    });
    Frame { title, unit: from_title.or(signature), report_date }
}

pub(super) fn sentences(text: &str) -> impl Iterator<Item = &str> {
    text.split(['。', '；']).filter(|s| !s.trim().is_empty())
}
