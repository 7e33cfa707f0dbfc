//! The header list of a message: `(name, value)` entries in wire order. A parsed value is a
//! slice of the received bytes (no copy unless the line was folded); typed views parse on
//! demand (see [`crate::header`]). Editing keeps the order of everything not touched.

use std::fmt;

use bytes::Bytes;

use crate::error::{HeaderError, SyntaxError};
use crate::header_name::HeaderName;
use crate::scan::split_list;

/// The value of one header line, unfolded and trimmed, as bytes (SIP allows UTF-8 and the
/// occasional invalid byte in unknown headers).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct HeaderValue(Bytes);

impl HeaderValue {
    /// A value from static text.
    pub fn from_static(value: &'static str) -> HeaderValue {
        if value.contains(['\r', '\n']) {
            HeaderValue::from(value)
        } else {
            HeaderValue(Bytes::from_static(value.as_bytes()))
        }
    }

    /// A value that is a slice of received bytes (the parser checked it has no CR or LF).
    pub(crate) fn from_wire(bytes: Bytes) -> HeaderValue {
        HeaderValue(bytes)
    }

    /// The bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The value as text, if it is UTF-8.
    pub fn to_str(&self) -> Option<&str> {
        std::str::from_utf8(&self.0).ok()
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True for an empty value (`Subject:` alone is legal).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// CR and LF would let a value inject header lines; built values have them replaced by SP.
fn sanitize(value: String) -> Bytes {
    if value.contains(['\r', '\n']) {
        Bytes::from(value.replace(['\r', '\n'], " "))
    } else {
        Bytes::from(value)
    }
}

impl From<String> for HeaderValue {
    fn from(value: String) -> HeaderValue {
        HeaderValue(sanitize(value))
    }
}

impl From<&str> for HeaderValue {
    fn from(value: &str) -> HeaderValue {
        HeaderValue(sanitize(value.to_owned()))
    }
}

impl fmt::Debug for HeaderValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", String::from_utf8_lossy(&self.0))
    }
}

/// One header line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// The name.
    pub name: HeaderName,
    /// The value.
    pub value: HeaderValue,
}

/// The header lines of a message, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Headers(Vec<Header>);

impl Headers {
    /// An empty list.
    pub fn new() -> Headers {
        Headers(Vec::new())
    }

    pub(crate) fn with_capacity(capacity: usize) -> Headers {
        Headers(Vec::with_capacity(capacity))
    }

