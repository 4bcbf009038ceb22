//! Headline figures (通报所称的数字) the report states about itself.

use rectify_domain::{Claimed, WanYuan};

use std::sync::LazyLock;

use regex::Regex;

use super::re;
use crate::extract::{find_amounts, number};
use crate::paragraphs::Para;
use crate::{ClaimSpan, ClaimedFigure};

const NUM: &str = r"\d+|[一二三四五六七八九十百两]+";

/// The kinds of accountability a report counts, longest first so that 诫勉谈话 wins over 诫勉.
const ACCOUNTABILITY: [&str; 35] = [
    "责令作出书面检查",
    "严重警告处分",
    "撤销党内职务",
    "党纪政务处分",
    "移送司法机关",
    "记大过处分",
    "留党察看",
    "开除党籍",
    "记过处分",
    "警告处分",
    "党内警告",
    "通报批评",
    "批评教育",
    "诫勉谈话",
    "提醒谈话",
    "谈话提醒",
    "责令检查",
    "书面检查",
    "组织处理",
    "党纪处分",
    "政务处分",
    "纪律处分",
    "批评帮助",
    "追责问责",
    "立案审查",
    "函询",
    "约谈",
    "诫勉",
    "问责",
    "警告",
    "免职",
    "降职",
    "撤职",
    "处罚",
    "处分",
];

/// A headline figure found in a sentence.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Claim {
    pub figure: ClaimedFigure,
    pub value: ClaimValue,
    pub start: usize,
    pub excerpt: String,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ClaimValue {
    Count(u32),
    Percent(f64),
    Money(WanYuan),
}

struct ClaimPattern {
    figure: ClaimedFigure,
    regex: Regex,
    /// The number also counts for a later pattern: 29项整改措施已完成 states both the measures
    /// and how many are completed.
    shared: bool,
}

