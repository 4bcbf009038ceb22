//! China's provincial, prefecture-level and county-level divisions (GB/T 2260 codes), shipped as
//! `data/divisions.tsv` (see `data/README.md` for its source) and parsed once per process.

use std::collections::HashMap;
use std::sync::LazyLock;

/// The three levels the linter needs; townships and villages are not shipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DivisionLevel {
    /// 省级: province, autonomous region or municipality.
    Province,
    /// 地级: prefecture-level city, prefecture, autonomous prefecture or league.
    Prefecture,
    /// 县级: district, county, county-level city or banner.
    County,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Division {
    /// Six-digit code: 420704 is 鄂城区 in 鄂州市 (4207) in 湖北省 (42).
    pub code: u32,
    pub name: &'static str,
    pub parent: Option<u32>,
    pub level: DivisionLevel,
}

/// Level-2 rows that group counties without being a prefecture (municipal districts, counties
/// governed directly by a province).
const PLACEHOLDERS: [&str; 4] = ["市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"];

/// Ethnic designations in the names of autonomous prefectures (恩施土家族苗族自治州 → 恩施).
const ETHNIC: [&str; 52] = [
    "土家族",
    "苗族",
    "藏族",
    "羌族",
    "彝族",
    "布依族",
    "侗族",
    "哈尼族",
    "壮族",
    "傣族",
    "白族",
    "景颇族",
    "傈僳族",
    "回族",
    "蒙古族",
    "朝鲜族",
    "柯尔克孜族",
    "柯尔克孜",
    "哈萨克族",
    "哈萨克",
    "蒙古",
    "维吾尔族",
    "维吾尔",
    "黎族",
    "瑶族",
    "满族",
    "畲族",
    "土族",
    "撒拉族",
    "东乡族",
    "保安族",
    "仫佬族",
    "毛南族",
    "仡佬族",
    "水族",
    "纳西族",
    "拉祜族",
    "佤族",
    "独龙族",
    "怒族",
    "普米族",
    "阿昌族",
    "德昂族",
    "基诺族",
    "布朗族",
    "达斡尔族",
    "鄂温克族",
    "鄂伦春族",
    "锡伯族",
    "塔吉克族",
    "裕固族",
    "各族",
];

impl Division {
    /// Whether the row only groups counties (市辖区, 省直辖县级行政区划).
    #[must_use]
    pub fn is_placeholder(&self) -> bool {
        self.level == DivisionLevel::Prefecture && PLACEHOLDERS.contains(&self.name)
    }

    /// The name as people write it without its administrative suffix: 鄂州市 → 鄂州, 内蒙古自治区 →
    /// 内蒙古, 恩施土家族苗族自治州 → 恩施, 大兴安岭地区 → 大兴安岭, 闵行区 → 闵行. Names that would
    /// shrink to one character keep their suffix (沙县, 城区).
    #[must_use]
    pub fn short_name(&self) -> &'static str {
        let name = self.name;
        let mut short = [
            "特别行政区",
            "自治区",
            "自治州",
            "自治县",
            "自治旗",
            "地区",
            "林区",
            "特区",
            "省",
            "市",
            "盟",
            "区",
            "县",
            "旗",
        ]
        .iter()
        .find_map(|suffix| name.strip_suffix(suffix))
        .unwrap_or(name);
        // Peel ethnic designations off the end (…土家族苗族 → …), longest first by list order.
        while let Some(rest) = ETHNIC.iter().find_map(|e| short.strip_suffix(e).filter(|r| r.chars().count() >= 2)) {
            short = rest;
        }
        if short.chars().count() >= 2 { short } else { name }
    }
}

/// All divisions, with lookups by code.
pub struct Gazetteer {
    divisions: Vec<Division>,
    by_code: HashMap<u32, usize>,
}

static GAZETTEER: LazyLock<Gazetteer> = LazyLock::new(|| Gazetteer::parse(include_str!("../data/divisions.tsv")));

