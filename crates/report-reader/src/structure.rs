//! The document structure: parts (一、), aspects (（一）), problems and their measures, and the
//! facts around them (title, unit, date, inspection, headline figures, contacts).

use std::ops::Range;
use std::sync::LazyLock;

use rectify_domain::{
    Aspect, Claimed, Contacts, Inspection, Ledger, Measure, NonEmptyText, PartialDate, Problem, Status, WanYuan,
};
use regex::Regex;

use crate::extract::{self, ClaimValue, number};
use crate::paragraphs::{Para, is_date_only, is_marker_start, prepare};
use crate::{AspectSpan, ClaimSpan, ClaimedFigure, Document, HeadingSpan, MeasureSpan, Parsed, ProblemSpan, Spans};

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap_or_else(|e| unreachable!("static regex {pattern}: {e}"))
}

static PART: LazyLock<Regex> = LazyLock::new(|| re(r"^(?P<n>[一二三四五六七八九十]{1,3})[、.](?P<rest>.*)$"));
static CN_PAREN: LazyLock<Regex> =
    LazyLock::new(|| re(r"^(?P<t>[（(](?P<n>[一二三四五六七八九十]{1,3})[）)])(?P<rest>.*)$"));
static ARABIC: LazyLock<Regex> = LazyLock::new(|| re(r"^(?P<t>(?P<n>\d{1,3})[.、])(?P<rest>(?:[^\d].*)?)$"));
static AR_PAREN: LazyLock<Regex> = LazyLock::new(|| re(r"^(?P<t>[（(](?P<n>\d{1,3})[）)])(?P<rest>.*)$"));
static LABELLED: LazyLock<Regex> = LazyLock::new(|| {
    re(r"^(?P<t>(?:【)?(?:反馈)?问题(?P<n>[一二三四五六七八九十\d]{1,3})(?:】)?[：、.]?)(?P<rest>.*)$")
});
static GLUED: LazyLock<Regex> = LazyLock::new(|| re(r"[。；！？.](?P<n>\d{1,3})[.、][^\d]"));
static BODY_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^(?:整改情况|整改措施|整改进展情况|整改进展|整改落实情况|落实情况|主要措施|采取措施|具体措施|工作措施|整改成效|整改举措)：",
    )
});
static STATUS_LINE: LazyLock<Regex> = LazyLock::new(|| {
    re(r"^(?:整改状态|完成情况|整改进度|目前状态|当前状态|整改结果|状态|完成状态|进展情况)：(?P<v>.*)$")
});
static STATUS_INLINE: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?:整改状态|整改进度|完成状态|完成情况)：(?P<v>[^，。；\n]{1,12})[，。；]?"));
static STATUS_SUFFIX: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"[（(【\[](?P<v>已完成整改|已完成|完成|已整改|已销号|整改中|正在整改|正在推进|持续推进|长期坚持|长期整改|持续整改|基本完成|阶段性完成|未完成)[）)】\]]$",
    )
});
static ENUM: LazyLock<Regex> = LazyLock::new(|| {
    re(concat!(
        r"(?P<ord>[一二三四五六七八九十]{1,3})是",
        r"|第(?P<first>[一二三四五六七八九十]{1,3})[，、：是]",
        r"|[（(](?P<paren>\d{1,2})[）)]",
        r"|(?P<circ>[①-⑳])",
        r"|(?P<ar>\d{1,2})[.、][^\d]"
    ))
});

/// Where a paragraph's kind of problem heading comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ProblemKind {
    CnParen,
    Arabic,
    Labelled,
    Targeted,
    ArParen,
    Bare,
}

/// A problem heading found at the start of a paragraph.
#[derive(Debug, Clone)]
struct Heading {
    token: Option<String>,
    number: Option<u32>,
    /// The numeral as printed (`1`, `一`).
    number_text: Option<String>,
    /// The text after the token.
    rest: String,
    /// Byte offset of `rest` in the paragraph.
    rest_at: usize,
}

