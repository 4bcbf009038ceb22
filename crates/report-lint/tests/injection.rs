//! The linter measured on real reports: every kind of defect is injected, one at a time and at a
//! recorded line, into the real published texts of `shared/corpus/` (and the two seed reports),
//! and the linter must find it there and nothing new elsewhere.
//!
//! The texts stay outside the repository (`../shared` beside the clone); the test reads them and
//! changes them only in memory. Their split (`tune`/`holdout`) comes from the reader's gold in
//! `crates/report-reader/tests/corpus/gold`; the seeds count as tune. The linter's rules were
//! improved looking at tune results only; holdout figures are measured, not tuned on.
//!
//! Run `cargo test -p rectify-report-lint --test injection -- --nocapture` for the table:
//! recall and precision per kind and split, and the defects found in the unmodified texts.
//!
//! Scoring of one injected variant: the defects of the unmodified text, moved to the lines they
//! land on after the injection, are known; the injected defect is found when a defect of its
//! kind is reported at its line; every other defect that was not known before is a false
//! positive of its kind.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use rectify_domain::numerals::{parse_chinese, to_chinese};
use rectify_report_lint::gazetteer::{Division, DivisionLevel, Gazetteer};
use rectify_report_lint::{Defect, DefectKind, lint};
use rectify_report_reader::{Document, parse};
use regex::Regex;

const MANIFEST: &str = env!("CARGO_MANIFEST_DIR");
/// Sites of one kind per text, spread over the text, so that a long text does not dominate.
const SITES_PER_KIND: usize = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Split {
    Tune,
    Holdout,
}

impl Split {
    fn name(self) -> &'static str {
        match self {
            Split::Tune => "tune",
            Split::Holdout => "holdout",
        }
    }
}

struct Text {
    stem: String,
    split: Split,
    lines: Vec<String>,
    /// The report's date as a reader knows it (gold, or the seed's signature): only dates after
    /// it are injected.
    report_year: Option<i32>,
    /// The most specific division the unit belongs to; `None` for central bodies and texts
    /// that do not say where the unit is.
    home: Option<&'static str>,
}

fn shared() -> PathBuf {
    Path::new(MANIFEST).join("../../../shared")
}

/// Where each unit is, read from the texts and the corpus README (unit names, sites).
fn home_of(stem: &str) -> Option<&'static str> {
    let prefix = stem.get(..3)?;
    Some(match prefix {
        "01_" => "瑞金市",
        "02_" | "22_" => "北京市",
        "03_" => "慈溪市",
        "04_" => "宁波市",
        "07_" => "湖北省",
        "08_" => "安徽省",
        "09_" => "厦门市",
        "10_" => "鸠江区",
        "11_" => "鹤岗市",
        "12_" => "盐城市",
        "13_" | "24_" => "武汉市",
        "14_" => "兴宁市",
        "15_" => "随县",
        "17_" => "江西省",
        "21_" | "23_" | "26_" | "000" => "上海市",
        "25_" => "无锡市",
        "27_" => "广西壮族自治区",
        "28_" => "启东市",
        "29_" => "海东市",
        "30_" => "千阳县",
        "31_" => "宣城市",
        "001" => "鄂州市",
        // 05, 06, 16: the province is not named; 18, 19, 20: central bodies.
        _ => return None,
    })
}

fn corpus() -> Option<Vec<Text>> {
    let dir = shared().join("corpus");
    let gold_dir = Path::new(MANIFEST).join("../report-reader/tests/corpus/gold");
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    entries.sort();
    let mut texts = Vec::new();
    for path in entries {
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_string();
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let gold_path = gold_dir.join(format!("{stem}.json"));
        let gold: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(&gold_path).unwrap_or_else(|e| panic!("{}: {e}", gold_path.display())),
        )
        .unwrap_or_else(|e| panic!("{}: {e}", gold_path.display()));
        let split = match gold["split"].as_str() {
            Some("holdout") => Split::Holdout,
            _ => Split::Tune,
        };
        let report_year = gold["report_date"].as_str().and_then(|d| d.get(..4)).and_then(|y| y.parse().ok());
        let home = home_of(&stem);
        texts.push(Text { stem, split, lines: text.lines().map(str::to_string).collect(), report_year, home });
    }
    for seed in ["000_df6283232ebd7fb8", "001_3600beed019e1183"] {
        let path = shared().join("seeds").join(format!("{seed}.txt"));
        let Ok(text) = std::fs::read_to_string(&path) else { continue };
        let lines: Vec<String> = text.lines().map(str::to_string).collect();
        let report_year = lines.iter().rev().find_map(|l| {
            let l = l.trim();
            (l.ends_with('日') && l.chars().count() <= 14).then(|| l.get(..4)?.parse().ok()).flatten()
        });
        texts.push(Text { stem: format!("seed {seed}"), split: Split::Tune, lines, report_year, home: home_of(seed) });
    }
    Some(texts)
}

