//! C2SP tlog-tiles (<https://c2sp.org/tlog-tiles>): tile and entry-bundle paths, which tiles a
//! tree size implies, hash tiles and entry bundles.
//!
//! A tile at level `L` and index `N` holds up to 256 hashes of subtrees of `256^L` leaves
//! (level-0 tiles hold leaf hashes). A full tile has 256 hashes and is immutable; the last
//! tile of a level may be partial, `.p/<W>` with `1 <= W <= 255`. Indices are written as
//! 3-digit groups, all but the last prefixed with `x` (`1234067` → `x001/x234/067`). An entry
//! bundle holds the entries of one level-0 tile, each prefixed with its big-endian `u16`
//! length, so an entry is at most 65,535 bytes.

use crate::MAX_ENTRY_LENGTH;
use crate::hash::{HASH_LENGTH, Hash};

/// Hashes per full tile.
pub const FULL_TILE_WIDTH: u16 = 256;
/// Tree levels per tile level.
pub const TILE_HEIGHT: u32 = 8;
/// Highest tile level.
pub const MAX_TILE_LEVEL: u8 = 63;

/// Which resource of a tlog-tiles log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TileAddress {
    /// `tile/<level>/<index>[.p/<width>]`; `width` is 256 for a full tile.
    Hashes { level: u8, index: u64, width: u16 },
    /// `tile/entries/<index>[.p/<width>]`; `width` is 256 for a full bundle.
    EntryBundle { index: u64, width: u16 },
}

/// Why a tile path or address was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TilePathError {
    #[error("path {path:?} does not start with \"tile/\"")]
    NotATilePath { path: String },
    #[error("tile level {text:?} is not a decimal number from 0 to {MAX_TILE_LEVEL}")]
    InvalidLevel { text: String },
    #[error("tile index {text:?} is not 3-digit groups, all but the last prefixed with 'x'")]
    InvalidIndex { text: String },
    #[error("tile index {text:?} does not fit in 64 bits")]
    IndexOverflow { text: String },
    #[error("tile index {text:?} is not in canonical form (leading zero group)")]
    NonCanonicalIndex { text: String },
    #[error("partial width {text:?} is not a decimal number from 1 to 255")]
    InvalidPartialWidth { text: String },
    #[error("width {width} is not between 1 and 256")]
    WidthOutOfRange { width: u16 },
}

/// Why the bytes of a tile or bundle were rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TileContentError {
    #[error("a hash tile of width {width} is {expected} bytes, got {actual}")]
    WrongHashTileLength {
        width: u16,
        expected: usize,
        actual: usize,
    },
    #[error(
        "entry bundle is truncated: entry {entry_position} at byte offset {byte_offset} {problem}"
    )]
    TruncatedEntryBundle {
        entry_position: usize,
        byte_offset: usize,
        problem: &'static str,
    },
    #[error("entry bundle has {actual} entries, expected {expected}")]
    WrongEntryCount { expected: usize, actual: usize },
    #[error("entry bundle has more than 256 entries")]
    TooManyEntries,
}

/// An entry longer than 65,535 bytes cannot be logged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("an entry is at most {MAX_ENTRY_LENGTH} bytes, this one is {length}")]
pub struct EntryTooLarge {
    pub length: usize,
}

/// Writes a tile index as 3-digit groups: `1234067` → `x001/x234/067`.
pub fn encode_tile_index(index: u64) -> String {
    let mut groups = Vec::new();
    let mut rest = index;
    loop {
        groups.push(rest % 1000);
        rest /= 1000;
        if rest == 0 {
            break;
        }
    }
    let mut encoded = String::with_capacity(groups.len() * 5);
    for (position, group) in groups.iter().rev().enumerate() {
        if position + 1 < groups.len() {
            encoded.push_str(&format!("x{group:03}/"));
        } else {
            encoded.push_str(&format!("{group:03}"));
        }
    }
    encoded
}

fn parse_small_decimal(text: &str) -> Option<u64> {
    if text.is_empty() || text.len() > 3 || !text.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    if text.len() > 1 && text.starts_with('0') {
        return None;
    }
    text.parse().ok()
}

