//! The one `Diagnostic` type of the toolchain, and the registry of stable diagnostic codes.
use crate::source::{FileId, Span};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Note,
}

/// A labelled span: primary labels mark the problem, secondary ones give context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub message: String,
    pub primary: bool,
}

/// A located problem with a stable code, e.g. `E0201`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    pub labels: Vec<Label>,
    pub notes: Vec<String>,
    pub hint: Option<String>,
    /// The category of a breaking change, a field of its own in the machine formats (human
    /// output shows it as the first note).
    pub category: Option<Category>,
}

/// What a breaking change breaks (docs/breaking.md#categories).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    /// Existing peers (old clients, old subscribers) fail on the wire.
    Wire,
    /// Regenerated code stops compiling for existing callers.
    Source,
}

impl Category {
    pub fn name(self) -> &'static str {
        match self {
            Category::Wire => "WIRE",
            Category::Source => "SOURCE",
        }
    }
}

impl Diagnostic {
    /// A diagnostic with the severity its code is registered with.
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        let severity = codes::lookup(code)
            .map(|c| c.severity)
            .unwrap_or(Severity::Error);
        Diagnostic {
            code,
            severity,
            message: message.into(),
            labels: Vec::new(),
            notes: Vec::new(),
            hint: None,
            category: None,
        }
    }

    pub fn primary(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            message: message.into(),
            primary: true,
        });
        self
    }

    pub fn secondary(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            message: message.into(),
            primary: false,
        });
        self
    }

    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn category(mut self, category: Category) -> Self {
        self.category = Some(category);
        self
    }

    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The first primary label's span, if any.
    pub fn primary_span(&self) -> Option<&Span> {
        self.labels
            .iter()
            .find(|l| l.primary)
            .or(self.labels.first())
            .map(|l| &l.span)
    }

    /// Sort key: file, position, code; stable output order for every renderer.
    pub fn sort_key(&self) -> (FileId, usize, &'static str) {
        match self.primary_span() {
            Some(s) => (s.file, s.range.start, self.code),
            None => (FileId(u32::MAX), 0, self.code),
        }
    }
}

/// Suggests the closest of `candidates` to `word` (Jaro-Winkler / edit distance), for did-you-mean.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let lower = word.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (c, strsim::damerau_levenshtein(&lower, &c.to_lowercase())))
        .filter(|(c, d)| *d <= (c.len().max(word.len()) / 3).max(1))
        .min_by_key(|(c, d)| (*d, c.len()))
        .map(|(c, _)| c)
}

/// The registry of stable codes: every diagnostic the toolchain emits is listed here.
pub mod codes {
    use super::Severity;

    /// One registered code with its one-line title (used by `paasctl explain` and SARIF rules).
    #[derive(Debug, Clone, Copy)]
    pub struct CodeInfo {
        pub code: &'static str,
        pub severity: Severity,
        pub title: &'static str,
    }

    macro_rules! codes {
        ($($name:ident = $sev:ident $title:literal;)*) => {
            $(pub const $name: &str = stringify!($name);)*
            /// Every registered code, in order.
            pub const ALL: &[CodeInfo] = &[
                $(CodeInfo { code: stringify!($name), severity: Severity::$sev, title: $title },)*
            ];
        };
    }

