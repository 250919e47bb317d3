//! The document library: files (PDF, DOCX, HTML, Markdown, plain text) with their extracted
//! text, metadata and every version. The text and the files are confidential and encrypted at
//! rest by storage; here are the types, the validation of metadata and the detection of a file's
//! format from its content.

use serde::{Deserialize, Serialize};

use crate::DomainError;
use crate::policy::Labels;
use crate::reference::{self, THEMES};
use crate::security::{Classification, CompartmentId};

/// The languages a document may be in (those the search index analyses).
pub const LANGUAGES: [&str; 4] = ["en", "nl", "fr", "ar"];

/// A supported file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DocumentFormat {
    Pdf,
    Docx,
    Html,
    Markdown,
    Text,
}

impl DocumentFormat {
    pub const ALL: [DocumentFormat; 5] = [
        DocumentFormat::Pdf,
        DocumentFormat::Docx,
        DocumentFormat::Html,
        DocumentFormat::Markdown,
        DocumentFormat::Text,
    ];

    pub fn code(self) -> &'static str {
        match self {
            DocumentFormat::Pdf => "pdf",
            DocumentFormat::Docx => "docx",
            DocumentFormat::Html => "html",
            DocumentFormat::Markdown => "markdown",
            DocumentFormat::Text => "text",
        }
    }

    pub fn parse(code: &str) -> Option<DocumentFormat> {
        DocumentFormat::ALL.into_iter().find(|f| f.code() == code)
    }

    pub fn content_type(self) -> &'static str {
        match self {
            DocumentFormat::Pdf => "application/pdf",
            DocumentFormat::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            DocumentFormat::Html => "text/html; charset=utf-8",
            DocumentFormat::Markdown => "text/markdown; charset=utf-8",
            DocumentFormat::Text => "text/plain; charset=utf-8",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            DocumentFormat::Pdf => "pdf",
            DocumentFormat::Docx => "docx",
            DocumentFormat::Html => "html",
            DocumentFormat::Markdown => "md",
            DocumentFormat::Text => "txt",
        }
    }
}

/// The format of a file, from its content first (magic bytes), the file name only to tell
/// Markdown from plain text (both are just UTF-8). `None`: not a supported format.
///
/// A ZIP container is taken for DOCX here; extraction then checks it holds `word/document.xml`.
pub fn detect_format(bytes: &[u8], filename: &str) -> Option<DocumentFormat> {
    if bytes.starts_with(b"%PDF-") {
        return Some(DocumentFormat::Pdf);
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return Some(DocumentFormat::Docx);
    }
    // Other binary formats (images, old Word, executables): a NUL byte in the first 8 KiB.
    let head = &bytes[..bytes.len().min(8192)];
    if head.contains(&0) {
        return None;
    }
    let text = String::from_utf8_lossy(head);
    let lower = text
        .trim_start_matches('\u{feff}')
        .trim_start()
        .to_lowercase();
    if lower.starts_with("<!doctype html")
        || lower.starts_with("<html")
        || (lower.starts_with('<') && (lower.contains("<body") || lower.contains("<p>")))
    {
        return Some(DocumentFormat::Html);
    }
    let name = filename.to_ascii_lowercase();
    if name.ends_with(".md") || name.ends_with(".markdown") {
        return Some(DocumentFormat::Markdown);
    }
    if name.ends_with(".html") || name.ends_with(".htm") {
        return Some(DocumentFormat::Html);
    }
    Some(DocumentFormat::Text)
}

/// A document as shown: its current metadata and the newest version's facts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    pub id: String,
    pub title: String,
    /// ISO 8601 date of the document itself ("" when unknown).
    pub date: String,
    /// en, nl, fr or ar.
    pub language: String,
    /// Author or source.
    pub author: String,
    pub countries: Vec<String>,
    pub themes: Vec<String>,
    /// Ids of the linked processes (only those the reader may see are shown).
    pub processes: Vec<String>,
    pub labels: Labels,
    pub latest_version: i64,
    pub format: DocumentFormat,
    pub size: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

/// One stored version of a document's file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentVersion {
    pub version: i64,
    pub filename: String,
    pub format: DocumentFormat,
    pub size: i64,
    /// SHA-256 of the original file, hex.
    pub sha256: String,
    pub created_by: String,
    pub created_at: i64,
}

/// The metadata a user submits, before validation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentInput {
    pub title: String,
    #[serde(default)]
    pub date: String,
    /// en, nl, fr or ar; empty: detected from the text.
    #[serde(default)]
    pub language: String,
    #[serde(default)]
    pub author: String,
    #[serde(default)]
    pub countries: Vec<String>,
    #[serde(default)]
    pub themes: Vec<String>,
    #[serde(default)]
    pub processes: Vec<String>,
    pub classification: String,
    #[serde(default)]
    pub compartment: Option<String>,
}