fn lint_lines(lines: &[String]) -> Vec<Defect> {
    let doc = Document::from_text(&lines.join("\n"));
    let parsed = parse(&doc);
    lint(&doc, &parsed)
}

// ---------------------------------------------------------------- injections

/// One changed copy of a text with the defect it must show.
struct Injection {
    kind: DefectKind,
    /// 1-based line of the injected defect in `lines`.
    line: usize,
    lines: Vec<String>,
    /// Lines inserted: after the 0-based original line `at`, `count` new lines; the original
    /// line `at` may have been split over `at` and `at + count`.
    inserted: Option<(usize, usize)>,
    what: String,
}

impl Injection {
    fn replace_line(text: &Text, index: usize, new: String, kind: DefectKind, what: String) -> Self {
        let mut lines = text.lines.clone();
        lines[index] = new;
        Injection { kind, line: index + 1, lines, inserted: None, what }
    }

    /// Where the defects of original 1-based line `line` can be after the injection.
    fn moved(&self, line: usize) -> Vec<usize> {
        match self.inserted {
            Some((at, count)) if line - 1 > at => vec![line + count],
            Some((at, count)) if line - 1 == at => vec![line, line + count],
            _ => vec![line],
        }
    }
}

fn re(p: &str) -> Regex {
    Regex::new(p).unwrap_or_else(|e| panic!("{p}: {e}"))
}

/// `n` sites picked evenly from the candidates (all when there are fewer).
fn spread<T: Clone>(candidates: &[T], n: usize) -> Vec<T> {
    if candidates.len() <= n {
        return candidates.to_vec();
    }
    (0..n).filter_map(|i| candidates.get(i * (candidates.len() - 1) / (n - 1).max(1)).cloned()).collect()
}

fn is_ideograph(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}')
}

/// Byte offset of the character boundary nearest to the middle of the line where two Chinese
/// characters meet.
fn middle_split(line: &str) -> Option<usize> {
    let chars: Vec<(usize, char)> = line.char_indices().collect();
    let mid = chars.len() / 2;
    (0..mid).flat_map(|d| [mid + d, mid.saturating_sub(d)]).find_map(|i| {
        let (b, c) = *chars.get(i)?;
        let (_, p) = *chars.get(i.checked_sub(1)?)?;
        (is_ideograph(c) && is_ideograph(p)).then_some(b)
    })
}

static HEADING: LazyLock<Vec<(u8, Regex)>> = LazyLock::new(|| {
    vec![
        (0, re(r"^[ \t\u{3000}]*([一二三四五六七八九十]{1,3})、")),
        (1, re(r"^[ \t\u{3000}]*[（(]([一二三四五六七八九十]{1,3})[）)]")),
        (2, re(r"^[ \t\u{3000}]*([0-9]{1,2})[.．、][^0-9]")),
        (3, re(r"^[ \t\u{3000}]*[（(]([0-9]{1,2})[）)]")),
    ]
});
static MARKER_START: LazyLock<Regex> = LazyLock::new(|| re(r"^[ \t\u{3000}]*[一二三四五六七八九十]是"));
static MARKER: LazyLock<Regex> = LazyLock::new(|| re(r"(?:^|[。；;：:，,\s（(])([一二三四五六七八九十])是"));

/// A heading or an enumeration marker: its line, byte range of the numeral, number, style.
#[derive(Debug, Clone)]
struct Numbered {
    line: usize,
    range: std::ops::Range<usize>,
    number: u32,
    style: u8,
    chinese: bool,
}

fn headings(text: &Text) -> Vec<Numbered> {
    let mut out = Vec::new();
    for (i, line) in text.lines.iter().enumerate() {
        for (style, pattern) in HEADING.iter() {
            if let Some(m) = pattern.captures(line).and_then(|c| c.get(1)) {
                let chinese = !m.as_str().bytes().all(|b| b.is_ascii_digit());
                let number = if chinese { parse_chinese(m.as_str()) } else { m.as_str().parse().ok() };
                if let Some(number) = number {
                    out.push(Numbered { line: i, range: m.range(), number, style: *style, chinese });
                }
                break;
            }
        }
    }
    out
}

