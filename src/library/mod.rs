//! Templates built into the binary (`evident library`, `evident init
//! --template`): public frameworks whose text may be redistributed, each a
//! zip of the files evident's own importers wrote (`scripts/build-library.sh`
//! regenerates them from NIST's OSCAL and CISO Assistant's libraries).

use std::io::Read;

use crate::model::{Template, TemplateId, is_valid_id};

/// One built-in template.
#[derive(Debug, serde::Serialize)]
pub(crate) struct Entry {
    pub id: &'static str,
    pub name: &'static str,
    /// Where the text comes from.
    pub source: &'static str,
    pub version: &'static str,
    /// The terms that allow bundling it.
    pub licence: &'static str,
    #[serde(skip)]
    pub zip: &'static [u8],
}

const NIST_SOURCE: &str = "NIST OSCAL content (usnistgov/oscal-content, nist.gov/SP800-53/rev5/json), imported with `evident import oscal`";
const NIST_LICENCE: &str = "public domain (a work of the US Government, 17 U.S.C. 105)";
const CISO_SOURCE: &str = "CISO Assistant library (intuitem/ciso-assistant-community, backend/library/libraries, f990d7b), imported with `evident import ciso-assistant`";

pub(crate) const ENTRIES: &[Entry] = &[
    Entry {
        id: "nist-800-53-rev5",
        name: "NIST SP 800-53 rev5, full catalog (1,014 active controls and enhancements)",
        source: NIST_SOURCE,
        version: "catalog release 5.2.0 (NIST_SP-800-53_rev5_catalog.json, 2025-08-26)",
        licence: NIST_LICENCE,
        zip: include_bytes!("data/nist-800-53-rev5.zip"),
    },
    Entry {
        id: "nist-800-53-rev5-low",
        name: "NIST SP 800-53 rev5 LOW baseline",
        source: NIST_SOURCE,
        version: "release 5.1.1 (LOW baseline resolved profile catalog, 5.1.1+u4)",
        licence: NIST_LICENCE,
        zip: include_bytes!("data/nist-800-53-rev5-low.zip"),
    },
    Entry {
        id: "nist-800-53-rev5-moderate",
        name: "NIST SP 800-53 rev5 MODERATE baseline",
        source: NIST_SOURCE,
        version: "release 5.1.1 (MODERATE baseline resolved profile catalog, 5.1.1+u4)",
        licence: NIST_LICENCE,
        zip: include_bytes!("data/nist-800-53-rev5-moderate.zip"),
    },
    Entry {
        id: "nist-800-53-rev5-high",
        name: "NIST SP 800-53 rev5 HIGH baseline",
        source: NIST_SOURCE,
        version: "release 5.1.1 (HIGH baseline resolved profile catalog, 5.1.1+u4)",
        licence: NIST_LICENCE,
        zip: include_bytes!("data/nist-800-53-rev5-high.zip"),
    },
    Entry {
        id: "dora",
        name: "Digital Operational Resilience Act (DORA), Regulation (EU) 2022/2554",
        source: CISO_SOURCE,
        version: "library version 7 (2025-08-27)",
        licence: "EU law: reuse of EUR-Lex documents is authorised (Commission Decision 2011/833/EU)",
        zip: include_bytes!("data/dora.zip"),
    },
    Entry {
        id: "finma-2023-01",
        name: "FINMA Circular 2023/1 Operational risks and resilience – banks",
        source: CISO_SOURCE,
        version: "library as of f990d7b",
        licence: "official publication of FINMA (Swiss official texts are not protected by copyright, art. 5 CopA)",
        zip: include_bytes!("data/finma-2023-01.zip"),
    },
    Entry {
        id: "cisa-cpg-2.0",
        name: "CISA Cross-Sector Cybersecurity Performance Goals 2.0",
        source: CISO_SOURCE,
        version: "library version 1 (2025-03-04)",
        licence: "public domain (provided by CISA)",
        zip: include_bytes!("data/cisa-cpg-2.0.zip"),
    },
];

/// The entry with this id.
pub(crate) fn get(id: &str) -> Option<&'static Entry> {
    ENTRIES.iter().find(|e| e.id == id)
}

/// The files of an entry (`templates/<id>.toml` and its `actions/*.toml`), with
/// the template renamed to `template` when given (id, file name and marker).
pub(crate) fn files(entry: &Entry, template: Option<&str>) -> Result<Vec<(String, String)>, String> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(entry.zip)).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).map_err(|e| e.to_string())?;
        let name = f.name().to_owned();
        let mut text = String::new();
        f.read_to_string(&mut text).map_err(|e| e.to_string())?;
        out.push((name, text));
    }
    if let Some(new_id) = template.filter(|t| *t != entry.id) {
        if !is_valid_id(new_id) {
            return Err(format!("`{new_id}` is not a valid template id"));
        }
        let old_path = format!("templates/{}.toml", entry.id);
        let Some(i) = out.iter().position(|(p, _)| *p == old_path) else {
            return Err(format!("the library `{}` has no {old_path}", entry.id));
        };
        let (_, text) = &out[i];
        let mut t: Template = toml::from_str(text).map_err(|e| e.to_string())?;
        t.id = TemplateId::new(new_id);
        let marker = text.lines().next().filter(|l| l.starts_with('#')).map(|l| l.replace(entry.id, new_id));
        let body = crate::scaffold::template_text(&t);
        out[i] =
            (format!("templates/{new_id}.toml"), marker.map_or(body.clone(), |m| format!("{m}\n{body}")));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_unpacks_to_its_template() {
        for e in ENTRIES {
            let files = files(e, None).unwrap();
            let path = format!("templates/{}.toml", e.id);
            let (_, text) = files.iter().find(|(p, _)| *p == path).unwrap_or_else(|| panic!("{path}"));
            let t: Template = toml::from_str(text).unwrap();
            assert_eq!(t.id.as_str(), e.id);
        }
        let renamed = files(get("cisa-cpg-2.0").unwrap(), Some("cpg")).unwrap();
        let (_, text) = renamed.iter().find(|(p, _)| p == "templates/cpg.toml").unwrap();
        assert!(text.starts_with("# Generated by `evident import ciso-assistant --template cpg`"));
        assert!(text.contains("id = \"cpg\""));
    }
}
