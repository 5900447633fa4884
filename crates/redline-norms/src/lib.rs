//! redline-norms