/// The patterns of headline figures, most specific first: a number already claimed by an
/// earlier pattern (52个问题未完成整改 as not completed) is not claimed again by a later, more
/// general one (52个问题 as problems).
static CLAIMS: LazyLock<Vec<ClaimPattern>> = LazyLock::new(|| {
    let kinds = ACCOUNTABILITY.join("|");
    let unit = r"(?:个|项|条|件)";
    let rate = r"(?P<p>\d+(?:\.\d+)?)%";
    // Done as the copy damage of mirrors writes it too (己 for 已).
    let done = r"(?:均|都|已经|已|己|全部|均已|已全部|己全部|全部已)+(?:完成整改|整改完成|整改到位|完成|销号|办结)";
    // Counts whose number also counts for a later pattern.
    let shared: Vec<(ClaimedFigure, String)> = vec![
        // 29项整改措施已完成, 20项整改任务已全部整改到位: so many of the named things completed.
        (ClaimedFigure::Completed, format!(r"(?P<n>{NUM}){unit}(?:具体)?(?:整改措施|整改任务|措施|任务)(?:\s*){done}")),
    ];
    let specs: Vec<(ClaimedFigure, String)> = vec![
        (ClaimedFigure::Categories, format!(r"(?P<n>{NUM})(?:个)?大类")),
        // A chain of granularities: 14项28个具体问题, 13个大项26个具体问题.
        (ClaimedFigure::Problems, format!(r"(?P<n>{NUM})(?:个|项)(?:大项)?(?:问题)?(?:{NUM})(?:个|项)具体问题")),
        (ClaimedFigure::Problems, format!(r"(?P<n>{NUM})(?:个)?大项(?:问题)?")),
        (ClaimedFigure::Aspects, r"(?P<n>\d+|[一二三四五六七八九十两]+)\s*(?:个|大)方面".to_string()),
        (ClaimedFigure::Aspects, r"(?P<n>\d+|[两二三四五六七八九十][一二三四五六七八九十]?)方面".to_string()),
        (
            ClaimedFigure::Completed,
            format!(
                r"(?:已完成整改|完成整改|整改完成|已完成|已整改到位|已整改|整改到位|已销号|已办结)(?:问题)?(?P<n>{NUM}){unit}"
            ),
        ),
        (ClaimedFigure::Completed, format!(r"(?P<n>{NUM}){unit}(?:问题)?(?:已经|已)(?:完成|整改|销号|办结)")),
        (ClaimedFigure::Completed, format!(r"(?P<n>{NUM}){unit}(?:已)?(?:完成整改|整改完成|整改到位)的问题")),
        // 203个主要工作节点完成168个: of a total, so many completed.
        (ClaimedFigure::Completed, format!(r"(?:{NUM}){unit}[^，。；\d]{{1,10}}?完成(?P<n>{NUM}){unit}")),
        (
            ClaimedFigure::InProgress,
            format!(
                r"(?:正在整改|正在推进|整改中|推进中|持续推进|正在落实|未完成|基本完成|阶段性完成)(?:问题)?(?P<n>{NUM}){unit}"
            ),
        ),
        (ClaimedFigure::InProgress, format!(r"(?P<n>{NUM}){unit}(?:问题)?(?:正在|仍在|持续)(?:整改|推进)")),
        (ClaimedFigure::InProgress, format!(r"(?P<n>{NUM}){unit}问题(?:尚)?(?:未完成|未整改)")),
        (ClaimedFigure::Problems, format!(r"(?P<n>{NUM}){unit}(?:具体|反馈|突出|主要|存在)?问题")),
        (ClaimedFigure::Problems, format!(r"(?:反馈|具体|方面|发现|查出)问题(?:共|共计)?(?P<n>{NUM})(?:个|项|条)")),
        // 分解形成79个“问题清单”: the problem list of the three lists (问题、任务、责任清单).
        (ClaimedFigure::Problems, format!(r"(?P<n>{NUM})(?:个|项|条)[“\x22]?问题清单")),
        (ClaimedFigure::Tasks, format!(r"(?P<n>{NUM})(?:个|项|条)[“\x22]?任务清单")),
        (ClaimedFigure::Tasks, format!(r"(?P<n>{NUM})(?:个|项|条)(?:具体)?(?:整改)?任务")),
        (ClaimedFigure::Tasks, format!(r"(?P<n>{NUM})(?:个)?(?:主要)?(?:工作|计划)节点")),
        (ClaimedFigure::Measures, format!(r"措施(?:共)?(?P<n>{NUM}){unit}")),
        (ClaimedFigure::Measures, format!(r"(?P<n>{NUM}){unit}(?:具体)?(?:整改)?措施")),
        (ClaimedFigure::CompletionRate, format!(r"(?:完成率|整改率|销号率)(?:为|达|达到|是)?{rate}")),
        (ClaimedFigure::CompletionRate, format!(r"(?:已|均已|全部)完成{rate}")),
        (ClaimedFigure::Rules, format!(r"(?:规章制度|制度机制|制度)(?:共)?(?P<n>{NUM})(?:项|个|条|份|部|件)")),
        (ClaimedFigure::Rules, format!(r"(?P<n>{NUM})(?:项|个|条|份|部|件)(?:规章制度|制度)")),
        (ClaimedFigure::Rules, format!(r"建章立制(?:共)?(?P<n>{NUM})(?:项|个|条|份|部|件)")),
        (
            ClaimedFigure::Funds,
            r"(?:清退|追缴|追回|收缴|挽回|清收|退还|退赔)[^。；，]{0,12}?(?P<a>\d+(?:\.\d+)?(?:亿|万)?余?元)"
                .to_string(),
        ),
        (ClaimedFigure::Accountability(String::new()), format!(r"(?P<k>{kinds})(?:处理)?(?P<n>{NUM})(?:人次|人|名)")),
        (
            ClaimedFigure::Accountability(String::new()),
            format!(r"(?P<n>{NUM})(?:人次|人|名)(?:干部)?(?:进行|受到|给予|予以|作出|被)?(?P<k>{kinds})"),
        ),
        (
            ClaimedFigure::Accountability(String::new()),
            format!(r"对(?P<n>{NUM})(?:家|个)[^，。；\d]{{0,16}}?(?:进行了|进行|予以|给予)(?P<k>{kinds})"),
        ),
    ];
    let shared = shared.into_iter().map(|(figure, p)| ClaimPattern { figure, regex: re(&p), shared: true });
    shared.chain(specs.into_iter().map(|(figure, p)| ClaimPattern { figure, regex: re(&p), shared: false })).collect()
});

