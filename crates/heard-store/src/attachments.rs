//! Files sent with responses (scanned letters, attachments to emails), as staff download them from
//! the register. They are written with their response by [`Store::record_responses`].

use sqlx::Row;

use crate::{Result, Store};

/// A stored file, with the type heard found in its leading bytes when it was entered.
#[derive(Debug, Clone, PartialEq)]
pub struct Attachment {
    pub id: i64,
    pub response_id: i64,
    pub file_name: String,
    pub media_type: String,
    pub content: Vec<u8>,
}

impl Store {
    /// Attachment `id`, when it belongs to a response to `consultation_id` (so that a link under
    /// one consultation cannot fetch another's files).
    pub async fn attachment(&self, consultation_id: i64, id: i64) -> Result<Option<Attachment>> {
        let row = sqlx::query(
            "SELECT a.id, a.response_id, a.file_name, a.media_type, a.content FROM attachments a \
             JOIN responses r ON r.id = a.response_id WHERE a.id = $1 AND r.consultation_id = $2",
        )
        .bind(id)
        .bind(consultation_id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(Attachment {
            id: row.try_get("id")?,
            response_id: row.try_get("response_id")?,
            file_name: row.try_get("file_name")?,
            media_type: row.try_get("media_type")?,
            content: row.try_get("content")?,
        }))
    }
}
