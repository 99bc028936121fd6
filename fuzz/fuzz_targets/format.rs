//! The formatter: idempotent, and the rendered message never changes.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tplc_fuzz::format(data));