/// Runs of enumeration markers 一是、二是… in text order, each starting at 一是.
fn marker_runs(text: &Text) -> Vec<Vec<Numbered>> {
    let mut runs: Vec<Vec<Numbered>> = Vec::new();
    for (i, line) in text.lines.iter().enumerate() {
        for caps in MARKER.captures_iter(line) {
            let Some(m) = caps.get(1) else { continue };
            let Some(number) = parse_chinese(m.as_str()) else { continue };
            let marker = Numbered { line: i, range: m.range(), number, style: 9, chinese: true };
            match runs.last_mut() {
                Some(run) if run.last().is_some_and(|l| l.number + 1 == number) => run.push(marker),
                _ if number == 1 => runs.push(vec![marker]),
                _ => {}
            }
        }
    }
    runs.retain(|r| r.len() >= 2);
    runs
}

fn render(n: u32, chinese: bool) -> String {
    if chinese { to_chinese(n) } else { n.to_string() }
}

/// Replaces the numerals of `items` (all in `lines`) by their number plus one, right to left
/// within a line so that byte ranges stay valid.
fn renumber(lines: &mut [String], items: &[Numbered]) {
    let mut sorted: Vec<&Numbered> = items.iter().collect();
    sorted.sort_by_key(|n| (n.line, std::cmp::Reverse(n.range.start)));
    for n in sorted {
        if let Some(line) = lines.get_mut(n.line) {
            line.replace_range(n.range.clone(), &render(n.number + 1, n.chinese));
        }
    }
}

/// A skipped number: a heading (or an enumeration marker) and the rest of its sequence numbered
/// one higher, as when an item is withheld or lost.
fn numbering_gaps(text: &Text) -> Vec<Injection> {
    let hs = headings(text);
    let mut candidates = Vec::new();
    // The order in which styles first appear gives their rank: a heading of a lower rank ends
    // the sequence of a higher one.
    let mut rank: Vec<u8> = Vec::new();
    for h in &hs {
        if !rank.contains(&h.style) {
            rank.push(h.style);
        }
    }
    let rank_of = |s: u8| rank.iter().position(|r| *r == s).unwrap_or(0);
    for (i, h) in hs.iter().enumerate() {
        let mut seq = vec![h.clone()];
        for later in hs.iter().skip(i + 1) {
            if later.style == h.style {
                seq.push(later.clone());
            } else if rank_of(later.style) < rank_of(h.style) {
                break;
            }
        }
        candidates.push(seq);
    }
    for run in marker_runs(text) {
        for k in 1..run.len() {
            candidates.push(run.get(k..).unwrap_or_default().to_vec());
        }
    }
    spread(&candidates, SITES_PER_KIND + 1)
        .into_iter()
        .filter_map(|seq| {
            let first = seq.first()?.clone();
            let mut lines = text.lines.clone();
            renumber(&mut lines, &seq);
            Some(Injection {
                kind: DefectKind::NumberingGap,
                line: first.line + 1,
                lines,
                inserted: None,
                what: format!("{} renumbered {}", render(first.number, first.chinese), first.number + 1),
            })
        })
        .collect()
}

/// A lost 是: 二是加强… becomes 二加强….
fn broken_enumerations(text: &Text) -> Vec<Injection> {
    // 一是要 without 是 is 一要, an enumeration style of its own.
    let markers: Vec<Numbered> = marker_runs(text)
        .into_iter()
        .flatten()
        .filter(|m| !text.lines[m.line].get(m.range.end..).is_some_and(|rest| rest.starts_with("是要")))
        .collect();
    spread(&markers, SITES_PER_KIND)
        .into_iter()
        .map(|m| {
            let mut line = text.lines[m.line].clone();
            let end = m.range.end;
            line.replace_range(end..end + '是'.len_utf8(), "");
            Injection::replace_line(
                text,
                m.line,
                line,
                DefectKind::BrokenEnumeration,
                format!("{}是 → {}", to_chinese(m.number), to_chinese(m.number)),
            )
        })
        .collect()
}

/// One full-width mark of a line that had none half-width becomes half-width.
fn halfwidth(text: &Text, baseline: &BTreeSet<(DefectKind, usize)>) -> Vec<Injection> {
    let marks = [('，', ','), ('：', ':'), ('；', ';'), ('（', '(')];
    let candidates: Vec<(usize, usize, char, char)> = text
        .lines
        .iter()
        .enumerate()
        .filter(|(i, _)| !baseline.contains(&(DefectKind::HalfwidthPunctuation, i + 1)))
        .filter_map(|(i, line)| {
            let (wide, narrow) = marks[i % marks.len()];
            let (wide, narrow) = if line.contains(wide) { (wide, narrow) } else { ('，', ',') };
            let positions: Vec<usize> = line.match_indices(wide).map(|(b, _)| b).collect();
            let at = *positions.get(positions.len() / 2)?;
            Some((i, at, wide, narrow))
        })
        .collect();
    // Lines without half-width marks are few in texts that use them throughout: take more.
    spread(&candidates, 3 * SITES_PER_KIND)
        .into_iter()
        .map(|(i, at, wide, narrow)| {
            let mut line = text.lines[i].clone();
            line.replace_range(at..at + wide.len_utf8(), &narrow.to_string());
            Injection::replace_line(text, i, line, DefectKind::HalfwidthPunctuation, format!("{wide} → {narrow}"))
        })
        .collect()
}

