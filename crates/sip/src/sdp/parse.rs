//! The SDP parser: one pass over the lines, each checked for its shape and its place.

use super::description::{
    Attribute, Bandwidth, Connection, MediaDescription, Origin, SessionDescription, Timing,
};
use super::{Defect, ParseError};

/// Where the parser is in the body.
enum Stage {
    /// Expecting `v=0`.
    Version,
    /// Expecting `o=`.
    Origin,
    /// In the session section.
    Session,
    /// In a media section (the last of `media`).
    Media,
}

struct Parts {
    origin: Option<Origin>,
    session_name: Option<String>,
    information: Option<String>,
    uri: Option<String>,
    emails: Vec<String>,
    phones: Vec<String>,
    connection: Option<Connection>,
    bandwidths: Vec<Bandwidth>,
    timings: Vec<Timing>,
    time_zones: Option<String>,
    key: Option<String>,
    attributes: Vec<Attribute>,
    media: Vec<MediaDescription>,
}

pub(crate) fn parse(body: &[u8]) -> Result<SessionDescription, ParseError> {
    let mut stage = Stage::Version;
    let mut parts = Parts {
        origin: None,
        session_name: None,
        information: None,
        uri: None,
        emails: Vec::new(),
        phones: Vec::new(),
        connection: None,
        bandwidths: Vec::new(),
        timings: Vec::new(),
        time_zones: None,
        key: None,
        attributes: Vec::new(),
        media: Vec::new(),
    };
    let mut last_line = 0;
    for (index, raw) in body.split(|&b| b == b'\n').enumerate() {
        let line = index + 1;
        let fail = |defect| ParseError { line, defect };
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        let text = std::str::from_utf8(raw).map_err(|_| fail(Defect::NotUtf8))?;
        let text = text.trim_end_matches([' ', '\t']);
        if text.is_empty() {
            continue;
        }
        last_line = line;
        if text.bytes().any(|b| b.is_ascii_control() && b != b'\t') {
            return Err(fail(Defect::ControlCharacter));
        }
        let (letter, value) = split_type(text).ok_or(fail(Defect::NotTypeValue))?;
        if !"vosiuepcbtrzkam".contains(letter) {
            return Err(fail(Defect::UnknownType(letter)));
        }
        stage = parts.take(stage, letter, value).map_err(fail)?;
    }
    let end = |defect| ParseError {
        line: last_line + 1,
        defect,
    };
    match stage {
        Stage::Version => Err(ParseError {
            line: 1,
            defect: Defect::Empty,
        }),
        Stage::Origin => Err(end(Defect::MissingOrigin)),
        Stage::Session | Stage::Media => {
            let origin = parts.origin.ok_or(end(Defect::MissingOrigin))?;
            let mut timings = parts.timings;
            if timings.is_empty() {
                timings.push(Timing {
                    start: 0,
                    stop: 0,
                    repeats: Vec::new(),
                });
            }
            Ok(SessionDescription {
                origin,
                session_name: parts.session_name.unwrap_or_default(),
                information: parts.information,
                uri: parts.uri,
                emails: parts.emails,
                phones: parts.phones,
                connection: parts.connection,
                bandwidths: parts.bandwidths,
                timings,
                time_zones: parts.time_zones,
                key: parts.key,
                attributes: parts.attributes,
                media: parts.media,
            })
        }
    }
}

fn split_type(text: &str) -> Option<(char, &str)> {
    let mut chars = text.chars();
    let letter = chars.next().filter(char::is_ascii_alphabetic)?;
    let value = chars.as_str().strip_prefix('=')?;
    Some((letter, value))
}

impl Parts {
    /// Takes one line at `stage`; returns the stage after it.
    fn take(&mut self, stage: Stage, letter: char, value: &str) -> Result<Stage, Defect> {
        match stage {
            Stage::Version if letter == 'v' && value == "0" => Ok(Stage::Origin),
            Stage::Version => Err(Defect::NotVersionZero),
            Stage::Origin if letter == 'o' => {
                self.origin = Some(origin(value)?);
                Ok(Stage::Session)
            }
            Stage::Origin => Err(Defect::MissingOrigin),
            Stage::Session => self.take_session(letter, value),
            Stage::Media => self.take_media(letter, value),
        }
    }

