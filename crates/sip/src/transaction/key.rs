//! Matching messages to transactions (RFC 3261 §17.1.3 and §17.2.3).
//!
//! A response matches a client transaction by the branch of its top Via and the method of its
//! CSeq (a CANCEL shares the INVITE's branch but is its own transaction). A request matches a
//! server transaction by branch, sent-by and method, with ACK counted as INVITE; a CANCEL
//! looks for the INVITE it cancels with the same key and method INVITE. When the branch lacks
//! the magic cookie (an RFC 2543 element), the Request-URI, From tag, Call-ID, CSeq number
//! and the whole top Via stand in for it. The To tag, which §17.2.3 adds, is checked by the
//! layer after the lookup, because an ACK carries the tag of the response, not the request's.

use crate::error::HeaderError;
use crate::header::Via;
use crate::header_name::HeaderName;
use crate::method::Method;
use crate::request::Request;
use crate::response::Response;

/// The method a request is matched under: ACK joins its INVITE.
fn matched_method(method: &Method) -> Method {
    match method {
        Method::Ack => Method::Invite,
        other => other.clone(),
    }
}

/// What identifies a client transaction.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct ClientMatch {
    branch: String,
    method: Method,
}

impl ClientMatch {
    /// The key of a request about to be sent; it must carry an RFC 3261 branch.
    pub(crate) fn for_request(request: &Request) -> Result<Option<ClientMatch>, HeaderError> {
        let via = request.headers.top_via()?;
        Ok(via.rfc3261_branch().map(|branch| ClientMatch {
            branch: branch.to_owned(),
            method: request.method.clone(),
        }))
    }

    /// The key a received response points at.
    pub(crate) fn for_response(response: &Response) -> Option<ClientMatch> {
        let via = response.headers.top_via().ok()?;
        let cseq = response.headers.cseq().ok()?;
        Some(ClientMatch {
            branch: via.branch()?.to_owned(),
            method: cseq.method,
        })
    }

    /// The key of the CANCEL of the transaction with this key.
    pub(crate) fn cancel(&self) -> ClientMatch {
        ClientMatch {
            branch: self.branch.clone(),
            method: Method::Cancel,
        }
    }
}

/// What identifies a server transaction.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum ServerMatch {
    /// RFC 3261: branch, sent-by, method.
    Branch {
        branch: String,
        host: String,
        port: u16,
        method: Method,
    },
    /// RFC 2543 fallback.
    Legacy {
        uri: String,
        from_tag: String,
        call_id: String,
        cseq: u32,
        via: String,
        method: Method,
    },
}

impl ServerMatch {
    /// The key of a received request whose top Via is `via`.
    pub(crate) fn for_request(request: &Request, via: &Via) -> Result<ServerMatch, HeaderError> {
        let method = matched_method(&request.method);
        if let Some(branch) = via.rfc3261_branch() {
            return Ok(ServerMatch::Branch {
                branch: branch.to_owned(),
                host: {
                    let mut host = via.host.to_string();
                    host.make_ascii_lowercase();
                    host
                },
                port: via.port_or_default(),
                method,
            });
        }
        let h = &request.headers;
        let cseq = h.cseq()?;
        let raw_via = h
            .list_items(&HeaderName::Via)
            .next()
            .ok_or(HeaderError::Missing(HeaderName::Via))??;
        Ok(ServerMatch::Legacy {
            uri: request.uri.to_string(),
            from_tag: h.from()?.tag().unwrap_or_default().to_owned(),
            call_id: h.call_id()?.to_owned(),
            cseq: cseq.seq,
            via: raw_via.to_owned(),
            method,
        })
    }

    /// The key of the INVITE a CANCEL with this key cancels.
    pub(crate) fn cancelled_invite(&self) -> ServerMatch {
        let mut key = self.clone();
        match &mut key {
            ServerMatch::Branch { method, .. } | ServerMatch::Legacy { method, .. } => {
                *method = Method::Invite;
            }
        }
        key
    }

    /// True for the RFC 2543 form, whose To tags the layer checks itself.
    pub(crate) fn is_legacy(&self) -> bool {
        matches!(self, ServerMatch::Legacy { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::Message;
    use crate::status::StatusCode;

    fn request(text: &str) -> Request {
        match Message::parse_slice(text.as_bytes()).unwrap() {
            Message::Request(r) => r,
            other => panic!("{other:?}"),
        }
    }

    const INVITE: &str = "INVITE sip:bob@example.com SIP/2.0\r\n\
        Via: SIP/2.0/UDP PC33.example.com;branch=z9hG4bKnashds8\r\n\
        From: <sip:alice@example.com>;tag=1\r\nTo: <sip:bob@example.com>\r\n\
        Call-ID: c@h\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";

    fn key(r: &Request) -> ServerMatch {
        ServerMatch::for_request(r, &r.headers.top_via().unwrap()).unwrap()
    }

    #[test]
    fn ack_of_a_non_2xx_matches_its_invite() {
        let invite = request(INVITE);
        let ack = invite
            .ack_for(&Response::for_request(
                &invite,
                StatusCode::BUSY_HERE,
                Some("x"),
            ))
            .unwrap();
        assert_eq!(key(&ack), key(&invite));
    }

    #[test]
    fn cancel_is_its_own_transaction_but_names_its_invite() {
        let invite = request(INVITE);
        let cancel = invite.cancel().unwrap();
        assert_ne!(key(&cancel), key(&invite));
        assert_eq!(key(&cancel).cancelled_invite(), key(&invite));
    }

    #[test]
    fn sent_by_host_compares_without_case() {
        let a = request(INVITE);
        let b = request(&INVITE.replace("PC33.example.com", "pc33.EXAMPLE.com:5060"));
        assert_eq!(key(&a), key(&b));
    }

    #[test]
    fn a_different_sent_by_is_a_different_transaction() {
        let a = request(INVITE);
        let b = request(&INVITE.replace("PC33.example.com", "pc34.example.com"));
        assert_ne!(key(&a), key(&b));
    }

    #[test]
    fn responses_match_by_branch_and_cseq_method() {
        let invite = request(INVITE);
        let cancel = invite.cancel().unwrap();
        let to_invite = Response::for_request(&invite, StatusCode::RINGING, Some("t"));
        let to_cancel = Response::for_request(&cancel, StatusCode::OK, Some("t"));
        let invite_key = ClientMatch::for_request(&invite).unwrap().unwrap();
        assert_eq!(
            ClientMatch::for_response(&to_invite),
            Some(invite_key.clone())
        );
        assert_eq!(
            ClientMatch::for_response(&to_cancel),
            Some(invite_key.cancel())
        );
    }
}
