//! One dialog's state (RFC 3261 §12): its ID, the local and remote URIs with their tags, the
//! remote target, the route set and both CSeq spaces; creating it on either side, building
//! requests inside it (§12.2.1.1, the ACK of a 2xx per §13.2.2.4), and checking the requests
//! received in it (§12.2.2).

use crate::builder::RequestBuilder;
use crate::header::{Contacts, NameAddr, Via};
use crate::headers::Headers;
use crate::method::Method;
use crate::request::Request;
use crate::response::Response;
use crate::status::StatusCode;
use crate::transaction::Peer;
use crate::uri::Uri;

use super::{DialogError, DialogId};

/// Which side created the dialog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// We sent the INVITE.
    Uac,
    /// We received it.
    Uas,
}

/// Early (a provisional response with a To tag) or confirmed (a 2xx).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DialogState {
    /// Created by a 1xx with a To tag.
    Early,
    /// Created or confirmed by a 2xx.
    Confirmed,
}

/// A dialog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dialog {
    id: DialogId,
    role: Role,
    state: DialogState,
    local: NameAddr,
    remote: NameAddr,
    remote_target: Uri,
    route_set: Vec<NameAddr>,
    local_cseq: Option<u32>,
    remote_cseq: Option<u32>,
    peer: Peer,
}

/// The first Contact's URI, if the message has one.
fn contact_uri(headers: &Headers) -> Option<Uri> {
    match headers.contacts().ok()? {
        Contacts::Addresses(list) => list.into_iter().next().map(|a| a.uri),
        Contacts::Wildcard => None,
    }
}

fn state_for(status: StatusCode) -> DialogState {
    if status.is_success() {
        DialogState::Confirmed
    } else {
        DialogState::Early
    }
}

impl Dialog {
    /// The UAC's dialog from the request it sent and a 1xx (with To tag) or 2xx response
    /// (§12.1.2): route set from Record-Route reversed, remote target from Contact.
    /// `peer` is where requests in the dialog go (the INVITE's destination).
    pub fn uac(request: &Request, response: &Response, peer: Peer) -> Result<Dialog, DialogError> {
        let id = DialogId::of_received_response(response).ok_or(DialogError::MissingTag)?;
        let mut route_set = response.headers.record_routes()?;
        route_set.reverse();
        Ok(Dialog {
            id,
            role: Role::Uac,
            state: state_for(response.status),
            local: request.headers.from()?,
            remote: response.headers.to()?,
            remote_target: contact_uri(&response.headers).unwrap_or_else(|| request.uri.clone()),
            route_set,
            local_cseq: Some(request.headers.cseq()?.seq),
            remote_cseq: None,
            peer,
        })
    }

    /// The UAS's dialog from the request it received and the response it sends, which
    /// carries our To tag (§12.1.1): route set from Record-Route in order, remote target from
    /// Contact, remote CSeq from the request. `peer` is where requests in the dialog go (the
    /// request's source).
    pub fn uas(request: &Request, response: &Response, peer: Peer) -> Result<Dialog, DialogError> {
        let id = DialogId::of_sent_response(response).ok_or(DialogError::MissingTag)?;
        let remote = request.headers.from()?;
        let remote_target = contact_uri(&request.headers).unwrap_or_else(|| remote.uri.clone());
        Ok(Dialog {
            id,
            role: Role::Uas,
            state: state_for(response.status),
            local: response.headers.to()?,
            remote,
            remote_target,
            route_set: request.headers.record_routes()?,
            local_cseq: None,
            remote_cseq: Some(request.headers.cseq()?.seq),
            peer,
        })
    }

    /// The dialog ID.
    pub fn id(&self) -> &DialogId {
        &self.id
    }

    /// Which side we are.
    pub fn role(&self) -> Role {
        self.role
    }

    /// Early or confirmed.
    pub fn state(&self) -> DialogState {
        self.state
    }

    /// Our URI and tag (From of our requests).
    pub fn local(&self) -> &NameAddr {
        &self.local
    }

    /// The peer's URI and tag (To of our requests).
    pub fn remote(&self) -> &NameAddr {
        &self.remote
    }

