//! File names and output folders never lead outside the output folder or the project.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tplc_fuzz::output_paths(data));
