//! The shapes of Kindred's Automerge documents, and typed reading and writing of them.
//!
//! Three kinds of document exist:
//! - the **group document** (`group`): name, description, guidelines, members and roles, goals shared with the group;
//! - **message segments** (`segment`): a group's message history, split into bounded documents;
//! - the **personal document** (`goals` inside it): private goals, never shared.
//!
//! Two rules keep concurrent edits from losing data. Every container that several peers write into is created once,
//! by the document's creator, in its first change (two peers creating the same key concurrently would make two
//! objects, and one would hide the other). Everything else is keyed by a fresh random id (a message, a goal, a
//! progress entry) or by the writer's member id (a reaction), so concurrent writers never touch the same key.
//! Text is stored as plain strings, never collaborative Text objects, which load about 9x slower.

pub(crate) mod goals;
pub(crate) mod group;
pub(crate) mod group_goals;
pub(crate) mod moderation;
pub(crate) mod segment;

use automerge::transaction::Transactable;
use automerge::{ObjId, ObjType, ReadDoc, ScalarValue, Value};

use crate::error::{Error, Result};
use crate::ids::DocId;

/// Schema version written into every document's root, so future versions can tell old layouts apart.
pub(crate) const DOC_SCHEMA_VERSION: i64 = 1;

/// Reads typed fields out of one map object, reporting schema violations against the document they came from.
pub(crate) struct MapReader<'a, D: ReadDoc> {
    pub doc: &'a D,
    pub doc_id: &'a DocId,
    pub obj: ObjId,
    /// Every field of the map, read in one pass ([`MapReader::all_fields`]); `None`: each field is looked up in the
    /// document when asked for.
    fields: Option<Vec<(String, Value<'static>, ObjId)>>,
}

impl<'a, D: ReadDoc> MapReader<'a, D> {
    pub(crate) fn new(doc: &'a D, doc_id: &'a DocId, obj: ObjId) -> Self {
        Self { doc, doc_id, obj, fields: None }
    }

    /// A reader that takes in the whole map at once: one walk over the object's operations instead of one search per
    /// field, for reading most fields of a small map (a message). It answers exactly as field-by-field lookups do:
    /// each key's winning value.
    pub(crate) fn all_fields(doc: &'a D, doc_id: &'a DocId, obj: ObjId) -> Self {
        let fields = doc
            .map_range(&obj, ..)
            .map(|item| {
                let id = item.id();
                (item.key.into_owned(), item.value.into_value(), id)
            })
            .collect();
        Self { doc, doc_id, obj, fields: Some(fields) }
    }

    /// The winning value under `key` and the id of the operation that wrote it.
    fn lookup(&self, key: &str) -> Result<Option<(Value<'_>, ObjId)>> {
        let Some(fields) = &self.fields else {
            return self.doc.get(&self.obj, key).map_err(|e| Error::document(self.doc_id, e));
        };
        Ok(fields.iter().find(|(k, _, _)| k == key).map(|(_, value, id)| {
            let value = match value {
                Value::Object(typ) => Value::Object(*typ),
                Value::Scalar(scalar) => Value::Scalar(std::borrow::Cow::Borrowed(scalar.as_ref())),
            };
            (value, id.clone())
        }))
    }

    fn scalar(&self, key: &str) -> Result<Option<ScalarValue>> {
        match self.lookup(key)? {
            Some((Value::Scalar(value), _)) => Ok(Some(value.into_owned())),
            Some((Value::Object(_), _)) => Err(self.bad(key, "an object where a value belongs")),
            None => Ok(None),
        }
    }

    fn bad(&self, key: &str, what: &str) -> Error {
        Error::document(self.doc_id, format!("field {key:?} holds {what}"))
    }

    pub(crate) fn opt_str(&self, key: &str) -> Result<Option<String>> {
        match self.scalar(key)? {
            Some(ScalarValue::Str(s)) => Ok(Some(s.to_string())),
            None => Ok(None),
            Some(_) => Err(self.bad(key, "a non-string")),
        }
    }

    pub(crate) fn str(&self, key: &str) -> Result<String> {
        self.opt_str(key)?.ok_or_else(|| self.bad(key, "nothing"))
    }

    pub(crate) fn opt_int(&self, key: &str) -> Result<Option<i64>> {
        match self.scalar(key)? {
            Some(ScalarValue::Int(i)) | Some(ScalarValue::Timestamp(i)) => Ok(Some(i)),
            Some(ScalarValue::Uint(u)) => {
                i64::try_from(u).map(Some).map_err(|_| self.bad(key, "an out-of-range integer"))
            }
            None => Ok(None),
            Some(_) => Err(self.bad(key, "a non-integer")),
        }
    }

    pub(crate) fn int(&self, key: &str) -> Result<i64> {
        self.opt_int(key)?.ok_or_else(|| self.bad(key, "nothing"))
    }

    pub(crate) fn opt_bytes(&self, key: &str) -> Result<Option<Vec<u8>>> {
        match self.scalar(key)? {
            Some(ScalarValue::Bytes(b)) => Ok(Some(b)),
            None => Ok(None),
            Some(_) => Err(self.bad(key, "a non-byte value")),
        }
    }

    pub(crate) fn bytes<const N: usize>(&self, key: &str) -> Result<[u8; N]> {
        let bytes = self.opt_bytes(key)?.ok_or_else(|| self.bad(key, "nothing"))?;
        bytes.try_into().map_err(|_| self.bad(key, "bytes of the wrong length"))
    }

    pub(crate) fn bool(&self, key: &str) -> Result<bool> {
        match self.scalar(key)? {
            Some(ScalarValue::Boolean(b)) => Ok(b),
            None => Ok(false),
            Some(_) => Err(self.bad(key, "a non-boolean")),
        }
    }

    /// The map object under `key`, if there is one.
    pub(crate) fn map(&self, key: &str) -> Result<Option<ObjId>> {
        match self.lookup(key)? {
            Some((Value::Object(ObjType::Map), id)) => Ok(Some(id)),
            Some(_) => Err(self.bad(key, "something other than a map")),
            None => Ok(None),
        }
    }

    /// The keys of this map.
    pub(crate) fn keys(&self) -> Vec<String> {
        self.doc.keys(&self.obj).collect()
    }
}

/// Maps an Automerge write error to the core's error for `doc`.
pub(crate) fn write_err(doc: &DocId) -> impl Fn(automerge::AutomergeError) -> Error + '_ {
    move |e| Error::document(doc, e)
}

/// Puts `value` under `key`, or deletes the key when `value` is `None`.
pub(crate) fn put_opt<T: Transactable>(
    tx: &mut T,
    obj: &ObjId,
    key: &str,
    value: Option<ScalarValue>,
) -> std::result::Result<(), automerge::AutomergeError> {
    match value {
        Some(value) => tx.put(obj, key, value),
        None if tx.get(obj, key)?.is_some() => tx.delete(obj, key),
        None => Ok(()),
    }
}
