//! The parts of a report (一、二、三、) and which of them holds the problem list.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use crate::extract::number;
use crate::paragraphs::{Para, is_date_only};

use super::headings::*;
use super::metadata::*;
use super::re;

#[derive(Debug, Clone)]
pub(super) struct Part {
    pub(super) index: usize,
    pub(super) number: u32,
    pub(super) token: String,
    pub(super) title: String,
}

pub(super) fn find_parts(paras: &[Para]) -> Vec<Part> {
    let mut parts: Vec<Part> = Vec::new();
    for (index, p) in paras.iter().enumerate() {
        let Some(c) = PART.captures(&p.text) else { continue };
        let (Some(n), Some(rest)) = (c.name("n"), c.name("rest")) else { continue };
        let Some(number) = number(n.as_str()) else { continue };
        let (title, _) = split_title(rest.as_str());
        if title.chars().count() > 60 {
            continue;
        }
        let continues = parts.last().is_none_or(|last| number == last.number + 1);
        if continues && (!parts.is_empty() || number <= 2) {
            let token = p.text[..rest.start()].to_string();
            parts.push(Part { index, number, token, title });
        }
    }
    parts
}

pub(super) fn part_score(title: &str, paras: &[Para]) -> i32 {
    let has = |words: &[&str]| words.iter().any(|w| title.contains(w));
    let mut score = 0;
    if title.contains("问题") {
        score += 3;
    }
    if has(&["整改情况", "落实情况", "进展情况", "完成情况", "整改进展", "整改成效", "整改落实"])
    {
        score += 2;
    }
    if title.contains("反馈") {
        score += 2;
    }
    if has(&[
        "下一步",
        "打算",
        "巩固",
        "深化",
        "长效",
        "组织领导",
        "工作开展",
        "开展情况",
        "基本情况",
        "主要做法",
        "工作措施",
        "思想认识",
        "体会",
        "计划",
        "组织落实",
    ]) {
        score -= 4;
    }
    let structured = paras.iter().any(|p| ARABIC.is_match(&p.text) || is_targeted(&p.text));
    if structured {
        score += 3;
    }
    score
}

/// Whether a paragraph ends the body: the invitation to supervise, contact lines, a date.
pub(super) fn is_trailer(text: &str) -> bool {
    static CONTACT_LABEL: LazyLock<Regex> = LazyLock::new(|| {
        re(
            r"^(?:联系电话|电话|监督电话|举报电话|联系人|通讯地址|通信地址|联系地址|地址|电子邮箱|电子信箱|邮箱|邮政编码|邮编|来信)",
        )
    });
    text.starts_with("欢迎")
        || (text.contains("欢迎") && text.contains("监督") && text.chars().count() <= 120)
        || CONTACT_LABEL.is_match(text)
        || is_date_only(text)
        || (text.starts_with("下一步") && !text.contains('。') && text.chars().count() <= 30)
}

/// Paragraph ranges: header, problems (possibly several parts as aspects), trailer.
pub(super) struct Layout {
    pub(super) header: Range<usize>,
    /// Paragraphs of other parts before the problems, which may state headline figures.
    pub(super) before: Range<usize>,
    /// The problem regions; each with the part heading that names it when parts are aspects.
    pub(super) regions: Vec<(Option<usize>, Range<usize>)>,
    pub(super) trailer: Range<usize>,
}

pub(super) fn layout(paras: &[Para], parts: &[Part]) -> Layout {
    let mut lay = layout_ranges(paras, parts);
    // A signature line just above the date belongs to the trailer, not to the last problem.
    let t = lay.trailer.start;
    if t > 0 && paras.get(t).is_some_and(|p| is_date_only(&p.text)) && looks_like_unit(&paras[t - 1].text) {
        lay.trailer = t - 1..lay.trailer.end;
        for (_, r) in &mut lay.regions {
            r.end = r.end.min(t - 1).max(r.start);
        }
    }
    lay
}

pub(super) fn layout_ranges(paras: &[Para], parts: &[Part]) -> Layout {
    let n = paras.len();
    let trailer_from = |from: usize, to: usize| (from..to).find(|&i| is_trailer(&paras[i].text)).unwrap_or(to);
    if parts.is_empty() {
        let start = paras
            .iter()
            .position(|p| {
                CN_PAREN.is_match(&p.text)
                    || ARABIC.is_match(&p.text)
                    || is_targeted(&p.text)
                    || LABELLED.is_match(&p.text)
                    || p.text.ends_with(['：', ':'])
            })
            .unwrap_or(0);
        let header_end = paras[..start].iter().position(|p| p.text.contains('。')).map_or(start, |i| i + 1).min(start);
        let end = trailer_from(start.max(header_end), n);
        return Layout {
            header: 0..header_end,
            before: header_end..start,
            regions: vec![(None, start..end)],
            trailer: end..n,
        };
    }
    let part_end = |k: usize| parts.get(k + 1).map_or(n, |p| p.index);
    let first = parts.first().map_or(0, |p| p.index);
    let scored: Vec<(usize, i32)> =
        parts.iter().enumerate().map(|(k, p)| (k, part_score(&p.title, &paras[p.index + 1..part_end(k)]))).collect();
    let aspect_parts: Vec<usize> =
        scored.iter().filter(|&&(k, s)| s > 0 && parts[k].title.contains("方面")).map(|&(k, _)| k).collect();
    let chosen: Vec<usize> = if aspect_parts.len() >= 2 {
        aspect_parts
    } else {
        let best = scored.iter().max_by_key(|&&(k, s)| (s, std::cmp::Reverse(k)));
        match best {
            Some(&(k, s)) if s > 0 => vec![k],
            _ => vec![],
        }
    };
    let Some((&first_k, &last_k)) = chosen.first().zip(chosen.last()) else {
        // No part reads like the problems: take everything after the header as the region.
        let end = trailer_from(first, n);
        return Layout { header: 0..first, before: first..first, regions: vec![(None, first..end)], trailer: end..n };
    };
    let as_aspects = chosen.len() >= 2;
    let mut regions = Vec::new();
    for &k in &chosen {
        let start = parts[k].index + 1;
        let end = if k == last_k { trailer_from(start, part_end(k)) } else { part_end(k) };
        regions.push((as_aspects.then_some(k), start..end));
    }
    let last_end = regions.last().map_or(n, |(_, r)| r.end);
    let trailer_start = if last_end < part_end(last_k) { last_end } else { trailer_from(part_end(last_k), n) };
    // Later parts (next steps) end where the trailer starts.
    let trailer_start = if last_end == part_end(last_k) {
        (last_end..n).find(|&i| is_trailer(&paras[i].text)).unwrap_or(n)
    } else {
        trailer_start
    };
    Layout { header: 0..first, before: first..parts[first_k].index + 1, regions, trailer: trailer_start..n }
}
