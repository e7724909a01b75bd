//! The floor for `bench/ciso.sh`: parse a CISO Assistant library with the
//! YAML crate alone (serde_norway, into its generic value) and count the
//! requirement nodes, so that the timing includes reading the file.

fn main() {
    let path = std::env::args().nth(1).expect("usage: ciso_parse FILE.yaml");
    let text = std::fs::read_to_string(&path).expect("readable file");
    let value: serde_norway::Value = serde_norway::from_str(&text).expect("YAML");
    let nodes = value["objects"]["framework"]["requirement_nodes"].as_sequence().map_or(0, Vec::len);
    println!("{nodes}");
}
