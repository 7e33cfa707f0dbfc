//! The dialog ID (RFC 3261 §12): Call-ID, local tag and remote tag, read from a message as
//! the element that received it sees them.
//!
//! Every message of a dialog is looked up by its ID, so the tags are read without parsing the
//! whole From and To values when they have the usual `... <uri>;params` shape.

use std::fmt;

use crate::header::NameAddr;
use crate::header_name::HeaderName;
use crate::headers::Headers;
use crate::request::Request;
use crate::response::Response;
use crate::scan::trim_ws;

/// Call-ID, local tag, remote tag. A tag an RFC 2543 peer left out is the empty string.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DialogId {
    /// The Call-ID.
    pub call_id: String,
    /// Our tag (From for the UAC, To for the UAS).
    pub local_tag: String,
    /// The peer's tag.
    pub remote_tag: String,
}

/// The `tag` of the only From or To line: `Err(())` when the header is missing, repeated or
/// malformed, `Ok(None)` when it has no tag.
pub(crate) fn tag(headers: &Headers, name: &HeaderName) -> Result<Option<String>, ()> {
    let mut lines = headers.get_all(name);
    let (Some(value), None) = (lines.next(), lines.next()) else {
        return Err(());
    };
    let text = value.to_str().ok_or(())?;
    // Without quotes, the last `>` closes the URI (no URI component may hold a bare `>`),
    // and the header parameters follow it. Other shapes take the full parser.
    if !text.contains('"')
        && let Some(close) = text.rfind('>')
    {
        let params = text.get(close + 1..).ok_or(())?;
        return Ok(params.split(';').skip(1).find_map(|param| {
            let (name, value) = param.split_once('=')?;
            trim_ws(name)
                .eq_ignore_ascii_case("tag")
                .then(|| trim_ws(value).to_owned())
        }));
    }
    let addr = NameAddr::parse(text).map_err(|_| ())?;
    Ok(addr.tag().map(str::to_owned))
}

impl DialogId {
    fn read(headers: &Headers, local: &HeaderName, remote: &HeaderName) -> Option<DialogId> {
        Some(DialogId {
            local_tag: tag(headers, local).ok()??,
            remote_tag: tag(headers, remote).ok()?.unwrap_or_default(),
            call_id: headers.call_id().ok()?.to_owned(),
        })
    }

    /// The dialog a received request belongs to: local tag from To, remote from From.
    /// `None` when To has no tag (a request outside any dialog) or a header is unreadable.
    pub fn of_received_request(request: &Request) -> Option<DialogId> {
        DialogId::read(&request.headers, &HeaderName::To, &HeaderName::From)
    }

    /// The dialog a received response belongs to: local tag from From, remote from To (empty
    /// when the peer put none).
    pub fn of_received_response(response: &Response) -> Option<DialogId> {
        let h = &response.headers;
        Some(DialogId {
            local_tag: tag(h, &HeaderName::From).ok()?.unwrap_or_default(),
            remote_tag: tag(h, &HeaderName::To).ok()?.unwrap_or_default(),
            call_id: h.call_id().ok()?.to_owned(),
        })
    }

    /// The dialog a response this element sends belongs to (UAS): local tag from To (`None`
    /// without one), remote from From.
    pub fn of_sent_response(response: &Response) -> Option<DialogId> {
        DialogId::read(&response.headers, &HeaderName::To, &HeaderName::From)
    }
}

impl fmt::Display for DialogId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{};local={};remote={}",
            self.call_id, self.local_tag, self.remote_tag
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag_of(value: &'static str) -> Result<Option<String>, ()> {
        let mut h = Headers::new();
        h.push(HeaderName::To, value);
        tag(&h, &HeaderName::To)
    }

    #[test]
    fn the_fast_reading_agrees_with_the_parser() {
        for value in [
            "<sip:a@example.com>;tag=abc",
            "Bob <sip:a@example.com;transport=tcp>;x=1; TAG = t9 ;y",
            "<sip:a@example.com;tag=inside>",
            "\"Quoted > name\" <sip:a@example.com>;tag=q",
            "sip:a@example.com;tag=spec",
            "<sip:user;tag=x@example.com>;tag=real",
            "<sip:a@example.com>",
        ] {
            let parsed = NameAddr::parse(value)
                .unwrap_or_else(|e| panic!("{value}: {e}"))
                .tag()
                .map(str::to_owned);
            assert_eq!(tag_of(value), Ok(parsed), "{value}");
        }
    }

    #[test]
    fn a_missing_or_repeated_header_names_no_dialog() {
        let mut h = Headers::new();
        assert_eq!(tag(&h, &HeaderName::To), Err(()));
        h.push(HeaderName::To, "<sip:a@b>;tag=1");
        h.push(HeaderName::To, "<sip:a@b>;tag=2");
        assert_eq!(tag(&h, &HeaderName::To), Err(()));
    }
}
