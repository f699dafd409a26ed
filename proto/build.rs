//! Compiles `orca/v1/*.proto` with protox (pure Rust, so no `protoc` install is needed), then generates
//! prost messages, tonic clients/servers and pbjson serde impls (the canonical proto3 JSON mapping).

use std::path::PathBuf;

const PROTOS: &[&str] = &[
    "orca/v1/common.proto",
    "orca/v1/incident.proto",
    "orca/v1/ingest.proto",
    "orca/v1/resolution.proto",
    "orca/v1/decision.proto",
    "orca/v1/package.proto",
    "orca/v1/intel.proto",
    "orca/v1/analyst.proto",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    for proto in PROTOS {
        println!("cargo:rerun-if-changed={proto}");
    }
    let out_dir = PathBuf::from(std::env::var("OUT_DIR")?);
    let descriptor_path = out_dir.join("orca_descriptor.bin");

    let file_descriptors = protox::compile(PROTOS, ["."])?;
    let descriptor_bytes = prost::Message::encode_to_vec(&file_descriptors);
    std::fs::write(&descriptor_path, &descriptor_bytes)?;

    tonic_prost_build::configure()
        .file_descriptor_set_path(&descriptor_path)
        .skip_protoc_run()
        .compile_well_known_types(true)
        // prost's codec, except that an undecodable submission does not end its stream (src/codec.rs).
        .codec_path("crate::codec::OrcaCodec")
        .extern_path(".google.protobuf", "::pbjson_types")
        .compile_protos(PROTOS, &["."])?;

    pbjson_build::Builder::new().register_descriptors(&descriptor_bytes)?.build(&[".orca.v1"])?;
    Ok(())
}
