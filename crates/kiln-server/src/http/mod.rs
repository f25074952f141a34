//! What every HTTP request meets around the gRPC handlers, and the emulator's conventions
//! beside them: request IDs and the request log, each call's wire manners, health,
//! reflection, HTTP/1.1 bodies read before an answer, the development reset, the console's files and runtime config, CORS, TLS.

pub mod calls;
pub mod console_config;
pub mod cors;
pub mod files;
pub mod health;
pub mod listener;
pub mod reflection;
pub mod request_id;
pub mod reset;
pub mod tls;
pub mod whole_body;
