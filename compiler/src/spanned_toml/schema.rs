//! The shape of a TOML file read off the serde derive of its model type: tables, their keys in
//! declared order, maps and arrays.
//!
//! [`Schema::of`] runs `T::deserialize` against a probe deserializer that answers every request
//! with a placeholder and records what was asked: a derived struct asks for itself with the
//! list of its fields, a map for one entry, a sequence for one element, so one probe visits the
//! whole type. Nothing of the placeholder value is kept.
use serde::de::{
    self, DeserializeSeed, EnumAccess, IntoDeserializer, MapAccess, SeqAccess, VariantAccess,
    Visitor,
};
use serde::Deserialize;
use std::fmt;

/// What a TOML value may be, as far as its keys go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Schema {
    /// A value without keys of its own (a string, a number, a closed set of words, ...).
    Value,
    /// A table with fixed keys, in declared order.
    Table(Vec<(&'static str, Schema)>),
    /// A table with free keys (a map), each holding the inner schema.
    Map(Box<Schema>),
    /// An array, each element holding the inner schema.
    Array(Box<Schema>),
}

impl Schema {
    /// The schema of the model type `T`.
    pub fn of<T: for<'de> Deserialize<'de>>() -> Schema {
        let mut schema = Schema::Value;
        // The probe never fails on derived types; a failure only leaves the schema partial.
        let _ = T::deserialize(Probe { out: &mut schema });
        schema
    }

    /// The keys of a table (none for anything else), in declared order.
    pub fn keys(&self) -> Vec<&'static str> {
        match self {
            Schema::Table(fields) => fields.iter().map(|(k, _)| *k).collect(),
            _ => Vec::new(),
        }
    }

    /// The schema of the key `key` of this table, map or array.
    pub fn get(&self, key: &str) -> Option<&Schema> {
        match self {
            Schema::Table(fields) => fields.iter().find(|(k, _)| *k == key).map(|(_, s)| s),
            Schema::Map(inner) => Some(inner),
            Schema::Array(inner) => key.parse::<usize>().is_ok().then_some(&**inner),
            Schema::Value => None,
        }
    }

    /// The schema at a dotted path (array elements by index; the empty path is this one).
    pub fn at(&self, path: &str) -> Option<&Schema> {
        if path.is_empty() {
            return Some(self);
        }
        path.split('.').try_fold(self, |s, seg| s.get(seg))
    }

    /// The tables of fixed keys that have a key `key`, shallowest first, each as its header
    /// (`""` for the top level, `engine`, `crons` for the elements of an array `[[crons]]`) with
    /// whether it is an array of tables. Tables under free keys (maps) are not searched.
    pub fn tables_with(&self, key: &str) -> Vec<(String, bool)> {
        let mut out = Vec::new();
        let mut level: Vec<(String, bool, &Schema)> = vec![(String::new(), false, self)];
        while !level.is_empty() {
            let mut next = Vec::new();
            for (path, array, schema) in level {
                let Schema::Table(fields) = schema else {
                    continue;
                };
                if fields.iter().any(|(k, _)| *k == key) {
                    out.push((path.clone(), array));
                }
                for (k, s) in fields {
                    let sub = super::join(&path, k);
                    match s {
                        Schema::Table(_) => next.push((sub, false, s)),
                        Schema::Array(inner) => next.push((sub, true, &**inner)),
                        Schema::Map(_) | Schema::Value => {}
                    }
                }
            }
            level = next;
        }
        out
    }

    /// The keys of the table that holds the key at dotted `path`: its known siblings.
    pub fn siblings(&self, path: &str) -> Vec<&'static str> {
        let parent = path.rsplit_once('.').map_or("", |(p, _)| p);
        self.at(parent).map(Schema::keys).unwrap_or_default()
    }
}

#[derive(Debug)]
struct ProbeError;

impl fmt::Display for ProbeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("schema probe")
    }
}

impl std::error::Error for ProbeError {}

impl de::Error for ProbeError {
    fn custom<T: fmt::Display>(_: T) -> Self {
        ProbeError
    }
}

/// Answers for a value and records its schema in `out`.
struct Probe<'a> {
    out: &'a mut Schema,
}

macro_rules! zero {
    ($($method:ident => $visit:ident($($v:expr)?),)*) => {
        $(fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ProbeError> {
            visitor.$visit($($v)?)
        })*
    };
}

