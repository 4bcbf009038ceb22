//! Deadline lights (预警) for supervision (督办): how close each open measure is to its deadline.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::calendar::WorkCalendar;
use crate::date::PartialDate;
use crate::roles::Role;
use crate::status::Status;

/// The light shown next to a measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Light {
    /// Closed or completed: nothing to chase.
    Grey,
    /// Open, far from its deadline (or with none).
    None,
    /// Within the first warning window (e.g. 20 days left).
    Green,
    /// Within the second warning window (e.g. 10 days left).
    Yellow,
    /// Past its deadline.
    Red,
}

impl Light {
    /// Every light, from the most to the least urgent (the order of filters and legends).
    pub const BY_URGENCY: [Light; 5] = [Light::Red, Light::Yellow, Light::Green, Light::None, Light::Grey];

    /// The name in URLs, JSON and CSS classes; the same as the serde name.
    pub fn as_str(self) -> &'static str {
        match self {
            Light::Grey => "grey",
            Light::None => "none",
            Light::Green => "green",
            Light::Yellow => "yellow",
            Light::Red => "red",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Light::Grey => "已办结",
            Light::None => "正常",
            Light::Green => "绿色预警",
            Light::Yellow => "黄色预警",
            Light::Red => "红色预警（逾期）",
        }
    }
}

impl std::str::FromStr for Light {
    type Err = UnknownLight;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Light::BY_URGENCY.into_iter().find(|l| l.as_str() == s).ok_or_else(|| UnknownLight(s.to_owned()))
    }
}

/// A name that is no [`Light`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown deadline light {0:?}")]
pub struct UnknownLight(pub String);

/// Thresholds of one round; practice varies (Jiangjin: green at 20 days, yellow at 10, red when
/// overdue; Xi'an: yellow from 3 days before), so every number is a setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LightPolicy {
    /// Days left at which the green warning starts; `None` for no green stage.
    pub green_within: Option<u32>,
    /// Days left at which the yellow warning starts.
    pub yellow_within: u32,
    /// Count working days (with the holiday calendar) instead of calendar days.
    pub working_days: bool,
}

impl Default for LightPolicy {
    fn default() -> Self {
        LightPolicy { green_within: Some(20), yellow_within: 10, working_days: false }
    }
}

/// Who is told at each light: recipients widen as the deadline nears (the owner, then the leader
/// in charge, then the unit's leading group).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LightRecipients {
    pub green: Vec<Role>,
    pub yellow: Vec<Role>,
    pub red: Vec<Role>,
}

impl Default for LightRecipients {
    fn default() -> Self {
        LightRecipients {
            green: vec![Role::Department],
            yellow: vec![Role::Department, Role::LeaderInCharge],
            red: vec![Role::Department, Role::LeaderInCharge, Role::LeadingGroup],
        }
    }
}

impl LightRecipients {
    /// The roles to notify at `light` (nobody for grey and none).
    pub fn for_light(&self, light: Light) -> &[Role] {
        match light {
            Light::Green => &self.green,
            Light::Yellow => &self.yellow,
            Light::Red => &self.red,
            Light::Grey | Light::None => &[],
        }
    }
}

/// Days left until the deadline's last day (negative when overdue).
pub fn days_left(deadline: PartialDate, today: NaiveDate, policy: &LightPolicy, calendar: &WorkCalendar) -> i64 {
    let last = deadline.latest();
    if policy.working_days { calendar.working_days_between(today, last) } else { (last - today).num_days() }
}

/// The light of a measure with `status` and `deadline` on `today`.
pub fn light(
    status: Option<Status>,
    deadline: Option<PartialDate>,
    today: NaiveDate,
    policy: &LightPolicy,
    calendar: &WorkCalendar,
) -> Light {
    if matches!(status, Some(Status::Completed)) {
        return Light::Grey;
    }
    let Some(deadline) = deadline else { return Light::None };
    // Long-term measures have stage targets, not a deadline to be overdue against.
    if matches!(status, Some(Status::LongTerm)) {
        return Light::None;
    }
    let left = days_left(deadline, today, policy, calendar);
    if left < 0 {
        Light::Red
    } else if left <= policy.yellow_within as i64 {
        Light::Yellow
    } else if policy.green_within.is_some_and(|g| left <= g as i64) {
        Light::Green
    } else {
        Light::None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::CALENDAR;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn light_names_read_back_and_match_serde() {
        for l in Light::BY_URGENCY {
            assert_eq!(l.as_str().parse::<Light>(), Ok(l));
            assert_eq!(serde_json::to_value(l).unwrap(), serde_json::Value::from(l.as_str()));
        }
        assert!("amber".parse::<Light>().is_err());
    }

    #[test]
    fn lights_follow_the_thresholds() {
        let p = LightPolicy::default();
        let deadline: PartialDate = "2024-06-30".parse().unwrap();
        let at = |today: &str| light(Some(Status::InProgress), Some(deadline), d(today), &p, &CALENDAR);
        assert_eq!(at("2024-05-01"), Light::None);
        assert_eq!(at("2024-06-10"), Light::Green); // 20 days left
        assert_eq!(at("2024-06-20"), Light::Yellow); // 10 days left
        assert_eq!(at("2024-06-30"), Light::Yellow); // due today
        assert_eq!(at("2024-07-01"), Light::Red);
        assert_eq!(light(Some(Status::Completed), Some(deadline), d("2024-07-01"), &p, &CALENDAR), Light::Grey);
    }

    #[test]
    fn a_month_deadline_runs_to_its_last_day() {
        let p = LightPolicy { green_within: None, yellow_within: 3, working_days: false };
        let deadline: PartialDate = "2024-06".parse().unwrap();
        assert_eq!(light(None, Some(deadline), d("2024-06-26"), &p, &CALENDAR), Light::None);
        assert_eq!(light(None, Some(deadline), d("2024-06-27"), &p, &CALENDAR), Light::Yellow);
    }

    #[test]
    fn working_days_skip_the_national_day_week() {
        let p = LightPolicy { green_within: None, yellow_within: 3, working_days: true };
        let deadline: PartialDate = "2024-10-09".parse().unwrap();
        // From 30 September: 8 and 9 October are the only working days left before the deadline.
        assert_eq!(days_left(deadline, d("2024-09-30"), &p, &CALENDAR), 2);
        assert_eq!(light(None, Some(deadline), d("2024-09-30"), &p, &CALENDAR), Light::Yellow);
        let calendar_days = LightPolicy { working_days: false, ..p };
        assert_eq!(light(None, Some(deadline), d("2024-09-30"), &calendar_days, &CALENDAR), Light::None);
    }
}
