//! Runs tonic-build on the .proto named by BRIEF_PROTO (relative to proto/).
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let proto = std::env::var("BRIEF_PROTO")?;
    println!("cargo:rerun-if-changed={proto}");
    tonic_build::configure()
        .build_server(true)
        .build_client(true)
        .compile_protos(&[proto.as_str()], &["proto"])?;
    Ok(())
}