impl<'de> de::Deserializer<'de> for Probe<'_> {
    type Error = ProbeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ProbeError> {
        visitor.visit_unit()
    }

    zero! {
        deserialize_bool => visit_bool(false),
        deserialize_i8 => visit_u64(0),
        deserialize_i16 => visit_u64(0),
        deserialize_i32 => visit_u64(0),
        deserialize_i64 => visit_u64(0),
        deserialize_u8 => visit_u64(0),
        deserialize_u16 => visit_u64(0),
        deserialize_u32 => visit_u64(0),
        deserialize_u64 => visit_u64(0),
        deserialize_f32 => visit_f64(0.0),
        deserialize_f64 => visit_f64(0.0),
        deserialize_char => visit_char('x'),
        deserialize_str => visit_str(""),
        deserialize_string => visit_str(""),
        deserialize_identifier => visit_str(""),
        deserialize_bytes => visit_bytes(&[]),
        deserialize_byte_buf => visit_bytes(&[]),
        deserialize_unit => visit_unit(),
        deserialize_ignored_any => visit_unit(),
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ProbeError> {
        visitor.visit_some(self)
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> Result<V::Value, ProbeError> {
        visitor.visit_unit()
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> Result<V::Value, ProbeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ProbeError> {
        let mut inner = Schema::Value;
        let result = visitor.visit_seq(OneElement {
            out: Some(&mut inner),
        });
        *self.out = Schema::Array(Box::new(inner));
        result
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _: usize,
        visitor: V,
    ) -> Result<V::Value, ProbeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: usize,
        visitor: V,
    ) -> Result<V::Value, ProbeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ProbeError> {
        let mut inner = Schema::Value;
        let result = visitor.visit_map(OneEntry {
            out: &mut inner,
            key_given: false,
        });
        *self.out = Schema::Map(Box::new(inner));
        result
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ProbeError> {
        let mut entries: Vec<(&'static str, Schema)> =
            fields.iter().map(|f| (*f, Schema::Value)).collect();
        let result = visitor.visit_map(Fields {
            entries: &mut entries,
            next: 0,
        });
        *self.out = Schema::Table(entries);
        result
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ProbeError> {
        visitor.visit_enum(FirstVariant(variants.first().copied().unwrap_or_default()))
    }
}

/// A map key: any string, or the first variant of an enum.
struct Key;

impl<'de> de::Deserializer<'de> for Key {
    type Error = ProbeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ProbeError> {
        visitor.visit_str("*")
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ProbeError> {
        visitor.visit_enum(FirstVariant(variants.first().copied().unwrap_or_default()))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map struct identifier
        ignored_any
    }
}

/// A sequence of one probed element.
struct OneElement<'a> {
    out: Option<&'a mut Schema>,
}

impl<'de> SeqAccess<'de> for OneElement<'_> {
    type Error = ProbeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, ProbeError> {
        match self.out.take() {
            Some(out) => seed.deserialize(Probe { out }).map(Some),
            None => Ok(None),
        }
    }
}

/// A map of one probed entry.
struct OneEntry<'a> {
    out: &'a mut Schema,
    key_given: bool,
}

impl<'de> MapAccess<'de> for OneEntry<'_> {
    type Error = ProbeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, ProbeError> {
        if self.key_given {
            return Ok(None);
        }
        self.key_given = true;
        seed.deserialize(Key).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, ProbeError> {
        seed.deserialize(Probe {
            out: &mut *self.out,
        })
    }
}

/// A struct's fields, each probed.
struct Fields<'a> {
    entries: &'a mut Vec<(&'static str, Schema)>,
    next: usize,
}

impl<'de> MapAccess<'de> for Fields<'_> {
    type Error = ProbeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, ProbeError> {
        match self.entries.get(self.next) {
            Some((name, _)) => seed
                .deserialize(IntoDeserializer::<ProbeError>::into_deserializer(*name))
                .map(Some),
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, ProbeError> {
        let i = self.next;
        self.next += 1;
        match self.entries.get_mut(i) {
            Some((_, out)) => seed.deserialize(Probe { out }),
            None => Err(ProbeError),
        }
    }
}

/// An enum answered with its first unit variant.
struct FirstVariant(&'static str);

impl<'de> EnumAccess<'de> for FirstVariant {
    type Error = ProbeError;
    type Variant = Self;

    fn variant_seed<V: DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, Self), ProbeError> {
        let v = seed.deserialize(IntoDeserializer::<ProbeError>::into_deserializer(self.0))?;
        Ok((v, self))
    }
}

impl<'de> VariantAccess<'de> for FirstVariant {
    type Error = ProbeError;

    fn unit_variant(self) -> Result<(), ProbeError> {
        Ok(())
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(
        self,
        seed: T,
    ) -> Result<T::Value, ProbeError> {
        seed.deserialize(Probe {
            out: &mut Schema::Value,
        })
    }

    fn tuple_variant<V: Visitor<'de>>(self, _: usize, visitor: V) -> Result<V::Value, ProbeError> {
        visitor.visit_unit()
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ProbeError> {
        visitor.visit_unit()
    }
}
