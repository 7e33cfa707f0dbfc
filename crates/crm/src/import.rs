//! Reading customers from a CSV file: a column mapping, then one [`ImportedRow`] or
//! [`RowError`] per data row. A bad row is reported with its line number and the reason, and
//! reading goes on; the store upserts the good rows.
//!
//! ```
//! use crm::{ColumnMapping, CustomerReader, FieldDefs};
//! let csv = "Id,Name,Mobile\nC1,Ada,01 23 45 67 89\nC2,Bob,not a phone\n";
//! let mapping = ColumnMapping::parse("Id=external_id,Name=first_name,Mobile=phone")?;
//! let reader = CustomerReader::new(csv.as_bytes(), &mapping, &FieldDefs::default(), "FR".parse()?)?;
//! let rows: Vec<_> = reader.collect();
//! assert_eq!(rows[0].as_ref().map(|r| r.line), Ok(2));
//! assert_eq!(rows[1].as_ref().map_err(|e| e.line), Err(3));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Line numbers are the file's (header = line 1), counted by the CSV parser, so a quoted cell
//! spanning lines shifts them correctly. The reader is a plain iterator over any
//! `std::io::Read`: the caller opens the file and shows progress with
//! [`CustomerReader::bytes_read`].

use std::io::{self, Chain, Cursor, Read};

use recent_bytes::RecentBytes;

use crate::custom_field::{FieldDefs, FieldKey};
use crate::customer::NewCustomer;
use crate::email::Email;
use crate::phone::{Region, normalize_phone};
use crate::typed_text::{shown, yes_no};

/// Rows longer than this (bytes, all cells) are refused: no customer needs that much, and a
/// stray quote otherwise glues the rest of the file into one "row".
pub const MAX_ROW_BYTES: usize = 64 * 1024;
/// Files with more columns than this are refused.
pub const MAX_COLUMNS: usize = 256;
/// The CSV parser's read-ahead buffer, in bytes.
const CSV_BUFFER: usize = 64 * 1024;
/// Longest external id, name or other identity cell, in bytes.
const MAX_ID_BYTES: usize = 255;

/// Problems with the mapping or the header: the import cannot start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    /// The mapping spec is malformed.
    #[error("column mapping: {0}")]
    BadSpec(String),
    /// The mapping names a header that is not in the file.
    #[error("column {0:?} is not in the file's header")]
    MissingColumn(String),
    /// `field:<key>` for a field the tenant did not define.
    #[error("column {column:?} maps to unknown field {key:?}")]
    UnknownField {
        /// The CSV header.
        column: String,
        /// The field key.
        key: String,
    },
    /// Two columns map to a target that takes one value (external_id, names, consents, fields).
    #[error("columns {0:?} and {1:?} both map to {2}")]
    DuplicateTarget(String, String, String),
    /// No column maps to an external id, a phone or an email.
    #[error("no column maps to external_id, phone or email")]
    NoIdentity,
    /// The header has more than [`MAX_COLUMNS`] columns.
    #[error("more than {MAX_COLUMNS} columns")]
    TooManyColumns,
    /// The file could not be read or has no header.
    #[error("cannot read the header: {0}")]
    Header(String),
}

/// What a column holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The customer's id in the tenant's system.
    ExternalId,
    /// Given name.
    FirstName,
    /// Family name.
    LastName,
    /// A phone number (several columns allowed).
    Phone,
    /// An email address (several columns allowed).
    Email,
    /// Consent to call recording (yes/no).
    ConsentRecording,
    /// Consent to marketing (yes/no).
    ConsentMarketing,
    /// A custom field.
    Field(FieldKey),
    /// Not imported.
    Ignore,
}

impl Target {
    /// Reads `external_id`, `phone`, `field:plan`, `ignore`...
    pub fn parse(text: &str) -> Result<Target, ImportError> {
        Ok(match text.trim() {
            "external_id" => Target::ExternalId,
            "first_name" => Target::FirstName,
            "last_name" => Target::LastName,
            "phone" => Target::Phone,
            "email" => Target::Email,
            "consent_recording" => Target::ConsentRecording,
            "consent_marketing" => Target::ConsentMarketing,
            "ignore" => Target::Ignore,
            other => match other.strip_prefix("field:") {
                Some(key) => Target::Field(
                    FieldKey::new(key).map_err(|e| ImportError::BadSpec(e.to_string()))?,
                ),
                None => return Err(ImportError::BadSpec(format!("unknown target {other:?}"))),
            },
        })
    }

    fn takes_many(&self) -> bool {
        matches!(self, Target::Phone | Target::Email | Target::Ignore)
    }