/// Not a headline: 每一个问题 (every one), a count joined to another noun (建立健全规章制度和制定整改措施1664项) counts both together,
/// neither alone; 等三个方面 sums up a list just given, it is not a headline.
fn is_compound_or_summary(text: &str, start: usize, figure: &ClaimedFigure) -> bool {
    let before = &text[..start];
    // 每一个问题, 各个方面: every one, not a count.
    if before.ends_with(['每', '各', '这', '那']) {
        return true;
    }
    if matches!(figure, ClaimedFigure::Aspects) && before.ends_with('等') {
        return true;
    }
    if matches!(figure, ClaimedFigure::Measures | ClaimedFigure::Rules) {
        let clause_start = before.rfind(['，', '。', '；', '：']).map_or(0, |i| i + '，'.len_utf8());
        let clause = &before[clause_start.min(before.len())..];
        return clause.contains('和') || clause.contains('及');
    }
    false
}

/// The headline figures stated in one paragraph, in text order.
pub(crate) fn find_claims(text: &str) -> Vec<Claim> {
    let mut out: Vec<Claim> = Vec::new();
    // Byte offsets of the numbers already claimed.
    let mut taken: Vec<usize> = Vec::new();
    for pattern in CLAIMS.iter() {
        for caps in pattern.regex.captures_iter(text) {
            let Some(whole) = caps.get(0) else { continue };
            let figure = match &pattern.figure {
                ClaimedFigure::Accountability(_) => match caps.name("k") {
                    Some(k) => ClaimedFigure::Accountability(k.as_str().to_string()),
                    None => continue,
                },
                f => f.clone(),
            };
            let value_at = caps.name("n").or_else(|| caps.name("p")).or_else(|| caps.name("a")).map(|m| m.start());
            let value = if let Some(p) = caps.name("p") {
                match p.as_str().parse::<f64>() {
                    Ok(v) => ClaimValue::Percent(v),
                    Err(_) => continue,
                }
            } else if let Some(a) = caps.name("a") {
                match find_amounts(a.as_str()).first() {
                    Some(&w) => ClaimValue::Money(w),
                    None => continue,
                }
            } else if let Some(n) = caps.name("n").and_then(|n| number(n.as_str())) {
                ClaimValue::Count(n)
            } else {
                continue;
            };
            if value_at.is_some_and(|at| taken.contains(&at)) || is_compound_or_summary(text, whole.start(), &figure) {
                continue;
            }
            if !pattern.shared {
                taken.extend(value_at);
            }
            out.push(Claim { figure, value, start: whole.start(), excerpt: whole.as_str().to_string() });
        }
    }
    out.sort_by_key(|c| c.start);
    // 17项问题56项具体问题: the finer count right after a coarser one is a sub-count.
    let mut last_problem: Option<(usize, usize)> = None;
    for c in &mut out {
        if c.figure != ClaimedFigure::Problems {
            continue;
        }
        let close = last_problem.is_some_and(|(start, end)| c.start > start && c.start <= end + 12);
        if close && c.excerpt.contains("具体") {
            c.figure = ClaimedFigure::SubProblems;
        } else {
            last_problem = Some((c.start, c.start + c.excerpt.len()));
        }
    }
    out
}

