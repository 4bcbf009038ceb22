//! Who a generated unit is: its organisation, place, level and line of work.
//!
//! Units are laid out city by city: each invented city holds [`SLOTS_PER_CITY`] organisations
//! (city departments, district departments, sub-district offices, enterprises, colleges,
//! hospitals) in an order shuffled per city, so that even a handful of units mixes the kinds.
//! Names are distinct for the first `192 × 43` = 8,256 units of a seed.

use crate::dice::Dice;
use crate::phrases::*;

pub(crate) const SLOTS_PER_CITY: usize = 43;
const CITIES: usize = CITY_FIRST.len() * CITY_SECOND.len();
const SALT_CITY: u64 = 0xC17;

/// The level of the committee that inspects the unit.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Level {
    /// Inspected by the city committee (市委) or the province (省委).
    City,
    /// Inspected by the district committee (区委).
    District,
}

pub(crate) struct Org {
    /// The Party organisation as the report is signed, e.g. 中共青禾市河西区住房和城乡建设局党组.
    pub unit: String,
    /// The organisation itself, e.g. 青禾市河西区住房和城乡建设局.
    pub body: String,
    /// How the office calls it, e.g. 河西区住建局.
    pub short: String,
    /// The Party organisation under its earlier name, when it has one.
    pub former: Option<String>,
    /// 党组, 党委 or 党工委.
    pub committee: &'static str,
    pub level: Level,
    pub city: String,
    pub district: Option<&'static str>,
    pub business: Vec<&'static str>,
    pub offices: Vec<&'static str>,
}

/// The organisation of unit `index` (0-based) for `seed`.
pub(crate) fn org(seed: u64, index: usize) -> Org {
    let city_no = index / SLOTS_PER_CITY;
    let position = index % SLOTS_PER_CITY;
    let mut dice = Dice::new(seed, SALT_CITY, city_no as u64);
    // The seed also moves the city names, so two seeds do not share their first city.
    let c = (city_no + (seed % CITIES as u64) as usize) % CITIES;
    // (c / 16 + c) % 12 is a bijection for c < 192 given c % 16: 5 is invertible modulo 12.
    let city = format!("{}{}市", CITY_FIRST[c % 16], CITY_SECOND[(c / 16 + c) % 12]);

    let mut slots: Vec<usize> = (0..SLOTS_PER_CITY).collect();
    dice.shuffle(&mut slots);
    let districts = dice.sample(&DISTRICTS, 3);
    let mut bureaus: Vec<usize> = (0..BUREAUS.len()).collect();
    dice.shuffle(&mut bureaus);
    let district_bureaus: Vec<Vec<usize>> = (0..3)
        .map(|_| {
            let mut b: Vec<usize> = (0..BUREAUS.len()).collect();
            dice.shuffle(&mut b);
            b
        })
        .collect();
    let streets = dice.sample(&STREETS, 6);
    let enterprises = dice.sample(&[0usize, 1, 2, 3, 4, 5], 3);
    let colleges = dice.sample(&[0usize, 1, 2], 2);
    let hospitals = dice.sample(&[0usize, 1, 2], 2);

    let slot = slots[position];
    match slot {
        0..12 => government(&city, None, &BUREAUS[bureaus[slot]]),
        12..30 => {
            let d = (slot - 12) / 6;
            government(&city, Some(districts[d]), &BUREAUS[district_bureaus[d][(slot - 12) % 6]])
        }
        30..36 => {
            let district = districts[(slot - 30) / 2];
            let street = streets[slot - 30];
            let body = format!("{city}{district}{street}街道");
            Org {
                unit: format!("中共{city}{district}{street}街道工作委员会"),
                short: format!("{district}{street}街道"),
                body,
                former: None,
                committee: "党工委",
                level: Level::District,
                city,
                district: Some(district),
                business: STREET_BUSINESS.to_vec(),
                offices: STREET_OFFICES.to_vec(),
            }
        }
        36..39 => {
            let (name, short, business) = ENTERPRISES[enterprises[slot - 36]];
            let body = format!("{city}{name}");
            Org {
                unit: format!("中共{body}委员会"),
                short: format!("{}{short}", city.trim_end_matches('市')),
                body,
                former: None,
                committee: "党委",
                level: Level::City,
                city,
                district: None,
                business: business.to_vec(),
                offices: ENTERPRISE_OFFICES.to_vec(),
            }
        }
        39..41 => {
            let (name, short) = COLLEGES[colleges[slot - 39]];
            let place = city.trim_end_matches('市').to_string();
            let body = format!("{place}{name}");
            Org {
                unit: format!("中共{body}委员会"),
                short: format!("{place}{short}"),
                body,
                former: None,
                committee: "党委",
                level: Level::City,
                city,
                district: None,
                business: COLLEGE_BUSINESS.to_vec(),
                offices: COLLEGE_OFFICES.to_vec(),
            }
        }
        _ => {
            let (name, short) = HOSPITALS[hospitals[slot.saturating_sub(41).min(1)]];
            let body = format!("{city}{name}");
            Org {
                unit: format!("中共{body}委员会"),
                short: format!("{}{short}", city.trim_end_matches('市')),
                body,
                former: None,
                committee: "党委",
                level: Level::City,
                city,
                district: None,
                business: HOSPITAL_BUSINESS.to_vec(),
                offices: HOSPITAL_OFFICES.to_vec(),
            }
        }
    }
}

fn government(city: &str, district: Option<&'static str>, b: &Bureau) -> Org {
    let place = format!("{city}{}", district.unwrap_or(""));
    let body = format!("{place}{}", b.name);
    let short = match district {
        Some(d) => format!("{d}{}", b.short),
        None => format!("{}{}", city.trim_end_matches('市'), b.short),
    };
    let mut offices = BUREAU_COMMON_OFFICES.to_vec();
    offices.extend_from_slice(b.offices);
    Org {
        unit: format!("中共{body}党组"),
        body,
        short,
        former: b.former.map(|f| format!("中共{place}{f}党组")),
        committee: "党组",
        level: if district.is_some() { Level::District } else { Level::City },
        city: city.to_string(),
        district,
        business: b.business.to_vec(),
        offices,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn the_first_eight_thousand_units_have_distinct_names() {
        let names: HashSet<String> = (0..CITIES * SLOTS_PER_CITY).map(|i| org(7, i).unit).collect();
        assert_eq!(names.len(), CITIES * SLOTS_PER_CITY);
    }
}