impl Gazetteer {
    /// The shipped gazetteer.
    #[must_use]
    pub fn get() -> &'static Gazetteer {
        &GAZETTEER
    }

    /// Reads `code name parent level` lines; the header and malformed lines are skipped.
    fn parse(tsv: &'static str) -> Self {
        let divisions: Vec<Division> = tsv
            .lines()
            .filter_map(|line| {
                let mut fields = line.split('\t');
                let code = fields.next()?.parse().ok()?;
                let name = fields.next()?;
                let parent = fields.next()?.parse().ok();
                let level = match fields.next()? {
                    "1" => DivisionLevel::Province,
                    "2" => DivisionLevel::Prefecture,
                    "3" => DivisionLevel::County,
                    _ => return None,
                };
                Some(Division { code, name, parent, level })
            })
            .collect();
        let by_code = divisions.iter().enumerate().map(|(i, d)| (d.code, i)).collect();
        Self { divisions, by_code }
    }

    #[must_use]
    pub fn divisions(&self) -> &[Division] {
        &self.divisions
    }

    #[must_use]
    pub fn by_code(&self, code: u32) -> Option<&Division> {
        self.by_code.get(&code).and_then(|&i| self.divisions.get(i))
    }

    /// Every division with exactly this name (朝阳区 exists in Beijing and in Changchun).
    pub fn named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Division> + 'a {
        self.divisions.iter().filter(move |d| d.name == name)
    }

    /// The province a division belongs to (itself for a province).
    #[must_use]
    pub fn province_of(&self, division: &Division) -> Option<&Division> {
        self.by_code(division.code / 10_000 * 10_000)
    }

    /// The prefecture-level unit a division belongs to, which is what "the unit's own city" means:
    /// a municipality counts as one prefecture, and a county governed directly by its province
    /// (仙桃市) stands for itself. `None` for an ordinary province.
    #[must_use]
    pub fn region_of<'a>(&'a self, division: &'a Division) -> Option<&'a Division> {
        match division.level {
            DivisionLevel::Province => self.is_municipality(division).then_some(division),
            DivisionLevel::Prefecture if division.is_placeholder() => None,
            DivisionLevel::Prefecture => Some(division),
            DivisionLevel::County => {
                let parent = self.by_code(division.parent?)?;
                if !parent.is_placeholder() {
                    Some(parent)
                } else if matches!(parent.name, "市辖区" | "县") {
                    self.province_of(division)
                } else {
                    Some(division)
                }
            }
        }
    }

    /// The capital of a province: GB/T 2260 numbers it 01 (4201 武汉市 in 42 湖北省).
    #[must_use]
    pub fn capital_of(&self, province: &Division) -> Option<&Division> {
        self.by_code(province.code + 100).filter(|d| !d.is_placeholder())
    }

    fn is_municipality(&self, province: &Division) -> bool {
        province.level == DivisionLevel::Province
            && self.by_code(province.code + 100).is_some_and(|d| d.name == "市辖区")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(name: &'static str) -> &'static Division {
        Gazetteer::get().named(name).next().unwrap_or_else(|| panic!("{name} missing"))
    }

    #[test]
    fn levels_one_to_three_are_all_there() {
        let g = Gazetteer::get();
        let count = |level| g.divisions().iter().filter(|d| d.level == level).count();
        assert_eq!(count(DivisionLevel::Province), 31);
        assert!((330..=345).contains(&count(DivisionLevel::Prefecture)));
        assert!((2800..=2900).contains(&count(DivisionLevel::County)));
    }

    #[test]
    fn short_names_drop_suffixes() {
        assert_eq!(one("鄂州市").short_name(), "鄂州");
        assert_eq!(one("内蒙古自治区").short_name(), "内蒙古");
        assert_eq!(one("广西壮族自治区").short_name(), "广西");
        assert_eq!(one("恩施土家族苗族自治州").short_name(), "恩施");
        assert_eq!(one("海西蒙古族藏族自治州").short_name(), "海西");
        assert_eq!(one("克孜勒苏柯尔克孜自治州").short_name(), "克孜勒苏");
        assert_eq!(one("大兴安岭地区").short_name(), "大兴安岭");
        assert_eq!(one("闵行区").short_name(), "闵行");
        assert_eq!(one("和县").short_name(), "和县");
        assert_eq!(one("长阳土家族自治县").short_name(), "长阳");
        for d in Gazetteer::get().divisions().iter().filter(|d| !d.is_placeholder()) {
            let short = d.short_name();
            // 鄂温克族自治旗 keeps 鄂温克族: the people's name is the place name.
            let ethnic_only = d.level == DivisionLevel::County && ETHNIC.contains(&short);
            assert!(!short.contains("自治") && (!short.ends_with('族') || ethnic_only), "{} → {short}", d.name);
        }
    }

    #[test]
    fn regions_follow_the_hierarchy() {
        let g = Gazetteer::get();
        let region = |name| g.region_of(one(name)).map(|d| d.name);
        assert_eq!(region("鄂城区"), Some("鄂州市"));
        assert_eq!(region("闵行区"), Some("上海市"));
        assert_eq!(region("仙桃市"), Some("仙桃市"));
        assert_eq!(region("湖北省"), None);
        assert_eq!(g.capital_of(one("湖北省")).map(|d| d.name), Some("武汉市"));
        assert_eq!(g.province_of(one("襄阳市")).map(|d| d.name), Some("湖北省"));
    }
}
