//! `foreign_place`: the name of another prefecture in a unit's report, usually a sign of text
//! copied from another unit's report (a 宜昌 sentence in a 荆门 report).

use std::collections::HashMap;
use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, MatchKind};

use crate::gazetteer::{Division, DivisionLevel, Gazetteer};
use crate::text::Doc;
use crate::{Defect, DefectKind};

/// Short prefecture names that are also ordinary words or hill names, or that straddle common
/// word pairs (确保山区 → 保山, 加大理论 → 大理): they never fire in short form (their full
/// names, 大理州 or 保山市, still do). Also revolutionary landmarks that reports cite for their
/// spirit (延安精神, 遵义会议, 南昌起义, 嘉兴南湖).
const AMBIGUOUS_SHORT: [&str; 44] = [
    "大连",
    "大同",
    "大理",
    "大庆",
    "长治",
    "安康",
    "来宾",
    "白银",
    "玉树",
    "山南",
    "中山",
    "朝阳",
    "四平",
    "日照",
    "兴安",
    "海口",
    "红河",
    "怒江",
    "阿里",
    "黄山",
    "白山",
    "马鞍山",
    "哈密",
    "和田",
    "开封",
    "新乡",
    "保定",
    "常德",
    "通化",
    "吉林",
    "海南",
    "海东",
    "海北",
    "海西",
    "承德",
    "定西",
    "三明",
    "六安",
    "文山",
    "北海",
    "黑河",
    "保山",
    "普洱",
    "延安",
];
const LANDMARKS: [&str; 3] = ["遵义", "南昌", "嘉兴"];

/// County names too generic to point at one place (城区 = downtown, 矿区 = mining area).
const GENERIC_COUNTY: [&str; 12] =
    ["城区", "郊区", "矿区", "东区", "西区", "市中区", "城中区", "城东区", "城西区", "城北区", "新城区", "新市区"];

/// Common words that overlap a place name across a word boundary (推广安全 hides 广安, 诚信阳光
/// hides 信阳): matched first so that the place name inside them is skipped.
const BLOCKERS: [&str; 18] = [
    "推广", "诚信", "自信", "日常", "平安", "确保", "经营", "沟通", "流通", "交通", "普通", "传承", "继承", "国内",
    "快乐", "到达", "道德", "关怀",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    Full,
    Short,
    Blocker,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    code: u32,
    level: DivisionLevel,
    form: Form,
}

/// Place names as one automaton; each pattern maps to every division it can mean.
struct Matcher {
    automaton: AhoCorasick,
    entries: Vec<Vec<Entry>>,
}

impl Matcher {
    /// `county_short`: also match 闵行 for 闵行区, which is only safe in titles and signatures.
    fn new(county_short: bool) -> Self {
        let mut patterns: HashMap<&'static str, Vec<Entry>> = HashMap::new();
        let mut add = |name: &'static str, entry: Entry| {
            if name.chars().count() >= 2 {
                patterns.entry(name).or_default().push(entry);
            }
        };
        for d in Gazetteer::get().divisions().iter().filter(|d| !d.is_placeholder()) {
            add(d.name, Entry { code: d.code, level: d.level, form: Form::Full });
            if d.level != DivisionLevel::County || county_short {
                add(d.short_name(), Entry { code: d.code, level: d.level, form: Form::Short });
            }
        }
        for blocker in BLOCKERS {
            add(blocker, Entry { code: 0, level: DivisionLevel::County, form: Form::Blocker });
        }
        let (names, entries): (Vec<&str>, Vec<Vec<Entry>>) = patterns.into_iter().unzip();
        // Leftmost-longest so that 马鞍山 wins over 鞍山 and 吉林省 over 吉林.
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&names)
            .unwrap_or_else(|e| panic!("place-name automaton: {e}"));
        Self { automaton, entries }
    }
}

static BODY: LazyLock<Matcher> = LazyLock::new(|| Matcher::new(false));
static HEADER: LazyLock<Matcher> = LazyLock::new(|| Matcher::new(true));