fn parse_tile_index(text: &str) -> Result<u64, TilePathError> {
    let invalid = || TilePathError::InvalidIndex {
        text: text.to_owned(),
    };
    let groups: Vec<&str> = text.split('/').collect();
    let mut index: u64 = 0;
    for (position, group) in groups.iter().enumerate() {
        let is_last = position + 1 == groups.len();
        let digits = if is_last {
            *group
        } else {
            group.strip_prefix('x').ok_or_else(invalid)?
        };
        if digits.len() != 3 || !digits.bytes().all(|byte| byte.is_ascii_digit()) {
            return Err(invalid());
        }
        if position == 0 && !is_last && digits == "000" {
            return Err(TilePathError::NonCanonicalIndex {
                text: text.to_owned(),
            });
        }
        let value: u64 = digits.parse().map_err(|_| invalid())?;
        index = index
            .checked_mul(1000)
            .and_then(|shifted| shifted.checked_add(value))
            .ok_or_else(|| TilePathError::IndexOverflow {
                text: text.to_owned(),
            })?;
    }
    Ok(index)
}

/// Parses `<N>[.p/<W>]`; returns the index and the width (256 for a full tile).
fn parse_index_and_width(text: &str) -> Result<(u64, u16), TilePathError> {
    match text.split_once(".p/") {
        None => Ok((parse_tile_index(text)?, FULL_TILE_WIDTH)),
        Some((index_text, width_text)) => {
            let index = parse_tile_index(index_text)?;
            let width = parse_small_decimal(width_text)
                .filter(|width| (1..=255).contains(width))
                .ok_or_else(|| TilePathError::InvalidPartialWidth {
                    text: width_text.to_owned(),
                })?;
            Ok((index, width as u16))
        }
    }
}

/// Parses the `<L>` element and the `<N>[.p/<W>]` rest of a hash tile path. The width is 256
/// for a full tile.
pub fn parse_level_and_index(
    level_text: &str,
    index_text: &str,
) -> Result<(u8, u64, u16), TilePathError> {
    let level = parse_small_decimal(level_text)
        .filter(|level| *level <= u64::from(MAX_TILE_LEVEL))
        .ok_or_else(|| TilePathError::InvalidLevel {
            text: level_text.to_owned(),
        })?;
    let (index, width) = parse_index_and_width(index_text)?;
    Ok((level as u8, index, width))
}

fn width_suffix(width: u16) -> String {
    if width == FULL_TILE_WIDTH {
        String::new()
    } else {
        format!(".p/{width}")
    }
}

fn check_width(width: u16) -> Result<(), TilePathError> {
    if width == 0 || width > FULL_TILE_WIDTH {
        return Err(TilePathError::WidthOutOfRange { width });
    }
    Ok(())
}

impl TileAddress {
    /// A hash tile; `width` 256 means full.
    pub fn hashes(level: u8, index: u64, width: u16) -> Result<TileAddress, TilePathError> {
        check_width(width)?;
        if level > MAX_TILE_LEVEL {
            return Err(TilePathError::InvalidLevel {
                text: level.to_string(),
            });
        }
        Ok(TileAddress::Hashes {
            level,
            index,
            width,
        })
    }

    /// An entry bundle; `width` 256 means full.
    pub fn entry_bundle(index: u64, width: u16) -> Result<TileAddress, TilePathError> {
        check_width(width)?;
        Ok(TileAddress::EntryBundle { index, width })
    }

    pub fn width(&self) -> u16 {
        match self {
            TileAddress::Hashes { width, .. } | TileAddress::EntryBundle { width, .. } => *width,
        }
    }

    pub fn index(&self) -> u64 {
        match self {
            TileAddress::Hashes { index, .. } | TileAddress::EntryBundle { index, .. } => *index,
        }
    }

    pub fn is_partial(&self) -> bool {
        self.width() < FULL_TILE_WIDTH
    }

