pub mod closure;
pub mod server;
