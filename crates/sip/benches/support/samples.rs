//! Sample messages shared by the `sip` benches: a desk phone's INVITE with SDP, as a B2BUA on
//! 127.0.0.1 receives it (12 headers, ~250 bytes of SDP).

/// The INVITE, byte for byte as it arrives.
pub const INVITE: &[u8] = b"INVITE sip:+33140000000@127.0.0.1 SIP/2.0\r\n\
Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK776asdhds;rport\r\n\
Max-Forwards: 70\r\n\
To: <sip:+33140000000@127.0.0.1>\r\n\
From: \"Alice\" <sip:alice@example.com>;tag=1928301774\r\n\
Call-ID: a84b4c76e66710@pc33.example.com\r\n\
CSeq: 314159 INVITE\r\n\
Contact: <sip:alice@127.0.0.1:5070;transport=udp>\r\n\
Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, REFER, NOTIFY\r\n\
Supported: replaces, timer\r\n\
User-Agent: Yealink SIP-T46U 108.86.0.20\r\n\
Content-Type: application/sdp\r\n\
Content-Length: 248\r\n\
\r\n\
v=0\r\n\
o=- 1730389718 2087642251 IN IP4 127.0.0.1\r\n\
s=-\r\n\
c=IN IP4 127.0.0.1\r\n\
t=0 0\r\n\
m=audio 10140 RTP/AVP 0 8 101\r\n\
a=rtpmap:0 PCMU/8000\r\n\
a=rtpmap:8 PCMA/8000\r\n\
a=rtpmap:101 telephone-event/8000\r\n\
a=fmtp:101 0-16\r\n\
a=ptime:20\r\n\
a=maxptime:150\r\n\
a=sendrecv\r\n";
