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
        let (Some(n), Some(t)) = (c.name("n"), c.name("t")) else { continue };
        let Some(number) = number(n.as_str()) else { continue };
        let (title, _) = split_title(p.text.get(t.end()..).unwrap_or_default());
        if title.chars().count() > 60 {
            continue;
        }
        let continues = parts.last().is_none_or(|last| number == last.number + 1);
        if continues && (!parts.is_empty() || number <= 2) {
            let token = p.text[..t.end()].to_string();
            parts.push(Part { index, number, token, title });
        }
    }
    parts
}

/// Words of a part title that name the report's own organisation of the work, its
/// results or its next steps (组织领导、提高政治站位、总体推进、下一步…): such a part is never the
/// problem list, whatever its numbered items look like.
const NOT_PROBLEMS: [&str; 27] = [
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
    "政治站位",
    "提高站位",
    "总体推进",
    "总体部署",
    "推进情况",
    "工作成效",
    "主要成效",
    "加强领导",
    "高度重视",
    "责任落实",
    "工作部署",
    "领导情况",
];

/// How much a part reads like the problem list, and the cues seen (for the explanation).
pub(super) fn part_score(title: &str, paras: &[Para]) -> (i32, Vec<&'static str>) {
    let has = |words: &[&str]| words.iter().any(|w| title.contains(w));
    let mut score = 0;
    let mut cues = Vec::new();
    if title.contains("问题") {
        score += 3;
        cues.push("标题含“问题”");
    }
    if has(&["整改情况", "落实情况", "进展情况", "完成情况", "整改进展", "整改成效", "整改落实"])
    {
        score += 2;
        cues.push("标题含“整改情况”类词");
    }
    if title.contains("反馈") {
        score += 2;
        cues.push("标题含“反馈”");
    }
    if has(&NOT_PROBLEMS) {
        score -= 4;
        cues.push("标题为组织部署、成效或下一步");
    }
    let structured = paras.iter().any(|p| ARABIC.is_match(&p.text) || is_targeted(&p.text));
    if structured {
        score += 3;
        cues.push("其下有编号问题");
    }
    (score, cues)
}

/// Whether paragraphs without any part heading hold a problem list: at least two problem
/// headings of one numbering form (1.…, 问题一：…, 针对…的问题), or aspects (（一）…方面) with
/// numbered problems under them.
pub(super) fn has_problem_list(paras: &[Para]) -> bool {
    let count = |f: &dyn Fn(&str) -> bool| paras.iter().filter(|p| f(&p.text)).count();
    let arabic = count(&|t| ARABIC.is_match(t));
    let labelled = count(&|t| LABELLED.is_match(t));
    let targeted = count(&|t| is_targeted(t));
    let aspects = count(&|t| CN_PAREN.is_match(t) && (t.contains("方面") || t.contains("问题")));
    arabic >= 2 || labelled >= 2 || targeted >= 2 || (aspects >= 1 && arabic + targeted + labelled >= 1)
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
    /// Which part was taken as the problem list and why, or why none was (Chinese, for the
    /// outline).
    pub(super) why: String,
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
        if !has_problem_list(&paras[start.min(end)..end]) {
            let end = trailer_from(header_end, n);
            return Layout {
                header: 0..header_end,
                before: header_end..end,
                regions: Vec::new(),
                trailer: end..n,
                why: "全文无“一、二、三”部分标题，也无两条以上编号问题（1.／问题一：／针对…的问题）：按新闻、综述或会议稿读，不列问题".to_string(),
            };
        }
        let line = paras.get(start).map_or(0, Para::line);
        return Layout {
            header: 0..header_end,
            before: header_end..start,
            regions: vec![(None, start..end)],
            trailer: end..n,
            why: format!("全文无部分标题；自第{line}行起有编号问题，取作问题清单"),
        };
    }
    let part_end = |k: usize| parts.get(k + 1).map_or(n, |p| p.index);
    let first = parts.first().map_or(0, |p| p.index);
    let scored: Vec<(usize, i32, Vec<&'static str>)> = parts
        .iter()
        .enumerate()
        .map(|(k, p)| {
            let (s, cues) = part_score(&p.title, &paras[p.index + 1..part_end(k)]);
            (k, s, cues)
        })
        .collect();
    let aspect_parts: Vec<usize> =
        scored.iter().filter(|(k, s, _)| *s > 0 && parts[*k].title.contains("方面")).map(|(k, _, _)| *k).collect();
    let chosen: Vec<usize> = if aspect_parts.len() >= 2 {
        aspect_parts
    } else {
        let best = scored.iter().max_by_key(|(k, s, _)| (*s, std::cmp::Reverse(*k)));
        match best {
            Some((k, s, _)) if *s > 0 => vec![*k],
            _ => vec![],
        }
    };
    let describe = |k: usize| {
        let p = &parts[k];
        let line = paras.get(p.index).map_or(0, Para::line);
        let cues = scored.get(k).map(|(_, _, c)| c.join("、")).unwrap_or_default();
        format!("第{line}行“{}{}”（{}）", p.token, p.title, if cues.is_empty() { "无问题清单线索" } else { &cues })
    };
    let Some((&first_k, &last_k)) = chosen.first().zip(chosen.last()) else {
        // No part reads like the problem list: organisational sections, narrative. Nothing is
        // taken as problems.
        let end = trailer_from(first, n);
        let seen: Vec<String> = (0..parts.len()).map(describe).collect();
        return Layout {
            header: 0..first,
            before: first..end,
            regions: Vec::new(),
            trailer: end..n,
            why: format!("没有哪一部分读作问题清单，不列问题：{}", seen.join("；")),
        };
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
    let taken: Vec<String> = chosen.iter().map(|&k| describe(k)).collect();
    let skipped: Vec<String> = (0..parts.len()).filter(|k| !chosen.contains(k)).map(describe).collect();
    let mut why = format!("取作问题清单：{}", taken.join("；"));
    if !skipped.is_empty() {
        why.push_str(&format!("。未取：{}", skipped.join("；")));
    }
    Layout { header: 0..first, before: first..parts[first_k].index + 1, regions, trailer: trailer_start..n, why }
}