static DATE: LazyLock<Regex> = LazyLock::new(|| re(r"([0-9]{4})年[0-9]{1,2}月(?:[0-9]{1,2}日)?"));
/// A sentence that reports something done; no plan, no deadline.
static DONE: LazyLock<Regex> =
    LazyLock::new(|| re(r"召开|印发|制定|开展|反馈|完成|出台|举行|成立|进行了|听取|作了|已"));
static PLAN: LazyLock<Regex> = LazyLock::new(|| re(r"前|计划|将|拟|力争|预计|确保|以来|起|年度"));

/// A date of work done moved to the year after the report's.
fn dates_after(text: &Text) -> Vec<Injection> {
    let Some(year) = text.report_year else { return Vec::new() };
    let mut candidates = Vec::new();
    for (i, line) in text.lines.iter().enumerate() {
        for m in DATE.find_iter(line) {
            let from = line.get(..m.start()).and_then(|b| b.rfind(['。', '；'])).map_or(0, |p| p + '。'.len_utf8());
            let to = line.get(m.end()..).and_then(|a| a.find(['。', '；'])).map_or(line.len(), |p| m.end() + p);
            let sentence = line.get(from..to).unwrap_or_default();
            let after = line.get(m.end()..).unwrap_or_default();
            if DONE.is_match(sentence)
                && !PLAN.is_match(sentence)
                && !after.starts_with(['至', '到', '底', '中', '上', '下'])
            {
                candidates.push((i, m.start()));
            }
        }
    }
    // Dates of work done are few per text: take more of them.
    spread(&candidates, 2 * SITES_PER_KIND)
        .into_iter()
        .map(|(i, at)| {
            let mut line = text.lines[i].clone();
            line.replace_range(at..at + 4, &(year + 1).to_string());
            Injection::replace_line(text, i, line, DefectKind::DateAfterReport, format!("year → {}", year + 1))
        })
        .collect()
}

/// Organisations a place name can stand before (襄阳市委巡察组), after a character that ends a
/// word or is a preposition, so that an existing name is not cut.
static ANCHOR: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?:^|[,，。；：、“（(\s]|对|向|由|经|在|和|与|及|将|受|据|为|了|按照|根据)(市委|区委|县委|市政府|区政府|县政府|市人大|市纪委|市审计局)",
    )
});

/// A foreign place for the site `k` of a text at `home`: another province's city, a city of
/// the same province (not the capital), or a county of another province.
fn foreign_place(home: &Division, k: usize, text: &str) -> Option<&'static str> {
    let g = Gazetteer::get();
    let province = g.province_of(home)?.code;
    let own_region = g.region_of(home).map(|r| r.code);
    let capital = g.by_code(province).and_then(|p| g.capital_of(p)).map(|c| c.code);
    let other_province = ["襄阳市", "绵阳市", "洛阳市", "桂林市", "泉州市", "潍坊市", "岳阳市", "赣州市", "湖州市"];
    let counties = ["宜都市", "义乌市", "昆山市", "都江堰市", "瑞丽市", "晋江市"];
    let usable = |name: &str| {
        !text.contains(name)
            && g.named(name).next().is_some_and(|d| g.province_of(d).is_some_and(|p| p.code != province))
    };
    let same_province = || {
        g.divisions().iter().find(|d| {
            d.level == DivisionLevel::Prefecture
                && !d.is_placeholder()
                && d.name.ends_with('市')
                && g.province_of(d).is_some_and(|p| p.code == province)
                && Some(d.code) != own_region
                && Some(d.code) != capital
                && !text.contains(d.short_name())
        })
    };
    match k % 3 {
        1 if own_region.is_some() && own_region != Some(province) => same_province().map(|d| d.name),
        2 => counties.into_iter().find(|n| usable(n)),
        _ => other_province.into_iter().find(|n| usable(n)),
    }
}

