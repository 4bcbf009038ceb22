//! Headline figures (通报所称的数字) the report states about itself.

use rectify_domain::{Claimed, WanYuan};

use crate::extract::{self, ClaimValue};
use crate::paragraphs::Para;
use crate::{ClaimSpan, ClaimedFigure};

pub(super) fn read_claims(paras: &[&Para], claimed: &mut Claimed, spans: &mut Vec<ClaimSpan>) {
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