    /// Number of header lines.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when there are no header lines.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// All lines in order.
    pub fn iter(&self) -> std::slice::Iter<'_, Header> {
        self.0.iter()
    }

    /// The value of the first line named `name`.
    pub fn get(&self, name: &HeaderName) -> Option<&HeaderValue> {
        self.0.iter().find(|h| h.name == *name).map(|h| &h.value)
    }

    /// The values of every line named `name`, in order.
    pub fn get_all<'a>(
        &'a self,
        name: &HeaderName,
    ) -> impl Iterator<Item = &'a HeaderValue> + use<'a> {
        let name = name.clone();
        self.0
            .iter()
            .filter(move |h| h.name == name)
            .map(|h| &h.value)
    }

    /// True if a line named `name` exists.
    pub fn contains(&self, name: &HeaderName) -> bool {
        self.get(name).is_some()
    }

    /// Number of lines named `name`.
    pub fn count(&self, name: &HeaderName) -> usize {
        self.get_all(name).count()
    }

    /// Appends a line.
    pub fn push(&mut self, name: HeaderName, value: impl Into<HeaderValue>) {
        self.0.push(Header {
            name,
            value: value.into(),
        });
    }

    /// Inserts a line before the first line of the same name (at the top if there is none):
    /// where a proxy adds its Via or Record-Route.
    pub fn prepend(&mut self, name: HeaderName, value: impl Into<HeaderValue>) {
        let at = self.0.iter().position(|h| h.name == name).unwrap_or(0);
        self.insert(at, name, value);
    }

    /// Inserts a line at `index` (clamped to the end).
    pub fn insert(&mut self, index: usize, name: HeaderName, value: impl Into<HeaderValue>) {
        let index = index.min(self.0.len());
        self.0.insert(
            index,
            Header {
                name,
                value: value.into(),
            },
        );
    }

    /// Replaces every line named `name` by one line with `value`, where the first one was
    /// (appended if there was none).
    pub fn set(&mut self, name: HeaderName, value: impl Into<HeaderValue>) {
        let value = value.into();
        match self.0.iter().position(|h| h.name == name) {
            Some(at) => {
                let mut index = 0;
                self.0.retain(|h| {
                    let keep = h.name != name || index == at;
                    index += 1;
                    keep
                });
                if let Some(h) = self.0.get_mut(at) {
                    h.value = value;
                }
            }
            None => self.push(name, value),
        }
    }

    /// Removes every line named `name`; returns how many there were.
    pub fn remove(&mut self, name: &HeaderName) -> usize {
        let before = self.0.len();
        self.0.retain(|h| h.name != *name);
        before - self.0.len()
    }

    /// Keeps only the lines for which `keep` is true.
    pub fn retain(&mut self, keep: impl FnMut(&Header) -> bool) {
        self.0.retain(keep);
    }

    /// Removes the first element of a list header (the top Via, the next Route), rewriting
    /// its line when it held several comma-separated values. Returns the element's text.
    pub fn pop_first_value(&mut self, name: &HeaderName) -> Option<String> {
        let at = self.0.iter().position(|h| h.name == *name)?;
        let header = self.0.get_mut(at)?;
        let text = String::from_utf8_lossy(header.value.as_bytes()).into_owned();
        let mut items = split_list(&text);
        let first = items.next().unwrap_or_default().to_owned();
        let rest: Vec<&str> = items.collect();
        if rest.is_empty() {
            self.0.remove(at);
        } else {
            header.value = HeaderValue::from(rest.join(", "));
        }
        Some(first)
    }

    /// Replaces the first element of a list header (the top Via) by `value`: in place when
    /// its line holds that element alone (the common case: no copy of the other elements),
    /// else as [`Headers::pop_first_value`] then [`Headers::prepend`].
    pub fn replace_first_value(&mut self, name: &HeaderName, value: impl Into<HeaderValue>) {
        let Some(header) = self.0.iter_mut().find(|h| h.name == *name) else {
            return self.prepend(name.clone(), value);
        };
        let alone = header
            .value
            .to_str()
            .is_some_and(|text| split_list(text).nth(1).is_none());
        if alone {
            header.value = value.into();
        } else {
            self.pop_first_value(name);
            self.prepend(name.clone(), value);
        }
    }

    /// The only value of a single-valued header, as text; `Ok(None)` when absent.
    pub fn single_str(&self, name: &HeaderName) -> Result<Option<&str>, HeaderError> {
        let mut values = self.get_all(name);
        let Some(first) = values.next() else {
            return Ok(None);
        };
        if values.next().is_some() {
            return Err(HeaderError::Duplicate(name.clone()));
        }
        first
            .to_str()
            .map(Some)
            .ok_or_else(|| HeaderError::invalid(name, SyntaxError("not UTF-8")))
    }

    /// Parses the only value of a single-valued header; `Ok(None)` when absent.
    pub(crate) fn single<T>(
        &self,
        name: &HeaderName,
        parse: impl FnOnce(&str) -> Result<T, SyntaxError>,
    ) -> Result<Option<T>, HeaderError> {
        match self.single_str(name)? {
            Some(value) => parse(value)
                .map(Some)
                .map_err(|e| HeaderError::invalid(name, e)),
            None => Ok(None),
        }
    }

    /// Parses the only value of a header the message cannot do without.
    pub(crate) fn required<T>(
        &self,
        name: &HeaderName,
        parse: impl FnOnce(&str) -> Result<T, SyntaxError>,
    ) -> Result<T, HeaderError> {
        self.single(name, parse)?
            .ok_or_else(|| HeaderError::Missing(name.clone()))
    }

    /// The elements of a list header across all its lines, trimmed, as text.
    pub fn list_items(&self, name: &HeaderName) -> ListItems<'_> {
        ListItems {
            lines: self.0.iter(),
            name: name.clone(),
            current: None,
        }
    }

    /// Parses every element of a list header.
    pub(crate) fn list<T>(
        &self,
        name: &HeaderName,
        mut parse: impl FnMut(&str) -> Result<T, SyntaxError>,
    ) -> Result<Vec<T>, HeaderError> {
        self.list_items(name)
            .map(|item| item.and_then(|s| parse(s).map_err(|e| HeaderError::invalid(name, e))))
            .collect()
    }

    pub(crate) fn push_header(&mut self, header: Header) {
        self.0.push(header);
    }
}

/// Iterator of [`Headers::list_items`]: each element, or an error for an empty element or
/// a line that is not UTF-8.
pub struct ListItems<'a> {
    lines: std::slice::Iter<'a, Header>,
    name: HeaderName,
    current: Option<crate::scan::ListSplit<'a>>,
}