/// The name of a place outside the unit's area put before an organisation in the body.
fn foreign_places(text: &Text) -> Vec<Injection> {
    let Some(home) = text.home.and_then(|h| Gazetteer::get().named(h).next()) else { return Vec::new() };
    let whole = text.lines.join("\n");
    // Only where the text itself tells where the unit is: its place named in the first line or
    // at least twice. A text that names its place once cannot tell a pasted foreign name from
    // its own.
    let first_line = text
        .lines
        .iter()
        .find(|l| !l.trim().is_empty())
        .filter(|l| l.chars().count() <= 60 && !l.contains('。'))
        .map_or("", String::as_str);
    let own = [home.name, home.short_name()];
    let mentions = own.iter().map(|n| whole.matches(n).count()).max().unwrap_or(0);
    let knowable = own.iter().any(|n| first_line.contains(n))
        || mentions >= 2
        || home.level == DivisionLevel::Province && whole.contains(home.short_name());
    if !knowable {
        return Vec::new();
    }
    let first_body = text.lines.iter().position(|l| l.contains(['。', '，', ','])).unwrap_or(0);
    let candidates: Vec<(usize, usize)> = text
        .lines
        .iter()
        .enumerate()
        .skip(first_body)
        .flat_map(|(i, line)| ANCHOR.captures_iter(line).filter_map(move |c| Some((i, c.get(1)?.start()))))
        .collect();
    spread(&candidates, SITES_PER_KIND)
        .into_iter()
        .enumerate()
        .filter_map(|(k, (i, at))| {
            let place = foreign_place(home, k, &whole)?;
            let mut line = text.lines[i].clone();
            line.insert_str(at, place);
            Some(Injection::replace_line(text, i, line, DefectKind::ForeignPlace, format!("+{place}")))
        })
        .collect()
}

/// Lines of prose long enough to hold a sentence.
fn prose_lines(text: &Text) -> Vec<usize> {
    text.lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.chars().count() >= 40 && l.contains(['。', '，', ',']))
        .map(|(i, _)| i)
        .collect()
}

/// A page break inside a sentence (a blank line, or a blank line, the page number and another
/// blank line), or Markdown bold left around a few words.
fn page_breaks(text: &Text, baseline: &BTreeSet<(DefectKind, usize)>) -> Vec<Injection> {
    let lines: Vec<usize> =
        prose_lines(text).into_iter().filter(|i| !baseline.contains(&(DefectKind::PageBreakArtifact, i + 1))).collect();
    let mut out = Vec::new();
    for (k, i) in spread(&lines, SITES_PER_KIND).into_iter().enumerate() {
        let line = &text.lines[i];
        if k % 2 == 0 {
            let Some(at) = middle_split(line) else { continue };
            let (a, b) = line.split_at(at);
            let mut new: Vec<String> = text.lines.get(..i).unwrap_or_default().to_vec();
            new.push(a.to_string());
            let inserted = if k % 4 == 0 {
                new.extend([String::new(), b.to_string()]);
                2
            } else {
                new.extend([String::new(), format!("- {} -", k + 2), String::new(), b.to_string()]);
                4
            };
            new.extend(text.lines.get(i + 1..).unwrap_or_default().iter().cloned());
            out.push(Injection {
                kind: DefectKind::PageBreakArtifact,
                line: i + 1,
                lines: new,
                inserted: Some((i, inserted)),
                what: format!("page break ({inserted} lines)"),
            });
        } else {
            // ** around the words after the first comma.
            let Some(comma) = line.find(['，', ',']) else { continue };
            let start = comma + line[comma..].chars().next().map_or(1, char::len_utf8);
            let Some((len, _)) = line[start..].char_indices().nth(6) else { continue };
            let mut new = line.clone();
            new.insert_str(start + len, "**");
            new.insert_str(start, "**");
            out.push(Injection::replace_line(text, i, new, DefectKind::PageBreakArtifact, "**bold**".to_string()));
        }
    }
    out
}

/// A whole sentence: from a full stop (or the start of the line) to the next.
static SENTENCE: LazyLock<Regex> = LazyLock::new(|| re(r"(?:^|。)([^。！？\n]{15,80}。)"));

/// A sentence pasted again into a later paragraph, or a paragraph pasted twice.
fn duplicates(text: &Text) -> Vec<Injection> {
    let prose = prose_lines(text);
    let mut out = Vec::new();
    for (k, i) in spread(&prose, SITES_PER_KIND).into_iter().enumerate() {
        let line = &text.lines[i];
        let later = prose.iter().copied().find(|j| *j > i);
        match (k % 2, later) {
            (0, Some(j)) => {
                // The sentence after the first full stop (or the first one), pasted after the
                // first full stop of a later paragraph.
                let sentences: Vec<&str> =
                    SENTENCE.captures_iter(line).filter_map(|c| Some(c.get(1)?.as_str())).collect();
                let Some(sentence) = sentences.get(1).or(sentences.first()) else { continue };
                let target = &text.lines[j];
                let at = target.find('。').map_or(target.len(), |p| p + '。'.len_utf8());
                let mut new = target.clone();
                new.insert_str(at, sentence.trim_start_matches(['，', ',', ' ']));
                out.push(Injection::replace_line(
                    text,
                    j,
                    new,
                    DefectKind::DuplicateText,
                    format!("sentence of line {}", i + 1),
                ));
            }
            _ => {
                // A whole paragraph, not one cut off by the end of the stored page (whose
                // copy would read as a page break) nor a heading (whose copy repeats a number).
                let complete = line.trim_end().ends_with(['。', '！', '？', '”']);
                if !complete || HEADING.iter().any(|(_, h)| h.is_match(line)) || MARKER_START.is_match(line) {
                    continue;
                }
                let mut new: Vec<String> = text.lines.get(..=i).unwrap_or_default().to_vec();
                new.extend([String::new(), line.clone()]);
                new.extend(text.lines.get(i + 1..).unwrap_or_default().iter().cloned());
                out.push(Injection {
                    kind: DefectKind::DuplicateText,
                    line: i + 3,
                    lines: new,
                    inserted: Some((i, 2)),
                    what: "paragraph twice".to_string(),
                });
            }
        }
    }
    out
}