    fn take_session(&mut self, letter: char, value: &str) -> Result<Stage, Defect> {
        match letter {
            's' => once(&mut self.session_name, 's', value.to_owned())?,
            'i' => once(&mut self.information, 'i', value.to_owned())?,
            'u' => once(&mut self.uri, 'u', value.to_owned())?,
            'e' => self.emails.push(value.to_owned()),
            'p' => self.phones.push(value.to_owned()),
            'c' => once(&mut self.connection, 'c', connection(value)?)?,
            'b' => self.bandwidths.push(bandwidth(value)?),
            't' => self.timings.push(timing(value)?),
            'r' => self
                .timings
                .last_mut()
                .ok_or(Defect::Misplaced('r'))?
                .repeats
                .push(value.to_owned()),
            'z' => once(&mut self.time_zones, 'z', value.to_owned())?,
            'k' => once(&mut self.key, 'k', value.to_owned())?,
            'a' => self.attributes.push(attribute(value)?),
            'm' => return self.start_media(value),
            'v' | 'o' => return Err(Defect::Repeated(letter)),
            other => return Err(Defect::Misplaced(other)),
        }
        Ok(Stage::Session)
    }

    fn take_media(&mut self, letter: char, value: &str) -> Result<Stage, Defect> {
        if letter == 'm' {
            return self.start_media(value);
        }
        let media = self.media.last_mut().ok_or(Defect::Misplaced(letter))?;
        match letter {
            'i' => once(&mut media.information, 'i', value.to_owned())?,
            'c' => media.connections.push(connection(value)?),
            'b' => media.bandwidths.push(bandwidth(value)?),
            'k' => once(&mut media.key, 'k', value.to_owned())?,
            'a' => media.attributes.push(attribute(value)?),
            other => return Err(Defect::Misplaced(other)),
        }
        Ok(Stage::Media)
    }

    fn start_media(&mut self, value: &str) -> Result<Stage, Defect> {
        self.media.push(media(value)?);
        Ok(Stage::Media)
    }
}

fn once<T>(slot: &mut Option<T>, letter: char, value: T) -> Result<(), Defect> {
    if slot.is_some() {
        return Err(Defect::Repeated(letter));
    }
    *slot = Some(value);
    Ok(())
}

/// Exactly `N` whitespace-separated fields.
fn fields<const N: usize>(value: &str) -> Option<[&str; N]> {
    let mut out = [""; N];
    let mut words = value.split_ascii_whitespace();
    for slot in &mut out {
        *slot = words.next()?;
    }
    words.next().is_none().then_some(out)
}

/// A number written with ASCII digits only (no sign, no spaces).
fn number<T: std::str::FromStr>(text: &str) -> Option<T> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn origin(value: &str) -> Result<Origin, Defect> {
    let [username, session_id, version, net_type, addr_type, address] =
        fields(value).ok_or(Defect::Malformed("o= (needs 6 fields)"))?;
    Ok(Origin {
        username: username.to_owned(),
        session_id: session_id.to_owned(),
        session_version: number(version).ok_or(Defect::Malformed("o= session version"))?,
        net_type: net_type.to_owned(),
        addr_type: addr_type.to_owned(),
        address: address.to_owned(),
    })
}

fn connection(value: &str) -> Result<Connection, Defect> {
    let [net_type, addr_type, address] =
        fields(value).ok_or(Defect::Malformed("c= (needs 3 fields)"))?;
    Ok(Connection {
        net_type: net_type.to_owned(),
        addr_type: addr_type.to_owned(),
        address: address.to_owned(),
    })
}

