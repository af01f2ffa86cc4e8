//! The JSON mapping of docs/protocol.md section 3: serde adapters for the field types of generated
//! messages (null and missing as zero values, strict base64, finite floats, canonical `int` map
//! keys) and the whole-body [`encode`] / [`decode`] with the nesting limit.
//!
//! Generated fields say how they are mapped with `#[serde(with = "brief_runtime::codec::As::<W>")]`,
//! where `W` is built from [`Plain`], [`Float`], [`Bytes`], [`Opt`], [`List`], [`Map`] and [`IntMap`]
//! following the contract type (`[]?bytes` is `List<Opt<Bytes>>`).
use base64::Engine as _;
use serde::de::{DeserializeOwned, Error as _};
use serde::ser::{Error as _, SerializeMap, SerializeSeq};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;
use std::marker::PhantomData;

/// Maximum nesting of arrays and objects, counting the top-level value (section 3.4).
pub const MAX_DEPTH: usize = 100;

/// How one contract type maps values of the Rust type `T` to and from JSON.
pub trait Wire<T> {
    fn ser<S: Serializer>(v: &T, s: S) -> Result<S::Ok, S::Error>;
    fn de<'de, D: Deserializer<'de>>(d: D) -> Result<T, D::Error>;
}

/// The `with` module of a generated field: `As::<List<Bytes>>` maps a `Vec<Vec<u8>>` field.
pub struct As<W>(PhantomData<W>);

impl<W> As<W> {
    pub fn serialize<T, S: Serializer>(v: &T, s: S) -> Result<S::Ok, S::Error>
    where
        W: Wire<T>,
    {
        W::ser(v, s)
    }

    pub fn deserialize<'de, T, D: Deserializer<'de>>(d: D) -> Result<T, D::Error>
    where
        W: Wire<T>,
    {
        W::de(d)
    }
}

/// A value serialized through `W` (for elements of lists and maps).
pub struct SerBy<'a, W, T>(pub &'a T, PhantomData<W>);

impl<'a, W, T> SerBy<'a, W, T> {
    pub fn new(v: &'a T) -> Self {
        SerBy(v, PhantomData)
    }
}

impl<W: Wire<T>, T> Serialize for SerBy<'_, W, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        W::ser(self.0, s)
    }
}

/// A value deserialized through `W`.
pub struct DeBy<W, T>(pub T, PhantomData<W>);

impl<W, T> DeBy<W, T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<'de, W: Wire<T>, T> Deserialize<'de> for DeBy<W, T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        W::de(d).map(|v| DeBy(v, PhantomData))
    }
}

/// `bool`, `string`, `time` and enums: serde's own mapping, `null` as the zero
/// value ([`Default`]).
pub struct Plain;

impl<T: Serialize + DeserializeOwned + Default> Wire<T> for Plain {
    fn ser<S: Serializer>(v: &T, s: S) -> Result<S::Ok, S::Error> {
        v.serialize(s)
    }
    fn de<'de, D: Deserializer<'de>>(d: D) -> Result<T, D::Error> {
        Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
    }
}

/// `int`: an int64, never through a float; `-0` reads as 0 (serde_json reads it as the float
/// `-0.0`, so `-0.0` and `-0e0` are accepted too).
pub struct Int;

impl Wire<i64> for Int {
    fn ser<S: Serializer>(v: &i64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(*v)
    }
    fn de<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
        d.deserialize_option(IntVisitor)
    }
}

struct IntVisitor;

