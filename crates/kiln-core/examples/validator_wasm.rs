//! The validator alone as a wasm32 module, with a bare C ABI and no binding generator, so
//! `cargo xtask wasm-size` measures what the validation core itself costs in a browser.
//!
//! `kiln_alloc(len)` returns a buffer for the input; `kiln_validate(ptr, len)` validates that
//! many bytes of CreateImageRequest JSON and returns `(ptr << 32) | len` of the contract JSON.
#![allow(unsafe_code)]

use kiln_core::validate::{CREATE_IMAGE_REQUEST, validate_str};

/// A buffer of `len` bytes that the host fills with the request.
#[unsafe(no_mangle)]
pub extern "C" fn kiln_alloc(len: usize) -> *mut u8 {
    let mut buffer = Vec::<u8>::with_capacity(len);
    let ptr = buffer.as_mut_ptr();
    std::mem::forget(buffer);
    ptr
}

/// Validates the request at `ptr..ptr+len` and returns where its outcome JSON is.
///
/// # Safety
/// `ptr` must come from `kiln_alloc(len)` with `len` bytes written.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kiln_validate(ptr: *mut u8, len: usize) -> u64 {
    // SAFETY: the caller passes a buffer from kiln_alloc(len), filled with len bytes.
    let input = unsafe { Vec::from_raw_parts(ptr, len, len) };
    let text = String::from_utf8_lossy(&input);
    let outcome = validate_str(CREATE_IMAGE_REQUEST, &text);
    let json = serde_json::to_string(&outcome)
        .expect("outcome serializes")
        .into_bytes();
    let (out, out_len) = (json.as_ptr() as u64, json.len() as u64);
    std::mem::forget(json);
    (out << 32) | out_len
}
