//! A customer's identities and fields as the import and the API hand them to the store, the
//! content hash that makes re-importing an unchanged row a no-op, and the merge of duplicates.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::custom_field::FieldValue;
use crate::email::Email;
use crate::phone::E164;

/// A customer's data, without the store's id and timestamps.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NewCustomer {
    /// The id in the tenant's own system; the key of idempotent imports.
    pub external_id: Option<String>,
    /// Given name.
    pub first_name: Option<String>,
    /// Family name.
    pub last_name: Option<String>,
    /// Phone numbers, first is the main one; no duplicates.
    pub phones: Vec<E164>,
    /// Email addresses, first is the main one; no duplicates.
    pub emails: Vec<Email>,
    /// Custom field values by key.
    pub fields: BTreeMap<String, FieldValue>,
    /// Consent to record calls; `None` when never asked.
    pub consent_recording: Option<bool>,
    /// Consent to marketing contact; `None` when never asked.
    pub consent_marketing: Option<bool>,
}

impl NewCustomer {
    /// A hash of the content, equal for equal customers whatever the order of their phones and
    /// emails. Stable across runs, platforms and releases (FNV-1a over a length-prefixed
    /// encoding), so the store may keep it and compare it with a re-imported row's.
    pub fn content_hash(&self) -> u64 {
        let mut h = Fnv1a::new();
        h.opt_str(self.external_id.as_deref());
        h.opt_str(self.first_name.as_deref());
        h.opt_str(self.last_name.as_deref());
        let mut phones: Vec<&str> = self.phones.iter().map(E164::as_str).collect();
        phones.sort_unstable();
        phones.dedup();
        h.u64(phones.len() as u64);
        phones.iter().for_each(|p| h.str(p));
        let mut emails: Vec<&str> = self.emails.iter().map(Email::as_str).collect();
        emails.sort_unstable();
        emails.dedup();
        h.u64(emails.len() as u64);
        emails.iter().for_each(|e| h.str(e));
        h.u64(self.fields.len() as u64);
        for (key, value) in &self.fields {
            h.str(key);
            h.field_value(value);
        }
        h.opt_bool(self.consent_recording);
        h.opt_bool(self.consent_marketing);
        h.finish()
    }
}

/// Merges the duplicate `other` into `keep`: identities (phones, emails) are unioned, keep's
/// first; keep's names, external id and field values win, other's fill the gaps. Consents
/// take the more restrictive answer: a "no" on either record stays a "no", because a refusal
/// given once must not be lost by merging.
pub fn merge(keep: &NewCustomer, other: &NewCustomer) -> NewCustomer {
    let mut merged = keep.clone();
    merged.external_id = keep
        .external_id
        .clone()
        .or_else(|| other.external_id.clone());
    merged.first_name = keep.first_name.clone().or_else(|| other.first_name.clone());
    merged.last_name = keep.last_name.clone().or_else(|| other.last_name.clone());
    union_into(&mut merged.phones, &other.phones);
    union_into(&mut merged.emails, &other.emails);
    for (key, value) in &other.fields {
        merged
            .fields
            .entry(key.clone())
            .or_insert_with(|| value.clone());
    }
    merged.consent_recording = restrictive(keep.consent_recording, other.consent_recording);
    merged.consent_marketing = restrictive(keep.consent_marketing, other.consent_marketing);
    merged
}

fn union_into<T: PartialEq + Clone>(into: &mut Vec<T>, from: &[T]) {
    for item in from {
        if !into.contains(item) {
            into.push(item.clone());
        }
    }
}

fn restrictive(a: Option<bool>, b: Option<bool>) -> Option<bool> {
    match (a, b) {
        (Some(false), _) | (_, Some(false)) => Some(false),
        (Some(true), _) | (_, Some(true)) => Some(true),
        (None, None) => None,
    }
}

/// 64-bit FNV-1a: tiny, and its output is fixed by its definition, unlike `std`'s hasher.
struct Fnv1a(u64);

impl Fnv1a {
    fn new() -> Self {
        Fnv1a(0xcbf2_9ce4_8422_2325)
    }

