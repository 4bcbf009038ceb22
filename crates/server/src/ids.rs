//! Typed ids of the records the server names in its paths and forms. Each is a positive integer;
//! a value that is not one never becomes an id (the http layer answers 400, or 404 on a page).

use std::fmt;

use serde::Serialize;

use crate::error::AppError;

/// Defines a positive integer id with its name in messages.
macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[serde(transparent)]
        pub struct $name(i64);

        impl $name {
            /// The id of a stored number, if it is positive.
            pub fn new(value: i64) -> Option<Self> {
                (value > 0).then_some(Self(value))
            }

            /// The id of a number sent in a JSON body, or 400 when it is not positive.
            #[allow(dead_code, reason = "only some ids arrive as JSON numbers")]
            pub fn checked(value: i64) -> Result<Self, AppError> {
                Self::new(value).ok_or_else(|| AppError::BadId { what: $what, value: value.to_string() })
            }

            /// Reads an id as typed in a path, a query or a form.
            pub fn parse(text: &str) -> Result<Self, AppError> {
                text.trim()
                    .parse::<i64>()
                    .ok()
                    .and_then(Self::new)
                    .ok_or_else(|| AppError::BadId { what: $what, value: text.chars().take(40).collect() })
            }

            /// The number the storage layer keys the record by.
            pub fn get(self) -> i64 {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// An inspection (one unit's ledger of one round).
    InspectionId,
    "inspection id"
);
id_type!(
    /// An aspect (方面) of a ledger: a heading over problems.
    AspectId,
    "aspect id"
);
id_type!(
    /// A problem (问题) of a ledger.
    ProblemId,
    "problem id"
);
id_type!(
    /// A measure (整改措施) of a problem.
    MeasureId,
    "measure id"
);
id_type!(
    /// An account.
    UserId,
    "user id"
);
id_type!(
    /// One sampled problem of a look-back (回头看).
    LookbackItemId,
    "look-back item id"
);
id_type!(
    /// A notification (消息) of the signed-in account.
    NotificationId,
    "notification id"
);
id_type!(
    /// A published report (公开通报).
    PublicationId,
    "report id"
);
id_type!(
    /// A round (巡察轮次) of inspections.
    RoundId,
    "round id"
);
id_type!(
    /// A unit's indicator (整改指标) tracked over time.
    IndicatorId,
    "indicator id"
);
id_type!(
    /// A supervised object (监管对象) of a unit's spot-check registry.
    SpotObjectId,
    "spot-check object id"
);
id_type!(
    /// An inspector (执法检查人员) of a unit's spot-check registry.
    SpotInspectorId,
    "spot-check inspector id"
);
id_type!(
    /// A spot-check round (双随机抽查批次).
    SpotRoundId,
    "spot-check round id"
);
id_type!(
    /// One item of public feedback (意见建议).
    FeedbackId,
    "feedback id"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_must_be_positive_integers() {
        assert_eq!(InspectionId::parse(" 12 ").map(InspectionId::get).ok(), Some(12));
        for bad in ["0", "-3", "abc", "1.5", "", "99999999999999999999", "9223372036854775808"] {
            assert!(matches!(MeasureId::parse(bad), Err(AppError::BadId { what: "measure id", .. })), "{bad}");
        }
        assert_eq!(ProblemId::new(0), None);
    }
}