/// Where the reporting unit sits: its province and, unless it is a provincial unit, its
/// prefecture-level region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Home {
    province: u32,
    region: Option<u32>,
}

impl Home {
    /// Reads the unit's place from its name, the title and the signature (`header`), and falls
    /// back to the prefecture the body names most often.
    pub(crate) fn find(header: &[&str], doc: &Doc) -> Option<Self> {
        Self::from_header(header).or_else(|| Self::from_body(doc))
    }

    fn from_header(header: &[&str]) -> Option<Self> {
        let g = Gazetteer::get();
        let mut best: Option<(u8, &Division)> = None;
        for text in header {
            for m in HEADER.automaton.find_iter(*text) {
                let Some(entries) = HEADER.entries.get(m.pattern().as_usize()) else { continue };
                for entry in entries.iter().filter(|e| e.form != Form::Blocker) {
                    let Some(d) = g.by_code(entry.code) else { continue };
                    let rank = match d.level {
                        DivisionLevel::Province => 1,
                        DivisionLevel::Prefecture => 2,
                        DivisionLevel::County => 3,
                    };
                    if best.is_none_or(|(r, _)| rank > r) {
                        best = Some((rank, d));
                    }
                }
            }
        }
        let (_, d) = best?;
        Some(Self { province: g.province_of(d)?.code, region: g.region_of(d).map(|r| r.code) })
    }

    fn from_body(doc: &Doc) -> Option<Self> {
        let g = Gazetteer::get();
        let mut counts: HashMap<u32, usize> = HashMap::new();
        for m in BODY.automaton.find_iter(doc.text()) {
            let Some(entries) = BODY.entries.get(m.pattern().as_usize()) else { continue };
            let regions: Vec<u32> = entries
                .iter()
                .filter(|e| e.level != DivisionLevel::Province && passes_filters(g, e))
                .filter_map(|e| g.region_of(g.by_code(e.code)?).map(|r| r.code))
                .collect();
            if let [region] = regions.as_slice() {
                *counts.entry(*region).or_default() += 1;
            }
        }
        let mut ranked: Vec<(u32, usize)> = counts.into_iter().collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        match ranked.as_slice() {
            [(region, n), rest @ ..] if *n >= 2 && rest.first().is_none_or(|(_, m)| m < n) => {
                let d = g.by_code(*region)?;
                Some(Self { province: g.province_of(d)?.code, region: Some(*region) })
            }
            _ => None,
        }
    }

    /// Whether a region is the unit's own, or a place it naturally names: its province's capital
    /// or, for a provincial unit, any city of its province.
    fn is_own(&self, g: &Gazetteer, region: &Division) -> bool {
        let province = g.province_of(region).map(|p| p.code);
        match self.region {
            Some(own) => {
                region.code == own
                    || g.by_code(self.province).and_then(|p| g.capital_of(p)).is_some_and(|c| c.code == region.code)
            }
            None => province == Some(self.province),
        }
    }
}

/// Forms of a name that are too ambiguous to report.
fn passes_filters(g: &Gazetteer, entry: &Entry) -> bool {
    let Some(d) = g.by_code(entry.code) else { return false };
    match (entry.form, entry.level) {
        (Form::Blocker, _) | (_, DivisionLevel::Province) => false,
        (Form::Short, _) => {
            let short = d.short_name();
            !AMBIGUOUS_SHORT.contains(&short)
                && !LANDMARKS.contains(&short)
                && !g.divisions().iter().any(|p| p.level == DivisionLevel::Province && p.short_name() == short)
        }
        (Form::Full, DivisionLevel::County) => d.name.chars().count() >= 3 && !GENERIC_COUNTY.contains(&d.name),
        (Form::Full, _) => true,
    }
}

