//! First-contact resolution, exactly as DESIGN.md defines it: contacts whose ticket was
//! resolved with no further contact from the same customer on the same subject within 7 days
//! ÷ contacts with a resolved ticket.
//!
//! Reading of the definition, made precise:
//! - a contact counts in the denominator when its ticket has a resolution time;
//! - a "further contact" is another contact of the same customer on the same subject (compared
//!   exactly: pass the category or a normalised subject) that comes after it — later `at`, or
//!   the same `at` and a larger `contact_id` — and no later than 7 days after the resolution
//!   (inclusive: a contact exactly 7 days later still counts). A contact between this one and
//!   the resolution is a further contact too: the customer had to come back before it was
//!   solved;
//! - contacts without a resolved ticket are not counted, but still count as further contacts
//!   for earlier ones.

use std::collections::HashMap;

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

/// The window after a resolution in which a further contact means it was not resolved.
pub const REPEAT_WINDOW: SignedDuration = SignedDuration::from_hours(7 * 24);

/// One contact (call, chat, email) with what FCR needs to know.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FcrContact {
    /// The contact's id.
    pub contact_id: i64,
    /// The customer's id.
    pub customer: i64,
    /// Subject or category; contacts on the same subject are compared exactly.
    pub subject: String,
    /// When the contact happened.
    pub at: Timestamp,
    /// When the contact's ticket was resolved, if it was.
    pub ticket_resolved_at: Option<Timestamp>,
}

/// The FCR fraction.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fcr {
    /// Contacts resolved with no further contact within the window (numerator).
    pub resolved_first_time: u64,
    /// Contacts with a resolved ticket (denominator).
    pub with_resolved_ticket: u64,
}

impl Fcr {
    /// The ratio in 0..=1, or `None` when no contact had a resolved ticket.
    pub fn ratio(&self) -> Option<f64> {
        (self.with_resolved_ticket > 0)
            .then(|| self.resolved_first_time as f64 / self.with_resolved_ticket as f64)
    }
}