impl<'a> Iterator for ListItems<'a> {
    type Item = Result<&'a str, HeaderError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.current.as_mut().and_then(Iterator::next) {
                return Some(if item.is_empty() {
                    Err(HeaderError::invalid(
                        &self.name,
                        SyntaxError("empty list element"),
                    ))
                } else {
                    Ok(item)
                });
            }
            let line = self.lines.find(|h| h.name == self.name)?;
            match line.value.to_str() {
                Some(text) => self.current = Some(split_list(text)),
                None => {
                    self.current = None;
                    return Some(Err(HeaderError::invalid(
                        &self.name,
                        SyntaxError("not UTF-8"),
                    )));
                }
            }
        }
    }
}

impl<'a> IntoIterator for &'a Headers {
    type Item = &'a Header;
    type IntoIter = std::slice::Iter<'a, Header>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Headers {
        let mut h = Headers::new();
        h.push(
            HeaderName::Via,
            "SIP/2.0/UDP a;branch=z9hG4bK1, SIP/2.0/UDP b",
        );
        h.push(HeaderName::To, "<sip:b@x>");
        h.push(HeaderName::Via, "SIP/2.0/UDP c");
        h
    }

    #[test]
    fn list_items_span_lines_and_commas() {
        let h = sample();
        let items: Vec<_> = h.list_items(&HeaderName::Via).map(Result::unwrap).collect();
        assert_eq!(
            items,
            [
                "SIP/2.0/UDP a;branch=z9hG4bK1",
                "SIP/2.0/UDP b",
                "SIP/2.0/UDP c"
            ]
        );
    }

    #[test]
    fn pop_first_value_rewrites_a_multi_value_line() {
        let mut h = sample();
        assert_eq!(
            h.pop_first_value(&HeaderName::Via).as_deref(),
            Some("SIP/2.0/UDP a;branch=z9hG4bK1")
        );
        assert_eq!(
            h.get(&HeaderName::Via).unwrap().to_str(),
            Some("SIP/2.0/UDP b")
        );
        h.pop_first_value(&HeaderName::Via);
        assert_eq!(h.count(&HeaderName::Via), 1);
    }

    #[test]
    fn replacing_the_first_value_keeps_the_others() {
        let mut h = sample();
        h.replace_first_value(&HeaderName::Via, "SIP/2.0/UDP new");
        let vias: Vec<_> = h.list_items(&HeaderName::Via).map(Result::unwrap).collect();
        assert_eq!(vias, ["SIP/2.0/UDP new", "SIP/2.0/UDP b", "SIP/2.0/UDP c"]);
        let mut alone = Headers::new();
        alone.push(HeaderName::To, "<sip:b@x>");
        alone.push(HeaderName::Via, "SIP/2.0/UDP a");
        alone.replace_first_value(&HeaderName::Via, "SIP/2.0/UDP z");
        let names: Vec<_> = alone.iter().map(|h| h.name.clone()).collect();
        assert_eq!(names, [HeaderName::To, HeaderName::Via]);
        assert_eq!(
            alone.get(&HeaderName::Via).unwrap().to_str(),
            Some("SIP/2.0/UDP z")
        );
    }

    #[test]
    fn set_replaces_all_in_place_of_the_first() {
        let mut h = sample();
        h.set(HeaderName::Via, "SIP/2.0/TCP d");
        assert_eq!(h.count(&HeaderName::Via), 1);
        assert_eq!(h.iter().next().unwrap().name, HeaderName::Via);
    }

    #[test]
    fn prepend_goes_above_the_first_of_its_name() {
        let mut h = Headers::new();
        h.push(HeaderName::To, "<sip:b@x>");
        h.push(HeaderName::Via, "SIP/2.0/UDP c");
        h.prepend(HeaderName::Via, "SIP/2.0/UDP top");
        let names: Vec<_> = h.iter().map(|h| h.name.clone()).collect();
        assert_eq!(names, [HeaderName::To, HeaderName::Via, HeaderName::Via]);
        assert_eq!(
            h.get(&HeaderName::Via).unwrap().to_str(),
            Some("SIP/2.0/UDP top")
        );
    }

    #[test]
    fn built_values_cannot_inject_lines() {
        let v = HeaderValue::from("a\r\nVia: evil".to_owned());
        assert_eq!(v.to_str(), Some("a  Via: evil"));
    }

    #[test]
    fn a_repeated_single_header_is_a_duplicate() {
        let mut h = Headers::new();
        h.push(HeaderName::CallId, "a");
        h.push(HeaderName::CallId, "b");
        assert_eq!(
            h.single_str(&HeaderName::CallId),
            Err(HeaderError::Duplicate(HeaderName::CallId))
        );
    }
}