impl DocumentInput {
    /// Checks every field and that the labels are at least as strict as those of every linked
    /// process (`processes` holds their labels): a classification no lower than the highest, and
    /// the compartment of a compartmented process — so a document never reveals a process its
    /// reader may not see.
    pub fn validate(&self, processes: &[Labels]) -> Result<(DocumentInput, Labels), DomainError> {
        let title = self.title.trim();
        if title.is_empty() {
            return Err(DomainError::invalid("title", "a title is required"));
        }
        if title.chars().count() > 300 {
            return Err(DomainError::invalid("title", "at most 300 characters"));
        }
        let date = match self.date.trim() {
            "" => String::new(),
            d => crate::network::parse_date("date", d)?,
        };
        let language = self.language.trim().to_ascii_lowercase();
        if !language.is_empty() && !LANGUAGES.contains(&language.as_str()) {
            return Err(DomainError::invalid(
                "language",
                format!("'{language}' is not one of en, nl, fr, ar"),
            ));
        }
        let author = self.author.trim();
        if author.chars().count() > 300 {
            return Err(DomainError::invalid("author", "at most 300 characters"));
        }
        let mut themes: Vec<String> = Vec::new();
        for t in self
            .themes
            .iter()
            .map(|t| t.trim())
            .filter(|t| !t.is_empty())
        {
            let code = reference::term(THEMES, "theme", t)?.code.to_string();
            if !themes.contains(&code) {
                themes.push(code);
            }
        }
        let mut linked: Vec<String> = Vec::new();
        for p in self
            .processes
            .iter()
            .map(|p| p.trim())
            .filter(|p| !p.is_empty())
        {
            if !linked.iter().any(|x| x == p) {
                linked.push(p.to_string());
            }
        }
        let labels = Labels {
            classification: self.classification.trim().parse::<Classification>()?,
            compartment: self
                .compartment
                .as_deref()
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(CompartmentId::parse)
                .transpose()?,
        };
        for p in processes {
            if labels.classification < p.classification {
                return Err(DomainError::invalid(
                    "classification",
                    format!(
                        "a document is classified at least as high as each linked process ({})",
                        p.classification
                    ),
                ));
            }
            if p.compartment.is_some() && labels.compartment != p.compartment {
                return Err(DomainError::invalid(
                    "compartment",
                    "a document linked to a compartmented process lives in that compartment",
                ));
            }
        }
        Ok((
            DocumentInput {
                title: title.to_string(),
                date,
                language,
                author: author.to_string(),
                countries: reference::parse_countries(&self.countries)?,
                themes,
                processes: linked,
                classification: labels.classification.as_str().into(),
                compartment: labels.compartment.as_ref().map(|c| c.to_string()),
            },
            labels,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> DocumentInput {
        DocumentInput {
            title: " Briefing ".into(),
            date: "2024-05-01".into(),
            countries: vec!["sd".into()],
            themes: vec!["water".into(), "water".into()],
            classification: "internal".into(),
            ..Default::default()
        }
    }

    #[test]
    fn validates_and_normalises() {
        let (v, l) = input().validate(&[]).unwrap();
        assert_eq!(v.title, "Briefing");
        assert_eq!(v.countries, vec!["SD".to_string()]);
        assert_eq!(v.themes, vec!["water".to_string()]);
        assert_eq!(l.classification, Classification::Internal);
        let bad = DocumentInput {
            language: "de".into(),
            ..input()
        };
        assert!(matches!(
            bad.validate(&[]),
            Err(DomainError::Invalid {
                field: "language",
                ..
            })
        ));
        let bad = DocumentInput {
            themes: vec!["football".into()],
            ..input()
        };
        assert!(bad.validate(&[]).is_err());
    }

    #[test]
    fn labels_follow_every_linked_process() {
        let conf = Labels {
            classification: Classification::Confidential,
            compartment: Some(CompartmentId::parse("yemen").unwrap()),
        };
        let err = input().validate(&[Labels::public(), conf.clone()]);
        assert!(matches!(
            err,
            Err(DomainError::Invalid {
                field: "classification",
                ..
            })
        ));
        let no_comp = DocumentInput {
            classification: "confidential".into(),
            ..input()
        };
        assert!(matches!(
            no_comp.validate(std::slice::from_ref(&conf)),
            Err(DomainError::Invalid {
                field: "compartment",
                ..
            })
        ));
        let ok = DocumentInput {
            classification: "secret".into(),
            compartment: Some("yemen".into()),
            ..input()
        };
        assert!(ok.validate(&[conf]).is_ok());
    }

    #[test]
    fn detects_formats_by_content() {
        assert_eq!(
            detect_format(b"%PDF-1.4 ...", "x.txt"),
            Some(DocumentFormat::Pdf)
        );
        assert_eq!(
            detect_format(b"PK\x03\x04rest", "a.pdf"),
            Some(DocumentFormat::Docx)
        );
        assert_eq!(
            detect_format(b"<!DOCTYPE html><html>", "a.txt"),
            Some(DocumentFormat::Html)
        );
        assert_eq!(
            detect_format(b"# Title\n\ntext", "note.md"),
            Some(DocumentFormat::Markdown)
        );
        assert_eq!(
            detect_format(b"plain words", "x"),
            Some(DocumentFormat::Text)
        );
        assert_eq!(detect_format(b"\x89PNG\r\n\x1a\n\0\0", "x.pdf"), None);
    }
}