impl<'de> serde::de::Visitor<'de> for IntVisitor {
    type Value = i64;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an integer (int64)")
    }
    fn visit_none<E: serde::de::Error>(self) -> Result<i64, E> {
        Ok(0)
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<i64, E> {
        Ok(0)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<i64, D::Error> {
        d.deserialize_i64(self)
    }
    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<i64, E> {
        Ok(v)
    }
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<i64, E> {
        i64::try_from(v).map_err(|_| E::custom(format!("integer {v} is out of the int64 range")))
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<i64, E> {
        if v == 0.0 && v.is_sign_negative() {
            Ok(0)
        } else {
            Err(E::invalid_type(serde::de::Unexpected::Float(v), &self))
        }
    }
}

/// A message: a JSON object (never an array, which serde's derive would accept); `null` is the
/// empty message.
pub struct Message;

impl<T: Serialize + DeserializeOwned + Default> Wire<T> for Message {
    fn ser<S: Serializer>(v: &T, s: S) -> Result<S::Ok, S::Error> {
        v.serialize(s)
    }
    fn de<'de, D: Deserializer<'de>>(d: D) -> Result<T, D::Error> {
        Ok(Option::<DeBy<ObjectOnly, T>>::deserialize(d)?
            .map(DeBy::into_inner)
            .unwrap_or_default())
    }
}

/// Deserializes a struct from a JSON object only.
pub struct ObjectOnly;

impl<T: DeserializeOwned> Wire<T> for ObjectOnly {
    fn ser<S: Serializer>(_: &T, _: S) -> Result<S::Ok, S::Error> {
        Err(S::Error::custom("ObjectOnly only deserializes"))
    }
    fn de<'de, D: Deserializer<'de>>(d: D) -> Result<T, D::Error> {
        T::deserialize(StructAsMap(d))
    }
}

/// A deserializer that reads structs as maps (so JSON arrays are refused) and forwards the rest.
struct StructAsMap<D>(D);

macro_rules! forward {
    ($($m:ident),*) => {$(
        fn $m<V: serde::de::Visitor<'de>>(self, v: V) -> Result<V::Value, D::Error> {
            self.0.$m(v)
        }
    )*};
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for StructAsMap<D> {
    type Error = D::Error;
    forward!(
        deserialize_any,
        deserialize_bool,
        deserialize_i8,
        deserialize_i16,
        deserialize_i32,
        deserialize_i64,
        deserialize_u8,
        deserialize_u16,
        deserialize_u32,
        deserialize_u64,
        deserialize_f32,
        deserialize_f64,
        deserialize_char,
        deserialize_str,
        deserialize_string,
        deserialize_bytes,
        deserialize_byte_buf,
        deserialize_option,
        deserialize_unit,
        deserialize_seq,
        deserialize_map,
        deserialize_identifier,
        deserialize_ignored_any
    );
    fn deserialize_unit_struct<V: serde::de::Visitor<'de>>(
        self,
        name: &'static str,
        v: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_unit_struct(name, v)
    }
    fn deserialize_newtype_struct<V: serde::de::Visitor<'de>>(
        self,
        name: &'static str,
        v: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_newtype_struct(name, v)
    }
    fn deserialize_tuple<V: serde::de::Visitor<'de>>(
        self,
        len: usize,
        v: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_tuple(len, v)
    }
    fn deserialize_tuple_struct<V: serde::de::Visitor<'de>>(
        self,
        name: &'static str,
        len: usize,
        v: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_tuple_struct(name, len, v)
    }
    fn deserialize_struct<V: serde::de::Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_map(v)
    }
    fn deserialize_enum<V: serde::de::Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_enum(name, variants, v)
    }
}

/// `float`: NaN and the infinities cannot be encoded (section 3.1).
pub struct Float;

impl Wire<f64> for Float {
    fn ser<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
        if v.is_finite() {
            s.serialize_f64(*v)
        } else {
            Err(S::Error::custom(format!(
                "float {v} is not representable in JSON"
            )))
        }
    }
    fn de<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        Ok(Option::<f64>::deserialize(d)?.unwrap_or(0.0))
    }
}

/// `bytes`: standard base64 with padding and zero padding bits.
pub struct Bytes;

impl Wire<Vec<u8>> for Bytes {
    fn ser<S: Serializer>(v: &Vec<u8>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(v))
    }
    fn de<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(Vec::new()),
            Some(text) => base64::engine::general_purpose::STANDARD
                .decode(text.as_bytes())
                .map_err(|e| D::Error::custom(format!("invalid base64 bytes: {e}"))),
        }
    }
}

/// `?T`: absent is `None` (and omitted as a field: generated fields also say
/// `skip_serializing_if = "Option::is_none"`).
pub struct Opt<W>(PhantomData<W>);

impl<W: Wire<T>, T> Wire<Option<T>> for Opt<W> {
    fn ser<S: Serializer>(v: &Option<T>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            None => s.serialize_none(),
            Some(v) => s.serialize_some(&SerBy::<W, T>::new(v)),
        }
    }
    fn de<'de, D: Deserializer<'de>>(d: D) -> Result<Option<T>, D::Error> {
        Ok(Option::<DeBy<W, T>>::deserialize(d)?.map(DeBy::into_inner))
    }
}

/// `[]T`: written `[]` when empty; `null` reads as empty.
pub struct List<W>(PhantomData<W>);

impl<W: Wire<T>, T> Wire<Vec<T>> for List<W> {
    fn ser<S: Serializer>(v: &Vec<T>, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(v.len()))?;
        for e in v {
            seq.serialize_element(&SerBy::<W, T>::new(e))?;
        }
        seq.end()
    }
    fn de<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<T>, D::Error> {
        Ok(Option::<Vec<DeBy<W, T>>>::deserialize(d)?
            .unwrap_or_default()
            .into_iter()
            .map(DeBy::into_inner)
            .collect())
    }
}