    fn name(&self) -> String {
        match self {
            Target::ExternalId => "external_id".into(),
            Target::FirstName => "first_name".into(),
            Target::LastName => "last_name".into(),
            Target::Phone => "phone".into(),
            Target::Email => "email".into(),
            Target::ConsentRecording => "consent_recording".into(),
            Target::ConsentMarketing => "consent_marketing".into(),
            Target::Field(key) => format!("field:{key}"),
            Target::Ignore => "ignore".into(),
        }
    }
}

/// Which CSV column goes where: explicit `Header=target` pairs, and (unless turned off) the
/// remaining headers matched by name (`Phone`, `E-mail`, `First Name`, a field's key...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnMapping {
    explicit: Vec<(String, Target)>,
    match_headers: bool,
}

impl Default for ColumnMapping {
    /// Every column matched by its header's name.
    fn default() -> Self {
        ColumnMapping {
            explicit: Vec::new(),
            match_headers: true,
        }
    }
}

impl ColumnMapping {
    /// Reads `"Id=external_id,Mobile=phone,Plan=field:plan"` (headers compared exactly after
    /// trimming; a header cannot contain `=` or `,`). Headers not listed are still matched by
    /// name; see [`ColumnMapping::match_unlisted_headers`].
    pub fn parse(spec: &str) -> Result<ColumnMapping, ImportError> {
        let mut explicit = Vec::new();
        for pair in spec.split(',').filter(|p| !p.trim().is_empty()) {
            let (header, target) = pair.split_once('=').ok_or_else(|| {
                ImportError::BadSpec(format!("{:?} is not Header=target", pair.trim()))
            })?;
            let header = header.trim();
            if header.is_empty() {
                return Err(ImportError::BadSpec(format!(
                    "empty header in {:?}",
                    pair.trim()
                )));
            }
            if explicit.iter().any(|(h, _): &(String, Target)| h == header) {
                return Err(ImportError::BadSpec(format!(
                    "column {header:?} is mapped twice"
                )));
            }
            explicit.push((header.to_owned(), Target::parse(target)?));
        }
        Ok(ColumnMapping {
            explicit,
            match_headers: true,
        })
    }

    /// Whether headers absent from the spec are matched by name (on by default) or ignored.
    pub fn match_unlisted_headers(mut self, on: bool) -> ColumnMapping {
        self.match_headers = on;
        self
    }

    /// The target of each header, in order: explicit ones, then by name, else ignored.
    pub fn resolve(&self, headers: &[&str], defs: &FieldDefs) -> Result<Vec<Target>, ImportError> {
        if headers.len() > MAX_COLUMNS {
            return Err(ImportError::TooManyColumns);
        }
        for (header, _) in &self.explicit {
            if !headers.iter().any(|h| h.trim() == header) {
                return Err(ImportError::MissingColumn(header.clone()));
            }
        }
        let mut targets = Vec::with_capacity(headers.len());
        for header in headers {
            let header = header.trim();
            let target = match self.explicit.iter().find(|(h, _)| h == header) {
                Some((_, t)) => t.clone(),
                None if self.match_headers => by_name(header, defs),
                None => Target::Ignore,
            };
            if let Target::Field(key) = &target
                && defs.get(key.as_str()).is_none()
            {
                return Err(ImportError::UnknownField {
                    column: header.to_owned(),
                    key: key.to_string(),
                });
            }
            let earlier = targets.iter().position(|t| *t == target);
            if let Some(i) = earlier.filter(|_| !target.takes_many()) {
                let first = headers.get(i).map_or("", |h| h.trim());
                return Err(ImportError::DuplicateTarget(
                    first.to_owned(),
                    header.to_owned(),
                    target.name(),
                ));
            }
            targets.push(target);
        }
        if !targets
            .iter()
            .any(|t| matches!(t, Target::ExternalId | Target::Phone | Target::Email))
        {
            return Err(ImportError::NoIdentity);
        }
        Ok(targets)
    }
}

/// The target a header names by itself: `First Name` → first_name, `Mobile` → phone, `plan` →
/// field:plan when the tenant has that field.
fn by_name(header: &str, defs: &FieldDefs) -> Target {
    let mut norm = String::with_capacity(header.len());
    for c in header.chars() {
        if c.is_alphanumeric() {
            norm.extend(c.to_lowercase());
        } else if !norm.ends_with('_') && !norm.is_empty() {
            norm.push('_');
        }
    }
    let norm = norm.trim_end_matches('_');
    match norm {
        "external_id" | "id" | "customer_id" | "client_id" => Target::ExternalId,
        "first_name" | "firstname" | "given_name" | "prenom" => Target::FirstName,
        "last_name" | "lastname" | "surname" | "family_name" | "nom" => Target::LastName,
        "consent_recording" => Target::ConsentRecording,
        "consent_marketing" => Target::ConsentMarketing,
        _ if defs.get(norm).is_some() => match FieldKey::new(norm) {
            Ok(key) => Target::Field(key),
            Err(_) => Target::Ignore,
        },
        _ if has_word(
            norm,
            &[
                "phone",
                "mobile",
                "tel",
                "telephone",
                "cell",
                "gsm",
                "portable",
            ],
        ) =>
        {
            Target::Phone
        }
        _ if has_word(norm, &["email", "mail"]) || norm.contains("e_mail") => Target::Email,
        _ => Target::Ignore,
    }
}

