//! Sending email over SMTP (lettre): password reset links, registration notices, confirmations.
//! Requests do not send: they queue the message (`AppState::queue_mail`), and the job worker
//! sends it (`jobs.rs`), tried again if the SMTP server is away, so the page's timing never shows
//! whether an address has an account and mail is sent once whichever instance takes it.

use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::settings::MailSettings;

/// A connection to the SMTP server named in the settings.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: String,
}

impl Mailer {
    pub fn new(settings: &MailSettings) -> Mailer {
        // Plain SMTP: heard hands mail to a relay it trusts (on loopback in the tests).
        let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&settings.smtp_host)
            .port(settings.smtp_port)
            .build();
        Mailer { transport, from: settings.from.clone() }
    }

    /// Sends a plain-text message. The error says what failed, never to whom.
    pub async fn send(&self, to: &str, subject: &str, body: String) -> Result<(), String> {
        let from: Mailbox = self.from.parse().map_err(|e| format!("the sender address is not valid: {e}"))?;
        let to: Mailbox = to.parse().map_err(|e| format!("the recipient address is not valid: {e}"))?;
        let message = Message::builder()
            .from(from)
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| format!("building the message: {e}"))?;
        self.transport.send(message).await.map_err(|e| format!("sending over SMTP: {e}"))?;
        Ok(())
    }
}
