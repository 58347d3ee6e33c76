//! The serde bridge: a `Serializer` and a `Deserializer` over the SDK's `AttributeValue`, in
//! serde_dynamo's format, with no intermediate value tree.

mod de;
mod ser;

use std::fmt;

pub use de::from_attribute_value;
pub use ser::to_attribute_value;

/// A serde error, either way: serde's message.
#[derive(Debug)]
pub struct SerdeError(String);

impl fmt::Display for SerdeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SerdeError {}

impl ::serde::de::Error for SerdeError {
    fn custom<T: fmt::Display>(message: T) -> Self {
        SerdeError(message.to_string())
    }
}

impl ::serde::ser::Error for SerdeError {
    fn custom<T: fmt::Display>(message: T) -> Self {
        SerdeError(message.to_string())
    }
}
