//! redline-hotline
