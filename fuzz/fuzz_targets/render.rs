//! The renderer with hostile data: validated data renders, and only as safe HTML.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tplc_fuzz::render_data(data));