    codes! {
        E0001 = Error "file is not valid UTF-8";
        E0002 = Error "file cannot be read";
        E0101 = Error "unexpected token";
        E0102 = Error "unexpected end of file";
        E0103 = Error "invalid character";
        E0104 = Error "unterminated string";
        E0105 = Error "unterminated doc string";
        E0106 = Error "unterminated block comment";
        E0107 = Error "unclosed brace";
        E0201 = Error "unknown type";
        E0202 = Error "duplicate definition";
        E0203 = Error "imported file not found";
        E0204 = Error "import escapes the project root";
        E0205 = Error "import cycle";
        E0206 = Error "imported file declares a service";
        E0207 = Error "invalid map key type";
        E0208 = Error "rpc input or output is not a message";
        E0209 = Error "thrown type is not an error";
        E0210 = Error "schema type is not a message";
        E0211 = Error "more than one service declaration";
        E0212 = Error "type nests too deeply";
        E0213 = Error "optional of an optional";
        E0214 = Error "enum without values";
        E0215 = Error "message contains itself";
        E0216 = Error "invalid service name";
        E0217 = Error "rpcs or schemas without a service declaration";
        E0218 = Error "invalid topic name";
        E0301 = Error "unknown annotation";
        E0302 = Error "annotation not allowed here";
        E0303 = Error "wrong annotation arguments";
        E0304 = Error "invalid duration";
        E0305 = Error "duplicate annotation";
        E0401 = Error "app.toml is not valid TOML";
        E0402 = Error "unknown key in app.toml";
        E0403 = Error "wrong type in app.toml";
        E0404 = Error "missing required key in app.toml";
        E0405 = Error "invalid value in app.toml";
        E0406 = Error "duplicate entry in app.toml";
        E0407 = Error "key cannot be overridden per environment";
        E0501 = Error "no app.toml in the service directory";
        E0502 = Error "service name differs from app.toml";
        E0503 = Error "subscription to an unknown event";
        E0504 = Error "events without the data-bus dependency";
        E0505 = Error "migrations directory not found";
        E0601 = Error "platform.toml is not valid TOML";
        E0602 = Error "unknown key in platform.toml";
        E0603 = Error "wrong type or invalid value in platform.toml";
        E0604 = Error "missing required key in platform.toml";
        E0605 = Error "a resolved URL belongs to another environment";
        E0610 = Error "unknown environment";
        E0611 = Error "dependency cannot be resolved";
        E0612 = Error "invalid image reference";
        E0613 = Error "app.toml has no [engine]";
        E0614 = Error "app.toml overrides an environment the platform does not have";
        E0615 = Error "name too long for a Kubernetes object";
        E0701 = Error "a backend could not generate code (an internal error)";
        W0501 = Warning "contract of an undeclared dependency";
        W0502 = Warning "contract file name differs from its service name";
        W0503 = Warning "dependency without a contract";
        F0001 = Error "file is not formatted";
        L0001 = Error "brief.toml is invalid";
        L0002 = Error "unknown lint rule in brief.toml";
        L0101 = Warning "rpc name is not lowerCamelCase";
        L0102 = Warning "field name is not lowerCamelCase";
        L0103 = Warning "message or enum name is not UpperCamelCase";
        L0104 = Warning "error name is not UpperCamelCase";
        L0105 = Warning "enum value is not lower_snake_case";
        L0106 = Warning "event topic is not dotted.lower";
        L0201 = Warning "rpc without a doc";
        L0202 = Warning "event without a doc";
        L0203 = Warning "service without a doc";
        L0204 = Warning "message, enum or error without a doc";
        L0301 = Warning "read-looking rpc is not @idempotent";
        L0302 = Warning "rpc without @timeout";
        L0401 = Warning "unused message, enum or error";
        L0402 = Warning "use of a deprecated declaration";
        L0501 = Warning "brief:ignore without a reason";
        L0502 = Warning "brief:ignore of an unknown rule";
        L0503 = Warning "brief:ignore that suppresses nothing";
        B0001 = Warning "brief:allow-breaking without a reason";
        B0002 = Warning "brief:allow-breaking of an unknown rule";
        B0101 = Error "field removed";
        B0102 = Error "field type changed";
        B0103 = Error "optional field became required";
        B0104 = Error "required field became optional";
        B0105 = Error "required field added to an input";
        B0106 = Error "enum value removed";
        B0107 = Error "rpc removed";
        B0108 = Error "rpc input type changed";
        B0109 = Error "rpc output type changed";
        B0110 = Error "event removed";
        B0111 = Error "event type changed";
        B0112 = Error "service renamed";
        B0113 = Error "enum value added to an enum clients read";
        B0201 = Error "field presence changed";
        B0202 = Error "type removed or renamed";
        B0203 = Error "error added to throws";
    }

    pub fn lookup(code: &str) -> Option<&'static CodeInfo> {
        ALL.iter().find(|c| c.code == code)
    }
}
