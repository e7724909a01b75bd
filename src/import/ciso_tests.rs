//! Unit tests of the library reader and the build.

use super::*;

fn parse_text(text: &str) -> Result<Library, Report> {
    parse("lib.yaml", text.to_owned())
}

fn codes(r: Report) -> Vec<&'static str> {
    r.diagnostics.iter().map(|d| d.code.code()).collect()
}

#[test]
fn ids_and_markers() {
    assert_eq!(shared_action_id("urn:intuitem:risk:function:cisa-cpg-2.0:rc-01"), "cisa-cpg-2.0-rc-01");
    assert_eq!(normalise(Some(&Scalar("Recital 1".into())), "x"), "recital-1");
    assert_eq!(normalise(Some(&Scalar("1.A".into())), "x"), "1.a");
    assert_eq!(normalise(None, "urn:intuitem:risk:req_node:dora:node230"), "node230");
    let m = marker("dora");
    assert!(owned_by(&m, "dora") && !owned_by(&m, "dor") && !shared(&m));
    assert!(shared(&shared_marker("urn:x:y")));
    assert_eq!(owner(&m).as_deref(), Some("the import of template `dora`"));
}

#[test]
fn alias_bombs_and_deep_nesting_are_refused() {
    let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x]\n");
    for i in 0..20 {
        bomb.push_str(&format!("b{i}: &b{i} [*a, *a, *a, *a, *a, *a, *a, *a]\n"));
    }
    let r = parse_text(&bomb).unwrap_err();
    assert_eq!(codes(r), ["E0840"]);
    let deep = format!("urn: x\nobjects: {}{}\n", "[".repeat(300), "]".repeat(300));
    let r = parse_text(&deep).unwrap_err();
    assert_eq!(codes(r), ["E0840"]);
}

#[test]
fn bold_text_is_not_an_alias_and_long_ids_are_cut() {
    // From a real library: Markdown in quoted text, and ref_ids of 100+ characters.
    let note = "- **TTP** : voir **Guide**";
    let text = format!("urn: x\nnote: \"{}\"\n", [note; 80].join("\\n"));
    assert!(too_many_aliases(&text).is_none());
    let long = Scalar(
        "securite-infrastructure-mises-a-jour-fonctionnelles-securite-equipements-securite-deployees_niveau1"
            .into(),
    );
    let id = normalise(Some(&long), "x");
    assert!(id.len() <= ID_CAP && is_valid_id(&id), "{id}");
}

#[test]
fn not_yaml_and_wrong_shape() {
    assert_eq!(codes(parse_text("a: [unclosed\n").unwrap_err()), ["E0840"]);
    assert_eq!(codes(parse_text("urn: x\nobjects: 3\n").unwrap_err()), ["E0841"]);
    assert_eq!(codes(parse_text("- just\n- a list\n").unwrap_err()), ["E0841"]);
}