    fn bytes(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    fn u64(&mut self, n: u64) {
        self.bytes(&n.to_le_bytes());
    }

    fn str(&mut self, s: &str) {
        self.u64(s.len() as u64);
        self.bytes(s.as_bytes());
    }

    fn opt_str(&mut self, s: Option<&str>) {
        match s {
            None => self.bytes(&[0]),
            Some(s) => {
                self.bytes(&[1]);
                self.str(s);
            }
        }
    }

    fn opt_bool(&mut self, b: Option<bool>) {
        self.bytes(&[match b {
            None => 0,
            Some(false) => 1,
            Some(true) => 2,
        }]);
    }

    fn field_value(&mut self, value: &FieldValue) {
        match value {
            FieldValue::Text(s) => {
                self.bytes(&[1]);
                self.str(s);
            }
            FieldValue::Number(n) => {
                self.bytes(&[2]);
                // -0.0 and 0.0 are the same number to a person.
                self.u64(if *n == 0.0 { 0 } else { n.to_bits() });
            }
            FieldValue::Money(m) => {
                self.bytes(&[3]);
                self.u64(m.minor as u64);
                self.str(m.currency.as_str());
            }
            FieldValue::Date(d) => {
                self.bytes(&[4]);
                self.u64(d.year() as u64);
                self.bytes(&[d.month() as u8, d.day() as u8]);
            }
            FieldValue::Choice(s) => {
                self.bytes(&[5]);
                self.str(s);
            }
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phone(s: &str) -> E164 {
        E164::try_from(s.to_owned()).unwrap()
    }

    fn email(s: &str) -> Email {
        Email::parse(s).unwrap()
    }

    fn ada() -> NewCustomer {
        NewCustomer {
            external_id: Some("C1".into()),
            first_name: Some("Ada".into()),
            last_name: Some("Lovelace".into()),
            phones: vec![phone("+33123456789"), phone("+442079460958")],
            emails: vec![email("ada@example.com"), email("a@x.org")],
            fields: BTreeMap::from([("plan".into(), FieldValue::Choice("Gold".into()))]),
            consent_recording: Some(true),
            consent_marketing: None,
        }
    }

    #[test]
    fn hash_ignores_the_order_of_phones_and_emails() {
        let mut b = ada();
        b.phones.reverse();
        b.emails.reverse();
        assert_eq!(ada().content_hash(), b.content_hash());
    }

    #[test]
    fn hash_changes_with_any_content() {
        let base = ada().content_hash();
        let changes: Vec<fn(&mut NewCustomer)> = vec![
            |c| c.external_id = None,
            |c| c.first_name = Some("Adah".into()),
            |c| c.last_name = None,
            |c| c.phones.pop().map(drop).unwrap_or(()),
            |c| c.emails.push(email("b@x.org")),
            |c| {
                c.fields
                    .insert("plan".into(), FieldValue::Text("Gold".into()));
            },
            |c| c.consent_recording = Some(false),
            |c| c.consent_marketing = Some(true),
        ];
        for (i, change) in changes.into_iter().enumerate() {
            let mut c = ada();
            change(&mut c);
            assert_ne!(c.content_hash(), base, "change {i}");
        }
    }

    #[test]
    fn hash_does_not_confuse_moved_text_between_names() {
        let mut a = ada();
        a.first_name = Some("AdaL".into());
        a.last_name = Some("ovelace".into());
        assert_ne!(a.content_hash(), ada().content_hash());
    }

    #[test]
    fn hash_is_stable_across_releases() {
        // A stored hash must keep matching: this figure may only change with a store migration.
        let c = NewCustomer {
            external_id: Some("X".into()),
            ..NewCustomer::default()
        };
        assert_eq!(c.content_hash(), 9_058_920_608_635_327_551);
    }

    #[test]
    fn merge_unions_identities_keeping_keeps_first() {
        let other = NewCustomer {
            phones: vec![phone("+442079460958"), phone("+12015550123")],
            emails: vec![email("new@x.org")],
            ..NewCustomer::default()
        };
        let m = merge(&ada(), &other);
        assert_eq!(
            m.phones,
            vec![
                phone("+33123456789"),
                phone("+442079460958"),
                phone("+12015550123")
            ]
        );
        assert_eq!(m.emails.len(), 3);
    }

    #[test]
    fn merge_keeps_keeps_values_and_fills_gaps() {
        let other = NewCustomer {
            external_id: Some("C2".into()),
            first_name: Some("Augusta".into()),
            fields: BTreeMap::from([
                ("plan".into(), FieldValue::Choice("Silver".into())),
                ("score".into(), FieldValue::Number(3.0)),
            ]),
            ..NewCustomer::default()
        };
        let mut keep = ada();
        keep.last_name = None;
        let mut other = other;
        other.last_name = Some("King".into());
        let m = merge(&keep, &other);
        assert_eq!(m.external_id.as_deref(), Some("C1"));
        assert_eq!(m.first_name.as_deref(), Some("Ada"));
        assert_eq!(m.last_name.as_deref(), Some("King"));
        assert_eq!(m.fields["plan"], FieldValue::Choice("Gold".into()));
        assert_eq!(m.fields["score"], FieldValue::Number(3.0));
    }

    #[test]
    fn merge_keeps_a_refused_consent() {
        let other = NewCustomer {
            consent_recording: Some(false),
            consent_marketing: Some(true),
            ..NewCustomer::default()
        };
        let m = merge(&ada(), &other);
        assert_eq!(m.consent_recording, Some(false));
        assert_eq!(m.consent_marketing, Some(true));
        assert_eq!(
            merge(&NewCustomer::default(), &NewCustomer::default()).consent_marketing,
            None
        );
    }
}