/// Computes FCR over `contacts` (any order). Give it every contact that could be a further
/// contact: those up to 7 days after the last resolution in the period, not only the period's.
pub fn fcr(contacts: &[FcrContact]) -> Fcr {
    let mut threads: HashMap<(i64, &str), Vec<&FcrContact>> = HashMap::new();
    for c in contacts {
        threads
            .entry((c.customer, c.subject.as_str()))
            .or_default()
            .push(c);
    }
    let mut result = Fcr::default();
    for thread in threads.values_mut() {
        thread.sort_by_key(|c| (c.at, c.contact_id));
        for (i, contact) in thread.iter().enumerate() {
            let Some(resolved) = contact.ticket_resolved_at else {
                continue;
            };
            result.with_resolved_ticket += 1;
            let window_end = resolved
                .checked_add(REPEAT_WINDOW)
                .unwrap_or(Timestamp::MAX);
            let came_back = thread.get(i + 1).is_some_and(|next| next.at <= window_end);
            if !came_back {
                result.resolved_first_time += 1;
            }
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(d: i64) -> Timestamp {
        Timestamp::UNIX_EPOCH + SignedDuration::from_hours(24 * d)
    }

    fn contact(
        id: i64,
        customer: i64,
        subject: &str,
        at: Timestamp,
        resolved: Option<Timestamp>,
    ) -> FcrContact {
        FcrContact {
            contact_id: id,
            customer,
            subject: subject.into(),
            at,
            ticket_resolved_at: resolved,
        }
    }

    #[test]
    fn a_resolved_contact_without_return_counts_as_first_time() {
        let f = fcr(&[contact(1, 1, "billing", day(0), Some(day(0)))]);
        assert_eq!(
            f,
            Fcr {
                resolved_first_time: 1,
                with_resolved_ticket: 1
            }
        );
        assert_eq!(f.ratio(), Some(1.0));
    }

    #[test]
    fn a_return_within_seven_days_of_resolution_spoils_it() {
        let f = fcr(&[
            contact(1, 1, "billing", day(0), Some(day(1))),
            contact(2, 1, "billing", day(4), None),
        ]);
        assert_eq!(
            f,
            Fcr {
                resolved_first_time: 0,
                with_resolved_ticket: 1
            }
        );
    }

    #[test]
    fn a_return_exactly_seven_days_after_resolution_still_spoils_it() {
        let f = fcr(&[
            contact(1, 1, "billing", day(0), Some(day(1))),
            contact(2, 1, "billing", day(8), None),
        ]);
        assert_eq!(f.resolved_first_time, 0);
        let later = fcr(&[
            contact(1, 1, "billing", day(0), Some(day(1))),
            contact(2, 1, "billing", day(8) + SignedDuration::from_secs(1), None),
        ]);
        assert_eq!(later.resolved_first_time, 1);
    }

    #[test]
    fn another_subject_or_customer_is_not_a_return() {
        let f = fcr(&[
            contact(1, 1, "billing", day(0), Some(day(0))),
            contact(2, 1, "delivery", day(1), None),
            contact(3, 2, "billing", day(1), None),
        ]);
        assert_eq!(
            f,
            Fcr {
                resolved_first_time: 1,
                with_resolved_ticket: 1
            }
        );
    }

    #[test]
    fn a_contact_before_the_resolution_is_a_return() {
        // The customer had to call again while the ticket was still open.
        let f = fcr(&[
            contact(1, 1, "billing", day(0), Some(day(3))),
            contact(2, 1, "billing", day(1), Some(day(3))),
        ]);
        assert_eq!(
            f,
            Fcr {
                resolved_first_time: 1,
                with_resolved_ticket: 2
            }
        );
    }

    #[test]
    fn earlier_contacts_are_not_returns() {
        let f = fcr(&[
            contact(1, 1, "billing", day(0), None),
            contact(2, 1, "billing", day(2), Some(day(2))),
        ]);
        assert_eq!(
            f,
            Fcr {
                resolved_first_time: 1,
                with_resolved_ticket: 1
            }
        );
    }

    #[test]
    fn unresolved_tickets_are_excluded_from_both_counts() {
        let f = fcr(&[
            contact(1, 1, "a", day(0), None),
            contact(2, 2, "a", day(0), None),
        ]);
        assert_eq!(f, Fcr::default());
        assert_eq!(f.ratio(), None);
    }

    #[test]
    fn input_order_does_not_matter() {
        let mut contacts = vec![
            contact(3, 1, "a", day(20), Some(day(20))),
            contact(1, 1, "a", day(0), Some(day(0))),
            contact(2, 1, "a", day(5), Some(day(6))),
        ];
        let a = fcr(&contacts);
        contacts.reverse();
        assert_eq!(fcr(&contacts), a);
        assert_eq!(
            a,
            Fcr {
                resolved_first_time: 2,
                with_resolved_ticket: 3
            }
        );
    }

    proptest! {
        #[test]
        fn the_ratio_stays_between_zero_and_one(
            raw in proptest::collection::vec((0i64..3, 0u8..2, 0i64..30, proptest::option::of(0i64..5)), 0..40)
        ) {
            let contacts: Vec<FcrContact> = raw
                .iter()
                .enumerate()
                .map(|(i, &(customer, subject, at, resolved_after))| {
                    contact(i as i64, customer, if subject == 0 { "a" } else { "b" }, day(at), resolved_after.map(|d| day(at + d)))
                })
                .collect();
            let f = fcr(&contacts);
            prop_assert!(f.resolved_first_time <= f.with_resolved_ticket);
            let resolved = contacts.iter().filter(|c| c.ticket_resolved_at.is_some()).count() as u64;
            prop_assert_eq!(f.with_resolved_ticket, resolved);
            if let Some(r) = f.ratio() {
                prop_assert!((0.0..=1.0).contains(&r));
            }
        }
    }
}
