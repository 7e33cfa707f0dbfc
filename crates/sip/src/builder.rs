//! Building new requests: the INVITE a B2BUA sends to an agent's phone, a REGISTER to a trunk,
//! and in-dialog requests (RFC 3261 §12.2.1.1), whose Request-URI and Route set depend on
//! whether the first route is a loose router.
//!
//! ```
//! use sip::header::{NameAddr, Transport, Via};
//! use sip::{Host, Method, RequestBuilder, Uri};
//!
//! let remote_target: Uri = "sip:agent7@192.0.2.20:5062".parse()?;
//! let route_set = [NameAddr::parse("<sip:lb.example.com;lr>")?];
//! let mut local = NameAddr::parse("<sip:queue@pbx.example.com>")?;
//! local.set_tag("b2bua-4f1");
//! let mut remote = NameAddr::parse("<sip:agent7@pbx.example.com>")?;
//! remote.set_tag("ph-9c2");
//! let bye = RequestBuilder::in_dialog(Method::Bye, &remote_target, &route_set)
//!     .via(Via::new(Transport::Udp, Host::parse("192.0.2.1")?, Some(5060), "z9hG4bKb2b1"))
//!     .from(local)
//!     .to(remote)
//!     .call_id("f81d4fae@pbx.example.com")
//!     .cseq(3)
//!     .build();
//! assert_eq!(bye.uri, remote_target);
//! assert_eq!(bye.headers.cseq()?.to_string(), "3 BYE");
//! assert_eq!(bye.headers.routes()?.len(), 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use bytes::Bytes;

use crate::header::{CSeq, NameAddr, Via};
use crate::header_name::HeaderName;
use crate::headers::{HeaderValue, Headers};
use crate::method::Method;
use crate::request::Request;
use crate::uri::Uri;

/// Collects the parts of a request and writes its headers in the usual order: Via, Route,
/// Max-Forwards, From, To, Call-ID, CSeq, Contact, the extra headers, Content-Type,
/// Content-Length. Parts not given are left out.
#[derive(Debug, Clone)]
pub struct RequestBuilder {
    method: Method,
    uri: Uri,
    vias: Vec<Via>,
    routes: Vec<NameAddr>,
    max_forwards: u8,
    from: Option<NameAddr>,
    to: Option<NameAddr>,
    call_id: Option<String>,
    cseq: u32,
    contact: Option<NameAddr>,
    extra: Headers,
    body: Option<(String, Bytes)>,
}

impl RequestBuilder {
    /// A request to `uri`; Max-Forwards 70 and CSeq 1 unless set.
    pub fn new(method: Method, uri: Uri) -> RequestBuilder {
        RequestBuilder {
            method,
            uri,
            vias: Vec::new(),
            routes: Vec::new(),
            max_forwards: 70,
            from: None,
            to: None,
            call_id: None,
            cseq: 1,
            contact: None,
            extra: Headers::new(),
            body: None,
        }
    }

    /// An in-dialog request (RFC 3261 §12.2.1.1). With no route set, or a first route that
    /// is a loose router (`;lr`), the Request-URI is the remote target and Route is the
    /// route set. Otherwise (a strict router) the Request-URI is the first route's URI and
    /// the remote target goes last in Route.
    pub fn in_dialog(
        method: Method,
        remote_target: &Uri,
        route_set: &[NameAddr],
    ) -> RequestBuilder {
        let strict_first = route_set
            .first()
            .filter(|r| !r.uri.as_sip().is_some_and(|u| u.is_loose_router()));
        let Some(first) = strict_first else {
            let mut builder = RequestBuilder::new(method, remote_target.clone());
            builder.routes = route_set.to_vec();
            return builder;
        };
        let mut uri = first.uri.clone();
        if let Some(sip) = uri.as_sip_mut() {
            // Parameters a Request-URI may not carry (RFC 3261 §19.1.1).
            sip.headers = None;
            sip.params.remove("method");
        }
        let mut builder = RequestBuilder::new(method, uri);
        builder.routes = route_set.iter().skip(1).cloned().collect();
        builder.routes.push(NameAddr::new(remote_target.clone()));
        builder
    }

    /// Adds a Via (call in order, top first).
    pub fn via(mut self, via: Via) -> RequestBuilder {
        self.vias.push(via);
        self
    }