    /// Where requests in the dialog are addressed (the peer's Contact).
    pub fn remote_target(&self) -> &Uri {
        &self.remote_target
    }

    /// The route set, in the order requests carry it.
    pub fn route_set(&self) -> &[NameAddr] {
        &self.route_set
    }

    /// The CSeq of our latest request in the dialog.
    pub fn local_cseq(&self) -> Option<u32> {
        self.local_cseq
    }

    /// The CSeq of the peer's latest request in the dialog.
    pub fn remote_cseq(&self) -> Option<u32> {
        self.remote_cseq
    }

    /// Where requests in the dialog are sent (the server may choose otherwise).
    pub fn peer(&self) -> &Peer {
        &self.peer
    }

    /// A later response of the dialog-creating INVITE (UAC): an early dialog takes the
    /// latest target and route set, and a 2xx confirms it with its own (§12.1.2, §13.2.2.4).
    pub fn update_from_response(&mut self, response: &Response) {
        if self.state == DialogState::Confirmed {
            return;
        }
        if let Ok(mut routes) = response.headers.record_routes() {
            routes.reverse();
            self.route_set = routes;
        }
        self.refresh_target(&response.headers);
        self.state = state_for(response.status);
    }

    /// A target refresh (re-INVITE or UPDATE received, 2xx to ours): the remote target
    /// becomes the message's Contact, if it has one.
    pub fn refresh_target(&mut self, headers: &Headers) {
        if let Some(uri) = contact_uri(headers) {
            self.remote_target = uri;
        }
    }

    /// Confirms an early dialog (UAS sending its 2xx).
    pub(crate) fn confirm(&mut self) {
        self.state = DialogState::Confirmed;
    }

    /// Takes the next local CSeq (an empty local sequence starts at 1).
    fn next_cseq(&mut self) -> u32 {
        let next = self.local_cseq.map_or(1, |n| n.saturating_add(1));
        self.local_cseq = Some(next);
        next
    }

    /// A request in the dialog (§12.2.1.1): Request-URI and Route from the remote target
    /// and route set, From/To/Call-ID from the dialog, the next local CSeq. The caller adds
    /// Contact (for a target refresh), a body and other headers, and sends it in a new client
    /// transaction. Not for ACK (see [`Dialog::ack`]) or CANCEL
    /// ([`crate::transaction::TransactionLayer::cancel`]), which take no new CSeq.
    pub fn request(&mut self, method: Method, via: Via) -> RequestBuilder {
        let cseq = self.next_cseq();
        RequestBuilder::in_dialog(method, &self.remote_target, &self.route_set)
            .via(via)
            .from(self.local.clone())
            .to(self.remote.clone())
            .call_id(&self.id.call_id)
            .cseq(cseq)
    }

    /// The ACK of a 2xx to the INVITE with CSeq `invite_cseq` (§13.2.2.4): a request in the
    /// dialog with the INVITE's CSeq number, sent outside any transaction.
    pub fn ack(&self, invite_cseq: u32, via: Via) -> Request {
        RequestBuilder::in_dialog(Method::Ack, &self.remote_target, &self.route_set)
            .via(via)
            .from(self.local.clone())
            .to(self.remote.clone())
            .call_id(&self.id.call_id)
            .cseq(invite_cseq)
            .build()
    }

    /// Checks a request received in the dialog (§12.2.2) and applies it: a CSeq lower than
    /// the last one is refused (`Err(500)`); a re-INVITE or UPDATE refreshes the remote
    /// target. ACK and CANCEL are not checked (they reuse the INVITE's CSeq).
    pub fn receive_request(&mut self, request: &Request) -> Result<(), StatusCode> {
        if matches!(request.method, Method::Ack | Method::Cancel) {
            return Ok(());
        }
        let seq = request
            .headers
            .cseq()
            .map_err(|_| StatusCode::BAD_REQUEST)?
            .seq;
        if self.remote_cseq.is_some_and(|last| seq < last) {
            return Err(StatusCode::SERVER_INTERNAL_ERROR);
        }
        self.remote_cseq = Some(seq);
        if matches!(request.method, Method::Invite | Method::Update) {
            self.refresh_target(&request.headers);
        }
        Ok(())
    }
}
