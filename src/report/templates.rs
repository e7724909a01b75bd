//! The report's templates: the defaults from the top-level `templates/`
//! folder, embedded in the binary, and a user's copies that replace them by
//! file name (`--templates DIR`). Extra `.html` and `.md` files of the user's
//! folder are available to `{% include %}` and `{% extends %}`.

use std::collections::BTreeMap;
use std::path::Path;

use crate::error::{Error, Result};

/// The built-in templates and assets, by file name.
pub(crate) const DEFAULTS: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
    ("macros.html", include_str!("../../templates/macros.html")),
    ("index.html", include_str!("../../templates/index.html")),
    ("actions.html", include_str!("../../templates/actions.html")),
    ("assessment.html", include_str!("../../templates/assessment.html")),
    ("action.html", include_str!("../../templates/action.html")),
    ("soa.html", include_str!("../../templates/soa.html")),
    ("report.md", include_str!("../../templates/report.md")),
    ("style.css", include_str!("../../templates/style.css")),
    ("app.js", include_str!("../../templates/app.js")),
];

/// Template sources by file name.
#[derive(Clone, Debug)]
pub struct Templates {
    files: BTreeMap<String, String>,
    /// Names the user's folder replaced or added.
    pub overridden: Vec<String>,
}

impl Default for Templates {
    fn default() -> Self {
        Templates {
            files: DEFAULTS.iter().map(|(n, s)| ((*n).to_owned(), (*s).to_owned())).collect(),
            overridden: Vec::new(),
        }
    }
}

/// Whether the folder entry `path` is a template to read: a regular file, or
/// a link to one inside the folder (`real_dir`, resolved). Folders are
/// skipped (sub-folders are not read); a link that leads out of the folder
/// (a `style.css` pointing at `/etc/passwd` would be copied into the site)
/// and anything that is not a regular file (a FIFO would block the read)
/// are refused.
fn regular_file_inside(path: &Path, real_dir: &Path) -> Result<bool> {
    let shown = path.display();
    let meta = std::fs::symlink_metadata(path).map_err(|e| Error::io("read", path, e))?;
    if meta.is_dir() {
        return Ok(false);
    }
    if meta.file_type().is_symlink() {
        let real = std::fs::canonicalize(path)
            .map_err(|_| Error::new(format!("`{shown}` is a link to a file that does not exist")))?;
        if !real.starts_with(real_dir) {
            return Err(Error::new(format!(
                "`{shown}` is a link to `{}`, outside the templates folder",
                real.display()
            ))
            .hint("copy the file into the templates folder instead of linking to it"));
        }
        let target = std::fs::metadata(&real).map_err(|e| Error::io("read", &real, e))?;
        if target.is_dir() {
            return Ok(false);
        }
        if !target.is_file() {
            return Err(Error::new(format!("`{shown}` is a link to something that is not a regular file")));
        }
        return Ok(true);
    }
    if !meta.is_file() {
        return Err(Error::new(format!("`{shown}` is not a regular file (a pipe, socket or device)"))
            .hint("templates are regular files; remove it from the templates folder"));
    }
    Ok(true)
}

impl Templates {
    /// The defaults, with every file of `dir` (not its subfolders) replacing
    /// the default of the same name or added to the set.
    pub(crate) fn with_overrides(dir: &Path) -> Result<Self> {
        let mut templates = Templates::default();
        let entries = std::fs::read_dir(dir).map_err(|e| Error::io("read the templates folder", dir, e))?;
        let real_dir =
            std::fs::canonicalize(dir).map_err(|e| Error::io("read the templates folder", dir, e))?;
        let mut names = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| Error::io("read the templates folder", dir, e))?;
            let path = entry.path();
            let Some(name) = path.file_name().and_then(|n| n.to_str()).map(str::to_owned) else {
                continue;
            };
            if name.starts_with('.') || !regular_file_inside(&path, &real_dir)? {
                continue;
            }
            let text = std::fs::read_to_string(&path).map_err(|e| Error::io("read", &path, e))?;
            templates.files.insert(name.clone(), text);
            names.push(name);
        }
        names.sort();
        if names.is_empty() {
            return Err(Error::new(format!("no templates in `{}`", dir.display())).hint(format!(
                "copy the file to change from evident's `templates/` folder (known names: {})",
                DEFAULTS.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
            )));
        }
        templates.overridden = names;
        Ok(templates)
    }

    pub(crate) fn get(&self, name: &str) -> &str {
        self.files.get(name).map(String::as_str).unwrap_or("")
    }

    /// Every template that minijinja compiles (not the assets).
    pub(crate) fn renderable(&self) -> impl Iterator<Item = (&str, &str)> {
        self.files
            .iter()
            .filter(|(n, _)| n.ends_with(".html") || n.ends_with(".md"))
            .map(|(n, s)| (n.as_str(), s.as_str()))
    }
}