    /// The path under the log prefix, e.g. `tile/0/x001/x234/067.p/8`.
    pub fn path(&self) -> String {
        match self {
            TileAddress::Hashes {
                level,
                index,
                width,
            } => {
                format!(
                    "tile/{level}/{}{}",
                    encode_tile_index(*index),
                    width_suffix(*width)
                )
            }
            TileAddress::EntryBundle { index, width } => {
                format!(
                    "tile/entries/{}{}",
                    encode_tile_index(*index),
                    width_suffix(*width)
                )
            }
        }
    }

    /// Parses a path under the log prefix.
    pub fn parse_path(path: &str) -> Result<TileAddress, TilePathError> {
        let rest = path
            .strip_prefix("tile/")
            .ok_or_else(|| TilePathError::NotATilePath {
                path: path.to_owned(),
            })?;
        let (first, index_text) =
            rest.split_once('/')
                .ok_or_else(|| TilePathError::NotATilePath {
                    path: path.to_owned(),
                })?;
        if first == "entries" {
            let (index, width) = parse_index_and_width(index_text)?;
            return Ok(TileAddress::EntryBundle { index, width });
        }
        let (level, index, width) = parse_level_and_index(first, index_text)?;
        Ok(TileAddress::Hashes {
            level,
            index,
            width,
        })
    }
}

impl std::fmt::Display for TileAddress {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(&self.path())
    }
}

/// Where a Merkle tree node lives in the tiles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeInTile {
    pub tile_level: u32,
    pub tile_index: u64,
    /// Level of the node inside the tile's 8 levels (0 = the hashes stored in the tile).
    pub node_level: u32,
    /// Position of the node in its row inside the tile.
    pub node_index: u64,
}

/// Maps the node at `tree_level` (height above the leaves) and `tree_index` to its tile.
pub fn node_to_tile(tree_level: u32, tree_index: u64) -> NodeInTile {
    let node_level = tree_level % TILE_HEIGHT;
    let row_width = 1u64 << (TILE_HEIGHT - node_level);
    NodeInTile {
        tile_level: tree_level / TILE_HEIGHT,
        tile_index: tree_index / row_width,
        node_level,
        node_index: tree_index % row_width,
    }
}

/// Number of hashes at tile level `level` for a tree of `tree_size` leaves.
fn hashes_at_tile_level(tree_size: u64, level: u32) -> u64 {
    tree_size.checked_shr(level * TILE_HEIGHT).unwrap_or(0)
}

/// Per tile level, how many full tiles and the width of the partial one (0 if none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TileLevelInventory {
    pub level: u8,
    pub full_tiles: u64,
    pub partial_width: u16,
}

/// The tiles a tree of `tree_size` leaves implies, level by level.
pub fn tile_inventory(tree_size: u64) -> Vec<TileLevelInventory> {
    let mut inventory = Vec::new();
    for level in 0..=MAX_TILE_LEVEL {
        let hashes = hashes_at_tile_level(tree_size, u32::from(level));
        if hashes == 0 {
            break;
        }
        inventory.push(TileLevelInventory {
            level,
            full_tiles: hashes / 256,
            partial_width: (hashes % 256) as u16,
        });
    }
    inventory
}

/// The entry bundle that holds leaf `leaf_index` in a tree of `tree_size`.
pub fn entry_bundle_for_leaf(leaf_index: u64, tree_size: u64) -> Option<TileAddress> {
    if leaf_index >= tree_size {
        return None;
    }
    let index = leaf_index / 256;
    let width = (tree_size - index * 256).min(256) as u16;
    Some(TileAddress::EntryBundle { index, width })
}

/// The tiles and entry bundles whose content changes when the tree grows from `old_size` to
/// `new_size`: per level, from the tile that held the old partial hashes onward. Entry bundles
/// come first, then hash tiles from level 0 upward, so a writer that follows this order never
/// publishes a hash before the data it covers.
pub fn tiles_to_publish(old_size: u64, new_size: u64) -> Vec<TileAddress> {
    let mut addresses = Vec::new();
    if new_size <= old_size {
        return addresses;
    }
    for (index, width) in changed_tiles_of_level(old_size, new_size, 0) {
        addresses.push(TileAddress::EntryBundle { index, width });
    }
    for level in 0..=MAX_TILE_LEVEL {
        let changed = changed_tiles_of_level(old_size, new_size, u32::from(level));
        if changed.is_empty() {
            // A level that did not change leaves every level above it unchanged too.
            break;
        }
        for (index, width) in changed {
            addresses.push(TileAddress::Hashes {
                level,
                index,
                width,
            });
        }
    }
    addresses
}