/// Whether one of the `_`-separated words of `norm` (or a number-suffixed one: `phone2`) is
/// in `words`.
fn has_word(norm: &str, words: &[&str]) -> bool {
    norm.split('_')
        .map(|w| w.trim_end_matches(|c: char| c.is_ascii_digit()))
        .any(|w| words.contains(&w))
}

/// A good row: the customer it describes and where it was.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedRow {
    /// The file's line number where the row starts (header = 1).
    pub line: u64,
    /// The customer.
    pub customer: NewCustomer,
}

/// A bad row, or a read failure (then the last item).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {reason}")]
pub struct RowError {
    /// The file's line number where the row starts (header = 1).
    pub line: u64,
    /// Why it was refused, naming the column.
    pub reason: String,
}

/// The input with its first line, read to find the separator, put back in front.
type Replayed<R> = Chain<Cursor<Vec<u8>>, R>;

/// Iterator of customers read from CSV; see the module doc.
pub struct CustomerReader<R: Read> {
    csv: csv::Reader<RecentBytes<Replayed<R>>>,
    delimiter: u8,
    headers: Vec<String>,
    targets: Vec<Target>,
    defs: FieldDefs,
    region: Region,
    record: csv::ByteRecord,
    done: bool,
}

impl<R: Read> CustomerReader<R> {
    /// Reads the header and resolves the mapping. UTF-8 (a BOM is skipped), `"` quotes; the
    /// separator is whichever of `,` `;` and tab the header line has most of (`;` is what
    /// spreadsheets write in locales with a decimal comma), comma on a tie.
    pub fn new(
        reader: R,
        mapping: &ColumnMapping,
        defs: &FieldDefs,
        region: Region,
    ) -> Result<Self, ImportError> {
        let (delimiter, reader) =
            sniff_delimiter(reader).map_err(|e| ImportError::Header(e.to_string()))?;
        let mut csv = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .delimiter(delimiter)
            .buffer_capacity(CSV_BUFFER)
            .from_reader(RecentBytes::new(reader));
        let header_record = csv
            .byte_headers()
            .map_err(|e| ImportError::Header(e.to_string()))?
            .clone();
        if header_record.as_slice().len() > MAX_ROW_BYTES {
            return Err(ImportError::Header("header row too long".into()));
        }
        let mut headers = Vec::with_capacity(header_record.len());
        for cell in header_record.iter() {
            let text = std::str::from_utf8(cell)
                .map_err(|_| ImportError::Header("header is not UTF-8".into()))?;
            headers.push(text.trim_start_matches('\u{feff}').trim().to_owned());
        }
        if headers.iter().all(String::is_empty) {
            return Err(ImportError::Header("the file has no header row".into()));
        }
        let header_refs: Vec<&str> = headers.iter().map(String::as_str).collect();
        let targets = mapping.resolve(&header_refs, defs)?;
        Ok(CustomerReader {
            csv,
            delimiter,
            headers,
            targets,
            defs: defs.clone(),
            region,
            record: csv::ByteRecord::new(),
            done: false,
        })
    }

    /// Bytes consumed from the input so far, for a progress bar.
    pub fn bytes_read(&self) -> u64 {
        self.csv.position().byte()
    }

    /// The separator found in the header line.
    pub fn delimiter(&self) -> u8 {
        self.delimiter
    }

    /// The header's target for each column.
    pub fn targets(&self) -> impl Iterator<Item = (&str, &Target)> {
        self.headers.iter().map(String::as_str).zip(&self.targets)
    }

    /// The line the record just read starts on. The record's own position is where the parser
    /// began, before any blank lines it skipped, so count back from its end instead: the
    /// newlines inside its cells, plus its terminator if that was a `\n`.
    fn record_start_line(&self) -> u64 {
        let searched_from = self.record.position().map_or(1, csv::Position::line);
        let end = self.csv.position();
        let inside = self
            .record
            .as_slice()
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64;
        let last = end
            .byte()
            .checked_sub(1)
            .and_then(|at| self.csv.get_ref().byte_at(at));
        let terminator = u64::from(last == Some(b'\n'));
        // An unclosed quote running to the end of the file makes this one too small.
        end.line()
            .saturating_sub(inside + terminator)
            .max(searched_from)
    }