pub(super) fn read_claims(paras: &[&Para], claimed: &mut Claimed, spans: &mut Vec<ClaimSpan>) {
    let mut funds: Option<WanYuan> = None;
    let mut categories: Option<u32> = None;
    for p in paras {
        for c in find_claims(&p.text) {
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
                // Granularities the ledger has no field for: kept in the spans only.
                ClaimedFigure::Categories => first(&mut categories),
                ClaimedFigure::SubProblems | ClaimedFigure::Tasks => {}
            }
            spans.push(ClaimSpan { figure: c.figure, line: p.line_at(c.start), excerpt: c.excerpt });
        }
    }
    claimed.funds_recovered_wan_yuan = funds;
    // 4大类13个大项: with no 方面 given, the 大类 are the groups of the problems (the aspects); with
    // both (6大类17个方面), the 大类 are a grouping above the aspects.
    if claimed.aspects.is_none() {
        claimed.aspects = categories;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_of_a_summary_sentence() {
        let claims = find_claims(
            "对照反馈的4个方面,30个具体问题，细化整改措施119条。通报批评3人，批评教育17人，整改完成率达95.5%",
        );
        let figures: Vec<_> = claims.iter().map(|c| (c.figure.clone(), c.value.clone())).collect();
        assert!(figures.contains(&(ClaimedFigure::Aspects, ClaimValue::Count(4))));
        assert!(figures.contains(&(ClaimedFigure::Problems, ClaimValue::Count(30))));
        assert!(figures.contains(&(ClaimedFigure::Measures, ClaimValue::Count(119))));
        assert!(figures.contains(&(ClaimedFigure::Accountability("通报批评".into()), ClaimValue::Count(3))));
        assert!(figures.contains(&(ClaimedFigure::Accountability("批评教育".into()), ClaimValue::Count(17))));
        assert!(figures.contains(&(ClaimedFigure::CompletionRate, ClaimValue::Percent(95.5))));
        let cn = find_claims("逐条梳理细化四个方面22个问题");
        assert_eq!(cn[0].value, ClaimValue::Count(4));
        assert!(find_claims("一方面加强学习，另一方面").is_empty());
    }

    fn figures(text: &str) -> Vec<(ClaimedFigure, ClaimValue)> {
        find_claims(text).into_iter().map(|c| (c.figure, c.value)).collect()
    }

    #[test]
    fn a_completed_count_of_measures_or_tasks_counts_them_too() {
        let f = figures("分解出的12个大项、30项整改措施已完成");
        assert!(f.contains(&(ClaimedFigure::Completed, ClaimValue::Count(30))), "{f:?}");
        assert!(f.contains(&(ClaimedFigure::Measures, ClaimValue::Count(30))), "{f:?}");
        // 己 for 已, as mirrors damage it.
        let f = figures("六个方面18项整改任务己全部整改到位");
        assert!(f.contains(&(ClaimedFigure::Completed, ClaimValue::Count(18))), "{f:?}");
        assert!(f.contains(&(ClaimedFigure::Tasks, ClaimValue::Count(18))), "{f:?}");
        // Not done yet: no completed count.
        let f = figures("细化形成40项整改任务，明确完成时限");
        assert!(!f.iter().any(|(k, _)| *k == ClaimedFigure::Completed), "{f:?}");
    }

    #[test]
    fn problem_counts_after_the_noun_and_in_the_three_lists() {
        let f = figures("发现落实中央八项规定精神不到位等方面问题120条，已整改60条");
        assert!(f.contains(&(ClaimedFigure::Problems, ClaimValue::Count(120))), "{f:?}");
        assert!(f.contains(&(ClaimedFigure::Completed, ClaimValue::Count(60))), "{f:?}");
        let f = figures("分解形成35个“问题清单”、210条“任务清单”");
        assert!(f.contains(&(ClaimedFigure::Problems, ClaimValue::Count(35))), "{f:?}");
        assert!(f.contains(&(ClaimedFigure::Tasks, ClaimValue::Count(210))), "{f:?}");
        // A lead (问题线索) is not a problem.
        assert!(!figures("移交问题线索20件").iter().any(|(k, _)| *k == ClaimedFigure::Problems));
    }

    #[test]
    fn categories_are_the_aspects_only_when_no_aspects_are_given() {
        let read = |text: &str| {
            let para = Para::new(text.to_string(), 1);
            let mut claimed = Claimed::default();
            read_claims(&[&para], &mut claimed, &mut Vec::new());
            claimed.aspects
        };
        assert_eq!(read("梳理出3大类9个大项问题"), Some(3));
        assert_eq!(read("共6大类17个方面的问题"), Some(17));
    }
}