pub(crate) fn check(doc: &Doc, home: Home, out: &mut Vec<Defect>) {
    let g = Gazetteer::get();
    let mut reported: Vec<(usize, u32)> = Vec::new();
    for m in BODY.automaton.find_iter(doc.text()) {
        let Some(entries) = BODY.entries.get(m.pattern().as_usize()) else { continue };
        let name = doc.slice(m.start()..m.end());
        // A province name, a blocker word, or any reading of the name at home silences it.
        let mut silent = false;
        let mut foreign: Option<(&Division, &Division)> = None;
        for entry in entries {
            if entry.form == Form::Blocker || entry.level == DivisionLevel::Province {
                silent = true;
                continue;
            }
            let Some(d) = g.by_code(entry.code) else { continue };
            let Some(region) = g.region_of(d) else { continue };
            if home.is_own(g, region) || same_name_at_home(g, d, home) {
                silent = true;
            } else if foreign.is_none() && passes_filters(g, entry) {
                foreign = Some((d, region));
            }
        }
        let (false, Some((d, region))) = (silent, foreign) else { continue };
        if in_personal_name(doc.text(), m.start()) {
            continue;
        }
        let line = doc.line_number(m.start());
        if reported.contains(&(line, d.code)) {
            continue;
        }
        reported.push((line, d.code));
        let province = g.province_of(d).map_or("", |p| p.name);
        let own = home.region.and_then(|r| g.by_code(r)).or_else(|| g.by_code(home.province)).map_or("", |h| h.name);
        let place = if d.code == region.code {
            format!("{}, {province}", d.name)
        } else {
            format!("{}, {}, {province}", d.name, region.name)
        };
        out.push(Defect::new(
            DefectKind::ForeignPlace,
            line,
            doc.excerpt_at(m.start()),
            format!(
                "{name} ({place}) is outside the reporting unit's own area ({own}): check for text copied from \
                 another unit's report, or make clear why it is named"
            ),
        ));
    }
}

/// Titles that stand before a person's name in a report's byline (审计局局长 俞金华).
const TITLES: [&str; 9] = ["局长", "厅长", "主任", "书记", "市长", "区长", "县长", "委员", "组长"];

/// Whether the name at `start` is the given name of a person: one character (the surname)
/// after a title and a space, as in a byline (局长 俞金华, where 金华 is not the city).
fn in_personal_name(text: &str, start: usize) -> bool {
    let before = text.get(..start).unwrap_or_default();
    let mut chars = before.chars().rev();
    let Some(surname) = chars.next() else { return false };
    // The title and the space: a few characters are enough.
    let mut rest: Vec<char> = chars.take(8).collect();
    rest.reverse();
    let rest: String = rest.into_iter().collect();
    crate::text::is_ideograph(surname)
        && rest.ends_with([' ', '\t', '\u{3000}'])
        && TITLES.iter().any(|t| rest.trim_end().ends_with(t))
}

/// A county name that also exists in the unit's own region (鼓楼区 is in several cities).
fn same_name_at_home(g: &Gazetteer, d: &Division, home: Home) -> bool {
    d.level == DivisionLevel::County
        && g.named(d.name).any(|other| g.region_of(other).is_some_and(|r| home.is_own(g, r)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_byline_name_is_not_a_place() {
        let text = "慈溪市审计局局长 俞金华";
        let at = text.find("金华").unwrap_or(0);
        assert!(in_personal_name(text, at));
        let text = "赴金华学习";
        assert!(!in_personal_name(text, text.find("金华").unwrap_or(0)));
    }

    #[test]
    fn home_from_titles_and_signatures() {
        let g = Gazetteer::get();
        let home = Home::from_header(&["中共鄂州市某某局党组"]).unwrap();
        assert_eq!(g.by_code(home.region.unwrap()).unwrap().name, "鄂州市");
        let home = Home::from_header(&["中共闵行区某某局党组 关于巡察整改进展情况的通报"]).unwrap();
        assert_eq!(g.by_code(home.region.unwrap()).unwrap().name, "上海市");
        let home = Home::from_header(&["中共湖北省某某厅党组"]).unwrap();
        assert_eq!(home.region, None);
        assert_eq!(Home::from_header(&["关于巡察整改进展情况的通报"]), None);
    }
}
