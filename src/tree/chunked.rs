//! Parsing the TOML document into toml's spanned tree.

use toml::Spanned;
use toml::de::DeTable;

/// Parses the whole document, recovering after errors so that all of them are reported.
pub fn parse(text: &str) -> (Spanned<DeTable<'_>>, Vec<toml::de::Error>) {
    DeTable::parse_recoverable(text)
}