fn bandwidth(value: &str) -> Result<Bandwidth, Defect> {
    let (kind, amount) = value
        .split_once(':')
        .ok_or(Defect::Malformed("b= (needs type:value)"))?;
    if !is_token(kind) {
        return Err(Defect::Malformed("b= bandwidth type"));
    }
    Ok(Bandwidth {
        kind: kind.to_owned(),
        value: number(amount).ok_or(Defect::Malformed("b= bandwidth value"))?,
    })
}

fn timing(value: &str) -> Result<Timing, Defect> {
    let [start, stop] = fields(value).ok_or(Defect::Malformed("t= (needs start and stop)"))?;
    let time = |t| number(t).ok_or(Defect::Malformed("t= time"));
    Ok(Timing {
        start: time(start)?,
        stop: time(stop)?,
        repeats: Vec::new(),
    })
}

fn attribute(value: &str) -> Result<Attribute, Defect> {
    let (name, value) = match value.split_once(':') {
        Some((name, value)) => (name, Some(value.to_owned())),
        None => (value, None),
    };
    if !is_token(name) {
        return Err(Defect::Malformed("a= attribute name"));
    }
    Ok(Attribute {
        name: name.to_owned(),
        value,
    })
}

fn media(value: &str) -> Result<MediaDescription, Defect> {
    let mut fields = value.split_ascii_whitespace();
    let (Some(kind), Some(port), Some(protocol)) = (fields.next(), fields.next(), fields.next())
    else {
        return Err(Defect::Malformed("m= (needs media, port and protocol)"));
    };
    if !is_token(kind) {
        return Err(Defect::Malformed("m= media type"));
    }
    let (port, port_count) = match port.split_once('/') {
        Some((port, count)) => (port, Some(count)),
        None => (port, None),
    };
    let port = number(port).ok_or(Defect::Malformed("m= port"))?;
    let port_count = match port_count {
        Some(count) => Some(number(count).ok_or(Defect::Malformed("m= port count"))?),
        None => None,
    };
    Ok(MediaDescription {
        kind: kind.to_owned(),
        port,
        port_count,
        protocol: protocol.to_owned(),
        formats: fields.map(str::to_owned).collect(),
        information: None,
        connections: Vec::new(),
        bandwidths: Vec::new(),
        key: None,
        attributes: Vec::new(),
    })
}

/// RFC 4566 `token`: visible ASCII except `"(),/:;<=>?@[\]` (curly braces are allowed).
pub(crate) fn is_token(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_graphic() && !b"\"(),/:;<=>?@[\\]".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_of(body: &str) -> ParseError {
        match parse(body.as_bytes()) {
            Err(e) => e,
            Ok(sdp) => panic!("accepted: {sdp:?}"),
        }
    }

    #[test]
    fn minimal_description_parses() {
        let sdp = parse(b"v=0\no=- 1 2 IN IP4 192.0.2.1\ns=x\nt=0 0\n").unwrap();
        assert_eq!(sdp.origin.session_version, 2);
        assert_eq!(sdp.session_name, "x");
    }

    #[test]
    fn error_names_the_line() {
        let e = error_of("v=0\r\no=- 1 2 IN IP4 192.0.2.1\r\ns=-\r\nt=0 zero\r\n");
        assert_eq!(
            e,
            ParseError {
                line: 4,
                defect: Defect::Malformed("t= time")
            }
        );
    }

    #[test]
    fn blank_lines_count_in_line_numbers() {
        let e = error_of("v=0\r\n\r\no=- 1 2 IN IP4 192.0.2.1\r\ngarbage\r\n");
        assert_eq!(
            e,
            ParseError {
                line: 4,
                defect: Defect::NotTypeValue
            }
        );
    }

    #[test]
    fn repeat_before_any_time_is_misplaced() {
        let e = error_of("v=0\no=- 1 2 IN IP4 192.0.2.1\ns=-\nr=7d 1h 0 25h\n");
        assert_eq!(e.defect, Defect::Misplaced('r'));
    }

    #[test]
    fn token_excludes_separators() {
        assert!(is_token("rtpmap"));
        assert!(is_token("X-nat"));
        assert!(!is_token("a:b"));
        assert!(!is_token(""));
    }
}