fn changed_tiles_of_level(old_size: u64, new_size: u64, level: u32) -> Vec<(u64, u16)> {
    let old_count = hashes_at_tile_level(old_size, level);
    let new_count = hashes_at_tile_level(new_size, level);
    if new_count == old_count {
        return Vec::new();
    }
    let first_tile = old_count / 256;
    let last_tile = (new_count - 1) / 256;
    (first_tile..=last_tile)
        .map(|tile| (tile, (new_count - tile * 256).min(256) as u16))
        .collect()
}

/// Concatenates hashes into tile bytes.
pub fn build_hash_tile(hashes: &[Hash]) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(hashes.len() * HASH_LENGTH);
    for hash in hashes {
        bytes.extend_from_slice(&hash.0);
    }
    bytes
}

/// Reads the hashes of a tile of `width` hashes.
pub fn parse_hash_tile(bytes: &[u8], width: u16) -> Result<Vec<Hash>, TileContentError> {
    let expected = usize::from(width) * HASH_LENGTH;
    if bytes.len() != expected {
        return Err(TileContentError::WrongHashTileLength {
            width,
            expected,
            actual: bytes.len(),
        });
    }
    Ok(bytes
        .chunks_exact(HASH_LENGTH)
        .map(|chunk| {
            let mut hash = [0u8; HASH_LENGTH];
            hash.copy_from_slice(chunk);
            Hash(hash)
        })
        .collect())
}

/// Appends one entry, with its 2-byte big-endian length prefix, to bundle bytes.
pub fn append_to_entry_bundle(bundle: &mut Vec<u8>, entry: &[u8]) -> Result<(), EntryTooLarge> {
    let length = u16::try_from(entry.len()).map_err(|_| EntryTooLarge {
        length: entry.len(),
    })?;
    bundle.extend_from_slice(&length.to_be_bytes());
    bundle.extend_from_slice(entry);
    Ok(())
}

/// Builds an entry bundle from entries.
pub fn build_entry_bundle<E: AsRef<[u8]>>(entries: &[E]) -> Result<Vec<u8>, EntryTooLarge> {
    let mut bundle = Vec::new();
    for entry in entries {
        append_to_entry_bundle(&mut bundle, entry.as_ref())?;
    }
    Ok(bundle)
}

/// Splits entry bundle bytes into entries (at most 256).
pub fn parse_entry_bundle(bytes: &[u8]) -> Result<Vec<&[u8]>, TileContentError> {
    let mut entries = Vec::new();
    let mut offset = 0;
    while offset < bytes.len() {
        if entries.len() == usize::from(FULL_TILE_WIDTH) {
            return Err(TileContentError::TooManyEntries);
        }
        let entry_position = entries.len();
        let Some(length_bytes) = bytes.get(offset..offset + 2) else {
            return Err(TileContentError::TruncatedEntryBundle {
                entry_position,
                byte_offset: offset,
                problem: "has an incomplete length prefix",
            });
        };
        let length = usize::from(u16::from_be_bytes([length_bytes[0], length_bytes[1]]));
        let start = offset + 2;
        let Some(entry) = bytes.get(start..start + length) else {
            return Err(TileContentError::TruncatedEntryBundle {
                entry_position,
                byte_offset: offset,
                problem: "is longer than the bytes left",
            });
        };
        entries.push(entry);
        offset = start + length;
    }
    Ok(entries)
}

/// Splits entry bundle bytes and checks the entry count against the bundle's width.
pub fn parse_entry_bundle_of_width(
    bytes: &[u8],
    width: u16,
) -> Result<Vec<&[u8]>, TileContentError> {
    let entries = parse_entry_bundle(bytes)?;
    if entries.len() != usize::from(width) {
        return Err(TileContentError::WrongEntryCount {
            expected: usize::from(width),
            actual: entries.len(),
        });
    }
    Ok(entries)
}