static LIST_COUNT: LazyLock<Regex> = LazyLock::new(|| {
    re(r"((?:[\u4E00-\u9FFF]{2,6}、)+[\u4E00-\u9FFF]{2,6})[”\u201D]?([一二三四五六七八九十])(张|个|项|类|条)")
});
static TOTAL_DONE_OPEN: LazyLock<Regex> = LazyLock::new(|| {
    re(r"([0-9]+)(项|个|条)(?:具体)?问题.{0,80}?已整改([0-9]+)(?:项|个|条).{0,80}?正在整改([0-9]+)(项|个|条)")
});
static CLAIMED_PROBLEMS: LazyLock<Regex> = LazyLock::new(|| re(r"([0-9]+)个(?:具体)?问题"));
static CLAIMED_ASPECTS: LazyLock<Regex> = LazyLock::new(|| re(r"([0-9]+)个方面"));

/// A stated count changed so that it no longer matches what the text lists or adds up to: the
/// numeral after a 、 list (问题、任务、责任三张清单), the open items of a total (50项问题，已整改40项，
/// 正在整改10项), the headline problem count of a report whose list the reader finds complete.
fn count_mismatches(text: &Text) -> Vec<Injection> {
    let mut out = Vec::new();
    for (i, line) in text.lines.iter().enumerate() {
        for caps in LIST_COUNT.captures_iter(line) {
            let (Some(list), Some(num)) = (caps.get(1), caps.get(2)) else { continue };
            let items = list.as_str().matches('、').count() as u32 + 1;
            if parse_chinese(num.as_str()) != Some(items) {
                continue;
            }
            let mut new = line.clone();
            new.replace_range(num.range(), &to_chinese(items + 1));
            out.push(Injection::replace_line(
                text,
                i,
                new,
                DefectKind::CountMismatch,
                format!("list of {items} called {}", items + 1),
            ));
        }
        for caps in TOTAL_DONE_OPEN.captures_iter(line) {
            let n = |k: usize| caps.get(k).and_then(|m| m.as_str().parse::<u32>().ok());
            let (Some(total), Some(done), Some(open), Some(m)) = (n(1), n(3), n(4), caps.get(4)) else { continue };
            if done + open != total {
                continue;
            }
            let mut new = line.clone();
            new.replace_range(m.range(), &(open + 1).to_string());
            out.push(Injection::replace_line(
                text,
                i,
                new,
                DefectKind::CountMismatch,
                format!("open {open} → {}", open + 1),
            ));
        }
    }
    // The headline counts of a report whose numbered list the reader takes as complete.
    let parsed = parse(&Document::from_text(&text.lines.join("\n")));
    let listed = parsed.ledger.aspects.iter().map(|a| a.problems.len()).sum::<usize>();
    let aspects = parsed.ledger.aspects.len();
    for (pattern, count, what) in [(&*CLAIMED_PROBLEMS, listed, "problems"), (&*CLAIMED_ASPECTS, aspects, "aspects")] {
        if listed == 0 {
            break;
        }
        let Some((i, m)) = text
            .lines
            .iter()
            .enumerate()
            .take(12)
            .find_map(|(i, l)| pattern.captures(l).and_then(|c| c.get(1)).map(|m| (i, m)))
        else {
            continue;
        };
        if m.as_str().parse::<usize>().ok() != Some(count) {
            continue;
        }
        let mut new = text.lines[i].clone();
        new.replace_range(m.range(), &(count + 1).to_string());
        out.push(Injection::replace_line(
            text,
            i,
            new,
            DefectKind::CountMismatch,
            format!("{count} {what} called {}", count + 1),
        ));
    }
    out
}

