//! redline-stix