fn heading_of(kind: ProblemKind, text: &str) -> Option<Heading> {
    let from = |re: &Regex| {
        re.captures(text).map(|c| {
            let t = c.name("t").map_or("", |m| m.as_str());
            let rest = c.name("rest").map_or((String::new(), text.len()), |m| (m.as_str().to_string(), m.start()));
            Heading {
                token: Some(t.to_string()),
                number: c.name("n").and_then(|n| number(n.as_str())),
                number_text: c.name("n").map(|n| n.as_str().to_string()),
                rest: rest.0,
                rest_at: rest.1,
            }
        })
    };
    match kind {
        ProblemKind::CnParen => from(&CN_PAREN),
        ProblemKind::Arabic => from(&ARABIC),
        ProblemKind::ArParen => from(&AR_PAREN),
        ProblemKind::Labelled => from(&LABELLED),
        ProblemKind::Targeted => is_targeted(text).then(|| Heading {
            token: None,
            number: None,
            number_text: None,
            rest: text.to_string(),
            rest_at: 0,
        }),
        ProblemKind::Bare => {
            Some(Heading { token: None, number: None, number_text: None, rest: text.to_string(), rest_at: 0 })
        }
    }
}

/// `针对…的问题。` opening a paragraph: the first clause names a problem.
fn is_targeted(text: &str) -> bool {
    let Some(rest) = text.strip_prefix("针对") else { return false };
    let clause_end = rest.find(['。', '：', '；', '，']).unwrap_or(rest.len());
    let clause = &rest[..clause_end];
    let delimiter = rest[clause_end..].chars().next();
    clause.ends_with("问题") && delimiter != Some('，') && clause.chars().count() <= 80
}

/// A short line that reads like a problem's title: no sentence inside, not a label.
fn is_bare_title(text: &str) -> bool {
    let t = text.trim_end_matches(['。', '；']);
    let chars = t.chars().count();
    (4..=60).contains(&chars)
        && !t.contains(['。', '；', '：'])
        && !is_marker_start(text)
        && !is_date_only(text)
        && !BODY_LABEL.is_match(text)
}

/// Title and the text after it: the title ends at the first sentence end outside brackets.
fn split_title(text: &str) -> (String, String) {
    let mut depth = 0i32;
    for (i, c) in text.char_indices() {
        match c {
            '“' | '（' | '《' | '【' | '(' | '‘' => depth += 1,
            '”' | '）' | '》' | '】' | ')' | '’' => depth -= 1,
            '。' | '！' | '？' | '；' | '：' if depth <= 0 => {
                let end = i + c.len_utf8();
                return (text[..i].trim().to_string(), text[end..].trim().to_string());
            }
            _ => {}
        }
    }
    (text.trim().trim_end_matches(['.', '，']).to_string(), String::new())
}

/// Maps status words onto the four statuses a parsed ledger uses.
fn status_from_text(text: &str) -> Option<Status> {
    let t = text.trim();
    let exact = Status::from_chinese(t).or_else(|| {
        let first = t.split(['，', '。', '；', ',', ' ']).next().unwrap_or(t);
        Status::from_chinese(first)
    });
    let status = match exact {
        Some(s) => s,
        None if t.chars().count() > 16 => return None,
        None if t.contains("长期") => Status::LongTerm,
        None if t.contains("未完成") || t.contains("基本完成") || t.contains("阶段性") || t.contains("推进") => {
            Status::InProgress
        }
        None if t.contains("完成") || t.contains("销号") || t.contains("办结") => Status::Completed,
        None if t.contains("整改中") || t.contains("正在") => Status::InProgress,
        None => return None,
    };
    Some(match status {
        Status::Completed | Status::PendingVerification => Status::Completed,
        Status::LongTerm => Status::LongTerm,
        Status::Unknown => Status::Unknown,
        _ => Status::InProgress,
    })
}

#[derive(Debug, Clone)]
struct Part {
    index: usize,
    number: u32,
    token: String,
    title: String,
}

