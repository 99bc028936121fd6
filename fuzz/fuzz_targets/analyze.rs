//! Parse, check, compliance rules and project rules on arbitrary bytes; compile and
//! render whatever comes out clean.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tplc_fuzz::analyze(data));