fn injections(text: &Text, baseline: &BTreeSet<(DefectKind, usize)>) -> Vec<Injection> {
    let mut all = numbering_gaps(text);
    all.extend(count_mismatches(text));
    all.extend(broken_enumerations(text));
    all.extend(halfwidth(text, baseline));
    all.extend(dates_after(text));
    all.extend(foreign_places(text));
    all.extend(page_breaks(text, baseline));
    all.extend(duplicates(text));
    // Half-width punctuation is reported once per line: a line that already has it measures
    // nothing. Other kinds are scored by counts (a second defect of a kind on a line is found
    // when the line has one more than before).
    all.retain(|inj| {
        inj.kind != DefectKind::HalfwidthPunctuation
            || !baseline.iter().any(|(kind, line)| *kind == inj.kind && inj.moved(*line).contains(&inj.line))
    });
    all
}

// ---------------------------------------------------------------- scoring

const KINDS: [DefectKind; 8] = [
    DefectKind::NumberingGap,
    DefectKind::CountMismatch,
    DefectKind::BrokenEnumeration,
    DefectKind::HalfwidthPunctuation,
    DefectKind::DateAfterReport,
    DefectKind::ForeignPlace,
    DefectKind::PageBreakArtifact,
    DefectKind::DuplicateText,
];

#[derive(Debug, Default, Clone, Copy)]
struct Score {
    injected: usize,
    found: usize,
    false_positives: usize,
}

impl Score {
    fn recall(self) -> Option<f64> {
        (self.injected > 0).then(|| self.found as f64 / self.injected as f64)
    }
    fn precision(self) -> Option<f64> {
        let reported = self.found + self.false_positives;
        (reported > 0).then(|| self.found as f64 / reported as f64)
    }
}

fn pct(v: Option<f64>) -> String {
    v.map_or("   –  ".to_string(), |v| format!("{:5.1}%", v * 100.0))
}

struct Outcome {
    scores: BTreeMap<(Split, DefectKind), Score>,
    /// Defects of the unmodified texts: (split, kind) → count.
    baseline: BTreeMap<(Split, DefectKind), usize>,
    misses: Vec<String>,
    report: String,
}

fn measure(texts: &[Text]) -> Outcome {
    let mut scores: BTreeMap<(Split, DefectKind), Score> = BTreeMap::new();
    let mut baseline_counts: BTreeMap<(Split, DefectKind), usize> = BTreeMap::new();
    let mut misses = Vec::new();
    let mut report = String::new();
    for text in texts {
        let before = lint_lines(&text.lines);
        let parsed = parse(&Document::from_text(&text.lines.join("\n")));
        let _ = writeln!(
            report,
            "{} {}: report date {:?}, unit {:?}",
            text.split.name(),
            text.stem,
            parsed.ledger.report_date.map(|d| d.to_string()),
            parsed.ledger.unit
        );
        let baseline: BTreeSet<(DefectKind, usize)> = before.iter().map(|d| (d.kind, d.line)).collect();
        for d in &before {
            *baseline_counts.entry((text.split, d.kind)).or_default() += 1;
            let _ = writeln!(report, "  {} {} L{} {}  «{}»", text.split.name(), text.stem, d.line, d.kind, d.excerpt);
        }
        for inj in injections(text, &baseline) {
            // Defects per (kind, line) before, on the lines they moved to, and after.
            let mut known: BTreeMap<(DefectKind, usize), usize> = BTreeMap::new();
            for d in &before {
                for line in inj.moved(d.line) {
                    *known.entry((d.kind, line)).or_default() += 1;
                }
            }
            let after = lint_lines(&inj.lines);
            let mut got: BTreeMap<(DefectKind, usize), usize> = BTreeMap::new();
            for d in &after {
                *got.entry((d.kind, d.line)).or_default() += 1;
            }
            let new = |key: &(DefectKind, usize)| {
                got.get(key).copied().unwrap_or(0).saturating_sub(known.get(key).copied().unwrap_or(0))
            };
            let score = scores.entry((text.split, inj.kind)).or_default();
            score.injected += 1;
            if new(&(inj.kind, inj.line)) > 0 {
                score.found += 1;
            } else if text.split == Split::Tune {
                misses.push(format!("missed {} {} L{} ({})", inj.kind, text.stem, inj.line, inj.what));
            }
            for (kind, line) in got.keys() {
                let extra = new(&(*kind, *line));
                if (*kind, *line) == (inj.kind, inj.line) || extra == 0 {
                    continue;
                }
                scores.entry((text.split, *kind)).or_default().false_positives += extra;
                if text.split == Split::Tune {
                    let excerpt = after.iter().find(|d| d.kind == *kind && d.line == *line).map_or("", |d| &d.excerpt);
                    misses.push(format!(
                        "false {kind} {} L{line} after injecting {} at L{} ({}): «{excerpt}»",
                        text.stem, inj.kind, inj.line, inj.what
                    ));
                }
            }
        }
    }
    Outcome { scores, baseline: baseline_counts, misses, report }
}