fn find_parts(paras: &[Para]) -> Vec<Part> {
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

fn part_score(title: &str, paras: &[Para]) -> i32 {
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
fn is_trailer(text: &str) -> bool {
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
struct Layout {
    header: Range<usize>,
    /// Paragraphs of other parts before the problems, which may state headline figures.
    before: Range<usize>,
    /// The problem regions; each with the part heading that names it when parts are aspects.
    regions: Vec<(Option<usize>, Range<usize>)>,
    trailer: Range<usize>,
}

fn layout(paras: &[Para], parts: &[Part]) -> Layout {
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

fn layout_ranges(paras: &[Para], parts: &[Part]) -> Layout {
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

/// The working state of one problem while its body is read.
struct ProblemDraft {
    line: usize,
    token: Option<String>,
    number: Option<u32>,
    number_text: Option<String>,
    title: String,
    /// Body paragraphs (with line offsets).
    body: Vec<Para>,
}

struct AspectDraft {
    line: Option<usize>,
    token: Option<String>,
    number: Option<String>,
    title: Option<String>,
    problems: Vec<ProblemDraft>,
}

/// Splits `1.…。20.…` where a heading was glued to the previous paragraph's end.
fn split_glued(paras: Vec<Para>) -> Vec<Para> {
    let mut out: Vec<Para> = Vec::with_capacity(paras.len());
    let mut last: Option<u32> = None;
    for mut p in paras {
        if let Some(c) = ARABIC.captures(&p.text) {
            last = c.name("n").and_then(|n| number(n.as_str()));
        } else if CN_PAREN.is_match(&p.text) {
            last = None;
        }
        while let Some(expected) = last.map(|n| n + 1) {
            let found = GLUED.captures_iter(&p.text).find_map(|c| {
                let n = c.name("n")?;
                (number(n.as_str()) == Some(expected)).then_some(n.start())
            });
            let Some(at) = found else { break };
            let tail = p.split_off(at);
            out.push(p);
            p = tail;
            last = Some(expected);
        }
        out.push(p);
    }
    out
}

fn problem_kind_of(paras: &[Para]) -> Option<ProblemKind> {
    let count = |f: &dyn Fn(&str) -> bool| paras.iter().filter(|p| f(&p.text)).count();
    let arabic = count(&|t| ARABIC.is_match(t));
    let targeted = count(&|t| is_targeted(t));
    let labelled = count(&|t| LABELLED.is_match(t));
    if arabic > 0 {
        // `针对…问题` paragraphs with numbered measures under each: numbering restarts at 1.
        let restarts = count(&|t| ARABIC.captures(t).and_then(|c| c.name("n")).is_some_and(|n| n.as_str() == "1"));
        if targeted >= 2 && restarts >= targeted {
            return Some(ProblemKind::Targeted);
        }
        return Some(ProblemKind::Arabic);
    }
    if labelled > 0 {
        return Some(ProblemKind::Labelled);
    }
    if targeted > 0 {
        return Some(ProblemKind::Targeted);
    }
    if count(&|t| AR_PAREN.is_match(t)) > 0 {
        return Some(ProblemKind::ArParen);
    }
    let bare_followed = paras.windows(2).filter(|w| is_bare_title(&w[0].text) && !is_bare_title(&w[1].text)).count();
    let labels = count(&|t| BODY_LABEL.is_match(t));
    if bare_followed >= 2 || (bare_followed >= 1 && labels >= 1) {
        return Some(ProblemKind::Bare);
    }
    None
}

fn is_problem_start(kind: ProblemKind, paras: &[Para], i: usize) -> bool {
    let Some(p) = paras.get(i) else { return false };
    match kind {
        ProblemKind::CnParen => CN_PAREN.is_match(&p.text),
        ProblemKind::Arabic => ARABIC.is_match(&p.text),
        ProblemKind::Labelled => LABELLED.is_match(&p.text),
        ProblemKind::Targeted => is_targeted(&p.text),
        ProblemKind::ArParen => AR_PAREN.is_match(&p.text),
        ProblemKind::Bare => is_bare_title(&p.text) && paras.get(i + 1).is_some_and(|q| !is_bare_title(&q.text)),
    }
}

/// Reads the problems of one aspect's paragraphs.
fn problems_of(paras: Vec<Para>, kind: Option<ProblemKind>, aspect_title: Option<&str>) -> Vec<ProblemDraft> {
    let paras = if kind == Some(ProblemKind::Arabic) { split_glued(paras) } else { paras };
    let Some(kind) = kind else {
        let Some(first) = paras.first() else { return Vec::new() };
        let title = aspect_title.map(str::to_string).unwrap_or_else(|| split_title(&first.text).0);
        return vec![ProblemDraft {
            line: first.line(),
            token: None,
            number: None,
            number_text: None,
            title,
            body: paras,
        }];
    };
    let mut drafts: Vec<ProblemDraft> = Vec::new();
    let mut current: Option<ProblemDraft> = None;
    let mut pending_title = false;
    for i in 0..paras.len() {
        let p = &paras[i];
        if is_problem_start(kind, &paras, i)
            && let Some(h) = heading_of(kind, &p.text)
        {
            if let Some(done) = current.take() {
                drafts.push(done);
            }
            let (title, rest) =
                if kind == ProblemKind::Bare { (h.rest.clone(), String::new()) } else { split_title(&h.rest) };
            let mut body = Vec::new();
            if !rest.is_empty() {
                let offset = p.text.len().saturating_sub(rest.len()).max(h.rest_at);
                body.push(Para { text: rest, segs: vec![(0, p.line_at(offset))] });
            }
            pending_title = title.is_empty();
            current = Some(ProblemDraft {
                line: p.line(),
                token: h.token,
                number: h.number,
                number_text: h.number_text,
                title,
                body,
            });
            continue;
        }
        match current.as_mut() {
            Some(d) if pending_title => {
                let (title, rest) = split_title(&p.text);
                d.title = title;
                if !rest.is_empty() {
                    d.body.push(Para { text: rest, segs: vec![(0, p.line())] });
                }
                pending_title = false;
            }
            Some(d) => d.body.push(p.clone()),
            None => {} // an aspect's introduction before its first problem
        }
    }
    drafts.extend(current);
    drafts
}

/// The measures of a problem, its status (with the line it was stated on) and any
/// un-enumerated lead-in text.
struct ReadBody {
    measures: Vec<(Measure, MeasureSpan)>,
    status: Option<(Status, usize)>,
    lead_in: Option<String>,
}

const NOT_AFTER_BROKEN_NUMERAL: &str =
    "是年个项条次名人家处份月日十百千万种类批轮方面重会张定大季级期位号届天周点层线区小中部支所套台辆本篇场";

fn read_body(body: &[Para], report_date: Option<PartialDate>, context_year: Option<i32>) -> ReadBody {
    let mut status = None;
    let mut text = String::new();
    let mut segs: Vec<(usize, usize)> = Vec::new();
    for p in body {
        let mut t = p.text.as_str();
        if let Some(c) = STATUS_LINE.captures(t)
            && let Some(s) = c.name("v").and_then(|v| status_from_text(v.as_str()))
        {
            status = Some((s, p.line()));
            continue;
        }
        let skipped = BODY_LABEL
            .find(t)
            .map(|m| m.end())
            .or_else(|| STATUS_LINE.captures(t).and_then(|c| c.name("v")).map(|v| v.start()))
            .unwrap_or(0);
        t = &t[skipped..];
        if t.trim().is_empty() {
            continue;
        }
        if !text.is_empty() {
            text.push('\n');
        }
        for &(o, l) in &p.segs {
            segs.push((text.len() + o.saturating_sub(skipped), l));
        }
        text.push_str(t);
    }
    // Inline status statements are removed from the measure text.
    let mut cleaned = String::with_capacity(text.len());
    let mut last = 0;
    for c in STATUS_INLINE.captures_iter(&text) {
        let (Some(whole), Some(v)) = (c.get(0), c.name("v")) else { continue };
        if let Some(s) = status_from_text(v.as_str()) {
            let line = line_at(&segs, whole.start());
            status = Some((s, line));
            cleaned.push_str(&text[last..whole.start()]);
            cleaned.push_str(&" ".repeat(whole.len()));
            last = whole.end();
        }
    }
    cleaned.push_str(&text[last..]);
    let text = cleaned;

    let markers = enumeration(&text);
    let mut measures = Vec::new();
    let mut year = None;
    let fallback = context_year;
    let mut push = |start: usize, end: usize, token: Option<String>, number: Option<u32>| {
        let raw = text.get(start..end).unwrap_or_default();
        let cleaned: String = raw.chars().filter(|&c| c != '\n').collect();
        let cleaned = cleaned
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .trim_start_matches(['：', '，', '、', ' '])
            .trim_end_matches(['；', '，', '、', ' '])
            .to_string();
        let Ok(body) = NonEmptyText::new(cleaned) else { return };
        let mut m = Measure::from_text(body);
        m.dates = extract::find_dates(&m.text, &mut year, fallback)
            .into_iter()
            .map(|d| if d.explicit_year { d.date } else { not_after(d.date, report_date) })
            .collect();
        m.amounts_wan_yuan = extract::find_amounts(&m.text);
        m.documents = extract::find_documents(&m.text);
        let line = line_at(&segs, start);
        measures.push((m, MeasureSpan { line, token, number }));
    };
    let lead_end = markers.first().map_or(text.len(), |m| m.start);
    let lead = text.get(..lead_end).unwrap_or_default().trim().trim_end_matches(['：', '，']).trim();
    let lead_in = if markers.is_empty() {
        push(0, text.len(), None, None);
        None
    } else {
        (lead.chars().count() >= 2).then(|| lead.replace('\n', ""))
    };
    for (k, m) in markers.iter().enumerate() {
        let end = markers.get(k + 1).map_or(text.len(), |n| n.start);
        push(m.end, end, Some(m.token.clone()), Some(m.number));
    }
    ReadBody { measures, status, lead_in }
}

/// A month and day whose year was guessed from the report's year cannot lie after the report:
/// "11月" in a report of January 2024 means November 2023.
fn not_after(date: PartialDate, report_date: Option<PartialDate>) -> PartialDate {
    let Some(report) = report_date else { return date };
    if date.earliest() <= report.latest() {
        return date;
    }
    let year = date.year_number() - 1;
    let earlier = match date {
        PartialDate::Year(_) => PartialDate::year(year),
        PartialDate::Month(_, m) => PartialDate::month(year, m),
        PartialDate::Day(d) => PartialDate::day(year, chrono::Datelike::month(&d), chrono::Datelike::day(&d)),
    };
    earlier.unwrap_or(date)
}

fn line_at(segs: &[(usize, usize)], offset: usize) -> usize {
    let idx = segs.partition_point(|&(o, _)| o <= offset);
    segs.get(idx.saturating_sub(1)).or(segs.first()).map_or(0, |s| s.1)
}

#[derive(Debug, Clone, PartialEq)]
struct Marker {
    start: usize,
    end: usize,
    token: String,
    number: u32,
    family: u8,
}

fn at_boundary(text: &str, pos: usize) -> bool {
    text[..pos].chars().next_back().is_none_or(|c| {
        matches!(c, '\n' | '。' | '；' | '，' | '：' | '！' | '？' | '）' | ' ' | ';' | ',' | ':' | '、')
    })
}

/// The enumeration markers of a body: one family (一是 / 第一 / （1） / ① / 1.), in sequence.
fn enumeration(text: &str) -> Vec<Marker> {
    let mut candidates: Vec<Marker> = Vec::new();
    for c in ENUM.captures_iter(text) {
        let Some(whole) = c.get(0) else { continue };
        let (family, value, end) = if let Some(m) = c.name("ord") {
            (0, number(m.as_str()), whole.end())
        } else if let Some(m) = c.name("first") {
            (1, number(m.as_str()), whole.end())
        } else if let Some(m) = c.name("paren") {
            (2, number(m.as_str()), whole.end())
        } else if let Some(m) = c.name("circ") {
            let v = m.as_str().chars().next().map(|ch| ch as u32 - '①' as u32 + 1);
            (3, v, whole.end())
        } else if let Some(m) = c.name("ar") {
            let token_end = m.end() + text[m.end()..].chars().next().map_or(0, char::len_utf8);
            let at_para_start = whole.start() == 0 || text[..whole.start()].ends_with('\n');
            if !at_para_start {
                continue;
            }
            (4, number(m.as_str()), token_end)
        } else {
            continue;
        };
        let Some(value) = value else { continue };
        if family != 3 && !at_boundary(text, whole.start()) {
            continue;
        }
        let token = text.get(whole.start()..end).unwrap_or_default().to_string();
        candidates.push(Marker { start: whole.start(), end, token, number: value, family });
    }
    let Some(family) = candidates.iter().find(|m| m.number == 1).map(|m| m.family) else { return Vec::new() };
    let mut accepted: Vec<Marker> = Vec::new();
    for m in candidates.into_iter().filter(|m| m.family == family) {
        let last = accepted.last().map_or(0, |a| a.number);
        if m.number == last + 1 || (m.number == 1 && last > 0) || (last > 0 && m.number == last + 2) {
            accepted.push(m);
        }
    }
    if family == 0 {
        add_broken_ordinals(text, &mut accepted);
    }
    accepted
}

/// `二是…。三对应收未收…`: a numeral that continues the 一是/二是 sequence at a sentence start
/// but lost its 是 still starts a measure.
fn add_broken_ordinals(text: &str, accepted: &mut Vec<Marker>) {
    let mut k = 0;
    while k < accepted.len() {
        let here = &accepted[k];
        let next_number = accepted.get(k + 1).map(|n| n.number);
        let want = here.number + 1;
        if next_number == Some(want) || next_number == Some(1) && k + 1 < accepted.len() {
            k += 1;
            continue;
        }
        let gap_end = accepted.get(k + 1).map_or(text.len(), |n| n.start);
        let numeral = rectify_domain::numerals::to_chinese(want);
        let gap = text.get(here.end..gap_end).unwrap_or_default();
        let found = gap.match_indices(numeral.as_str()).find(|&(i, _)| {
            let abs = here.end + i;
            let before = text[..abs].chars().next_back();
            let after = text[abs + numeral.len()..].chars().next();
            matches!(before, Some('。' | '；' | '\n'))
                && after.is_some_and(|c| crate::normalize::is_han(c) && !NOT_AFTER_BROKEN_NUMERAL.contains(c))
        });
        if let Some((i, _)) = found {
            let start = here.end + i;
            let m = Marker { start, end: start + numeral.len(), token: numeral, number: want, family: 0 };
            accepted.insert(k + 1, m);
        }
        k += 1;
    }
}

/// Collects the facts that come before and after the problems.
struct Frame {
    title: Option<(String, usize)>,
    unit: Option<(String, usize)>,
    report_date: Option<(PartialDate, usize)>,
}

const UNIT_SUFFIXES: [&str; 14] = [
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

fn looks_like_unit(s: &str) -> bool {
    let n = s.chars().count();
    (4..=40).contains(&n) && UNIT_SUFFIXES.iter().any(|x| s.ends_with(x)) && !s.contains(['，', '。', '：'])
}

fn frame(paras: &[Para], header: &Range<usize>, trailer: &Range<usize>, meta: &[(usize, String)]) -> Frame {
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

fn sentences(text: &str) -> impl Iterator<Item = &str> {
    text.split(['。', '；']).filter(|s| !s.trim().is_empty())
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

/// Reads one problems region into aspects; returns them with the number of preface paragraphs.
fn read_region(
    region: Vec<Para>,
    part: Option<usize>,
    parts: &[Part],
    all: &[Para],
    report_date: Option<PartialDate>,
    context_year: Option<i32>,
) -> (Vec<(Aspect, AspectSpan)>, usize) {
    let paren_at: Vec<usize> = (0..region.len()).filter(|&i| CN_PAREN.is_match(&region[i].text)).collect();
    let paren_titles: Vec<String> = paren_at
        .iter()
        .filter_map(|&i| heading_of(ProblemKind::CnParen, &region[i].text))
        .map(|h| split_title(&h.rest).0)
        .collect();
    let lower_problems = paren_at.first().is_some_and(|&f| {
        region[f..].iter().any(|p| ARABIC.is_match(&p.text) || is_targeted(&p.text) || LABELLED.is_match(&p.text))
    });
    let paren_are_aspects =
        part.is_none() && !paren_at.is_empty() && (lower_problems || paren_titles.iter().any(|t| t.contains("方面")));

    let mut drafts: Vec<AspectDraft> = Vec::new();
    let preface;
    if paren_are_aspects {
        preface = paren_at.first().copied().unwrap_or(0);
        for (k, &i) in paren_at.iter().enumerate() {
            let end = paren_at.get(k + 1).copied().unwrap_or(region.len());
            let head = &region[i];
            let h = heading_of(ProblemKind::CnParen, &head.text);
            let (title, rest) = h.as_ref().map(|h| split_title(&h.rest)).unwrap_or_default();
            let mut body: Vec<Para> = Vec::new();
            if !rest.is_empty() {
                body.push(Para { text: rest, segs: vec![(0, head.line())] });
            }
            body.extend(region[i + 1..end].iter().cloned());
            let kind = problem_kind_of(&body);
            let title_ref = (!title.is_empty()).then_some(title.as_str());
            let problems = problems_of(body, kind, title_ref);
            drafts.push(AspectDraft {
                line: Some(head.line()),
                token: h.as_ref().and_then(|h| h.token.clone()),
                number: h.as_ref().and_then(|h| h.number).map(rectify_domain::numerals::to_chinese),
                title: title_ref.map(str::to_string),
                problems,
            });
        }
    } else {
        let kind = if part.is_some() || !paren_at.is_empty() {
            if paren_at.is_empty() || lower_problems { problem_kind_of(&region) } else { Some(ProblemKind::CnParen) }
        } else {
            problem_kind_of(&region)
        };
        preface = match kind {
            Some(k) => (0..region.len()).find(|&i| is_problem_start(k, &region, i)).unwrap_or(region.len()),
            None => 0,
        };
        let (line, token, number, title) = match part.and_then(|k| parts.get(k)) {
            Some(p) => (
                Some(all.get(p.index).map_or(0, Para::line)),
                Some(p.token.clone()),
                Some(rectify_domain::numerals::to_chinese(p.number)),
                Some(p.title.clone()),
            ),
            None => (None, None, None, None),
        };
        let body: Vec<Para> = region.into_iter().skip(preface).collect();
        let problems = problems_of(body, kind, title.as_deref());
        drafts.push(AspectDraft { line, token, number, title, problems });
    }
    let aspects = drafts
        .into_iter()
        .filter(|a| !a.problems.is_empty() || a.line.is_some())
        .map(|a| finish_aspect(a, report_date, context_year))
        .collect();
    (aspects, preface)
}

fn finish_aspect(a: AspectDraft, report_date: Option<PartialDate>, context_year: Option<i32>) -> (Aspect, AspectSpan) {
    let mut problems = Vec::new();
    let mut spans = Vec::new();
    for d in a.problems {
        let mut title = d.title.trim().to_string();
        let mut status = None;
        if let Some(c) = STATUS_SUFFIX.captures(&title)
            && let (Some(whole), Some(v)) = (c.get(0), c.name("v"))
        {
            status = status_from_text(v.as_str()).map(|s| (s, d.line));
            title.truncate(whole.start());
        }
        let title_amounts = extract::find_amounts(&title);
        let read = read_body(&d.body, report_date, context_year);
        let status = read.status.or(status);
        let fallback_title = d.token.clone().unwrap_or_else(|| "问题".to_string());
        let title = NonEmptyText::new(title.trim_end_matches(['。', '；', '，', ' '])).unwrap_or_else(|_| {
            NonEmptyText::new(fallback_title).unwrap_or_else(|_| unreachable!("fallback title is not blank"))
        });
        let number = d.number_text.clone();
        let mut problem = Problem::new(number, title, status.map_or(Status::Unknown, |s| s.0));
        problem.description = read.lead_in;
        let (measures, measure_spans): (Vec<_>, Vec<_>) = read.measures.into_iter().unzip();
        problem.measures = measures;
        problems.push(problem);
        spans.push(ProblemSpan {
            line: d.line,
            token: d.token,
            number: d.number,
            status_line: status.map(|s| s.1),
            title_amounts_wan_yuan: title_amounts,
            measures: measure_spans,
        });
    }
    let aspect = Aspect { number: a.number, title: a.title, problems };
    (aspect, AspectSpan { line: a.line, token: a.token, problems: spans })
}

fn read_claims(paras: &[&Para], claimed: &mut Claimed, spans: &mut Vec<ClaimSpan>) {
    let mut funds: Option<WanYuan> = None;
    for p in paras {
        for c in extract::find_claims(&p.text) {
            let count = match c.value {
                ClaimValue::Count(n) => Some(n),
                _ => None,
            };
            let first = |slot: &mut Option<u32>| {
                if slot.is_none() {
                    *slot = count;
                }
            };
            match &c.figure {
                ClaimedFigure::Aspects => first(&mut claimed.aspects),
                ClaimedFigure::Problems => first(&mut claimed.problems),
                ClaimedFigure::Measures => first(&mut claimed.measures),
                ClaimedFigure::Completed => first(&mut claimed.completed),
                ClaimedFigure::InProgress => first(&mut claimed.in_progress),
                ClaimedFigure::Rules => first(&mut claimed.rules_made_or_revised),
                ClaimedFigure::CompletionRate => {
                    if let (None, ClaimValue::Percent(v)) = (claimed.completion_rate_percent, &c.value) {
                        claimed.completion_rate_percent = Some(*v);
                    }
                }
                ClaimedFigure::Funds => {
                    if let ClaimValue::Money(w) = c.value {
                        funds = Some(funds.map_or(Some(w), |f| f.checked_add(w)).unwrap_or(w));
                    }
                }
                ClaimedFigure::Accountability(kind) => {
                    if let Some(n) = count
                        && claimed.accountability.get(kind).is_none()
                    {
                        claimed.accountability.add(kind, n);
                    }
                }
            }
            spans.push(ClaimSpan { figure: c.figure, line: p.line_at(c.start), excerpt: c.excerpt });
        }
    }
    claimed.funds_recovered_wan_yuan = funds;
}

#[cfg(test)]
mod tests {
    use super::*;

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
