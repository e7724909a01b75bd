//! The subset of the OSCAL 1.x JSON model that evident reads: catalogs
//! (groups, controls, parts, parameters, back matter) and profiles (imports
//! with control selections). Unknown fields are ignored, so newer 1.x
//! documents read as well as older ones.

use serde::Deserialize;

/// Metadata every OSCAL document carries.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct Metadata {
    pub title: String,
    #[serde(default)]
    pub version: String,
    pub oscal_version: String,
    #[serde(default)]
    pub props: Vec<Prop>,
    #[serde(default)]
    pub links: Vec<Link>,
}

impl Metadata {
    /// A catalog made by resolving a profile (a baseline) says so in its metadata.
    pub(crate) fn is_resolved_profile(&self) -> bool {
        self.links.iter().any(|l| l.rel.as_deref() == Some("source-profile"))
            || self.props.iter().any(|p| p.name == "resolution-tool")
    }
}

/// A control catalog (`{"catalog": {...}}`), also what a resolved profile is.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct Catalog {
    /// Required: a document without it is not an OSCAL catalog.
    #[allow(dead_code)]
    pub uuid: String,
    pub metadata: Metadata,
    #[serde(default)]
    pub groups: Vec<Group>,
    /// Controls outside any group.
    #[serde(default)]
    pub controls: Vec<Control>,
    #[serde(default)]
    pub back_matter: Option<BackMatter>,
}

/// A group of controls: in SP 800-53, a family ("Access Control").
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct Group {
    #[serde(default)]
    pub id: Option<String>,
    pub title: String,
    #[serde(default)]
    pub groups: Vec<Group>,
    #[serde(default)]
    pub controls: Vec<Control>,
}

/// A control; its `controls` are its enhancements.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Control {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub params: Vec<Param>,
    #[serde(default)]
    pub props: Vec<Prop>,
    #[serde(default)]
    pub links: Vec<Link>,
    #[serde(default)]
    pub parts: Vec<Part>,
    #[serde(default)]
    pub controls: Vec<Control>,
}

impl Control {
    /// Withdrawn controls (`status = withdrawn`) stay in the catalog for reference only.
    pub(crate) fn is_withdrawn(&self) -> bool {
        self.props.iter().any(|p| p.name == "status" && p.value == "withdrawn")
    }

    /// The first part called `name` (`statement`, `guidance`...).
    pub(crate) fn part(&self, name: &str) -> Option<&Part> {
        self.parts.iter().find(|p| p.name == name)
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct Param {
    pub id: String,
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub values: Vec<String>,
    #[serde(default)]
    pub select: Option<Select>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct Select {
    #[serde(default)]
    pub how_many: Option<String>,
    #[serde(default)]
    pub choice: Vec<String>,
}

#[derive(Clone, Debug, Deserialize)]
pub(crate) struct Prop {
    pub name: String,
    pub value: String,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Link {
    pub href: String,
    #[serde(default)]
    pub rel: Option<String>,
}

/// A part of a control: its statement, guidance, items of the statement...
#[derive(Clone, Debug, Deserialize)]
pub(crate) struct Part {
    pub name: String,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub props: Vec<Prop>,
    #[serde(default)]
    pub prose: Option<String>,
    #[serde(default)]
    pub parts: Vec<Part>,
}

impl Part {
    pub(crate) fn label(&self) -> Option<&str> {
        self.props.iter().find(|p| p.name == "label").map(|p| p.value.as_str())
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
pub(crate) struct BackMatter {
    #[serde(default)]
    pub resources: Vec<Resource>,
}

/// A reference in the back matter (a publication, a web page).
#[derive(Clone, Debug, Deserialize)]
pub(crate) struct Resource {
    pub uuid: String,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub citation: Option<Citation>,
    #[serde(default)]
    pub rlinks: Vec<Rlink>,
}

#[derive(Clone, Debug, Deserialize)]
pub(crate) struct Citation {
    pub text: String,
}

#[derive(Clone, Debug, Deserialize)]
pub(crate) struct Rlink {
    pub href: String,
}

/// A profile (`{"profile": {...}}`): a selection of controls from catalogs.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct Profile {
    /// Required: a document without it is not an OSCAL profile.
    #[allow(dead_code)]
    pub uuid: String,
    pub metadata: Metadata,
    pub imports: Vec<Import>,
}

/// One imported catalog and the controls taken from it.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct Import {
    pub href: String,
    #[serde(default)]
    pub include_all: Option<serde::de::IgnoredAny>,
    #[serde(default)]
    pub include_controls: Vec<Selection>,
    #[serde(default)]
    pub exclude_controls: Vec<Selection>,
}

/// Controls chosen by id or by id pattern.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct Selection {
    #[serde(default)]
    pub with_child_controls: Option<String>,
    #[serde(default)]
    pub with_ids: Vec<String>,
    #[serde(default)]
    pub matching: Vec<Matching>,
}

#[derive(Clone, Debug, Deserialize)]
pub(crate) struct Matching {
    pub pattern: String,
}

/// The document kinds of OSCAL 1.x, by their root key.
pub(crate) const MODELS: &[&str] = &[
    "catalog",
    "profile",
    "component-definition",
    "system-security-plan",
    "assessment-plan",
    "assessment-results",
    "plan-of-action-and-milestones",
    "mapping-collection",
];

/// A catalog control or enhancement in document order, with where it sits.
#[derive(Clone, Debug)]
pub(crate) struct Flat<'a> {
    pub control: &'a Control,
    /// The title of the innermost group (the family).
    pub family: Option<&'a str>,
    /// The id of the group (e.g. `ac`).
    pub family_id: Option<&'a str>,
    /// The control this one enhances.
    pub parent: Option<&'a Control>,
}

impl Catalog {
    /// Every control and enhancement, depth first, in the catalog's order.
    pub(crate) fn flatten(&self) -> Vec<Flat<'_>> {
        fn controls<'a>(
            out: &mut Vec<Flat<'a>>,
            list: &'a [Control],
            family: Option<&'a str>,
            family_id: Option<&'a str>,
            parent: Option<&'a Control>,
        ) {
            for c in list {
                out.push(Flat { control: c, family, family_id, parent });
                controls(out, &c.controls, family, family_id, Some(c));
            }
        }
        fn groups<'a>(out: &mut Vec<Flat<'a>>, list: &'a [Group]) {
            for g in list {
                controls(out, &g.controls, Some(&g.title), g.id.as_deref(), None);
                groups(out, &g.groups);
            }
        }
        let mut out = Vec::new();
        controls(&mut out, &self.controls, None, None, None);
        groups(&mut out, &self.groups);
        out
    }

    /// All parameters of all controls, by id.
    pub(crate) fn params(&self) -> std::collections::HashMap<&str, &Param> {
        self.flatten().into_iter().flat_map(|f| &f.control.params).map(|p| (p.id.as_str(), p)).collect()
    }

    pub(crate) fn resource(&self, uuid: &str) -> Option<&Resource> {
        self.back_matter.as_ref()?.resources.iter().find(|r| r.uuid == uuid)
    }
}
