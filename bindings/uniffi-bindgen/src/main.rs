//! `uniffi-bindgen`: generates the Kotlin and Swift sources from the built `kindred_ffi` library (library mode).
//!
//! `cargo run -p kindred-uniffi-bindgen -- generate --library target/debug/libkindred_ffi.so --language kotlin --out-dir OUT`

fn main() {
    uniffi::uniffi_bindgen_main()
}