    /// Sets the Route set.
    pub fn routes(mut self, routes: Vec<NameAddr>) -> RequestBuilder {
        self.routes = routes;
        self
    }

    /// Sets Max-Forwards.
    pub fn max_forwards(mut self, hops: u8) -> RequestBuilder {
        self.max_forwards = hops;
        self
    }

    /// Sets From (with its tag).
    pub fn from(mut self, from: NameAddr) -> RequestBuilder {
        self.from = Some(from);
        self
    }

    /// Sets To.
    pub fn to(mut self, to: NameAddr) -> RequestBuilder {
        self.to = Some(to);
        self
    }

    /// Sets Call-ID.
    pub fn call_id(mut self, call_id: &str) -> RequestBuilder {
        self.call_id = Some(call_id.to_owned());
        self
    }

    /// Sets the CSeq number (the method is the request's).
    pub fn cseq(mut self, seq: u32) -> RequestBuilder {
        self.cseq = seq;
        self
    }

    /// Sets Contact.
    pub fn contact(mut self, contact: NameAddr) -> RequestBuilder {
        self.contact = Some(contact);
        self
    }

    /// Adds any other header line.
    pub fn header(mut self, name: HeaderName, value: impl Into<HeaderValue>) -> RequestBuilder {
        self.extra.push(name, value);
        self
    }

    /// Sets the body and its type.
    pub fn body(mut self, content_type: &str, body: Bytes) -> RequestBuilder {
        self.body = Some((content_type.to_owned(), body));
        self
    }

    /// The request.
    pub fn build(self) -> Request {
        let mut request = Request::new(self.method.clone(), self.uri);
        let h = &mut request.headers;
        for via in &self.vias {
            h.push(HeaderName::Via, via.to_string());
        }
        for route in &self.routes {
            h.push(HeaderName::Route, route.to_string());
        }
        h.push(HeaderName::MaxForwards, self.max_forwards.to_string());
        if let Some(from) = &self.from {
            h.push(HeaderName::From, from.to_string());
        }
        if let Some(to) = &self.to {
            h.push(HeaderName::To, to.to_string());
        }
        if let Some(call_id) = self.call_id {
            h.push(HeaderName::CallId, call_id);
        }
        h.push(
            HeaderName::CSeq,
            CSeq::new(self.cseq, self.method).to_string(),
        );
        if let Some(contact) = &self.contact {
            h.push(HeaderName::Contact, contact.to_string());
        }
        for header in &self.extra {
            h.push(header.name.clone(), header.value.clone());
        }
        match self.body {
            Some((content_type, body)) => request.set_body(&content_type, body),
            None => request.headers.push(HeaderName::ContentLength, "0"),
        }
        request
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(s: &str) -> NameAddr {
        NameAddr::parse(s).unwrap()
    }

    #[test]
    fn strict_router_goes_into_the_request_uri() {
        let target: Uri = "sip:bob@192.0.2.4".parse().unwrap();
        let routes = [
            addr("<sip:p1.example.com;method=INVITE>"),
            addr("<sip:p2.example.com;lr>"),
        ];
        let req = RequestBuilder::in_dialog(Method::Bye, &target, &routes).build();
        assert_eq!(req.uri.to_string(), "sip:p1.example.com");
        let route_uris: Vec<String> = req
            .headers
            .routes()
            .unwrap()
            .iter()
            .map(|r| r.uri.to_string())
            .collect();
        assert_eq!(route_uris, ["sip:p2.example.com;lr", "sip:bob@192.0.2.4"]);
    }

    #[test]
    fn no_route_set_targets_the_remote_directly() {
        let target: Uri = "sip:bob@192.0.2.4".parse().unwrap();
        let req = RequestBuilder::in_dialog(Method::Info, &target, &[]).build();
        assert_eq!(req.uri, target);
        assert!(!req.headers.contains(&HeaderName::Route));
    }

    #[test]
    fn body_sets_type_and_length() {
        let req = RequestBuilder::new(Method::Invite, "sip:a@b".parse().unwrap())
            .body("application/sdp", Bytes::from_static(b"v=0\r\n"))
            .build();
        assert_eq!(req.headers.content_length(), Ok(Some(5)));
        assert_eq!(
            req.headers.content_type().unwrap().unwrap().essence(),
            "application/sdp"
        );
        assert_eq!(req.headers.max_forwards(), Ok(Some(70)));
    }
}