    fn convert(&self) -> Result<NewCustomer, String> {
        let record = &self.record;
        if record.as_slice().len() > MAX_ROW_BYTES {
            return Err(format!("row longer than {MAX_ROW_BYTES} bytes"));
        }
        if record.len() != self.targets.len() {
            return Err(format!(
                "expected {} columns, found {}",
                self.targets.len(),
                record.len()
            ));
        }
        let mut customer = NewCustomer::default();
        for ((cell, target), header) in record.iter().zip(&self.targets).zip(&self.headers) {
            if *target == Target::Ignore {
                continue;
            }
            let text = std::str::from_utf8(cell)
                .map_err(|_| format!("column {header:?}: not UTF-8 text"))?
                .trim();
            if text.is_empty() {
                continue;
            }
            let problem = |what: String| format!("column {header:?}: {what}");
            match target {
                Target::ExternalId => {
                    customer.external_id = Some(identity_text(text).map_err(problem)?)
                }
                Target::FirstName => {
                    customer.first_name = Some(identity_text(text).map_err(problem)?)
                }
                Target::LastName => {
                    customer.last_name = Some(identity_text(text).map_err(problem)?)
                }
                Target::Phone => {
                    let phone = normalize_phone(text, self.region)
                        .map_err(|e| problem(format!("{} {e}", shown(text))))?;
                    if !customer.phones.contains(&phone) {
                        customer.phones.push(phone);
                    }
                }
                Target::Email => {
                    let email =
                        Email::parse(text).map_err(|e| problem(format!("{} {e}", shown(text))))?;
                    if !customer.emails.contains(&email) {
                        customer.emails.push(email);
                    }
                }
                Target::ConsentRecording => {
                    customer.consent_recording = Some(consent(text).map_err(problem)?);
                }
                Target::ConsentMarketing => {
                    customer.consent_marketing = Some(consent(text).map_err(problem)?);
                }
                Target::Field(key) => {
                    let value = self
                        .defs
                        .parse_value(key.as_str(), text)
                        .map_err(|e| problem(e.to_string()))?;
                    customer.fields.insert(key.to_string(), value);
                }
                Target::Ignore => {}
            }
        }
        if let Some(missing) = self.defs.missing_required(&customer.fields).next() {
            return Err(missing.to_string());
        }
        if customer.external_id.is_none()
            && customer.phones.is_empty()
            && customer.emails.is_empty()
        {
            return Err("no external id, phone or email".into());
        }
        Ok(customer)
    }
}

impl<R: Read> Iterator for CustomerReader<R> {
    type Item = Result<ImportedRow, RowError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.csv.read_byte_record(&mut self.record) {
            Ok(false) => {
                self.done = true;
                None
            }
            Ok(true) => {
                let line = self.record_start_line();
                Some(
                    self.convert()
                        .map(|customer| ImportedRow { line, customer })
                        .map_err(|reason| RowError { line, reason }),
                )
            }
            Err(e) => {
                // With flexible rows and byte records only the input itself can fail: stop.
                self.done = true;
                let line = e
                    .position()
                    .map_or(self.csv.position().line(), csv::Position::line);
                Some(Err(RowError {
                    line,
                    reason: format!("cannot read the file: {e}"),
                }))
            }
        }
    }
}

fn identity_text(text: &str) -> Result<String, String> {
    if text.len() > MAX_ID_BYTES {
        return Err(format!("longer than {MAX_ID_BYTES} bytes"));
    }
    if text.chars().any(char::is_control) {
        return Err("contains control characters".into());
    }
    Ok(text.to_owned())
}

/// Reads the first line (up to [`MAX_ROW_BYTES`]) to pick the separator, and gives back a
/// reader that starts again from the first byte.
fn sniff_delimiter<R: Read>(mut reader: R) -> io::Result<(u8, Replayed<R>)> {
    let mut head = Vec::new();
    let mut chunk = [0u8; 4096];
    while !head.contains(&b'\n') && head.len() < MAX_ROW_BYTES {
        match reader.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => head.extend_from_slice(chunk.get(..n).unwrap_or_default()),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    let first_line = head.split(|&b| b == b'\n').next().unwrap_or_default();
    let count = |d: &u8| first_line.iter().filter(|&b| b == d).count();
    // `max_by_key` keeps the last of equals: comma last, so it wins ties.
    let delimiter = [b'\t', b';', b',']
        .into_iter()
        .max_by_key(count)
        .unwrap_or(b',');
    Ok((delimiter, Cursor::new(head).chain(reader)))
}

fn consent(text: &str) -> Result<bool, String> {
    yes_no(text).ok_or_else(|| format!("{} is not yes or no", shown(text)))
}

mod recent_bytes;

#[cfg(test)]
mod tests;