/// `map[string]T`: keys sorted by bytes; `null` reads as empty.
pub struct Map<W>(PhantomData<W>);

impl<W: Wire<T>, T> Wire<BTreeMap<String, T>> for Map<W> {
    fn ser<S: Serializer>(v: &BTreeMap<String, T>, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(v.len()))?;
        for (k, e) in v {
            map.serialize_entry(k, &SerBy::<W, T>::new(e))?;
        }
        map.end()
    }
    fn de<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, T>, D::Error> {
        Ok(Option::<BTreeMap<String, DeBy<W, T>>>::deserialize(d)?
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| (k, v.into_inner()))
            .collect())
    }
}

/// `map[int]T`: keys are canonical decimal int64 strings, sorted numerically.
pub struct IntMap<W>(PhantomData<W>);

impl<W: Wire<T>, T> Wire<BTreeMap<i64, T>> for IntMap<W> {
    fn ser<S: Serializer>(v: &BTreeMap<i64, T>, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(v.len()))?;
        for (k, e) in v {
            map.serialize_entry(&k.to_string(), &SerBy::<W, T>::new(e))?;
        }
        map.end()
    }
    fn de<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<i64, T>, D::Error> {
        let raw = Option::<BTreeMap<String, DeBy<W, T>>>::deserialize(d)?.unwrap_or_default();
        let mut out = BTreeMap::new();
        for (k, v) in raw {
            let key = int_key(&k).ok_or_else(|| {
                D::Error::custom(format!("map key {k:?} is not a canonical int64"))
            })?;
            out.insert(key, v.into_inner());
        }
        Ok(out)
    }
}

/// A canonical decimal int64 map key: `-?(0|[1-9][0-9]*)`, not `-0`, in range.
pub fn int_key(k: &str) -> Option<i64> {
    let digits = k.strip_prefix('-').unwrap_or(k);
    let canonical = !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'))
        && k != "-0";
    if canonical {
        k.parse().ok()
    } else {
        None
    }
}

/// Why a body could not be encoded or decoded.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct CodecError(pub String);

/// Encodes a message (or any mapped value) as JSON; fails on NaN or ±Infinity.
pub fn encode<T: Serialize>(v: &T) -> Result<Vec<u8>, CodecError> {
    serde_json::to_vec(v).map_err(|e| CodecError(e.to_string()))
}

/// Encodes `v` as the contract type `W` says.
pub fn encode_as<W: Wire<T>, T>(v: &T) -> Result<Vec<u8>, CodecError> {
    encode(&SerBy::<W, T>::new(v))
}

/// Decodes a whole JSON text as a message: the top-level `null` is the empty message; nesting over
/// [`MAX_DEPTH`], trailing data and invalid JSON anywhere are rejected. The error names the JSON
/// path (`$.tags[1]: ...`).
pub fn decode<T: Serialize + DeserializeOwned + Default>(text: &[u8]) -> Result<T, CodecError> {
    decode_as::<Message, T>(text)
}

/// Decodes a whole JSON text as the contract type `W` says.
pub fn decode_as<W: Wire<T>, T>(text: &[u8]) -> Result<T, CodecError> {
    check_depth(text)?;
    // The fast path decodes without tracking the path; only a text that fails is decoded again
    // to name where (the same error, with its path).
    let mut de = serde_json::Deserializer::from_slice(text);
    if let Ok(v) = DeBy::<W, T>::deserialize(&mut de) {
        if de.end().is_ok() {
            return Ok(v.into_inner());
        }
    }
    let mut de = serde_json::Deserializer::from_slice(text);
    let v: DeBy<W, T> = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let path = if path == "." {
            "$".to_owned()
        } else {
            format!("$.{path}")
        };
        CodecError(format!("{path}: {}", strip_position(e.inner())))
    })?;
    de.end()
        .map_err(|e| CodecError(format!("$: {}", strip_position(&e))))?;
    Ok(v.into_inner())
}

fn strip_position(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(i) => text[..i].to_owned(),
        None => text,
    }
}

/// Rejects texts nested deeper than [`MAX_DEPTH`] before serde sees them.
fn check_depth(text: &[u8]) -> Result<(), CodecError> {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for &b in text {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(CodecError(format!(
                        "$: JSON nested deeper than {MAX_DEPTH} levels"
                    )));
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}