/// Thresholds per kind and split: (recall, precision), each just below what was measured.
///
/// Before the linter was measured here (same injections): tune recall 110/184 (59.8%, precision
/// 99.1%) — numbering_gap 19/35, count_mismatch 1/3, broken_enumeration 10/18, halfwidth 9/9,
/// date_after_report 7/11, foreign_place 18/18 (precision 95%), page_break_artifact 46/57,
/// duplicate_text 0/33 — and holdout recall 51/83 (61.4%). After: tune 182/184, holdout 81/83,
/// precision 100% everywhere; the unmodified texts lost their one false place (a byline name).
/// The misses left: dates in 14 (its report date takes its year from the very date changed)
/// and, in the holdout, one broken enumeration and one date (not looked into: holdout is not
/// tuned on).
fn thresholds(split: Split, kind: DefectKind) -> (f64, f64) {
    let recall = match (split, kind) {
        (Split::Tune, DefectKind::DateAfterReport) => 0.80,
        (Split::Holdout, DefectKind::BrokenEnumeration) => 0.74,
        (Split::Holdout, DefectKind::DateAfterReport) => 0.49,
        _ => 0.99,
    };
    (recall, 0.99)
}

/// Defects of the unmodified corpus texts (not the seeds, which carry deliberate defects) other
/// than half-width punctuation and variant characters. Those two were checked one by one and are
/// real: the stored pages use ASCII commas and colons in Chinese prose, and 11 writes 台帐.
fn unmodified_findings_beyond_halfwidth(texts: &[Text]) -> Vec<String> {
    texts
        .iter()
        .filter(|t| !t.stem.starts_with("seed"))
        .flat_map(|t| {
            lint_lines(&t.lines)
                .into_iter()
                .filter(|d| !matches!(d.kind, DefectKind::HalfwidthPunctuation | DefectKind::VariantCharacter))
                .map(move |d| format!("{} L{} {} «{}»", t.stem, d.line, d.kind, d.excerpt))
        })
        .collect()
}

#[test]
fn injected_defects_are_found_at_their_lines() {
    let Some(texts) = corpus() else { return };
    let outcome = measure(&texts);
    let mut table = String::from(
        "kind                    | tune: n  recall  precision | holdout: n  recall  precision | unmodified tune/holdout\n",
    );
    let mut failures = Vec::new();
    for kind in KINDS {
        let row = |split| outcome.scores.get(&(split, kind)).copied().unwrap_or_default();
        let (t, h) = (row(Split::Tune), row(Split::Holdout));
        let base = |split| outcome.baseline.get(&(split, kind)).copied().unwrap_or(0);
        let _ = writeln!(
            table,
            "{:<23} | {:>7} {} {} | {:>10} {} {} | {}/{}",
            kind.as_str(),
            t.injected,
            pct(t.recall()),
            pct(t.precision()),
            h.injected,
            pct(h.recall()),
            pct(h.precision()),
            base(Split::Tune),
            base(Split::Holdout)
        );
        for (split, s) in [(Split::Tune, t), (Split::Holdout, h)] {
            let (min_recall, min_precision) = thresholds(split, kind);
            if s.recall().is_some_and(|r| r < min_recall) {
                failures.push(format!("{} {kind} recall {} below {min_recall}", split.name(), pct(s.recall())));
            }
            if s.precision().is_some_and(|p| p < min_precision) {
                failures.push(format!(
                    "{} {kind} precision {} below {min_precision}",
                    split.name(),
                    pct(s.precision())
                ));
            }
        }
    }
    for split in [Split::Tune, Split::Holdout] {
        let all = outcome.scores.iter().filter(|((s, _), _)| *s == split).fold(Score::default(), |a, (_, b)| Score {
            injected: a.injected + b.injected,
            found: a.found + b.found,
            false_positives: a.false_positives + b.false_positives,
        });
        let _ = writeln!(
            table,
            "all kinds, {:<7}: {}/{} found, recall {}, precision {}",
            split.name(),
            all.found,
            all.injected,
            pct(all.recall()),
            pct(all.precision())
        );
    }
    println!("{table}");
    let beyond = unmodified_findings_beyond_halfwidth(&texts);
    if !beyond.is_empty() {
        failures.push(format!("defects in the unmodified real texts:\n{}", beyond.join("\n")));
    }
    println!("defects of the unmodified texts:\n{}", outcome.report);
    println!("tune details:\n{}", outcome.misses.join("\n"));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
